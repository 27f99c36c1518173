"""Mutation harness: plant one scientific error at a time in a copy of the package, run the
experiments it affects at the quick (default) scale, and see whether a check row notices.

A mutant *is killed* when some row of an affected experiment reads ``fail``, the run diverges
(its one row then fails), or an experiment raises. A mutant that survives is either a hole in
the checks (add or tighten a row) or *equivalent*: it changes no result the experiments can see,
and its entry says why (:attr:`Mutant.equivalent`); equivalent mutants are listed apart and left
out of the score.

Each mutant runs in its own process on a fresh copy of ``src/cerebellar`` (Python's and Numba's
caches left behind: a cached kernel would hide a change in a function it inlined), so mutants
never see each other and the installed package is never touched.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "cerebellar"


@dataclass(frozen=True)
class Mutant:
    """One planted error: ``old`` (found exactly ``count`` times in ``file`` and in each of
    ``also``, where the same code sits in more than one kernel) becomes ``new``."""

    name: str
    file: str            # path under src/cerebellar
    old: str
    new: str
    experiments: tuple[str, ...]
    what: str            # the error in words, with the equation or figure it breaks
    count: int = 1
    equivalent: str = ""  # why this mutant changes no result the experiments see
    also: tuple[str, ...] = ()  # further files planted the same way

    @property
    def files(self) -> tuple[str, ...]:
        return (self.file, *self.also)


@dataclass
class Outcome:
    mutant: Mutant
    killed: bool
    seconds: float
    killers: list[str] = field(default_factory=list)   # "experiment: row" that failed
    errors: list[str] = field(default_factory=list)


def mutated_text(mutant: Mutant, text: str, file: str | None = None) -> str:
    """``text`` (of ``file``, default the mutant's first) with the mutant planted (ValueError
    when ``old`` is not there ``count`` times)."""
    file = file or mutant.file
    found = text.count(mutant.old)
    if found != mutant.count:
        raise ValueError(f"mutant {mutant.name}: {mutant.old!r} occurs {found} times in "
                         f"{file}, expected {mutant.count}")
    text = text.replace(mutant.old, mutant.new)
    try:
        compile(text, file, "exec")
    except SyntaxError as err:
        raise ValueError(f"mutant {mutant.name} does not compile: {err}") from None
    return text


def stale(mutants: Iterable[Mutant]) -> list[str]:
    """Mutants whose ``old`` text no longer matches the source (each with the reason)."""
    out = []
    for m in mutants:
        for file in m.files:
            try:
                mutated_text(m, (PACKAGE / file).read_text(encoding="utf-8"), file)
            except (ValueError, FileNotFoundError) as err:
                out.append(str(err))
    return out


RUNNER = """
import json, sys, time
import numpy as np
import cerebellar
from cerebellar.core.progress import quiet
from cerebellar.core.registry import checks, run
assert cerebellar.__file__.startswith(sys.argv[1]), cerebellar.__file__
results = {}
with quiet():
    for name in sys.argv[2:]:
        start = time.perf_counter()
        try:
            rows = [r.to_json() for r in checks(run(name))]
            results[name] = dict(rows=rows)
        except Exception as err:
            results[name] = dict(error=f"{type(err).__name__}: {err}")
        results[name]["seconds"] = round(time.perf_counter() - start, 1)
print("RESULT " + json.dumps(results))
"""


def run_experiments(tree: Path, experiments: Sequence[str], timeout: float) -> dict:
    """Run ``experiments`` at their quick defaults with the package copy in ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree), "NUMBA_CACHE_DIR": str(tree / "numba-cache"),
           "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg"}
    proc = subprocess.run([sys.executable, "-c", RUNNER, str(tree), *experiments], env=env,
                          capture_output=True, text=True, timeout=timeout, cwd=tree)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
    return {name: dict(error=f"exit {proc.returncode}: {tail[0]}") for name in experiments}


def verdicts(results: dict) -> tuple[list[str], list[str]]:
    """(failed rows as 'experiment: what', errors as 'experiment: message')."""
    failed, errors = [], []
    for name, res in results.items():
        if "error" in res:
            errors.append(f"{name}: {res['error']}")
            continue
        failed += [f"{name}: {r['what']}" for r in res["rows"] if r["verdict"] == "fail"]
    return failed, errors


def run_mutant(mutant: Mutant | None, workdir: Path, experiments: Sequence[str] = (),
               timeout: float = 900.0) -> Outcome | dict:
    """Plant ``mutant`` in a fresh copy of the package and run its experiments; ``None`` runs
    ``experiments`` on the unmutated copy and returns their results (the baseline)."""
    tree = Path(tempfile.mkdtemp(prefix=(mutant.name if mutant else "baseline") + "-", dir=workdir))
    try:
        shutil.copytree(PACKAGE, tree / "cerebellar",
                        ignore=shutil.ignore_patterns("__pycache__", "*.nbi", "*.nbc"))
        if mutant is None:
            return run_experiments(tree, experiments, timeout)
        for file in mutant.files:
            target = tree / "cerebellar" / file
            target.write_text(mutated_text(mutant, target.read_text(encoding="utf-8"), file),
                              encoding="utf-8")
        start = time.perf_counter()
        try:
            results = run_experiments(tree, mutant.experiments, timeout)
        except subprocess.TimeoutExpired:
            return Outcome(mutant, True, time.perf_counter() - start,
                           errors=[f"timed out after {timeout:g} s"])
        failed, errors = verdicts(results)
        return Outcome(mutant, bool(failed or errors), time.perf_counter() - start, failed, errors)
    finally:
        shutil.rmtree(tree, ignore_errors=True)


def run_all(mutants: Sequence[Mutant], *, jobs: int = 2, timeout: float = 900.0,
            baseline: bool = True, report=print) -> list[Outcome]:
    """Run every mutant (``jobs`` at a time), after checking that the unmutated package fails
    no row of the experiments involved (else a kill would mean nothing)."""
    problems = stale(mutants)
    if problems:
        raise SystemExit("stale mutants:\n  " + "\n  ".join(problems))
    with tempfile.TemporaryDirectory(prefix="cerebellar-mutants-") as tmp:
        workdir = Path(tmp)
        if baseline:
            names = sorted({e for m in mutants for e in m.experiments})
            failed, errors = verdicts(run_mutant(None, workdir, names, timeout))
            if failed or errors:
                raise SystemExit("the unmutated package already fails:\n  "
                                 + "\n  ".join(failed + errors))
            report(f"baseline: {len(names)} experiments, no row fails")
        outcomes = []
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            for outcome in pool.map(lambda m: run_mutant(m, workdir, timeout=timeout), mutants):
                outcomes.append(outcome)
                report(line(outcome))
        return outcomes


def line(o: Outcome) -> str:
    m = o.mutant
    if o.killed:
        why = (o.killers[:1] + o.errors[:1])[0]
        more = len(o.killers) + len(o.errors) - 1
        status = f"killed ({why}{f' and {more} more' if more > 0 else ''})"
    else:
        status = "EQUIVALENT: " + m.equivalent if m.equivalent else "SURVIVED"
    return f"{m.name:32s} {o.seconds:6.1f} s  {status}"


def score(outcomes: Sequence[Outcome]) -> dict:
    """Kill rate over the mutants that are not argued equivalent, with the survivors."""
    counted = [o for o in outcomes if not o.mutant.equivalent or o.killed]
    killed = [o for o in counted if o.killed]
    return dict(mutants=len(outcomes), counted=len(counted), killed=len(killed),
                rate=len(killed) / len(counted) if counted else 1.0,
                survivors=[o.mutant.name for o in counted if not o.killed],
                equivalent=[o.mutant.name for o in outcomes if o.mutant.equivalent and not o.killed])
