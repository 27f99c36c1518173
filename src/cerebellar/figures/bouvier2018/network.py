"""``network``: one run of the SGDEGE network with any Table 2 parameters (Methods Eqs 1-13)."""

from __future__ import annotations

import numpy as np
import xarray as xr

from cerebellar.core import checks as ck
from cerebellar.core.registry import Experiment, register
from cerebellar.figures.bouvier2018._network import (
    PAPER,
    _plot_learning,
    final_error,
)
from cerebellar.network.model import NetworkParams, simulate
from cerebellar.papers import claim


def run_network(params: NetworkParams, rng: np.random.Generator) -> xr.Dataset:
    return simulate(params, rng)


def checks_network(ds: xr.Dataset) -> list[ck.Check]:
    a = ds.attrs
    n_mov = ds.error.size
    expected = a["rho"] * a["L"]
    early = float(ds.error.isel(trial=slice(0, 100)).mean())
    learns = a["q"] < 1 and a["alpha_w"] > 0 and a["trials_per_pattern"] >= 2000
    return [
        ck.close("mean pCS per movement = ρL (5 s.e.)", expected, float(ds.n_pcs.mean()),
                 atol=5 * np.sqrt(expected / n_mov) + 1e-12, source="invariant",
                 cite="Bouvier 2018 Methods: each climbing fibre fires a pCS with probability ρ"),
        claim("bouvier2018.fig8.learns").holds(
            final_error(ds) < early, what="the error falls: final ℰ < initial ℰ",
            got=f"{early:.3g} → {final_error(ds):.3g} Hz", off="" if learns else
            "needs q < 1, α_w > 0 and ≥ 2000 trials per pattern"),
    ]


def plot_network(ds: xr.Dataset):
    return _plot_learning(ds, "Network learning by SGDEGE")


register(Experiment(
    name="network", reproduces=f"{PAPER}, Methods Eqs 1-13: one run of the SGDEGE network",
    params=NetworkParams, run=run_network, plot=plot_network, checks=checks_network))
