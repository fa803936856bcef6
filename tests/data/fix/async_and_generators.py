async def fetch(url: str, *, timeout: float = 5.0) -> bytes:
    response = await request(url, timeout=timeout)
    return response.body


def chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


async def stream(url: str):
    async for line in lines(url):
        yield line
