def annotated(x: int) -> int:  # noqa: E501
    """Return `y`.

    How to Use This Code Block
    ==========================

    Description
    -----------
    The example shows a call of `annotated`; the steps below follow its body.

    Execution Steps
    ---------------
    1. **Set Values**: Assigns `y`.
    2. **Return Result**: Returns `y`.

    Usage Example
    -------------

    ```python
    from comments import annotated

    result = annotated(x=2)
    print(result)
    ```
    """
    # the comment before the first statement stays where it is
    y = x + 1  # and this one too
    return y


class Box:  # a box
    # a comment in the class body
    size = 3
