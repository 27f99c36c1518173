"""Sweep figures, drawn from a combined sweep dataset only (``cerebellar plot-sweep``)."""

from __future__ import annotations

import json

import xarray as xr

from ..core.errors import ParameterError
from ..core.plotting import figure

TIME_DIMS = ("trial", "cycle", "movement")


def summary(ds: xr.Dataset, var: str | None = None) -> xr.DataArray:
    """One number per grid point and seed: ``var`` (default: the first data variable) at the last
    time step (trial, cycle or movement), averaged over any other dimension."""
    keys = json.loads(ds.attrs["sweep_grid"]) if "sweep_grid" in ds.attrs else {}
    var = var or next(iter(ds.data_vars))
    if var not in ds.data_vars:
        raise ParameterError(f"variable '{var}' not in the sweep; known: {', '.join(ds.data_vars)}")
    da = ds[var]
    for dim in TIME_DIMS:
        if dim in da.dims:
            da = da.isel({dim: -1})
    rest = [d for d in da.dims if d not in (*keys, "seed")]
    return da.mean(rest) if rest else da


def plot_sweep(ds: xr.Dataset, var: str | None = None):
    """A map for two swept keys, lines (mean ± s.d. over seeds) for one; more keys: the first two
    with the others averaged."""
    keys = list(json.loads(ds.attrs["sweep_grid"]))
    s = summary(ds, var)
    mean = s.mean("seed")
    spread = s.std("seed")
    fig, ax = figure(1, 1, title=f"sweep of {ds.attrs.get('experiment', '?')}: {s.name}", width=6.5)
    a = ax[0, 0]
    if len(keys) == 1:
        a.errorbar(mean[keys[0]], mean, yerr=spread, fmt="o-", capsize=3)
        a.set(xlabel=keys[0], ylabel=str(s.name))
    else:
        m = mean.mean(keys[2:]) if len(keys) > 2 else mean
        mesh = a.pcolormesh(m[keys[1]], m[keys[0]], m.transpose(keys[0], keys[1]), shading="auto")
        fig.colorbar(mesh, ax=a, label=str(s.name))
        a.set(xlabel=keys[1], ylabel=keys[0])
    return fig
