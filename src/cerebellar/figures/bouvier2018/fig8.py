"""``bouvier2018-fig8``: two movements learnt from one scalar error (Fig 8)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from cerebellar.core import checks as ck
from cerebellar.core.params import param
from cerebellar.core.registry import Experiment, register
from cerebellar.models.network.params import NetworkParams
from cerebellar.models.network.simulate import simulate
from cerebellar.papers import claim
from cerebellar.studies.network_runs import PAPER, final_error, learning_rows, plot_learning, smoothed


@dataclass(frozen=True)
class Fig8Params(NetworkParams):
    """Table 2; the quick default runs a third of the paper's 60 000 trials per pattern."""

    trials_per_pattern: int = param(20_000, low=1, high=100_000_000, units="trial",
                                    doc="movements of each pattern (paper: 60 000)")


def run_fig8(params: NetworkParams, rng: np.random.Generator) -> xr.Dataset:
    return simulate(params, rng)


def checks_fig8(ds: xr.Dataset) -> list[ck.Check]:
    """Fig 8 and the Methods' initialisation (paper rows, at Table 2's setting), the
    reference simulation's initial error, and the learning at any scale from theory at the run's
    parameters (`learning_rows`: a pCS's size, the olive's rate and lock-on, the early
    descent)."""
    a = ds.attrs
    E = ds.error.mean("pattern").values
    I = ds.inhibition.mean("pattern").values
    E0 = float(E[:20].mean())
    lock = np.flatnonzero(smoothed(I - E, 20) >= 0)
    t_lock = int(lock[0]) if lock.size else len(E)
    off = ck.off_setting(a, Fig8Params.paper_setting())
    n = a["trials_per_pattern"]
    short = "" if n >= 60_000 else f"{n} trials per pattern, not the paper's 60 000 (--full)"
    final = final_error(ds)
    target = ds.target.values.ravel()
    first, last = (ds.PN.isel(profile_trial=k).values.ravel() for k in (0, -1))
    se = "± 3 s.e. of one network's 800 cells (0.35 Hz) around the reference range"
    return [
        *learning_rows(ds),
        claim("bouvier2018.fig8.initial_pc").check(float(ds.initial_pc_mean), atol=2.0, off=off),
        claim("bouvier2018.fig8.initial_pn").check(float(ds.initial_pn_mean), atol=2.0, off=off),
        claim("bouvier2018.fig8.initial_no").check(float(ds.initial_no_mean), atol=2.0, off=off),
        claim("bouvier2018.fig8.initial_mismatch").check(
            E0 - float(I[:20].mean()), what="initial ℰ − ℐ, mean of the first 20 trials", off=off),
        claim("bouvier2018.fig8.initial_error").check(E0, what=f"initial ℰ ({se})",
                                                      atol=0.25 + 3 * 0.35, off=off),
        claim("bouvier2018.fig8.initial_profile").holds(
            abs(np.corrcoef(first, target)[0, 1]) < 0.2 and abs(first.mean() - a["r_d"]) < 3,
            got=f"mean PN {first.mean():.1f} Hz, corr(PN, R) = {np.corrcoef(first, target)[0, 1]:.2f}",
            off=off),
        claim("bouvier2018.fig8.no_fall_before_lock").check(
            float(E[min(t_lock, len(E) - 1)]) / E0,
            what=f"ℰ when ℐ first reaches it (trial {t_lock}) / initial ℰ", off=off),
        claim("bouvier2018.fig8.tracks").check(
            float(np.abs(ds.error - ds.inhibition).isel(trial=slice(t_lock + 200, None)).mean())
            if t_lock + 200 < len(E) else np.inf,
            what="mean over the movements of |ℰ − ℐ| per trial, from 200 trials after lock-on",
            off=off),
        claim("bouvier2018.fig8.learns").check(final / E0, what="final / initial error ℰ", off=off),
        claim("bouvier2018.fig8.final_error").check(
            final, what="final ℰ, mean over the last 1/12 of the trials (55 000-60 000)", atol=0.25,
            off=off or short),
        claim("bouvier2018.fig8.reduction").check(E0 / final, what="initial / final ℰ",
                                                  off=off or short),
        claim("bouvier2018.fig8.final_profile").check(
            float(np.corrcoef(last, target)[0, 1]),
            what=f"corr(final PN, target) over {target.size} neurone × bin × pattern values "
                 f"(mean |PN − R| = {np.abs(last - target).mean():.2f} Hz)", off=off or short),
    ]


register(Experiment(
    name="bouvier2018-fig8",
    reproduces=f"{PAPER}, Fig 8: two movements, 400 outputs learnt from one scalar error by SGDEGE",
    params=Fig8Params, run=run_fig8, checks=checks_fig8,
    plot=lambda ds: plot_learning(ds, f"Fig 8: SGDEGE network, {ds.attrs['n_patterns']} movements, "
                                       f"{ds.attrs['trials_per_pattern']} trials each")))
