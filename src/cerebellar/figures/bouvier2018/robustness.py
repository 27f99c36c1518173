"""``bouvier2018-robustness``: ±10 % on α_w, α_v, ρ, A changes the final error little (Methods)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import xarray as xr

from cerebellar.core import checks as ck
from cerebellar.core.parallel import map_runs
from cerebellar.core.params import param
from cerebellar.core.plotting import figure
from cerebellar.core.registry import Experiment, register
from cerebellar.figures.bouvier2018._network import (
    PAPER,
    final_error,
)
from cerebellar.network.model import NetworkParams, simulate
from cerebellar.papers import claim


@dataclass(frozen=True)
class RobustnessParams(NetworkParams):
    trials_per_pattern: int = param(6000, low=1, high=100_000_000, units="trial",
                                    doc="movements of each pattern")
    change: float = param(0.1, low=0, high=0.9, low_open=True, doc="relative change (paper: 10 %)")
    n_seeds: int = param(2, low=1, high=1000, doc="paired seeds per variant")
    FULL: ClassVar[dict[str, Any]] = {"trials_per_pattern": 60_000, "n_seeds": 4}
    SCALE: ClassVar[tuple[str, ...]] = ("trials_per_pattern", "n_seeds", "n_profiles")


VARIED = ("alpha_w", "alpha_v", "rho", "A")


def run_robustness(params: RobustnessParams, rng: np.random.Generator) -> xr.Dataset:
    """Base and ±change variants on the same seeds (paired: the same networks and patterns)."""
    variants = [("base", 1.0)] + [(k, 1 + s * params.change) for k in VARIED for s in (-1, 1)]
    seeds = rng.integers(0, 2**63, params.n_seeds)
    base = NetworkParams(**{k: v for k, v in params.to_dict().items()
                            if k in NetworkParams.names()})
    configs = [(name, factor, int(seed)) for name, factor in variants for seed in seeds]

    def one(config, _rng):
        name, factor, seed = config
        p = base if name == "base" else base.replace(**{name: getattr(base, name) * factor})
        return final_error(_annotate(simulate(p, np.random.default_rng(seed)), p))

    finals = map_runs(one, configs, rng, desc="robustness runs")
    arr = np.array(finals).reshape(len(variants), params.n_seeds)
    labels = [f"{n} x{f:.2f}" if n != "base" else "base" for n, f in variants]
    rel = arr[1:] / arr[0] - 1
    return xr.Dataset(
        dict(final_error=(("variant", "seed"), arr, dict(units="Hz")),
             rel_change=(("variant", "seed"), np.vstack([np.zeros(params.n_seeds), rel]),
                         dict(long_name="final error / base − 1 (paired seeds)"))),
        coords=dict(variant=labels, seed=np.arange(params.n_seeds)))


def _annotate(ds: xr.Dataset, p: NetworkParams) -> xr.Dataset:
    ds.attrs.update(p.to_dict())
    return ds


def checks_robustness(ds: xr.Dataset) -> list[ck.Check]:
    rows = []
    n = ds.sizes["seed"]
    short = "" if ds.attrs["trials_per_pattern"] >= 60_000 else \
        (f"{ds.attrs['trials_per_pattern']} trials per pattern: the paper's final error is taken "
         "at 55 000-60 000 (--full)")
    paper = claim("bouvier2018.robustness.max_change")
    for v in ds.variant.values[1:]:
        r = ds.rel_change.sel(variant=v).values
        mean, se = float(r.mean()), float(r.std(ddof=1) / np.sqrt(n)) if n > 1 else 0.0
        rows.append(paper.check(
            abs(mean) - 2 * se, what=f"{v}: |mean change| − 2 s.e. over {n} paired seeds (mean "
            f"{mean:+.1%}, s.e. {se:.1%}): consistent with ≤ 7 %", off=short))
    return rows


def plot_robustness(ds: xr.Dataset):
    fig, ax = figure(1, 1, title="Robustness: final error change for ±10 % parameter changes", width=7)
    a = ax[0, 0]
    r = ds.rel_change.isel(variant=slice(1, None)) * 100
    x = np.arange(r.sizes["variant"])
    a.errorbar(x, r.mean("seed"), yerr=r.std("seed") / np.sqrt(max(ds.sizes["seed"], 1)), fmt="o")
    a.axhspan(-7, 7, color="0.9", label="paper: ≤ 7 %")
    a.set_xticks(x, r.variant.values, rotation=30)
    a.set(ylabel="change of final error [%]", xlabel="parameter changed (one at a time)")
    a.legend()
    return fig


register(Experiment(
    name="bouvier2018-robustness",
    reproduces=f"{PAPER}, Methods: ±10 % on α_w, α_v, ρ, A changes the final error by ≤ 7 %",
    params=RobustnessParams, run=run_robustness, plot=plot_robustness, checks=checks_robustness))
