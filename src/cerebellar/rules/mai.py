"""Marr-Albus-Ito (Bouvier et al. 2018, Fig 2 and Eqs 14-15): a climbing fibre fires when the
error is positive; then every active MF→PC synapse is depressed by α_w, otherwise every weight
drifts up by β_w (Eq 15 as printed).

``mai``: the climbing fibre is driven by the signed error e = ⟨R − PN⟩ (Eq 14): it fires when
e > 0, i.e. when the projection neurones fire too *little*; the LTD lowers the Purkinje-cell
rates, which disinhibits (raises) PN, and the drift does the converse (Fig 2B, blue).
``mai_unsigned``: driven by the unsigned error ℰ = ⟨|PN − R|⟩ (Eq 7): it fires whenever ℰ > 0,
i.e. on almost every movement, so the Purkinje cells fall silent (Fig 2B,C, red).
"""

from dataclasses import dataclass
from typing import ClassVar

import numba

from ..core.params import Params, param
from .base import Rule, register_rule


@dataclass(frozen=True)
class MAISettings(Params):
    """The drift of Marr-Albus-Ito learning (its LTD step is the model's α_w)."""

    beta: float = param(0.00316, low=0, high=1e3,
                        doc="drift β_w of every MF→PC weight without a climbing fibre (Eq 15)")

    NOT_STATED: ClassVar[dict[str, str]] = {
        "beta": "Table 2 gives β_w = 0.002 on the network; Marr-Albus-Ito on the perceptron is "
                "not in the paper: β_w = α_w/10 (Table 2's ratio β_w/α_w) = 0.00316"}


MAI_DEFAULTS = {"perceptron": {"beta": 0.00316}, "network": {"beta": 0.002}}


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


MAI = register_rule(Rule(
    name="mai", perturb=perturb, update=update, constants=("alpha_w", "beta"),
    complex_spike=lambda E, e, J: e > 0, settings_class=MAISettings, defaults=MAI_DEFAULTS,
    models=("perceptron", "network"), perturbs=False,
    doc="Bouvier 2018 Eqs 14-15: LTD on a signed-error climbing fibre"))
MAI_UNSIGNED = register_rule(Rule(
    name="mai_unsigned", perturb=perturb, update=update_unsigned, constants=("alpha_w", "beta"),
    complex_spike=lambda E, e, J: E > 0, settings_class=MAISettings, defaults=MAI_DEFAULTS,
    models=("perceptron", "network"), perturbs=False,
    doc="Bouvier 2018 Fig 2C: LTD on a climbing fibre driven by the unsigned error"))
