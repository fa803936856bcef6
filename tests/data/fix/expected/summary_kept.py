def merge(a: dict, b: dict) -> dict:
    """Merge two mappings into a new one.

    Keys of `b` win over keys of `a`; neither input is modified.

    How to Use This Code Block
    ==========================

    Description
    -----------
    The `merge` function takes `a` (`dict`) and `b` (`dict`) and returns `dict`.

    Execution Steps
    ---------------
    1. **Call Helpers**: Calls `dict` and `result.update`.
    2. **Return Result**: Returns `result`.

    Usage Example
    -------------

    ```python
    from summary_kept import merge

    result = merge(a={"a": 1, "b": 2}, b={"a": 1, "b": 2})
    print(result)
    ```
    """
    result = dict(a)
    result.update(b)
    return result
