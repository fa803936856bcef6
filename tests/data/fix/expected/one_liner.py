def double(x: int) -> int:  # fast path
    """Return `x * 2`.

    How to Use This Code Block
    ==========================

    Description
    -----------
    It returns `x * 2`.

    Execution Steps
    ---------------
    1. **Return Result**: Returns `x * 2`.

    Usage Example
    -------------

    ```python
    from one_liner import double

    result = double(x=2)
    print(result)
    ```
    """
    return x * 2


class Empty: pass
