import enum
from dataclasses import dataclass


@dataclass(frozen=True)
class Point:
    """Hold `x`, `y` and `label`.

    How to Use This Code Block
    ==========================

    Description
    -----------
    An instance holds `x`, `y` and `label`.

    Execution Steps
    ---------------
    1. **Create Instance**: Builds a `Point` from the values the example passes.
    2. **Store State**: Stores `x`, `y` and `label` on the instance.

    Usage Example
    -------------

    ```python
    from dataclass_and_enum import Point

    instance = Point(x=1.5, y=1.5)
    print(instance)
    ```
    """

    x: float
    y: float
    label: str = ""


class Color(enum.Enum):
    """Enumerate `RED` and `GREEN`.

    How to Use This Code Block
    ==========================

    Description
    -----------
    It builds on `enum.Enum`. Its members are `RED` and `GREEN`; iterate over the class
    to see each one.

    Execution Steps
    ---------------
    1. **List Members**: Iterates over `Color`, one member at a time in the order the
       class defines them.

    Usage Example
    -------------

    ```python
    from dataclass_and_enum import Color

    for member in Color:
        print(member)
    ```
    """

    RED = 1
    GREEN = 2
