"""``bouvier2018-robustness``: ±10 % on α_w, α_v, ρ, A changes the final error little (Methods).

The paper's ≤ 7 % is judged with Student's t over paired seeds (inconclusive, n/a, when the
seeds cannot decide); at the quick scale, where the error is still falling, the effect of α_w
and ρ is predicted from the early descent's speed (`_rate_row`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import xarray as xr

from cerebellar.core import checks as ck
from cerebellar.core.guards import at_once
from cerebellar.core.parallel import map_runs
from cerebellar.core.params import param
from cerebellar.core.plotting import figure
from cerebellar.core.registry import Experiment, register
from cerebellar.models.network.params import NetworkParams
from cerebellar.models.network.simulate import simulate
from cerebellar.papers import claim
from cerebellar.studies.network_runs import (
    PAPER,
    descent_fraction,
    descent_window,
    final_error,
    final_window,
    olive_lock,
)


@dataclass(frozen=True)
class RobustnessParams(NetworkParams):
    trials_per_pattern: int = param(6000, low=1, high=100_000_000, units="trial",
                                    doc="movements of each pattern")
    change: float = param(0.1, low=0, high=0.9, low_open=True, doc="relative change (paper: 10 %)")
    n_seeds: int = param(2, low=1, high=1000, doc="paired seeds per variant")
    FULL: ClassVar[dict[str, Any]] = {"trials_per_pattern": 60_000, "n_seeds": 4}
    SCALE: ClassVar[tuple[str, ...]] = ("trials_per_pattern", "n_seeds", "n_profiles")

    def memory_bytes(self) -> tuple[int, tuple[str, ...]]:
        """The runs on the threads, each `NetworkParams.memory_bytes` (only summaries are kept)."""
        one, drivers = super().memory_bytes()
        return at_once([one] * (1 + 2 * len(VARIED)) * self.n_seeds), drivers


VARIED = ("alpha_w", "alpha_v", "rho", "A")
RATE = ("alpha_w", "rho")
"""The parameters whose ±change scales the early descent's speed −ρΔPπ/T (ΔP ∝ α_w; ρ also
through π, computed): at the quick horizon, where the error is still falling, they move the
final error by a predictable amount."""


def _base_summary(ds: xr.Dataset, p: NetworkParams, change: float) -> dict[str, float]:
    """From a base run: the final error, and what the quick-scale prediction needs (the lock-on,
    the error's slope and level over the final window, π's finite-difference elasticity in ρ)."""
    E = ds.error.mean("pattern").values
    lo, hi = final_window(ds.attrs)
    t = np.arange(lo, hi)
    lock = min(olive_lock(ds.error.values[mu], ds.inhibition.values[mu])
               for mu in range(ds.sizes["pattern"]))
    start, stop = descent_window(ds)
    x0 = (ds.error - ds.inhibition).values[:, start:stop][ds.n_pcs.values[:, start:stop] == 0]
    a = abs(p.u_pc_pn) * p.S * p.A / (p.L * p.T)
    pi = {f: f * descent_fraction(x0, a, p.q, p.L, p.rho * f) for f in (1 - change, 1.0, 1 + change)}
    return dict(final=float(E[lo:hi].mean()), start=float(E[:20].mean()), lock=float(lock),
                slope=float(np.polyfit(t, E[lo:hi], 1)[0]) if t.size > 2 else np.nan,
                g_rho=(pi[1 + change] - pi[1 - change]) / (2 * change * pi[1.0]))


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
        ds = _annotate(simulate(p, np.random.default_rng(seed)), p)
        return _base_summary(ds, p, params.change) if name == "base" else \
            dict(final=final_error(ds))

    runs = map_runs(one, configs, rng, desc="robustness runs")
    arr = np.array([r["final"] for r in runs]).reshape(len(variants), params.n_seeds)
    labels = [f"{n} x{f:.2f}" if n != "base" else "base" for n, f in variants]
    rel = arr[1:] / arr[0] - 1
    described = dict(start=("base run: error ℰ, mean of the first 20 trials", "Hz"),
                     lock=("base run: first trial without an eCS (ℐ reaches ℰ)", "trial"),
                     slope=("base run: slope of ℰ over the final window", "Hz/trial"),
                     g_rho=("base run: elasticity of ρπ in ρ (π from the olive's mismatch)", "1"))
    extra = {k: ("seed", np.array([r[k] for r in runs[:params.n_seeds]]),
                 dict(long_name=name, units=u)) for k, (name, u) in described.items()}
    return xr.Dataset(
        dict(final_error=(("variant", "seed"), arr, dict(units="Hz")),
             rel_change=(("variant", "seed"), np.vstack([np.zeros(params.n_seeds), rel]),
                         dict(long_name="final error / base − 1 (paired seeds)")), **extra),
        coords=dict(variant=labels, seed=np.arange(params.n_seeds)))


def _annotate(ds: xr.Dataset, p: NetworkParams) -> xr.Dataset:
    ds.attrs.update(p.to_dict())
    return ds


def checks_robustness(ds: xr.Dataset) -> list[ck.Check]:
    """The paper's ≤ 7 % per variant, judged with Student's t over the paired seeds: pass when
    |mean| + t·s.e. ≤ 7 %, fail when |mean| − t·s.e. > 7 %, otherwise inconclusive (n/a); and,
    at any scale, the rate parameters' effect against the early descent's theory."""
    from scipy import stats  # here: slow to import
    rows = []
    n = ds.sizes["seed"]
    t = float(stats.t.ppf(0.975, n - 1)) if n > 1 else np.inf
    short = "" if ds.attrs["trials_per_pattern"] >= 60_000 else \
        (f"{ds.attrs['trials_per_pattern']} trials per pattern: the paper's final error is taken "
         "at 55 000-60 000 (--full)")
    paper = claim("bouvier2018.robustness.max_change")
    for v in ds.variant.values[1:]:
        r = ds.rel_change.sel(variant=v).values
        mean, se = float(r.mean()), float(r.std(ddof=1) / np.sqrt(n)) if n > 1 else np.inf
        high, low = abs(mean) + t * se, abs(mean) - t * se
        rows.append(paper.check(
            high, what=f"{v}: |mean change| + t·s.e. over {n} paired seeds (mean {mean:+.1%}, "
            f"s.e. {se:.1%}, t = {t:.3g}, 95 %)", off=short or (
                "" if high <= paper.high or low > paper.high else
                f"inconclusive (|mean| − t·s.e. = {low:.1%} ≤ {paper.high:.0%} < |mean| + t·s.e. = "
                f"{high:.1%}): run more seeds (--set n_seeds=N)")))
    rows.append(_rate_row(ds))
    return rows


def _rate_row(ds: xr.Dataset) -> ck.Check:
    """α_w and ρ ±change at the run's horizon. The early descent runs at −ρΔPπ/T (Eq 9; Appendix
    1 Eq 32 with π = 1, see `descent_row`), ΔP ∝ α_w: scaling α_w by f scales the descent's
    speed by f, scaling ρ by f scales ρπ by f^g (g measured from the base run's mismatch). If the
    descent is time-rescaled by the speed, ∂ℰ_n/∂ln f = g·(n − t_lock)·dℰ/dt|_n; if it is linear,
    −g·(ℰ_0 − ℰ_n): the prediction takes the first, the tolerance adds their difference (the
    approximation's order) to 3 s.e. of the paired difference, bounded by two independent random
    walks of ±ΔP/(LT) per pCS over the n − t_lock trials."""
    a = ds.attrs
    n_seeds, change = ds.sizes["seed"], float(a["change"])
    lo, hi = final_window(a)
    t_c = (lo + hi - 1) / 2
    final = ds.final_error.sel(variant="base").values
    rescaled = ds.slope.values * (t_c - ds.lock.values) / final
    linear = -(ds.start.values - final) / final
    d_P = abs(a["u_pc_pn"]) * a["alpha_w"] * a["S"] * a["N"] / (4 * a["T"])
    walk = np.sqrt(2 * (t_c - ds.lock.values) * a["rho"] * a["L"]) * d_P / (a["L"] * a["T"])
    measured, predicted, approx, se2 = [], [], [], []
    for name in RATE:
        up, down = (ds.rel_change.sel(variant=f"{name} x{1 + s * change:.2f}").values for s in (1, -1))
        g = np.ones(n_seeds) if name == "alpha_w" else ds.g_rho.values
        measured.append((up - down) / (2 * change))
        predicted.append(g * rescaled)
        approx.append(np.abs(g * (rescaled - linear)))
        se2.append((walk / final / (2 * change)) ** 2)
    k = len(RATE) * n_seeds
    se = float(np.sqrt(np.sum(se2)) / k)
    expected = float(np.mean(predicted))
    order = float(np.mean(approx))
    return ck.close(
        f"α_w, ρ ×(1 ± {change:g}): change of the final error per unit log-change, mean over "
        f"{len(RATE)} parameters × {n_seeds} seeds, vs g·(n − t_lock)·(dℰ/dt)/ℰ_n at the run's "
        f"horizon (g = 1 for α_w, {float(ds.g_rho.mean()):.2f} for ρ; 3 s.e. = {3 * se:.3f} + the "
        f"linear descent's difference {float(np.mean(approx)):.3f})", expected,
        float(np.mean(measured)), atol=3 * se + order, source="theory",
        cite="Bouvier 2018 Eq 9 and Appendix 1 Eq 32 (the descent's speed ρΔP)",
        off="" if order <= abs(expected) else
        (f"the run has left its early descent: the rescaled and the linear reading differ by "
         f"{order:.3g}, more than the prediction {expected:.3g} (a quick-scale row)"))


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
