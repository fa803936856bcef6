"""A module whose public definitions carry usage guides that pass."""
from __future__ import annotations


def parse_port(text: str, default: int = 8080) -> int:
    """Parse a TCP port number from text.

    How to Use This Code Block
    ==========================

    Description
    -----------
    The `parse_port` function converts `text` to an integer port and checks
    that it lies between 1 and 65535. Empty text yields `default`.

    Execution Steps
    ---------------
    1. **Handle Empty Text**: Returns `default` when `text` is blank.
    2. **Convert Text**: Converts the stripped text with `int`.
    3. **Validate Range**: Raises `ValueError` when the number is outside
       1..65535, and returns it otherwise.

    Usage Example
    -------------

    ```python
    from passing import parse_port

    port = parse_port("8443")
    ```
    """
    if not text.strip():
        return default
    port = int(text.strip())
    if not 1 <= port <= 65535:
        raise ValueError(f"port out of range: {port}")
    return port
