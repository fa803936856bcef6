def crlf(a: int) -> int:
    """Return a.

    How to Use This Code Block
    ==========================

    Description
    -----------
    Windows line endings stay.

    Execution Steps
    ---------------
    1. **Return Result**: Returns `a`.

    Usage Example
    -------------

    ```python
    from crlf import crlf

    result = crlf(a=1)
    print(result)
    ```
    """
    return a


def other() -> None:
    """Other.

    How to Use This Code Block
    ==========================

    Description
    -----------
    The `other` function takes no arguments.

    Execution Steps
    ---------------
    1. **Declare Interface**: Declares the interface only: the body holds no statements,
       so subclasses or callers supply the behaviour.

    Usage Example
    -------------

    ```python
    from crlf import other

    result = other()
    print(result)
    ```
    """
    pass
