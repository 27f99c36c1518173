"""``network``: one run of the SGDEGE network with any Table 2 parameters (Methods Eqs 1-13)."""

from __future__ import annotations

import numpy as np
import xarray as xr

from cerebellar.core import checks as ck
from cerebellar.core import status
from cerebellar.core.registry import Experiment, register
from cerebellar.models.network.params import NetworkParams
from cerebellar.models.network.simulate import simulate
from cerebellar.papers import claim
from cerebellar.studies.network_runs import PAPER, final_error, learning_rows, plot_learning


def run_network(params: NetworkParams, rng: np.random.Generator) -> xr.Dataset:
    """One run. With the unsigned Marr-Albus-Ito rule a rising error is the paper's result (Fig
    2C: "the firing rates simply saturate and the error increases"), not a failed run: the model's
    runaway mark is kept as ``runaway`` and a row checks it; non-finite values still diverge."""
    ds = simulate(params, rng)
    if params.rule == "mai_unsigned" and status.diverged(ds) and \
            "non-finite" not in ds.attrs["divergence"]:
        ds.attrs["runaway"] = ds.attrs.pop("divergence")
        for key in ("diverged_at", "diverged_unit"):
            ds.attrs.pop(key)
        ds.attrs["status"] = status.OK
    return ds


def checks_network(ds: xr.Dataset) -> list[ck.Check]:
    """The perturbations' count (per rule) and, for SGDEGE, the quick-scale rows of
    `learning_rows` (a pCS's size on PN, the olive's rate and lock-on, the early descent),
    and whether the error falls over the run."""
    a = ds.attrs
    early = float(ds.error.isel(trial=slice(0, 100)).mean())
    rule = a.get("rule", "sgdege")
    learns = a["q"] < 1 and a["alpha_w"] > 0 and a["trials_per_pattern"] >= 2000
    first = float(ds.error.isel(trial=slice(0, 20)).mean())
    grows = [claim("bouvier2018.fig2.unsigned_grows").holds(
        final_error(ds) > first,
        what="unsigned Marr-Albus-Ito: the error grows (final ℰ > ℰ of the first 20 trials)",
        got=f"{first:.3g} → {final_error(ds):.3g} Hz" + (f"; {a['runaway']}" if "runaway" in a else ""))
    ] if rule == "mai_unsigned" else []
    return [
        *learning_rows(ds),
        *grows,
        claim("bouvier2018.fig8.learns").holds(
            final_error(ds) < early, what="the error falls: final ℰ < initial ℰ",
            got=f"{early:.3g} → {final_error(ds):.3g} Hz",
            off=(f"rule = {rule!r}: the paper claims this of SGDEGE" if rule != "sgdege" else
                 "" if learns else "needs q < 1, α_w > 0 and ≥ 2000 trials per pattern")),
    ]


def plot_network(ds: xr.Dataset):
    return plot_learning(ds, "Network learning by SGDEGE")


register(Experiment(
    name="network", reproduces=f"{PAPER}, Methods Eqs 1-13: one run of the SGDEGE network",
    params=NetworkParams, run=run_network, plot=plot_network, checks=checks_network))
