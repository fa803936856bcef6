class Outer:
    """Holds the inner class.

    How to Use This Code Block
    ==========================

    Description
    -----------
    Build an `Outer` as the example shows.

    Execution Steps
    ---------------
    1. **Create Instance**: Builds an `Outer` with no arguments.

    Usage Example
    -------------

    ```python
    from nested_class import Outer

    instance = Outer()
    ```
    """

    class Inner:
        """Does one thing.

        How to Use This Code Block
        ==========================

        Description
        -----------
        Its method is `method`.

        Execution Steps
        ---------------
        1. **Create Instance**: Builds an `Inner` with no arguments.
        2. **Use Methods**: Calls `method` on the instance as needed.

        Usage Example
        -------------

        ```python
        from nested_class import Outer

        instance = Outer.Inner()
        ```
        """

        def method(self, value: str, /, flag: bool) -> str:
            """Return `value if flag else ''`.

            How to Use This Code Block
            ==========================

            Description
            -----------
            Call it on an `Outer.Inner` instance. It returns `value if flag else ''`.

            Execution Steps
            ---------------
            1. **Return Result**: Returns `value if flag else ''`.

            Usage Example
            -------------

            ```python
            from nested_class import Outer

            instance = Outer.Inner()
            result = instance.method("example", flag=True)
            print(result)
            ```
            """
            return value if flag else ""
