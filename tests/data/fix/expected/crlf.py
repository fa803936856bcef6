def crlf(a: int) -> int:
    """Return a.

    Windows line endings stay.

    How to Use This Code Block
    ==========================

    Description
    -----------
    It returns `a`.

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
    """Declare the interface; subclasses supply the behaviour.

    How to Use This Code Block
    ==========================

    Description
    -----------
    Call `other` for what its steps below do.

    Execution Steps
    ---------------
    1. **Declare Interface**: Declares the interface only: the body holds no statements,
       so subclasses or callers supply the behaviour.

    Usage Example
    -------------

    ```python
    from crlf import other

    other()
    ```
    """
    pass
