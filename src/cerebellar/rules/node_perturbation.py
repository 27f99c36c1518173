"""Node perturbation (Fiete & Seung 2006; Werfel, Xie & Seung 2005; beyond.md §1).

Every presentation perturbs each learner's output by ξ = s·σ, s = ±1 at random (σ is the model's
amplitude A). The error ℰ is compared with a running-mean baseline ℰ̄_μ of the same pattern
(ℰ̄ ← ℰ̄ + γ(ℰ − ℰ̄), started at the first ℰ): Δw = −η (ℰ − ℰ̄) ξ/σ² = −η (ℰ − ℰ̄) s/σ on every
active synapse. In the small-noise limit the mean update is the gradient step −η ∂ℰ/∂P. SGDEGE
is this rule with the error difference quantised to one bit and the baseline learnt by the olive.
"""

import numba

from .base import Rule, register_rule


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
    constants=("A", "eta_np", "baseline_rate"), state_size=lambda n_patterns: 2 * n_patterns,
    doc="Fiete & Seung 2006: a continuous error against a running-mean baseline"))
