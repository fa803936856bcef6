async def fetch(url: str, *, timeout: float = 5.0) -> bytes:
    """Return `response.body`.

    How to Use This Code Block
    ==========================

    Description
    -----------
    `fetch` is a coroutine: await it, or run it with `asyncio.run`. It returns
    `response.body`.

    Execution Steps
    ---------------
    1. **Await Result**: Awaits `request(url, timeout=timeout)`.
    2. **Return Result**: Returns `response.body`.

    Usage Example
    -------------

    ```python
    import asyncio

    from async_and_generators import fetch

    result = asyncio.run(fetch(url="https://example.com"))
    print(result)
    ```
    """
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
    """Yield `line` for each item of `lines(url)`.

    How to Use This Code Block
    ==========================

    Description
    -----------
    `stream` is an asynchronous generator: iterate over it with `async for`.

    Execution Steps
    ---------------
    1. **Loop Over Items**: Iterates over `lines(url)`; each pass yields `line`.

    Usage Example
    -------------

    ```python
    import asyncio

    from async_and_generators import stream


    async def main() -> None:
        async for item in stream(url="https://example.com"):
            print(item)


    asyncio.run(main())
    ```
    """
    async for line in lines(url):
        yield line
