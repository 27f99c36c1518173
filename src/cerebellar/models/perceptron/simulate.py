"""Analog perceptron trained by SGDEGE or by the delta rule (Bouvier et al. 2018, Appendix 1,
"Perceptron model and simulations", Eqs 36-42; the model reference, 'Analog perceptron').

One P-cell reads N_M binary mossy fibres (coding level f) through weights w ≥ 0:

    P^μ = [ (Σ_i w_i M^μ_i − θ N_M)/√N_M ]_+ + η A                                  (Eq 36)
    θ = (P_max/2)(√(f/(3(1 − f)γ)) − 1/√N_M)                                        (Fig 10 legend)

SGDEGE: ℰ = |P^μ − R^μ|, ℐ = [(Σ_i v_i M^μ_i − θ N_M)/√N_M − q P^μ]_+ (Eq 37), c = sign(ℰ − ℐ)
(a tie counts as no eCS); w_i ← [w_i − α_w c η M^μ_i]_+ (Eq 38), v_i ← [v_i + α_v c M^μ_i]_+ (Eq 39),
with α_w = ΔP/(f√N_M), α_v = Δ𝒥/(f√N_M) (Eqs 40-41). Delta rule: w_i ← [w_i − α M^μ_i (P^μ − R^μ)]_+
with A = 0 (Eq 42).

Trials are counted per pattern: each trial is one epoch presenting every pattern once in a new
random order [NS: the paper says "drawn without replacement"]. Two kernels implement one
presentation loop: `train_block_numpy` (reference) and `lockstep_kernel` (compiled,
touches only the ~f·N_M active synapses of a pattern, for one run or several runs in lockstep,
one SIMD lane per run); both consume the same pre-drawn orders and perturbation flags, so they
agree to rounding.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from cerebellar.core.errors import ParameterError
from cerebellar.core.parallel import map_runs
from cerebellar.core.progress import progress
from cerebellar.core.status import mark_diverged
from cerebellar.models.perceptron.kernels.lockstep import (
    kernel_args,
    lane_columns,
    lockstep_call,
    lockstep_groups,
    train_block_numba,
)
from cerebellar.models.perceptron.kernels.reference import train_block_numpy
from cerebellar.models.perceptron.params import BATCHABLE, MODEL, SILENT, PerceptronParams
from cerebellar.models.perceptron.patterns import Patterns, initial_weight, initial_weights, outputs
from cerebellar.rules import Rule, rule_of

# -- kernels: one presentation loop, two implementations --------------------------------------


KERNELS = {"numpy": train_block_numpy, "numba": train_block_numba}


def record_trials(trials_per_pattern: int, n_records: int) -> np.ndarray:
    """0 plus log-spaced trial counts up to ``trials_per_pattern`` (unique integers)."""
    counts = np.geomspace(1, trials_per_pattern, n_records - 1).round().astype(int)
    return np.unique(np.r_[0, counts, trials_per_pattern])


def simulate(p: PerceptronParams, rng: np.random.Generator, *, backend: str = "numba",
          block_epochs: int = 256, show_progress: bool = True,
          marks: np.ndarray | None = None, rule: Rule | None = None) -> xr.Dataset:
    """One learning run: draw patterns, train, record errors at log-spaced trial counts.

    Random numbers come from ``rng`` only: patterns and targets first, then, for each block of
    epochs, the presentation orders and the uniform numbers of the perturbations (drawn whatever
    the rule, so every rule sees the same patterns for the same seed).
    """
    return train_batch([p], rng, backend=backend, block_epochs=block_epochs,
                       show_progress=show_progress, marks=marks, rule=rule)[0]


def train_batch(configs: list[PerceptronParams], rng: np.random.Generator, *,
                backend: str = "numba", block_epochs: int = 256, show_progress: bool = True,
                marks: np.ndarray | None = None, rule: Rule | None = None) -> list[xr.Dataset]:
    """Runs that differ only in `BATCHABLE` parameters, trained in lockstep on the same
    patterns, presentation order and uniform numbers (a paired design: the random numbers of
    ``rng`` are drawn once, as for one run). Each result equals `simulate` of its config with
    a generator in the same state, bit for bit. The compiled kernel runs up to `MAX_LANES` runs
    of at most two rules at once, one SIMD lane per run (`lockstep_kernel`, laid out by
    `lockstep_groups`); further calls take turns on each block of presentations. The NumPy
    reference takes one run at a time."""
    if backend not in KERNELS:
        raise ParameterError(f"backend = {backend!r}: allowed one of {', '.join(KERNELS)}")
    p = configs[0]
    shared = {k: v for k, v in p.to_dict().items() if k not in BATCHABLE}
    for c in configs[1:]:
        diff = [k for k, v in c.to_dict().items() if k not in BATCHABLE and v != shared[k]]
        if diff:
            raise ParameterError(f"runs trained in lockstep must share parameter '{diff[0]}' "
                                 f"({shared[diff[0]]!r} vs {getattr(c, diff[0])!r}); only "
                                 f"{', '.join(BATCHABLE)} may differ")
    n_runs = len(configs)
    if backend == "numpy" and n_runs > 1:
        raise ParameterError("the NumPy reference trains one run at a time")
    rules = [rule_of(c, MODEL, rule if rule is not None else getattr(c, "rule", "sgdege"))
             for c in configs]
    pats = Patterns.draw(p, rng)
    w, v = initial_weights(p, rng)
    w_start_zero = float(np.mean(w == 0))
    if backend == "numpy":
        W, V = [w], [v]                                  # the reference updates w, v in place
        rest = kernel_args(p, rules[0], compiled=False)

        def run_block(order, u):
            train_block_numpy(w, v, pats.idx, pats.ptr, pats.R, order, u, *rest)
    else:
        W, V = [None] * n_runs, [None] * n_runs         # views of each rule's interleaved X
        steps = []
        idx = pats.idx.astype(np.uint32)
        for lanes, split in lockstep_groups([rl.name for rl in rules]):
            w_at, v_at = lane_columns(len(lanes), split)
            X = np.empty((p.N_M, 2 * len(lanes)))       # [synapse, w or v of a lane]
            X[:, w_at], X[:, v_at] = w[:, None], v[:, None]
            for lane, r in enumerate(lanes):
                if W[r] is None:                        # not a padding lane's copy
                    W[r], V[r] = X[:, w_at[lane]], X[:, v_at[lane]]
            kernel, rest = lockstep_call([configs[r] for r in lanes], [rules[r] for r in lanes],
                                         split)
            steps.append((kernel, (X.reshape(-1), idx, pats.ptr, pats.R), rest))

        def run_block(order, u):
            for kernel, head, rest in steps:
                kernel(*head, order, u, *rest)
    marks = record_trials(p.trials_per_pattern, p.n_records) if marks is None else np.asarray(marks)
    n_p = p.n_patterns
    P_rec = np.full((n_runs, marks.size, n_p), np.nan)
    J_rec = np.full_like(P_rec, np.nan)
    stopped = [None] * n_runs                                   # (slot, why, weight stats)
    base = np.tile(np.arange(n_p), (block_epochs, 1))
    presented = np.zeros(n_p, np.int64)                          # presentations per pattern
    done = 0
    label = (f"perceptron {'/'.join(dict.fromkeys(r.name for r in rules))} p={n_p}"
             + (f" ×{n_runs}" if n_runs > 1 else ""))
    with progress(p.trials_per_pattern * n_p * n_runs, label, unit="pres",
                  disable_override=not show_progress) as bar:
        for slot, target in enumerate(marks):
            while done < target:
                k = min(block_epochs, target - done)
                order = rng.permuted(base[:k], axis=1).ravel()
                presented += np.bincount(order, minlength=n_p)
                u = rng.random(k * n_p)
                run_block(order, u)
                done += k
                bar.update(k * n_p * n_runs)
            for r, c in enumerate(configs):
                if stopped[r] is None:
                    P_rec[r, slot], J_rec[r, slot] = outputs(W[r], V[r], pats, c)
                    why = _runaway(P_rec[r, slot], pats.R, P_rec[r, 0], c.P_max)
                    if why:
                        stopped[r] = (slot, why, _weight_stats(W[r], c))
            if all(s is not None for s in stopped):
                break
    return [_run_dataset(c, pats, marks, P_rec[r], J_rec[r], w_start_zero, presented,
                         stopped[r] or (None, "", _weight_stats(W[r], c)))
            for r, c in enumerate(configs)]


def _weight_stats(w: np.ndarray, p: PerceptronParams) -> tuple[float, float]:
    return float(np.mean(w == 0)), float(np.mean(w < SILENT * initial_weight(p)))


def _run_dataset(p: PerceptronParams, pats: Patterns, marks: np.ndarray, P_rec: np.ndarray,
                 J_rec: np.ndarray, w_start_zero: float, presented: np.ndarray, stop: tuple
                 ) -> xr.Dataset:
    slot, why, (w_zero, w_silent) = stop
    err = np.abs(P_rec - pats.R)
    ds = xr.Dataset(
        dict(
            error=(("trial",), err.mean(axis=1),
                        dict(long_name="mean |P − R| over patterns, unperturbed", units="Hz")),
            P_traj=(("trial", "pattern"), P_rec, dict(long_name="unperturbed output P", units="Hz")),
            J_traj=(("trial", "pattern"), J_rec, dict(long_name="𝒥 = (Σ v M − θN)/√N", units="Hz")),
            P=(("pattern",), P_rec[-1], dict(long_name="final output", units="Hz")),
            R=(("pattern",), pats.R, dict(long_name="target", units="Hz")),
            presentations=(("pattern",), presented, dict(long_name="presentations of the pattern",
                                                         units="1")),
            w_zero=((), w_zero, dict(long_name="fraction of zero weights, end")),
            w_zero_start=((), w_start_zero, dict(long_name="fraction of zero weights, start")),
            w_silent=((), w_silent, dict(
                long_name=f"fraction of near-silent weights (w < {SILENT:g} w̄), end")),
        ),
        coords=dict(trial=("trial", marks, dict(units="trial (per pattern)")),
                    pattern=np.arange(p.n_patterns)),
        attrs=dict(theta=p.theta, alpha_w=p.alpha_w, alpha_v=p.alpha_v),
    )
    if why:
        mark_diverged(ds, int(marks[slot]), "trial", why)
    return ds


def _runaway(P: np.ndarray, R: np.ndarray, P0: np.ndarray, P_max: float) -> str:
    """Why the outputs ``P`` have run away ('' if they have not): a non-finite output, or a mean
    error above max(2 × the initial mean error, P_max). Learning lowers the error; even far
    above capacity it stays near its floor of a few Hz (Fig 10D)."""
    if not np.isfinite(P).all():
        return "non-finite output P"
    err, err0 = float(np.abs(P - R).mean()), float(np.abs(P0 - R).mean())
    bound = max(2 * err0, P_max)
    if err > bound:
        return f"mean error {err0:.3g} → {err:.3g} Hz (bound max(2 × initial, P_max) = {bound:.3g})"
    return ""


def train_many(configs: list[PerceptronParams], rng: np.random.Generator, *,
               marks: np.ndarray | None = None, rule: Rule | None = None) -> list[xr.Dataset]:
    """Train several runs: those that differ only in `BATCHABLE` parameters run in
    lockstep (`train_batch`) on one generator, so they see the same patterns, orders and
    perturbation numbers (a paired comparison). A config given again is a replicate: its k-th
    copy joins the k-th group, with its own generator. Groups are spread over the cores
    (`cerebellar.core.parallel.map_runs`), one generator spawned from ``rng`` per group, in
    the order of first appearance. Results come back in the order of ``configs``."""
    groups: dict[tuple, list[int]] = {}
    copies: dict[PerceptronParams, int] = {}
    for i, c in enumerate(configs):
        copies[c] = copies.get(c, -1) + 1
        key = (copies[c], *((k, v) for k, v in c.to_dict().items() if k not in BATCHABLE))
        groups.setdefault(key, []).append(i)
    members = list(groups.values())
    runs = map_runs(
        lambda g, r: train_batch([configs[i] for i in g], r, show_progress=False, marks=marks,
                                 rule=rule),
        members, rng, cost=lambda g: len(g) * configs[g[0]].trials_per_pattern
        * configs[g[0]].n_patterns, desc="perceptron runs", unit="pres")
    out: list[xr.Dataset | None] = [None] * len(configs)
    for group, results in zip(members, runs, strict=True):
        for i, ds in zip(group, results, strict=True):
            out[i] = ds
    return out
