"""Helpers shared by the reduced-model experiments of Bouvier et al. 2018 (Appendix 1)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import xarray as xr

from cerebellar.core.params import param
from cerebellar.models import reduced as rd
from cerebellar.models.reduced.params import ReducedParams

PAPER = "Bouvier et al. 2018"


UPPER_WINDOW = (10.0, 50.0)   # P − R during the upper-corridor speed fit


LOWER_WINDOW = (15.0, 45.0)   # R − P during the lower-corridor speed fit


OFF_LATTICE = 0.37
"""Starts sit at non-integer offsets from R so that P + A = R is never reachable (Appendix 1:
the updates of Eqs 19-26 are stated for ℰ > ℐ and ℰ < ℐ only; a tie ℰ = ℐ is left open)."""

J_OFF_LATTICE = 0.29
"""𝒥 of a corridor start sits this far off the corridor's midline. A tie ℰ = ℐ means the point
lies exactly on one of the lines C±, D±; from a start exactly midway between two lines, the
lattice of (±ΔP, ±Δ𝒥) steps reaches the lines themselves (at the defaults the vertical distance
from a line moves in multiples of 0.5), and the eCS then hangs on rounding. With this offset the
lattice misses the lines: each experiment's tie row counts the states that meet one."""

GROUPS = 10
"""Seeds are averaged in this many groups for standard errors (seed k in group k mod 10)."""


def corridor_start(side: str, A, q, R, distance: float):
    """A point near the middle of the corridor at |P − R| ≈ distance (above or below the target)."""
    distance = distance + OFF_LATTICE
    if side == "above":
        P = R + distance
        return P, (1 + q) * P - R + (1 + q) * A / 2 + J_OFF_LATTICE
    P = R - distance
    return P, R - (1 - q) * (P + A / 2) + J_OFF_LATTICE


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


def group_means(da: xr.DataArray, groups: int = GROUPS) -> xr.DataArray:
    """Means over seeds in ``groups`` groups of equal size (seed k in group k mod ``groups``;
    the last n_seeds mod ``groups`` seeds are left out): dim ``group`` in place of ``seed``."""
    g = min(groups, da.sizes["seed"])
    m = da.sizes["seed"] // g * g
    x = da.isel(seed=slice(0, m)).transpose(..., "seed", "trial")
    means = x.values.reshape(*x.shape[:-2], m // g, g, x.shape[-1]).mean(axis=-3)
    return xr.DataArray(means, dims=(*x.dims[:-2], "group", "trial"),
                        coords={k: v for k, v in x.coords.items() if "seed" not in v.dims})


def measured_speeds(runs: xr.Dataset, R: float, over: str = "seed") -> tuple[xr.DataArray, xr.DataArray]:
    """Corridor speeds (P's slope over the trials in the windows) of the mean over ``over`` of the
    runs of `corridor_runs` (above, below). With ``over=None``, the slopes of ``runs.P``
    itself (e.g. of group means, one slope per group)."""
    mean = runs.P.mean(over) if over else runs.P
    t = runs.trial.values
    up = xr.apply_ufunc(lambda P: slope(t, P, R + UPPER_WINDOW[0], R + UPPER_WINDOW[1]),
                        mean.sel(side="above"), input_core_dims=[["trial"]], vectorize=True)
    low = xr.apply_ufunc(lambda P: slope(t, P, R - LOWER_WINDOW[1], R - LOWER_WINDOW[0]),
                         mean.sel(side="below"), input_core_dims=[["trial"]], vectorize=True)
    return up, low


def path_slope(P: np.ndarray, J: np.ndarray, lo: float, hi: float) -> float:
    """Least-squares slope d𝒥/dP of a (P, 𝒥) path over the samples with lo <= P <= hi (NaN if
    fewer than 5)."""
    inside = (P >= lo) & (P <= hi)
    if inside.sum() < 5:
        return float("nan")
    return float(np.polyfit(P[inside], J[inside], 1)[0])


def window(side: str, R: float) -> tuple[float, float]:
    """The P range of the speed and geometry fits on ``side`` ('above' or 'below' the target)."""
    if side == "above":
        return R + UPPER_WINDOW[0], R + UPPER_WINDOW[1]
    return R - LOWER_WINDOW[1], R - LOWER_WINDOW[0]


def corridor_offset(P, J, side: str, A, q, R):
    """Position across the corridor: 0 on the D line, 1 on the C line (Fig 9B; Appendix 1:
    D± is 𝒥 = (q ± 1)P ∓ R and C± the same line shifted by A in P, so the two are (1 + q)A apart
    in 𝒥 above the target and (1 − q)A below it). Works on arrays and DataArrays alike."""
    if side == "above":
        return (J - ((1 + q) * P - R)) / ((1 + q) * A)
    return ((R - (1 - q) * P) - J) / ((1 - q) * A)


def drift_regime(rho, beta, q):
    """The lines the point follows above and below the target, ('D+' or 'C+', 'D−'/'C−'/'C+'),
    derived from the mean drifts, independently of `reduced.regime` (which states the
    boundaries as printed): inside the upper corridor a Δ𝒥 update (probability 1 − ρ) lowers 𝒥
    by Δ𝒥 and a ΔPΔ𝒥 update moves the point by (−ΔP, +Δ𝒥) (Eq 31), so its height above D+
    (slope 1 + q) changes by [(2ρ − 1)β + (1 + q)ρ]ΔP per trial: it sinks to D+ if that is
    negative, else rises to C+. Inside the lower corridor the moves are +Δ𝒥 and (+ΔP, −Δ𝒥), the
    height relative to D− (slope q − 1) changes by [(1 − 2ρ)β + (1 − q)ρ]ΔP: D− if positive,
    else C−. Below the target and above D−, Eq 27's drift (ρΔP, −Δ𝒥) has slope −β/ρ; if that is
    shallower than D−, β/ρ < 1 − q, the point never meets D− and ends in the upper corridor
    ('C+', Appendix 1—figure 1E)."""
    rho, beta = np.broadcast_arrays(np.asarray(rho, float), np.asarray(beta, float))
    upper = np.where((2 * rho - 1) * beta + (1 + q) * rho < 0, "D+", "C+")
    lower = np.where((1 - 2 * rho) * beta + (1 - q) * rho > 0, "D-", "C-")
    lower = np.where(beta < (1 - q) * rho, "C+", lower)
    return upper, lower


def batch_se(x: np.ndarray, batches: int = 5) -> float:
    """Standard error of the mean of one run's series ``x`` by batch means (``batches`` equal
    consecutive batches; P's autocorrelation at the fixed point falls below 0.05 within 20 trials,
    so batches of 40 or more trials are nearly independent)."""
    n = x.size // batches * batches
    if n < 2 * batches:
        return float("nan")
    means = x[-n:].reshape(batches, -1).mean(1)
    return float(means.std(ddof=1) / np.sqrt(batches))


def tie_count(P, J, A, q, R) -> int:
    """States (P, 𝒥) at which either comparison of a trial, unperturbed (ℰ vs ℐ) or perturbed
    (ℰ_p vs [𝒥 − qP − qA]_+), would be a tie up to rounding (1e-9 of the scale): where Eqs 19-26
    leave the update unstated and our convention (a tie is no eCS) would decide. ``P``, ``J``
    are DataArrays (``A`` a number or a DataArray over some of their dims) or arrays."""
    if isinstance(P, xr.DataArray):
        A = (xr.DataArray(A) if np.ndim(A) == 0 else A).broadcast_like(P.isel(trial=0))
        A = A.transpose(*[d for d in P.dims if d != "trial"]).values[..., None]
        P, J = P.values, J.transpose(*P.dims).values
    scale = 1e-9 * max(1.0, abs(float(R)), float(np.abs(P).max()))
    n = 0
    for shift in (0.0, A):
        out = P + shift
        gap = np.abs(out - R)
        gap -= np.maximum(J - q * out, 0.0)
        n += int(np.count_nonzero(np.abs(gap, out=gap) <= scale))
    return n


def trajectory_starts(R: float) -> tuple[np.ndarray, np.ndarray]:
    """Initial (P, 𝒥) points for the phase-plane panels [NS: not given in the paper]."""
    P0 = np.array([R + 50, R + 50, R - 45, R - 45, R + 20, R - 20]) + OFF_LATTICE
    J0 = np.array([0.0, 150.0, 0.0, 120.0, 90.0, 10.0])
    return P0, J0


def plot_plane(ax, P, J, attrs, lines=True) -> None:
    """Trajectories in the (P, 𝒥) plane with the lines C±, D± (Fig 9B)."""
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

    def memory_bytes(self, runs: int = 1, record_every: int = 1) -> tuple[int, tuple[str, ...]]:
        """One panel's runs with every trial recorded: two sides × n_seeds corridor runs and the
        six phase-plane trajectories."""
        runs = runs * (2 * self.n_seeds + len(trajectory_starts(self.R)[0]))
        return super().memory_bytes(runs, record_every)[0], ("n_seeds", "n_trials")
