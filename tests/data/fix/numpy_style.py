def scale(values: list, factor: float = 2.0) -> list:
    """Scale every value.

    Parameters
    ----------
    values : list
        The numbers to scale.
    factor : float
        What to multiply by.
    """
    return [v * factor for v in values]
