def with_bom(x: int) -> int:
    """Return `x`.

    How to Use This Code Block
    ==========================

    Description
    -----------
    The example shows a call of `with_bom`; the steps below follow its body.

    Execution Steps
    ---------------
    1. **Return Result**: Returns `x`.

    Usage Example
    -------------

    ```python
    from bom import with_bom

    result = with_bom(x=2)
    print(result)
    ```
    """
    return x
