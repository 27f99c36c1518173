"""Registered experiments of the analog perceptron (Bouvier et al. 2018, Fig 10; spec §6).

The quick defaults use N_M = 200 inputs and 10⁴ trials per pattern and keep the paper's loads
α = p/N_M (its p = 50…450 at N_M = 1000); ``--full`` runs the paper's N_M = 1000 and 10⁵ trials.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import xarray as xr

from ..core import checks as ck
from ..core.params import param
from ..core.plotting import figure, panel_letter
from ..core.registry import Experiment, register
from .capacity import capacity, infeasibility
from .perceptron import Patterns, PerceptronModel, PerceptronParams, threshold, train, train_many

PAPER = "Bouvier et al. 2018"
PAPER_P = (50, 100, 200, 300, 350, 380, 385, 390, 395, 400, 410, 420, 450)
"""Pattern counts of Fig 10B-D at N_M = 1000 (spec §6.5)."""
Q_VALUES = (0.0, 0.25, 0.5, 0.75)


def floor(A: float, q: float) -> float:
    """SGDEGE precision A(1 + q)/2 (spec §5.7, §6.5)."""
    return A * (1 + q) / 2


@dataclass(frozen=True)
class Fig10Params(PerceptronModel):
    """Shared parameters of the Fig 10 experiments (Fig 10 legend; α_w, α_v from Eqs 40-41)."""

    N_M: int = param(200, low=10, high=1_000_000, doc="inputs (paper: 1000; loads p/N_M kept)")
    trials_per_pattern: int = param(10_000, low=1, high=100_000_000, units="trial",
                                    doc="trials per pattern")
    n_records: int = param(30, low=2, high=10_000, doc="log-spaced recording points")

    FULL: ClassVar[dict[str, Any]] = {"N_M": 1000, "trials_per_pattern": 100_000}
    NOT_STATED: ClassVar[dict[str, str]] = {
        **PerceptronModel.NOT_STATED,
        "N_M": "quick default 200 (10x faster learning runs); --full uses the paper's 1000",
    }

    def loads(self) -> list[int]:
        """The paper's pattern counts scaled to N_M (unique, ≥ 1)."""
        return sorted({max(1, round(p * self.N_M / 1000)) for p in PAPER_P})

    def run_params(self, **changes: Any) -> PerceptronParams:
        """A single run with this model, the given size and rule."""
        run = dict(trials_per_pattern=self.trials_per_pattern, n_records=self.n_records)
        return PerceptronParams(**{**self.model_values(), **run, **changes})


def _curves(params: Fig10Params, rng: np.random.Generator, rules: dict[str, dict]) -> xr.Dataset:
    """mean_error over (rule, p, trial), all runs spread over the cores."""
    loads = params.loads()
    configs = [params.run_params(n_patterns=p, **kw) for kw in rules.values() for p in loads]
    runs = train_many(configs, rng)
    err = np.array([r.mean_error.values for r in runs]).reshape(len(rules), len(loads), -1)
    return xr.Dataset(
        dict(mean_error=(("rule", "p", "trial"), err,
                         dict(long_name="mean |P − R| over patterns", units="Hz"))),
        coords=dict(rule=list(rules), p=("p", loads, dict(long_name="number of patterns")),
                    trial=("trial", runs[0].trial.values, dict(units="trial (per pattern)"))),
    )


def _final(ds: xr.Dataset) -> xr.DataArray:
    return ds.mean_error.isel(trial=-1)


def _first_trial_below(ds: xr.DataArray, level: float) -> xr.DataArray:
    """First recorded trial with the error below ``level`` (NaN if never)."""
    below = ds < level
    return xr.where(below.any("trial"), ds.trial[below.argmax("trial")], np.nan)


FLOOR_LOAD = 0.2
"""Loads p/N_M ≤ 0.2 (the paper's p = 50-200) are well below capacity at both scales."""
ABOVE_LOAD = 0.41
"""Loads p/N_M ≥ 0.41 (the paper's p = 410-450) are above capacity α_c = 0.391."""


def _loads(ds: xr.Dataset, lo: float = 0.0, hi: float = np.inf) -> xr.DataArray:
    N = ds.attrs["N_M"]
    return ds.p[(ds.p >= lo * N) & (ds.p <= hi * N)]


def _slowing(err: xr.DataArray, rho_dP: float, level: float = 5.0) -> xr.DataArray:
    """Trials to bring the mean error to ``level`` over the single-pattern prediction
    (E0 − level)/(ρΔP) of the reduced model (spec §6.5: ×1.5-5 for p = 100-350)."""
    return _first_trial_below(err, level) / ((err.isel(trial=0) - level) / rho_dP)


# -- Fig 10A: single-pattern convergence -----------------------------------------------------


@dataclass(frozen=True)
class Fig10AParams(Fig10Params):
    N_M: int = param(1000, low=10, high=1_000_000, doc="inputs (paper: 1000)")
    trials_per_pattern: int = param(4000, low=10, high=10_000_000, units="trial", doc="trials")
    n_runs: int = param(40, low=2, high=100_000, doc="single-pattern runs")
    FULL: ClassVar[dict[str, Any]] = {"n_runs": 200}


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
    return xr.Dataset(
        dict(error=(("run", "trial"), err, dict(long_name="P − R", units="Hz")),
             slope=(("run",), slopes, dict(long_name="slope far from the target", units="Hz/trial"))),
        coords=dict(trial=("trial", marks, dict(units="trial")), run=np.arange(params.n_runs)),
    )


def checks_fig10a(ds: xr.Dataset) -> list[ck.Check]:
    v = ds.attrs["rho"] * ds.attrs["dP"]
    up = ds.slope.where(ds.error.isel(trial=0) < 0)
    down = ds.slope.where(ds.error.isel(trial=0) > 0)
    return [
        ck.close("predicted single-pattern speed ρΔP (Fig 10A, spec §6.2)", 0.04, v, atol=1e-12),
        ck.close("median slope rising towards the target (LTP side) vs +ρΔP", v,
                 float(up.median()), rtol=0.1),
        ck.close("median slope falling towards the target (LTD side) vs −ρΔP", -v,
                 float(down.median()), rtol=0.1),
        ck.at_most("final |P − R| of every run (converged within A)", ds.attrs["A"],
                   float(abs(ds.error.isel(trial=-1)).max())),
    ]


def plot_fig10a(ds: xr.Dataset):
    fig, ax = figure(1, 1, title="Fig 10A: single-pattern convergence of the perceptron (SGDEGE)",
                     width=7)
    a = ax[0, 0]
    for e in ds.error.values:
        a.plot(ds.trial, e, lw=0.6, alpha=0.7)
    v = ds.attrs["rho"] * ds.attrs["dP"]
    t = ds.trial.values
    for sign in (1, -1):
        start = float(sign * -abs(ds.error.isel(trial=0)).max())
        line = start + sign * v * t
        keep = np.abs(line) <= abs(start)
        a.plot(t[keep & (sign * line <= 0)], line[keep & (sign * line <= 0)], "k--", lw=1.5)
    a.set(xlabel="trial", ylabel="P − R [Hz]", title="dashed: ±ρΔP per trial")
    return fig


register(Experiment(
    name="bouvier2018-fig10a", reproduces=f"{PAPER}, Fig 10A: single-pattern convergence at ±ρΔP",
    params=Fig10AParams, run=run_fig10a, plot=plot_fig10a, checks=checks_fig10a))


# -- Fig 10B, C: error vs trials for many loads ------------------------------------------------


def run_fig10b(params: Fig10Params, rng: np.random.Generator) -> xr.Dataset:
    return _curves(params, rng, {"sgdege": dict(rule="sgdege")})


def run_fig10c(params: Fig10Params, rng: np.random.Generator) -> xr.Dataset:
    return _curves(params, rng, {"delta": dict(rule="delta")})


def checks_fig10b(ds: xr.Dataset) -> list[ck.Check]:
    a = ds.attrs
    fl = floor(a["A"], a["q"])
    err = ds.mean_error.sel(rule="sgdege")
    final = err.isel(trial=-1)
    slow = _slowing(err, a["rho"] * a["dP"])
    p_100 = int(_loads(ds, 0.1, 0.1)[0]) if _loads(ds, 0.1, 0.1).size else int(ds.p[1])
    p_350 = int(_loads(ds, hi=0.35)[-1])
    return [
        ck.close(f"median final error over p ≤ {FLOOR_LOAD} N_M = floor A(1+q)/2 (Fig 10B; §6.5)",
                 fl, float(final.sel(p=_loads(ds, hi=FLOOR_LOAD)).median()), rtol=0.2),
        ck.at_least(f"mean final error for p ≥ {ABOVE_LOAD} N_M (above capacity) > floor + 2 Hz",
                    fl + 2, float(final.sel(p=_loads(ds, lo=ABOVE_LOAD)).mean())),
        ck.close(f"slowing vs the single-pattern speed at p = {p_100} (spec: ×1.5-5)", 3.25,
                 float(slow.sel(p=p_100)), atol=1.75),
        ck.at_least(f"slowing at p = {p_350} (spec: ≥ 1.5)", 1.5, float(slow.sel(p=p_350))),
    ]


def checks_fig10c(ds: xr.Dataset) -> list[ck.Check]:
    final = _final(ds).sel(rule="delta")
    return [
        ck.at_most("delta rule: final error for p ≤ 0.35 N_M ≈ 0 (Fig 10C)", 0.1,
                   float(final.sel(p=_loads(ds, hi=0.35)).max())),
        ck.at_least(f"delta rule: mean final error for p ≥ {ABOVE_LOAD} N_M > 0.5 Hz (above capacity)",
                    0.5, float(final.sel(p=_loads(ds, lo=ABOVE_LOAD)).mean())),
    ]


def _plot_curves(ds: xr.Dataset, title: str):
    fig, ax = figure(1, 1, title=title, width=7)
    a = ax[0, 0]
    colors = np.linspace(0, 1, ds.sizes["p"])
    import matplotlib as mpl

    cmap = mpl.colormaps["viridis"]
    for c, p in zip(colors, ds.p.values, strict=True):
        a.plot(ds.trial[1:], ds.mean_error.isel(rule=0).sel(p=p)[1:], color=cmap(c), label=f"p = {p}")
    a.set(xscale="log", yscale="log", xlabel="trial (per pattern)", ylabel="mean |P − R| [Hz]")
    a.legend(fontsize=7, ncol=2)
    return fig


register(Experiment(
    name="bouvier2018-fig10b", reproduces=f"{PAPER}, Fig 10B: SGDEGE perceptron error vs trials, p = 50-450",
    params=Fig10Params, run=run_fig10b, checks=checks_fig10b,
    plot=lambda ds: _plot_curves(ds, f"Fig 10B: SGDEGE, N_M = {ds.attrs['N_M']}, q = {ds.attrs['q']:g}")))
register(Experiment(
    name="bouvier2018-fig10c", reproduces=f"{PAPER}, Fig 10C: delta-rule perceptron error vs trials",
    params=Fig10Params, run=run_fig10c, checks=checks_fig10c,
    plot=lambda ds: _plot_curves(ds, f"Fig 10C: delta rule, N_M = {ds.attrs['N_M']}")))


# -- Fig 10D: final error vs load, five rules ------------------------------------------------


def run_fig10d(params: Fig10Params, rng: np.random.Generator) -> xr.Dataset:
    rules = {"delta": dict(rule="delta")}
    rules.update({f"sgdege q={q:g}": dict(rule="sgdege", q=q) for q in Q_VALUES})
    ds = _curves(params, rng, rules)
    ds["final_error"] = _final(ds).assign_attrs(long_name="mean error after the last trial", units="Hz")
    ds["q_of_rule"] = ("rule", [np.nan, *Q_VALUES])
    return ds


def checks_fig10d(ds: xr.Dataset) -> list[ck.Check]:
    a = ds.attrs
    below, above = _loads(ds, hi=FLOOR_LOAD), _loads(ds, lo=ABOVE_LOAD)
    rows = [ck.at_most("delta rule: final error for p ≤ 0.35 N_M (Fig 10D)", 0.1,
                       float(ds.final_error.sel(rule="delta", p=_loads(ds, hi=0.35)).max())),
            ck.at_least(f"delta rule: mean final error for p ≥ {ABOVE_LOAD} N_M (above capacity)",
                        0.5, float(ds.final_error.sel(rule="delta", p=above).mean()))]
    for q in Q_VALUES:
        err = ds.final_error.sel(rule=f"sgdege q={q:g}")
        rows += [ck.close(f"SGDEGE q = {q:g}: median error for p ≤ {FLOOR_LOAD} N_M = floor A(1+q)/2",
                          floor(a["A"], q), float(err.sel(p=below).median()), rtol=0.2),
                 ck.at_least(f"SGDEGE q = {q:g}: mean error for p ≥ {ABOVE_LOAD} N_M > floor + 2 Hz",
                             floor(a["A"], q) + 2, float(err.sel(p=above).mean()))]
    return rows


def plot_fig10d(ds: xr.Dataset):
    N = ds.attrs["N_M"]
    fig, ax = figure(1, 1, title=f"Fig 10D: final error vs number of patterns (N_M = {N})", width=7)
    a = ax[0, 0]
    for rule in ds.rule.values:
        a.plot(ds.p, ds.final_error.sel(rule=rule), "o-", ms=3, label=str(rule))
    a.axvline(capacity(ds.attrs["f"], ds.attrs["gamma"]) * N, color="k", ls="--", label="capacity")
    a.set(xlabel="number of patterns p", ylabel="mean |P − R| [Hz]", yscale="symlog")
    a.legend(fontsize=8)
    return fig


register(Experiment(
    name="bouvier2018-fig10d",
    reproduces=f"{PAPER}, Fig 10D: final error vs p, delta rule and SGDEGE q = 0-0.75, capacity",
    params=Fig10Params, run=run_fig10d, plot=plot_fig10d, checks=checks_fig10d))


# -- Fig 10E, F: trajectories in the (P − R, 𝒥 − qP) plane --------------------------------------


@dataclass(frozen=True)
class Fig10EFParams(Fig10Params):
    N_M: int = param(1000, low=10, high=1_000_000, doc="inputs (paper: 1000)")
    FULL: ClassVar[dict[str, Any]] = {"trials_per_pattern": 100_000}
    load_below: float = param(0.3, low=0, high=2, low_open=True, doc="p/N_M of panel E (paper: 300)")
    load_above: float = param(0.42, low=0, high=2, low_open=True, doc="p/N_M of panel F (paper: 420)")


def run_fig10ef(params: Fig10EFParams, rng: np.random.Generator) -> xr.Dataset:
    loads = [round(params.load_below * params.N_M), round(params.load_above * params.N_M)]
    runs = train_many([params.run_params(n_patterns=p) for p in loads], rng)
    out = {}
    for panel, r in zip("EF", runs, strict=True):
        x = (r.P_traj - r.R).rename(pattern=f"pattern_{panel}")
        y = (r.J_traj - params.q * r.P_traj).rename(pattern=f"pattern_{panel}")
        out[f"x_{panel}"] = x.assign_attrs(long_name="P − R", units="Hz")
        out[f"y_{panel}"] = y.assign_attrs(long_name="𝒥 − qP", units="Hz")
    ds = xr.Dataset(out).drop_vars([v for v in ("pattern_E", "pattern_F") if v in xr.Dataset(out).coords])
    ds.attrs["p_E"], ds.attrs["p_F"] = loads
    return ds


def _far_from_origin(ds: xr.Dataset, panel: str, radius: float) -> float:
    """Fraction of patterns whose final (P − R, 𝒥 − qP) lies ``radius`` or more from (0, 0)."""
    x, y = ds[f"x_{panel}"].isel(trial=-1), ds[f"y_{panel}"].isel(trial=-1)
    return float((np.hypot(x, y) >= radius).mean())


def checks_fig10ef(ds: xr.Dataset) -> list[ck.Check]:
    """Fig 10E holds; Fig 10F's 'many patterns end far from their targets' does not reproduce at
    the full scale (10⁵ trials: ~1 % beyond 3A, mean |P − R| 1.16× that at p = 300), so only
    the robust contrast is checked and the README says so."""
    radius = 3 * ds.attrs["A"]
    far_E, far_F = _far_from_origin(ds, "E", radius), _far_from_origin(ds, "F", radius)
    err_E = float(abs(ds.x_E.isel(trial=-1)).mean())
    err_F = float(abs(ds.x_F.isel(trial=-1)).mean())
    return [
        ck.at_most(f"p = {ds.attrs['p_E']}: fraction of patterns ending ≥ {radius:g} Hz from (0, 0) "
                   "(Fig 10E: all converge)", 0.1, far_E),
        ck.holds(f"p = {ds.attrs['p_F']} (above capacity): more patterns end ≥ {radius:g} Hz away "
                 f"than at p = {ds.attrs['p_E']} (Fig 10F says 'many'; not reproduced at 1e5 trials)",
                 far_F > far_E, expected=f"> {far_E:.3g}", got=far_F),
        ck.at_least(f"mean |P − R| at p = {ds.attrs['p_F']} / at p = {ds.attrs['p_E']}", 1.1,
                    err_F / err_E),
    ]


def plot_fig10ef(ds: xr.Dataset):
    fig, ax = figure(1, 2, title="Fig 10E,F: perceptron trajectories in the (P − R, 𝒥 − qP) plane"
                     .replace("𝒥", "J"))
    for a, panel in zip(ax[0], "EF", strict=True):
        x, y = ds[f"x_{panel}"].values, ds[f"y_{panel}"].values
        for j in range(0, x.shape[1], max(1, x.shape[1] // 40)):
            a.plot(x[:, j], y[:, j], lw=0.5, alpha=0.6)
        a.plot(x[-1], y[-1], "k.", ms=3)
        a.set(xlabel="P − R [Hz]", ylabel="J − qP [Hz]", title=f"p = {ds.attrs[f'p_{panel}']}")
        panel_letter(a, panel)
    return fig


register(Experiment(
    name="bouvier2018-fig10ef",
    reproduces=f"{PAPER}, Fig 10E,F: trajectories below (p = 300) and above (p = 420) capacity",
    params=Fig10EFParams, run=run_fig10ef, plot=plot_fig10ef, checks=checks_fig10ef))


# -- capacity: theory vs LP feasibility vs learned -----------------------------------------------


@dataclass(frozen=True)
class CapacityParams(Fig10Params):
    n_seeds: int = param(8, low=1, high=10_000, doc="LP instances per load")
    trials_per_pattern: int = param(5000, low=1, high=100_000_000, units="trial",
                                    doc="delta-rule trials per pattern (learned capacity)")
    FULL: ClassVar[dict[str, Any]] = {"N_M": 1000, "trials_per_pattern": 50_000, "n_seeds": 8}


def run_capacity(params: CapacityParams, rng: np.random.Generator) -> xr.Dataset:
    loads = params.loads()
    theta = threshold(params.f, params.gamma, params.N_M, params.P_max)
    violation = np.empty((len(loads), params.n_seeds))
    for i, p in enumerate(loads):
        for s in range(params.n_seeds):
            pats = Patterns.draw(params.run_params(n_patterns=p), rng)
            violation[i, s] = infeasibility(pats.dense(params.N_M), pats.R, theta)
    learned = train_many([params.run_params(rule="delta", n_patterns=p) for p in loads], rng)
    return xr.Dataset(
        dict(lp_violation=(("p", "seed"), violation, dict(long_name="min mean |output − R|",
                                                          units="Hz")),
             feasible_fraction=("p", (violation < 1e-6).mean(axis=1)),
             learned_error=("p", [r.mean_error.values[-1] for r in learned],
                            dict(long_name="delta-rule final error", units="Hz")),
             alpha_c=((), capacity(params.f, params.gamma)), theta=((), theta)),
        coords=dict(p=loads, seed=np.arange(params.n_seeds)),
    )


def checks_capacity(ds: xr.Dataset) -> list[ck.Check]:
    a = ds.attrs
    N = a["N_M"]
    frac = ds.feasible_fraction
    crossing = ds.p.values[(frac < 0.5).values]
    first = float(crossing.min()) / N if crossing.size else float("nan")
    return [
        ck.close("θ at N_M = 1000, f = .2, γ = 1, P_max = 100 (Fig 10 legend: 12.85)", 12.85,
                 float(threshold(0.2, 1.0, 1000, 100.0)), atol=0.005),
        ck.close("α_c from −u = γ(uΦ(u) + φ(u)), α_c = Φ(u) (spec §6.4: 0.391)", 0.391,
                 capacity(0.2, 1.0), atol=5e-4),
        ck.close("p_c at N_M = 1000 (Fig 10C legend: 391)", 391, capacity(0.2, 1.0) * 1000, atol=0.5),
        ck.equal("LP: every instance feasible at p ≤ 0.3 N_M", 1.0,
                 float(frac.sel(p=ds.p[ds.p <= 0.3 * N]).min())),
        ck.close("LP: first load with < 1/2 feasible vs α_c (finite-size)", float(ds.alpha_c), first,
                 atol=0.05 if N < 1000 else 0.02),
        ck.at_most("learned (delta rule): error at p ≤ 0.35 N_M", 0.1,
                   float(ds.learned_error.sel(p=ds.p[ds.p <= 0.35 * N]).max())),
    ]


def plot_capacity(ds: xr.Dataset):
    N = ds.attrs["N_M"]
    fig, ax = figure(1, 2, title=f"Capacity of the analog perceptron, N_M = {N}")
    load = ds.p / N
    ax[0, 0].plot(load, ds.feasible_fraction, "o-", label="LP feasible fraction")
    ax[0, 0].axvline(float(ds.alpha_c), color="k", ls="--", label=f"theory α_c = {float(ds.alpha_c):.3f}")
    ax[0, 0].axhline(0.5, color="0.6", ls=":")
    ax[0, 0].set(xlabel="p / N_M", ylabel="fraction feasible")
    ax[0, 1].plot(load, ds.learned_error, "o-", label="delta rule, final error")
    ax[0, 1].axvline(float(ds.alpha_c), color="k", ls="--")
    ax[0, 1].set(xlabel="p / N_M", ylabel="mean |P − R| [Hz]", yscale="symlog")
    for a in ax[0]:
        a.legend(fontsize=8)
    return fig


register(Experiment(
    name="bouvier2018-capacity",
    reproduces=f"{PAPER}, Fig 10C,D capacity: theory (391) vs LP feasibility vs learned",
    params=CapacityParams, run=run_capacity, plot=plot_capacity, checks=checks_capacity))


# -- free run ----------------------------------------------------------------------------------------


def run_perceptron(params: PerceptronParams, rng: np.random.Generator) -> xr.Dataset:
    return train(params, rng)


def checks_perceptron(ds: xr.Dataset) -> list[ck.Check]:
    a = ds.attrs
    return [
        ck.close("α_w = ΔP/(f√N_M) (Eq 40)", a["dP"] / (a["f"] * math.sqrt(a["N_M"])),
                 a["alpha_w"], rtol=1e-12),
        ck.close("α_v = Δ𝒥/(f√N_M) (Eq 41)", a["dJ"] / (a["f"] * math.sqrt(a["N_M"])),
                 a["alpha_v"], rtol=1e-12),
        ck.close("θ from the Fig 10 legend formula", float(threshold(a["f"], a["gamma"], a["N_M"],
                                                                      a["P_max"])), a["theta"],
                 rtol=1e-12),
        ck.holds("final outputs P ≥ 0 (Eq 36 rectification)", bool((ds.P >= 0).all())),
    ]


def plot_perceptron(ds: xr.Dataset):
    fig, ax = figure(1, 2, title=f"Perceptron, rule = {ds.attrs['rule']}, p = {ds.attrs['n_patterns']}")
    ax[0, 0].plot(ds.trial[1:], ds.mean_error[1:])
    ax[0, 0].set(xscale="log", yscale="log", xlabel="trial (per pattern)", ylabel="mean |P − R| [Hz]")
    ax[0, 1].plot(ds.R, ds.P, ".", ms=3)
    ax[0, 1].plot([0, ds.attrs["P_max"]], [0, ds.attrs["P_max"]], "k--", lw=1)
    ax[0, 1].set(xlabel="target R [Hz]", ylabel="final P [Hz]")
    return fig


register(Experiment(
    name="perceptron", reproduces=f"{PAPER}, Appendix 1 Eqs 36-42: one perceptron learning run",
    params=PerceptronParams, run=run_perceptron, plot=plot_perceptron, checks=checks_perceptron))
