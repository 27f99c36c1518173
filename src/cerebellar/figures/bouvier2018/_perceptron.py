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
from cerebellar.sgdege.perceptron import (
    BATCHABLE,
    PerceptronModel,
    PerceptronParams,
    train_batch,
)

PAPER = "Bouvier et al. 2018"


PAPER_P = (50, 100, 200, 300, 350, 380, 385, 390, 395, 400, 410, 420, 450)


"""Pattern counts of Fig 10B-D at N_M = 1000 (spec §6.5)."""


Q_VALUES = (0.0, 0.25, 0.5, 0.75)


def floor(A: float, q: float) -> float:
    """SGDEGE precision A(1 + q)/2 (spec §5.7, §6.5)."""
    return A * (1 + q) / 2


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
                   "(spec §6.5); we plot the mean ± s.e. of n_seeds runs",
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
    """mean_error over (rule, p, seed, trial), the final fraction of silent synapses, and the
    trial at which the reduced model predicts the mean error to reach halfway to its floor.

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
    half = [_predicted_half_time(r, c) for r, c in zip(runs, cfgs, strict=True)]
    dims = ("rule", "p", "seed")
    ds = xr.Dataset(
        dict(mean_error=(("rule", "p", "seed", "trial"), err,
                         dict(long_name="mean |P − R| over patterns", units="Hz")),
             zero_fraction=(dims, np.reshape([float(r.w_zero) for r in runs], shape),
                            dict(long_name="fraction of zero weights w at the end")),
             silent_fraction=(dims, np.reshape([float(r.w_silent) for r in runs], shape),
                              dict(long_name=runs[0].w_silent.attrs["long_name"])),
             half_level=(dims, np.reshape([h[0] for h in half], shape),
                         dict(long_name="halfway from the initial error to the floor", units="Hz")),
             predicted_half_trial=(dims, np.reshape([h[1] for h in half], shape), dict(
                 long_name="trial at which single-pattern convergence (±ρΔP per trial from each "
                           "pattern's initial error) brings the mean error to half_level",
                 units="trial"))),
        coords=dict(rule=list(rules), p=("p", loads, dict(long_name="number of patterns")),
                    seed=("seed", np.arange(params.n_seeds), dict(long_name="run per load")),
                    trial=("trial", runs[0].trial.values, dict(units="trial (per pattern)"))),
    )
    return merge(ds, runs)


def mean_se(x: xr.DataArray) -> tuple[xr.DataArray, xr.DataArray]:
    """Mean over seeds and its standard error (0 for one seed)."""
    n = x.sizes["seed"]
    se = x.std("seed", ddof=1) / np.sqrt(n) if n > 1 else xr.zeros_like(x.isel(seed=0))
    return x.mean("seed"), se


def _predicted_half_time(run: xr.Dataset, p: PerceptronParams) -> tuple[float, float]:
    """(level, trial): the level halfway from the initial mean error to the SGDEGE floor, and when
    the reduced model reaches it if every pattern moved at ρΔP per trial until its floor
    (Appendix 1 Eqs 32-35 at the Fig 10 point: D±, speed ρΔP)."""
    e0 = np.abs(run.P_traj.isel(trial=0) - run.R).values
    fl = floor(p.A, p.q)
    level = (e0.mean() + fl) / 2
    speed = p.rho * p.dP
    if speed <= 0 or not np.isfinite(level):
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


ABOVE_LOAD = 0.41


"""Loads p/N_M ≥ 0.41 (the paper's p = 410-450) are above capacity α_c = 0.391."""


def _of_runs(ds: xr.Dataset) -> str:
    n = ds.sizes.get("seed", 1)
    return f" (mean of {n} runs per load)" if n > 1 else ""


def _loads(ds: xr.Dataset, lo: float = 0.0, hi: float = np.inf) -> xr.DataArray:
    N = ds.attrs["N_M"]
    return ds.p[(ds.p >= lo * N) & (ds.p <= hi * N)]


def _floor_rows(ds: xr.Dataset, rule: str, q: float) -> list[ck.Check]:
    """SGDEGE below capacity: floor A(1+q)/2 (theory); above it: the error leaves the floor."""
    final = _final(ds).sel(rule=rule)
    fl = floor(ds.attrs["A"], q)
    reached = float(final.sel(p=_loads(ds, hi=FLOOR_LOAD)).median())
    above = float(final.sel(p=_loads(ds, lo=ABOVE_LOAD)).mean())
    return [
        ck.close(f"{rule}: median final error for p ≤ {FLOOR_LOAD} N_M vs the floor A(1+q)/2"
                 f"{_of_runs(ds)}",
                 fl, reached, rtol=0.2, source="theory",
                 cite="Bouvier 2018 Appendix 1 Phase 3; Fig 10D legend"),
        claim("bouvier2018.fig10d.leaves_floor").holds(
            above >= 1.5 * reached,
            what=f"{rule}: mean final error for p ≥ {ABOVE_LOAD} N_M (above capacity α_c = 0.391) "
                 f"≥ 1.5 × the floor reached for p ≤ {FLOOR_LOAD} N_M",
            expected=f">= {1.5 * reached:.3g}", got=above),
    ]


def _delta_rows(ds: xr.Dataset) -> list[ck.Check]:
    final = _final(ds).sel(rule="delta")
    above = float(final.sel(p=_loads(ds, lo=ABOVE_LOAD)).mean())
    return [
        claim("bouvier2018.fig10c.delta_zero").check(
            float(final.sel(p=_loads(ds, hi=0.35)).max()),
            what=f"delta rule: largest final error for p ≤ 0.35 N_M{_of_runs(ds)}"),
        claim("bouvier2018.fig10d.leaves_floor").holds(
            above > 0.5, what=f"delta rule: mean final error for p ≥ {ABOVE_LOAD} N_M > 0.5 Hz",
            got=above),
    ]
