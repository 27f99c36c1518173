"""Parameter sweeps: a grid × seeds of one experiment, resumable, local or on a Dask cluster.

Every grid point and seed is one task running the experiment's ``run``. A point's generator is
``default_rng(SeedSequence(root).spawn(n_points)[index])``, so its result depends only on the
root seed and its index, never on which worker ran it or when. Tasks run on a local process pool
(``workers``) or on an existing ``dask.distributed`` cluster (``scheduler``), through the same
``concurrent.futures`` interface. The coordinating process writes each finished point atomically
to ``DIR/points/`` as it arrives (no shared filesystem needed), records failures in
``DIR/manifest.json``, and finally combines the points into ``DIR/NAME.sweep.nc`` with one
dimension per swept key plus ``seed``. Running the same sweep again skips finished points;
running a different sweep into the same folder is refused.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import re
from collections.abc import Iterable, Mapping
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h5netcdf
import numpy as np
import xarray as xr

from .errors import CerebellarError, OutputError, ParameterError
from .guards import LOCK, check_seed, exit_with_parent, output_lock
from .parallel import connect
from .progress import progress
from .registry import Experiment, get_experiment, run
from .results import atomic_write, load, prepare_out_dir, save
from .version import VERSION

MANIFEST = "manifest.json"
_RANGE = re.compile(r"^\s*([^:]+):([^:]+):([^:]+)\s*$")


"""The form of a scheduler address --scheduler accepts."""

MAX_POINTS = 10_000
"""Largest sweep (grid points × seeds) run without an explicit ``max_points``."""


def parse_grid(experiment: Experiment, specs: Iterable[str], max_points: int = MAX_POINTS
               ) -> dict[str, list]:
    """``KEY=V1,V2,...`` or ``KEY=START:STOP:STEP`` (STOP included when on the grid), validated
    against the experiment's parameters; keys keep their command-line order."""
    grid: dict[str, list] = {}
    for spec in specs:
        key, sep, text = spec.partition("=")
        key = key.strip()
        if not sep or not key or not text.strip():
            raise ParameterError(f"--grid expects KEY=V1,V2,... or KEY=START:STOP:STEP, got {spec!r}")
        if key not in experiment.params.names():
            raise ParameterError(f"unknown parameter '{key}' in --grid for experiment "
                                 f"'{experiment.name}'; known: {', '.join(experiment.params.names())}")
        if key in grid:
            raise ParameterError(f"parameter '{key}' appears twice in --grid")
        match = _RANGE.match(text)
        if match:
            start, stop, step = (float(experiment.params.parse_value(key, x)) for x in match.groups())
            if not all(math.isfinite(x) for x in (start, stop, step)):
                raise ParameterError(f"--grid {key}={text}: START, STOP and STEP must be finite numbers")
            if step <= 0 or stop < start:
                raise ParameterError(f"--grid {key}={text}: empty range (need STEP > 0 and "
                                     f"START <= STOP)")
            span = (stop - start) / step
            if span > 1e18:
                raise ParameterError(f"--grid {key}={text} has more than 10¹⁸ values; the most "
                                     f"allowed is {max_points:,} (--max-points)")
            n = math.floor(span + 1e-9) + 1
            if n > max_points:
                raise ParameterError(f"--grid {key}={text} has {n:,} values, more than the "
                                     f"{max_points:,} points allowed; raise --max-points")
            raw = [start + k * step for k in range(n)]
            raw = [round(x, 12) for x in raw]
        else:
            raw = [experiment.params.parse_value(key, x) for x in text.split(",") if x.strip()]
            if not raw:
                raise ParameterError(f"--grid {key}={text}: no values")
        values = [experiment.params.coerce(key, x) for x in raw]
        if len(set(values)) != len(values):
            raise ParameterError(f"--grid {key}={text}: repeated values")
        grid[key] = values
    if not grid:
        raise ParameterError("a sweep needs at least one --grid KEY=...")
    return grid


@dataclass
class SweepPlan:
    """What a sweep runs: the experiment, the grid, the fixed overrides, seeds and root seed."""

    experiment: str
    grid: dict[str, list]
    fixed: dict[str, Any] = field(default_factory=dict)
    n_seeds: int = 1
    root: int = 0
    full: bool = False

    @property
    def shape(self) -> tuple[int, ...]:
        return (*(len(v) for v in self.grid.values()), self.n_seeds)

    @property
    def n_points(self) -> int:
        return int(np.prod(self.shape))

    def point(self, index: int) -> tuple[dict[str, Any], int]:
        """Parameter overrides and seed number of point ``index`` (C order, seed last)."""
        *where, seed = np.unravel_index(index, self.shape)
        values = {k: v[i] for (k, v), i in zip(self.grid.items(), where, strict=True)}
        return {**self.fixed, **values}, int(seed)

    def identity(self) -> dict[str, Any]:
        return dict(experiment=self.experiment, grid=self.grid, fixed=self.fixed,
                    n_seeds=self.n_seeds, root=self.root, full=self.full)


def run_point(plan: dict[str, Any], index: int, out: str | None = None) -> xr.Dataset | None:
    """One task: run the experiment at point ``index`` with its own generator (picklable).

    With ``out`` (a folder the worker shares with the coordinator, as in the local pool) the
    worker writes the point file itself, atomically, and returns None; otherwise it returns the
    dataset for the coordinator to write.
    """
    sweep_plan = SweepPlan(**plan)
    experiment = get_experiment(sweep_plan.experiment)
    overrides, _ = sweep_plan.point(index)
    params = experiment.make_params(full=sweep_plan.full, **overrides)
    seq = np.random.SeedSequence(sweep_plan.root).spawn(sweep_plan.n_points)[index]
    ds = run(experiment, params, seed=sweep_plan.root, rng=np.random.default_rng(seq))
    ds.attrs.update(sweep_point=index, seed_of_point=f"SeedSequence(seed).spawn("
                                                    f"{sweep_plan.n_points})[{index}]")
    if out is None:
        return ds
    save(ds, _point_path(Path(out), index))
    return None


def point_problem(path: Path, plan: SweepPlan, index: int) -> str:
    """'' when the file at ``path`` is point ``index`` of ``plan`` (its experiment, point number,
    parameters and root seed, read from its attributes alone); else what is wrong with it."""
    try:
        with h5netcdf.File(path, "r") as f:
            attrs = dict(f.attrs)
    except Exception as err:  # empty, truncated or not netCDF at all
        return f"unreadable ({type(err).__name__})"
    if attrs.get("experiment") != plan.experiment:
        return f"a result of another experiment ({str(attrs.get('experiment', 'none'))[:40]!r})"
    if int(attrs.get("sweep_point", -1)) != index:
        return "another point's result"
    overrides, _ = plan.point(index)
    params = get_experiment(plan.experiment).make_params(full=plan.full, **overrides)
    if json.loads(attrs.get("parameters", "{}")) != json.loads(json.dumps(params.flat_dict())):
        return "a run with other parameters"
    if int(attrs.get("seed", -1)) != plan.root:
        return "a run with another seed"
    return ""


def _stack_points(out: str, keys: list[str], indices: list[int]) -> xr.Dataset:
    """Load point files ``indices`` and stack them along ``point`` (a picklable task)."""
    parts, attrs = [], None
    for index in indices:
        ds = load(_point_path(Path(out), index))
        attrs = ds.attrs if attrs is None else attrs
        parts.append(ds.drop_vars([k for k in keys if k in ds.variables]).assign_attrs({}))
    stacked = xr.concat(parts, dim="point", coords="minimal", compat="override",
                        combine_attrs="drop")
    return stacked.assign_attrs(attrs)


def _remove_temporaries(out: Path) -> None:
    """Delete the temporary files of point writes that a killed worker left in ``out/points``."""
    for tmp in (out / "points").glob(".point-*.tmp"):
        tmp.unlink(missing_ok=True)


def _point_path(out: Path, index: int) -> Path:
    return out / "points" / f"point-{index:06d}.nc"


def _read_manifest(out: Path) -> dict[str, Any] | None:
    path = out / MANIFEST
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise OutputError(f"cannot read {path}: {err}") from None


def _write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    text = json.dumps(manifest, indent=1)
    atomic_write(out / MANIFEST, lambda tmp: tmp.write_text(text))


def check_folder(out: Path, plan: SweepPlan) -> dict[str, Any] | None:
    """The existing manifest if ``out`` holds this same sweep; refuse a different one."""
    manifest = _read_manifest(out)
    if manifest is None:
        if out.exists() and any(p.name != LOCK for p in out.iterdir()):
            raise OutputError(f"folder '{out}' is not empty and holds no sweep manifest")
        return None
    old = manifest.get("plan", {})
    new = json.loads(json.dumps(plan.identity()))
    if old != new:
        diff = [k for k in new if old.get(k) != new[k]]
        raise OutputError(f"folder '{out}' holds a different sweep ({', '.join(diff)} differ); "
                          "choose another --out")
    return manifest


def open_executor(workers: int | None, scheduler: str | None) -> tuple[Executor, Any]:
    """A local process pool, or the executor of a Dask client connected to ``scheduler``."""
    if scheduler is not None:
        client = connect(scheduler)
        return client.get_executor(), client
    n = (os.cpu_count() or 1) if workers is None else workers
    if n < 1:
        raise ParameterError(f"--workers = {workers} is out of range: allowed integer >= 1")
    return ProcessPoolExecutor(max_workers=n, initializer=exit_with_parent,
                               initargs=(os.getpid(),)), None


def sweep(name: str, grid: Mapping[str, Iterable] | Iterable[str], *, out: str | os.PathLike,
          fixed: Mapping[str, Any] | None = None, seeds: int = 1, root: int = 0,
          full: bool = False, workers: int | None = None, scheduler: str | None = None,
          max_points: int = MAX_POINTS, echo=print) -> xr.Dataset:
    """Run (or resume) a sweep and return the combined dataset (also ``out/NAME.sweep.nc``).

    ``grid`` maps parameter names to value lists, or is a list of ``KEY=...`` strings as on the
    command line. Raises `SweepFailed` (after writing every other point) if points fail.
    A sweep of more than ``max_points`` points (grid × seeds) is refused before any work, and
    only one sweep or run writes into ``out`` at a time.
    """
    experiment = get_experiment(name)
    if isinstance(grid, Mapping):
        grid = {k: [experiment.params.coerce(k, v) for v in vals] for k, vals in grid.items()}
        if not grid or any(not v for v in grid.values()):
            raise ParameterError("a sweep needs at least one parameter with values")
    else:
        grid = parse_grid(experiment, grid, max_points)
    fixed = dict(fixed or {})
    overlap = set(fixed) & set(grid)
    if overlap:
        raise ParameterError(f"parameter '{sorted(overlap)[0]}' is both fixed (--set) and swept")
    if int(seeds) < 1:
        raise ParameterError(f"--seeds = {seeds} is out of range: allowed integer >= 1")
    plan = SweepPlan(name, grid, fixed, int(seeds), check_seed(root, "--seed"), bool(full))
    if plan.n_points > max_points:
        raise ParameterError(f"the sweep has {plan.n_points:,} points (grid × seeds), more than "
                             f"the {max_points:,} allowed; raise --max-points")
    for index in range(0, plan.n_points, plan.n_seeds):   # every combination, before any work
        experiment.make_params(full=full, **plan.point(index)[0])
    executor, client = open_executor(workers, scheduler)
    try:
        out = prepare_out_dir(out)
        with output_lock(out):
            manifest = check_folder(out, plan)
            sizes = " × ".join(f"{len(v)} {k}" for k, v in plan.grid.items())
            echo(f"{name}: {plan.n_points} points ({sizes} × {plan.n_seeds} seed(s)) into {out}")
            return _run(experiment, plan, out, manifest, executor, echo, local=client is None)
    finally:
        if client is not None:
            client.close()
        else:
            executor.shutdown(wait=True, cancel_futures=True)


class SweepFailed(CerebellarError):
    """Some points raised; the others were written. Carries the combined partial count."""


def _run(experiment: Experiment, plan: SweepPlan, out: Path, manifest: dict | None,
         executor: Executor, echo, local: bool = True) -> xr.Dataset:
    try:
        (out / "points").mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"cannot write to output folder '{out}': {err.strerror or err}") from None
    _remove_temporaries(out)          # a killed run's half-written points (we hold the lock)
    manifest = manifest or dict(plan=plan.identity(), cerebellar_version=VERSION,
                                n_points=plan.n_points, failed={})
    manifest["failed"] = {}
    _write_manifest(out, manifest)
    todo = []
    for i in range(plan.n_points):
        path = _point_path(out, i)
        problem = point_problem(path, plan, i) if path.exists() else "missing"
        if problem and problem != "missing":
            echo(f"point {i}: {path.name} is {problem}; running it again")
            path.unlink()
        if problem:
            todo.append(i)
    done = plan.n_points - len(todo)
    failed: dict[int, str] = {}
    broken: list[int] = []
    ident = plan.identity()
    target = str(out) if local else None   # local workers write their own points

    def settle(index: int, future) -> None:
        """Write or record the outcome of point ``index``; a dead worker's points wait."""
        nonlocal done
        try:
            result = future.result()
            if result is not None:
                save(result, _point_path(out, index))
            done += 1
        except BrokenProcessPool:
            broken.append(index)
            return
        except Exception as err:  # a failing point is recorded; the others go on
            failed[index] = f"{type(err).__name__}: {err}"
            overrides, seed = plan.point(index)
            echo(f"point {index} ({overrides}, seed {seed}) failed: {failed[index]}")
            manifest["failed"] = {str(k): v for k, v in failed.items()}
            _write_manifest(out, manifest)
        bar.update(1)
        bar.set_postfix(done=done, failed=len(failed), left=plan.n_points - done - len(failed))

    with progress(plan.n_points, f"sweep {plan.experiment}", unit="point", initial=done) as bar:
        bar.set_postfix(done=done, failed=0, left=len(todo))
        futures = {executor.submit(run_point, ident, i, target): i for i in todo}
        for future in as_completed(futures):
            settle(futures[future], future)
        if broken:    # a worker died and took the pool with it: each unfinished point alone
            echo(f"a worker process died; running its pool's {len(broken)} unfinished point(s) "
                 "again, each in a process of its own")
            pending = sorted(broken)
            broken.clear()
            executor.shutdown(wait=True)   # the pool's other workers were killed mid-write:
            _remove_temporaries(out)       # their temporary files go
            for index in pending:
                with ProcessPoolExecutor(1, initializer=exit_with_parent,
                                         initargs=(os.getpid(),)) as alone:
                    settle(index, alone.submit(run_point, ident, index, target))
                if broken:         # this point's own process died: it fails, alone
                    broken.clear()
                    failed[index] = "its worker process died (killed, or out of memory)"
                    echo(f"point {index} ({plan.point(index)[0]}) failed: {failed[index]}")
                    manifest["failed"] = {str(k): v for k, v in failed.items()}
                    _write_manifest(out, manifest)
                    bar.update(1)
            executor = None
    if failed:
        raise SweepFailed(f"{len(failed)} of {plan.n_points} points failed (see {out / MANIFEST}); "
                          "run the same command again to retry them")
    combined = combine(out, plan, executor if local else None)
    save(combined, out / f"{plan.experiment}.sweep.nc")
    return combined


def combine(out: Path, plan: SweepPlan, executor: Executor | None = None) -> xr.Dataset:
    """All point files as one dataset: one dimension per swept key plus ``seed``.

    With an ``executor`` whose workers see ``out``, the files are read in parallel chunks.
    """
    keys = list(plan.grid)
    indices = list(range(plan.n_points))
    n_chunks = min(plan.n_points, 4 * (os.cpu_count() or 1)) if executor else 1
    chunks = [c.tolist() for c in np.array_split(indices, n_chunks)]
    if executor is None:
        parts = [_stack_points(str(out), keys, c) for c in chunks]
    else:
        parts = list(executor.map(_stack_points, [str(out)] * len(chunks), [keys] * len(chunks),
                                  chunks))
    attrs = parts[0].attrs
    stacked = xr.concat(parts, dim="point", coords="minimal", compat="override",
                        combine_attrs="drop")
    labels = list(itertools.product(*plan.grid.values(), range(plan.n_seeds)))
    for pos, key in enumerate([*keys, "seed"]):
        stacked = stacked.assign_coords({key: ("point", [lab[pos] for lab in labels])})
    combined = stacked.set_index(point=[*keys, "seed"]).unstack("point")
    other = [d for d in combined.dims if d not in (*keys, "seed")]
    combined = combined.transpose(*keys, "seed", *other)
    combined.attrs = {k: v for k, v in attrs.items() if k not in (*keys, "sweep_point", "parameters")}
    combined.attrs.update(sweep_grid=json.dumps(plan.grid), sweep_fixed=json.dumps(plan.fixed),
                          sweep_seeds=plan.n_seeds, sweep_root=plan.root)
    return combined
