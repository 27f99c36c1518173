"""``bouvier2018-fig9d``: q > 1 does not converge (Fig 9D)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import xarray as xr

from cerebellar.core import checks as ck
from cerebellar.core.params import param
from cerebellar.core.plotting import figure
from cerebellar.core.registry import Experiment, register
from cerebellar.models import reduced as rd
from cerebellar.models.reduced.params import ReducedParams
from cerebellar.papers import claim
from cerebellar.studies.corridor_runs import PAPER, CorridorParams, plot_plane, trajectory_starts


@dataclass(frozen=True)
class NoConvergenceParams(CorridorParams):
    q: float = param(1.5, low=0, high=10, doc="PC→NO relative strength (Fig 9D: q > 1) [NS]")
    n_trials: int = param(3000, low=100, high=10_000_000, units="trial", doc="trials per run")
    n_seeds: int = param(20, low=2, high=100_000, doc="runs per start")
    NOT_STATED: ClassVar[dict[str, str]] = {**ReducedParams.NOT_STATED,
                                            "q": "the q of Fig 9D is not stated (its legend: q > 1); 1.5"}

    def memory_bytes(self, runs: int = 1, record_every: int = 1) -> tuple[int, tuple[str, ...]]:
        """Two batches (q and q = 0.5) of n_seeds runs per start recorded every `EVERY` trials,
        and `SHOWN` per start recorded every trial."""
        starts = runs * len(trajectory_starts(self.R)[0])
        sampled = ReducedParams.memory_bytes(self, 2 * starts * self.n_seeds, EVERY)[0]
        return sampled + ReducedParams.memory_bytes(self, starts * SHOWN)[0], ("n_seeds", "n_trials")


SHOWN = 3
"""Runs per start kept trial by trial (the figure draws seed 0); the others every 10 trials."""
EVERY = 10



def run_fig9d(params: NoConvergenceParams, rng: np.random.Generator) -> xr.Dataset:
    """Every run recorded every 10 trials (the checks read the last 200 trials of each) and the
    first few trial by trial for the figure: a lean file at any number of seeds."""
    P0, J0 = trajectory_starts(params.R)
    starts = dict(P0=xr.DataArray(P0, dims="start"), J0=xr.DataArray(J0, dims="start"))
    ds = rd.simulate(params, rng, n_seeds=params.n_seeds, record_every=EVERY, **starts)
    ds["converged_q05"] = rd.simulate(params.replace(q=0.5), rng, n_seeds=params.n_seeds,
                                      record_every=EVERY, **starts).P
    shown = rd.simulate(params, rng, n_seeds=min(SHOWN, params.n_seeds), **starts)
    ds = ds.rename(trial="sampled_trial")
    ds["P_shown"] = shown.P.rename(seed="shown_seed")
    ds["J_shown"] = shown.J.rename(seed="shown_seed")
    return ds.assign_coords(start=np.arange(P0.size))


def checks_fig9d(ds: xr.Dataset) -> list[ck.Check]:
    """Fig 9D: for q > 1 the point goes down the C+/D+ corridor and continues along C−/D−
    "without stopping close to the desired target rate R". Closeness to R is measured as in the
    control, the same starts at q = 0.5, whose runs do stop close to R: at the fixed point
    R − A(q + 1)/2, within A of R for any q < 1."""
    a = ds.attrs
    late = slice(-200 // EVERY, None)          # the last 200 trials, every 10th
    tail = ds.P.isel(sampled_trial=late)
    near = float((abs(tail - a["R"]) < a["A"]).mean())
    ok = ds.converged_q05.isel(sampled_trial=late)
    ok_near = float((abs(ok - a["R"]) < a["A"]).mean())
    P_fix = float(rd.fixed_point(a["A"], 0.5, a["R"])[0])
    ok_fix = float((abs(ok - P_fix) < a["A"] / 4).mean())  # the q = 0 point is A/4 away
    above = ds.P.start.values[ds.P.isel(sampled_trial=0, seed=0).values > a["R"]]
    crossed = ds.P.sel(start=above).isel(sampled_trial=late).max("sampled_trial") < a["R"] - a["A"]
    off = "" if a["q"] > 1 else f"q = {a['q']:g}: the claim is about q > 1"
    no_fix = claim("bouvier2018.fig9d.no_convergence")
    return [
        no_fix.holds(near <= 0.05, what=f"q = {a['q']:g}: fraction of late samples (last 200 "
                     "trials) within A of R ≤ 0.05 (the q = 0.5 control below: ≥ 0.95)",
                     got=near, off=off),
        no_fix.holds(bool(crossed.all()), what=f"q = {a['q']:g}: every run started above R went "
                     "down past the target and stays more than A below it (C−/D− corridor)",
                     got=f"{int(crossed.sum())} of {crossed.size} runs from above end below R − A "
                         f"(late mean P = {float(tail.mean()):.2f}, R = {a['R']:g})", off=off),
        ck.at_least("control q = 0.5, same starts: fraction of late samples within A of R "
                    "(runs stop close to R)", 0.95, ok_near, source="theory",
                    cite="Bouvier 2018 Appendix 1, Phase 3 (q < 1: C+ ∩ D− at R − A(q + 1)/2)"),
        ck.at_least("control q = 0.5: fraction of late samples within A/4 of the fixed point "
                    "R − A(q + 1)/2", 0.95, ok_fix, source="theory",
                    cite="Bouvier 2018 Appendix 1, Phase 3 (q < 1: C+ ∩ D−)"),
    ]


def plot_fig9d(ds: xr.Dataset):
    fig, ax = figure(1, 2, title=f"Fig 9D: q = {ds.attrs['q']:g} > 1, no convergence")
    plot_plane(ax[0, 0], ds.P_shown.isel(shown_seed=0).values, ds.J_shown.isel(shown_seed=0).values,
           ds.attrs)
    for p in ds.P_shown.isel(shown_seed=0).values:
        ax[0, 1].plot(ds.trial, p, lw=0.8)
    ax[0, 1].axhline(ds.attrs["R"], color="k", ls=":", label="R")
    ax[0, 1].set(xlabel="trial τ [trial]", ylabel="P [Hz]", title="P(τ)")
    ax[0, 1].legend()
    return fig


register(Experiment(
    name="bouvier2018-fig9d", reproduces=f"{PAPER}, Fig 9D: q > 1, no convergence",
    params=NoConvergenceParams, run=run_fig9d, plot=plot_fig9d, checks=checks_fig9d))
