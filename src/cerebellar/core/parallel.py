"""Spread independent runs of one experiment over the machine's cores, or over a Dask cluster.

Runs use compiled kernels that release the GIL, so threads give real parallelism without
copying networks between processes. Each run gets its own generator from ``rng.spawn``, so a
result never depends on which thread (or which cluster worker) ran it or when. Inside
`on_cluster`, each run is one task of the cluster (a run's own inner runs stay on its worker's
threads), and the results are the same, bit for bit.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from typing import Any, TypeVar

import numpy as np

from .errors import CerebellarError, ParameterError
from .progress import progress

T = TypeVar("T")
SCHEDULER = re.compile(r"(tcp|tls|ucx|ws|wss)://[\w.\-\[\]:]+:\d{1,5}")
_CLUSTER: list[Any] = []
"""The Dask clients that `map_runs` sends runs to (innermost last), set by `on_cluster`."""


def connect(scheduler: str) -> Any:
    """A ``distributed.Client`` of the scheduler at ``scheduler`` (PROTOCOL://HOST:PORT); a bad
    address or an unreachable scheduler raises a one-line error."""
    if not SCHEDULER.fullmatch(scheduler):
        raise ParameterError(f"--scheduler = {scheduler[:80]!r}: expected a Dask scheduler's "
                             "address, PROTOCOL://HOST:PORT (e.g. tcp://127.0.0.1:8786)")
    try:
        from distributed import Client
    except ImportError:
        raise CerebellarError("--scheduler needs dask.distributed: pip install -e '.[dist]'") \
            from None
    try:
        return Client(scheduler, timeout="5s", set_as_default=False)
    except (OSError, TimeoutError) as err:
        raise CerebellarError(f"cannot reach the scheduler at {scheduler}: {err}") from None


@contextmanager
def on_cluster(scheduler: str | None) -> Iterator[Any]:
    """Within the block, `map_runs` runs each of an experiment's independent runs as a task on
    the Dask cluster at ``scheduler`` (``None``: on this machine's threads, as outside)."""
    if scheduler is None:
        yield None
        return
    client = connect(scheduler)
    _CLUSTER.append(client)
    try:
        yield client
    finally:
        _CLUSTER.remove(client)
        client.close()


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
        if _CLUSTER and len(configs) > 1:
            return _on_dask(_CLUSTER[-1], fn, configs, rngs, cost, bar)
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


def _on_dask(client: Any, fn: Callable, configs: Sequence[Any], rngs: list, cost: Callable,
             bar: Any) -> list:
    """Each run one task, submitted longest first; results in the order of ``configs``."""
    executor = client.get_executor(pure=False)
    longest_first = sorted(range(len(configs)), key=lambda i: -cost(configs[i]))
    futures = {executor.submit(fn, configs[i], rngs[i]): i for i in longest_first}
    for done in as_completed(futures):
        bar.update(cost(configs[futures[done]]))
    by_index = {i: f for f, i in futures.items()}
    return [by_index[i].result() for i in range(len(configs))]
