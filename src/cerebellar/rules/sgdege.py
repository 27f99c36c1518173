"""SGDEGE (Bouvier et al. 2018, Eqs 7-10 and 37-39): keep the perturbations that lowered the error.

A perturbation complex spike (pCS) adds A to the output with probability ρ (s = 1). The olive
compares the error ℰ with its inhibition ℐ (Eqs 8, 37); an error complex spike (eCS) signals
ℰ > ℐ: c = +1 with an eCS, −1 without (a tie is no eCS). Active synapses change by Δw = −α_w c on
perturbed presentations (Eqs 9, 38: LTD after pCS + eCS, LTP after pCS alone) and Δv = α_v c on
every presentation (Eqs 10, 39).
"""

import numba
import numpy as np

from .base import Rule, get_rule, register_rule


@numba.vectorize(["float64(float64, float64)"], cache=True)
def ecs_sign(error, inhibition):
    """c = +1 if the error exceeds the olive's inhibition (an eCS), else −1 (Eqs 7-8, 37)."""
    return 1.0 if error > inhibition else -1.0


@numba.njit(cache=True)
def perturb(u, prm):  # pragma: no cover - compiled
    """s = 1 (a pCS) with probability ρ (prm = ρ, α_w, α_v)."""
    return 1.0 if u < prm[0] else 0.0


@numba.njit(cache=True)
def update(E, e, J, mu, state, prm):  # pragma: no cover - compiled
    c = ecs_sign(E, J)
    return 0.0, -prm[1] * c, prm[2] * c, 0.0


SGDEGE = register_rule(Rule(
    name="sgdege", perturb=perturb, update=update, constants=("rho", "alpha_w", "alpha_v"),
    uses_olive=True, complex_spike=lambda E, e, J: ecs_sign(E, J) > 0,
    models=("perceptron", "network", "vor", "reduced", "dynamic_vor"),
    doc="Bouvier 2018 Eqs 37-39: one eCS bit, a learnt olive baseline"))




def predicted_change(pcs: bool, ecs: bool, constants) -> float:
    """Δw of a synapse active in the bin of an (imposed) pCS under Bouvier et al. 2018's slice
    protocols (Fig 3, Table 1), computed by this rule's own compiled code as the network kernel
    applies it: a + b·s + drift, with (a, b, Δv, drift) = ``update`` and s = ``perturb`` at a
    draw that makes a pCS (u = 0 < ρ), else s = 0. An eCS is an error above the olive's
    inhibition (ℰ = 1 > ℐ = 0, Eqs 7-8), its absence the converse. ``constants``: ρ, α_w, α_v
    (a parameter object or a mapping). The rule is looked up per call: the registered one."""
    rule = get_rule("sgdege")
    prm = rule.constants_for(constants)
    state = np.zeros(rule.state_size(1))
    s = float(rule.perturb(0.0, prm)) if pcs else 0.0
    E, J = (1.0, 0.0) if ecs else (0.0, 1.0)
    a, b, _, drift = rule.update(E, E - J, J, 0, state, prm)
    return float(a + b * s + drift)
