"""``bouvier2018-capacity``: capacity from theory, from LP feasibility and from learning."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from cerebellar.core import checks as ck
from cerebellar.core.params import param
from cerebellar.core.plotting import figure, panel_letter, symlog_axis
from cerebellar.core.registry import Experiment, register
from cerebellar.figures.bouvier2018._perceptron import (
    PAPER,
    LoadSweepParams,
    _curves,
    _of_runs,
    mean_se,
)
from cerebellar.papers import claim
from cerebellar.sgdege.capacity import capacity, infeasibility
from cerebellar.sgdege.perceptron import (
    Patterns,
    threshold,
)


@dataclass(frozen=True)
class CapacityParams(LoadSweepParams):
    """The learned capacity comes from the delta-rule runs of Fig 10C (the same runs, at the
    same seed and scale)."""

    n_lp: int = param(8, low=1, high=10_000, doc="LP instances per load")


def run_capacity(params: CapacityParams, rng: np.random.Generator) -> xr.Dataset:
    loads = params.loads()
    theta = threshold(params.f, params.gamma, params.N_M, params.P_max)
    violation = np.empty((len(loads), params.n_lp))
    for i, p in enumerate(loads):
        for s in range(params.n_lp):
            pats = Patterns.draw(params.run_params(n_patterns=p), rng)
            violation[i, s] = infeasibility(pats.dense(params.N_M), pats.R, theta)
    learned = _curves(params, rng, {"delta": dict(rule="delta")})
    return xr.Dataset(
        dict(lp_violation=(("p", "instance"), violation, dict(long_name="min mean |output − R|",
                                                              units="Hz")),
             feasible_fraction=("p", (violation < 1e-6).mean(axis=1)),
             learned_error=(learned.mean_error.sel(rule="delta").isel(trial=-1, drop=True)
                            .assign_attrs(long_name="delta-rule final error", units="Hz")),
             alpha_c=((), capacity(params.f, params.gamma)), theta=((), theta)),
        coords=dict(p=loads, instance=np.arange(params.n_lp)),
    )


def checks_capacity(ds: xr.Dataset) -> list[ck.Check]:
    a = ds.attrs
    N = a["N_M"]
    frac = ds.feasible_fraction
    crossing = ds.p.values[(frac < 0.5).values]
    first = float(crossing.min()) if crossing.size else float("nan")
    cite = "replica capacity −u = γ(uΦ(u) + φ(u)), α_c = Φ(u) (specification §6.4)"
    paper = claim("bouvier2018.fig10.capacity")
    return [
        ck.equal("LP: every instance feasible at p ≤ 0.3 N_M (below capacity)", 1.0,
                 float(frac.sel(p=ds.p[ds.p <= 0.3 * N]).min()), source="theory", cite=cite),
        ck.close("LP: first load with < 1/2 of the instances feasible / N_M vs α_c (finite size)",
                 float(ds.alpha_c), first / N, atol=0.05 if N < 1000 else 0.02, source="theory",
                 cite=cite),
        paper.check(first, what="LP: first p with < 1/2 of the instances feasible, N_M = 1000",
                    atol=20, off="" if N == 1000 else f"N_M = {N}: the paper's 391 is for N_M = 1000"),
        claim("bouvier2018.fig10c.delta_zero").check(
            float(ds.learned_error.mean("seed").sel(p=ds.p[ds.p <= 0.35 * N]).max()),
            what=f"learned (delta rule): largest final error for p ≤ 0.35 N_M{_of_runs(ds)}"),
    ]


def plot_capacity(ds: xr.Dataset):
    N = ds.attrs["N_M"]
    fig, ax = figure(1, 2, title=f"Capacity of the analog perceptron, N_M = {N}")
    load = ds.p / N
    ax[0, 0].plot(load, ds.feasible_fraction, "o-", label="LP feasible fraction")
    ax[0, 0].axvline(float(ds.alpha_c), color="k", ls="--", label=f"theory α_c = {float(ds.alpha_c):.3f}")
    ax[0, 0].axhline(0.5, color="0.6", ls=":")
    ax[0, 0].set(xlabel="load p / N_M [dimensionless]", ylabel="fraction of LP-feasible pattern sets")
    mean, se = mean_se(ds.learned_error)
    ax[0, 1].errorbar(load, mean, yerr=se, fmt="o-", ms=3, capsize=2,
                      label=f"delta rule, final error (mean ± s.e., {ds.sizes['seed']} runs)")
    ax[0, 1].axvline(float(ds.alpha_c), color="k", ls="--")
    ax[0, 1].set(xlabel="load p / N_M [dimensionless]", ylabel="mean |P − R| [Hz]",
                 title="below 10⁻³ Hz the axis is linear")
    symlog_axis(ax[0, 1], mean + se)
    for a, letter, where in zip(ax[0], "AB", ("lower left", "upper left"), strict=True):
        a.legend(fontsize=8, loc=where)
        panel_letter(a, letter)
    return fig


register(Experiment(
    name="bouvier2018-capacity",
    reproduces=f"{PAPER}, Fig 10C,D capacity: theory (391) vs LP feasibility vs learned",
    params=CapacityParams, run=run_capacity, plot=plot_capacity, checks=checks_capacity))
