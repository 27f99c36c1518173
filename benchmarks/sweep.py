"""Sweep scaling on this machine: the same sweep of short points with 1 and with 2 workers.

    python benchmarks/sweep.py [--points 32] [--cycles 20000]

Each point is a `vor` run of ``--cycles`` cycles (a fraction of a second); the sweep is run in
fresh folders with ``workers=1`` and ``workers=2`` and the wall times and speed-up are printed,
with a check that both combined results are identical.
"""

from __future__ import annotations

import argparse
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=32)
    parser.add_argument("--cycles", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t1, a = timed_sweep(Path(tmp) / "w1", 1, args.points, args.cycles)
        t2, b = timed_sweep(Path(tmp) / "w2", 2, args.points, args.cycles)
    xr.testing.assert_identical(a, b)
    print(f"sweep of {args.points} `vor` points × {args.cycles} cycles")
    print(f"{'workers':>8} {'wall s':>8} {'s/point':>8}")
    print(f"{1:8d} {t1:8.2f} {t1 / args.points:8.3f}")
    print(f"{2:8d} {t2:8.2f} {t2 / args.points:8.3f}")
    print(f"speed-up with 2 workers: {t1 / t2:.2f}x (results identical)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
