"""The perceptron's load sweeps of Bouvier et al. 2018 (Fig 10B-F, Appendix 1), shared by Figs
10B-F, the capacity study and compare-rules: their parameters, the seed policy (one generator
per load and run, `cell_generator`), paired runs of several rules or q on the same numbers
kept in an explicit `RunCache`, and the sweep's curves (`load_curves`)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import xarray as xr

from cerebellar.core.guards import at_once
from cerebellar.core.parallel import map_runs
from cerebellar.core.params import param
from cerebellar.core.plotting import figure, panel_letter
from cerebellar.core.status import merge
from cerebellar.models.perceptron.capacity import infeasibility
from cerebellar.models.perceptron.params import BATCHABLE, PerceptronModel, PerceptronParams
from cerebellar.models.perceptron.patterns import Patterns
from cerebellar.models.perceptron.simulate import train_batch
from cerebellar.models.perceptron.theory import capacity_window, predicted_half_time

PAPER = "Bouvier et al. 2018"


PAPER_P = (50, 100, 200, 300, 350, 380, 385, 390, 395, 400, 410, 420, 450)
"""Pattern counts of Fig 10B-D at N_M = 1000 (Fig 10B legend)."""


Q_VALUES = (0.0, 0.25, 0.5, 0.75)


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
    """Fig 10B-D: runs at every load of `Fig10Params.loads`, ``n_seeds`` per load."""

    n_seeds: int = param(2, low=1, high=1000,
                         doc="independent runs per load (patterns, targets, initial weights, order)")

    FULL: ClassVar[dict[str, Any]] = {**Fig10Params.FULL, "n_seeds": 4}
    SCALE: ClassVar[tuple[str, ...]] = (*Fig10Params.SCALE, "n_seeds")
    NOT_STATED: ClassVar[dict[str, str]] = {
        **Fig10Params.NOT_STATED,
        "n_seeds": "the paper shows one curve per load and does not say how many runs it averaged "
                   "(Fig 10B-D legends); we plot the mean ± s.e. of n_seeds runs",
    }

    def rules_per_cell(self) -> int:
        """Runs trained together in one (load, seed) cell: one per rule of the figure."""
        return 1

    def memory_bytes(self) -> tuple[int, tuple[str, ...]]:
        """Peak of the sweep: the cells training at once (each its rules' runs in lockstep,
        `PerceptronParams.memory_bytes`), the records of every run held until the figure is
        built (about six float64 values per pattern and record), and the dense p × N_M patterns
        of the linear programmes, with the solver's copies."""
        loads, lanes = self.loads(), self.rules_per_cell()
        cells = [self.run_params(n_patterns=p).memory_bytes(lanes)[0] for p in loads]
        kept = 48 * lanes * self.n_seeds * self.n_records * sum(loads)
        return (at_once(cells * self.n_seeds) + kept + 24 * max(loads) * self.N_M,
                ("N_M", "n_seeds", "n_records"))


class RunCache:
    """Trained runs by (config, generator state), the newest ``kept`` of them: experiments that
    share it view the same runs where their loads and scale meet (Figs 10B-F, the capacity study
    and compare-rules), so ``cerebellar reproduce`` trains each run once."""

    def __init__(self, kept: int = 2000):
        self.kept = kept
        self.runs: dict[tuple, xr.Dataset] = {}

    def __contains__(self, key: tuple) -> bool:
        return key in self.runs

    def __len__(self) -> int:
        return len(self.runs)

    def get(self, key: tuple) -> xr.Dataset:
        return self.runs[key]

    def put(self, key: tuple, ds: xr.Dataset) -> None:
        self.runs[key] = ds
        for old in list(self.runs)[:max(len(self.runs) - self.kept, 0)]:
            self.runs.pop(old, None)

    def clear(self) -> None:
        self.runs.clear()


RUNS = RunCache()
"""The cache the figures' experiments share in one process (pass another to keep runs apart)."""
SHARES_RUNS = "cerebellar.studies.load_sweep.RUNS"
"""`Experiment.shares` of the experiments that read and fill `RUNS`."""


def paired_runs(configs: list[PerceptronParams], gen: np.random.Generator,
                cache: RunCache = RUNS) -> list[xr.Dataset]:
    """Every config trained from a copy of ``gen``: the same patterns, targets, initial weights,
    presentation order and uniform numbers for every rule and q (a paired comparison). The
    configs not in ``cache`` yet run in lockstep over one drawing of those numbers, the runs of
    each rule in one SIMD kernel (`train_batch`,
    equal to each run alone bit for bit), and are added to it."""
    state = repr(gen.bit_generator.state)
    todo: dict[tuple, list[PerceptronParams]] = {}
    for c in dict.fromkeys(configs):
        if (c, state) not in cache:
            shared = tuple((k, v) for k, v in c.to_dict().items() if k not in BATCHABLE)
            todo.setdefault(shared, []).append(c)
    out = {}
    for group in todo.values():
        results = train_batch(group, copy.deepcopy(gen), show_progress=False)
        for c, ds in zip(group, results, strict=True):
            out[c] = ds
            cache.put((c, state), ds)
    return [out[c] if c in out else cache.get((c, state)) for c in configs]


def cell_generator(rng: np.random.Generator, p: int, seed: int) -> np.random.Generator:
    """The generator of run ``seed`` at load ``p``: derived from ``rng``'s seed sequence and
    (p, seed) alone (``rng`` itself is not advanced), so every experiment given the same seed
    trains the same run at a given load, whatever other loads it has."""
    seq = rng.bit_generator.seed_seq
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(
        seq.entropy, spawn_key=(*seq.spawn_key, 0x10D, p, seed))))


def runs_per_cell(params: Fig10Params, rng: np.random.Generator, loads: list[int],
                  rules: dict[str, dict], n_seeds: int, cache: RunCache = RUNS
                  ) -> dict[tuple[int, int], list[xr.Dataset]]:
    """{(p, seed): [one run per rule]}: every rule of a cell trained from the cell's generator
    (`cell_generator`, `paired_runs` with ``cache``); cells spread over the cores."""
    cells = [(p, s) for p in loads for s in range(n_seeds)]
    configs = {p: [params.run_params(n_patterns=p, **kw) for kw in rules.values()] for p in loads}
    tasks = []                # a cell, its configs and generator, and only its own cached runs
    for p, seed in cells:
        gen = cell_generator(rng, p, seed)
        state = repr(gen.bit_generator.state)
        own = RunCache()
        for c in configs[p]:
            if (c, state) in cache:
                own.put((c, state), cache.get((c, state)))
        tasks.append((configs[p], gen, own))
    per_cell = map_runs(_train_cell, tasks, None, cost=lambda t: len(t[0]) * t[0][0].n_patterns
                        * params.trials_per_pattern, desc="perceptron runs", unit="pres")
    for (cfgs, gen, _), runs in zip(tasks, per_cell, strict=True):
        state = repr(gen.bit_generator.state)
        for c, ds in zip(cfgs, runs, strict=True):
            cache.put((c, state), ds)
    return dict(zip(cells, per_cell, strict=True))


def _train_cell(task: tuple, _rng: None) -> list[xr.Dataset]:
    """`paired_runs` of one cell (a task of `map_runs`: it carries its own runs, no others)."""
    configs, gen, own = task
    return paired_runs(configs, gen, own)


def load_curves(params: LoadSweepParams, rng: np.random.Generator, rules: dict[str, dict]
            ) -> xr.Dataset:
    """error over (rule, p, seed, trial); each pattern's final |P − R|; each run's typical
    error at its floor (median over patterns of |P − R| averaged over the records of the last half
    of training); the final fraction of silent synapses; the level halfway from the initial mean
    error to the rule's floor and the trial at which single-pattern theory reaches it; and, where
    the delta rule is among the rules, whether each run's patterns have an exact solution
    (linear programming) at the loads just below capacity.

    Random numbers: run s at load p comes from `cell_generator` (rng, p, s), for every
    rule (`paired_runs`). So Figs 10B, 10C, 10D, the capacity study and compare-rules, run
    with the same seed and scale, show the same runs where they overlap, trained once per process,
    and rules are compared on the same patterns."""
    loads = params.loads()
    by_cell = runs_per_cell(params, rng, loads, rules, params.n_seeds)
    runs = [by_cell[(p, s)][r] for r in range(len(rules)) for p in loads
            for s in range(params.n_seeds)]
    cfgs = [params.run_params(n_patterns=p, **kw) for kw in rules.values() for p in loads
            for s in range(params.n_seeds)]
    shape = (len(rules), len(loads), params.n_seeds)
    err = np.array([r.error.values for r in runs]).reshape(*shape, -1)
    final_abs = np.full((*shape, max(loads)), np.nan)
    for k, r in enumerate(runs):
        e = np.abs(r.P_traj.isel(trial=-1) - r.R).values
        final_abs.reshape(-1, max(loads))[k, :e.size] = e
    half = [predicted_half_time(r, c) for r, c in zip(runs, cfgs, strict=True)]
    dims = ("rule", "p", "seed")
    ds = xr.Dataset(
        dict(error=(("rule", "p", "seed", "trial"), err,
                         dict(long_name="mean |P − R| over patterns", units="Hz")),
             final_abs=(("rule", "p", "seed", "pattern"), final_abs,
                        dict(long_name="final |P − R| of each pattern (NaN beyond p)", units="Hz")),
             floor_error=(dims, np.reshape([typical_late_error(r) for r in runs], shape), dict(
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
        ds["lp_min"] = (("p", "seed"), lp_below_capacity(params, rng, loads), dict(
            long_name="least mean |output − R| over w ≥ 0 (linear programming; 0: an exact "
                      "solution exists), at the loads just below capacity (NaN elsewhere)",
            units="Hz"))
    return merge(ds, runs)


def lp_below_capacity(params: LoadSweepParams, rng: np.random.Generator, loads: list[int]
                       ) -> np.ndarray:
    """For each (load, seed) in the finite-size window below capacity (α_c − 1/√N_M, α_c]·N_M
    (`capacity_window`), the least mean violation of an exact solution for the patterns and
    targets that run trained on (drawn again from its generator, as `train_batch` draws
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


def typical_late_error(run: xr.Dataset) -> float:
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


def crossing_trial(err: xr.DataArray, level: xr.DataArray) -> xr.DataArray:
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
    return (crossing_trial(ds.error.sel(rule=rule), ds.half_level.sel(rule=rule))
            / ds.predicted_half_trial.sel(rule=rule)).mean("seed")


def final_mean_error(ds: xr.Dataset) -> xr.DataArray:
    """Mean error after the last trial, mean over seeds."""
    return ds.error.isel(trial=-1).mean("seed")


FLOOR_LOAD = 0.2
"""Loads p/N_M ≤ 0.2 (the paper's p = 50-200) are well below capacity at both scales."""


def runs_note(ds: xr.Dataset) -> str:
    n = ds.sizes.get("seed", 1)
    return f" (mean of {n} runs per load)" if n > 1 else ""


def loads_between(ds: xr.Dataset, lo: float = 0.0, hi: float = np.inf) -> xr.DataArray:
    N = ds.attrs["N_M"]
    return ds.p[(ds.p >= lo * N) & (ds.p <= hi * N)]


def mean_final_error(ds: xr.Dataset, rule: str, p: int, with_se: bool = False):
    """Mean final |P − R| over every pattern of every run at load ``p`` (and its s.e.)."""
    v = ds.final_abs.sel(rule=rule, p=p).values.ravel()
    v = v[np.isfinite(v)]
    m = float(v.mean())
    if not with_se:
        return m
    return m, float(v.std(ddof=1) / np.sqrt(v.size)) if v.size > 1 else 0.0


def plot_load_curves(ds: xr.Dataset, title: str, letter: str):
    """Mean error against trials, one curve per load (mean ± s.e. over seeds): Fig 10B, C."""
    import matplotlib as mpl

    n = ds.sizes["seed"]
    fig, ax = figure(1, 1, title=title + (f" (mean ± s.e. of {n} runs per load)" if n > 1 else ""),
                     width=7)
    a = ax[0, 0]
    loads = ds.p.values / ds.attrs["N_M"]
    norm = mpl.colors.Normalize(loads.min(), loads.max())
    cmap = mpl.colormaps["viridis"]
    mean, se = mean_se(ds.error.isel(rule=0, trial=slice(1, None)))
    for load, p in zip(loads, ds.p.values, strict=True):
        m, e = mean.sel(p=p), se.sel(p=p)
        a.plot(ds.trial[1:], m, color=cmap(norm(load)))
        a.fill_between(ds.trial[1:], np.maximum(m - e, m / 10), m + e, color=cmap(norm(load)),
                       alpha=0.15, lw=0)
    a.set(xscale="log", yscale="log", xlabel="trial (per pattern)", ylabel="mean |P − R| [Hz]")
    a.yaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda y, _: f"{y:g}"))
    a.yaxis.set_minor_formatter(mpl.ticker.FuncFormatter(
        lambda y, _: f"{y:g}" if str(f"{y:g}")[0] in "25" else ""))
    bar = fig.colorbar(mpl.cm.ScalarMappable(norm, cmap), ax=a, pad=0.02)
    bar.set_label("load p/N_M (short ticks: one curve each)")
    bar.ax.set_yticks(loads, minor=True)
    panel_letter(a, letter)
    return fig
