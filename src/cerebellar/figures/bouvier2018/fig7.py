"""``bouvier2018-fig7``: the olive's adaptive tracking of the mean error (Fig 7)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, ClassVar

import numpy as np
import xarray as xr

from cerebellar.core import checks as ck
from cerebellar.core.params import Params, param
from cerebellar.core.plotting import figure
from cerebellar.core.registry import Experiment, register
from cerebellar.papers import claim
from cerebellar.rules import get_rule
from cerebellar.studies.network_runs import PAPER


@dataclass(frozen=True)
class OliveParams(Params):
    """An error fluctuating around a (slowly falling) mean; the olive's inhibition ℐ steps by the
    SGDEGE rule's own update (rules/sgdege.py: Δ = α_v c, here α_v = the step Δ𝒥), up after each
    eCS and down otherwise (Eq 10 seen from the olive). Fig 7 is schematic: every value is ours."""

    error_mean: float = param(17.5, low=0, high=1e4, units="Hz", doc="initial central error")
    error_sd: float = param(2.0, low=0, high=1e4, low_open=True, units="Hz",
                            doc="movement-to-movement spread (Gaussian)")
    decline: float = param(0.5, low=0, high=1, doc="fraction by which the central error falls")
    step: float = param(0.05, low=0, high=1e3, low_open=True, units="Hz",
                        doc="the olive's step Δ𝒥 (the rule's α_v acting on ℐ directly)")
    inhibition0: float = param(12.0, low=0, high=1e4, units="Hz", doc="initial ℐ")
    n_movements: int = param(4000, low=10, high=100_000_000, doc="movements")
    n_tracks: int = param(16, low=1, high=100_000, doc="independent error sequences tracked "
                                                      "(statistics; the plot shows the first)")
    FULL: ClassVar[dict[str, Any]] = {"n_movements": 20_000}
    NOT_STATED: ClassVar[dict[str, str]] = {"all": "Fig 7 is schematic: every value here is a choice"}

    def memory_bytes(self) -> tuple[int, tuple[str, ...]]:
        """Per movement and track: the drawn error, ℐ, the eCS flag and the dataset's copies."""
        return 40 * self.n_movements * self.n_tracks, ("n_movements", "n_tracks")


RULE = "sgdege"


def run_fig7(params: OliveParams, rng: np.random.Generator) -> xr.Dataset:
    """n_tracks independent errors ℰ_k = centre_k + error_sd·N(0, 1); ℐ_{k+1} = [ℐ_k + Δ]_+ with
    Δ the MF→NO change of the registered SGDEGE rule's compiled ``update`` (c = +1 with an eCS,
    ℰ > ℐ), and the eCS read by the rule's ``complex_spike``."""
    n, m = params.n_movements, params.n_tracks
    rule = get_rule(RULE)                       # looked up per run: the registered rule
    prm = rule.constants_for(SimpleNamespace(rho=0.0, alpha_w=0.0, alpha_v=params.step))
    state = np.zeros(rule.state_size(1))
    centre = params.error_mean * (1 - params.decline * np.arange(n) / n)
    error = centre[:, None] + params.error_sd * rng.standard_normal((n, m))
    inhibition = np.empty((n, m))
    I = np.full(m, params.inhibition0)
    for k in range(n):
        inhibition[k] = I
        for j in range(m):                      # the rule's compiled update, one olive at a time
            E, J = float(error[k, j]), float(I[j])
            I[j] = max(J + rule.update(E, E - J, J, 0, state, prm)[2], 0.0)
    ecs = np.asarray(rule.complex_spike(error, error - inhibition, inhibition), bool)
    dims = ("movement", "track")
    return xr.Dataset(
        dict(error=(dims, error, dict(units="Hz")),
             inhibition=(dims, inhibition, dict(units="Hz")),
             centre=("movement", centre, dict(units="Hz", long_name="central error")),
             ecs=(dims, ecs)),
        coords=dict(movement=np.arange(n), track=np.arange(m)))


def mean_field(attrs: dict[str, Any]) -> np.ndarray:
    """Expected ℐ_k of a ±Δ𝒥 olive (Fig 7): ℐ_{k+1} = [ℐ_k + Δ𝒥 (2 P(eCS) − 1)]_+, P(eCS) =
    Φ((centre_k − ℐ_k)/σ) for a Gaussian error of s.d. σ (the drift of the mean, Eq 10)."""
    n, step, sd = attrs["n_movements"], attrs["step"], attrs["error_sd"]
    centre = attrs["error_mean"] * (1 - attrs["decline"] * np.arange(n) / n)
    out = np.empty(n)
    I = attrs["inhibition0"]
    for k in range(n):
        out[k] = I
        I = max(I + step * math.erf((centre[k] - I) / (sd * math.sqrt(2))), 0.0)  # 2Φ − 1
    return out


def lock_on(inhibition: np.ndarray, centre: np.ndarray, sd: float) -> np.ndarray:
    """First movement at which ℐ is within one error s.d. of the central error (per track; the
    run's length where it never is)."""
    near = np.abs(inhibition - centre[:, None]) <= sd if inhibition.ndim == 2 else \
        np.abs(inhibition - centre) <= sd
    return np.where(near.any(axis=0), near.argmax(axis=0), near.shape[0])


def checks_fig7(ds: xr.Dataset) -> list[ck.Check]:
    """The olive's statements of Fig 7 (paper) and the tracking of a ±Δ𝒥 walk (theory): its rate
    towards the mean from Δ𝒥, the eCS fraction at which its steps balance the mean's drift, and
    the lag and spread around the mean that set what an eCS signals."""
    from scipy import stats  # here: slow to import
    a = ds.attrs
    n, step, sd, tracks = ds.sizes["movement"], a["step"], a["error_sd"], ds.sizes["track"]
    d = a["error_mean"] * a["decline"] / n                   # fall of the mean per movement
    centre = ds.centre.values
    # the mean-field approach (rate from Δ𝒥) and the stationary walk around the mean
    expected_lock = int(lock_on(mean_field(a), centre, sd))
    got_lock = lock_on(ds.inhibition.values, centre, sd)
    half_lock = int(lock_on(mean_field({**a, "step": step / 2}), centre, sd))
    t_q = float(stats.t.ppf(1 - 5e-5, max(tracks - 1, 1)))   # two-sided 1e-4 across tracks
    one = "" if tracks > 1 else "one track: no spread across tracks to set the tolerance"

    def across(x: np.ndarray) -> float:
        """t·s.e. of a mean over the independent tracks (0 with one track: no tolerance)."""
        return t_q * float(np.std(x, ddof=1)) / np.sqrt(tracks) if tracks > 1 else 0.0

    q = float(np.clip((1 - d / step) / 2, 1e-9, 1 - 1e-9))  # P(eCS) whose steps follow the fall
    lag = sd * stats.norm.ppf(q)                              # centre − ℐ there (< 0: ℐ above)
    kappa = 2 * step * stats.norm.pdf(lag / sd) / sd          # restoring rate per movement
    spread = np.sqrt(step ** 2 * (1 - (2 * q - 1) ** 2) / (2 * kappa))   # s.d. of centre − ℐ
    start = min(max(n // 4, 5 * expected_lock), n // 2)     # well after lock-on
    off = "" if 5 * expected_lock <= n // 2 else (
        f"the olive locks on only after about {expected_lock} of {n} movements: no stationary window")
    late = ds.isel(movement=slice(start, None))
    W = late.sizes["movement"]
    offset = late.centre - late.inhibition
    off_se = spread * np.sqrt(2 / (kappa * W) / tracks)       # OU: correlation time 1/κ
    ecs_se = np.sqrt(2) * spread / (2 * step * W) / np.sqrt(tracks)   # (ℐ_end − ℐ_start)/(2Δ𝒥W)
    above = late.error > late.centre
    # what an eCS signals: P(ℰ > centre | ℰ > ℐ) with centre − ℐ ~ N(lag, spread²)
    x, w = np.polynomial.hermite_e.hermegauss(41)
    delta = lag + spread * x
    w = w / w.sum()
    p_ecs = float(w @ stats.norm.cdf(delta / sd))
    p_ecs_above = float(w @ np.minimum(stats.norm.cdf(delta / sd), 0.5))
    p_above_ecs = p_ecs_above / p_ecs
    p_below_none = (0.5 - (p_ecs - p_ecs_above)) / (1 - p_ecs)
    above_ecs = (above & late.ecs).sum("movement") / late.ecs.sum("movement")
    below_none = (~above & ~late.ecs).sum("movement") / (~late.ecs).sum("movement")
    tracking = claim("bouvier2018.fig7.tracks")
    signals = claim("bouvier2018.fig7.ecs_above")
    return [
        ck.close(f"tracking rate: movements until ℐ is within one error s.d. ({sd:g} Hz) of the "
                 f"mean, from {abs(a['inhibition0'] - a['error_mean']):.3g} Hz away, for a ±Δ𝒥 = "
                 f"{step:g} Hz olive (mean-field Δ𝒥 (2Φ(gap/σ) − 1) per movement; mean of "
                 f"{tracks} tracks, t·s.e. across tracks + 1)",
                 expected_lock, float(got_lock.mean()), atol=across(got_lock) + 1, source="theory",
                 cite="Bouvier 2018 Eq 10 seen from the olive (Fig 7B)", off=one,
                 note=f"a halved step would take {half_lock} movements"),
        ck.close(tracking.claim + f": late mean (central error − ℐ) over {tracks} tracks, "
                 f"against σΦ⁻¹((1 − d/Δ𝒥)/2) = {lag:.3g} Hz, the lag behind a mean falling "
                 f"d = {d:.3g} Hz per movement (4 s.e. of the walk's mean)",
                 lag, float(offset.mean()), atol=4 * off_se, source=tracking.source,
                 cite=tracking.cite, off=off),
        ck.close("late fraction of movements with an eCS = (1 − d/Δ𝒥)/2: the ±Δ𝒥 steps follow the "
                 "mean's fall of d per movement (the median, 1/2, for a still mean); 4 s.e. + one "
                 "movement",
                 q, float(late.ecs.mean()), atol=4 * ecs_se + 1 / (W * tracks), source="theory",
                 cite="Bouvier 2018 Eq 10 seen from the olive (Fig 7B)", off=off),
        ck.close(signals.claim + f": P(ℰ > central error | eCS) (walk around the mean: "
                 f"centre − ℐ ~ N({lag:.3g}, {spread:.3g}²) Hz; t·s.e. across tracks)",
                 p_above_ecs, float(above_ecs.mean()), atol=across(above_ecs.values),
                 source=signals.source, cite=signals.cite, off=off or one),
        ck.close(signals.claim + ": P(ℰ < central error | no eCS) (same walk; t·s.e. across tracks)",
                 p_below_none, float(below_none.mean()), atol=across(below_none.values),
                 source=signals.source, cite=signals.cite, off=off or one),
    ]


def plot_fig7(ds: xr.Dataset):
    """Track 0: each movement's error, grey above the olive's inhibition without an eCS and blue
    with one (at most ~2000 movements drawn, evenly spaced), the central error, ℐ and its
    mean-field theory drawn over them."""
    fig, ax = figure(1, 1, title="Fig 7: the olive tracks the mean error", width=8)
    a = ax[0, 0]
    one = ds.isel(track=0)
    shown = one.isel(movement=slice(None, None, max(1, one.sizes["movement"] // 2000)))
    for ecs, colour, label in ((False, "0.65", "error ℰ, no eCS"), (True, "tab:blue", "error ℰ, eCS")):
        sel = shown.ecs.values == ecs
        a.plot(shown.movement[sel], shown.error[sel], ".", ms=2, color=colour, label=label, zorder=1)
    a.plot(one.movement, one.centre, "k-", lw=1.5, label="central error", zorder=3)
    a.plot(one.movement, one.inhibition, "r-", lw=1, label="inhibition ℐ", zorder=4)
    a.plot(one.movement, mean_field(ds.attrs), color="gold", ls=":", lw=1.5,
           label="ℐ, mean field (theory)", zorder=5)
    a.set(xlabel="movement [trial]", ylabel="rate [Hz]")
    a.legend(fontsize=8, markerscale=3, loc="upper right")
    return fig


register(Experiment(
    name="bouvier2018-fig7",
    reproduces=f"{PAPER}, Fig 7: adaptive tracking of the mean error by the inferior olive",
    params=OliveParams, run=run_fig7, plot=plot_fig7, checks=checks_fig7))
