"""``bouvier2018-fig7``: the olive's adaptive tracking of the mean error (Fig 7)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import xarray as xr

from cerebellar.core import checks as ck
from cerebellar.core.params import Params, param
from cerebellar.core.plotting import figure
from cerebellar.core.registry import Experiment, register
from cerebellar.figures.bouvier2018._network import (
    PAPER,
)
from cerebellar.papers import claim
from cerebellar.rules import ecs_sign


@dataclass(frozen=True)
class OliveParams(Params):
    """An error fluctuating around a (slowly falling) mean; the inhibition steps up after each
    eCS and down otherwise (Eq 10 seen from the olive)."""

    error_mean: float = param(17.5, low=0, high=1e4, units="Hz", doc="initial central error")
    error_sd: float = param(2.0, low=0, high=1e4, units="Hz", doc="movement-to-movement spread")
    decline: float = param(0.5, low=0, high=1, doc="fraction by which the central error falls")
    step: float = param(0.05, low=0, high=1e3, low_open=True, units="Hz", doc="ℐ step per movement")
    inhibition0: float = param(12.0, low=0, high=1e4, units="Hz", doc="initial ℐ")
    n_movements: int = param(4000, low=10, high=100_000_000, doc="movements")
    FULL: ClassVar[dict[str, Any]] = {"n_movements": 20_000}
    NOT_STATED: ClassVar[dict[str, str]] = {"all": "Fig 7 is schematic: every value here is a choice"}


def run_fig7(params: OliveParams, rng: np.random.Generator) -> xr.Dataset:
    n = params.n_movements
    centre = params.error_mean * (1 - params.decline * np.arange(n) / n)
    error = centre + params.error_sd * rng.standard_normal(n)
    inhibition = np.empty(n)
    I = params.inhibition0
    for k in range(n):
        inhibition[k] = I
        I = max(I + params.step * ecs_sign(error[k], I), 0.0)
    ecs = error > inhibition
    return xr.Dataset(
        dict(error=("movement", error, dict(units="Hz")),
             inhibition=("movement", inhibition, dict(units="Hz")),
             centre=("movement", centre, dict(units="Hz", long_name="central error")),
             ecs=("movement", ecs)),
        coords=dict(movement=np.arange(n)))


def checks_fig7(ds: xr.Dataset) -> list[ck.Check]:
    late = ds.isel(movement=slice(ds.sizes["movement"] // 4, None))
    above = late.error > late.centre
    step = ds.attrs["step"]
    return [
        claim("bouvier2018.fig7.tracks").check(
            float(abs(late.inhibition - late.centre).mean()),
            what=f"after lock-on, mean |ℐ − central error| (≤ 3 steps + 2 % of the error: "
                 f"{3 * step + 0.02 * ds.attrs['error_mean']:.3g} Hz)",
            atol=3 * step + 0.02 * ds.attrs["error_mean"]),
        ck.close("after lock-on, fraction of movements with an eCS (a ±step rule settles at the "
                 "median: 1/2)", 0.5, float(late.ecs.mean()), atol=0.05, source="theory",
                 cite="Bouvier 2018 Eq 10 seen from the olive (symmetric steps)"),
        claim("bouvier2018.fig7.ecs_above").check(
            float(above.where(late.ecs).mean()), what="P(error > centre | eCS)"),
        claim("bouvier2018.fig7.ecs_above").check(
            float((~above).where(~late.ecs).mean()), what="P(error < centre | no eCS)"),
    ]


def plot_fig7(ds: xr.Dataset):
    fig, ax = figure(1, 1, title="Fig 7: the olive tracks the mean error", width=8)
    a = ax[0, 0]
    a.plot(ds.movement, ds.error, ".", ms=2, color="0.6", label="error ℰ per movement")
    a.plot(ds.movement, ds.centre, "k-", label="central error")
    a.plot(ds.movement, ds.inhibition, "r-", label="inhibition ℐ")
    k = ds.movement[ds.ecs]
    a.plot(k, ds.error[ds.ecs], "|", color="tab:blue", ms=4, label="eCS")
    a.set(xlabel="movement [trial]", ylabel="rate [Hz]")
    a.legend(fontsize=8)
    return fig


register(Experiment(
    name="bouvier2018-fig7",
    reproduces=f"{PAPER}, Fig 7: adaptive tracking of the mean error by the inferior olive",
    params=OliveParams, run=run_fig7, plot=plot_fig7, checks=checks_fig7))
