import enum
from dataclasses import dataclass


@dataclass(frozen=True)
class Point:
    """Hold `x`, `y` and `label`.

    How to Use This Code Block
    ==========================

    Description
    -----------
    The `Point` class is created from `x` (`float`), `y` (`float`) and `label` (`str`).

    Execution Steps
    ---------------
    1. **Create Instance**: Builds a `Point` from `x` (`float`), `y` (`float`) and
       `label` (`str`).

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
    The `Color` class builds on `enum.Enum` and has the members `RED` and `GREEN`.

    Execution Steps
    ---------------
    1. **List Members**: Declares the members `RED` and `GREEN`; iterate over the class
       to see each one.

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
