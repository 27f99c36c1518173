"""``bouvier2018-fig10a``: single-pattern convergence at ±ρΔP, and the slower depression of silent
synapses (Fig 10A)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import xarray as xr

from cerebellar.core import checks as ck
from cerebellar.core.guards import at_once
from cerebellar.core.params import param
from cerebellar.core.plotting import figure, panel_letter
from cerebellar.core.registry import Experiment, register
from cerebellar.core.status import merge
from cerebellar.models.perceptron.simulate import train_many
from cerebellar.papers import claim
from cerebellar.studies.load_sweep import PAPER, Fig10Params


@dataclass(frozen=True)
class Fig10AParams(Fig10Params):
    N_M: int = param(1000, low=10, high=1_000_000, doc="inputs (paper: 1000)")
    trials_per_pattern: int = param(8000, low=10, high=10_000_000, units="trial", doc="trials")
    n_runs: int = param(40, low=2, high=100_000, doc="single-pattern runs")
    FULL: ClassVar[dict[str, Any]] = {"n_runs": 200}
    SCALE: ClassVar[tuple[str, ...]] = ("trials_per_pattern", "n_records", "n_runs")

    def memory_bytes(self) -> tuple[int, tuple[str, ...]]:
        """The single-pattern runs training at once (`PerceptronParams.memory_bytes`) and their
        error and 𝒥 at each mark."""
        one = self.run_params(n_patterns=1).memory_bytes()[0]
        return at_once([one] * self.n_runs) + 16 * self.marks().size * self.n_runs, ("n_runs", "N_M")

    def marks(self) -> np.ndarray:
        """The trials at which error and 𝒥 are recorded: about 400, evenly spaced."""
        return np.arange(0, self.trials_per_pattern + 1, max(self.trials_per_pattern // 400, 1))


def _slope_far_from_target(trial: np.ndarray, err: np.ndarray, R: float, margin: float) -> float:
    """Slope of P − R over the first stretch where |P − R| > margin, leaving out trials where the
    output sits at 0 (rectified: weights move but P does not, Eq 36)."""
    far = np.abs(err) > margin
    stop = np.argmin(far) if not far.all() else far.size
    live = np.arange(stop)[err[:stop] + R > 0]
    if live.size < 5:
        return float("nan")
    return float(np.polyfit(trial[live], err[live], 1)[0])


def run_fig10a(params: Fig10AParams, rng: np.random.Generator) -> xr.Dataset:
    marks = params.marks()
    configs = [params.run_params(n_patterns=1)] * params.n_runs
    runs = train_many(configs, rng, marks=marks)
    err = np.array([(r.P_traj[:, 0] - r.R[0]).values for r in runs])
    R = [float(r.R[0]) for r in runs]
    slopes = [_slope_far_from_target(marks, e, r, 3 * params.A) for e, r in zip(err, R, strict=True)]
    ds = xr.Dataset(
        dict(error=(("run", "trial"), err, dict(long_name="P − R", units="Hz")),
             J=(("run", "trial"), np.array([r.J_traj[:, 0].values for r in runs]),
                dict(long_name="olive drive 𝒥 = (Σ v M − θN)/√N", units="Hz")),
             R=(("run",), R, dict(long_name="target", units="Hz")),
             slope=(("run",), slopes, dict(long_name="slope far from the target", units="Hz/trial")),
             zero_start=(("run",), [float(r.w_zero_start) for r in runs],
                         dict(long_name="fraction of zero weights at the start"))),
        coords=dict(trial=("trial", marks, dict(units="trial")), run=np.arange(params.n_runs)),
    )
    return merge(ds, runs)


def _median_se(x: np.ndarray) -> tuple[float, float]:
    """Median and its large-sample standard error 1.2533·sd/√n."""
    x = x[np.isfinite(x)]
    if x.size < 2:
        return (float(x[0]) if x.size else float("nan")), float("nan")
    return float(np.median(x)), float(1.2533 * x.std(ddof=1) / np.sqrt(x.size))


def checks_fig10a(ds: xr.Dataset) -> list[ck.Check]:
    a = ds.attrs
    v = a["rho"] * a["dP"]
    e0 = ds.error.isel(trial=0)
    up, up_se = _median_se(ds.slope.where(e0 < 0).values)
    ratio, ratio_se = _median_se((ds.slope.where(e0 > 0) / -v).values)
    live = float(ds.zero_start.mean())
    reach = abs(e0) < 0.5 * v * int(ds.trial[-1])
    cite = "Bouvier 2018 Appendix 1 Eqs 32-35 at the Fig 10 point (D±: ±ρΔP)"
    off = ck.off_setting(a, Fig10AParams.paper_setting())
    return [
        ck.close(f"median slope towards the target from below (potentiation), ± {up_se:.2g} s.e.",
                 v, up, rtol=0.1, source="theory", cite=cite),
        ck.close(f"median slope ratio from above (depression) / −ρΔP, ± {ratio_se:.2g} s.e., vs the "
                 "fraction of synapses that can be depressed at the start (1 − zeros)", 1 - live,
                 ratio, rtol=0.2, source="theory",
                 cite=cite + "; a zero weight cannot be depressed (Eq 38)"),
        *_fraction_rows(ds, live, off),
        olive_row(ds),
        ck.at_most("final |P − R| of the runs that start within reach (|P0 − R| < ρΔP T/2)",
                   a["A"], float(abs(ds.error.isel(trial=-1)).where(reach).max()),
                   source="theory", cite="Bouvier 2018 Appendix 1 Phase 3 (error floor A(1+q)/2)"),
    ]


def _fraction_rows(ds: xr.Dataset, zeros: float, off: str) -> list[ck.Check]:
    """Appendix 1: "for many single patterns the convergence rate agrees well with the estimate
    [ρΔP]. However, for a fraction of the trajectories, the rate of convergence is about half of the
    prediction", because zero-weight synapses cannot be depressed (Fig 10A legend). A depression
    step moves only the active synapses that are not zero, a fraction 1 − z0 of them (z0: zero
    weights at the start), so those trajectories run at (1 − z0) ρΔP; potentiation moves them all
    (ρΔP). A trajectory counts as slow below the midpoint of the two rates, 1 − z0/2."""
    a = ds.attrs
    v = a["rho"] * a["dP"]
    e0 = ds.error.isel(trial=0)
    speed = (ds.slope / (np.sign(-e0) * v)).values          # towards the target, / ρΔP
    measured = np.isfinite(speed)
    cut = 1 - zeros / 2
    slow = measured & (speed < cut)
    down = measured & (e0.values > 0)
    n, n_slow = int(measured.sum()), int(slow.sum())
    n_down, n_slow_down = int(down.sum()), int((slow & down).sum())
    med, med_se = _median_se(speed[slow])
    paper = claim("bouvier2018.fig10a.half_rate")
    return [
        paper.holds(
            0 < n_slow < n and paper.low <= med <= paper.high,
            what=f"a fraction of the trajectories converges at about half the predicted rate: the "
                 f"runs slower than {cut:.3g} ρΔP (midway between the full rate and the depressible "
                 f"fraction 1 − z0 = {1 - zeros:.3g}) are some but not all of the {n} runs, and their "
                 f"median speed / ρΔP (± {med_se:.2g} s.e.) lies in {paper.low:g}-{paper.high:g}",
            expected=f"0 < slow runs < {n}; median in {paper.low:g}-{paper.high:g}",
            got=f"{n_slow} slow runs, median {med:.3g}", off=off),
        ck.holds("the slow trajectories are the depression-direction ones (P above R at the start): "
                 "most depression-direction runs are slow, and most slow runs are in the depression "
                 "direction (a run's speed scatters with its number of perturbations)",
                 n_slow_down > n_down - n_slow_down and n_slow_down > n_slow - n_slow_down,
                 expected="a majority both ways",
                 got=f"{n_slow_down} of the {n_down} depression-direction runs slow; {n_slow - n_slow_down}"
                     f" of the {n - n_down} potentiation-direction runs slow", source="theory",
                 cite="Bouvier 2018 Fig 10A legend; Appendix 1 (zero-weight synapses, Eq 38)"),
    ]


def olive_row(ds: xr.Dataset) -> ck.Check:
    """Appendix 1 Phase 1 (Eqs 27-28): away from the corridors every trial moves the olive's drive
    𝒥 by Δ𝒥 towards the estimate matching the error (up while ℰ > ℐ, down otherwise): v changes
    by ±α_v on each active synapse, α_v = Δ𝒥/(f√N_M) (Eq 41), so 𝒥 by ±Δ𝒥 n_active/(f N_M). In
    one recording interval m the gap ℰ − ℐ closes by at most m(Δ𝒥 + (1 + q)ΔP) and a perturbation
    shifts the comparison by at most (1 + q)A, so on runs whose initial gap exceeds their sum the
    sign never changes and 𝒥(m) − 𝒥(0) = ±m Δ𝒥 (n_active/(f N_M), 1 ± √((1 − f)/(f N_M)))."""
    a = ds.attrs
    q, dJ, dP, A = a["q"], a["dJ"], a["dP"], a["A"]
    m = int(ds.trial[1])
    P0 = ds.error.isel(trial=0) + ds.R
    gap = abs(P0 - ds.R) - np.maximum(ds.J.isel(trial=0) - q * P0, 0.0)
    far = abs(gap) > m * (dJ + (1 + q) * dP) + (1 + q) * A
    ratio = ((ds.J.isel(trial=1) - ds.J.isel(trial=0)) / (np.sign(gap) * m * dJ)).values[far.values]
    med, se = _median_se(ratio)
    spread = np.sqrt((1 - a["f"]) / (a["f"] * a["N_M"]))
    tol = 3 * (se if np.isfinite(se) else spread)
    return ck.close(
        f"olive (Phase 1): change of 𝒥 over the first {m} trials / (±{m} Δ𝒥), median over the "
        f"{ratio.size} runs starting farther than {m}(Δ𝒥 + (1+q)ΔP) + (1+q)A from ℰ = ℐ "
        f"(± {se:.2g} s.e.; tolerance 3 s.e.)", 1.0, med, atol=tol, source="theory",
        cite="Bouvier 2018 Appendix 1 Eqs 27-28 (Phase 1 drift ∓Δ𝒥 per trial), Eq 41 (Δ𝒥 = α_v f√N_M)")


def plot_fig10a(ds: xr.Dataset):
    fig, ax = figure(1, 1, title="Fig 10A: single-pattern convergence of the perceptron (SGDEGE)",
                     width=7)
    a = ax[0, 0]
    for e in ds.error.values:
        a.plot(ds.trial, e, lw=0.6, alpha=0.7)
    v = ds.attrs["rho"] * ds.attrs["dP"]
    t = ds.trial.values
    e0 = ds.error.isel(trial=0)
    for start, speed, style in ((float(e0.min()), v, "k--"), (float(e0.max()), -v, "k--"),
                                (float(e0.max()), -v / 2, "k:")):
        line = start + speed * t
        keep = np.sign(line) == np.sign(start)
        a.plot(t[keep], line[keep], style, lw=1.5)
    panel_letter(a, "A")
    a.set(xlabel="trial", ylabel="P − R [Hz]",
          title="dashed: ±ρΔP per trial (Eqs 32-35); dotted: half of it (silent synapses)")
    return fig


register(Experiment(
    name="bouvier2018-fig10a", reproduces=f"{PAPER}, Fig 10A: single-pattern convergence at ±ρΔP",
    params=Fig10AParams, run=run_fig10a, plot=plot_fig10a, checks=checks_fig10a))
