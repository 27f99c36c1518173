"""The rule protocol (see `cerebellar.rules`), a rule's own settings, and the registry of
named rules (built-ins and those of other packages, through the ``cerebellar.rules`` entry
points)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numba
import numpy as np

from ..core.errors import ParameterError
from ..core.params import Params, param
from ..core.registry import load_plugins
from ..core.settings import settings_param

RULE_GROUP = "cerebellar.rules"


@dataclass(frozen=True)
class NoSettings(Params):
    """The settings of a rule that has none of its own."""


@dataclass(frozen=True)
class Rule:
    """A learning rule: compiled ``perturb`` and ``update`` functions, their constants and the
    rule's own settings.

    ``constants`` lists, in the order ``prm`` holds them, numbers or names: a name is read from
    the rule's settings (``settings_class``: a frozen, validated `
    Params`) if it is one of them, else from the model's parameters (the perturbation amplitude
    ``A``, say). ``defaults`` gives, per model name, the settings' defaults on that model (a
    learning rate's scale follows the model's units); ``models`` names the models the rule can
    teach (``None``: any model whose parameters hold its other constants); ``perturbs=False``
    says ``perturb`` is always 0, so a deterministic model needs no generator. ``uses_olive`` says
    whether ``update`` reads ℐ (the kernel skips that sum otherwise). ``state_size(n_patterns)``
    sizes the rule's memory. ``complex_spike(E, e, J)`` (arrays → bool), where the rule has one,
    says on which presentations its climbing fibre signalled an error; models record it as
    ``ecs``. `configure` binds settings (``settings``), as `get_rule` does.
    """

    name: str
    perturb: Callable
    update: Callable
    constants: tuple[str | float, ...] = ()
    uses_olive: bool = False
    state_size: Callable[[int], int] = field(default=lambda n_patterns: 1)
    complex_spike: Callable | None = None
    doc: str = ""
    settings_class: type[Params] = NoSettings
    defaults: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    models: tuple[str, ...] | None = None
    perturbs: bool = True
    settings: Params | None = None

    def configure(self, model: str | None = None, **settings: Any) -> Rule:
        """This rule with its settings bound: the defaults of ``model``, then ``settings``
        (validated; an unknown or out-of-range setting raises `ParameterError`)."""
        if model is not None and not self.runs_on(model):
            raise ParameterError(f"rule '{self.name}' does not run on the {model} model; it runs "
                                 f"on: {', '.join(self.models or ())}")
        base = dict(self.defaults.get(model, {})) if model is not None else {}
        known = self.settings_class.names()
        for key in settings:
            if key not in known:
                raise ParameterError(f"unknown setting '{self.name}.{key}'; rule '{self.name}' "
                                     f"has: {', '.join(known) or 'none'}")
        try:
            values = self.settings_class(**{**base, **settings})
        except ParameterError as err:  # name the setting as the command line spells it
            raise ParameterError(re.sub(r"parameter '(\w+)'", rf"parameter '{self.name}.\1'",
                                        str(err), count=1)) from None
        return dataclasses.replace(self, settings=values)

    def runs_on(self, model: str) -> bool:
        return self.models is None or model in self.models

    def setting_values(self) -> dict[str, Any]:
        """The bound settings (the class defaults when none are bound)."""
        return (self.settings or self.settings_class()).to_dict()

    def settings_attrs(self) -> dict[str, Any]:
        """The bound settings as a result's attributes, ``{"RULE.SETTING": value}``."""
        return {f"{self.name}.{k}": v for k, v in self.setting_values().items()}

    def constants_for(self, params: Any) -> np.ndarray:
        """``prm``: the rule's constants, names read from its settings, else from ``params``
        (a parameter object or a mapping)."""
        own = self.setting_values()
        out = []
        for c in self.constants:
            if not isinstance(c, str):
                out.append(float(c))
            elif c in own:
                out.append(float(own[c]))
            elif isinstance(params, Mapping) and c in params:
                out.append(float(params[c]))
            elif not isinstance(params, Mapping) and hasattr(params, c):
                out.append(float(getattr(params, c)))
            else:
                raise ParameterError(f"rule '{self.name}' needs parameter '{c}', which "
                                     f"{type(params).__name__} does not have")
        return np.array(out, dtype=np.float64)


RULES: dict[str, Rule] = {}


def register_rule(rule: Rule) -> Rule:
    """Add ``rule`` to the registry under its name. A name taken by a rule of another module is
    refused; the same module registering it again (a notebook cell run twice) replaces it."""
    known = RULES.get(rule.name)
    if known is not None and _module_of(known) != _module_of(rule):
        raise ValueError(f"rule '{rule.name}' registered twice (by {_module_of(known)} and "
                         f"{_module_of(rule)})")
    RULES[rule.name] = rule
    return rule


def _module_of(rule: Rule) -> str:
    return getattr(getattr(rule.update, "py_func", rule.update), "__module__", "?")


def registered() -> dict[str, Rule]:
    """Every registered rule by name: the built-ins and those of the ``cerebellar.rules``
    entry points of installed packages."""
    load_plugins(RULE_GROUP)
    return dict(RULES)


def rule_names(model: str | None = None) -> tuple[str, ...]:
    """The names of the registered rules (that run on ``model``), built-ins first."""
    return tuple(name for name, rule in registered().items()
                 if model is None or rule.runs_on(model))


def get_rule(rule: str | Rule, model: str | None = None, **settings: Any) -> Rule:
    """A `Rule` from itself or its registered name, configured for ``model`` with
    ``settings`` (a rule object already configured is returned as it is unless settings are
    given).

    ```python
    get_rule("delta", model="perceptron", alpha=0.02).settings.alpha   # 0.02
    ```
    """
    if not isinstance(rule, Rule):
        if rule not in RULES:
            load_plugins(RULE_GROUP)  # rules of other installed packages
        if rule not in RULES:
            raise ParameterError(f"unknown rule '{rule}'; known: {', '.join(sorted(RULES))}")
        rule = RULES[rule]
    if settings or rule.settings is None:
        rule = rule.configure(model, **settings)
    return rule


def rule_of(params: Any, model: str, rule: str | Rule | None = None) -> Rule:
    """The rule of a run (``rule``, else ``params.rule``), configured for ``model`` with the
    settings that ``params.rule_settings`` gives it."""
    rule = params.rule if rule is None else rule
    name = rule if isinstance(rule, str) else rule.name
    return get_rule(rule, model, **params.rule_settings.of(name))


def settings_class(name: str) -> type[Params]:
    """The settings class of rule ``name`` (the resolver of `rule_settings_param`)."""
    return get_rule(name).settings_class


def rule_settings_param(model: str) -> Any:
    """The ``rule_settings`` field of ``model``'s parameters: ``RULE.SETTING`` values (on the
    command line ``--set delta.alpha=0.02``), validated by each rule's settings class; the
    defaults are each rule's on ``model``."""
    return settings_param(settings_class, doc="settings of the rules, as RULE.SETTING=VALUE",
                          components=lambda: rule_names(model),
                          defaults=lambda name: get_rule(name).defaults.get(model, {}))


def rule_param(default: str, model: str, doc: str) -> Any:
    """The ``rule`` field of a model's parameters: a registered rule that runs on ``model``."""
    return param(default, choices=lambda: rule_names(model), doc=doc)


__all__ = ["RULES", "NoSettings", "Rule", "get_rule", "register_rule", "registered",
           "rule_names", "rule_of", "rule_param", "rule_settings_param", "settings_class"]


# -- a rule for a batch of independent learners (the vectorised VOR and reduced models) -----------


def perturb_each(perturb, u, prm):  # pragma: no cover - compiled by each_learner
    """s[k] = perturb(u[k], prm[k]): one learner per row of ``prm``."""
    s = np.empty(u.size)
    for k in range(u.size):
        s[k] = perturb(u[k], prm[k])
    return s


def update_each(update, E, e, J, state, prm):  # pragma: no cover - compiled by each_learner
    """Rows (a, b, Δv, drift) of ``update`` for each learner k (pattern 0, its own state row)."""
    out = np.empty((4, E.size))
    for k in range(E.size):
        a, b, dv, drift = update(E[k], e[k], J[k], 0, state[k], prm[k])
        out[0, k], out[1, k], out[2, k], out[3, k] = a, b, dv, drift
    return out


_EACH: dict[tuple, tuple] = {}


def each_learner(perturb: Callable, update: Callable) -> tuple[Callable, Callable]:
    """`perturb_each` and `update_each` compiled for this rule's functions (bound at
    compile time, so a call types only arrays: a function argument costs ~50 µs of typing per
    call, most of a VOR cycle); built once per rule and process."""
    key = (perturb, update)
    if key not in _EACH:
        loop_p, loop_u = numba.njit(perturb_each), numba.njit(update_each)

        @numba.njit
        def perturbs(u, prm):  # pragma: no cover - compiled
            return loop_p(perturb, u, prm)

        @numba.njit
        def updates(E, e, J, state, prm):  # pragma: no cover - compiled
            return loop_u(update, E, e, J, state, prm)

        _EACH[key] = (perturbs, updates)
    return _EACH[key]


class BatchRule:
    """A rule applied to a batch of independent learners of any shape, one compiled call per step
    (``compiled=False``: the rule's and the loops' plain Python, the NumPy reference).

    ``values`` maps each of the rule's constant names to a scalar or an array broadcastable to
    ``shape`` (a model passes its batch arrays, under the names the rule uses).
    """

    def __init__(self, rule: Rule, values: Mapping[str, Any], shape: tuple[int, ...], *,
                 compiled: bool = True):
        self.rule, self.shape = rule, shape
        n = int(np.prod(shape, dtype=np.int64))
        own = rule.setting_values()
        values = {**values, **own}
        cols = []
        for c in rule.constants:
            if isinstance(c, str) and c not in values:
                raise ParameterError(f"rule '{rule.name}' needs parameter '{c}', which this "
                                     f"model does not have")
            cols.append(np.broadcast_to(np.asarray(values[c] if isinstance(c, str) else c, float),
                                        shape).ravel())
        self.prm = np.ascontiguousarray(np.stack(cols, axis=1) if cols else np.zeros((n, 0)))
        self.state = np.zeros((n, rule.state_size(1)))
        if compiled:
            self._perturb_each, self._update_each = each_learner(rule.perturb, rule.update)
        else:
            plain_p, plain_u = rule.perturb.py_func, rule.update.py_func
            self._perturb_each = lambda u, prm: perturb_each(plain_p, u, prm)
            self._update_each = lambda *args: update_each(plain_u, *args)

    def _flat(self, x) -> np.ndarray:
        x = np.asarray(x, float)
        return (x if x.shape == self.shape else np.broadcast_to(x, self.shape)).ravel()

    def perturb(self, u: np.ndarray) -> np.ndarray:
        """Each learner's perturbation s from its uniform number."""
        return self._perturb_each(np.ravel(u), self.prm).reshape(self.shape)

    def update(self, E, e, J) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(a, b, Δv, drift), each of the batch's shape, from the teaching signals."""
        out = self._update_each(self._flat(E), self._flat(e), self._flat(J), self.state, self.prm)
        return tuple(row.reshape(self.shape) for row in out)
