"""Delta rule (Bouvier et al. 2018, Eq 42): Δw = −α (P − R) on every active synapse, no
perturbation (on the network, −α ⟨R − PN⟩: the signed error of Eq 14 as the PCs see it)."""

import numba

from .base import Rule, register_rule


@numba.njit(cache=True)
def perturb(u, prm):  # pragma: no cover - compiled
    return 0.0


@numba.njit(cache=True)
def update(E, e, J, mu, state, prm):  # pragma: no cover - compiled
    return -prm[0] * e, 0.0, 0.0, 0.0


DELTA = register_rule(Rule(name="delta", perturb=perturb, update=update,
                           constants=("alpha_delta",), doc="Bouvier 2018 Eq 42: the signed error"))
