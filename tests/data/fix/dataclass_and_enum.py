import enum
from dataclasses import dataclass


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str = ""


class Color(enum.Enum):
    RED = 1
    GREEN = 2
