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
    """Declare the interface; subclasses supply the behaviour.

    How to Use This Code Block
    ==========================

    Description
    -----------
    The example shows a call of `other`.

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
