async def fetch(url: str, *, timeout: float = 5.0) -> bytes:
    response = await request(url, timeout=timeout)
    return response.body


def chunks(items: list, size: int):
    """Yield `items[start:start + size]`.

    How to Use This Code Block
    ==========================

    Description
    -----------
    `chunks` is a generator: iterate over it to receive what it yields.

    Execution Steps
    ---------------
    1. **Loop Over Items**: Iterates over `range(0, len(items), size)`; each pass yields
       `items[start:start + size]`.

    Usage Example
    -------------

    ```python
    from async_and_generators import chunks

    for item in chunks(items=[1, 2, 3], size=2):
        print(item)
    ```
    """
    for start in range(0, len(items), size):
        yield items[start:start + size]


async def stream(url: str):
    async for line in lines(url):
        yield line
