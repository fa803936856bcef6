# -*- coding: latin-1 -*-
def café_name() -> str:
    """Retourne le nom du café.

    How to Use This Code Block
    ==========================

    Description
    -----------
    It returns `'café'`.

    Execution Steps
    ---------------
    1. **Return Result**: Returns `'café'`.

    Usage Example
    -------------

    ```python
    from latin1_cookie import café_name

    result = café_name()
    print(result)
    ```
    """
    return "café"
