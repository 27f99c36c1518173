"""``compare-rules``: the perceptron task of Fig 10 learnt by every registered rule that runs on the
perceptron (`cerebellar.rules`, another package's included) from one loop over rules (beyond
the papers): SGDEGE, the delta rule, node perturbation, Marr-Albus-Ito with a signed and an
unsigned error, on the same patterns, targets and presentation orders for a given seed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import xarray as xr

from cerebellar.core import checks as ck
from cerebellar.core.params import param
from cerebellar.core.plotting import figure, panel_letter, symlog_axis
from cerebellar.core.registry import Experiment, register
from cerebellar.models.perceptron.params import MODEL
from cerebellar.models.perceptron.patterns import Patterns, initial_weights
from cerebellar.models.perceptron.theory import floor
from cerebellar.papers import claim
from cerebellar.rules import rule_names, rule_of
from cerebellar.studies.load_sweep import (
    FLOOR_LOAD,
    SHARES_RUNS,
    LoadSweepParams,
    crossing_trial,
    final_mean_error,
    load_curves,
    loads_between,
    mean_se,
    slowdown,
)
from cerebellar.studies.perceptron_rows import delta_rows, floor_rows

BASIS = {"sgdege": "Bouvier 2018 Appendix 1 Phase 3 (fixed point below capacity)",
         "delta": "gradient descent on (P − R)², an exact solution below capacity",
         "node_perturbation": "gradient descent on |P − R| in the small-noise limit",
         "mai": "signed error of a single output: LTD when too high, drift up otherwise"}
"""Why each built-in rule that learns should at least halve the error below capacity."""
LOADS = (0.1, 0.2, 0.3, 0.39, 0.45)
"""Loads p/N_M: well below, near (α_c = 0.391) and above capacity."""


@dataclass(frozen=True)
class CompareRulesParams(LoadSweepParams):
    """Fig 10's perceptron and parameters; each rule's own constants are in the model's fields."""

    default_load: float = param(0.2, low=0, high=2, low_open=True,
                                doc="p/N_M of the per-rule learning curves")
    trials_per_pattern: int = param(20_000, low=1, high=100_000_000, units="trial",
                                    doc="trials per pattern")
    FULL: ClassVar[dict[str, Any]] = {"N_M": 1000, "trials_per_pattern": 100_000, "n_seeds": 4}

    def loads(self) -> list[int]:
        return sorted({max(1, round(x * self.N_M)) for x in (*LOADS, self.default_load)})

    def rules_per_cell(self) -> int:
        return len(rule_names(MODEL))


def run_compare_rules(params: CompareRulesParams, rng: np.random.Generator) -> xr.Dataset:
    """Every rule at every load, n_seeds runs each, every rule on the same patterns (the runs
    of Figs 10C, D where they overlap), and the check of node perturbation's mean update against
    the gradient on fresh patterns at the default load."""
    order = (*BASIS, "mai_unsigned")                 # the built-ins first, then the others
    compared = sorted(rule_names(MODEL), key=lambda r: (order.index(r) if r in order else 99, r))
    ds = load_curves(params, rng, {name: dict(rule=name) for name in compared})
    ds["final_error"] = final_mean_error(ds).assign_attrs(long_name="final error, mean over seeds",
                                                units="Hz")
    ds["np_mean_update"], ds["np_gradient"] = _node_perturbation_vs_gradient(params, rng)
    ds["np_baseline_gap"] = _node_perturbation_baseline(params)
    for name in compared:  # every compared rule's settings, as its runs had them
        ds.attrs.update(rule_of(params, MODEL, name).settings_attrs())
    return ds


BASELINE_VISITS = 10
"""Visits of one pattern after its error steps, over which node perturbation's baseline is read."""


def _node_perturbation_baseline(params: CompareRulesParams) -> xr.DataArray:
    """The rule's baseline ℰ̄ read back from its updates (b = −η(ℰ − ℰ̄)/σ, so ℰ̄ = ℰ + bσ/η) when
    a pattern's error steps from the initial error to the floor-sized A and stays there: |ℰ̄ − ℰ|
    after each of `BASELINE_VISITS` visits, over the size of the step."""
    p = params.run_params(n_patterns=1, rule="node_perturbation")
    rule = rule_of(p, MODEL, "node_perturbation")
    prm = rule.constants_for(p)
    state = np.zeros(rule.state_size(1))
    first, then = p.P_max / 2, p.A
    rule.update.py_func(first, first, 0.0, 0, state, prm)            # first visit: ℰ̄ = ℰ
    gaps = []
    for _ in range(BASELINE_VISITS):
        _, b, _, _ = rule.update.py_func(then, then, 0.0, 0, state, prm)
        baseline = then + b * p.A / rule.settings.eta
        gaps.append(abs(baseline - then) / abs(first - then))
    return xr.DataArray(np.array(gaps), dims=("np_visit",), coords=dict(
        np_visit=np.arange(1, BASELINE_VISITS + 1)), attrs=dict(
        long_name="node perturbation: |baseline − error| / step, before each visit after the step"))


def _node_perturbation_vs_gradient(params: CompareRulesParams, rng: np.random.Generator):
    """For each pattern at the start of learning: node perturbation's update averaged over
    ξ = ±σ with the baseline at the unperturbed error, and the gradient step −η ∂|P − R|/∂P."""
    p = params.run_params(n_patterns=round(params.default_load * params.N_M),
                          rule="node_perturbation")
    pats = Patterns.draw(p, rng)
    w, _ = initial_weights(p, rng)
    sums = np.add.reduceat(w[pats.idx], pats.ptr[:-1])
    P = np.maximum((sums - p.theta * p.N_M) / np.sqrt(p.N_M), 0.0)
    rule = rule_of(p, MODEL, "node_perturbation")
    prm = rule.constants_for(p)
    sigma = p.A
    mean = np.zeros(P.size)
    for mu, (out, target) in enumerate(zip(P, pats.R, strict=True)):
        for s in (1.0, -1.0):
            state = np.array([1.0, abs(out - target)])  # baseline = unperturbed error
            e = out + s * sigma - target
            a, b, _, _ = rule.update.py_func(abs(e), e, 0.0, 0, state, prm)
            mean[mu] += 0.5 * (a + b * s)
    gradient = -rule.settings.eta * np.sign(P - pats.R)
    far = np.abs(P - pats.R) > sigma
    dims = ("np_pattern",)
    return (xr.DataArray(np.where(far, mean, np.nan), dims=dims, attrs=dict(
                long_name="node perturbation: mean Δw of an active synapse over ξ = ±σ")),
            xr.DataArray(np.where(far, gradient, np.nan), dims=dims, attrs=dict(
                long_name="gradient step −η sign(P − R)")))


def _default_p(ds: xr.Dataset) -> int:
    a = ds.attrs
    return int(ds.p.values[np.argmin(abs(ds.p.values - a["default_load"] * a["N_M"]))])


def checks_compare_rules(ds: xr.Dataset) -> list[ck.Check]:
    a = ds.attrs
    p0 = _default_p(ds)
    start = ds.error.isel(trial=0).sel(p=p0).mean("seed")
    end = ds.final_error.sel(p=p0)
    rows = [_learning_row(ds, str(rule), p0, float(end.sel(rule=rule) / start.sel(rule=rule)))
            for rule in ds.rule.values]
    rows += floor_rows(ds, "sgdege", a["q"]) + delta_rows(ds)
    rows += _speed_rows(ds)
    rows.append(ck.at_most(
        "node perturbation: max |mean update over ξ = ±σ − gradient step −η sign(P − R)| over "
        f"the {int(np.isfinite(ds.np_gradient).sum())} patterns with |P − R| > σ",
        1e-12 * a["node_perturbation.eta"],
        float(abs(ds.np_mean_update - ds.np_gradient).max()), source="theory",
        cite="Werfel, Xie & Seung 2005; Fiete & Seung 2006: node perturbation follows the gradient"))
    rows += _baseline_rows(ds)
    return rows


def _learning_row(ds: xr.Dataset, rule: str, p0: int, ratio: float) -> ck.Check:
    """Each rule's final over initial mean error at the default load: at most 1/2 for the rules
    that learn (`BASIS`); for ``mai_unsigned``, whose climbing fibre fires on every
    presentation (ℰ > 0), every synapse is depressed until P = 0, so its final error is the mean
    target, P_max/2 within 3 s.e. of a mean of p·n_seeds uniform targets; for another package's
    rule, no theory: n/a with the ratio."""
    what = f"{rule}: final / initial mean error at p = {p0}"
    if rule in BASIS:
        return ck.at_most(what, 0.5, ratio, source="theory", cite=BASIS[rule])
    if rule == "mai_unsigned":
        a = ds.attrs
        final = float(ds.final_error.sel(rule=rule, p=p0))
        tol = 3 * a["P_max"] / np.sqrt(12 * p0 * ds.sizes["seed"])
        return ck.close(f"mai_unsigned: final mean error at p = {p0} = the mean target P_max/2 "
                        "(an unsigned error fires the climbing fibre on every presentation: LTD "
                        "silences the P-cell)", a["P_max"] / 2, final, atol=tol, source="theory",
                        cite="Bouvier 2018 Fig 2C (an unsigned error drives the PCs silent)")
    return ck.row(what, True, "no theory", ratio, "", source="theory",
                  off=f"rule '{rule}' comes from another package: no expected value")


def _speed_rows(ds: xr.Dataset) -> list[ck.Check]:
    """Appendix 1: "The convergence of the SGDEGE algorithm is considerably slower than that
    obtained for the delta rule (Figure 10C), while the relative slowing due to interference of
    multiple patterns is comparable for the delta rule and the proposed algorithm (compare panels
    B, C)", because SGDEGE takes steps of fixed size (ρΔP per trial) and the delta rule steps in
    proportion to the error (a factor 1 − α f √N_M per trial). Each rule's interference slowdown
    is its measured half-time over its single-pattern half-time from the same initial errors
    (`slowdown`); "comparable" is read as a ratio
    of the two within the spread the paper reports for one rule (Fig 10B: 1.5-5), and then SGDEGE's
    half-time over the delta rule's must lie within that spread around the ratio of their
    single-pattern half-times, which is "considerably slower" where that band lies above 1."""
    paper = claim("bouvier2018.fig10b.slowdown")
    spread = paper.high / paper.low
    loads = loads_between(ds, 0.1, 0.35)
    slow = {r: slowdown(ds, r).sel(p=loads) for r in ("sgdege", "delta")}
    rel = slow["sgdege"] / slow["delta"]
    half = {r: crossing_trial(ds.error.sel(rule=r, p=loads),
                         ds.half_level.sel(rule=r, p=loads)).mean("seed") for r in ("sgdege", "delta")}
    single = (ds.predicted_half_trial.sel(rule="sgdege", p=loads).mean("seed")
              / ds.predicted_half_trial.sel(rule="delta", p=loads).mean("seed"))
    ratio = half["sgdege"] / half["delta"]
    within = (ratio >= single / spread) & (ratio <= single * spread)
    cite = "Bouvier 2018 Appendix 1 (perceptron: SGDEGE vs the delta rule); Fig 10B, C"
    return [
        ck.within(f"interference slowdown, SGDEGE / delta rule, at each load p = "
                  f"{', '.join(str(int(p)) for p in loads.values)}: comparable (within the spread "
                  f"{paper.high:g}/{paper.low:g} of Fig 10B's range for one rule)",
                  1 / spread, spread, _farthest_from_one(rel.values), source="paper", cite=cite),
        ck.holds(f"SGDEGE converges considerably slower than the delta rule: its half-time over the "
                 f"delta rule's at each load lies within the Fig 10B spread ×/÷ {spread:.3g} of the "
                 "ratio of their single-pattern half-times (fixed steps vs steps ∝ error), a band "
                 "above 1", bool(within.all()) and bool((single / spread > 1).all()),
                 expected=", ".join(f"{float(lo):.3g}-{float(hi):.3g}" for lo, hi in
                                    zip(single / spread, single * spread, strict=True)),
                 got=", ".join(f"{float(x):.3g}" for x in ratio), source="paper", cite=cite),
    ]


def _farthest_from_one(x: np.ndarray) -> float:
    """The ratio farthest from 1 (by its logarithm); NaN if any is not finite or not positive."""
    if not (np.isfinite(x).all() and (x > 0).all()) or not x.size:
        return float("nan")
    return float(x[np.argmax(abs(np.log(x)))])


def _baseline_rows(ds: xr.Dataset) -> list[ck.Check]:
    """Node perturbation against its own theory: the baseline is a running mean of the pattern's
    error with rate γ, so n updates after the error steps it is (1 − γ)^n of the step away; the
    noise of each update, (ℰ − ℰ̄)·ξ, then shrinks with the error, so below capacity the rule
    converges to zero error like the delta rule (Fig 10C's zero bound) instead of stalling at the
    noise of a frozen or lagging baseline."""
    a = ds.attrs
    n = int(ds.np_visit[-1])
    zero = claim("bouvier2018.fig10c.delta_zero")
    loads = loads_between(ds, hi=FLOOR_LOAD)
    typical = float(ds.final_abs.sel(rule="node_perturbation", p=loads).median())
    cite = "Fiete & Seung 2006 (baseline = running mean of the error); Werfel, Xie & Seung 2005"
    return [
        ck.close(f"node perturbation: |baseline − error| / the error's step, at the {n}th visit "
                 f"after the step (its {n - 1} updates before), vs the running mean's (1 − γ)^{n - 1}",
                 (1 - a["node_perturbation.baseline_rate"]) ** (n - 1),
                 float(ds.np_baseline_gap.sel(np_visit=n)), rtol=1e-9, source="theory", cite=cite),
        ck.at_most(f"node perturbation: typical final |P − R| (median over the patterns of every "
                   f"run at p = {', '.join(str(int(p)) for p in loads.values)}; noise ∝ error: it "
                   "converges to zero below capacity, as the delta rule)",
                   zero.high, typical, source="theory", cite=cite),
    ]


def plot_compare_rules(ds: xr.Dataset):
    a = ds.attrs
    p0 = _default_p(ds)
    fig, ax = figure(1, 2, title=f"Learning rules on the Fig 10 perceptron (N_M = {a['N_M']}; "
                                 f"mean ± s.e. of {ds.sizes['seed']} runs, the same patterns for "
                                 "every rule)")
    final, final_se = mean_se(ds.error.isel(trial=-1))
    for rule in ds.rule.values:
        curve = ds.error.sel(rule=rule, p=p0).isel(trial=slice(1, None)).mean("seed")
        ax[0, 0].plot(curve.trial, curve, label=str(rule))
        ax[0, 1].errorbar(ds.p, final.sel(rule=rule), yerr=final_se.sel(rule=rule), fmt="o-",
                          ms=3, capsize=2, label=str(rule))
    ax[0, 0].axhline(floor(a["A"], a["q"]), color="0.5", ls=":", lw=1, label="A(1+q)/2")
    ax[0, 0].set(xscale="log", yscale="log", xlabel="trial (per pattern)", ylim=(1e-3, None),
                 ylabel="mean |P − R| [Hz]", title=f"p = {p0} (cut at 10⁻³ Hz)")
    ax[0, 1].axvline(0.391 * a["N_M"], color="k", ls="--", lw=1, label="capacity")
    symlog_axis(ax[0, 1], final + final_se)
    ax[0, 1].set(xlabel="number of patterns p", ylabel="final mean |P − R| [Hz]",
                 title="final error around capacity (linear below 10⁻³ Hz)")
    ax[0, 0].legend(fontsize=8)
    ax[0, 1].legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    for x, letter in zip(ax[0], "AB", strict=True):
        panel_letter(x, letter)
    return fig


register(Experiment(
    name="compare-rules",
    reproduces="Bouvier et al. 2018 Fig 10 task, beyond the paper: every registered rule that "
               "runs on the perceptron (SGDEGE, delta rule, node perturbation, Marr-Albus-Ito "
               "signed and unsigned, another package's), from one loop over rules",
    params=CompareRulesParams, run=run_compare_rules, plot=plot_compare_rules,
    checks=checks_compare_rules, shares=SHARES_RUNS))
