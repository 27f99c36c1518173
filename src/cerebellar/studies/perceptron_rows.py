"""Check rows shared by the perceptron figures (Bouvier et al. 2018, Fig 10): the error
floor, the delta rule's zero error, where the error leaves its floor."""

from __future__ import annotations

import numpy as np
import xarray as xr

from cerebellar.core import checks as ck
from cerebellar.models.perceptron.theory import capacity_window, floor, floor_slack
from cerebellar.papers import claim
from cerebellar.studies.load_sweep import (
    FLOOR_LOAD,
    final_mean_error,
    loads_between,
    mean_final_error,
    runs_note,
)


def departure(ds: xr.Dataset, rule: str, level: float) -> tuple[int, int, float, float] | None:
    """Where the rule's error leaves its floor: (the load before, the first load at which the mean
    final |P − R| over every pattern of every run exceeds ``level`` by more than 3 standard errors,
    that mean, its standard error). The standard error is over patterns, so a load whose mean is
    raised by a few patterns still converging (wide scatter) does not count; a load where many
    patterns cannot be learnt does. None if no load does."""
    before = 0
    for p in ds.p.values:
        m, se = mean_final_error(ds, rule, p, with_se=True)
        if m - 3 * se > level:
            return before, int(p), m, se
        before = int(p)
    return None


def departure_row(ds: xr.Dataset, rule: str, level: float, floor_text: str) -> ck.Check:
    """Fig 10D legend: the error leaves its floor close to the theoretical capacity. The departure
    lies between the load before the first load above the floor and that load (the grid); it must
    meet the window [α_c − 2/√N_M, α_c + 1/√N_M]: the finite-size window of
    `capacity_window`, one more spread below, since after a finite number of trials the
    patterns of a load just below capacity may still be converging (learning slows down as the
    load nears α_c, Fig 10B), which moves the departure below α_c and never above it."""
    N = ds.attrs["N_M"]
    a_c, low, high = capacity_window(ds.attrs)
    low -= 1 / np.sqrt(N)
    found = departure(ds, rule, level)
    expected = f"between {low:.3f} and {high:.3f} N_M (α_c = {a_c:.3f} − 2/√N_M, + 1/√N_M)"
    what = (f"{rule}: where the error leaves its floor: the first load whose mean final |P − R| "
            f"(every pattern of every run) exceeds {floor_text} by 3 s.e., and the load before it, "
            "vs the capacity α_c (finite-size window − 2/√N_M, + 1/√N_M)")
    leaves = claim("bouvier2018.fig10d.leaves_floor")
    if found is None:
        return leaves.holds(False, what=what, expected=expected,
                            got=f"no load up to p = {int(ds.p.max())} leaves the floor")
    before, p, m, se = found
    return leaves.holds(
        before / N <= high and p / N >= low, what=what, expected=expected,
        got=f"between p = {before} and {p} ({before / N:.3f}-{p / N:.3f} N_M; "
            f"mean {m:.3g} ± {se:.2g} Hz at p = {p})")


def floor_rows(ds: xr.Dataset, rule: str, q: float) -> list[ck.Check]:
    """SGDEGE below capacity: the floor A(1+q)/2 (theory), told apart from the floors of the
    neighbouring q (A/8 apart at the Fig 10D values); where the error leaves it (Fig 10D)."""
    a = ds.attrs
    fl = floor(a["A"], q)
    x = ds.floor_error.sel(rule=rule, p=loads_between(ds, hi=FLOOR_LOAD)).values.ravel()
    x = x[np.isfinite(x)]
    n = x.size
    m = float(x.mean()) if n else float("nan")
    se = float(x.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
    slack = floor_slack(a["dP"])
    # the departure compares the mean of |P − R| with itself: the mean sits above the typical
    # (median) error tested against A(1+q)/2, by the few patterns still converging
    reached = max(mean_final_error(ds, rule, p) for p in loads_between(ds, hi=FLOOR_LOAD).values)
    return [
        ck.close(f"{rule}: typical final error for p ≤ {FLOOR_LOAD} N_M (median over patterns of "
                 f"|P − R| averaged over the last half of training; mean ± {se:.2g} s.e. of {n} "
                 f"runs) vs the floor A(1+q)/2 (tolerance ΔP/4 + 3 s.e.: the ΔP lattice of P, "
                 "and chance)", fl, m, atol=slack + 3 * se, source="theory",
                 cite="Bouvier 2018 Appendix 1 Phase 3; Fig 10D legend"),
        departure_row(ds, rule, reached + slack,
                       f"the floor as reached for p ≤ {FLOOR_LOAD} N_M (its largest mean final |P − R| "
                       f"over those loads, {reached:.3g} Hz) + ΔP/4 = {reached + slack:.3g} Hz"),
    ]


def delta_rows(ds: xr.Dataset) -> list[ck.Check]:
    """Fig 10C: zero error below capacity up to finite-size effects, right up to capacity; Fig
    10D: where the error leaves zero."""
    N = ds.attrs["N_M"]
    zero = claim("bouvier2018.fig10c.delta_zero")
    low = capacity_window(ds.attrs)[1]
    final = final_mean_error(ds).sel(rule="delta")
    below = loads_between(ds, hi=low)
    rows = [zero.check(
        float(final.sel(p=below).max()),
        what=f"delta rule: largest final error for p ≤ (α_c − 1/√N_M) N_M = {low * N:.0f} "
             f"(below the finite-size window){runs_note(ds)}")]
    rows.append(window_row(ds, zero.high))
    rows.append(departure_row(ds, "delta", zero.high,
                               f"the Fig 10C bound for zero error ({zero.high:g} Hz)"))
    return rows


def window_row(ds: xr.Dataset, bound: float) -> ck.Check:
    """Fig 10C, right up to capacity: at the loads of the finite-size window below α_c some
    instances have no exact solution (linear programming on the run's own patterns). On those that
    have one, every sequential delta-rule step is a relaxed projection onto one pattern's solution
    set (factor α f √N_M < 2) and the rectification a projection onto w ≥ 0, so the distance to
    every exact solution never grows and the error goes to zero: at the end of a finite run its
    error is within the zero bound or still falling (below its value at half the run)."""
    N = ds.attrs["N_M"]
    a_c, low, _ = capacity_window(ds.attrs)
    cite = "Bouvier 2018 Fig 10C legend (zero error below capacity, up to finite-size effects)"
    what = (f"delta rule, loads of the finite-size window below capacity ((α_c − 1/√N_M) N_M, α_c "
            f"N_M] = ({low * N:.1f}, {a_c * N:.1f}]): on the runs whose patterns have an exact "
            f"solution (LP), the final error ≤ {bound:g} Hz or still falling (below its value "
            "at half the run)")
    if "lp_min" not in ds:
        return ck.holds(what, False, source="theory", cite=cite, off="no LP of the run's patterns")
    lp = ds.lp_min.dropna("p", how="all")
    if not lp.sizes["p"]:
        return ck.holds(what, False, source="theory", cite=cite,
                        off="no load of the run lies in the finite-size window below capacity")
    err = ds.error.sel(rule="delta", p=lp.p)
    end = err.isel(trial=-1)
    half = err.sel(trial=float(err.trial[-1]) / 2, method="nearest")
    exact = lp < 1e-6
    if not bool(exact.any()):
        return ck.holds(what, False, source="theory", cite=cite,
                        off=f"none of the {exact.size} runs in the window has an exact solution "
                            "(finite size): nothing to test")
    ok = ((end <= bound) | (end < half)) | ~exact
    bad = [f"p = {int(p)} run {int(s)}: {float(end.sel(p=p, seed=s)):.3g} Hz"
           for p in lp.p.values for s in lp.seed.values if not bool(ok.sel(p=p, seed=s))]
    return ck.holds(
        what, bool(ok.all()), source="theory", cite=cite,
        expected="every such run",
        got=(f"{int(exact.sum())} of {exact.size} runs have an exact solution; "
             + ("each converges" if not bad else "not converging: " + "; ".join(bad))
             + f" (final errors {', '.join(f'{v:.3g}' for v in end.values[exact.values])} Hz)"))
