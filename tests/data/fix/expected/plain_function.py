import os


def read_port(path: str, default: int = 8080) -> int:
    if not path:
        raise ValueError("path is empty")
    text = open(path).read()
    port = int(text.strip())
    return port
