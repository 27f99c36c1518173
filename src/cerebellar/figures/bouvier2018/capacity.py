"""``bouvier2018-capacity``: capacity from theory, from LP feasibility and from learning."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import xarray as xr

from cerebellar.core import checks as ck
from cerebellar.core.params import param
from cerebellar.core.plotting import figure, panel_letter, symlog_axis
from cerebellar.core.registry import Experiment, register
from cerebellar.models.perceptron.capacity import capacity, feasible
from cerebellar.models.perceptron.params import threshold
from cerebellar.models.perceptron.patterns import Patterns
from cerebellar.papers import claim
from cerebellar.studies.load_sweep import (
    PAPER,
    SHARES_RUNS,
    LoadSweepParams,
    load_curves,
    mean_se,
    runs_note,
)


@dataclass(frozen=True)
class CapacityParams(LoadSweepParams):
    """The learned capacity comes from the delta-rule runs of Fig 10C (the same runs, at the
    same seed and scale)."""

    n_lp: int = param(30, low=2, high=10_000,
                      doc="LP instances: nested pattern sets, each giving its own capacity")

    FULL: ClassVar[dict[str, Any]] = {**LoadSweepParams.FULL, "n_lp": 12}
    SCALE: ClassVar[tuple[str, ...]] = (*LoadSweepParams.SCALE, "n_lp")

    def memory_bytes(self) -> tuple[int, tuple[str, ...]]:
        """Fig 10C's sweep, after the LP instances: N_M patterns of N_M inputs, dense, with the
        solver's copies."""
        sweep, drivers = super().memory_bytes()
        return max(sweep, 24 * self.N_M ** 2), drivers


def instance_capacity(X: np.ndarray, R: np.ndarray, theta: float, guess: int) -> int:
    """The largest p such that the first p patterns (rows of X, targets R) have an exact
    solution w ≥ 0 (LP, `feasible`); 0 if none does, len(R) if
    all do. Adding patterns only removes solutions, so feasibility is monotone in p: a gallop
    from ``guess`` brackets the change, a bisection finds it."""
    n = R.size

    def ok(p: int) -> bool:
        return p <= 0 or (p <= n and feasible(X[:p], R[:p], theta))

    step = max(1, int(np.sqrt(n)) // 2)
    p = int(np.clip(guess, 1, n))
    if ok(p):
        lo, hi = p, p + step
        while hi <= n and ok(hi):
            lo, hi, step = hi, hi + 2 * step, 2 * step
        hi = min(hi, n + 1)
    else:
        lo, hi = p - step, p
        while lo > 0 and not ok(lo):
            lo, hi, step = lo - 2 * step, lo, 2 * step
        lo = max(lo, 0)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if ok(mid) else (lo, mid)
    return lo


def run_capacity(params: CapacityParams, rng: np.random.Generator) -> xr.Dataset:
    """``n_lp`` instances, each a sequence of N_M random patterns and targets whose own capacity
    (`instance_capacity`) is found by LP, and the delta-rule runs of Fig 10C."""
    N = params.N_M
    loads = params.loads()
    theta = threshold(params.f, params.gamma, N, params.P_max)
    guess = round(capacity(params.f, params.gamma) * N)
    caps = np.empty(params.n_lp, int)
    for s in range(params.n_lp):
        pats = Patterns.draw(params.run_params(n_patterns=N), rng)
        caps[s] = instance_capacity(pats.dense(N), pats.R, theta, guess)
    learned = load_curves(params, rng, {"delta": dict(rule="delta")})
    return xr.Dataset(
        dict(instance_capacity=("instance", caps, dict(
                 long_name="largest number of the instance's patterns with an exact solution (LP)",
                 units="pattern")),
             feasible_fraction=("p", (caps[None, :] >= np.array(loads)[:, None]).mean(axis=1),
                                dict(long_name="fraction of LP instances with an exact solution")),
             learned_error=(learned.error.sel(rule="delta").isel(trial=-1, drop=True)
                            .assign_attrs(long_name="delta-rule final error", units="Hz")),
             alpha_c=((), capacity(params.f, params.gamma)), theta=((), theta)),
        coords=dict(p=loads, instance=np.arange(params.n_lp)),
    )


def checks_capacity(ds: xr.Dataset) -> list[ck.Check]:
    a = ds.attrs
    N = a["N_M"]
    caps = ds.instance_capacity.values
    n = caps.size
    load = caps / N
    mean, se = float(load.mean()), float(load.std(ddof=1) / np.sqrt(n))
    alpha_c = float(ds.alpha_c)
    cite = ("replica capacity of the non-negative analog perceptron, −u = γ(uΦ(u) + φ(u)), α_c = Φ(u) "
            "(Clopath & Brunel 2013, the theory of the Fig 10C legend; Brunel et al. 2004)")
    paper = claim("bouvier2018.fig10.capacity")
    safe = alpha_c - 2 / np.sqrt(N)
    return [
        ck.at_least(f"LP: every instance has an exact solution up to (α_c − 2/√N_M) N_M = "
                    f"{safe * N:.1f} patterns (finite-size spread ~0.5/√N_M: 4 of them below α_c); "
                    "the smallest instance capacity / N_M", safe, float(caps.min()) / N,
                    source="theory", cite=cite),
        ck.close(f"LP: mean capacity of {n} finite instances (largest load with an exact solution, "
                 f"over N_M; ± {se:.2g} s.e., spread {load.std(ddof=1) * np.sqrt(N):.2g}/√N_M) "
                 "vs α_c (tolerance 3 s.e. + 1/N_M, the O(1/N_M) finite-size shift of the mean)",
                 alpha_c, mean, atol=3 * se + 1 / N, source="theory", cite=cite),
        paper.check(mean * N, what="LP: mean capacity of the finite instances, N_M = 1000",
                    atol=3 * se * N + 1,
                    off="" if N == 1000 else f"N_M = {N}: the paper's 391 is for N_M = 1000"),
        claim("bouvier2018.fig10c.delta_zero").check(
            float(ds.learned_error.mean("seed").sel(p=ds.p[ds.p <= 0.35 * N]).max()),
            what=f"learned (delta rule): largest final error for p ≤ 0.35 N_M{runs_note(ds)}"),
    ]


def plot_capacity(ds: xr.Dataset):
    N = ds.attrs["N_M"]
    fig, ax = figure(1, 2, title=f"Capacity of the analog perceptron, N_M = {N}")
    load = ds.p / N
    ax[0, 0].plot(load, ds.feasible_fraction, "o-",
                  label=f"LP feasible fraction ({ds.sizes['instance']} nested instances)")
    ax[0, 0].axvline(float(ds.alpha_c), color="k", ls="--", label=f"theory α_c = {float(ds.alpha_c):.3f}")
    ax[0, 0].axhline(0.5, color="0.6", ls=":")
    ax[0, 0].set(xlabel="load p / N_M [dimensionless]", ylabel="fraction of LP-feasible pattern sets")
    mean, se = mean_se(ds.learned_error)
    ax[0, 1].errorbar(load, mean, yerr=se, fmt="o-", ms=3, capsize=2,
                      label=f"delta rule, final error (mean ± s.e., {ds.sizes['seed']} runs)")
    ax[0, 1].axvline(float(ds.alpha_c), color="k", ls="--")
    ax[0, 1].set(xlabel="load p / N_M [dimensionless]", ylabel="mean |P − R| [Hz]",
                 title="below 10⁻³ Hz the axis is linear")
    symlog_axis(ax[0, 1], mean + se)
    for a, letter, where in zip(ax[0], "AB", ("lower left", "upper left"), strict=True):
        a.legend(fontsize=8, loc=where)
        panel_letter(a, letter)
    return fig


register(Experiment(
    name="bouvier2018-capacity",
    reproduces=f"{PAPER}, Fig 10C,D capacity: theory (391) vs LP feasibility vs learned",
    params=CapacityParams, run=run_capacity, plot=plot_capacity, checks=checks_capacity,
    shares=SHARES_RUNS))
