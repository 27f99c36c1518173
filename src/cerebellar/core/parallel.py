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
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import numpy as np

from .errors import CerebellarError, ParameterError
from .progress import progress

T = TypeVar("T")
SCHEDULER = re.compile(r"(tcp|tls|ucx|ws|wss)://[\w.\-\[\]:]+:\d{1,5}")
_CLUSTER: list[Any] = []
"""The Dask clients that `map_runs` sends runs to (innermost last), set by `on_cluster`."""
_BATCHES: ContextVar[list[dict] | None] = ContextVar("batches", default=None)
"""Where `map_runs` calls record their runs' durations, set by `recording_batches`."""


@contextmanager
def recording_batches() -> Iterator[list[dict]]:
    """Within the block, each `map_runs` call of this thread appends ``{"wall": s, "tasks":
    [s, ...]}``: its wall-clock seconds and each run's (a run's own inner runs count in its
    time). The rest of the block's time is serial: `cerebellar.core.plan` projects from them
    what more workers would buy."""
    batches: list[dict] = []
    token = _BATCHES.set(batches)
    try:
        yield batches
    finally:
        _BATCHES.reset(token)


def _timed(fn: Callable, config: Any, rng: np.random.Generator | None) -> tuple[Any, float]:
    """``fn(config, rng)`` and the seconds it took (nothing inside it records batches)."""
    token = _BATCHES.set(None)
    try:
        start = time.perf_counter()
        out = fn(config, rng)
        return out, time.perf_counter() - start
    finally:
        _BATCHES.reset(token)


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


def cluster_workers() -> list[tuple[int, int]] | None:
    """Inside `on_cluster`: each worker's (threads, memory limit in bytes, 0 where it has none)
    of the cluster that `map_runs` sends runs to; outside: ``None`` (this machine's threads)."""
    if not _CLUSTER:
        return None
    workers = _CLUSTER[-1].scheduler_info().get("workers", {}).values()
    return [(int(w.get("nthreads", 1)), int(w.get("memory_limit") or 0)) for w in workers]


def map_runs(fn: Callable[[Any, np.random.Generator | None], T], configs: Sequence[Any],
             rng: np.random.Generator | None, *, cost: Callable[[Any], int] = lambda c: 1,
             desc: str = "runs", unit: str = "run", workers: int | None = None) -> list[T]:
    """``[fn(config, child_rng) for config in configs]``, on threads, with one progress bar
    advanced by ``cost(config)`` per finished run. Runs start longest first (by ``cost``), so
    no core idles on a long run at the end; results come back in the order of ``configs``.
    With ``rng=None`` the configs carry their own random numbers and ``fn`` gets ``None``."""
    rngs = rng.spawn(len(configs)) if rng is not None else [None] * len(configs)
    workers = workers or min(len(configs), os.cpu_count() or 1)
    start = time.perf_counter()
    with progress(sum(cost(c) for c in configs), desc, unit=unit) as bar:
        def one(i: int) -> tuple[Any, float]:
            out = _timed(fn, configs[i], rngs[i])
            bar.update(cost(configs[i]))
            return out
        if _CLUSTER and len(configs) > 1:
            timed = _on_dask(_CLUSTER[-1], fn, configs, rngs, cost, bar)
        elif workers <= 1:
            timed = [one(i) for i in range(len(configs))]
        else:
            longest_first = sorted(range(len(configs)), key=lambda i: -cost(configs[i]))
            with ThreadPoolExecutor(workers) as pool:
                futures = {i: pool.submit(one, i) for i in longest_first}
                timed = [futures[i].result() for i in range(len(configs))]
    batches = _BATCHES.get()
    if batches is not None:
        batches.append(dict(wall=round(time.perf_counter() - start, 4),
                            tasks=[round(t, 4) for _, t in timed]))
    return [out for out, _ in timed]


def _on_dask(client: Any, fn: Callable, configs: Sequence[Any], rngs: list, cost: Callable,
             bar: Any) -> list:
    """Each run one task, submitted longest first; (result, seconds) in the order of
    ``configs``."""
    executor = client.get_executor(pure=False)
    longest_first = sorted(range(len(configs)), key=lambda i: -cost(configs[i]))
    futures = {executor.submit(_timed, fn, configs[i], rngs[i]): i for i in longest_first}
    for done in as_completed(futures):
        bar.update(cost(configs[futures[done]]))
    by_index = {i: f for f, i in futures.items()}
    return [by_index[i].result() for i in range(len(configs))]
