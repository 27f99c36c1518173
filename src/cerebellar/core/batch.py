"""Batches of parameter sets for vectorised simulators (one call, batch axes as named dims).

A batch value is a scalar (same for every run), a 1-D array (a new dim named after the
parameter, with the values as its coordinate) or an ``xarray.DataArray`` (its own dims, so
``eta_A=xr.DataArray(r, dims="r") * eta_D`` sweeps a derived quantity). Every value is validated
against the parameter's declared range.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import xarray as xr

from .errors import ParameterError
from .params import Params


def batch_arrays(params: Params, batch: dict[str, Any], allowed: Iterable[str]) -> dict[str, xr.DataArray]:
    """Every name in ``allowed`` as a validated DataArray, taking values from ``batch`` or
    ``params``; names given in ``batch`` come first, so dims follow the caller's keyword order."""
    allowed = list(allowed)
    unknown = [k for k in batch if k not in allowed]
    if unknown:
        raise ParameterError(f"parameter '{unknown[0]}' cannot vary in a batch; batchable: "
                             f"{', '.join(allowed)}")
    values: dict[str, xr.DataArray] = {}
    for name in [*batch, *(n for n in allowed if n not in batch)]:
        raw = batch.get(name, getattr(params, name))
        if isinstance(raw, xr.DataArray):
            values[name] = raw.copy(data=params.check_array(name, raw.values))
            continue
        arr = params.check_array(name, raw)
        if arr.ndim > 1:
            raise ParameterError(
                f"parameter '{name}': pass a 1-D array or an xarray.DataArray with named dims")
        da = xr.DataArray(arr, dims=(name,) if arr.ndim else ())
        values[name] = da.assign_coords({name: arr}) if arr.ndim else da
    return values


def broadcast_values(values: dict[str, xr.DataArray]) -> tuple[tuple, tuple, dict[str, np.ndarray]]:
    """(dims, shape, plain arrays) of all values broadcast against each other."""
    out = dict(zip(values, xr.broadcast(*values.values()), strict=True))
    first = next(iter(out.values()))
    return first.dims, first.shape, {k: da.values for k, da in out.items()}


def attach_batch(ds: xr.Dataset, values: dict[str, xr.DataArray], batch: dict[str, Any],
                 params: Params) -> xr.Dataset:
    """Record the batched values (as coordinates or variables) and the scalar parameters (attrs)."""
    batched = [name for name in batch if values[name].ndim]
    for name in batched:
        da = values[name]
        ds = ds.assign_coords({c: da.coords[c] for c in da.coords if c not in ds.coords})
        if name not in ds.coords:
            ds[name] = da.drop_vars(list(da.coords))
    ds.attrs.update({k: (int(v) if isinstance(v, bool) else v)
                     for k, v in params.flat_dict().items() if k not in batched})
    ds.attrs["batched"] = ",".join(batched)
    return ds
