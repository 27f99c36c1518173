"""Node perturbation (Fiete & Seung 2006; Werfel, Xie & Seung 2005; beyond the papers: see the model
reference, 'Node perturbation').

Every presentation perturbs each learner's output by ξ = s·σ, s = ±1 at random (σ is the model's
amplitude A). The error ℰ is compared with a running-mean baseline ℰ̄_μ of the same pattern
(ℰ̄ ← ℰ̄ + γ(ℰ − ℰ̄), started at the first ℰ): Δw = −η (ℰ − ℰ̄) ξ/σ² = −η (ℰ − ℰ̄) s/σ on every
active synapse. In the small-noise limit the mean update is the gradient step −η ∂ℰ/∂P. SGDEGE
is this rule with the error difference quantised to one bit and the baseline learnt by the olive.
"""

from dataclasses import dataclass
from typing import ClassVar

import numba

from ..core.params import Params, param
from .base import Rule, register_rule


@dataclass(frozen=True)
class NodePerturbationSettings(Params):
    """Node perturbation's learning rate and baseline (the rule is not in the paper)."""

    eta: float = param(0.0063, low=0, high=1e4,
                       doc="learning rate η of Δw = −η (ℰ − ℰ̄) s/σ")
    baseline_rate: float = param(0.2, low=0, high=1, low_open=True,
                                 doc="rate γ of each pattern's running-mean error ℰ̄")

    NOT_STATED: ClassVar[dict[str, str]] = {
        "eta": "node perturbation is not in the paper. Perceptron: ξ = ±A on every "
               "presentation, η = 0.0063 makes its mean step far from the target, ηf√N_M, equal "
               "SGDEGE's ρΔP. Network: every column perturbed by ±A in one random bin of every "
               "movement, η = 1.0. Dynamic VOR: P perturbed by ±A in every bin of a trial, "
               "η = 0.1 (η = 1 runs away at 4 Hz)",
        "baseline_rate": "γ = 0.2: the baseline follows a pattern's error within a few visits"}


@numba.njit(cache=True)
def perturb(u, prm):  # pragma: no cover - compiled
    """s = +1 if u < 1/2 else −1 (prm = σ, η, γ)."""
    return 1.0 if u < 0.5 else -1.0


@numba.njit(cache=True)
def update(E, e, J, mu, state, prm):  # pragma: no cover - compiled
    if state[2 * mu] == 0.0:  # first visit: the baseline starts at this error
        state[2 * mu] = 1.0
        state[2 * mu + 1] = E
    baseline = state[2 * mu + 1]
    state[2 * mu + 1] = baseline + prm[2] * (E - baseline)
    return 0.0, -prm[1] * (E - baseline) / prm[0], 0.0, 0.0


NODE_PERTURBATION = register_rule(Rule(
    name="node_perturbation", perturb=perturb, update=update,
    constants=("A", "eta", "baseline_rate"), state_size=lambda n_patterns: 2 * n_patterns,
    settings_class=NodePerturbationSettings, models=("perceptron", "network", "dynamic_vor"),
    defaults={"perceptron": {"eta": 0.0063}, "network": {"eta": 1.0}, "dynamic_vor": {"eta": 0.1}},
    doc="Fiete & Seung 2006: a continuous error against a running-mean baseline"))
