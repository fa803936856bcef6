def send(message: str, retries: int = 3) -> bool:
    """Send a message to the queue.

    How to Use This Code Block
    ==========================

    Description
    -----------
    The `send` function posts `message` to the queue and retries on failure.

    Execution Steps
    ---------------
    1. **Opens Connection Broker**: Opens a connection to the broker.
    2. **Publishes Message**: Publishes the message, retrying up to `retries` times.

    Usage Example
    -------------

    ```python
    from partial_guide import send

    ok = send("hello")
    ```
    """
    return bool(message) and retries > 0
