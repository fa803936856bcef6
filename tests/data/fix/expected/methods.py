class Counter:
    """Provide `bump`, `doubled`, `from_text` and more.

    How to Use This Code Block
    ==========================

    Description
    -----------
    The `Counter` class is created from `start` (`int`) and `step` (`int`, default `1`)
    and provides `bump`, `doubled`, `from_text`, `parse`, `wait` and `advance`.

    Execution Steps
    ---------------
    1. **Create Instance**: Builds a `Counter` from `start` (`int`) and `step` (`int`,
       default `1`).
    2. **Store State**: Stores `value` and `step` on the instance.
    3. **Use Methods**: Calls `bump`, `doubled`, `from_text`, `parse`, `wait` and
       `advance` on the instance as needed.

    Usage Example
    -------------

    ```python
    from methods import Counter

    instance = Counter(start=2)
    print(instance)
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
        The `bump` method of `Counter` takes `times` (`int`) and returns `int`.

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
        The `doubled` property of `Counter` returns `int`.

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
        """Return `cls(int(text))`.

        How to Use This Code Block
        ==========================

        Description
        -----------
        The `Counter.from_text` class method takes `text` (`str`) and returns
        `'Counter'`.

        Execution Steps
        ---------------
        1. **Return Result**: Returns `cls(int(text))`.

        Usage Example
        -------------

        ```python
        from methods import Counter

        result = Counter.from_text(text="example")
        print(result)
        ```
        """
        return cls(int(text))

    @staticmethod
    def parse(text: str) -> int:
        """Return `int(text)`.

        How to Use This Code Block
        ==========================

        Description
        -----------
        The `Counter.parse` static method takes `text` (`str`) and returns `int`.

        Execution Steps
        ---------------
        1. **Return Result**: Returns `int(text)`.

        Usage Example
        -------------

        ```python
        from methods import Counter

        result = Counter.parse(text="example")
        print(result)
        ```
        """
        return int(text)

    async def wait(self, seconds: float) -> None:
        """Await `sleep(seconds)`.

        How to Use This Code Block
        ==========================

        Description
        -----------
        The `wait` method of `Counter` takes `seconds` (`float`). It is a coroutine:
        await it, or run it with `asyncio.run`.

        Execution Steps
        ---------------
        1. **Await Result**: Awaits `sleep(seconds)`.

        Usage Example
        -------------

        ```python
        import asyncio

        from methods import Counter

        instance = Counter(start=2)
        asyncio.run(instance.wait(seconds=1.5))
        ```
        """
        await sleep(seconds)

    def advance(self):
        """Set `self.value`.

        How to Use This Code Block
        ==========================

        Description
        -----------
        The `advance` method of `Counter` takes no arguments.

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
