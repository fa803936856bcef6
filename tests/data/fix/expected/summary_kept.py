def merge(a: dict, b: dict) -> dict:
    """Merge two mappings into a new one.

    Keys of `b` win over keys of `a`; neither input is modified.

    How to Use This Code Block
    ==========================

    Description
    -----------
    It merges two mappings into a new one.

    Execution Steps
    ---------------
    1. **Call Helpers**: Calls `dict` and `result.update`.
    2. **Return Result**: Returns `result`.

    Usage Example
    -------------

    ```python
    from summary_kept import merge

    result = merge(a={"example": 2}, b={"example": 2})
    print(result)
    ```
    """
    result = dict(a)
    result.update(b)
    return result
