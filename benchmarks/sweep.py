"""Sweep scaling on this machine: the same sweep of short points with 1 and with 2 workers.

    python benchmarks/sweep.py [--points 32] [--cycles 20000]

Each point is a `vor` run of ``--cycles`` cycles (a fraction of a second); the sweep is run in
fresh folders with ``workers=1`` and ``workers=2`` and the wall times and speed-up are printed,
with a check that both combined results are identical. For reference, the same points are also
run bare (no files, no sweep machinery) in 1 and 2 processes: that ratio is the machine's own
ceiling for two CPU-bound processes (virtual CPUs are not always two full cores).
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import xarray as xr

import cerebellar


def timed_sweep(out: Path, workers: int, points: int, cycles: int) -> tuple[float, xr.Dataset]:
    grid = {"q": [round(x, 6) for x in np.linspace(0.0, 1.0, points)]}
    t0 = time.perf_counter()
    with cerebellar.quiet():
        ds = cerebellar.sweep("vor", grid=grid, fixed={"n_cycles": cycles}, out=out,
                              workers=workers)
    return time.perf_counter() - t0, ds


def _bare_point(q: float, cycles: int) -> float:
    from cerebellar.models.vor.params import VORParams
    from cerebellar.models.vor.simulate import simulate

    return float(simulate(VORParams(q=q, n_cycles=cycles), np.random.default_rng(0)).G[-1])


def bare(workers: int, points: int, cycles: int) -> float:
    qs = list(np.linspace(0.0, 1.0, points))
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pool.starmap(_bare_point, [(0.5, 10)] * workers)       # start the workers
        t0 = time.perf_counter()
        pool.starmap(_bare_point, [(q, cycles) for q in qs])
        return time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=32)
    parser.add_argument("--cycles", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t1, a = timed_sweep(Path(tmp) / "w1", 1, args.points, args.cycles)
        t2, b = timed_sweep(Path(tmp) / "w2", 2, args.points, args.cycles)
    xr.testing.assert_identical(a, b)
    b1, b2 = bare(1, args.points, args.cycles), bare(2, args.points, args.cycles)
    print(f"sweep of {args.points} `vor` points × {args.cycles} cycles")
    print(f"{'workers':>8} {'wall s':>8} {'s/point':>8}")
    print(f"{1:8d} {t1:8.2f} {t1 / args.points:8.3f}")
    print(f"{2:8d} {t2:8.2f} {t2 / args.points:8.3f}")
    print(f"speed-up with 2 workers: {t1 / t2:.2f}x (results identical)")
    print(f"machine ceiling, the same points bare in 1 vs 2 processes: {b1:.2f} s vs {b2:.2f} s "
          f"= {b1 / b2:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
