"""``perceptron``: one perceptron learning run with any rule (Appendix 1 Eqs 36-42)."""

from __future__ import annotations

import numpy as np
import xarray as xr

from cerebellar.core import checks as ck
from cerebellar.core.plotting import figure
from cerebellar.core.registry import Experiment, register
from cerebellar.models.perceptron.params import PerceptronParams
from cerebellar.models.perceptron.simulate import simulate
from cerebellar.models.perceptron.theory import floor, floor_slack
from cerebellar.studies.load_sweep import FLOOR_LOAD, PAPER


def run_perceptron(params: PerceptronParams, rng: np.random.Generator) -> xr.Dataset:
    return simulate(params, rng)


def checks_perceptron(ds: xr.Dataset) -> list[ck.Check]:
    """Theory at the run's parameters, where it applies: the SGDEGE floor A(1+q)/2 and the delta
    rule's exact solution well below capacity, once the run is long enough to converge."""
    a = ds.attrs
    load = a["n_patterns"] / a["N_M"]
    final = float(ds.error.isel(trial=-1))
    n = ds.presentations.values if "presentations" in ds else np.array([np.nan])
    epochs = [ck.holds("every pattern presented once per trial (the patterns of an epoch are drawn "
                       "without replacement): fewest and most presentations of a pattern",
                       n.min() == n.max() == a["trials_per_pattern"],
                       expected=f"{a['trials_per_pattern']} each", got=f"{n.min():g} to {n.max():g}",
                       source="invariant", cite="Bouvier 2018 Appendix 1 'Perceptron model'")
              ] if "presentations" in ds else []
    if a["rule"] == "sgdege":
        # time to converge: the largest initial error at half of ρΔP (silent synapses slow
        # depression, Fig 10A), twice over for the slowdown of many patterns (Fig 10B)
        need = 4 * float(abs(ds.P_traj.isel(trial=0) - ds.R).max()) / (a["rho"] * a["dP"]) \
            if a["rho"] * a["dP"] > 0 else np.inf
        ok = a["q"] < 1 and 0 < a["rho"] < 1 and load <= FLOOR_LOAD
        why = "" if ok and a["trials_per_pattern"] >= need else \
            (f"floor holds for q < 1, 0 < ρ < 1, p/N_M ≤ {FLOOR_LOAD} after ≥ 4 max|P0 − R|/(ρΔP) "
             f"= {need:.0f} trials per pattern")
        t = ds.trial.values
        late = np.abs(ds.P_traj.values[t >= t[-1] / 2] - ds.R.values).mean(axis=0)
        typical = float(np.median(late))
        se = 1.2533 * float(late.std(ddof=1)) / np.sqrt(late.size) if late.size > 1 else np.inf
        return [*epochs, ck.close(f"typical final error (median over the {late.size} patterns of |P − R| "
                         f"averaged over the last half of training, ± {se:.2g} s.e.) vs the SGDEGE "
                         "floor A(1+q)/2 (tolerance ΔP/4 + 3 s.e.: the ΔP lattice of P, and chance)",
                         floor(a["A"], a["q"]), typical, atol=floor_slack(a["dP"]) + 3 * se,
                         source="theory", off=why,
                         cite="Bouvier 2018 Appendix 1 Phase 3; Fig 10D legend")]
    why = "" if load <= 0.35 and a["trials_per_pattern"] >= 2000 else \
        "exact solution reached for p/N_M ≤ 0.35 and ≥ 2000 trials per pattern"
    if a["rule"] == "mai":  # a signed error with fixed steps: no exact solution, but learning
        return [*epochs, ck.at_most("final / initial mean error (LTD when P > R, drift up otherwise)", 0.5,
                           final / float(ds.error.isel(trial=0)), source="theory", off=why,
                           cite="Bouvier 2018 Eqs 14-15 on a single output")]
    return [*epochs, ck.at_most(f"final mean error of the {a['rule']} rule (an exact solution exists below "
                       "capacity; node perturbation's mean update vanishes only at P = R)", 0.1,
                       final, source="theory", off=why, cite="capacity α_c = 0.391 (Fig 10C legend)")]


def plot_perceptron(ds: xr.Dataset):
    fig, ax = figure(1, 2, title=f"Perceptron, rule = {ds.attrs['rule']}, p = {ds.attrs['n_patterns']}")
    ax[0, 0].plot(ds.trial[1:], ds.error[1:])
    ax[0, 0].set(xscale="log", yscale="log", xlabel="trial (per pattern)", ylabel="mean |P − R| [Hz]")
    ax[0, 1].plot(ds.R, ds.P, ".", ms=3)
    ax[0, 1].plot([0, ds.attrs["P_max"]], [0, ds.attrs["P_max"]], "k--", lw=1)
    ax[0, 1].set(xlabel="target R [Hz]", ylabel="final P [Hz]")
    return fig


register(Experiment(
    name="perceptron", reproduces=f"{PAPER}, Appendix 1 Eqs 36-42: one perceptron learning run",
    params=PerceptronParams, run=run_perceptron, plot=plot_perceptron, checks=checks_perceptron))
