class Counter:
    def __init__(self, start: int, step: int = 1) -> None:
        self.value = start
        self.step = step

    def bump(self, times: int) -> int:
        for _ in range(times):
            self.advance()
        return self.value

    @property
    def doubled(self) -> int:
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
        self.value += self.step
