import enum
from dataclasses import dataclass


@dataclass(frozen=True)
class Point:
    """The `Point` class.

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

    instance = Point(x=1.0, y=1.0)
    print(instance)
    ```
    """

    x: float
    y: float
    label: str = ""


class Color(enum.Enum):
    """The `Color` class.

    How to Use This Code Block
    ==========================

    Description
    -----------
    The `Color` class builds on `enum.Enum`.

    Execution Steps
    ---------------
    1. **Create Instance**: Builds a `Color` with no arguments.

    Usage Example
    -------------

    ```python
    from dataclass_and_enum import Color

    instance = Color()
    print(instance)
    ```
    """

    RED = 1
    GREEN = 2
