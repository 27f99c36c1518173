"""Helpers shared by the perceptron experiments of Bouvier et al. 2018 (Fig 10, Appendix 1)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import xarray as xr

from cerebellar.core import checks as ck
from cerebellar.core.parallel import map_runs
from cerebellar.core.params import param
from cerebellar.core.status import merge
from cerebellar.papers import claim
from cerebellar.rules import rule_of
from cerebellar.sgdege.capacity import capacity, infeasibility
from cerebellar.sgdege.perceptron import (
    BATCHABLE,
    MODEL,
    Patterns,
    PerceptronModel,
    PerceptronParams,
    train_batch,
)

PAPER = "Bouvier et al. 2018"


PAPER_P = (50, 100, 200, 300, 350, 380, 385, 390, 395, 400, 410, 420, 450)
"""Pattern counts of Fig 10B-D at N_M = 1000 (Fig 10B legend)."""


Q_VALUES = (0.0, 0.25, 0.5, 0.75)


def floor(A: float, q: float) -> float:
    """SGDEGE precision A(1 + q)/2 (Appendix 1 Phase 3, the fixed point of C+ and D−; Fig 10D
    legend)."""
    return A * (1 + q) / 2


def floor_slack(dP: float) -> float:
    """ΔP/4: how far the mean |P − R| at SGDEGE's fixed point may sit from A(1 + q)/2. P moves in
    steps of ΔP, so where a pattern settles depends on its target's place on that lattice: the
    reduced model (Appendix 1 Eqs 18-26) at the Fig 10 steps gives a single pattern's mean |P − R|
    up to ~ΔP/2 from A(1 + q)/2, and, averaged over the target's place on the lattice (many
    patterns), within ΔP/4 of it for q = 0-0.75."""
    return dP / 4


def capacity_window(attrs) -> tuple[float, float, float]:
    """(α_c, α_c − 1/√N_M, α_c + 1/√N_M): the replica capacity and the loads that hold the
    capacity of almost every finite instance. An instance's own capacity (the largest load at
    which an exact solution exists, linear programming) spreads around α_c with a standard
    deviation of about 0.5/√N_M (``bouvier2018-capacity`` measures it), so ±1/√N_M is ±2 of
    them: the finite-size window."""
    a_c = capacity(attrs["f"], attrs["gamma"])
    w = 1 / np.sqrt(attrs["N_M"])
    return a_c, a_c - w, a_c + w


@dataclass(frozen=True)
class Fig10Params(PerceptronModel):
    """Shared parameters of the Fig 10 experiments (Fig 10 legend; α_w, α_v from Eqs 40-41)."""

    N_M: int = param(200, low=10, high=1_000_000, doc="inputs (paper: 1000; loads p/N_M kept)")
    trials_per_pattern: int = param(10_000, low=1, high=100_000_000, units="trial",
                                    doc="trials per pattern")
    n_records: int = param(30, low=2, high=10_000, doc="log-spaced recording points")

    FULL: ClassVar[dict[str, Any]] = {"N_M": 1000, "trials_per_pattern": 100_000}
    SCALE: ClassVar[tuple[str, ...]] = ("N_M", "trials_per_pattern", "n_records")
    NOT_STATED: ClassVar[dict[str, str]] = {
        **PerceptronModel.NOT_STATED,
        "N_M": "quick default 200 (10x faster learning runs); --full uses the paper's 1000",
    }

    def loads(self) -> list[int]:
        """The paper's pattern counts scaled to N_M (unique, ≥ 1)."""
        return sorted({max(1, round(p * self.N_M / 1000)) for p in PAPER_P})

    def run_params(self, **changes: Any) -> PerceptronParams:
        """A single run with this model, the given size and rule."""
        run = dict(trials_per_pattern=self.trials_per_pattern, n_records=self.n_records)
        return PerceptronParams(**{**self.model_values(), **run, **changes})


@dataclass(frozen=True)
class LoadSweepParams(Fig10Params):
    """Fig 10B-D: runs at every load of :meth:`Fig10Params.loads`, ``n_seeds`` per load."""

    n_seeds: int = param(2, low=1, high=1000,
                         doc="independent runs per load (patterns, targets, initial weights, order)")

    FULL: ClassVar[dict[str, Any]] = {**Fig10Params.FULL, "n_seeds": 4}
    SCALE: ClassVar[tuple[str, ...]] = (*Fig10Params.SCALE, "n_seeds")
    NOT_STATED: ClassVar[dict[str, str]] = {
        **Fig10Params.NOT_STATED,
        "n_seeds": "the paper shows one curve per load and does not say how many runs it averaged "
                   "(Fig 10B-D legends); we plot the mean ± s.e. of n_seeds runs",
    }


_RUNS: dict[tuple, xr.Dataset] = {}
"""Runs already trained in this process, by (config, generator state): Figs 10B-F, the capacity
study and compare-rules view the same runs where their loads and scale meet, and
``cerebellar reproduce`` trains each of them once. The oldest are dropped beyond _RUNS_KEPT."""

_RUNS_KEPT = 2000


def paired_runs(configs: list[PerceptronParams], gen: np.random.Generator) -> list[xr.Dataset]:
    """Every config trained from a copy of ``gen``: the same patterns, targets, initial weights,
    presentation order and uniform numbers for every rule and q (a paired comparison). The
    configs not trained yet run in lockstep over one drawing of those numbers, the runs of each
    rule in one SIMD kernel (:func:`~cerebellar.sgdege.perceptron.train_batch`, equal to each run
    alone bit for bit). Results are remembered for the life of the process."""
    state = repr(gen.bit_generator.state)
    todo: dict[tuple, list[PerceptronParams]] = {}
    for c in dict.fromkeys(configs):
        if (c, state) not in _RUNS:
            shared = tuple((k, v) for k, v in c.to_dict().items() if k not in BATCHABLE)
            todo.setdefault(shared, []).append(c)
    for group in todo.values():
        results = train_batch(group, copy.deepcopy(gen), show_progress=False)
        for c, ds in zip(group, results, strict=True):
            _RUNS[(c, state)] = ds
    out = [_RUNS[(c, state)] for c in configs]
    for key in list(_RUNS)[:max(len(_RUNS) - _RUNS_KEPT, 0)]:
        _RUNS.pop(key, None)
    return out


def cell_generator(rng: np.random.Generator, p: int, seed: int) -> np.random.Generator:
    """The generator of run ``seed`` at load ``p``: derived from ``rng``'s seed sequence and
    (p, seed) alone (``rng`` itself is not advanced), so every experiment given the same seed
    trains the same run at a given load, whatever other loads it has."""
    seq = rng.bit_generator.seed_seq
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(
        seq.entropy, spawn_key=(*seq.spawn_key, 0x10D, p, seed))))


def runs_per_cell(params: Fig10Params, rng: np.random.Generator, loads: list[int],
                  rules: dict[str, dict], n_seeds: int) -> dict[tuple[int, int], list[xr.Dataset]]:
    """{(p, seed): [one run per rule]}: every rule of a cell trained from the cell's generator
    (:func:`cell_generator`, :func:`paired_runs`); cells spread over the cores."""
    cells = [(p, s) for p in loads for s in range(n_seeds)]
    configs = {p: [params.run_params(n_patterns=p, **kw) for kw in rules.values()] for p in loads}
    per_cell = map_runs(lambda cell, _: paired_runs(configs[cell[0]], cell_generator(rng, *cell)),
                        cells, None, cost=lambda cell: cell[0] * params.trials_per_pattern * len(rules),
                        desc="perceptron runs", unit="pres")
    return dict(zip(cells, per_cell, strict=True))


def _curves(params: LoadSweepParams, rng: np.random.Generator, rules: dict[str, dict]
            ) -> xr.Dataset:
    """mean_error over (rule, p, seed, trial); each pattern's final |P − R|; each run's typical
    error at its floor (median over patterns of |P − R| averaged over the records of the last half
    of training); the final fraction of silent synapses; the level halfway from the initial mean
    error to the rule's floor and the trial at which single-pattern theory reaches it; and, where
    the delta rule is among the rules, whether each run's patterns have an exact solution
    (linear programming) at the loads just below capacity.

    Random numbers: run s at load p comes from :func:`cell_generator` (rng, p, s), for every
    rule (:func:`paired_runs`). So Figs 10B, 10C, 10D, the capacity study and compare-rules, run
    with the same seed and scale, show the same runs where they overlap, trained once per process,
    and rules are compared on the same patterns."""
    loads = params.loads()
    by_cell = runs_per_cell(params, rng, loads, rules, params.n_seeds)
    runs = [by_cell[(p, s)][r] for r in range(len(rules)) for p in loads
            for s in range(params.n_seeds)]
    cfgs = [params.run_params(n_patterns=p, **kw) for kw in rules.values() for p in loads
            for s in range(params.n_seeds)]
    shape = (len(rules), len(loads), params.n_seeds)
    err = np.array([r.mean_error.values for r in runs]).reshape(*shape, -1)
    final_abs = np.full((*shape, max(loads)), np.nan)
    for k, r in enumerate(runs):
        e = np.abs(r.P_traj.isel(trial=-1) - r.R).values
        final_abs.reshape(-1, max(loads))[k, :e.size] = e
    half = [_predicted_half_time(r, c) for r, c in zip(runs, cfgs, strict=True)]
    dims = ("rule", "p", "seed")
    ds = xr.Dataset(
        dict(mean_error=(("rule", "p", "seed", "trial"), err,
                         dict(long_name="mean |P − R| over patterns", units="Hz")),
             final_abs=(("rule", "p", "seed", "pattern"), final_abs,
                        dict(long_name="final |P − R| of each pattern (NaN beyond p)", units="Hz")),
             floor_error=(dims, np.reshape([_typical_late_error(r) for r in runs], shape), dict(
                 long_name="median over patterns of |P − R| averaged over the last half of "
                           "training", units="Hz")),
             zero_fraction=(dims, np.reshape([float(r.w_zero) for r in runs], shape),
                            dict(long_name="fraction of zero weights w at the end")),
             silent_fraction=(dims, np.reshape([float(r.w_silent) for r in runs], shape),
                              dict(long_name=runs[0].w_silent.attrs["long_name"])),
             half_level=(dims, np.reshape([h[0] for h in half], shape),
                         dict(long_name="halfway from the initial error to the floor", units="Hz")),
             predicted_half_trial=(dims, np.reshape([h[1] for h in half], shape), dict(
                 long_name="trial at which single-pattern convergence (SGDEGE: ±ρΔP per trial "
                           "from each pattern's initial error; delta rule: a factor 1 − α f √N_M "
                           "per trial) brings the mean error to half_level",
                 units="trial"))),
        coords=dict(rule=list(rules), p=("p", loads, dict(long_name="number of patterns")),
                    seed=("seed", np.arange(params.n_seeds), dict(long_name="run per load")),
                    trial=("trial", runs[0].trial.values, dict(units="trial (per pattern)"))),
    )
    if any(kw.get("rule") == "delta" for kw in rules.values()):
        ds["lp_min"] = (("p", "seed"), _lp_below_capacity(params, rng, loads), dict(
            long_name="least mean |output − R| over w ≥ 0 (linear programming; 0: an exact "
                      "solution exists), at the loads just below capacity (NaN elsewhere)",
            units="Hz"))
    return merge(ds, runs)


def _lp_below_capacity(params: LoadSweepParams, rng: np.random.Generator, loads: list[int]
                       ) -> np.ndarray:
    """For each (load, seed) in the finite-size window below capacity (α_c − 1/√N_M, α_c]·N_M
    (:func:`capacity_window`), the least mean violation of an exact solution for the patterns and
    targets that run trained on (drawn again from its generator, as :func:`train_batch` draws
    them first); NaN at the other loads."""
    a_c, low, _ = capacity_window(dict(f=params.f, gamma=params.gamma, N_M=params.N_M))
    out = np.full((len(loads), params.n_seeds), np.nan)
    for i, p in enumerate(loads):
        if low * params.N_M < p <= a_c * params.N_M:
            cfg = params.run_params(n_patterns=p)
            for s in range(params.n_seeds):
                pats = Patterns.draw(cfg, cell_generator(rng, p, s))
                out[i, s] = infeasibility(pats.dense(params.N_M), pats.R, cfg.theta)
    return out


def _typical_late_error(run: xr.Dataset) -> float:
    """Median over patterns of |P − R| averaged over the records of the last half of training:
    where a typical pattern sits at the end, robust to the few patterns still converging."""
    t = run.trial.values
    late = run.P_traj.values[t >= t[-1] / 2]
    return float(np.median(np.abs(late - run.R.values).mean(axis=0)))


def mean_se(x: xr.DataArray) -> tuple[xr.DataArray, xr.DataArray]:
    """Mean over seeds and its standard error (0 for one seed)."""
    n = x.sizes["seed"]
    se = x.std("seed", ddof=1) / np.sqrt(n) if n > 1 else xr.zeros_like(x.isel(seed=0))
    return x.mean("seed"), se


def _predicted_half_time(run: xr.Dataset, p: PerceptronParams) -> tuple[float, float]:
    """(level, trial): the level halfway from the initial mean error to the rule's floor, and when
    single-pattern theory brings the mean error there from the run's own initial errors.

    SGDEGE: every pattern moves at ρΔP per trial until its floor A(1+q)/2 (the reduced model,
    Appendix 1 Eqs 32-35 at the Fig 10 point: D±). Delta rule (Eq 42): every active weight moves
    by −α(P − R), f N_M of them, each moving P by 1/√N_M, so each pattern's error shrinks by the
    factor 1 − α f √N_M per trial towards 0, whatever its size. Other rules: (level, NaN)."""
    e0 = np.abs(run.P_traj.isel(trial=0) - run.R).values
    if p.rule == "delta":
        level = e0.mean() / 2
        kappa = rule_of(p, MODEL, "delta").settings.alpha * p.f * np.sqrt(p.N_M)
        if not 0 < kappa < 1:
            return float(level), np.nan
        return float(level), float(np.log(2) / -np.log1p(-kappa))
    fl = floor(p.A, p.q)
    level = (e0.mean() + fl) / 2
    speed = p.rho * p.dP
    if p.rule != "sgdege" or speed <= 0 or not np.isfinite(level):
        return level, np.nan
    t = np.arange(0, int(e0.max() / speed) + 2)
    pred = np.maximum(e0[None, :] - speed * t[:, None], fl).mean(axis=1)
    return float(level), float(t[np.argmax(pred <= level)])


def _crossing(err: xr.DataArray, level: xr.DataArray) -> xr.DataArray:
    """First trial at which ``err`` falls to ``level``, interpolated in log trial between records
    (NaN if it never does)."""
    def one(e: np.ndarray, lvl: float, t: np.ndarray) -> float:
        below = np.flatnonzero(e <= lvl)
        if not below.size or below[0] == 0:
            return float("nan") if not below.size else float(t[0])
        i = below[0]
        lt = np.log(np.maximum(t[i - 1:i + 1], 1.0))
        frac = (e[i - 1] - lvl) / (e[i - 1] - e[i])
        return float(np.exp(lt[0] + frac * (lt[1] - lt[0])))
    return xr.apply_ufunc(one, err, level, err.trial, input_core_dims=[["trial"], [], ["trial"]],
                          vectorize=True)


def slowdown(ds: xr.Dataset, rule: str) -> xr.DataArray:
    """Trials to bring the mean error halfway to its floor, over the single-pattern prediction
    (mean over seeds)."""
    return (_crossing(ds.mean_error.sel(rule=rule), ds.half_level.sel(rule=rule))
            / ds.predicted_half_trial.sel(rule=rule)).mean("seed")


def _final(ds: xr.Dataset) -> xr.DataArray:
    """Mean error after the last trial, mean over seeds."""
    return ds.mean_error.isel(trial=-1).mean("seed")


FLOOR_LOAD = 0.2
"""Loads p/N_M ≤ 0.2 (the paper's p = 50-200) are well below capacity at both scales."""


def _of_runs(ds: xr.Dataset) -> str:
    n = ds.sizes.get("seed", 1)
    return f" (mean of {n} runs per load)" if n > 1 else ""


def _loads(ds: xr.Dataset, lo: float = 0.0, hi: float = np.inf) -> xr.DataArray:
    N = ds.attrs["N_M"]
    return ds.p[(ds.p >= lo * N) & (ds.p <= hi * N)]


def _mean_final(ds: xr.Dataset, rule: str, p: int, with_se: bool = False):
    """Mean final |P − R| over every pattern of every run at load ``p`` (and its s.e.)."""
    v = ds.final_abs.sel(rule=rule, p=p).values.ravel()
    v = v[np.isfinite(v)]
    m = float(v.mean())
    if not with_se:
        return m
    return m, float(v.std(ddof=1) / np.sqrt(v.size)) if v.size > 1 else 0.0


def departure(ds: xr.Dataset, rule: str, level: float) -> tuple[int, int, float, float] | None:
    """Where the rule's error leaves its floor: (the load before, the first load at which the mean
    final |P − R| over every pattern of every run exceeds ``level`` by more than 3 standard errors,
    that mean, its standard error). The standard error is over patterns, so a load whose mean is
    raised by a few patterns still converging (wide scatter) does not count; a load where many
    patterns cannot be learnt does. None if no load does."""
    before = 0
    for p in ds.p.values:
        m, se = _mean_final(ds, rule, p, with_se=True)
        if m - 3 * se > level:
            return before, int(p), m, se
        before = int(p)
    return None


def _departure_row(ds: xr.Dataset, rule: str, level: float, floor_text: str) -> ck.Check:
    """Fig 10D legend: the error leaves its floor close to the theoretical capacity. The departure
    lies between the load before the first load above the floor and that load (the grid); it must
    meet the window [α_c − 2/√N_M, α_c + 1/√N_M]: the finite-size window of
    :func:`capacity_window`, one more spread below, since after a finite number of trials the
    patterns of a load just below capacity may still be converging (learning slows down as the
    load nears α_c, Fig 10B), which moves the departure below α_c and never above it."""
    N = ds.attrs["N_M"]
    a_c, low, high = capacity_window(ds.attrs)
    low -= 1 / np.sqrt(N)
    found = departure(ds, rule, level)
    expected = f"between {low:.3f} and {high:.3f} N_M (α_c = {a_c:.3f} − 2/√N_M, + 1/√N_M)"
    what = (f"{rule}: where the error leaves its floor: the first load whose mean final |P − R| "
            f"(every pattern of every run) exceeds {floor_text} by 3 s.e., and the load before it, "
            "vs the capacity α_c (finite-size window − 2/√N_M, + 1/√N_M)")
    leaves = claim("bouvier2018.fig10d.leaves_floor")
    if found is None:
        return leaves.holds(False, what=what, expected=expected,
                            got=f"no load up to p = {int(ds.p.max())} leaves the floor")
    before, p, m, se = found
    return leaves.holds(
        before / N <= high and p / N >= low, what=what, expected=expected,
        got=f"between p = {before} and {p} ({before / N:.3f}-{p / N:.3f} N_M; "
            f"mean {m:.3g} ± {se:.2g} Hz at p = {p})")


def _floor_rows(ds: xr.Dataset, rule: str, q: float) -> list[ck.Check]:
    """SGDEGE below capacity: the floor A(1+q)/2 (theory), told apart from the floors of the
    neighbouring q (A/8 apart at the Fig 10D values); where the error leaves it (Fig 10D)."""
    a = ds.attrs
    fl = floor(a["A"], q)
    x = ds.floor_error.sel(rule=rule, p=_loads(ds, hi=FLOOR_LOAD)).values.ravel()
    x = x[np.isfinite(x)]
    n = x.size
    m = float(x.mean()) if n else float("nan")
    se = float(x.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
    slack = floor_slack(a["dP"])
    # the departure compares the mean of |P − R| with itself: the mean sits above the typical
    # (median) error tested against A(1+q)/2, by the few patterns still converging
    reached = max(_mean_final(ds, rule, p) for p in _loads(ds, hi=FLOOR_LOAD).values)
    return [
        ck.close(f"{rule}: typical final error for p ≤ {FLOOR_LOAD} N_M (median over patterns of "
                 f"|P − R| averaged over the last half of training; mean ± {se:.2g} s.e. of {n} "
                 f"runs) vs the floor A(1+q)/2 (tolerance ΔP/4 + 3 s.e.: the ΔP lattice of P, "
                 "and chance)", fl, m, atol=slack + 3 * se, source="theory",
                 cite="Bouvier 2018 Appendix 1 Phase 3; Fig 10D legend"),
        _departure_row(ds, rule, reached + slack,
                       f"the floor as reached for p ≤ {FLOOR_LOAD} N_M (its largest mean final |P − R| "
                       f"over those loads, {reached:.3g} Hz) + ΔP/4 = {reached + slack:.3g} Hz"),
    ]


def _delta_rows(ds: xr.Dataset) -> list[ck.Check]:
    """Fig 10C: zero error below capacity up to finite-size effects, right up to capacity; Fig
    10D: where the error leaves zero."""
    N = ds.attrs["N_M"]
    zero = claim("bouvier2018.fig10c.delta_zero")
    low = capacity_window(ds.attrs)[1]
    final = _final(ds).sel(rule="delta")
    below = _loads(ds, hi=low)
    rows = [zero.check(
        float(final.sel(p=below).max()),
        what=f"delta rule: largest final error for p ≤ (α_c − 1/√N_M) N_M = {low * N:.0f} "
             f"(below the finite-size window){_of_runs(ds)}")]
    rows.append(_window_row(ds, zero.high))
    rows.append(_departure_row(ds, "delta", zero.high,
                               f"the Fig 10C bound for zero error ({zero.high:g} Hz)"))
    return rows


def _window_row(ds: xr.Dataset, bound: float) -> ck.Check:
    """Fig 10C, right up to capacity: at the loads of the finite-size window below α_c some
    instances have no exact solution (linear programming on the run's own patterns). On those that
    have one, every sequential delta-rule step is a relaxed projection onto one pattern's solution
    set (factor α f √N_M < 2) and the rectification a projection onto w ≥ 0, so the distance to
    every exact solution never grows and the error goes to zero: at the end of a finite run its
    error is within the zero bound or still falling (below its value at half the run)."""
    N = ds.attrs["N_M"]
    a_c, low, _ = capacity_window(ds.attrs)
    cite = "Bouvier 2018 Fig 10C legend (zero error below capacity, up to finite-size effects)"
    what = (f"delta rule, loads of the finite-size window below capacity ((α_c − 1/√N_M) N_M, α_c "
            f"N_M] = ({low * N:.1f}, {a_c * N:.1f}]): on the runs whose patterns have an exact "
            f"solution (LP), the final error ≤ {bound:g} Hz or still falling (below its value "
            "at half the run)")
    if "lp_min" not in ds:
        return ck.holds(what, False, source="theory", cite=cite, off="no LP of the run's patterns")
    lp = ds.lp_min.dropna("p", how="all")
    if not lp.sizes["p"]:
        return ck.holds(what, False, source="theory", cite=cite,
                        off="no load of the run lies in the finite-size window below capacity")
    err = ds.mean_error.sel(rule="delta", p=lp.p)
    end = err.isel(trial=-1)
    half = err.sel(trial=float(err.trial[-1]) / 2, method="nearest")
    exact = lp < 1e-6
    if not bool(exact.any()):
        return ck.holds(what, False, source="theory", cite=cite,
                        off=f"none of the {exact.size} runs in the window has an exact solution "
                            "(finite size): nothing to test")
    ok = ((end <= bound) | (end < half)) | ~exact
    bad = [f"p = {int(p)} run {int(s)}: {float(end.sel(p=p, seed=s)):.3g} Hz"
           for p in lp.p.values for s in lp.seed.values if not bool(ok.sel(p=p, seed=s))]
    return ck.holds(
        what, bool(ok.all()), source="theory", cite=cite,
        expected="every such run",
        got=(f"{int(exact.sum())} of {exact.size} runs have an exact solution; "
             + ("each converges" if not bad else "not converging: " + "; ".join(bad))
             + f" (final errors {', '.join(f'{v:.3g}' for v in end.values[exact.values])} Hz)"))
