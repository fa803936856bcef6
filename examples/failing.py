"""A module whose docstrings break the guide format, one way each."""
from __future__ import annotations


def load_user(user_id: int) -> dict:
    """Load a user record.

    How to Use This Code Block
    ==========================

    Description
    -----------
    Getting the user from the store and doing some checks.

    Execution Steps
    ---------------
    1. Reads the record.
    3. **Validate Record**: Checks the required fields.

    Usage Example
    -------------

    ```python
    user = load_user(user_id=42
    ```
    """
    return {"id": user_id}


class Cache:
    """An in-memory cache."""

    def put(self, key: str, value: object) -> None:
        self._data = {key: value}
