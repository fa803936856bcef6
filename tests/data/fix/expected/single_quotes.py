def single(x: int) -> int:
    """Return x unchanged.

    How to Use This Code Block
    ==========================

    Description
    -----------
    It returns x unchanged.

    Execution Steps
    ---------------
    1. **Return Result**: Returns `x`.

    Usage Example
    -------------

    ```python
    from single_quotes import single

    result = single(x=2)
    print(result)
    ```
    """
    return x


def triple_single(x: int) -> int:
    '''Return x again.

    How to Use This Code Block
    ==========================

    Description
    -----------
    The example shows a call of `triple_single`; the steps below follow its body.

    Execution Steps
    ---------------
    1. **Return Result**: Returns `x`.

    Usage Example
    -------------

    ```python
    from single_quotes import triple_single

    result = triple_single(x=2)
    print(result)
    ```
    '''
    return x
