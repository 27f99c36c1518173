"""Perceptron kernels: NumPy reference vs compiled (Numba), side by side, and the Fig 10D cost.

    python benchmarks/perceptron.py            # kernels + projected full Fig 10D (about 30 s)
    python benchmarks/perceptron.py --full     # also runs `bouvier2018-fig10d --full` and times it

Prints presentations per second for each kernel on the same pre-drawn presentations (N_M = 1000,
p = 400, the paper's parameters), their ratio, and the projected and measured wall time of the
full-scale Fig 10D (13 pattern counts × 5 rules × 10⁵ trials per pattern, on all cores).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time

import numpy as np

from cerebellar.figures.bouvier2018._perceptron import PAPER_P
from cerebellar.rules import get_rule
from cerebellar.sgdege.perceptron import (
    Patterns,
    PerceptronParams,
    initial_weight,
    kernel_args,
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
    overhead = rng_cost(PerceptronParams(n_patterns=400), 500)
    print(f"random orders + flags: {overhead * 1e9:.0f} ns/presentation")
    n_sg = 4 * sum(PAPER_P) * 100_000
    n_dl = sum(PAPER_P) * 100_000
    serial = n_sg * (1 / rates["sgdege"] + overhead) + n_dl * (1 / rates["delta"] + overhead)
    print(f"full Fig 10D: {n_sg + n_dl:.3g} presentations; projected {serial:.0f} s on one core, "
          f"{serial / cores:.0f} s on {cores} cores")
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
