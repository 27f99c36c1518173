"""``bouvier2018-fig9c``: the (ρ, β) regime map, analytic boundaries against simulations (Fig 9C)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import xarray as xr

from cerebellar.core import checks as ck
from cerebellar.core.params import param
from cerebellar.core.plotting import figure, panel_letter
from cerebellar.core.registry import Experiment, register
from cerebellar.models import reduced as rd
from cerebellar.models.reduced.params import ReducedParams
from cerebellar.papers import claim
from cerebellar.studies.corridor_runs import PAPER, corridor_offset, corridor_runs, drift_regime, window


@dataclass(frozen=True)
class RegimeMapParams(ReducedParams):
    """Grid over ρ × β (Δ𝒥 = β ΔP); one run per side per seed, classified by where it sits."""

    n_rho: int = param(20, low=3, high=500, doc="grid points in ρ")
    n_beta: int = param(20, low=3, high=500, doc="grid points in β")
    beta_max: float = param(3.0, low=0, high=100, low_open=True, doc="largest β")
    n_seeds: int = param(2, low=1, high=1000, doc="runs per grid point and side")
    n_trials: int = param(3000, low=100, high=10_000_000, units="trial", doc="trials per run")
    FULL: ClassVar[dict[str, Any]] = {"n_rho": 50, "n_beta": 50, "n_seeds": 4, "n_trials": 6000}

    def memory_bytes(self, runs: int = 1, record_every: int = 1) -> tuple[int, tuple[str, ...]]:
        """The grid's corridor runs (two sides × max(n_seeds, 2) per point) and the red dots'
        (two sides × max(n_seeds, `DOT_SEEDS`) each), recorded every `SAMPLE_EVERY` trials."""
        grid = self.n_rho * self.n_beta * max(self.n_seeds, 2)
        dots = len(RED_DOTS) * max(self.n_seeds, DOT_SEEDS)
        return (super().memory_bytes(2 * runs * (grid + dots), SAMPLE_EVERY)[0],
                ("n_rho", "n_beta", "n_seeds", "n_trials"))


SAMPLE_EVERY = 5
"""Positions in the corridors are averaged over every 5th trial (the runs themselves are
unchanged): at --full the 50 × 50 grid's trajectories then take 0.4 GB instead of 1.9 GB."""


RED_DOTS = {
    "bouvier2018.fig9c.red_dot": (0.2, 2.0),        # Fig 9E,F
    "bouvier2018.app1.regime_AB": (0.5, 2.0),       # Appendix 1—figure 1A,B
    "bouvier2018.app1.regime_CD": (0.75, 2.0),      # Appendix 1—figure 1C,D
    "bouvier2018.app1.only_C_plus": (0.75, 0.25),   # Appendix 1—figure 1E,F
}
"""The red dots of Fig 9C, (ρ, β), by the papers.toml entry stating their regime: each is also
run at exactly its (ρ, β), at the map's A and ΔP (the regimes depend on ρ, β and q only)."""

DOT_SEEDS = 20
"""Runs per red dot and side (a dot's regime is read from its mean corridor offset)."""


ESCAPE_OFFSET = -0.2
"""Below the target, a mean path more than a fifth of the corridor's width above D− (offset
< −0.2) has crossed D− instead of following it: in the D− regime 𝒥 is pushed back to D− from
above and its excursions go below D−, so its mean sits on D− or under it. Crossing D− is the mark
of the excluded domain β < (1 − q)ρ, where Eq 27's drift carries the point to the upper corridor
(Appendix 1—figure 1E; with A = 10 it meets C+ below R and ends at the fixed point)."""


def _regimes(runs: xr.Dataset, A: float, q: float, R: float) -> dict[str, xr.DataArray]:
    """Mean corridor offsets (0 on D, 1 on C) inside each side's window."""
    out = {}
    for side in ("above", "below"):
        lo, hi = window(side, R)
        P, J = runs.P.sel(side=side, drop=True), runs.J.sel(side=side, drop=True)
        inside = (P >= lo) & (P <= hi)
        offset = corridor_offset(P, J, side, A, q, R).where(inside).mean(("seed", "trial"))
        out[f"offset_{side}"] = offset.assign_attrs(long_name=f"mean corridor offset {side}")
    return out


def run_fig9c(params: RegimeMapParams, rng: np.random.Generator) -> xr.Dataset:
    rho = xr.DataArray(np.linspace(0.02, 0.98, params.n_rho), dims="rho")
    beta = xr.DataArray(np.linspace(params.beta_max / params.n_beta, params.beta_max,
                                    params.n_beta), dims="beta")
    rho, beta = rho.assign_coords(rho=rho.values), beta.assign_coords(beta=beta.values)
    runs = corridor_runs(params, rng, max(params.n_seeds, 2), rho=rho, dJ=beta * params.dP,
                         record_every=SAMPLE_EVERY)
    A, q, R = params.A, params.q, params.R
    ds = xr.Dataset(_regimes(runs, A, q, R))
    ds["dJ"] = beta * params.dP
    dot = xr.DataArray(list(RED_DOTS), dims="dot")
    dot_rho = xr.DataArray([r for r, _ in RED_DOTS.values()], dims="dot", coords={"dot": dot})
    dot_beta = xr.DataArray([b for _, b in RED_DOTS.values()], dims="dot", coords={"dot": dot})
    dots = corridor_runs(params, rng, max(params.n_seeds, DOT_SEEDS), rho=dot_rho,
                         dJ=dot_beta * params.dP, record_every=SAMPLE_EVERY)
    for k, v in _regimes(dots, A, q, R).items():
        ds[f"dot_{k}"] = v
    ds["dot_rho"], ds["dot_beta"] = dot_rho, dot_beta
    return ds


def measured_regimes(ds: xr.Dataset, prefix: str = "") -> tuple[xr.DataArray, xr.DataArray]:
    """('D+' or 'C+', 'D-' or 'C-' or 'C+') from the measured offsets (0 on D, 1 on C)."""
    upper = xr.where(ds[f"{prefix}offset_above"] > 0.5, "C+", "D+")
    lower = xr.where(ds[f"{prefix}offset_below"] < ESCAPE_OFFSET, "C+",
                     xr.where(ds[f"{prefix}offset_below"] > 0.5, "C-", "D-"))
    return upper, lower


def checks_fig9c(ds: xr.Dataset) -> list[ck.Check]:
    """The measured regime map against the boundaries derived from the drifts (written apart
    from the model's `reduced.regime`), away from the boundaries; the red dots' regimes
    against the legends of Fig 9C and Appendix 1—figure 1."""
    q = ds.attrs["q"]
    up_pred, low_pred = drift_regime(ds.rho.values[:, None], ds.beta.values[None, :], q)
    up_meas, low_meas = measured_regimes(ds[["offset_above", "offset_below"]].transpose("rho", "beta"))

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
    cite = "Bouvier 2018 Fig 9C; Appendix 1 Phase 2 (boundaries from the drifts, Eqs 27, 31)"
    rows = [
        ck.at_least("above the target: measured regime = analytic (D+ iff ρ < β/(q+1+2β)), "
                    "cells away from the boundary", 0.95, float(agree_up), source="theory",
                    cite=cite),
        ck.at_least("below the target: measured = analytic (C− iff β > 1−q and ρ > β/(2β+q−1); "
                    "β < (1−q)ρ → C+), cells away from the boundaries", 0.95, float(agree_low),
                    source="theory", cite=cite),
    ]
    off = ck.off_setting(ds.attrs, {"q": 0.5})  # Fig 9C's q (the Fig 9E,F legend)
    up_dot, low_dot = measured_regimes(ds, "dot_")
    for key in RED_DOTS:
        legend = claim(key)
        got = f"{up_dot.sel(dot=key).item()}/{low_dot.sel(dot=key).item()}"
        rho, beta = float(ds.dot_rho.sel(dot=key)), float(ds.dot_beta.sel(dot=key))
        rows.append(legend.holds(
            got == legend.value, expected=legend.value,
            got=f"{got} (offsets {float(ds.dot_offset_above.sel(dot=key)):.2f} above, "
                f"{float(ds.dot_offset_below.sel(dot=key)):.2f} below)",
            what=f"red dot ρ = {rho:g}, β = {beta:g}: measured regime (above/below the target)",
            off=off))
    return rows


def plot_fig9c(ds: xr.Dataset):
    from matplotlib import colormaps

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
    ax[0, 1].contour(ds.rho, ds.beta, ds.offset_below.transpose("beta", "rho"),
                     levels=[ESCAPE_OFFSET], colors="g")
    for a in ax[0]:
        if "dot_rho" in ds:
            a.plot(ds.dot_rho, ds.dot_beta, "ro", label="red dots (Fig 9E,F; Appendix 1—figure 1)")
        a.set_ylim(0, float(ds.beta.max()))
    ax[0, 1].legend(fontsize=7, loc="upper left")
    for a, letter in zip(ax[0], ("C", "C′"), strict=True):
        panel_letter(a, letter)
    return fig


register(Experiment(
    name="bouvier2018-fig9c",
    reproduces=f"{PAPER}, Fig 9C: regime map over (ρ, β), analytic boundaries vs simulations",
    params=RegimeMapParams, run=run_fig9c, plot=plot_fig9c, checks=checks_fig9c))
