def crlf(a: int) -> int:
    """Return a.

    Windows line endings stay.

    How to Use This Code Block
    ==========================

    Description
    -----------
    The example shows a call of `crlf`; the steps below follow its body.

    Execution Steps
    ---------------
    1. **Return Result**: Returns `a`.

    Usage Example
    -------------

    ```python
    from crlf import crlf

    result = crlf(a=2)
    print(result)
    ```
    """
    return a


def other() -> None:
    pass
