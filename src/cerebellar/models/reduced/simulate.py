"""Reduced (P, 𝒥) model of SGDEGE (Bouvier et al. 2018, Appendix 1, Eqs 16-35; Fig 9).

State: the principal-cell rate P, the MF→NO drive 𝒥, a target R. Error ℰ = |P − R| (Eq 16),
estimated error ℐ = [𝒥 − qP]_+ (Eq 17). Each trial:

* with probability ρ, a perturbed trial (ΔPΔ𝒥 update): P' = P + A, ℰ_p = |P + A − R| (Eq 18) is
  compared with [𝒥 − qP − qA]_+; eCS → P ← [P − ΔP]_+, 𝒥 ← 𝒥 + Δ𝒥 (Eqs 19-20); no eCS →
  P ← P + ΔP, 𝒥 ← [𝒥 − Δ𝒥]_+ (Eqs 21-22);
* otherwise (Δ𝒥 update): eCS (ℰ > ℐ) → 𝒥 ← 𝒥 + Δ𝒥; no eCS → 𝒥 ← [𝒥 − Δ𝒥]_+ (Eqs 23-26).

Ties (ℰ = ℐ) count as no eCS [NS]; place R off the ΔP lattice to avoid them (the model reference,
'Reduced model choices not stated in the paper'). The model reference, 'Reduced SGDEGE model',
states the whole model.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from cerebellar.core.batch import attach_batch, batch_arrays, broadcast_values
from cerebellar.core.errors import ParameterError
from cerebellar.core.progress import progress
from cerebellar.models.reduced.params import BATCHABLE, ReducedParams
from cerebellar.rules import BatchRule, Rule, get_rule


def step(P, J, s, A, q, R, rule: BatchRule):
    """One trial of Eqs 18-26 for arrays (P, J) by ``rule`` (SGDEGE: Δw = ∓ΔP on a perturbed
    trial, Δv = ±Δ𝒥): ``s`` is each run's perturbation (1: a perturbed trial), 𝒥 the rule's v."""
    out = P + s * A
    a, b, dv, drift = rule.update(np.abs(out - R), out - R, np.maximum(J - q * out, 0.0))
    return np.maximum(P + a + b * s + drift, 0.0), np.maximum(J + dv, 0.0)


def batch_rule(rule: Rule | str, p: dict[str, np.ndarray], shape: tuple[int, ...], *,
               compiled: bool = True) -> BatchRule:
    """The rule for a batch of reduced models: P is the weight (α_w = ΔP), 𝒥 the olive's (α_v = Δ𝒥)."""
    return BatchRule(get_rule(rule, "reduced"), dict(p, alpha_w=p["dP"], alpha_v=p["dJ"]), shape,
                     compiled=compiled)


def simulate(params: ReducedParams, rng: np.random.Generator, *, rule: Rule | str = "sgdege",
             backend: str = "numba", n_seeds: int = 1, record_every: int = 1,
             record_perturbations: bool = False, **batch: Any) -> xr.Dataset:
    """Run any batch of reduced-model runs in one vectorised call.

    ``batch`` values are 1-D arrays (a dim named after the key) or ``xarray.DataArray``s (their own
    dims), broadcast together; ``n_seeds > 1`` adds a ``seed`` dim of independent runs. The random
    numbers come only from ``rng`` (one uniform per run and trial, drawn trial by trial, made a
    perturbation by the rule: SGDEGE perturbs when u < ρ). ``backend="numpy"`` runs the rule's
    plain Python (the reference of the compiled call).
    Returns P and J over (*batch_dims, [seed], trial), recorded every ``record_every`` trials;
    with ``record_perturbations`` also ``perturbed[t]``, whether the update from trial t to t + 1
    was a perturbed (ΔPΔ𝒥) one (``record_every`` must then be 1).
    """
    if int(record_every) < 1 or int(n_seeds) < 1:
        raise ParameterError("record_every and n_seeds must be integers >= 1")
    given = {k: da.astype(float) for k, da in batch_arrays(params, batch, BATCHABLE).items()}
    if n_seeds > 1:
        given["_seed"] = xr.DataArray(np.zeros(n_seeds), dims="seed")
    dims, shape, p = broadcast_values(given)
    if backend not in ("numba", "numpy"):
        raise ParameterError(f"backend = {backend!r}: allowed one of numba, numpy")
    learner = batch_rule(rule, p, shape, compiled=backend == "numba")
    P, J = p["P0"].copy(), p["J0"].copy()
    n = params.n_trials
    trials = np.unique(np.r_[np.arange(0, n + 1, int(record_every)), n])
    slot = np.full(n + 1, -1)
    slot[trials] = np.arange(trials.size)
    P_rec = np.empty((trials.size, *shape))
    J_rec = np.empty_like(P_rec)
    if record_perturbations and record_every != 1:
        raise ParameterError("record_perturbations needs record_every = 1")
    flags = np.zeros((n + 1, *shape), bool) if record_perturbations else None
    with progress(n, "reduced-model trials", unit="trial") as bar:
        for t in range(n + 1):
            if slot[t] >= 0:
                P_rec[slot[t]], J_rec[slot[t]] = P, J
            if t == n:
                break
            s = learner.perturb(rng.random(shape))
            if flags is not None:
                flags[t] = s != 0
            P, J = step(P, J, s, p["A"], p["q"], p["R"], learner)
            if t % 5000 == 4999:
                bar.update(5000)
    order = (*range(1, len(shape) + 1), 0)
    ds = xr.Dataset(
        dict(P=((*dims, "trial"), np.transpose(P_rec, order), dict(long_name="rate P", units="Hz")),
             J=((*dims, "trial"), np.transpose(J_rec, order),
                dict(long_name="error-estimate drive 𝒥", units="Hz"))),
        coords=dict(trial=("trial", trials, dict(units="trial"))),
    )
    if flags is not None:
        ds["perturbed"] = ((*dims, "trial"), np.transpose(flags, order),
                           dict(long_name="perturbed (ΔPΔ𝒥) update from this trial"))
    if n_seeds > 1:
        ds = ds.assign_coords(seed=np.arange(n_seeds))
    return attach_batch(ds, given, batch, params)


# -- analytic layer (Appendix 1, Eqs 27-35; Fig 9B,C,F and Appendix 1—figure 1) ---------------------
# See the model reference, 'Reduced model lines and corridors' to 'Reduced model fixed point'.


