def merge(a: dict, b: dict) -> dict:
    """Merge two mappings into a new one.

    How to Use This Code Block
    ==========================

    Description
    -----------
    Keys of `b` win over keys of `a`; neither input is modified.

    Execution Steps
    ---------------
    1. **Call dict**: Calls `dict` and `result.update`.
    2. **Return Result**: Returns `result`.

    Usage Example
    -------------

    ```python
    from summary_kept import merge

    result = merge(a={}, b={})
    print(result)
    ```
    """
    result = dict(a)
    result.update(b)
    return result
