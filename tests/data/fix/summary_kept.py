def merge(a: dict, b: dict) -> dict:
    """Merge two mappings into a new one.

    Keys of `b` win over keys of `a`; neither input is modified.
    """
    result = dict(a)
    result.update(b)
    return result
