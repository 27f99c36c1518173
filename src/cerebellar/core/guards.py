"""Guards a run passes before it starts: seeds in range, enough memory, one writer per output
folder, and no stale temporary files left by killed runs.

Each refusal is a `CerebellarError`: the CLI prints it as one line
and exits with 2, before any file is written.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .errors import OutputError, ParameterError
from .parallel import cluster_workers

MAX_SEED = 2**63 - 1
"""Largest seed: results store it as a 64-bit netCDF attribute (``SeedSequence`` takes more)."""

LOCK = ".cerebellar.lock"
GiB = 2**30


def check_seed(seed: Any, name: str = "seed") -> int:
    """``seed`` as an int in [0, MAX_SEED], or a `ParameterError` naming it."""
    if isinstance(seed, bool) or not hasattr(seed, "__index__") or not 0 <= int(seed) <= MAX_SEED:
        raise ParameterError(f"{name} = {seed!r} is out of range: allowed integer in "
                             f"[0, {MAX_SEED}] (2^63 − 1)")
    return int(seed)


def available_memory() -> int:
    """Bytes of memory available to a new run (``MemAvailable``, else physical memory)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        return 2**62


def task_slots() -> tuple[int, int | None, str]:
    """Where an experiment's runs hold memory together: (runs at once, bytes they share, where).
    On this machine: one run per core in its available memory. Inside `on_cluster` (memory
    estimates apply per task): the threads of the widest worker, each running one task, in the
    smallest memory limit of a worker (``None`` where no worker has a limit)."""
    workers = cluster_workers()
    if workers is None:
        return os.cpu_count() or 1, available_memory(), "this machine has"
    limits = [m for _, m in workers if m > 0]
    return (max((t for t, _ in workers), default=1), min(limits) if limits else None,
            "each worker of the cluster has")


def check_memory(params: Any, what: str) -> None:
    """Refuse ``params`` if its model's memory estimate (``params.memory_bytes()``, where the
    model has one) exceeds the memory its runs will have (`task_slots`)."""
    estimate = getattr(params, "memory_bytes", None)
    if estimate is None:
        return
    need, drivers = estimate()
    _, have, where = task_slots()
    if have is not None and need > have:
        named = ", ".join(f"{k}={getattr(params, k)}" for k in drivers)
        advice = f"lower {' or '.join(drivers)}" if drivers else "free some memory"
        raise ParameterError(f"{what} needs about {need / GiB:.3g} GiB ({named}); {where} "
                             f"{have / GiB:.3g} GiB available: {advice}")


def at_once(per_run: Iterable[int], workers: int | None = None) -> int:
    """Peak bytes of independent runs spread over `map_runs`' threads: the ``workers`` largest
    (default: as many as run at once, `task_slots`) held together."""
    workers = workers or task_slots()[0]
    return int(sum(sorted(per_run, reverse=True)[:workers]))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def process_start(pid: int) -> str:
    """When process ``pid`` started (clock ticks since boot, from ``/proc/PID/stat``), or '' where
    the system does not say: with its PID it names one process, even after the PID is reused."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat[stat.rindex(")") + 2:].split()[19]
    except (OSError, ValueError, IndexError):
        return ""


def _holds(owner: int, start: str) -> bool:
    """Whether the process that wrote a lock (PID ``owner``, started at ``start``) still runs."""
    if owner <= 0 or owner == os.getpid() or not _alive(owner):
        return False
    return not start or not process_start(owner) or process_start(owner) == start


@contextmanager
def output_lock(folder: Path) -> Iterator[Path]:
    """Hold ``folder`` for this process: a second writer gets an `OutputError` naming the
    process that holds it. A lock left by a dead process is taken over, as is one whose PID now
    names another process (the lock records the holder's start time). Stale temporary files
    (``.*.tmp``) of killed runs are removed once the lock is held."""
    folder = Path(folder)
    lock = folder / LOCK
    me = f"{os.getpid()} {process_start(os.getpid())}".strip() + "\n"
    for _ in range(3):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                owner, *start = lock.read_text().split()
                owner = int(owner)
            except (OSError, ValueError):
                owner, start = -1, []
            if _holds(owner, start[0] if start else ""):
                raise OutputError(f"output folder '{folder}' is in use by process {owner}; "
                                  "wait for it or choose another --out") from None
            lock.unlink(missing_ok=True)                 # a dead owner's (or unreadable) lock
            continue
        except OSError as err:
            raise OutputError(f"cannot write to output folder '{folder}': "
                              f"{err.strerror or err}") from None
        with os.fdopen(fd, "w") as f:
            f.write(me)
        break
    else:  # pragma: no cover - three races lost in a row
        raise OutputError(f"output folder '{folder}' is in use; choose another --out")
    try:
        clean_stale_temporaries(folder)
        yield folder
    finally:
        try:
            if lock.read_text() == me:
                lock.unlink()
        except OSError:
            pass


def clean_stale_temporaries(folder: Path) -> list[Path]:
    """Remove the hidden temporary files (``.NAME.*.tmp``) that killed runs left in ``folder``
    and its ``points/``; call only while holding the folder's lock."""
    removed = []
    for sub in (folder, folder / "points"):
        if sub.is_dir():
            for path in sub.glob(".*.tmp"):
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed


def exit_with_parent(parent: int | None = None, every: float = 1.0) -> None:
    """In a worker process: exit within ``every`` seconds of the parent's death (an orphaned
    worker would otherwise finish its task and wait forever)."""
    parent = os.getppid() if parent is None else parent
    if parent == os.getpid():  # called in the parent itself (a thread pool): nothing to watch
        return

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(1)
            threading.Event().wait(every)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()
