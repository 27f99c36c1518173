"""The reduced (P, 𝒥) model of SGDEGE (Bouvier et al. 2018, Appendix 1, Eqs 16-35): parameters,
the vectorised run and the closed forms of its (P, 𝒥) plane (the model reference, 'Reduced
SGDEGE model')."""

from .params import BATCHABLE, ReducedParams
from .simulate import batch_rule, simulate, step
from .theory import (
    corridor_speed,
    d_minus_excursion,
    entry_conditions,
    fixed_point,
    lines,
    lower_boundary,
    regime,
    upper_boundary,
)

__all__ = ["BATCHABLE", "ReducedParams", "batch_rule", "corridor_speed", "d_minus_excursion",
           "entry_conditions", "fixed_point", "lines", "lower_boundary", "regime", "simulate",
           "step", "upper_boundary"]
