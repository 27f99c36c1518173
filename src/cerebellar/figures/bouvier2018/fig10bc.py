"""``bouvier2018-fig10b`` and ``-fig10c``: error against trials for many loads, SGDEGE and the
delta rule (Fig 10B, C)."""

from __future__ import annotations

import numpy as np
import xarray as xr

from cerebellar.core import checks as ck
from cerebellar.core.plotting import figure, panel_letter
from cerebellar.core.registry import Experiment, register
from cerebellar.papers import claim
from cerebellar.studies.load_sweep import (
    PAPER,
    LoadSweepParams,
    load_curves,
    loads_between,
    mean_se,
    slowdown,
)
from cerebellar.studies.perceptron_rows import delta_rows, floor_rows


def run_fig10b(params: LoadSweepParams, rng: np.random.Generator) -> xr.Dataset:
    return load_curves(params, rng, {"sgdege": dict(rule="sgdege")})


def run_fig10c(params: LoadSweepParams, rng: np.random.Generator) -> xr.Dataset:
    return load_curves(params, rng, {"delta": dict(rule="delta")})


def checks_fig10b(ds: xr.Dataset) -> list[ck.Check]:
    slow = slowdown(ds, "sgdege").sel(p=loads_between(ds, 0.1, 0.35))
    lo, hi = float(slow.min()), float(slow.max())
    off = ck.off_setting(ds.attrs, {"q": 0.5, "rho": 0.2, "dP": 0.2, "dJ": 0.4, "A": 2.0})
    paper = claim("bouvier2018.fig10b.slowdown")
    rows = floor_rows(ds, "sgdege", ds.attrs["q"])
    rows.append(paper.holds(
        paper.low <= lo and hi <= paper.high, expected=f"{paper.low:g} to {paper.high:g} at every load",
        got=f"{lo:.2f} to {hi:.2f}",
        what=f"slowdown vs single-pattern convergence, p = {int(slow.p[0])}-{int(slow.p[-1])} "
             f"({slow.size} loads): trials for the mean error to get halfway to its floor / the "
             "reduced model's prediction from the same initial errors", off=off))
    return rows


def checks_fig10c(ds: xr.Dataset) -> list[ck.Check]:
    return delta_rows(ds)


def _plot_curves(ds: xr.Dataset, title: str, letter: str):
    import matplotlib as mpl

    n = ds.sizes["seed"]
    fig, ax = figure(1, 1, title=title + (f" (mean ± s.e. of {n} runs per load)" if n > 1 else ""),
                     width=7)
    a = ax[0, 0]
    cmap = mpl.colormaps["viridis"]
    mean, se = mean_se(ds.mean_error.isel(rule=0, trial=slice(1, None)))
    for c, p in zip(np.linspace(0, 1, ds.sizes["p"]), ds.p.values, strict=True):
        m, e = mean.sel(p=p), se.sel(p=p)
        a.plot(ds.trial[1:], m, color=cmap(c), label=f"p = {p}")
        a.fill_between(ds.trial[1:], np.maximum(m - e, m / 10), m + e, color=cmap(c), alpha=0.2,
                       lw=0)
    a.set(xscale="log", yscale="log", xlabel="trial (per pattern)", ylabel="mean |P − R| [Hz]")
    a.legend(fontsize=7, ncol=2)
    panel_letter(a, letter)
    return fig


register(Experiment(
    name="bouvier2018-fig10b", reproduces=f"{PAPER}, Fig 10B: SGDEGE perceptron error vs trials, p = 50-450",
    params=LoadSweepParams, run=run_fig10b, checks=checks_fig10b,
    plot=lambda ds: _plot_curves(ds, f"Fig 10B: SGDEGE, N_M = {ds.attrs['N_M']}, q = {ds.attrs['q']:g}",
                                 "B")))


register(Experiment(
    name="bouvier2018-fig10c", reproduces=f"{PAPER}, Fig 10C: delta-rule perceptron error vs trials",
    params=LoadSweepParams, run=run_fig10c, checks=checks_fig10c,
    plot=lambda ds: _plot_curves(ds, f"Fig 10C: delta rule, N_M = {ds.attrs['N_M']}", "C")))
