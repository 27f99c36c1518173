"""Run status: ``ok`` or ``diverged``, recorded in a result's attributes.

Models watch their own state for non-finite values and runaway (rates pinned at a bound, an error
far above its start, weights exploding) and call `mark_diverged`; experiments that combine
several runs call `merge`. `summary` gives the one line the CLI prints, naming the
step-size parameters most likely responsible (``Params.STEP_PARAMS`` changed from their defaults).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import xarray as xr

if TYPE_CHECKING:
    from .params import Params

OK, DIVERGED = "ok", "diverged"


def mark_diverged(ds: xr.Dataset, at: int, unit: str, why: str) -> xr.Dataset:
    """Record in ``ds.attrs`` that the run diverged at ``unit`` ``at`` because ``why``."""
    ds.attrs.update(status=DIVERGED, diverged_at=int(at), diverged_unit=unit, divergence=why)
    return ds


def diverged(ds: xr.Dataset) -> bool:
    return ds.attrs.get("status") == DIVERGED


def merge(ds: xr.Dataset, runs: Iterable[xr.Dataset]) -> xr.Dataset:
    """Copy the first diverged run's status (if any) onto the combined dataset ``ds``."""
    for run in runs:
        if diverged(run):
            a = run.attrs
            return mark_diverged(ds, a["diverged_at"], a["diverged_unit"], a["divergence"])
    return ds


def suspects(params: Params) -> list[str]:
    """Step-size parameters changed from their defaults (else every changed parameter); a
    component's setting (``COMPONENT.SETTING``, a rule's rate) counts as a step size."""
    now, default = params.flat_dict(), type(params)().flat_dict()
    changed = [n for n in now if now[n] != default.get(n)]
    steps = [n for n in changed if n in type(params).STEP_PARAMS or "." in n]
    return [f"{n} = {now[n]!r}" + (f" (default {default[n]!r})" if n in default else "")
            for n in (steps or changed)]


def summary(ds: xr.Dataset, params: Params) -> str:
    """One line: which run diverged, when, why, and the parameters most likely responsible."""
    a = ds.attrs
    blame = suspects(params)
    who = ("; parameters most likely responsible: " + ", ".join(blame)) if blame else \
        " at the default parameters"
    return (f"{a.get('experiment', 'run')} diverged at {a['diverged_unit']} {a['diverged_at']}: "
            f"{a['divergence']}{who}")
