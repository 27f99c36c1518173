"""``bouvier2018-fig10d``: final error against the number of patterns for five rules, with the
capacity (Fig 10D)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import xarray as xr

from cerebellar.core import checks as ck
from cerebellar.core.plotting import figure, panel_letter, symlog_axis
from cerebellar.core.registry import Experiment, register
from cerebellar.models.perceptron.capacity import capacity
from cerebellar.models.perceptron.params import SILENT
from cerebellar.studies.load_sweep import (
    FLOOR_LOAD,
    PAPER,
    Q_VALUES,
    SHARES_RUNS,
    LoadSweepParams,
    final_mean_error,
    load_curves,
    loads_between,
    mean_se,
    runs_note,
)
from cerebellar.studies.perceptron_rows import delta_rows, floor_rows


@dataclass(frozen=True)
class Fig10DParams(LoadSweepParams):
    """Fig 10D's load sweep: SGDEGE at each q of the legend (0, 0.25, 0.5, 0.75) beside the delta
    rule, so ``q`` is the figure's to set, not the user's."""

    FIXED: ClassVar[dict[str, str]] = {
        "q": f"the figure runs SGDEGE at every q of {', '.join(f'{q:g}' for q in Q_VALUES)}"}

    def rules_per_cell(self) -> int:
        return len(Q_VALUES) + 1                      # SGDEGE at each q, and the delta rule


def run_fig10d(params: Fig10DParams, rng: np.random.Generator) -> xr.Dataset:
    rules = {"delta": dict(rule="delta")}
    rules.update({f"sgdege q={q:g}": dict(rule="sgdege", q=q) for q in Q_VALUES})
    ds = load_curves(params, rng, rules)
    ds["final_error"] = final_mean_error(ds).assign_attrs(
        long_name="mean error after the last trial, mean over seeds", units="Hz")
    ds["q_of_rule"] = ("rule", [np.nan, *Q_VALUES])
    return ds


def checks_fig10d(ds: xr.Dataset) -> list[ck.Check]:
    rows = delta_rows(ds)
    for q in Q_VALUES:
        rows += floor_rows(ds, f"sgdege q={q:g}", q)
    alpha_c = capacity(ds.attrs["f"], ds.attrs["gamma"])
    silent = ds.silent_fraction.sel(rule="delta").mean("seed")
    exact = ds.final_error.sel(rule="delta") < 0.1
    p_top = int(ds.p[exact].max())
    cite = ("replica capacity of the non-negative perceptron (Brunel et al. 2004; Clopath & Brunel "
            "2013, the theory of the Fig 10C legend): at capacity a fraction α_c of the weights is "
            "non-zero")
    small = ck.off_setting(ds.attrs, {"N_M": 1000, "trials_per_pattern": 100_000})
    rows += [
        ck.close(f"silent synapses: delta rule's near-silent fraction (w < {SILENT:g} w̄) at "
                 f"p = {p_top}, the largest load it still learns exactly{runs_note(ds)}, vs 1 − α_c (wide "
                 "tolerance: at finite N and training time the solution is not yet unique)",
                 1 - alpha_c, float(silent.sel(p=p_top)), atol=0.2, source="theory", cite=cite,
                 off=small and f"{small}: the replica result holds for large networks trained to "
                                "convergence"),
        ck.at_least("silent synapses: the delta rule's near-silent fraction grows towards 1 − α_c "
                    "as the load nears capacity: its mean over p = 0.35-0.40 N_M minus its mean "
                    f"over p ≤ {FLOOR_LOAD} N_M{runs_note(ds)}", 0.0,
                    float(silent.sel(p=loads_between(ds, 0.35, 0.40)).mean()
                          - silent.sel(p=loads_between(ds, hi=FLOOR_LOAD)).mean()),
                    source="theory", cite=cite),
    ]
    return rows


def plot_fig10d(ds: xr.Dataset):
    N = ds.attrs["N_M"]
    p_c = capacity(ds.attrs["f"], ds.attrs["gamma"]) * N
    fig, ax = figure(1, 2, title=f"Fig 10D: final error and silent synapses vs number of patterns "
                                 f"(N_M = {N}; mean ± s.e. of {ds.sizes['seed']} runs per "
                                 "point, the same patterns for every rule)", width=6)
    err, err_se = mean_se(ds.error.isel(trial=-1))
    silent, silent_se = mean_se(ds.silent_fraction)
    for rule in ds.rule.values:
        for a, m, e in ((ax[0, 0], err, err_se), (ax[0, 1], silent, silent_se)):
            a.errorbar(ds.p / N, m.sel(rule=rule), yerr=e.sel(rule=rule), fmt="o-", ms=3,
                       capsize=2, label=str(rule))
    ax[0, 1].plot([p_c / N], [1 - p_c / N], "k*", ms=12, label="1 − α_c at capacity (theory)")
    for a, where in zip(ax[0], ("center left", "upper left"), strict=True):
        a.axvline(p_c / N, color="k", ls="--", lw=1, label="capacity α_c")
        a.set(xlabel="load α = p/N_M [patterns per input]")
        a.legend(fontsize=7, loc=where)
    ax[0, 0].set(ylabel="mean |P − R| [Hz]", title="final error (linear below 10⁻³ Hz)")
    symlog_axis(ax[0, 0], err + err_se)
    ax[0, 1].set(ylabel=f"fraction of weights < {SILENT:g} w̄ [dimensionless]", ylim=(0, 1),
                 title="near-silent synapses")
    for a, letter in zip(ax[0], ("D", "D′"), strict=True):
        panel_letter(a, letter)
    return fig


register(Experiment(
    name="bouvier2018-fig10d",
    reproduces=f"{PAPER}, Fig 10D: final error vs p, delta rule and SGDEGE q = 0-0.75, capacity",
    params=Fig10DParams, run=run_fig10d, plot=plot_fig10d, checks=checks_fig10d,
    shares=SHARES_RUNS))
