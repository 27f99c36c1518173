"""Perceptron kernels: NumPy reference, one-run compiled kernel, runs in lockstep, and the
machine's floor, side by side; then the Fig 10D cost.

    python benchmarks/perceptron.py            # kernels + projected full Fig 10D (about 30 s)
    python benchmarks/perceptron.py --full     # also runs `bouvier2018-fig10d --full` and times it

Prints ns per run-presentation for each kernel on the same pre-drawn presentations (N_M = 1000,
p = 400, the paper's parameters): the NumPy reference, the compiled kernel with one run, and with
2, 4, 8 and 16 runs in lockstep (one SIMD lane per run), and the floor: a bare loop that reads
and writes the same active synapses of the same patterns in the same layout (SGDEGE: the gather
of w and v, the scatter of v on every presentation and of w on the perturbed ones; delta rule:
w only, on every presentation) with no arithmetic, measured on this machine in the same run.
Then a cell of Fig 10D (four SGDEGE q values and the delta rule on the same presentations) in
two layouts: the one call that `train_batch` makes (a 4-lane vector for SGDEGE and a 1-lane one
for the delta rule, in one pass over the synapses) and the two calls it made before (four
SGDEGE lanes, then the delta rule alone), on one core and on all cores at once. Last, the full
Fig 10D: projected from the cell, bounded below by the floor, and (--full) measured, as a
multiple of that bound.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np

from cerebellar.models.perceptron.kernels.lockstep import (
    kernel_args,
    lockstep_call,
    lockstep_groups,
)
from cerebellar.models.perceptron.kernels.reference import train_block_numpy
from cerebellar.models.perceptron.params import MAX_LANES, PerceptronParams
from cerebellar.models.perceptron.patterns import Patterns, initial_weight
from cerebellar.rules.base import rule_of
from cerebellar.studies.load_sweep import PAPER_P, Q_VALUES, LoadSweepParams

ROUNDS = 4
"""Rounds of the Fig 10D cell's measurements (floor and layouts in turn, best of each)."""


def presentations(p: PerceptronParams, n_epochs: int):
    """The patterns of ``p`` and ``n_epochs`` epochs of orders and uniform numbers (seed 0)."""
    rng = np.random.default_rng(0)
    pats = Patterns.draw(p, rng)
    order = rng.permuted(np.tile(np.arange(p.n_patterns), (n_epochs, 1)), axis=1).ravel()
    return pats, order, rng.random(order.size)


def numpy_ns(p: PerceptronParams, n_epochs: int) -> float:
    """ns per presentation of the NumPy reference (one repeat: it is slow)."""
    pats, order, u = presentations(p, n_epochs)
    w = np.full(p.N_M, initial_weight(p))
    v = w.copy()
    args = kernel_args(p, rule_of(p, "perceptron"), compiled=False)
    t0 = time.perf_counter()
    train_block_numpy(w, v, pats.idx, pats.ptr, pats.R, order, u, *args)
    return 1e9 * (time.perf_counter() - t0) / order.size


def lockstep_ns(p: PerceptronParams, n_runs: int, n_epochs: int, repeats: int = 3) -> float:
    """ns per run-presentation of the compiled kernel with ``n_runs`` runs of ``p``'s rule in
    lockstep (q spread over 0-0.75 for SGDEGE), best of ``repeats``."""
    configs = [p.replace(q=0.75 * r / max(n_runs - 1, 1)) for r in range(n_runs)]
    return calls_ns(configs, n_epochs, repeats) / n_runs


def calls_ns(configs: list[PerceptronParams], n_epochs: int, repeats: int = 3,
             groups: list[tuple[list[int], int]] | None = None) -> float:
    """ns per presentation of the kernel calls `train_batch` makes for ``configs`` (laid out by
    `lockstep_groups`, or as ``groups`` says), best of ``repeats``; the first call compiles and
    is not timed."""
    p = configs[0]
    pats, order, u = presentations(p, n_epochs)
    rules = [rule_of(c, "perceptron") for c in configs]
    idx = pats.idx.astype(np.uint32)
    groups = lockstep_groups([r.name for r in rules]) if groups is None else groups
    calls = [lockstep_call([configs[r] for r in lanes], [rules[r] for r in lanes], split)
             for lanes, split in groups]
    best = math.inf
    for rep in range(repeats + 1):
        n = order.size if rep else p.n_patterns
        elapsed = 0.0
        for kernel, rest in calls:
            X = np.full(p.N_M * 2 * rest[2].size, initial_weight(p))
            t0 = time.perf_counter()
            kernel(X, idx, pats.ptr, pats.R, order[:n], u[:n], *rest)
            elapsed += time.perf_counter() - t0
        if rep:
            best = min(best, elapsed)
    return 1e9 * best / order.size


ONE, TWO, THREE, FOUR = (np.uint64(k) for k in range(1, 5))


@numba.njit(nogil=True)
def _floor_loop(X, idx, ptr, order, u, rho, olive):  # pragma: no cover - compiled
    """Read w (and v, ``olive``) of the active synapses of each presented pattern (rows [w, v],
    the one-run kernel's layout), write v back and w on the perturbed presentations (SGDEGE), or
    w on every presentation (the delta rule, no olive): nothing else."""
    a0 = a1 = a2 = a3 = 0.0
    for k in range(order.size):
        m = np.uint64(order[k])        # unsigned indices, as the kernels: no negative-index wrap
        start, stop = np.uint64(ptr[m]), np.uint64(ptr[m + ONE])
        j = start
        while j + FOUR <= stop:                       # FOUR chains, as the kernels sum
            b0, b1 = np.uint64(idx[j]) * TWO, np.uint64(idx[j + ONE]) * TWO
            b2, b3 = np.uint64(idx[j + TWO]) * TWO, np.uint64(idx[j + THREE]) * TWO
            a0 += X[b0] + X[b0 + ONE] if olive else X[b0]
            a1 += X[b1] + X[b1 + ONE] if olive else X[b1]
            a2 += X[b2] + X[b2 + ONE] if olive else X[b2]
            a3 += X[b3] + X[b3 + ONE] if olive else X[b3]
            j += FOUR
        while j < stop:
            b0 = np.uint64(idx[j]) * TWO
            a0 += X[b0] + X[b0 + ONE] if olive else X[b0]
            j += ONE
        write_w = u[k] < rho or not olive
        for j in range(start, stop):
            b0 = np.uint64(idx[j]) * TWO
            if olive:
                X[b0 + ONE] += 1e-300
            if write_w:
                X[b0] += 1e-300
    return (a0 + a1) + (a2 + a3)


def floor_ns(p: PerceptronParams, n_epochs: int, repeats: int = 3, olive: bool = True) -> float:
    """The machine's floor: ns per presentation of :func:`_floor_loop` on the same patterns."""
    pats, order, u = presentations(p, n_epochs)
    X = np.ones(2 * p.N_M)
    idx = pats.idx.astype(np.uint32)
    _floor_loop(X, idx, pats.ptr, order[:10], u[:10], p.rho, olive)
    best = math.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        _floor_loop(X, idx, pats.ptr, order, u, p.rho, olive)
        best = min(best, time.perf_counter() - t0)
    return 1e9 * best / order.size


def on_all_cores(measure, cores: int) -> float:
    """``measure()`` (ns per presentation) on every core at once, one thread each (the kernels
    release the GIL): the slowest thread's figure, what a run on all cores gets per core."""
    with ThreadPoolExecutor(cores) as pool:
        return max(pool.map(lambda _: measure(), range(cores)))


def rng_ns(p: PerceptronParams, n_epochs: int) -> float:
    """ns per presentation spent drawing orders and perturbation numbers (once per lockstep
    group, as :func:`cerebellar.models.perceptron.simulate.train_batch` does)."""
    rng = np.random.default_rng(0)
    base = np.tile(np.arange(p.n_patterns), (n_epochs, 1))
    t0 = time.perf_counter()
    rng.permuted(base, axis=1)
    rng.random(base.size)
    return 1e9 * (time.perf_counter() - t0) / base.size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="also run the full Fig 10D and time it")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    print(f"machine: {cores} cores; N_M = 1000, p = 400, Fig 10 parameters; one core per kernel")
    ns: dict[tuple[str, int], float] = {}
    for rule in ("sgdege", "delta"):
        p = PerceptronParams(rule=rule, N_M=1000, n_patterns=400)
        ref = numpy_ns(p, n_epochs=5)
        print(f"\n{rule}: ns per run-presentation")
        print(f"{'kernel':24} {'ns':>8} {'× floor':>8} {'speed-up vs one run':>20}")
        fl = floor_ns(p, 500, olive=rule == "sgdege")
        print(f"{'floor (gather+scatter)':24} {fl:8.0f} {1:8.2f}")
        for n_runs in (1, 2, 4, 8, 16):
            ns[rule, n_runs] = lockstep_ns(p, n_runs, 500 if n_runs < 8 else 200)
            name = "one run" if n_runs == 1 else f"lockstep, {n_runs} runs"
            print(f"{name:24} {ns[rule, n_runs]:8.0f} {ns[rule, n_runs] / fl:8.2f} "
                  f"{ns[rule, 1] / ns[rule, n_runs]:20.2f}")
        print(f"{'NumPy reference':24} {ref:8.0f} {ref / fl:8.2f} {ns[rule, 1] / ref:20.3f}")
    print(f"(train_batch gives one kernel call at most {MAX_LANES} runs: the 16-run rows show why)")
    overhead = rng_ns(PerceptronParams(n_patterns=400), 500)
    print(f"\nrandom orders + perturbation numbers: {overhead:.0f} ns per presentation (drawn once "
          "for all the runs of a (load, seed))")
    seeds = LoadSweepParams.FULL["n_seeds"]
    trials = seeds * sum(PAPER_P) * LoadSweepParams.FULL["trials_per_pattern"]
    n_q = len(Q_VALUES)
    # a (load, seed) cell: the four q values of SGDEGE and the delta rule on one drawing of the
    # orders and perturbation numbers (train_batch), laid out two ways
    p = PerceptronParams(N_M=1000, n_patterns=400)
    cell = [p.replace(q=q) for q in Q_VALUES] + [p.replace(rule="delta")]
    layouts = {f"one call, {n_q} + 1 lanes (train_batch)": None,
               f"two calls: {n_q} SGDEGE lanes, delta": [(list(range(n_q)), n_q), ([n_q], 1)]}
    # this machine's speed drifts by tens of per cent over seconds: the floor and the layouts
    # are measured in turn, ROUNDS times, and each keeps its best
    floor = floor_all = cell_all = math.inf
    cell_ns = dict.fromkeys(layouts, math.inf)
    for _ in range(ROUNDS):
        floor = min(floor, floor_ns(p, 500))
        for name, groups in layouts.items():
            cell_ns[name] = min(cell_ns[name], calls_ns(cell, 500, groups=groups))
        floor_all = min(floor_all, on_all_cores(lambda: floor_ns(p, 500), cores))
        cell_all = min(cell_all, on_all_cores(lambda: calls_ns(cell, 500), cores))
    print(f"\nFig 10D cell ({n_q} SGDEGE q values + delta rule): ns per cell-presentation, "
          f"best of {ROUNDS} rounds of the floor and the layouts in turn")
    print(f"{'layout':36} {'ns':>8} {'× SGDEGE floor':>15}")
    print(f"{'SGDEGE floor (one run)':36} {floor:8.0f} {1:15.2f}")
    for name in layouts:
        print(f"{name:36} {cell_ns[name]:8.0f} {cell_ns[name] / floor:15.2f}")
    print(f"on all {cores} cores at once, per core (one thread each):")
    print(f"{'  SGDEGE floor (one run)':36} {floor_all:8.0f} {floor_all / floor:15.2f}")
    print(f"{'  one call (train_batch)':36} {cell_all:8.0f} {cell_all / floor:15.2f}")
    serial = trials * 1e-9 * (cell_ns[next(iter(layouts))] + overhead)
    print(f"full Fig 10D ({seeds} seeds per point): {trials * (n_q + 1):.3g} run-presentations; "
          f"projected {serial:.0f} s on one core, {serial / cores:.0f} s on {cores} cores")
    bound = trials * 1e-9 * floor / cores
    print(f"lower bound: its {trials:.3g} presentations of a (load, seed) at the one-run floor, "
          f"as if all {n_q + 1} runs of a cell cost one bare read/write of its synapses: "
          f"{bound:.0f} s on {cores} cores; with the floor measured on all cores at once "
          f"{bound * floor_all / floor:.0f} s")
    if args.full:
        import cerebellar

        t0 = time.perf_counter()
        ds = cerebellar.run("bouvier2018-fig10d", full=True)
        measured = time.perf_counter() - t0
        failed = [c.what for c in cerebellar.checks(ds) if not c.passed]
        print(f"measured full Fig 10D: {measured:.0f} s = {measured / bound:.2f} × the lower "
              f"bound, {measured * floor / (bound * floor_all):.2f} × the bound at the all-core "
              f"floor (projection {serial / cores:.0f} s); checks failed: {failed or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
