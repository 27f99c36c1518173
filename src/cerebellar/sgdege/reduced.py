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

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import xarray as xr

from ..core.batch import attach_batch, batch_arrays, broadcast_values
from ..core.errors import ParameterError
from ..core.params import Params, param
from ..core.progress import progress
from ..rules import BatchRule, Rule, get_rule


@dataclass(frozen=True)
class ReducedParams(Params):
    """Parameters of the reduced model; defaults are those of the Fig 9E,F legend (the model
    reference, 'Reduced model parameters')."""

    A: float = param(10.0, low=0, high=1e4, doc="perturbation amplitude")
    dP: float = param(1.0, low=0, high=1e4, doc="ΔP, step of P on a perturbed trial")
    dJ: float = param(2.0, low=0, high=1e4, doc="Δ𝒥, step of the error estimate drive")
    q: float = param(0.5, low=0, high=10, doc="PC→NO relative strength (converges iff q < 1)")
    rho: float = param(0.2, low=0, high=1, doc="perturbation probability per trial")
    R: float = param(50.3, low=-1e6, high=1e6, doc="target (off the ΔP lattice to avoid ties)")
    P0: float = param(100.0, low=0, high=1e6, doc="initial P")
    J0: float = param(0.0, low=0, high=1e6, doc="initial 𝒥")
    n_trials: int = param(1000, low=1, high=100_000_000, units="trial", doc="trials")

    NOT_STATED: ClassVar[dict[str, str]] = {
        "R": "R and the initial points are not stated (the model reference, 'Reduced model choices "
             "not stated in the paper'); R = 50.3 is off the ΔP lattice",
        "n_trials": "trial counts are not stated (the model reference, 'Reduced model choices not "
                    "stated in the paper')",
    }


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


BATCHABLE = ("A", "dP", "dJ", "q", "rho", "R", "P0", "J0")


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


def lines(P, A, q, R):
    """𝒥 on the lines C+, C−, D+, D− at P: C± = (q ± 1)(P + A) ∓ R, D± = (q ± 1)P ∓ R (Appendix 1
    and Fig 9B; the model reference, 'Reduced model lines and corridors')."""
    P = np.asarray(P, float)
    return {"C+": (1 + q) * (P + A) - R, "C-": R - (1 - q) * (P + A),
            "D+": (1 + q) * P - R, "D-": R - (1 - q) * P}


def upper_boundary(beta, q):
    """ρ = β/[(q + 1) + 2β]: D+ below it, C+ above it (Appendix 1, Eqs 32-33; Fig 9C; the model
    reference, 'Reduced model corridor speeds')."""
    return beta / ((q + 1.0) + 2.0 * beta)


def lower_boundary(beta, q):
    """ρ = β/(2β + q − 1), meaningful for β > 1 − q: C− above it, D− below it (Appendix 1,
    Eqs 34-35; Fig 9C, whose printed D− condition is read as a typo: the model reference,
    'Reduced model corridor speeds')."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(beta > 1 - q, beta / (2.0 * beta + q - 1.0), np.inf)


def regime(rho, beta, q):
    """Lines followed above and below the target: ('D+' or 'C+', 'D-' or 'C-' or 'C+').

    Below the target, β < (1 − q)ρ is the excluded domain where the point crosses D− and ends
    in the upper corridor (Appendix 1—figure 1E): reported as 'C+'.
    """
    rho, beta = np.broadcast_arrays(np.asarray(rho, float), np.asarray(beta, float))
    upper = np.where(rho < upper_boundary(beta, q), "D+", "C+")
    lower = np.where((beta > 1 - q) & (rho > lower_boundary(beta, q)), "C-", "D-")
    lower = np.where(beta < (1 - q) * rho, "C+", lower)
    return upper, lower


def corridor_speed(rho, dP, dJ, q):
    """Mean change of P per trial in the corridors, Eqs 32-35: (V_upper, V_lower)."""
    beta = dJ / dP
    up, low = regime(rho, beta, q)
    v_up = np.where(up == "D+", -rho * dP, -(1 - rho) * dJ / (1 + q + beta))
    with np.errstate(divide="ignore", invalid="ignore"):
        v_low = np.where(low == "C-", (1 - rho) * dJ / (beta + q - 1), rho * dP)
    v_low = np.where(low == "C+", np.nan, v_low)
    return v_up, v_low


def d_minus_excursion(rho, dP, dJ, q):
    """Depth Δ𝒥²/(2d) of 𝒥's excursions below D− in the lower corridor, where d = (1 − 2ρ)Δ𝒥 +
    (1 − q)ρΔP is the mean drift that pulls 𝒥 back to D− per trial (unperturbed trials raise it by
    Δ𝒥, perturbed ones lower it by Δ𝒥 while D− itself falls by (1 − q)ΔP). Eq 35 assumes every
    perturbed update there is +ΔP, which holds while these excursions stay well above C−, i.e. the
    depth is small against the corridor width (1 − q)A: the quantitative form of the Appendix 1—
    figure 1 legend's caveat ("less accurate for D− when the corridor width is not much greater
    than ΔP and Δ𝒥"). Infinite where d ≤ 0."""
    drift = (1 - 2 * rho) * dJ + (1 - q) * rho * dP
    return np.where(drift > 0, dJ * dJ / (2 * np.maximum(drift, 1e-300)), np.inf)


def entry_conditions(A, dP, dJ, q):
    """Eq 29: A > Δ𝒥/(q + 1) + ΔP and Eq 30: A(1 − q) > Δ𝒥 (one step cannot jump a corridor)."""
    return (A > dJ / (q + 1) + dP), (A * (1 - q) > dJ)


def fixed_point(A, q, R):
    """Intersection of C+ and D− for q < 1: (R − A(q + 1)/2, qR + (1 − q²)A/2) (Appendix 1,
    Phase 3; Fig 9F; the model reference, 'Reduced model fixed point')."""
    return R - A * (q + 1) / 2, q * R + (1 - q * q) * A / 2
