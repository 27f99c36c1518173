"""Marr-Albus-Ito (Bouvier et al. 2018, Fig 2 and Eqs 14-15): a climbing fibre fires when the
error is positive; then every active MF→PC synapse is depressed by α_w, otherwise every weight
drifts up by β_w (Eq 15 as printed).

``mai``: the climbing fibre is driven by the signed error e = ⟨R − PN⟩ (Eq 14): it fires when
e > 0, i.e. when the projection neurones fire too *little*; the LTD lowers the Purkinje-cell
rates, which disinhibits (raises) PN, and the drift does the converse (Fig 2B, blue).
``mai_unsigned``: driven by the unsigned error ℰ = ⟨|PN − R|⟩ (Eq 7): it fires whenever ℰ > 0,
i.e. on almost every movement, so the Purkinje cells fall silent (Fig 2B,C, red).
"""

import numba

from .base import Rule, register_rule


@numba.njit(cache=True)
def perturb(u, prm):  # pragma: no cover - compiled
    return 0.0


@numba.njit(cache=True)
def update(E, e, J, mu, state, prm):  # pragma: no cover - compiled
    if e > 0.0:  # climbing fibre: LTD of the active synapses (Eq 15)
        return -prm[0], 0.0, 0.0, 0.0
    return 0.0, 0.0, 0.0, prm[1]  # no climbing fibre: slow drift of every weight


@numba.njit(cache=True)
def update_unsigned(E, e, J, mu, state, prm):  # pragma: no cover - compiled
    if E > 0.0:
        return -prm[0], 0.0, 0.0, 0.0
    return 0.0, 0.0, 0.0, prm[1]


MAI = register_rule(Rule(name="mai", perturb=perturb, update=update,
                         constants=("alpha_w", "beta_w"), complex_spike=lambda E, e, J: e > 0,
                         doc="Bouvier 2018 Eqs 14-15: LTD on a signed-error climbing fibre"))
MAI_UNSIGNED = register_rule(Rule(
    name="mai_unsigned", perturb=perturb, update=update_unsigned, constants=("alpha_w", "beta_w"),
    complex_spike=lambda E, e, J: E > 0,
    doc="Bouvier 2018 Fig 2C: LTD on a climbing fibre driven by the unsigned error"))
