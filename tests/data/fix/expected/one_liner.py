def double(x: int) -> int:  # fast path
    """Return `x * 2`.

    How to Use This Code Block
    ==========================

    Description
    -----------
    The `double` function takes `x` (`int`) and returns `int`.

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


class Empty:
    """A class with no public methods.

    How to Use This Code Block
    ==========================

    Description
    -----------
    The `Empty` class has no public methods.

    Execution Steps
    ---------------
    1. **Create Instance**: Builds an `Empty` with no arguments.

    Usage Example
    -------------

    ```python
    from one_liner import Empty

    instance = Empty()
    print(instance)
    ```
    """

    pass
