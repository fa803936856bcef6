"""Immutable records, declared like typing.NamedTuple but without `typing`.

Importing `typing` (which brings `re`, `enum` and `functools`) costs about
two thirds of a bare Python start-up, and even collections.namedtuple, which
compiles a constructor per class, costs a few percent of a commit that
changes no Python file; the settings, the code table and the git change
records are all needed on that path. A Record class is a tuple subclass with
one property per field: immutable, hashable, picklable by name, with
`_replace`, `_asdict` and `_fields`. Type checkers are shown
typing.NamedTuple itself.

    class Point(Record):
        x: int
        y: int = 0
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple as Record
else:
    from operator import itemgetter

    class _Fields(tuple):
        __slots__ = ()
        _fields = ()
        _field_defaults = {}

        def __new__(cls, *args, **kwargs):
            fields = cls._fields
            if len(args) > len(fields):
                raise TypeError(f"{cls.__name__} takes {len(fields)} values, got {len(args)}")
            values = list(args)
            for name in fields[len(args):]:
                if name in kwargs:
                    values.append(kwargs.pop(name))
                elif name in cls._field_defaults:
                    values.append(cls._field_defaults[name])
                else:
                    raise TypeError(f"{cls.__name__} needs a value for {name!r}")
            if kwargs:  # unknown, or given both by position and by name
                raise TypeError(f"{cls.__name__} got unexpected values for {sorted(kwargs)}")
            return tuple.__new__(cls, values)

        def __repr__(self):
            pairs = ", ".join(f"{n}={v!r}" for n, v in zip(self._fields, self))
            return f"{type(self).__name__}({pairs})"

        def __getnewargs__(self):  # pickle rebuilds through __new__
            return tuple(self)

        def _asdict(self):
            return dict(zip(self._fields, self))

        def _replace(self, **changes):
            return type(self)(**{**self._asdict(), **changes})

    class _RecordMeta(type):
        def __new__(mcls, name, bases, namespace):
            if not bases:  # Record itself
                return super().__new__(mcls, name, bases, namespace)
            fields = tuple(namespace.get("__annotations__", {}))
            defaults = {f: namespace[f] for f in fields if f in namespace}
            if any(f not in defaults for f in fields[len(fields) - len(defaults):]):
                raise TypeError(f"{name}: a field without a default follows one with a default")
            body = {k: v for k, v in namespace.items() if k not in defaults}
            body.update(__slots__=(), _fields=fields, _field_defaults=defaults)
            for index, field in enumerate(fields):
                body[field] = property(itemgetter(index), doc=f"field {index}: {field}")
            return type(name, (_Fields,), body)

    class Record(metaclass=_RecordMeta):
        """Subclassing it yields a tuple class with named, read-only fields."""
