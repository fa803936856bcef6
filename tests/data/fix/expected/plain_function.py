import os


def read_port(path: str, default: int = 8080) -> int:
    """Return `port`.

    How to Use This Code Block
    ==========================

    Description
    -----------
    It raises `ValueError` when `not path`.

    Execution Steps
    ---------------
    1. **Validate Input**: Checks its input: raises `ValueError` when `not path`.
    2. **Call Helpers**: Calls `open(path).read` and `int`.
    3. **Return Result**: Returns `port`.

    Usage Example
    -------------

    ```python
    from plain_function import read_port

    result = read_port(path="example.txt")
    print(result)
    ```
    """
    if not path:
        raise ValueError("path is empty")
    text = open(path).read()
    port = int(text.strip())
    return port
