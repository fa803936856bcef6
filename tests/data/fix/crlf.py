def crlf(a: int) -> int:
    """Return a.

    Windows line endings stay.
    """
    return a


def other() -> None:
    pass
