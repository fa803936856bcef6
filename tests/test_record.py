"""Record behaves as typing.NamedTuple does, for what the program relies on."""
from __future__ import annotations

import pickle
from typing import Callable, Optional

import pytest

from howto_hook.config import Settings
from howto_hook.record import Record


class Point(Record):
    """A point."""

    x: int
    y: int = 0
    label: Optional[str] = None

    def moved(self, dx: int) -> "Point":
        return self._replace(x=self.x + dx)


@pytest.mark.parametrize("make, expected", [
    (lambda: Point(1), (1, 0, None)),
    (lambda: Point(1, 2, "a"), (1, 2, "a")),
    (lambda: Point(x=1, label="b"), (1, 0, "b")),
    (lambda: Point(1).moved(4), (5, 0, None)),
    (lambda: pickle.loads(pickle.dumps(Point(3, 4))), (3, 4, None)),
    (lambda: Point(2)._replace(y=7), (2, 7, None)),
])
def test_values(make: Callable[[], Point], expected: tuple) -> None:
    p = make()
    assert type(p) is Point and tuple(p) == expected
    assert (p.x, p.y, p.label) == expected


@pytest.mark.parametrize("make, message", [
    (lambda: Point(), "needs a value for 'x'"),
    (lambda: Point(1, 2, 3, 4), "takes 3 values, got 4"),
    (lambda: Point(1, x=2), "unexpected values for ['x']"),
    (lambda: Point(1, z=2), "unexpected values for ['z']"),
    (lambda: Point(1)._replace(z=2), "unexpected values for ['z']"),
])
def test_mistakes_are_type_errors(make: Callable[[], object], message: str) -> None:
    with pytest.raises(TypeError) as e:
        make()
    assert message in str(e.value)


def test_immutable_hashable_and_described() -> None:
    p = Point(1, 2)
    with pytest.raises(AttributeError):
        p.x = 5  # type: ignore[misc]
    with pytest.raises(AttributeError):
        p.other = 5  # type: ignore[attr-defined]
    assert {p: "ok"}[Point(1, 2)] == "ok"
    assert repr(p) == "Point(x=1, y=2, label=None)"
    assert Point.__doc__ == "A point." and Point._fields == ("x", "y", "label")
    assert p._asdict() == {"x": 1, "y": 2, "label": None}


def test_a_field_without_default_after_one_with_is_refused() -> None:
    with pytest.raises(TypeError):
        class Bad(Record):  # noqa: F841
            a: int = 1
            b: int


def test_settings_survive_a_trip_to_a_worker_process() -> None:
    s = Settings().with_changes(select=("HOW1",), root="/x")
    assert pickle.loads(pickle.dumps(s)) == s and s.select == ("HOW1",)
