class Counter:
    """Hold `start` and `step`.

    How to Use This Code Block
    ==========================

    Description
    -----------
    An instance holds `value` and `step`. Its methods are `bump`, `from_text`, `parse`,
    `wait` and `advance`. Read `doubled` on an instance (property).

    Execution Steps
    ---------------
    1. **Create Instance**: Builds a `Counter` from the values the example passes.
    2. **Store State**: Stores `value` and `step` on the instance.
    3. **Use Methods**: Calls `bump`, `from_text`, `parse` and `wait` on the instance as
       needed.

    Usage Example
    -------------

    ```python
    from methods import Counter

    instance = Counter(start=2)
    ```
    """

    def __init__(self, start: int, step: int = 1) -> None:
        self.value = start
        self.step = step

    def bump(self, times: int) -> int:
        """Return `self.value`.

        How to Use This Code Block
        ==========================

        Description
        -----------
        Call it on a `Counter` instance. It returns `self.value`.

        Execution Steps
        ---------------
        1. **Loop Over Items**: Iterates over `range(times)`; each pass calls
           `self.advance`.
        2. **Return Result**: Returns `self.value`.

        Usage Example
        -------------

        ```python
        from methods import Counter

        instance = Counter(start=2)
        result = instance.bump(times=2)
        print(result)
        ```
        """
        for _ in range(times):
            self.advance()
        return self.value

    @property
    def doubled(self) -> int:
        """Return `self.value * 2`.

        How to Use This Code Block
        ==========================

        Description
        -----------
        `doubled` is a property of `Counter`: read it on an instance. It returns
        `self.value * 2`.

        Execution Steps
        ---------------
        1. **Return Result**: Returns `self.value * 2`.

        Usage Example
        -------------

        ```python
        from methods import Counter

        instance = Counter(start=2)
        print(instance.doubled)
        ```
        """
        return self.value * 2

    @classmethod
    def from_text(cls, text: str) -> "Counter":
        return cls(int(text))

    @staticmethod
    def parse(text: str) -> int:
        return int(text)

    async def wait(self, seconds: float) -> None:
        await sleep(seconds)

    def advance(self):
        """Set `self.value`.

        How to Use This Code Block
        ==========================

        Description
        -----------
        Call it on a `Counter` instance.

        Execution Steps
        ---------------
        1. **Update State**: Assigns `self.value`.

        Usage Example
        -------------

        ```python
        from methods import Counter

        instance = Counter(start=2)
        instance.advance()
        ```
        """
        self.value += self.step
