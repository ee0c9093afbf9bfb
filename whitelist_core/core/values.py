"""Frozen value classes that cost nothing to define.

Every value of the package (a change, a plan, an intent, a result) is a frozen dataclass in
all but one respect: how its methods are made. ``dataclass(frozen=True)`` writes
``__init__``, ``__repr__``, ``__eq__``, ``__hash__``, ``__setattr__`` and ``__delattr__`` as
source and compiles each with ``exec`` when its module is imported: about 0.6 ms a class on
CPython 3.10 and 3.11, 34 ms of the function's cold start for the 53 on a Running event's
path (BENCHMARKS.md, figure 11). ``frozen`` lets ``dataclasses`` collect the fields, so
``dataclasses.fields``, ``replace`` and ``field(default=..., default_factory=...,
compare=..., hash=..., repr=...)`` mean what they always mean, and gives the class the same
six methods as closures over its field names: nothing is compiled.

Making an instance costs about a microsecond more (a loop over the fields where the
generated ``__init__`` has a line each). The two values planning makes by the ten thousand,
``core.plan.Change`` and ``core.selection.Source``, keep ``dataclass(frozen=True)`` for
that: with ``frozen`` the planning figure took a fifth longer (BENCHMARKS.md, figure 4).

What differs from ``dataclass(frozen=True)``, on purpose: a class body's own ``__eq__``,
``__hash__`` or ``__repr__`` is kept, as there; ``__init__`` always comes from the fields
(``init=False`` fields are refused); the class signature reads ``(*args, **kwargs)``.
"""

from __future__ import annotations

import dataclasses
import reprlib
from collections.abc import Callable
from dataclasses import MISSING, Field, FrozenInstanceError, field
from operator import attrgetter
from typing import Any, TypeVar

from typing_extensions import dataclass_transform

T = TypeVar("T", bound=type)
_assign = object.__setattr__


@dataclass_transform(frozen_default=True, field_specifiers=(field, Field))
def frozen(cls: T) -> T:
    """``cls`` as an immutable value: fields from its annotations, compared, hashed and
    printed by them, never changed after ``__init__``."""
    if not cls.__doc__:  # or dataclasses builds an inspect.signature for the docstring
        cls.__doc__ = cls.__name__
    dataclasses.dataclass(cls, init=False, repr=False, eq=False)
    fields = dataclasses.fields(cls)
    if any(not f.init for f in fields):
        raise TypeError(f"{cls.__qualname__}: a frozen value takes every field in __init__")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__qualname__}: check a value's fields before making it")
    methods: dict[str, Callable[..., object]] = {
        "__init__": _init(cls, fields),
        "__setattr__": _refuse_assignment,
        "__delattr__": _refuse_deletion,
    }
    own = cls.__dict__
    if "__repr__" not in own:
        methods["__repr__"] = _repr(tuple(f.name for f in fields if f.repr))
    if "__eq__" not in own:
        methods["__eq__"] = _eq(fields)
    if own.get("__hash__") is None:  # absent, or set to None by the body's own __eq__
        hashed = [f.name for f in fields if (f.compare if f.hash is None else f.hash)]
        methods["__hash__"] = _hash(_getter(hashed))
    for name, method in methods.items():
        setattr(cls, name, method)
    return cls


def _init(cls: type, fields: tuple[Field[Any], ...]) -> Callable[..., None]:
    qualname, names = cls.__qualname__, tuple(f.name for f in fields)
    accepted = frozenset(names)
    defaults = {f.name: f.default for f in fields if f.default is not MISSING}
    factories = {f.name: f.default_factory for f in fields if f.default_factory is not MISSING}
    count = len(names)

    # object.__setattr__, as the generated __init__ does, and not self.__dict__.update:
    # CPython 3.11 keeps attributes inline, and reads them fastest, only while nothing has
    # asked for the instance's __dict__ (planning reads hosts' fields a million times).
    def init(self: object, *args: object, **kwargs: object) -> None:
        if len(args) > count or not accepted.issuperset(kwargs):
            raise _bad_arguments(qualname, names, args, kwargs)
        if args and kwargs and not kwargs.keys().isdisjoint(names[: len(args)]):
            raise _bad_arguments(qualname, names, args, kwargs)
        for name, value in zip(names, args, strict=False):
            _assign(self, name, value)
        for name in names[len(args) :]:
            if name in kwargs:
                _assign(self, name, kwargs[name])
            elif name in defaults:
                _assign(self, name, defaults[name])
            elif name in factories:
                _assign(self, name, factories[name]())
            else:
                raise TypeError(f"{qualname}.__init__() missing required argument: {name!r}")

    init.__name__, init.__qualname__ = "__init__", f"{qualname}.__init__"
    return init


def _bad_arguments(
    qualname: str, names: tuple[str, ...], args: tuple[object, ...], kwargs: dict[str, object]
) -> TypeError:
    """The one error for too many, unknown or repeated arguments, naming which."""
    if len(args) > len(names):
        return TypeError(f"{qualname}.__init__() takes {len(names)} arguments, got {len(args)}")
    unknown = sorted(set(kwargs) - set(names))
    if unknown:
        return TypeError(f"{qualname}.__init__() got an unexpected keyword argument {unknown[0]!r}")
    twice = sorted(set(kwargs) & set(names[: len(args)]))
    return TypeError(f"{qualname}.__init__() got multiple values for argument {twice[0]!r}")


def _getter(names: list[str]) -> Callable[[object], tuple[object, ...]]:
    """The named attributes as a tuple (``attrgetter`` returns a lone one bare)."""
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda value: (one(value),)
    return attrgetter(*names) if names else (lambda value: ())


def _eq(fields: tuple[Field[Any], ...]) -> Callable[[object, object], object]:
    values = _getter([f.name for f in fields if f.compare])

    def equal(self: object, other: object) -> object:
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    return equal


def _hash(values: Callable[[object], tuple[object, ...]]) -> Callable[[object], int]:
    def hashed(self: object) -> int:
        return hash(values(self))

    return hashed


def _repr(names: tuple[str, ...]) -> Callable[[object], str]:
    @reprlib.recursive_repr()
    def shown(self: object) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{self.__class__.__qualname__}({fields})"

    return shown


def _refuse_assignment(self: object, name: str, value: object) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _refuse_deletion(self: object, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")
