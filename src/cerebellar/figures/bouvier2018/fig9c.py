"""``bouvier2018-fig9c``: the (ρ, β) regime map, analytic boundaries against simulations (Fig 9C)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import xarray as xr
from matplotlib import colormaps

from cerebellar.core import checks as ck
from cerebellar.core.params import param
from cerebellar.core.plotting import figure
from cerebellar.core.registry import Experiment, register
from cerebellar.figures.bouvier2018._reduced import (
    LOWER_WINDOW,
    PAPER,
    UPPER_WINDOW,
    corridor_runs,
)
from cerebellar.sgdege import reduced as rd
from cerebellar.sgdege.reduced import ReducedParams


@dataclass(frozen=True)
class RegimeMapParams(ReducedParams):
    """Grid over ρ × β (Δ𝒥 = β ΔP); one run per side per seed, classified by where it sits."""

    n_rho: int = param(20, low=3, high=500, doc="grid points in ρ")
    n_beta: int = param(20, low=3, high=500, doc="grid points in β")
    beta_max: float = param(3.0, low=0, high=100, low_open=True, doc="largest β")
    n_seeds: int = param(2, low=1, high=1000, doc="runs per grid point and side")
    n_trials: int = param(3000, low=100, high=10_000_000, units="trial", doc="trials per run")
    FULL: ClassVar[dict[str, Any]] = {"n_rho": 50, "n_beta": 50, "n_seeds": 4, "n_trials": 6000}


def corridor_offset(P: xr.DataArray, J: xr.DataArray, side: str, A: float, q: float,
                    R: float) -> xr.DataArray:
    """Position across the corridor: 0 on the D line, 1 on the C line (spec §5.3)."""
    d = rd.lines(P, A, q, R)
    if side == "above":
        return (J - d["D+"]) / ((1 + q) * A)
    return (d["D-"] - J) / ((1 - q) * A)


SAMPLE_EVERY = 5
"""Positions in the corridors are averaged over every 5th trial (the runs themselves are
unchanged): at --full the 50 × 50 grid's trajectories then take 0.4 GB instead of 1.9 GB."""


def run_fig9c(params: RegimeMapParams, rng: np.random.Generator) -> xr.Dataset:
    rho = xr.DataArray(np.linspace(0.02, 0.98, params.n_rho), dims="rho")
    beta = xr.DataArray(np.linspace(params.beta_max / params.n_beta, params.beta_max,
                                    params.n_beta), dims="beta")
    rho, beta = rho.assign_coords(rho=rho.values), beta.assign_coords(beta=beta.values)
    runs = corridor_runs(params, rng, max(params.n_seeds, 2), rho=rho, dJ=beta * params.dP,
                         record_every=SAMPLE_EVERY)
    A, q, R = params.A, params.q, params.R
    out = {}
    for side, window in (("above", (R + UPPER_WINDOW[0], R + UPPER_WINDOW[1])),
                         ("below", (R - LOWER_WINDOW[1], R - LOWER_WINDOW[0]))):
        P, J = runs.P.sel(side=side, drop=True), runs.J.sel(side=side, drop=True)
        inside = (P >= window[0]) & (P <= window[1])
        offset = corridor_offset(P, J, side, A, q, R).where(inside).mean(("seed", "trial"))
        out[f"offset_{side}"] = offset.assign_attrs(long_name=f"mean corridor offset {side}")
        if side == "below":  # crossed into the upper corridor (excluded domain)
            out["escaped_below"] = (P.isel(trial=-1) > R).mean("seed")
    ds = xr.Dataset(out)
    ds["dJ"] = beta * params.dP
    return ds


def measured_regimes(ds: xr.Dataset) -> tuple[xr.DataArray, xr.DataArray]:
    upper = xr.where(ds.offset_above > 0.5, "C+", "D+")
    lower = xr.where(ds.escaped_below > 0.5, "C+", xr.where(ds.offset_below > 0.5, "C-", "D-"))
    return upper, lower


def checks_fig9c(ds: xr.Dataset) -> list[ck.Check]:
    q = ds.attrs["q"]
    up_pred, low_pred = rd.regime(ds.rho.values[:, None], ds.beta.values[None, :], q)
    up_meas, low_meas = measured_regimes(ds.transpose("rho", "beta"))
    # grid cells next to an analytic boundary are ambiguous: compare away from them
    def interior(pred):
        same = np.ones(pred.shape, bool)
        same[1:, :] &= pred[1:, :] == pred[:-1, :]
        same[:-1, :] &= pred[:-1, :] == pred[1:, :]
        same[:, 1:] &= pred[:, 1:] == pred[:, :-1]
        same[:, :-1] &= pred[:, :-1] == pred[:, 1:]
        return same
    agree_up = (up_meas.values == up_pred)[interior(up_pred)].mean()
    agree_low = (low_meas.values == low_pred)[interior(low_pred)].mean()
    cite = "Bouvier 2018 Fig 9C; Appendix 1 Phase 2 boundaries"
    red = rd.regime(0.2, 2.0, q)
    return [
        ck.at_least("above the target: measured regime = analytic (D+/C+ at ρ = β/(q+1+2β))",
                    0.95, float(agree_up), source="theory", cite=cite),
        ck.at_least("below the target: measured = analytic (C−/D− at ρ = β/(2β+q−1), β > 1−q; "
                    "β < (1−q)ρ → C+)", 0.9, float(agree_low), source="theory", cite=cite),
        ck.equal("measured regime at the grid point nearest the red dot (ρ = .2, β = 2)",
                 f"{red[0]}/{red[1]}",
                 f"{up_meas.sel(rho=0.2, beta=2.0, method='nearest').item()}/"
                 f"{low_meas.sel(rho=0.2, beta=2.0, method='nearest').item()}",
                 source="theory", cite=cite),
    ]


def plot_fig9c(ds: xr.Dataset):
    q = ds.attrs["q"]
    fig, ax = figure(1, 2, title=f"Fig 9C: regimes over (ρ, β), q = {q:g} "
                                 "(colour: measured offset, 0 = on D, 1 = on C; lines: analytic)")
    b = np.linspace(1e-3, float(ds.beta.max()), 300)
    cmap = colormaps["coolwarm"].with_extremes(bad="0.75")
    for a, name, title in ((ax[0, 0], "offset_above", "above the target: D+ (0) vs C+ (1)"),
                           (ax[0, 1], "offset_below", "below the target: D− (0) vs C− (1)")):
        data = ds[name].transpose("beta", "rho")
        mesh = a.pcolormesh(ds.rho, ds.beta, data, vmin=0, vmax=1, cmap=cmap, shading="auto")
        fig.colorbar(mesh, ax=a, label="offset [dimensionless]")
        missing = int(data.isnull().sum())
        a.set(xlabel="ρ [dimensionless]", ylabel="β = ΔJ/ΔP [dimensionless]", xlim=(0, 1),
              title=title + (f"\ngrey: {missing} cell(s) where no run reached a corridor"
                             if missing else ""))
    ax[0, 0].plot(rd.upper_boundary(b, q), b, "k-", lw=2)
    low = rd.lower_boundary(b, q)
    ax[0, 1].plot(np.where(np.isfinite(low), low, np.nan), b, "k-", lw=2)
    ax[0, 1].plot(b / (1 - q) if q < 1 else b * np.nan, b, "k--", lw=1.5, label="β = (1−q)ρ")
    esc = ds.escaped_below.transpose("beta", "rho")
    ax[0, 1].contour(ds.rho, ds.beta, esc, levels=[0.5], colors="g")
    for a in ax[0]:
        a.plot(0.2, 2.0, "ro", label="Fig 9E,F point")
        a.set_ylim(0, float(ds.beta.max()))
    ax[0, 1].legend(fontsize=8)
    return fig


register(Experiment(
    name="bouvier2018-fig9c",
    reproduces=f"{PAPER}, Fig 9C: regime map over (ρ, β), analytic boundaries vs simulations",
    params=RegimeMapParams, run=run_fig9c, plot=plot_fig9c, checks=checks_fig9c))
