def scale(values: list, factor: float = 2.0) -> list:
    """Scale every value.

    Parameters
    ----------
    values : list
        The numbers to scale.
    factor : float
        What to multiply by.

    How to Use This Code Block
    ==========================

    Description
    -----------
    It takes `values` (the numbers to scale) and `factor` (what to multiply by).

    Execution Steps
    ---------------
    1. **Return Result**: Returns `[v * factor for v in values]`.

    Usage Example
    -------------

    ```python
    from numpy_style import scale

    result = scale(values=[1, 2, 3])
    print(result)
    ```
    """
    return [v * factor for v in values]
