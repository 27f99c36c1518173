"""The rule protocol (see :mod:`cerebellar.rules`) and the registry of named rules."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numba
import numpy as np

from ..core.errors import ParameterError
from ..core.registry import load_plugins

RULE_GROUP = "cerebellar.rules"


@dataclass(frozen=True)
class Rule:
    """A learning rule: compiled ``perturb`` and ``update`` functions and their constants.

    ``constants`` lists, in the order ``prm`` holds them, either parameter names of the model
    (read from its parameter object) or numbers. ``uses_olive`` says whether ``update`` reads ℐ
    (the kernel skips that sum otherwise). ``state_size(n_patterns)`` sizes the rule's memory.
    ``complex_spike(E, e, J)`` (arrays → bool), where the rule has one, says on which
    presentations its climbing fibre signalled an error; models record it as ``ecs``.
    """

    name: str
    perturb: Callable
    update: Callable
    constants: tuple[str | float, ...] = ()
    uses_olive: bool = False
    state_size: Callable[[int], int] = field(default=lambda n_patterns: 1)
    complex_spike: Callable | None = None
    doc: str = ""

    def constants_for(self, params: Any) -> np.ndarray:
        """``prm``: the rule's constants, parameter names read from ``params``."""
        out = []
        for c in self.constants:
            if isinstance(c, str):
                if not hasattr(params, c):
                    raise ParameterError(f"rule '{self.name}' needs parameter '{c}', which "
                                         f"{type(params).__name__} does not have")
                out.append(float(getattr(params, c)))
            else:
                out.append(float(c))
        return np.array(out, dtype=np.float64)


RULES: dict[str, Rule] = {}


def register_rule(rule: Rule) -> Rule:
    if rule.name in RULES:
        raise ValueError(f"rule '{rule.name}' registered twice")
    RULES[rule.name] = rule
    return rule


def get_rule(rule: str | Rule, known: Mapping[str, Rule] | None = None) -> Rule:
    """A :class:`Rule` from itself or its registered name."""
    if isinstance(rule, Rule):
        return rule
    if known is None:
        if rule not in RULES:
            load_plugins(RULE_GROUP)  # rules of other installed packages
        known = RULES
    if rule not in known:
        raise ParameterError(f"unknown rule '{rule}'; known: {', '.join(sorted(known))}")
    return known[rule]


# -- a rule for a batch of independent learners (the vectorised VOR and reduced models) -----------


@numba.njit
def perturb_each(perturb, u, prm):  # pragma: no cover - compiled
    """s[k] = perturb(u[k], prm[k]): one learner per row of ``prm``."""
    s = np.empty(u.size)
    for k in range(u.size):
        s[k] = perturb(u[k], prm[k])
    return s


@numba.njit
def update_each(update, E, e, J, state, prm):  # pragma: no cover - compiled
    """Rows (a, b, Δv, drift) of ``update`` for each learner k (pattern 0, its own state row)."""
    out = np.empty((4, E.size))
    for k in range(E.size):
        a, b, dv, drift = update(E[k], e[k], J[k], 0, state[k], prm[k])
        out[0, k], out[1, k], out[2, k], out[3, k] = a, b, dv, drift
    return out


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
            self._perturb, self._update = rule.perturb, rule.update
            self._perturb_each, self._update_each = perturb_each, update_each
        else:
            self._perturb, self._update = rule.perturb.py_func, rule.update.py_func
            self._perturb_each, self._update_each = perturb_each.py_func, update_each.py_func

    def perturb(self, u: np.ndarray) -> np.ndarray:
        """Each learner's perturbation s from its uniform number."""
        return self._perturb_each(self._perturb, np.ravel(u), self.prm).reshape(self.shape)

    def update(self, E, e, J) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(a, b, Δv, drift), each of the batch's shape, from the teaching signals."""
        args = (np.ravel(np.broadcast_to(np.asarray(x, float), self.shape)) for x in (E, e, J))
        out = self._update_each(self._update, *args, self.state, self.prm)
        return tuple(row.reshape(self.shape) for row in out)
