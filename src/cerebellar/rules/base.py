"""The rule protocol (see :mod:`cerebellar.rules`) and the registry of named rules."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

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
