"""Network kernels: batched NumPy reference vs compiled incremental kernel, and the full Fig 8.

    python benchmarks/network.py

Prints movements per second of both kernels on the same Table 2 network and the same pre-drawn
perturbations, their ratio, and the measured wall time of `bouvier2018-fig8 --full`
(2 patterns × 60 000 trials = 120 000 movements, 400 PCs, 20 000 mossy fibres); then, against
the number of movements p, the memory of each kernel, the speed of the incremental kernel
(while its overlap counts fit) and of the direct one, and the floor of the direct one measured in
the same run: a bare loop that reads the weight rows its refresh reads.
"""

from __future__ import annotations

import sys
import time

import numba
import numpy as np

import cerebellar
from cerebellar.models.network.draw import Network, draw_perturbations, profile_trials
from cerebellar.models.network.kernels.direct import run_direct
from cerebellar.models.network.kernels.incremental import run_incremental
from cerebellar.models.network.kernels.reference import run_numpy
from cerebellar.models.network.params import OVERLAP_BUDGET, NetworkParams, overlap_bytes


def rate(kernel, net: Network, n: int) -> float:
    """Movements per second of ``kernel`` once set up: (n − n/5) / (t(n) − t(n/5)), so the
    per-call set-up (drives, counts, index arrays) cancels."""
    perturb, pbin = draw_perturbations(net.params, n, np.random.default_rng(1))
    at = profile_trials(net.params)
    kernel(net, perturb[:4], pbin[:4], at)  # warm-up (and compile)
    times = []
    for m in (n // 5, n):
        t0 = time.perf_counter()
        kernel(net, perturb[:m], pbin[:m], at)
        times.append(time.perf_counter() - t0)
    return (n - n // 5) / max(times[1] - times[0], 1e-9)


@numba.njit(nogil=True)
def _floor_loop(w, act, act_ptr, n_movements, n_patterns):  # pragma: no cover - compiled
    """Read the weight rows [fibre, column] of the presented pattern's active fibres into one
    row of sums: the memory traffic of the direct kernel's refresh, with nothing else."""
    acc = np.zeros(w.shape[1])
    for k in range(n_movements):
        mu = k % n_patterns
        for j in range(act_ptr[mu], act_ptr[mu + 1]):
            f = act[j]
            for l in range(w.shape[1]):
                acc[l] += w[f, l]
    return acc


def floor_rate(net: Network, n: int) -> float:
    """Movements per second of :func:`_floor_loop` on the network's patterns and weights."""
    p = net.params
    w = np.ascontiguousarray((net.w * net.sigma).reshape(p.L, p.S * p.N).T)
    act = np.concatenate(net.act)
    act_ptr = np.r_[0, np.cumsum([a.size for a in net.act])].astype(np.int64)
    _floor_loop(w, act, act_ptr, 2, p.n_patterns)
    t0 = time.perf_counter()
    _floor_loop(w, act, act_ptr, n, p.n_patterns)
    return n / (time.perf_counter() - t0)


def main() -> int:
    p = NetworkParams()
    net = Network.draw(p, np.random.default_rng(0))
    r_np = rate(run_numpy, net, 500)
    r_nb = rate(run_incremental, net, 40_000)
    print(f"Table 2 network: {p.S * p.L} PCs, {p.S * p.N} mossy fibres, {p.T} bins")
    print(f"{'kernel':10} {'movements/s':>12} {'µs/movement':>12}")
    print(f"{'numpy':10} {r_np:12,.0f} {1e6 / r_np:12.1f}")
    print(f"{'numba':10} {r_nb:12,.0f} {1e6 / r_nb:12.1f}")
    print(f"ratio numba / numpy: {r_nb / r_np:.1f}x")
    print(f"projected full Fig 8 (120 000 movements): numba {120_000 / r_nb:.1f} s, "
          f"numpy {120_000 / r_np:.0f} s")
    with cerebellar.quiet():
        t0 = time.perf_counter()
        ds = cerebellar.run("bouvier2018-fig8", full=True)
        wall = time.perf_counter() - t0
    failed = [c.what for c in cerebellar.checks(ds) if not c.passed]
    print(f"measured `bouvier2018-fig8 --full`: {wall:.1f} s (drawing, kernel, recording); "
          f"checks failed: {failed or 'none'}")
    print("\nmovements learnt together (p): the incremental kernel's overlap counts grow as p², the "
          "direct kernel's memory as p")
    print("floor: a bare read of the presented pattern's weight rows (the direct kernel's "
          "refresh without its arithmetic)")
    print(f"{'p':>6} {'overlaps [GiB]':>15} {'estimate [GiB]':>15} {'chosen':>12} "
          f"{'incremental/s':>14} {'direct/s':>10} {'floor/s':>10} {'direct/floor':>13}")
    for n in (2, 10, 40, 100, 300, 1000):
        q = p.replace(n_patterns=n, trials_per_pattern=20)
        fits = overlap_bytes(q) <= OVERLAP_BUDGET
        speeds = [float("nan")] * 3
        if n <= 300:
            net_n = Network.draw(q, np.random.default_rng(0))
            speeds = [rate(run_incremental, net_n, 4000) if fits else float("nan"),
                      rate(run_direct, net_n, 4000), floor_rate(net_n, 4000)]
        print(f"{n:6d} {overlap_bytes(q) / 2**30:15.3f} {q.memory_bytes()[0] / 2**30:15.3f} "
              f"{'incremental' if fits else 'direct':>12} {speeds[0]:14,.0f} {speeds[1]:10,.0f} "
              f"{speeds[2]:10,.0f} {speeds[1] / speeds[2]:13.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
