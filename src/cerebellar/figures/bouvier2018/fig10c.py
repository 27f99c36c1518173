"""``bouvier2018-fig10c``: the delta-rule perceptron's error against trials for many loads
(Fig 10C)."""

from __future__ import annotations

import numpy as np
import xarray as xr

from cerebellar.core import checks as ck
from cerebellar.core.registry import Experiment, register
from cerebellar.studies.load_sweep import (
    PAPER,
    SHARES_RUNS,
    LoadSweepParams,
    load_curves,
    plot_load_curves,
)
from cerebellar.studies.perceptron_rows import delta_rows


def run_fig10c(params: LoadSweepParams, rng: np.random.Generator) -> xr.Dataset:
    return load_curves(params, rng, {"delta": dict(rule="delta")})


def checks_fig10c(ds: xr.Dataset) -> list[ck.Check]:
    return delta_rows(ds)


register(Experiment(
    name="bouvier2018-fig10c", reproduces=f"{PAPER}, Fig 10C: delta-rule perceptron error vs trials",
    params=LoadSweepParams, run=run_fig10c, checks=checks_fig10c, shares=SHARES_RUNS,
    plot=lambda ds: plot_load_curves(ds, f"Fig 10C: delta rule, N_M = {ds.attrs['N_M']}", "C")))
