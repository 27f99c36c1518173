"""Delta rule (Bouvier et al. 2018, Eq 42): Δw = −α (P − R) on every active synapse, no
perturbation (on the network, −α ⟨R − PN⟩: the signed error of Eq 14 as the PCs see it)."""

from dataclasses import dataclass
from typing import ClassVar

import numba

from ..core.params import Params, param
from .base import Rule, register_rule


@dataclass(frozen=True)
class DeltaSettings(Params):
    """The delta rule's learning rate (its rate is not printed in the paper)."""

    alpha: float = param(0.01, low=0, high=10, doc="learning rate α of Δw = −α e (Eq 42)")

    NOT_STATED: ClassVar[dict[str, str]] = {
        "alpha": "the delta rule's rate is not printed: on the perceptron 0.01 (stable and fast); "
                 "the paper does not run it on the network, where 0.0005 makes its step at a "
                 "40 Hz error that of SGDEGE (α_w = 0.02)"}


@numba.njit(cache=True)
def perturb(u, prm):  # pragma: no cover - compiled
    return 0.0


@numba.njit(cache=True)
def update(E, e, J, mu, state, prm):  # pragma: no cover - compiled
    return -prm[0] * e, 0.0, 0.0, 0.0


DELTA = register_rule(Rule(
    name="delta", perturb=perturb, update=update, constants=("alpha",),
    settings_class=DeltaSettings, models=("perceptron", "network"), perturbs=False,
    defaults={"perceptron": {"alpha": 0.01}, "network": {"alpha": 0.0005}},
    doc="Bouvier 2018 Eq 42: the signed error"))
