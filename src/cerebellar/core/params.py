"""Frozen, validated parameter dataclasses.

Every model declares its parameters as a frozen dataclass deriving from `Params`, each field
made with `param`, which records the allowed range, units and a one-line description. Values
are checked on construction: a bad value raises `ParameterError` naming the parameter, the
value and the allowed range. ``Params.full()`` gives the paper-scale preset, ``Params.parse()``
reads ``KEY=VALUE`` strings from the command line.

A parameter class may hold one `Settings` field (made with `settings_param`): the
settings of named components it plugs in (a learning rule's rate, say), set as
``COMPONENT.SETTING=VALUE`` and validated by the component's own parameter class, which the
field's ``resolve`` callable supplies. The core knows no component: the model layer passes the
resolver.
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

import numpy as np

from .errors import ParameterError
from .settings import Settings

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


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    """The field types of a parameter class (``typing.get_type_hints`` costs ~1 ms; a class's
    hints never change)."""
    return typing.get_type_hints(cls)


def _choices(meta: Mapping) -> tuple[str, ...] | None:
    """The allowed strings: ``choices`` itself, or what it returns when it is a callable (a
    registry whose entries other packages may add)."""
    choices = meta["choices"]
    return tuple(choices()) if callable(choices) else choices


def _range_text(meta: dict, kind: type) -> str:
    if kind is Settings:
        return "COMPONENT.SETTING=VALUE entries"
    if meta["choices"] is not None:
        return "one of " + ", ".join(repr(c) for c in _choices(meta))
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
    name -> why we chose its value where the paper is silent); both are
    recorded in every result's metadata. ``STEP_PARAMS`` names the learning rates and step sizes
    a divergence report blames first.
    """

    FULL: ClassVar[dict[str, Any]] = {}
    NOT_STATED: ClassVar[dict[str, str]] = {}
    STEP_PARAMS: ClassVar[tuple[str, ...]] = ()
    """Learning rates and step sizes: the first suspects when a run diverges."""
    SCALE: ClassVar[tuple[str, ...]] = ()
    """Parameters that set only a run's length or resolution, not the paper's setting."""
    FIXED: ClassVar[dict[str, str]] = {}
    """Fields an experiment sets itself (name -> why, e.g. a rule it runs beside others): only
    their default is accepted, so a knob that would be ignored is refused instead."""

    def __post_init__(self) -> None:
        hints = _hints(type(self))
        for f in dataclasses.fields(self):
            value = self.coerce(f.name, getattr(self, f.name), hints[f.name])
            object.__setattr__(self, f.name, value)
        for name, why in type(self).FIXED.items():
            default = type(self).default(name)
            if getattr(self, name) != default:
                raise ParameterError(f"parameter '{name}' = {getattr(self, name)!r} is set by this "
                                     f"experiment ({why}): allowed {default!r}")
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
    def default(cls, name: str) -> Any:
        """The default value of parameter ``name``."""
        f = cls._field(name)
        return f.default if f.default is not dataclasses.MISSING else f.default_factory()

    @classmethod
    def kind(cls, name: str) -> type:
        """The Python type (bool, int, float or str) of parameter ``name``."""
        cls._field(name)
        return _hints(cls)[name]

    @classmethod
    def coerce(cls, name: str, value: Any, kind: type | None = None) -> Any:
        """Return ``value`` as the parameter's type, or raise `ParameterError`."""
        meta = cls._field(name).metadata
        kind = kind or cls.kind(name)
        if kind is Settings:
            return cls._coerce_settings(name, value, meta)
        allowed = _range_text(meta, kind)
        bad = ParameterError(f"parameter '{name}' = {value!r} is out of range: allowed {allowed}")
        if kind is bool:
            if isinstance(value, bool | np.bool_):
                return bool(value)
            raise bad
        if kind is str:
            if not isinstance(value, str) or (meta["choices"] and value not in _choices(meta)):
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

    @staticmethod
    def _coerce_settings(name: str, value: Any, meta: Mapping[str, Any]) -> Settings:
        """Every component's settings: its defaults here (``meta["defaults"]``, else its class's)
        with the values given, each validated by the component's class."""
        if not isinstance(value, Mapping):
            raise ParameterError(f"parameter '{name}' = {value!r} is not a mapping of "
                                 "COMPONENT.SETTING to values")
        out = {}
        for component in meta["components"]():
            owner = meta["resolve"](component)
            values = {**owner().to_dict(), **meta["defaults"](component)}
            out.update({f"{component}.{k}": v for k, v in values.items()})
        for key, item in value.items():
            component, dot, setting = str(key).partition(".")
            if not dot or not component or not setting:
                raise ParameterError(f"parameter '{key}': expected COMPONENT.SETTING")
            owner = meta["resolve"](component)
            try:
                out[key] = owner.coerce(setting, item)
            except ParameterError as err:  # name the setting as the user spelt it
                raise ParameterError(str(err).replace(f"'{setting}'", f"'{key}'", 1)) from None
        return Settings(out)

    @classmethod
    def _settings_field(cls) -> str | None:
        hints = _hints(cls)
        return next((f.name for f in dataclasses.fields(cls) if hints[f.name] is Settings), None)

    @classmethod
    def _fold(cls, values: Mapping[str, Any], base: Settings | None = None) -> dict[str, Any]:
        """``values`` with its ``COMPONENT.SETTING`` keys gathered into the settings field."""
        dotted = {k: v for k, v in values.items() if "." in k}
        plain = {k: v for k, v in values.items() if "." not in k}
        if not dotted:
            return plain
        name = cls._settings_field()
        if name is None:
            raise ParameterError(f"unknown parameter '{next(iter(dotted))}' for {cls.__name__}: "
                                 "it takes no COMPONENT.SETTING values")
        start = plain.get(name, base if base is not None else Settings())
        plain[name] = Settings(start).merged(dotted)
        return plain

    @classmethod
    def build(cls, **values: Any) -> Params:
        """An instance from keyword values, ``COMPONENT.SETTING`` keys included (as
        `flat_dict` writes them)."""
        return cls(**cls._fold(values))

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
        """Cross-parameter checks; subclasses override and raise `ParameterError`."""

    # -- construction ----------------------------------------------------------------------
    @classmethod
    def full(cls, **overrides: Any) -> Params:
        """The paper-scale preset (``FULL``), with optional overrides."""
        return cls.build(**{**cls.FULL, **overrides})

    @classmethod
    def paper_setting(cls) -> dict[str, Any]:
        """The defaults of every parameter but ``SCALE``, components' settings included: the
        setting a paper value holds at (compare with `cerebellar.core.checks.off_setting`)."""
        return {k: v for k, v in cls().flat_dict().items() if k not in cls.SCALE}

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls)]

    @classmethod
    def accepts(cls, key: str) -> bool:
        """Whether ``key`` names a parameter, or a ``COMPONENT.SETTING`` this class can hold."""
        return key in cls.names() or ("." in key and cls._settings_field() is not None)

    @classmethod
    def parse_value(cls, name: str, text: str) -> Any:
        """Parse a command-line string for parameter ``name`` (or ``COMPONENT.SETTING``) into
        its type."""
        if "." in name and (field_name := cls._settings_field()) is not None:
            component, _, setting = name.partition(".")
            resolve = cls._field(field_name).metadata["resolve"]
            return resolve(component).parse_value(setting, text)
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
            value = cls.parse_value(key, text)
            if "." in key:  # validated by the component's own class
                out[key] = cls.coerce(cls._settings_field(), {key: value})[key]
            else:
                out[key] = cls.coerce(key, value)
        return out

    def replace(self, **changes: Any) -> Params:
        """A copy with some values changed (validated again); ``COMPONENT.SETTING`` keys change
        one setting and keep the others."""
        name = self._settings_field()
        return dataclasses.replace(
            self, **self._fold(changes, getattr(self, name) if name else None))

    def to_dict(self) -> dict[str, Any]:
        """Every field's value (a `Settings` field as the mapping itself)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def flat_dict(self) -> dict[str, Any]:
        """Plain values for files and JSON: the `Settings` field spread into its
        ``COMPONENT.SETTING`` keys (`build` reads this back)."""
        out = {}
        for key, value in self.to_dict().items():
            if isinstance(value, Settings):
                out.update(value)
            else:
                out[key] = value
        return out

    @classmethod
    def describe(cls) -> list[dict[str, Any]]:
        """One row per parameter: name, type, default, allowed range, units, description."""
        hints = _hints(cls)
        rows = []
        for f in dataclasses.fields(cls):
            if hints[f.name] is Settings:
                rows += cls._component_rows(f.metadata)
                continue
            if f.name in cls.FIXED:
                continue  # the experiment's own (see FIXED)
            rows.append(dict(name=f.name, type=hints[f.name].__name__, default=f.default,
                             full=cls.FULL.get(f.name, f.default),
                             allowed=_range_text(f.metadata, hints[f.name]),
                             units=f.metadata["units"], doc=f.metadata["doc"],
                             not_stated=cls.NOT_STATED.get(f.name, "")))
        return rows

    @staticmethod
    def _component_rows(meta: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Rows of every component's settings, as ``COMPONENT.SETTING``, at this class's
        defaults."""
        rows = []
        for component in meta["components"]():
            owner, here = meta["resolve"](component), meta["defaults"](component)
            for row in owner.describe():
                default = here.get(row["name"], row["default"])
                rows.append({**row, "name": f"{component}.{row['name']}", "default": default,
                             "full": default})
        return rows

