"""``bouvier2018-fig10a``: single-pattern convergence at ±ρΔP, and the slower depression of silent
synapses (Fig 10A)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import xarray as xr

from cerebellar.core import checks as ck
from cerebellar.core.params import param
from cerebellar.core.plotting import figure, panel_letter
from cerebellar.core.registry import Experiment, register
from cerebellar.core.status import merge
from cerebellar.figures.bouvier2018._perceptron import (
    PAPER,
    Fig10Params,
)
from cerebellar.papers import claim
from cerebellar.sgdege.perceptron import (
    train_many,
)


@dataclass(frozen=True)
class Fig10AParams(Fig10Params):
    N_M: int = param(1000, low=10, high=1_000_000, doc="inputs (paper: 1000)")
    trials_per_pattern: int = param(8000, low=10, high=10_000_000, units="trial", doc="trials")
    n_runs: int = param(40, low=2, high=100_000, doc="single-pattern runs")
    FULL: ClassVar[dict[str, Any]] = {"n_runs": 200}
    SCALE: ClassVar[tuple[str, ...]] = ("trials_per_pattern", "n_records", "n_runs")


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
    marks = np.arange(0, params.trials_per_pattern + 1, max(params.trials_per_pattern // 400, 1))
    configs = [params.run_params(n_patterns=1)] * params.n_runs
    runs = train_many(configs, rng, marks=marks)
    err = np.array([(r.P_traj[:, 0] - r.R[0]).values for r in runs])
    R = [float(r.R[0]) for r in runs]
    slopes = [_slope_far_from_target(marks, e, r, 3 * params.A) for e, r in zip(err, R, strict=True)]
    ds = xr.Dataset(
        dict(error=(("run", "trial"), err, dict(long_name="P − R", units="Hz")),
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
    n_down = int(np.isfinite(ds.slope.where(e0 > 0)).sum())
    slow = (ds.slope / (np.sign(-e0) * v)) < 0.75
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
        claim("bouvier2018.fig10a.half_rate").check(
            ratio, what=f"median depression-direction speed / ρΔP over {n_down} runs "
            f"(± {ratio_se:.2g} s.e.); {int(slow.sum())} of {ds.sizes['run']} runs slower than "
            f"0.75 ρΔP, {int((slow & (e0 > 0)).sum())} of them in the depression direction",
            off=off),
        ck.at_most("final |P − R| of the runs that start within reach (|P0 − R| < ρΔP T/2)",
                   a["A"], float(abs(ds.error.isel(trial=-1)).where(reach).max()),
                   source="theory", cite="Bouvier 2018 Appendix 1 Phase 3 (error floor A(1+q)/2)"),
    ]


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
    a.set(xlabel="trial [trial]", ylabel="P − R [Hz]",
          title="dashed: ±ρΔP per trial (Eqs 32-35); dotted: half of it (silent synapses)")
    return fig


register(Experiment(
    name="bouvier2018-fig10a", reproduces=f"{PAPER}, Fig 10A: single-pattern convergence at ±ρΔP",
    params=Fig10AParams, run=run_fig10a, plot=plot_fig10a, checks=checks_fig10a))
