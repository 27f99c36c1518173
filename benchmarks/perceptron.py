"""Perceptron kernels: NumPy reference, one-run compiled kernel, runs in lockstep, and the
machine's floor, side by side; then the Fig 10D cost.

    python benchmarks/perceptron.py            # kernels + projected full Fig 10D (about 40 s)
    python benchmarks/perceptron.py --full     # also runs `bouvier2018-fig10d --full` and times it

Prints ns per run-presentation for each kernel on the same pre-drawn presentations (N_M = 1000,
p = 400, the paper's parameters): the NumPy reference, the one-run kernel, the lockstep kernel
with 4, 8 and 16 runs ([synapse, run] weights), and the floor: a bare loop that reads and writes
the same active synapses of the same patterns (the gather of w and v and the scatter of w and v)
with no arithmetic, measured on this machine in the same run.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time

import numba
import numpy as np

from cerebellar.figures.bouvier2018._perceptron import PAPER_P, Q_VALUES, LoadSweepParams
from cerebellar.rules import get_rule
from cerebellar.sgdege.perceptron import (
    Patterns,
    PerceptronParams,
    initial_weight,
    kernel_args,
    train_block_batch,
    train_block_numba,
    train_block_numpy,
)


def rate(kernel, p: PerceptronParams, n_epochs: int, repeats: int = 3) -> float:
    """Presentations per second of ``kernel`` (best of ``repeats``), random numbers excluded."""
    rng = np.random.default_rng(0)
    pats = Patterns.draw(p, rng)
    order = rng.permuted(np.tile(np.arange(p.n_patterns), (n_epochs, 1)), axis=1).ravel()
    u = rng.random(order.size)
    compiled = kernel is train_block_numba
    best = math.inf
    for _ in range(repeats):
        w = np.full(p.N_M, initial_weight(p))
        v = w.copy()
        args = kernel_args(p, get_rule(p.rule), compiled=compiled)  # a fresh rule state
        t0 = time.perf_counter()
        kernel(w, v, pats.idx, pats.ptr, pats.R, order, u, *args)
        best = min(best, time.perf_counter() - t0)
    return order.size / best


def batch_ns(p: PerceptronParams, n_runs: int, n_epochs: int, repeats: int = 3) -> float:
    """ns per run-presentation of the lockstep kernel with ``n_runs`` runs (q spread 0-0.75)."""
    rng = np.random.default_rng(0)
    pats = Patterns.draw(p, rng)
    order = rng.permuted(np.tile(np.arange(p.n_patterns), (n_epochs, 1)), axis=1).ravel()
    u = rng.random(order.size)
    configs = [p.replace(q=0.75 * r / max(n_runs - 1, 1)) for r in range(n_runs)]
    rule = get_rule(p.rule)
    best = math.inf
    for _ in range(repeats):
        W = np.full((p.N_M, n_runs), initial_weight(p))
        V = W.copy()
        args = (p.theta * p.N_M, math.sqrt(p.N_M), np.array([c.q for c in configs]),
                np.array([c.A for c in configs]), rule.perturb, rule.update,
                np.stack([rule.constants_for(c) for c in configs]),
                np.zeros((n_runs, rule.state_size(p.n_patterns))), rule.uses_olive)
        t0 = time.perf_counter()
        train_block_batch(W, V, pats.idx, pats.ptr, pats.R, order, u, *args)
        best = min(best, time.perf_counter() - t0)
    return 1e9 * best / (order.size * n_runs)


@numba.njit(nogil=True)
def _floor_loop(w, v, idx, ptr, order):  # pragma: no cover - compiled
    """Read and write the active synapses of each presented pattern, nothing else."""
    a0 = a1 = a2 = a3 = 0.0
    for k in range(order.size):
        mu = order[k]
        j, stop = ptr[mu], ptr[mu + 1]
        while j + 4 <= stop:                       # four chains, as the kernels sum
            a0 += w[idx[j]] + v[idx[j]]
            a1 += w[idx[j + 1]] + v[idx[j + 1]]
            a2 += w[idx[j + 2]] + v[idx[j + 2]]
            a3 += w[idx[j + 3]] + v[idx[j + 3]]
            j += 4
        while j < stop:
            a0 += w[idx[j]] + v[idx[j]]
            j += 1
        for j in range(ptr[mu], ptr[mu + 1]):
            w[idx[j]] += 1e-300
            v[idx[j]] += 1e-300
    return (a0 + a1) + (a2 + a3)


def floor_ns(p: PerceptronParams, n_epochs: int, repeats: int = 3) -> float:
    """The machine's floor: ns per presentation of :func:`_floor_loop` on the same patterns."""
    rng = np.random.default_rng(0)
    pats = Patterns.draw(p, rng)
    order = rng.permuted(np.tile(np.arange(p.n_patterns), (n_epochs, 1)), axis=1).ravel()
    w, v = np.ones(p.N_M), np.ones(p.N_M)
    _floor_loop(w, v, pats.idx, pats.ptr, order[:10])
    best = math.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        _floor_loop(w, v, pats.idx, pats.ptr, order)
        best = min(best, time.perf_counter() - t0)
    return 1e9 * best / order.size


def rng_cost(p: PerceptronParams, n_epochs: int) -> float:
    """Seconds per presentation spent drawing orders and perturbation flags."""
    rng = np.random.default_rng(0)
    base = np.tile(np.arange(p.n_patterns), (n_epochs, 1))
    t0 = time.perf_counter()
    rng.permuted(base, axis=1)
    rng.random(base.size)
    return (time.perf_counter() - t0) / base.size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="also run the full Fig 10D and time it")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    print(f"machine: {cores} cores; N_M = 1000, p = 400, Fig 10 parameters")
    for rule in ("sgdege", "delta"):  # compile outside the timing
        rate(train_block_numba, PerceptronParams(rule=rule, N_M=100, n_patterns=2), 1, 1)
    print(f"{'rule':8} {'numpy pres/s':>14} {'numba pres/s':>14} {'ratio':>7} {'numba ns/pres':>14}")
    rates = {}
    for rule in ("sgdege", "delta"):
        p = PerceptronParams(rule=rule, N_M=1000, n_patterns=400)
        r_np = rate(train_block_numpy, p, n_epochs=5, repeats=1)
        r_nb = rate(train_block_numba, p, n_epochs=500)
        rates[rule] = r_nb
        print(f"{rule:8} {r_np:14,.0f} {r_nb:14,.0f} {r_nb / r_np:7.1f} {1e9 / r_nb:14.0f}")
    p = PerceptronParams(N_M=1000, n_patterns=400)
    batch_ns(p, 2, 1, 1)  # compile
    fl = floor_ns(p, 500)
    one = 1e9 / rates["sgdege"]
    print("\nSGDEGE, ns per run-presentation (floor: a bare read/write of the same synapses, "
          "one run)")
    print(f"{'kernel':22} {'ns':>8} {'× floor':>8} {'speed-up vs one run':>20}")
    print(f"{'floor (gather+scatter)':22} {fl:8.0f} {1:8.2f}")
    print(f"{'one run':22} {one:8.0f} {one / fl:8.2f} {1:20.2f}")
    lockstep = {}
    for n_runs in (4, 8, 16):
        ns = lockstep[n_runs] = batch_ns(p, n_runs, 200)
        print(f"{f'lockstep, {n_runs} runs':22} {ns:8.0f} {ns / fl:8.2f} {one / ns:20.2f}")
    overhead = rng_cost(PerceptronParams(n_patterns=400), 500)
    print(f"random orders + flags: {overhead * 1e9:.0f} ns/presentation")
    seeds = LoadSweepParams.FULL["n_seeds"]
    n_sg = seeds * len(Q_VALUES) * sum(PAPER_P) * 100_000
    n_dl = seeds * sum(PAPER_P) * 100_000
    # the four q values of a (load, seed) run in lockstep; the delta rule alone
    serial = n_sg * (lockstep[4] * 1e-9 + overhead / 4) + n_dl * (1 / rates["delta"] + overhead)
    print(f"full Fig 10D ({seeds} seeds per point): {n_sg + n_dl:.3g} run-presentations; projected "
          f"{serial:.0f} s on one core, {serial / cores:.0f} s on {cores} cores")
    if args.full:
        import cerebellar

        t0 = time.perf_counter()
        ds = cerebellar.run("bouvier2018-fig10d", full=True)
        measured = time.perf_counter() - t0
        failed = [c.what for c in cerebellar.checks(ds) if not c.passed]
        print(f"measured full Fig 10D: {measured:.0f} s (projection {serial / cores:.0f} s); "
              f"checks failed: {failed or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
