"""What more workers would buy: a recorded `reproduce` projected onto W workers.

``cerebellar reproduce`` records in its ``report.json`` each experiment's wall-clock seconds
and, for each batch of independent runs it spread (`parallel.recording_batches`), every run's
seconds. The projection keeps the order ``reproduce`` runs things in: the experiments one after
another; inside each, its serial part (everything outside the batches: set-up, analysis,
checks, files, figure) and its batches, whose runs start longest first on the first free of W
workers, as `map_runs` starts them (list scheduling). The longest chain is what no number of
workers goes below: every serial part and every batch's longest run.

``reproduce --scheduler`` runs experiments at once instead (chains of experiments that share
runs in sequence, `registry.sharing_chains`); `cluster_seconds` simulates that: each chain's
experiments in turn, each one's serial part on the client (as many at once as the recording
machine had cores) and then its batches, whose runs queue, longest first, for the W workers.

Runs were timed on the recording machine, beside the runs it ran at the same time; a cluster's
workers may be faster or slower per run, and the scheduler adds its overhead per task.
"""

from __future__ import annotations

import heapq
import json
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import CerebellarError, ParameterError


def makespan(tasks: Sequence[float], workers: int) -> float:
    """Seconds until the last of ``tasks`` ends when they start longest first, each on the
    first of ``workers`` to be free."""
    free = [0.0] * max(1, min(workers, len(tasks)))
    for t in sorted(tasks, reverse=True):
        heapq.heapreplace(free, free[0] + t)
    return max(free)


def serial_seconds(report: dict[str, Any]) -> float:
    """An experiment's time outside its batches of independent runs."""
    return max(report.get("seconds", 0.0) - sum(b["wall"] for b in report.get("batches", [])), 0.0)


def experiment_seconds(report: dict[str, Any], workers: int) -> float:
    """One experiment's projected wall time on ``workers``."""
    return serial_seconds(report) + sum(makespan(b["tasks"], workers)
                                        for b in report.get("batches", []))


def chain_seconds(report: dict[str, Any]) -> float:
    """One experiment's part of the longest chain: its serial part and each batch's longest run."""
    return serial_seconds(report) + sum(max(b["tasks"], default=0.0)
                                        for b in report.get("batches", []))


def cluster_seconds(reports: Sequence[dict[str, Any]], workers: int, client_cores: int) -> float:
    """Projected wall time of ``reproduce --scheduler`` on ``workers`` (see the module's text):
    an event simulation of the chains at once."""
    chains: dict[str, list[tuple[str, Any]]] = {}
    for r in reports:
        phases = chains.setdefault(r.get("shares") or r["experiment"], [])
        phases.append(("serial", serial_seconds(r)))
        phases += [("batch", sorted(b["tasks"], reverse=True)) for b in r.get("batches", [])
                   if b["tasks"]]
    phases = list(chains.values())
    step = [0] * len(phases)
    left = [0] * len(phases)                     # runs of a chain's current batch not yet done
    events: list[tuple[float, int, str, int]] = []
    order = iter(range(10**12))                  # ties broken by when the event was made
    queues = {"serial": deque(), "batch": deque()}
    free = {"serial": max(1, client_cores), "batch": max(1, workers)}

    def begin(c: int, t: float) -> None:
        if step[c] < len(phases[c]):
            kind, value = phases[c][step[c]]
            work = [value] if kind == "serial" else value
            left[c] = len(work)
            queues[kind].extend((d, c) for d in work)

    def dispatch(t: float) -> None:
        for kind, queue in queues.items():
            while free[kind] and queue:
                d, c = queue.popleft()
                free[kind] -= 1
                heapq.heappush(events, (t + d, next(order), kind, c))

    for c in range(len(phases)):
        begin(c, 0.0)
    dispatch(0.0)
    end = 0.0
    while events:
        end, _, kind, c = heapq.heappop(events)
        free[kind] += 1
        left[c] -= 1
        if not left[c]:
            step[c] += 1
            begin(c, end)
        dispatch(end)
    return end


def minutes(seconds: float) -> str:
    m, s = divmod(round(seconds), 60)
    return f"{m} min {s:02d} s" if m else f"{s} s"


def plan_text(doc: dict[str, Any], workers: Sequence[int]) -> str:
    """The projection table for ``workers`` and the longest chain, from a ``report.json``."""
    reports = doc["experiments"]
    scale = "paper" if doc.get("full") else "quick"
    lines = [f"cerebellar reproduce{' --full' if doc.get('full') else ''} ({scale} scale), "
             "projected from the runs' recorded durations"
             + (f"; measured: {minutes(doc['seconds'])} on {doc['workers']} threads"
                if "seconds" in doc else ""),
             "", f"{'workers':>8s}  {'experiments in turn':>20s}  {'--scheduler (at once)':>22s}"]
    cores = doc.get("workers") or 1
    for w in workers:
        lines.append(f"{w:8d}  {minutes(sum(experiment_seconds(r, w) for r in reports)):>20s}  "
                     f"{minutes(cluster_seconds(reports, w, cores)):>22s}")
    chain = sorted(((chain_seconds(r), r) for r in reports), key=lambda x: -x[0])
    parts = ", ".join(
        f"{r['experiment']} {minutes(c)} (serial {minutes(serial_seconds(r))}"
        + (f", longest run {minutes(max(max(b['tasks'], default=0) for b in r['batches']))})"
           if r.get("batches") else ")")
        for c, r in chain[:3])
    at_once: dict[str, float] = {}
    for c, r in chain:
        key = r.get("shares") or r["experiment"]
        at_once[key] = at_once.get(key, 0.0) + c
    longest = max(at_once, key=at_once.get)
    lines += ["", f"Longest chain, the time no number of workers goes below: experiments in turn "
                  f"{minutes(sum(c for c, _ in chain))}, its largest parts {parts}; with "
                  f"--scheduler {minutes(at_once[longest])}, {longest}."]
    return "\n".join(lines)


def worker_counts(text: str) -> list[int]:
    """``"1,2,8,32"`` as worker counts, or a one-line `ParameterError`."""
    try:
        counts = [int(w) for w in text.split(",")]
    except ValueError:
        counts = []
    if not counts or min(counts) < 1 or max(counts) > 100_000:
        raise ParameterError(f"--plan = {text[:80]!r}: expected worker counts from 1 to 100000, "
                             "separated by commas (e.g. 1,2,8,32)")
    return counts


def recorded_report(out: Path, full: bool) -> dict[str, Any]:
    """``out/report.json`` of an earlier ``reproduce`` at the same scale, with its durations."""
    again = f"cerebellar reproduce{' --full' if full else ''} --out {out}"
    try:
        doc = json.loads((out / "report.json").read_text(encoding="utf-8"))
        reports = doc["experiments"]
    except (OSError, ValueError, KeyError, TypeError):
        raise CerebellarError(f"no readable {out / 'report.json'} to plan from: run {again} first")\
            from None
    timed = [r for r in reports if "seconds" in r]        # an experiment that failed has none
    if bool(doc.get("full")) != full or not timed or not all("batches" in r for r in timed):
        raise CerebellarError(f"{out / 'report.json'} records no {'paper' if full else 'quick'}-"
                              f"scale run with its durations: run {again} first")
    return doc
