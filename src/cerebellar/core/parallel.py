"""Spread independent runs of one experiment over the machine's cores.

Runs use compiled kernels that release the GIL, so threads give real parallelism without
copying networks between processes. Each run gets its own generator from ``rng.spawn``, so a
result never depends on which thread ran it or when.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import numpy as np

from .progress import progress

T = TypeVar("T")


def map_runs(fn: Callable[[Any, np.random.Generator | None], T], configs: Sequence[Any],
             rng: np.random.Generator | None, *, cost: Callable[[Any], int] = lambda c: 1,
             desc: str = "runs", unit: str = "run", workers: int | None = None) -> list[T]:
    """``[fn(config, child_rng) for config in configs]``, on threads, with one progress bar
    advanced by ``cost(config)`` per finished run. Runs start longest first (by ``cost``), so
    no core idles on a long run at the end; results come back in the order of ``configs``.
    With ``rng=None`` the configs carry their own random numbers and ``fn`` gets ``None``."""
    rngs = rng.spawn(len(configs)) if rng is not None else [None] * len(configs)
    workers = workers or min(len(configs), os.cpu_count() or 1)
    with progress(sum(cost(c) for c in configs), desc, unit=unit) as bar:
        def one(i: int) -> T:
            out = fn(configs[i], rngs[i])
            bar.update(cost(configs[i]))
            return out
        if workers <= 1:
            return [one(i) for i in range(len(configs))]
        longest_first = sorted(range(len(configs)), key=lambda i: -cost(configs[i]))
        with ThreadPoolExecutor(workers) as pool:
            futures = {i: pool.submit(one, i) for i in longest_first}
            return [futures[i].result() for i in range(len(configs))]
