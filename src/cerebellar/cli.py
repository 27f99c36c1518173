"""Command-line interface: ``cerebellar list | describe | run | reproduce | show``.

Bad input (unknown experiment or parameter, unparsable or out-of-range value, unwritable output
folder) prints one line on stderr and exits with 2, before any file is written. ``run`` and
``reproduce`` exit with 1 when a check fails.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from .core import report as reports_md
from .core import status
from .core.checks import Check, counts_text, format_table, verdict_counts
from .core.config import config_text, read_config
from .core.errors import CerebellarError
from .core.guards import output_lock
from .core.parallel import on_cluster, recording_batches
from .core.params import Params
from .core.plan import plan_text, recorded_report, worker_counts
from .core.progress import progress, quiet
from .core.registry import Experiment, experiments, get_experiment, make_rng, sharing_chains
from .core.registry import checks as check_rows
from .core.registry import describe as describe_text
from .core.registry import plot as plot_result
from .core.registry import run as run_experiment
from .core.results import atomic_write, load, parameters, prepare_out_dir, save, shown
from .core.version import VERSION

app = typer.Typer(add_completion=True, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Models of cerebellar motor learning: run experiments, reproduce the papers' "
                       "figures and check their numbers.")

SetOption = Annotated[list[str] | None, typer.Option(
    "--set", metavar="KEY=VALUE", help="Override a parameter (repeatable).")]
SeedOption = Annotated[int, typer.Option(help="Seed of the run's random generator (0 to 2^63 − 1).")]
FullOption = Annotated[bool, typer.Option("--full/--no-full", help="Use the paper-scale preset.")]
OutOption = Annotated[str, typer.Option("--out", help="Output folder.")]
QuietOption = Annotated[bool, typer.Option("--quiet", help="No progress bars.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document instead of tables.")]
SchedulerOption = Annotated[str | None, typer.Option(
    help="Address of a running Dask scheduler, e.g. tcp://HOST:8786: the experiments' independent "
         "runs become its tasks (same results).")]


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"cerebellar {VERSION}")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option(
        "--version", callback=_show_version, is_eager=True,
        help="Print the version and exit.")] = False) -> None:
    """Models of cerebellar motor learning: run experiments, reproduce the papers' figures and
    check their numbers."""


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn a `CerebellarError` into one line on stderr and exit code 2."""
    try:
        yield
    except CerebellarError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from None


def _execute(exp: Experiment, params: Params, seed: int, out: Path) -> dict[str, Any]:
    """Run one experiment, write ``out/NAME.nc`` and ``out/NAME.png``, return its report (with
    the wall-clock seconds it took, run, checks, files and figure together, and the seconds of
    each run of its batches of independent runs)."""
    start = time.perf_counter()
    with recording_batches() as batches:
        ds = run_experiment(exp, params, seed=seed)
    rows = check_rows(ds, exp)
    nc = save(ds, out / f"{exp.name}.nc")
    fig = plot_result(ds, exp)
    png = atomic_write(out / f"{exp.name}.png", lambda tmp: fig.savefig(tmp, format="png", dpi=110))
    diverged = status.summary(ds, params) if status.diverged(ds) else None
    return dict(experiment=exp.name, reproduces=exp.reproduces, files=[str(nc), str(png)],
                status=ds.attrs["status"], diverged=diverged, checks=rows,
                passed=diverged is None and all(r.passed for r in rows),
                seconds=round(time.perf_counter() - start, 1), batches=batches, shares=exp.shares)


def _report_json(report: dict[str, Any]) -> dict[str, Any]:
    return {**report, "checks": [c.to_json() for c in report["checks"]]}


def _print_report(report: dict[str, Any]) -> None:
    if report["diverged"]:
        typer.echo(f"{report['diverged']} -> {', '.join(report['files'])}")
        return
    verdict = "no check fails" if report["passed"] else "SOME CHECKS FAIL"
    typer.echo(f"\n{report['experiment']}: {report['reproduces']}")
    typer.echo(format_table(report["checks"]))
    took = f"{report['seconds']:g} s; " if "seconds" in report else ""
    typer.echo(f"-> {', '.join(report['files'])}  ({took}{counts_text(report['checks'])}: "
               f"{verdict})")


@app.command("list")
def list_experiments() -> None:
    """List the experiments and what each reproduces."""
    known = experiments()
    width = max(map(len, known))
    for name, exp in known.items():
        typer.echo(f"{name.ljust(width)}  {exp.reproduces}")


@app.command()
def describe(name: Annotated[str, typer.Argument(help="Experiment name.")]) -> None:
    """Show an experiment's parameters: default, full preset, allowed range, units."""
    with _user_errors():
        typer.echo(describe_text(name))


@app.command()
def run(name: Annotated[str, typer.Argument(help="Experiment name (see `cerebellar list`).")],
        set_: SetOption = None, seed: Annotated[int | None, typer.Option(
            help="Seed of the run's random generator, 0 to 2^63 − 1 [default: 0].")] = None,
        full: FullOption = False,
        out: Annotated[str | None, typer.Option(
            "--out", help="Output folder [default: results].")] = None,
        config: Annotated[Path | None, typer.Option(
            "--config", help="A TOML file with parameters, seed and out (`show --save-config` "
                             "writes one); --set, --seed and --out override it.")] = None,
        quiet_: QuietOption = False, json_: JsonOption = False,
        dry_run: Annotated[bool, typer.Option(
            "--dry-run", help="Check the parameters, seed and memory, run nothing.")] = False,
        scheduler: SchedulerOption = None) -> None:
    """Run one experiment: writes OUT/NAME.nc and OUT/NAME.png and prints its checks."""
    with ExitStack() as held:
        with _user_errors():
            exp = get_experiment(name)
            given = read_config(config, exp) if config else {}
            values = {**given.get("parameters", {}), **exp.params.parse(set_ or [])}
            held.enter_context(on_cluster(scheduler))     # memory is checked where runs run
            params = exp.make_params(full=full, **values)
            seed = given.get("seed", 0) if seed is None else seed
            out = given.get("out", "results") if out is None else out
            make_rng(seed)
            if dry_run:
                default = exp.params().flat_dict()
                changed = {k: v for k, v in params.flat_dict().items() if v != default.get(k)}
                typer.echo(f"{exp.name}: parameters valid"
                           + (f" ({', '.join(f'{k}={v}' for k, v in changed.items())})"
                              if changed else " (defaults)") + "; nothing run")
                raise typer.Exit(0)
            out = held.enter_context(output_lock(prepare_out_dir(out)))  # no file before
        with quiet(quiet_ or json_):
            report = _execute(exp, params, seed, out)
    if json_:
        typer.echo(json.dumps(_report_json(report), indent=2))
    else:
        _print_report(report)
    raise typer.Exit(0 if report["passed"] else 1)


@app.command()
def reproduce(full: FullOption = False, out: OutOption = "results", seed: SeedOption = 0,
              quiet_: QuietOption = False, json_: JsonOption = False,
              scheduler: SchedulerOption = None,
              plan: Annotated[str | None, typer.Option(
                  metavar="W1,W2,...", help="Run nothing: project the wall time on W1, W2, ... "
                  "workers from the run durations that OUT/report.json recorded.")] = None) -> None:
    """Run every experiment; write each one's files and OUT/index.md with every check."""
    if plan is not None:
        with _user_errors():
            workers = worker_counts(plan)
            typer.echo(plan_text(recorded_report(Path(out), full), workers))
        raise typer.Exit(0)
    with ExitStack() as held:
        with _user_errors():
            make_rng(seed)
            held.enter_context(on_cluster(scheduler))            # before any file is made
            out = held.enter_context(output_lock(prepare_out_dir(out)))
        _reproduce(full, out, seed, quiet_, json_, together=scheduler is not None)


def _reproduce(full: bool, out: Path, seed: int, quiet_: bool, json_: bool,
               together: bool = False) -> None:
    """Every experiment in registry order; ``together`` (on a cluster): the `sharing_chains` at the
    same time, their runs on the cluster, only the experiments' bar shown."""
    start = time.perf_counter()
    known = experiments()
    done: dict[str, dict[str, Any]] = {}
    printing = threading.Lock()

    def execute(chain: list[Experiment]) -> None:
        for exp in chain:
            bar.set_postfix_str(exp.name)
            try:
                report = _execute(exp, exp.make_params(full=full), seed, out)
            except Exception as err:  # one broken experiment must not hide the others
                failure = Check(f"experiment ran to completion ({type(err).__name__})",
                                "invariant", "", "no error", str(err), "claim", "fail")
                report = dict(experiment=exp.name, reproduces=exp.reproduces, files=[],
                              status="error", diverged=None, checks=[failure], passed=False)
            with printing:
                done[exp.name] = report
                if not json_:
                    _print_report(report)
                bar.update(1)

    with quiet(quiet_ or json_), progress(len(known), "experiments", unit="exp") as bar:
        if not together:
            execute(list(known.values()))
        else:
            chains = sharing_chains(known)
            with quiet(), ThreadPoolExecutor(min(len(chains), 4 * (os.cpu_count() or 1))) as pool:
                for future in [pool.submit(execute, chain) for chain in chains]:
                    future.result()
    reports = [done[name] for name in known]
    title = f"cerebellar {VERSION}: reproduction report ({'full' if full else 'quick'} scale)"
    index = reports_md.write(out, reports, title)
    passed = all(r["passed"] for r in reports)
    rows = [c for r in reports for c in r["checks"]]
    doc = dict(cerebellar_version=VERSION, experiments=[_report_json(r) for r in reports],
               index=str(index), full=full,
               verdicts=verdict_counts(rows),
               calibrated=verdict_counts(r for r in rows if r.source == "calibrated"), passed=passed,
               seconds=round(time.perf_counter() - start, 1), workers=os.cpu_count())
    text = json.dumps(doc, indent=2)
    atomic_write(out / "report.json", lambda tmp: tmp.write_text(text, encoding="utf-8"))
    if json_:
        typer.echo(text)
    else:
        typer.echo(f"\n{len(reports)} experiments, {len(rows)} checks: {counts_text(rows)} "
                   f"-> {index}")
    raise typer.Exit(0 if passed else 1)


@app.command()
def show(file: Annotated[Path, typer.Argument(help="A result file written by run/reproduce.")],
         save_config: Annotated[Path | None, typer.Option(
             "--save-config", help="Also write the result's experiment, seed and parameters as "
                                   "a TOML file for `run --config`.")] = None) -> None:
    """Print a saved result's parameters, a summary of its data and its checks."""
    with _user_errors():
        ds = load(file)
        if save_config is not None:
            if "experiment" not in ds.attrs:
                raise CerebellarError(f"{shown(file)} is not a result of `cerebellar run`: it names "
                                      "no experiment to rerun")
            try:
                text = config_text(ds)
            except (KeyError, ValueError) as err:
                raise CerebellarError(f"{shown(file)}: no parameters to save ({err})") from None
            atomic_write(save_config, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    attrs = ds.attrs
    typer.echo(f"{file}: experiment '{attrs.get('experiment', '?')}', seed {attrs.get('seed', '?')}, "
               f"cerebellar {attrs.get('cerebellar_version', '?')}")
    if "reproduces" in attrs:
        typer.echo(f"reproduces: {attrs['reproduces']}")
    typer.echo("\nparameters:")
    try:
        values = parameters(ds)
    except ValueError:
        values = {}
    for key, value in values.items():
        typer.echo(f"  {key} = {value}")
    not_stated = json.loads(attrs.get("not_stated", "{}"))
    for key, why in not_stated.items():
        typer.echo(f"  [not stated in the paper] {key}: {why}")
    typer.echo("\ndimensions: " + ", ".join(f"{d}={n}" for d, n in ds.sizes.items()))
    typer.echo("variables:")
    for name, da in ds.data_vars.items():
        units = da.attrs.get("units", "")
        data = da.values
        span = ""
        if data.dtype.kind in "fiu" and data.size and np.isfinite(data).any():
            span = f"  min {float(np.nanmin(data)):.6g}  max {float(np.nanmax(data)):.6g}"
        typer.echo(f"  {name}({', '.join(da.dims)}) [{units}]{span}")
    if "sweep_grid" in attrs:
        typer.echo(f"\nsweep over {attrs['sweep_grid']} with {attrs.get('sweep_seeds')} seed(s); "
                   "`cerebellar plot-sweep` draws it")
    elif "experiment" in attrs:
        try:
            exp = get_experiment(attrs["experiment"])
        except CerebellarError:
            return
        try:
            if status.diverged(ds):
                typer.echo(f"\nstatus: {status.summary(ds, exp.params.build(**values))}")
            typer.echo("\nchecks:\n" + format_table(check_rows(ds)))
        except Exception as err:  # a damaged or edited file: say so, in one line
            typer.echo(f"error: the checks cannot be recomputed from {file}: "
                       f"{type(err).__name__}: {err}", err=True)
            raise typer.Exit(2) from None


@app.command()
def sweep(name: Annotated[str, typer.Argument(help="Experiment name.")],
          grid: Annotated[list[str] | None, typer.Option(
              "--grid", metavar="KEY=VALUES",
              help="A swept parameter (repeatable): KEY=V1,V2,... or KEY=START:STOP:STEP, "
                   "STOP included when on the grid.")] = None,
          set_: SetOption = None,
          seeds: Annotated[int, typer.Option("--seeds", help="Seeds per grid point.")] = 1,
          seed: Annotated[int, typer.Option("--seed", help="Root seed of the sweep.")] = 0,
          out: OutOption = "sweep",
          workers: Annotated[int | None, typer.Option(
              help="Local worker processes (default: cores).")] = None,
          scheduler: Annotated[str | None, typer.Option(
              help="Address of a running Dask scheduler, e.g. tcp://HOST:8786.")] = None,
          max_points: Annotated[int, typer.Option(
              "--max-points", help="Largest number of points (grid × seeds) to run.")] = 10_000,
          full: FullOption = False, quiet_: QuietOption = False) -> None:
    """Run a grid × seeds of one experiment into OUT; rerun the same command to resume."""
    from .core.sweep import SweepFailed
    from .core.sweep import sweep as run_sweep

    if workers is not None and scheduler:
        typer.echo("error: give --workers or --scheduler, not both", err=True)
        raise typer.Exit(2)
    with _user_errors():
        exp = get_experiment(name)
        fixed = exp.params.parse(set_ or [])
        try:
            with quiet(quiet_):
                ds = run_sweep(name, grid or [], out=out, fixed=fixed, seeds=seeds, root=seed,
                               full=full, workers=workers, scheduler=scheduler,
                               max_points=max_points, echo=lambda m: typer.echo(m, err=True))
        except SweepFailed as err:
            typer.echo(f"error: {err}", err=True)
            raise typer.Exit(1) from None
    dims = ", ".join(f"{d}={n}" for d, n in ds.sizes.items())
    typer.echo(f"{name}: sweep complete -> {Path(out) / f'{name}.sweep.nc'} ({dims})")


@app.command("plot-sweep")
def plot_sweep_cmd(folder: Annotated[Path, typer.Argument(help="A sweep folder.")],
                   var: Annotated[str | None, typer.Option(
                       help="Variable to plot (at its last time step).")] = None,
                   sel: Annotated[list[str] | None, typer.Option(
                       "--sel", metavar="KEY=VALUE",
                       help="Keep one value of a dimension (repeatable).")] = None) -> None:
    """Draw a finished sweep: lines for one swept key, a map for two, mean ± s.d. over seeds;
    other dimensions become panels (or choose a value with --sel); nothing is averaged."""
    from .plots.sweep import plot_sweep

    with _user_errors():
        files = sorted(Path(folder).glob("*.sweep.nc"))
        if not files:
            raise CerebellarError(f"no finished sweep (*.sweep.nc) in '{folder}'")
        ds = load(files[0])
        if "sweep_grid" not in ds.attrs:
            raise CerebellarError(f"{shown(files[0])} is not a sweep written by `cerebellar sweep`")
        picks = {}
        for item in sel or []:
            key, eq, value = item.partition("=")
            if not eq or not key.strip():
                raise CerebellarError(f"--sel expects KEY=VALUE, got {item!r}")
            picks[key.strip()] = value.strip()
        fig = plot_sweep(ds, var, picks)
        png = files[0].with_suffix(".png")
        atomic_write(png, lambda tmp: fig.savefig(tmp, format="png", dpi=110))
    typer.echo(f"-> {png}")


def main() -> int:
    """The command line; a usage error (an unknown option, a missing argument) is one line on
    stderr and exit code 2, like every other bad input."""
    try:
        code = app(prog_name="cerebellar", standalone_mode=False)
    except typer.Abort:
        typer.echo("aborted", err=True)
        return 130
    except Exception as err:   # click's usage errors (typer may carry its own copy of click)
        message = getattr(err, "format_message", None)
        if message is None:
            raise
        typer.echo("error: " + " ".join(message().split()), err=True)
        return int(getattr(err, "exit_code", 2))
    return code if isinstance(code, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
