"""SGDEGE (Bouvier et al. 2018, Eqs 7-10 and 37-39): keep the perturbations that lowered the error.

A perturbation complex spike adds ξ = A to the output with probability ρ. The olive compares the
error ℰ = |P − R| with its estimate ℐ = 𝒥 (Eq 37); an error complex spike (eCS) signals ℰ > ℐ:
c = +1 with an eCS, −1 without (a tie is no eCS). Active synapses change by Δw = −α_w c on
perturbed presentations (Eq 38: LTD after pCS + eCS, LTP after pCS alone) and Δv = α_v c on every
presentation (Eq 39), both rectified at 0.
"""

import numba

from .base import Rule, register_rule


@numba.vectorize(["float64(float64, float64)"], cache=True)
def ecs_sign(error, inhibition):
    """c = +1 if the error exceeds the olive's inhibition (an eCS), else −1 (Eqs 7-8, 37)."""
    return 1.0 if error > inhibition else -1.0


@numba.njit(cache=True)
def perturb(u, prm):  # pragma: no cover - compiled
    """ξ = A with probability ρ (prm = A, ρ, α_w, α_v)."""
    return prm[0] if u < prm[1] else 0.0


@numba.njit(cache=True)
def update(P, R, J, xi, mu, state, prm):  # pragma: no cover - compiled
    c = ecs_sign(abs(P - R), J)
    return (-prm[2] * c if xi != 0.0 else 0.0), prm[3] * c, 0.0


SGDEGE = register_rule(Rule(
    name="sgdege", perturb=perturb, update=update, constants=("A", "rho", "alpha_w", "alpha_v"),
    uses_olive=True, doc="Bouvier 2018 Eqs 37-39: one eCS bit, a learnt olive baseline"))
