class Outer:
    """Holds the inner class."""

    class Inner:
        """Does one thing."""

        def method(self, value: str, /, flag: bool) -> str:
            return value if flag else ""
