"""``frozen`` behaves as ``dataclass(frozen=True)`` does, the standard library being the
oracle: every case builds the same class both ways and compares what each does. And it
compiles nothing, which is why it exists."""

from __future__ import annotations

import builtins
import copy
import dataclasses
import importlib
import pickle
import pkgutil
from collections.abc import Callable
from dataclasses import FrozenInstanceError, field
from typing import Any

import pytest

import whitelist_core
from whitelist_core.core.values import frozen
from whitelist_core.ports import Instance

Maker = Callable[[type], type]
STANDARD: Maker = dataclasses.dataclass(frozen=True)


def shapes(make: Maker) -> dict[str, type]:
    """The same classes, made by ``make``: each field kind the package uses."""

    @make
    class Plain:
        name: str
        count: int

    @make
    class Defaults:
        name: str
        zone: str = "a"
        tags: dict[str, str] = field(default_factory=dict, hash=False)
        note: str = field(default="", compare=False)
        secret: str = field(default="", repr=False)

    @make
    class Empty:
        pass

    @make
    class Single:
        only: int

    return {"Plain": Plain, "Defaults": Defaults, "Empty": Empty, "Single": Single}


OURS, THEIRS = shapes(frozen), shapes(STANDARD)

CALLS: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
    ("Plain", ("a", 1), {}),
    ("Plain", ("a",), {"count": 2}),
    ("Plain", (), {"count": 3, "name": "b"}),
    ("Defaults", ("n",), {}),
    ("Defaults", ("n", "b", {"k": "v"}, "x", "s"), {}),
    ("Defaults", (), {"name": "n", "secret": "s", "note": "y"}),
    ("Empty", (), {}),
    ("Single", (7,), {}),
]
BAD_CALLS: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
    ("Plain", ("a",), {}),  # missing
    ("Plain", ("a", 1, 2), {}),  # too many
    ("Plain", ("a", 1), {"colour": "red"}),  # unknown
    ("Plain", ("a", 1), {"name": "b"}),  # twice
    ("Plain", ("a",), {"name": "b"}),  # twice, and one missing
    ("Empty", (1,), {}),
]


def as_seen(value: object) -> tuple[object, ...]:
    """What a caller can observe of a value, without its class's identity."""
    names = [f.name for f in dataclasses.fields(value)]
    return (
        tuple(getattr(value, name) for name in names),
        repr(value).split("(", 1)[1],
        type(value).__match_args__,
    )


@pytest.mark.parametrize(("name", "args", "kwargs"), CALLS)
def test_construction_repr_and_fields_are_the_standard_ones(
    name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    ours, theirs = OURS[name](*args, **kwargs), THEIRS[name](*args, **kwargs)
    assert as_seen(ours) == as_seen(theirs)
    assert [f.name for f in dataclasses.fields(ours)] == [
        f.name for f in dataclasses.fields(theirs)
    ]


@pytest.mark.parametrize(("name", "args", "kwargs"), BAD_CALLS)
def test_wrong_arguments_are_a_type_error_as_in_the_standard_library(
    name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    with pytest.raises(TypeError) as theirs:
        THEIRS[name](*args, **kwargs)
    with pytest.raises(TypeError) as ours:
        OURS[name](*args, **kwargs)
    # the same complaint, in the standard library's words where it names an argument
    for word in ("missing", "unexpected", "multiple", "takes"):
        assert (word in str(ours.value)) == (word in str(theirs.value)), (ours, theirs)


def pairs(make: dict[str, type]) -> list[tuple[object, object]]:
    defaults = make["Defaults"]
    return [
        (make["Plain"]("a", 1), make["Plain"]("a", 1)),
        (make["Plain"]("a", 1), make["Plain"]("a", 2)),
        (defaults("n", note="x"), defaults("n", note="y")),  # compare=False
        (defaults("n", tags={"a": "1"}), defaults("n", tags={"a": "2"})),  # hash=False only
        (defaults("n", secret="1"), defaults("n", secret="2")),
        (make["Empty"](), make["Empty"]()),
        (make["Single"](1), make["Single"](1)),
        (make["Single"](1), make["Plain"]("a", 1)),
    ]


def test_equality_follows_compare_as_in_the_standard_library() -> None:
    ours = [one == other for one, other in pairs(OURS)]
    assert ours == [one == other for one, other in pairs(THEIRS)]
    assert ours == [True, False, True, False, False, True, True, False]


@pytest.mark.parametrize(("name", "args", "kwargs"), CALLS)
def test_a_value_hashes_as_the_standard_library_s_does(
    name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    # both hash the tuple of the fields that compare and hash (not tags, not note)
    assert hash(OURS[name](*args, **kwargs)) == hash(THEIRS[name](*args, **kwargs))


def test_a_value_of_another_class_with_the_same_fields_is_not_equal() -> None:
    @frozen
    class Twin:
        only: int

    assert OURS["Single"](1) != Twin(1)
    assert OURS["Single"](1).__eq__(1) is NotImplemented


def test_values_cannot_change_after_init() -> None:
    value = OURS["Plain"]("a", 1)
    with pytest.raises(FrozenInstanceError):
        value.name = "b"
    with pytest.raises(FrozenInstanceError):
        del value.name
    assert value.name == "a"


def test_replace_pickle_and_default_factories_work_on_values() -> None:
    defaults = OURS["Defaults"]
    value = defaults("n", tags={"k": "v"})
    changed = dataclasses.replace(value, zone="z")
    assert (changed.zone, changed.tags, value.zone) == ("z", {"k": "v"}, "a")
    host = Instance("i-1", "cn-x", tags={"a": "1"}, private_ips=("10.0.0.1",))
    assert pickle.loads(pickle.dumps(host)) == host  # noqa: S301 (made here)
    assert copy.deepcopy(host) == host
    assert defaults("n").tags is not defaults("n").tags


def test_a_class_body_s_own_repr_and_eq_are_kept() -> None:
    @frozen
    class Masked:
        secret: str

        def __repr__(self) -> str:
            return "Masked(***)"

    @frozen
    class Loose:
        name: str

        def __eq__(self, other: object) -> bool:
            return isinstance(other, Loose)

    assert repr(Masked("s3cr3t")) == "Masked(***)"
    assert Loose("a") == Loose("b")
    assert hash(Loose("a")) == hash(("a",))  # a body's __eq__ alone still gets the fields' hash


def test_a_field_outside_init_is_refused() -> None:
    with pytest.raises(TypeError, match="every field in __init__"):

        @frozen
        class Partial:
            name: str
            later: str = field(default="", init=False)


def test_a_post_init_is_refused() -> None:
    # frozen's __init__ never calls one: refused, not silently skipped
    with pytest.raises(TypeError, match="before making it"):

        @frozen
        class Checked:
            name: str

            def __post_init__(self) -> None:
                raise AssertionError("never called")


def test_making_a_value_class_compiles_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled: list[str] = []

    def counted(name: str) -> Callable[..., Any]:
        original = getattr(builtins, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            compiled.append(name)
            return original(*args, **kwargs)

        return call

    for name in ("exec", "eval", "compile"):
        monkeypatch.setattr(builtins, name, counted(name))
    shapes(frozen)
    assert compiled == []
    shapes(STANDARD)  # the check sees what the standard library does
    assert "exec" in compiled


# Made in bulk by planning, so they keep the standard library's compiled __init__.
COMPILED = {"whitelist_core.core.plan.Change", "whitelist_core.core.selection.Source"}


def test_every_frozen_value_of_the_package_is_made_by_frozen_but_the_bulk_ones() -> None:
    standard = set()
    for info in pkgutil.walk_packages(whitelist_core.__path__, "whitelist_core."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            params = getattr(value, "__dataclass_params__", None)
            mine = isinstance(value, type) and value.__module__ == info.name
            if mine and params is not None and params.frozen:
                standard.add(f"{info.name}.{value.__qualname__}")
    assert standard == COMPILED
