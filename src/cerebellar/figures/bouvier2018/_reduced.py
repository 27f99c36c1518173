"""Helpers shared by the reduced-model experiments of Bouvier et al. 2018 (Appendix 1)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import xarray as xr

from cerebellar.core.params import param
from cerebellar.sgdege import reduced as rd
from cerebellar.sgdege.reduced import ReducedParams

PAPER = "Bouvier et al. 2018"


UPPER_WINDOW = (10.0, 50.0)   # P − R during the upper-corridor speed fit


LOWER_WINDOW = (15.0, 45.0)   # R − P during the lower-corridor speed fit


OFF_LATTICE = 0.37


"""Starts sit at non-integer offsets from R so that P + A = R is never reachable (spec §7b)."""


def corridor_start(side: str, A, q, R, distance: float):
    """A point midway across the corridor at |P − R| ≈ distance (above or below the target)."""
    distance = distance + OFF_LATTICE
    if side == "above":
        P = R + distance
        return P, (1 + q) * P - R + (1 + q) * A / 2
    P = R - distance
    return P, R - (1 - q) * (P + A / 2)


def slope(trial: np.ndarray, P: np.ndarray, lo: float, hi: float) -> float:
    """Least-squares slope of P over the trials where lo <= P <= hi (NaN if fewer than 5)."""
    inside = (P >= lo) & (P <= hi)
    if inside.sum() < 5:
        return float("nan")
    return float(np.polyfit(trial[inside], P[inside], 1)[0])


def corridor_runs(params: ReducedParams, rng: np.random.Generator, n_seeds: int,
                  **batch: Any) -> xr.Dataset:
    """Runs started inside the upper and lower corridors (dim ``side``), ``n_seeds`` each."""
    A = batch.get("A", params.A)
    q = batch.get("q", params.q)
    starts = [corridor_start(s, A, q, params.R, d) for s, d in
              (("above", UPPER_WINDOW[1] + 10), ("below", min(LOWER_WINDOW[1] + 5, params.R - 1)))]
    P0 = xr.concat([xr.DataArray(p) for p, _ in starts], dim="side")
    J0 = xr.concat([xr.DataArray(j) for _, j in starts], dim="side")
    ds = rd.simulate(params, rng, n_seeds=n_seeds, P0=P0.clip(min=0),
                     J0=J0.clip(min=0), **batch)
    return ds.assign_coords(side=["above", "below"])


def measured_speeds(runs: xr.Dataset, R: float) -> tuple[xr.DataArray, xr.DataArray]:
    """Corridor speeds from the seed-mean of :func:`corridor_runs` (above, below)."""
    mean = runs.P.mean("seed")
    t = runs.trial.values
    up = xr.apply_ufunc(lambda P: slope(t, P, R + UPPER_WINDOW[0], R + UPPER_WINDOW[1]),
                        mean.sel(side="above"), input_core_dims=[["trial"]], vectorize=True)
    low = xr.apply_ufunc(lambda P: slope(t, P, R - LOWER_WINDOW[1], R - LOWER_WINDOW[0]),
                         mean.sel(side="below"), input_core_dims=[["trial"]], vectorize=True)
    return up, low


def trajectory_starts(R: float) -> tuple[np.ndarray, np.ndarray]:
    """Initial (P, 𝒥) points for the phase-plane panels [NS: not given in the paper]."""
    P0 = np.array([R + 50, R + 50, R - 45, R - 45, R + 20, R - 20]) + OFF_LATTICE
    J0 = np.array([0.0, 150.0, 0.0, 120.0, 90.0, 10.0])
    return P0, J0


def _plane(ax, P, J, attrs, lines=True) -> None:
    """Trajectories in the (P, 𝒥) plane with the lines C±, D± (spec §5.3)."""
    for p, j in zip(P, J, strict=True):
        ax.plot(p, j, lw=0.8)
        ax.plot(p[0], j[0], "ko", ms=3)
    if lines:
        grid = np.linspace(0, max(np.nanmax(P), attrs["R"] + 10), 200)
        styles = {"C+": ("tab:red", "-"), "D+": ("tab:red", "--"), "C-": ("tab:blue", "-"),
                  "D-": ("tab:blue", "--")}
        for name, y in rd.lines(grid, attrs["A"], attrs["q"], attrs["R"]).items():
            ax.plot(grid, y, color=styles[name][0], ls=styles[name][1], lw=1.2, label=name)
    ax.set(xlabel="P [Hz]", ylabel=r"$\mathcal{J}$ [Hz]", ylim=(0, max(np.nanmax(J), 10) * 1.05))
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))


@dataclass(frozen=True)
class CorridorParams(ReducedParams):
    """Phase-plane trajectories and corridor speeds of Fig 9E,F (defaults) [NS: starts, R]."""

    n_trials: int = param(1500, low=100, high=10_000_000, units="trial", doc="trials per run")
    n_seeds: int = param(100, low=2, high=100_000, doc="runs averaged for the speed fits")
    FULL: ClassVar[dict[str, Any]] = {"n_seeds": 1000, "n_trials": 3000}
    SCALE: ClassVar[tuple[str, ...]] = ("n_trials", "n_seeds", "P0", "J0")
