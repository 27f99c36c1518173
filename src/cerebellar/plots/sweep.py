"""Sweep figures, drawn from a combined sweep dataset only (``cerebellar plot-sweep``).

What is drawn is what was asked: the variable named by ``var`` at the last time step, its mean
± s.d. over seeds, over the swept keys. Nothing else is averaged. A dimension that is neither
swept nor time (e.g. Fig 5's ``panel``), and a third swept key, become facets (one panel per
value), unless ``sel`` picks one value. Swept values sit on categorical axes at their own ticks.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import xarray as xr

from ..core.errors import ParameterError
from ..core.plotting import figure

TIME_DIMS = ("trial", "cycle", "movement")
MAX_FACETS = 8


def _pick(da: xr.DataArray, sel: Mapping[str, Any]) -> xr.DataArray:
    for key, text in sel.items():
        if key not in da.dims:
            raise ParameterError(f"--sel {key}: '{key}' is not a dimension of '{da.name}'; "
                                 f"dimensions: {', '.join(map(str, da.dims))}")
        values = da[key].values
        match = [v for v in values if str(v) == str(text) or
                 (np.issubdtype(values.dtype, np.number) and _close(v, text))]
        if not match:
            raise ParameterError(f"--sel {key}={text}: no such value; values: "
                                 f"{', '.join(map(str, values))}")
        da = da.sel({key: match[0]})
    return da


def _close(value: Any, text: Any) -> bool:
    try:
        return bool(np.isclose(float(value), float(text)))
    except (TypeError, ValueError):
        return False


def summary(ds: xr.Dataset, var: str | None = None,
            sel: Mapping[str, Any] | None = None) -> xr.DataArray:
    """``var`` at the last time step, with ``sel`` applied (no other reduction)."""
    names = list(ds.data_vars)
    if var is None:
        if len(names) != 1:
            raise ParameterError(f"name the variable to plot with --var; variables: "
                                 f"{', '.join(names)}")
        var = names[0]
    if var not in ds.data_vars:
        raise ParameterError(f"variable '{var}' not in the sweep; known: {', '.join(names)}")
    da = ds[var]
    for dim in TIME_DIMS:
        if dim in da.dims:
            da = da.isel({dim: -1})
    return _pick(da, sel or {})


def plot_sweep(ds: xr.Dataset, var: str | None = None, sel: Mapping[str, Any] | None = None):
    """Lines (one swept key) or a map (two), mean ± s.d. over seeds; any other dimension is
    faceted, or refused beyond `MAX_FACETS` panels (choose one with ``sel``)."""
    keys = [k for k in json.loads(ds.attrs["sweep_grid"]) if k not in (sel or {})]
    s = summary(ds, var, sel)
    keys = [k for k in keys if k in s.dims]
    if not keys:
        raise ParameterError("every swept key is selected: nothing left to plot against")
    axes_keys, facet_keys = keys[:2], keys[2:]
    facet_keys += [d for d in s.dims if d not in (*keys, "seed")]
    facets = [{}]
    for key in facet_keys:
        facets = [{**f, key: v} for f in facets for v in s[key].values]
    if len(facets) > MAX_FACETS:
        raise ParameterError(f"{len(facets)} panels ({', '.join(facet_keys)}): choose values with "
                             f"--sel KEY=VALUE")
    n_seeds = s.sizes.get("seed", 1)
    stat = ("one seed" if n_seeds == 1 else f"mean over {n_seeds} seeds" if len(axes_keys) == 2
            else f"mean ± s.d. over {n_seeds} seeds")
    at = next((d for d in TIME_DIMS if d in ds[s.name].dims), None)
    fixed = ", ".join(f"{k} = {v}" for k, v in (sel or {}).items())
    title = (f"sweep of {ds.attrs.get('experiment', '?')}: {s.name}"
             + (f" at the last {at}" if at else "") + f"\n{stat}" + (f"; {fixed}" if fixed else ""))
    units = s.attrs.get("units", "")
    label = f"{s.name} [{units}]" if units not in ("", "1") else str(s.name)
    fig, ax = figure(1, len(facets), title=title, width=5.5)
    for a, facet in zip(ax[0], facets, strict=True):
        part = s.sel(facet) if facet else s
        mean = part.mean("seed") if "seed" in part.dims else part
        spread = part.std("seed") if "seed" in part.dims and n_seeds > 1 else None
        x = axes_keys[0] if len(axes_keys) == 1 else axes_keys[1]
        if len(axes_keys) == 1:
            xs = mean[x].values
            numeric = np.issubdtype(xs.dtype, np.number)
            pos = xs if numeric else np.arange(xs.size)
            a.errorbar(pos, mean.values, yerr=None if spread is None else spread.values,
                       fmt="o-", capsize=3)
            if not numeric:
                a.set_xticks(pos, [str(v) for v in xs])
            a.set(xlabel=x, ylabel=label)
        else:
            y = axes_keys[0]
            grid = mean.transpose(y, x).values
            mesh = a.pcolormesh(np.arange(mean.sizes[x] + 1) - 0.5,
                                np.arange(mean.sizes[y] + 1) - 0.5, grid, shading="flat")
            for axis, key in (("x", x), ("y", y)):
                values = mean[key].values
                step = max(1, len(values) // 10)
                ticks = np.arange(0, len(values), step)
                getattr(a, f"set_{axis}ticks")(ticks, [f"{v:g}" if np.issubdtype(
                    values.dtype, np.number) else str(v) for v in values[ticks]])
            fig.colorbar(mesh, ax=a, label=label)
            a.set(xlabel=x, ylabel=y)
        if facet:
            a.set_title(", ".join(f"{k} = {v}" for k, v in facet.items()), fontsize=9)
    return fig
