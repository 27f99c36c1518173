"""The experiment registry and the notebook API (``run``, ``plot``, ``checks``).

An `Experiment` bundles a name, what it reproduces (paper, figure, equation), a parameter
dataclass with a quick default and a ``full`` preset, ``run(params, rng) -> Dataset``,
``plot(ds) -> Figure`` and ``checks(ds) -> list[Check]``. Model packages register their
experiments when imported; the ``cerebellar.experiments`` entry points (``pyproject.toml``) name
the modules to import, so the core names no model.
"""

from __future__ import annotations

import importlib
import pkgutil
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from . import status
from .checks import Check, holds
from .errors import ParameterError, UnknownExperimentError
from .guards import check_memory, check_seed
from .parallel import on_cluster
from .params import Params
from .results import annotate, parameters

if TYPE_CHECKING:                   # matplotlib loads only when a figure is drawn
    from matplotlib.figure import Figure

EXPERIMENT_GROUP = "cerebellar.experiments"
_REGISTRY: dict[str, Experiment] = {}
_LOADED: set[str] = set()


@dataclass(frozen=True)
class Experiment:
    name: str
    reproduces: str
    params: type[Params]
    run: Callable[[Any, np.random.Generator], xr.Dataset]
    plot: Callable[[xr.Dataset], Figure]
    checks: Callable[[xr.Dataset], list[Check]]
    shares: str = ""
    """A resource it shares with other experiments (a cache of runs that one fills and the
    others read): ``reproduce`` on a cluster runs the experiments sharing one in sequence, and
    every other experiment at the same time."""

    def make_params(self, *, full: bool = False, **overrides: Any) -> Params:
        """The quick default (or the ``full`` preset) with ``overrides`` applied and validated."""
        for key in overrides:
            if not self.params.accepts(key):
                known = ", ".join(self.params.names())
                raise ParameterError(
                    f"unknown parameter '{key}' for experiment '{self.name}'; known: {known}")
        base = self.params.FULL if full else {}
        params = self.params.build(**{**base, **overrides})
        check_memory(params, f"experiment '{self.name}'")
        return params


def register(experiment: Experiment) -> Experiment:
    if experiment.name in _REGISTRY:
        raise ValueError(f"experiment '{experiment.name}' registered twice")
    _REGISTRY[experiment.name] = experiment
    return experiment


def load_plugins(group: str) -> None:
    """Import every module declared in the entry-point ``group`` (importing registers), in the
    order of the entry points' names; the entry points are read once per process."""
    if group in _LOADED:
        return
    for entry in sorted(entry_points(group=group), key=lambda e: e.name):
        importlib.import_module(entry.value)
    _LOADED.add(group)


def import_modules(package: str, first: tuple[str, ...] = ()) -> None:
    """Import (and so register) every module of ``package``: those named in ``first`` in that
    order, then the others by name, so a new figure is one new module. Modules whose name starts
    with ``_`` are left out."""
    found = sorted(m.name for m in pkgutil.iter_modules(importlib.import_module(package).__path__)
                   if not m.name.startswith("_"))
    for name in [*first, *(m for m in found if m not in first)]:
        importlib.import_module(f"{package}.{name}")


def experiments() -> dict[str, Experiment]:
    """All registered experiments, by name: the modules of the ``cerebellar.experiments``
    entry points are imported on first use, so another package can add its own."""
    load_plugins(EXPERIMENT_GROUP)
    return dict(_REGISTRY)


def get_experiment(name: str) -> Experiment:
    known = experiments()
    if name not in known:
        raise UnknownExperimentError(
            f"unknown experiment {name[:80]!r}; known: {', '.join(sorted(known))}")
    return known[name]


def sharing_chains(known: dict[str, Experiment]) -> list[list[Experiment]]:
    """Experiments that share runs (`Experiment.shares`) in one chain, in registry order; every
    other experiment a chain of its own; the longest chains first."""
    chains: dict[str, list[Experiment]] = {}
    for exp in known.values():
        chains.setdefault(exp.shares or exp.name, []).append(exp)
    return sorted(chains.values(), key=len, reverse=True)


def make_rng(seed: int) -> np.random.Generator:
    """The run's only source of randomness: a PCG64 generator from ``SeedSequence(seed)``."""
    return np.random.default_rng(np.random.SeedSequence(check_seed(seed)))


def run(experiment: str | Experiment, params: Params | None = None, *, seed: int = 0,
        full: bool = False, rng: np.random.Generator | None = None, scheduler: str | None = None,
        **overrides: Any) -> xr.Dataset:
    """Run an experiment (its name or the object) and return its annotated dataset: the one
    path of the Python API, ``cerebellar run``, ``reproduce`` and every point of a sweep.

    Parameters:

    - ``experiment``: a registered name (``cerebellar.experiments()``) or an ``Experiment``.
    - ``params``: the experiment's parameter object; default: its defaults (``full``: the
      papers' scale), changed by ``overrides``.
    - ``seed``: seed of the run's generator ``make_rng(seed)``, 0 to 2⁶³ − 1.
    - ``full``: start from the papers' scale (the ``--full`` preset) instead of the quick one.
    - ``rng``: a generator to use instead (a sweep point's own stream; ``seed`` then records
      where it came from).
    - ``scheduler``: the address of a Dask scheduler (``tcp://HOST:8786``): the experiment's
      independent runs become tasks of that cluster (same result, bit for bit); default: this
      machine's threads.
    - ``overrides``: parameter values by name (``q=0.5``), validated.

    Returns the experiment's ``xarray.Dataset`` with every parameter, the seed and the version
    in its attributes.

    ```python
    ds = run("coenen1993-fig5", q=0.5)
    ```
    """
    if not isinstance(experiment, Experiment):
        experiment = get_experiment(experiment)
    rng = make_rng(seed) if rng is None else rng
    with on_cluster(scheduler), np.errstate(all="ignore"):  # divergence: by status, not warnings
        if params is None:                                   # memory checked where runs run
            params = experiment.make_params(full=full, **overrides)
        elif overrides:
            params = params.replace(**overrides)
        ds = experiment.run(params, rng)
    return annotate(ds, experiment.name, experiment.reproduces, params, seed)


def experiment_of(ds: xr.Dataset) -> Experiment:
    if "experiment" not in ds.attrs:
        raise ValueError("dataset has no 'experiment' attribute: was it made by cerebellar.run?")
    return get_experiment(ds.attrs["experiment"])


def plot(ds: xr.Dataset, experiment: Experiment | None = None) -> Figure:
    """The figure of a result, laid out like the paper's panels; a diverged run is drawn with
    its runaway values masked and says so across the figure."""
    experiment = experiment or experiment_of(ds)
    if not status.diverged(ds):
        return stamp_scale(experiment.plot(ds), ds, experiment)
    masked = ds.copy()
    for name, da in ds.data_vars.items():
        if da.dtype.kind == "f":
            masked[name] = da.where(np.isfinite(da) & (abs(da) < 1e9))
    with np.errstate(all="ignore"):
        fig = experiment.plot(masked)
    a = ds.attrs
    fig.text(0.5, 0.5, f"DIVERGED at {a['diverged_unit']} {a['diverged_at']}\n{a['divergence']}",
             ha="center", va="center", color="red", fontsize=14, wrap=True,
             bbox=dict(facecolor="white", alpha=0.85, edgecolor="red"))
    return stamp_scale(fig, ds, experiment)


def scale_note(ds: xr.Dataset, experiment: Experiment) -> str:
    """'paper scale', or 'quick scale' with what the paper's scale (``--full``) would change;
    '' for an experiment with a single scale."""
    full = experiment.params.FULL
    if not full:
        return ""
    quick = [f"{k} = {ds.attrs[k]:g}" if isinstance(ds.attrs.get(k), int | float) else
             f"{k} = {ds.attrs.get(k)}" for k in full if ds.attrs.get(k) != full[k]]
    if not quick:
        return "paper scale (--full)"
    paper = ", ".join(f"{k} = {v}" for k, v in full.items())
    return f"quick scale: {', '.join(quick)}; the paper's scale (--full): {paper}"


def stamp_scale(fig: Figure, ds: xr.Dataset, experiment: Experiment) -> Figure:
    """Write the run's scale (``scale_note``) under the figure, right-aligned (as a super x label,
    which the constrained layout makes room for; below the figure's own, if it has one)."""
    note = scale_note(ds, experiment) if "experiment" in ds.attrs else ""
    if note:
        note = textwrap.fill(note, width=int(fig.get_figwidth() * 17))   # ~17 chars/inch at 7 pt
        own = getattr(fig, "_supxlabel", None)
        if own is not None and own.get_text():
            own.set_text(f"{own.get_text()}\n{note}")
        else:
            fig.supxlabel(note, x=0.995, ha="right", fontsize=7, color="0.4")
    return fig


def checks(ds: xr.Dataset, experiment: Experiment | None = None) -> list[Check]:
    """The check rows of a result (each with its source and verdict). A diverged run has one
    failed row: its other rows would compare numbers that mean nothing."""
    if status.diverged(ds):
        a = ds.attrs
        return [holds("the run stays finite and bounded", False, expected="no divergence",
                      got=f"diverged at {a['diverged_unit']} {a['diverged_at']}: {a['divergence']}",
                      source="invariant")]
    return (experiment or experiment_of(ds)).checks(ds)


class Description(str):
    """What ``cerebellar describe NAME`` prints (a string), with the rows behind it in ``rows``."""

    rows: list[dict[str, Any]]


def describe(name: str) -> Description:
    """An experiment's parameters: default, full preset, allowed range, units, and the choices
    the papers leave open (``print(cerebellar.describe("vor"))``; ``.rows`` for the data)."""
    exp = get_experiment(name)
    lines = [f"{exp.name}: {exp.reproduces}", ""]
    rows = exp.params.describe()
    for row in rows:
        full = f" (full: {row['full']})" if row["full"] != row["default"] else ""
        units = f" [{row['units']}]" if row["units"] not in ("", "1") else ""
        lines.append(f"  {row['name']} = {row['default']}{full}{units}  — {row['doc']}; "
                     f"allowed {row['allowed']}")
        if row["not_stated"]:
            lines.append(f"      [not stated in the paper] {row['not_stated']}")
    lines += [f"  [set by the experiment] {key} = {exp.params.default(key)!r}: {why}"
              for key, why in exp.params.FIXED.items()]
    names = set(exp.params.names())
    lines += [f"  [not stated in the paper] {key}: {why}"
              for key, why in exp.params.NOT_STATED.items() if key not in names]
    out = Description("\n".join(lines))
    out.rows = rows
    return out


def params_of(ds: xr.Dataset) -> Params:
    """Rebuild the parameter object a result was made with."""
    return experiment_of(ds).params.build(**parameters(ds))
