"""Frozen, validated parameter dataclasses.

Every model declares its parameters as a frozen dataclass deriving from :class:`Params`, each field
made with :func:`param`, which records the allowed range, units and a one-line description. Values
are checked on construction: a bad value raises :class:`ParameterError` naming the parameter, the
value and the allowed range. ``Params.full()`` gives the paper-scale preset, ``Params.parse()``
reads ``KEY=VALUE`` strings from the command line.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

import numpy as np

from .errors import ParameterError

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def param(
    default: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    choices: tuple[str, ...] | None = None,
    units: str = "1",
    doc: str = "",
    why: str = "",
) -> Any:
    """A dataclass field with validation metadata.

    ``low``/``high`` bound numeric values (closed unless ``*_open``); ``choices`` lists allowed
    strings; ``why`` is appended to the range in error messages (e.g. "b = 1 makes 1 - b singular").
    """
    meta = dict(low=low, high=high, low_open=low_open, high_open=high_open, choices=choices,
                units=units, doc=doc, why=why)
    return field(default=default, metadata=meta)


def same_as(cls: type, name: str, **changes: Any) -> Any:
    """The field ``name`` of the parameter class ``cls`` declared again in another class (its
    default, range, units and doc), with ``changes`` (e.g. ``default=``, ``doc=``) applied."""
    f = {f.name: f for f in fields(cls)}[name]
    return param(changes.pop("default", f.default), **{**f.metadata, **changes})


def _range_text(meta: dict, kind: type) -> str:
    if meta["choices"] is not None:
        return "one of " + ", ".join(repr(c) for c in meta["choices"])
    if kind is bool:
        return "true or false"
    def show(x: float) -> str:
        return str(int(x)) if kind is int else f"{x:g}"

    lo = "-inf" if meta["low"] is None else show(meta["low"])
    hi = "inf" if meta["high"] is None else show(meta["high"])
    left = "(" if meta["low_open"] or meta["low"] is None else "["
    right = ")" if meta["high_open"] or meta["high"] is None else "]"
    text = f"{'integer' if kind is int else 'number'} in {left}{lo}, {hi}{right}"
    return f"{text} ({meta['why']})" if meta["why"] else text


def _in_range(value: np.ndarray, meta: dict) -> np.ndarray:
    ok = np.isfinite(value)
    if meta["low"] is not None:
        ok &= (value > meta["low"]) if meta["low_open"] else (value >= meta["low"])
    if meta["high"] is not None:
        ok &= (value < meta["high"]) if meta["high_open"] else (value <= meta["high"])
    return ok


@dataclass(frozen=True)
class Params:
    """Base class of all parameter sets.

    Subclasses set ``FULL`` (overrides that give the paper's scale) and ``NOT_STATED`` (parameter
    name -> why we chose its value where the paper is silent, the spec's ``[NS]``); both are
    recorded in every result's metadata. ``STEP_PARAMS`` names the learning rates and step sizes
    a divergence report blames first.
    """

    FULL: ClassVar[dict[str, Any]] = {}
    NOT_STATED: ClassVar[dict[str, str]] = {}
    STEP_PARAMS: ClassVar[tuple[str, ...]] = ()
    """Learning rates and step sizes: the first suspects when a run diverges."""
    SCALE: ClassVar[tuple[str, ...]] = ()
    """Parameters that set only a run's length or resolution, not the paper's setting."""

    def __post_init__(self) -> None:
        hints = typing.get_type_hints(type(self))
        for f in dataclasses.fields(self):
            value = self.coerce(f.name, getattr(self, f.name), hints[f.name])
            object.__setattr__(self, f.name, value)
        self.validate()

    # -- validation ------------------------------------------------------------------------
    @classmethod
    def _field(cls, name: str) -> dataclasses.Field:
        for f in dataclasses.fields(cls):
            if f.name == name:
                return f
        known = ", ".join(f.name for f in dataclasses.fields(cls))
        raise ParameterError(f"unknown parameter '{name}' for {cls.__name__}; known: {known}")

    @classmethod
    def kind(cls, name: str) -> type:
        """The Python type (bool, int, float or str) of parameter ``name``."""
        cls._field(name)
        return typing.get_type_hints(cls)[name]

    @classmethod
    def coerce(cls, name: str, value: Any, kind: type | None = None) -> Any:
        """Return ``value`` as the parameter's type, or raise :class:`ParameterError`."""
        meta = cls._field(name).metadata
        kind = kind or cls.kind(name)
        allowed = _range_text(meta, kind)
        bad = ParameterError(f"parameter '{name}' = {value!r} is out of range: allowed {allowed}")
        if kind is bool:
            if isinstance(value, bool | np.bool_):
                return bool(value)
            raise bad
        if kind is str:
            if not isinstance(value, str) or (meta["choices"] and value not in meta["choices"]):
                raise bad
            return value
        if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
            raise ParameterError(f"parameter '{name}' = {value!r} is not a number: allowed {allowed}")
        if kind is int:
            if not float(value).is_integer():
                raise bad
            value = int(value)
        else:
            value = float(value)
        if not _in_range(np.asarray(value, dtype=float), meta):
            raise bad
        return value

    @classmethod
    def check_array(cls, name: str, values: Any) -> np.ndarray:
        """Validate a batch of values for parameter ``name`` (vectorised); return them as an array."""
        kind = cls.kind(name)
        arr = np.asarray(values)
        if kind in (int, float):
            if arr.dtype.kind not in "iuf":
                raise ParameterError(f"parameter '{name}' needs numbers, got {arr.dtype} values")
            ok = _in_range(arr.astype(float), cls._field(name).metadata)
            if kind is int:
                ok &= np.mod(arr, 1) == 0
            if not ok.all():
                bad_value = arr.ravel()[np.flatnonzero(~ok.ravel())[0]]
                cls.coerce(name, bad_value.item(), kind)  # raises with the standard message
            return arr.astype(kind)
        for v in arr.ravel():
            cls.coerce(name, v.item() if isinstance(v, np.generic) else v, kind)
        return arr

    def validate(self) -> None:
        """Cross-parameter checks; subclasses override and raise :class:`ParameterError`."""

    # -- construction ----------------------------------------------------------------------
    @classmethod
    def full(cls, **overrides: Any) -> Params:
        """The paper-scale preset (``FULL``), with optional overrides."""
        return cls(**{**cls.FULL, **overrides})

    @classmethod
    def paper_setting(cls) -> dict[str, Any]:
        """The defaults of every parameter but ``SCALE``: the setting a paper value holds at
        (compare with :func:`cerebellar.core.checks.off_setting`)."""
        return {f.name: f.default for f in dataclasses.fields(cls) if f.name not in cls.SCALE}

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls)]

    @classmethod
    def parse_value(cls, name: str, text: str) -> Any:
        """Parse a command-line string for parameter ``name`` into its type."""
        kind = cls.kind(name)
        text = text.strip()
        if kind is bool:
            if text.lower() in _TRUE:
                return True
            if text.lower() in _FALSE:
                return False
            raise ParameterError(f"parameter '{name}': cannot parse {text!r} as true/false")
        if kind is str:
            return text
        try:
            number = float(text)
        except ValueError:
            raise ParameterError(
                f"parameter '{name}': cannot parse {text!r} as {'an integer' if kind is int else 'a number'}"
            ) from None
        return int(number) if kind is int and number.is_integer() else number

    @classmethod
    def parse(cls, assignments: typing.Iterable[str]) -> dict[str, Any]:
        """Turn ``["KEY=VALUE", ...]`` into a dict of typed overrides (validated one by one)."""
        out: dict[str, Any] = {}
        for item in assignments:
            key, sep, text = item.partition("=")
            key = key.strip()
            if not sep or not key:
                raise ParameterError(f"expected KEY=VALUE, got {item!r}")
            if key in out:
                raise ParameterError(f"parameter '{key}' is set twice; give it once")
            out[key] = cls.coerce(key, cls.parse_value(key, text))
        return out

    def replace(self, **changes: Any) -> Params:
        """A copy with some values changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    @classmethod
    def describe(cls) -> list[dict[str, Any]]:
        """One row per parameter: name, type, default, allowed range, units, description."""
        hints = typing.get_type_hints(cls)
        rows = []
        for f in dataclasses.fields(cls):
            rows.append(dict(name=f.name, type=hints[f.name].__name__, default=f.default,
                             full=cls.FULL.get(f.name, f.default),
                             allowed=_range_text(f.metadata, hints[f.name]),
                             units=f.metadata["units"], doc=f.metadata["doc"],
                             not_stated=cls.NOT_STATED.get(f.name, "")))
        return rows

