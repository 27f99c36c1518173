"""Node perturbation (Fiete & Seung 2006; Werfel, Xie & Seung 2005; beyond.md §1).

Every presentation perturbs the output by ξ = ±σ (random sign). The continuous error ℰ = |P − R|
is compared with a running-mean baseline ℰ̄_μ of the same pattern (ℰ̄ ← ℰ̄ + γ(ℰ − ℰ̄), started at
the first ℰ): Δw = −η (ℰ − ℰ̄) ξ/σ² on every active synapse. In the small-noise limit the mean
update is the gradient step −η ∂ℰ/∂P = −η sign(P − R). SGDEGE is this rule with the error
difference quantised to one bit and the baseline learnt by the olive.
"""

import numba

from .base import Rule, register_rule


@numba.njit(cache=True)
def perturb(u, prm):  # pragma: no cover - compiled
    """ξ = +σ if u < 1/2 else −σ (prm = σ, η, γ)."""
    return prm[0] if u < 0.5 else -prm[0]


@numba.njit(cache=True)
def update(P, R, J, xi, mu, state, prm):  # pragma: no cover - compiled
    error = abs(P - R)
    if state[2 * mu] == 0.0:  # first visit: the baseline starts at this error
        state[2 * mu] = 1.0
        state[2 * mu + 1] = error
    baseline = state[2 * mu + 1]
    state[2 * mu + 1] = baseline + prm[2] * (error - baseline)
    return -prm[1] * (error - baseline) * xi / (prm[0] * prm[0]), 0.0, 0.0


NODE_PERTURBATION = register_rule(Rule(
    name="node_perturbation", perturb=perturb, update=update,
    constants=("A", "eta_np", "baseline_rate"), state_size=lambda n_patterns: 2 * n_patterns,
    doc="Fiete & Seung 2006: a continuous error against a running-mean baseline"))
