"""``bouvier2018-fig10b``: the SGDEGE perceptron's error against trials for many loads, and its
slowdown against single-pattern convergence (Fig 10B)."""

from __future__ import annotations

import numpy as np
import xarray as xr

from cerebellar.core import checks as ck
from cerebellar.core.registry import Experiment, register
from cerebellar.papers import claim
from cerebellar.studies.load_sweep import (
    PAPER,
    SHARES_RUNS,
    LoadSweepParams,
    load_curves,
    loads_between,
    plot_load_curves,
    slowdown,
)
from cerebellar.studies.perceptron_rows import floor_rows


def run_fig10b(params: LoadSweepParams, rng: np.random.Generator) -> xr.Dataset:
    return load_curves(params, rng, {"sgdege": dict(rule="sgdege")})


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


register(Experiment(
    name="bouvier2018-fig10b", reproduces=f"{PAPER}, Fig 10B: SGDEGE perceptron error vs trials, p = 50-450",
    params=LoadSweepParams, run=run_fig10b, checks=checks_fig10b, shares=SHARES_RUNS,
    plot=lambda ds: plot_load_curves(ds, f"Fig 10B: SGDEGE, N_M = {ds.attrs['N_M']}, q = {ds.attrs['q']:g}",
                                 "B")))
