"""Marr-Albus-Ito (Bouvier et al. 2018, Eqs 14-15, for one output): the climbing fibre fires when
the signed error says the output is too high (P > R); then every active synapse is depressed by
α_w, otherwise the active synapses drift up by β_w. (Eq 15 as printed drifts every weight of the
network; on the perceptron the drift is kept to the active synapses so that a presentation costs
what its active inputs cost [NS].)"""

import numba

from .base import Rule, register_rule


@numba.njit(cache=True)
def perturb(u, prm):  # pragma: no cover - compiled
    return 0.0


@numba.njit(cache=True)
def update(P, R, J, xi, mu, state, prm):  # pragma: no cover - compiled
    if P > R:  # climbing fibre: LTD of the active synapses (Eq 15)
        return -prm[0], 0.0, 0.0
    return prm[1], 0.0, 0.0  # no climbing fibre: slow drift up


MAI = register_rule(Rule(name="mai", perturb=perturb, update=update,
                         constants=("alpha_w", "beta_w"),
                         doc="Bouvier 2018 Eqs 14-15: LTD on a signed-error climbing fibre"))
