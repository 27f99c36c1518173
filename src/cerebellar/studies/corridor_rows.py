"""What the reduced model's corridor figures share (Bouvier et al. 2018, Fig 9B,E,F and Appendix
1—figure 1): the panels' settings, the runs of a panel with their geometry, and the check rows of
corridor speeds (Eqs 32-35), geometry (Eqs 29-30) and end points."""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from cerebellar.core import checks as ck
from cerebellar.models import reduced as rd
from cerebellar.papers import claim
from cerebellar.studies.corridor_runs import (
    CorridorParams,
    corridor_offset,
    corridor_runs,
    drift_regime,
    group_means,
    measured_speeds,
    path_slope,
    tie_count,
    trajectory_starts,
    window,
)

WIDE = 4
"""Appendix 1—figure 1B's setting with ΔP and Δ𝒥 this many times smaller: the same ρ, β, A and
corridor, now four times wider in units of the steps, where the legend's assumption behind Eq 35
("the corridor width is much greater than ΔP and Δ𝒥") holds."""


APPENDIX_PANELS = {
    "AB": dict(rho=0.5, A=10.0, dP=1.0, dJ=2.0, reference_key="bouvier2018.app1.speed_below_AB",
               legend_key="bouvier2018.app1.regime_AB", wide="AB-wide"),
    "CD": dict(rho=0.75, A=10.0, dP=1.0, dJ=2.0, legend_key="bouvier2018.app1.regime_CD"),
    "EF": dict(rho=0.75, A=2.0, dP=1.0, dJ=0.25, legend_key="bouvier2018.app1.only_C_plus"),
    "AB-wide": dict(rho=0.5, A=10.0, dP=1.0 / WIDE, dJ=2.0 / WIDE),
}


REGIME_TEXT = {"D+": "D+", "C+": "C+", "D-": "D−", "C-": "C−"}


def panel_geometry(P: xr.DataArray, J: xr.DataArray, R: float, A, q: float) -> dict[str, xr.DataArray]:
    """Slope d𝒥/dP of the mean (P, 𝒥) path and its mean corridor offset (0 on D, 1 on C) over the
    samples inside each side's window; P, J carry dims ``side`` and ``trial`` (and any others)."""
    out = {}
    for side in ("above", "below"):
        lo, hi = window(side, R)
        p, j = P.sel(side=side, drop=True), J.sel(side=side, drop=True)
        out[f"slope_{side}"] = xr.apply_ufunc(
            lambda a, b, lo=lo, hi=hi: path_slope(a, b, lo, hi), p, j,
            input_core_dims=[["trial"], ["trial"]], vectorize=True)
        inside = (p >= lo) & (p <= hi)
        out[f"offset_{side}"] = corridor_offset(p, j, side, A, q, R).where(inside).mean("trial")
    return out


def panel_dataset(params: CorridorParams, rng: np.random.Generator, panels: dict | None) -> xr.Dataset:
    """Trajectories from `trajectory_starts` and corridor runs, for one or several panels:
    the corridor runs' speeds, path geometry and final means, each for the mean over all seeds
    and for the means of seed groups (``*_g``, `group_means`, for standard errors)."""
    batch: dict[str, Any] = {}
    if panels:
        for key in ("rho", "A", "dP", "dJ"):
            batch[key] = xr.DataArray([v[key] for v in panels.values()], dims="panel",
                                      coords={"panel": list(panels)})
    A = batch.get("A", params.A)
    P0, J0 = trajectory_starts(params.R)
    start = xr.DataArray(np.arange(P0.size), dims="start")
    traj = rd.simulate(params, rng, P0=xr.DataArray(P0, dims="start"),
                       J0=xr.DataArray(J0, dims="start"), **batch)
    runs = corridor_runs(params, rng, params.n_seeds, **batch)
    up, low = measured_speeds(runs, params.R)
    Pg, Jg = group_means(runs.P), group_means(runs.J)
    up_g, low_g = measured_speeds(xr.Dataset(dict(P=Pg)), params.R, over=None)
    geo = panel_geometry(runs.P.mean("seed"), runs.J.mean("seed"), params.R, A, params.q)
    geo_g = panel_geometry(Pg, Jg, params.R, A, params.q)
    last = slice(-max(params.n_trials // 5, 1), None)
    tail = runs.isel(trial=last)
    ds = xr.Dataset(dict(
        P=traj.P.assign_coords(start=start), J=traj.J.assign_coords(start=start),
        P_mean=runs.P.mean("seed").assign_attrs(long_name="mean P over seeds", units="Hz"),
        J_mean=runs.J.mean("seed").assign_attrs(units="Hz"),
        final_P=tail.P.mean(("seed", "trial")).assign_attrs(long_name="mean P, last 20 % of trials"),
        final_J=tail.J.mean(("seed", "trial")).assign_attrs(long_name="mean 𝒥, last 20 % of trials"),
        final_P_g=Pg.isel(trial=last).mean("trial"), final_J_g=Jg.isel(trial=last).mean("trial"),
        speed_above=up.assign_attrs(long_name="measured V_c above the target", units="Hz/trial"),
        speed_below=low.assign_attrs(long_name="measured V_c below the target", units="Hz/trial"),
        speed_above_g=up_g, speed_below_g=low_g,
        **{k: v.assign_attrs(long_name=f"mean path: {k.replace('_', ' ')}") for k, v in geo.items()},
        **{f"{k}_g": v for k, v in geo_g.items()},
        tie_states=xr.DataArray(tie_count(runs.P, runs.J, A, params.q, params.R), attrs=dict(
            long_name="corridor-run states at a tie ℰ = ℐ (either comparison)")),
    ))
    return ds


BOUNDARY_MARGIN = 0.05


"""Corridor-speed rows are n/a for ρ this close to a regime boundary (as Fig 9C's comparison
leaves out the cells next to a boundary)."""


def mean_se_of(da: xr.DataArray) -> float:
    """Standard error of a mean over equal seed groups (`group_means`), from the groups'
    spread; 0 where fewer than two groups give a finite value (the tolerance then has no
    statistical part)."""
    x = np.asarray(da, float)
    x = x[np.isfinite(x)]
    return float(x.std(ddof=1) / np.sqrt(x.size)) if x.size > 1 else 0.0


def eq35_accurate(attrs: dict) -> tuple[bool, float, float]:
    """Whether Eq 35's D− speed is expected to hold: 𝒥's excursions below D−
    (`reduced.d_minus_excursion`) small against the corridor width (1 − q)A."""
    depth = float(rd.d_minus_excursion(attrs["rho"], attrs["dP"], attrs["dJ"], attrs["q"]))
    width = (1 - attrs["q"]) * attrs["A"]
    return depth < width / 2, depth, width


def speed_rows(label: str, attrs: dict, sub: xr.Dataset, wide: xr.Dataset | None = None,
                reference_key: str | None = None) -> list[ck.Check]:
    """Measured corridor speeds against Eqs 32-35 at the panel's parameters (rel. 10 %: the
    equations neglect the oscillation about the line, Appendix 1 Phase 2). Where Eq 35's D− speed
    cannot be trusted (𝒥's excursions below D− reach towards C−, `reduced.d_minus_excursion`,
    the paper's own caveat), the legend's "less accurate" is checked instead against ``wide``, the
    same panel with a corridor much wider than ΔP and Δ𝒥 (where the D− row is evaluated), with a
    reference row where an independent simulation gives the value."""
    rho, beta, q = attrs["rho"], attrs["dJ"] / attrs["dP"], attrs["q"]
    up, low = float(sub.speed_above), float(sub.speed_below)
    v_up, v_low = rd.corridor_speed(rho, attrs["dP"], attrs["dJ"], q)
    cite = "Bouvier 2018 Appendix 1 Eqs 32-35"
    near = ("ρ within {:.2g} of the {} boundary ρ = {:.3g}, where the corridor switches lines: "
            "Eqs 32-35 hold away from it")
    up_edge = float(rd.upper_boundary(beta, q))
    rows = [ck.close(f"{label}: measured |V_c| above vs Eqs 32-33", abs(float(v_up)), abs(up),
                     rtol=0.1, source="theory", cite=cite,
                     off=near.format(BOUNDARY_MARGIN, "D+/C+", up_edge)
                     if abs(rho - up_edge) < BOUNDARY_MARGIN else "")]
    if not np.isfinite(v_low):
        return rows
    low_edge = float(rd.lower_boundary(beta, q))
    what_low = f"{label}: measured |V_c| below vs Eqs 34-35"
    if np.isfinite(low_edge) and abs(rho - low_edge) < BOUNDARY_MARGIN:
        return [*rows, ck.close(what_low, abs(float(v_low)), abs(low), rtol=0.1, source="theory",
                                cite=cite, off=near.format(BOUNDARY_MARGIN, "D−/C−", low_edge))]
    regime_low = str(rd.regime(rho, beta, q)[1])
    accurate, depth, width = eq35_accurate(attrs)
    if regime_low != "D-" or accurate:
        return [*rows, ck.close(what_low, abs(float(v_low)), abs(low), rtol=0.1, source="theory",
                                cite=cite)]
    caveat = (f"D−: 𝒥's excursions below D− (Δ𝒥²/2d = {depth:.3g}) are not small against the "
              f"corridor width (1 − q)A = {width:g}, where the paper says Eq 35 is less accurate")
    if wide is None or not reference_key:
        return [*rows, ck.close(what_low, abs(float(v_low)), abs(low), rtol=0.1, source="theory",
                                cite=cite, off=caveat)]
    # the paper's own panel (Appendix 1—figure 1B) and its wide twin
    off = ck.off_setting(attrs, {"q": 0.5})  # the panel's setting [NS: q]
    v_wide = abs(float(rd.corridor_speed(rho, wide.attrs["dP"], wide.attrs["dJ"], q)[1]))
    err = abs(abs(low) / abs(float(v_low)) - 1)
    err_wide = abs(abs(float(wide.speed_below)) / v_wide - 1)
    se = np.hypot(mean_se_of(sub.speed_below_g) / abs(float(v_low)), mean_se_of(wide.speed_below_g) / v_wide)
    ratio = width / attrs["dJ"]
    ratio_wide = width / wide.attrs["dJ"]
    return [*rows, claim("bouvier2018.app1.eq35_inaccurate").holds(
        err - err_wide > 3 * se,
        got=f"Eq 35 misses the measured D− speed by {err:.1%} with (1 − q)A = {ratio:g} Δ𝒥, by "
            f"{err_wide:.1%} with (1 − q)A = {ratio_wide:g} Δ𝒥 (s.e. of the difference {se:.1%})",
        what=f"{label}: Eq 35 is less accurate for D− when the corridor width is not much greater "
             "than ΔP and Δ𝒥 (error here exceeds the wide-corridor error by > 3 s.e.)", off=off),
        claim(reference_key).check(abs(low), rtol=0.1, off=off,
                                   what=f"{label}: measured |V_c| below vs the reference simulation")]


def geometry_rows(label: str, attrs: dict, sub: xr.Dataset, legend_key: str | None = None,
                   on_setting: bool = False) -> list[ck.Check]:
    """The mean path of the corridor runs against the lines of Fig 9B: its slope d𝒥/dP in each
    window is the lines' q ± 1 (or, below the target in the excluded domain β < (1 − q)ρ, the
    slope −β/ρ of Eq 27's drift), and it lies within half a corridor of the line the regime names.
    The regime comes from the paper's legend (``legend_key``, at its setting: a ``paper`` row) or
    else from the drifts (`drift_regime`, written apart from the code under test)."""
    rho, dP, dJ, q = (attrs[k] for k in ("rho", "dP", "dJ", "q"))
    legend = claim(legend_key) if legend_key and on_setting else None
    regime = (tuple(legend.value.split("/")) if legend else
              tuple(str(x) for x in drift_regime(rho, dJ / dP, q)))
    rows = []
    for k, side in enumerate(("above", "below")):
        lo, hi = window(side, attrs["R"])
        escape = side == "below" and regime[1] == "C+"
        slope = -dJ / (rho * dP) if escape else q + (1 if side == "above" else -1)
        # the centre of 𝒥's oscillation about the line is set to within half a Δ𝒥 step and may
        # move by that much across the window: an allowance Δ𝒥/2 over the window's width in P
        tol = 3 * mean_se_of(sub[f"slope_{side}_g"]) + dJ / 2 / (hi - lo)
        rows.append(ck.close(
            f"{label}: slope d𝒥/dP of the mean path {side} the target vs "
            + ("Eq 27's drift −β/ρ (no lower corridor)" if escape else
               f"the lines {'C+/D+' if side == 'above' else 'C−/D−'}: q {'+' if k == 0 else '−'} 1"),
            slope, float(sub[f"slope_{side}"]), atol=tol, source="theory",
            cite="Bouvier 2018 Appendix 1 Eq 27" if escape else
                 "Bouvier 2018 Fig 9B; Appendix 1 (C±: 𝒥 = (q ± 1)(P + A) ∓ R, D±: 𝒥 = (q ± 1)P ∓ R)"))
        if escape:
            continue
        line = regime[k]
        target = 0.0 if line.startswith("D") else 1.0
        got = float(sub[f"offset_{side}"])
        what = (f"{label}: mean path {side} the target follows {REGIME_TEXT[line]} (offset across "
                f"the corridor, 0 on D, 1 on C: within 1/2 of {target:g})")
        if legend:
            rows.append(legend.holds(abs(got - target) < 0.5, expected=REGIME_TEXT[line],
                                     got=f"offset {got:.3f}", what=what))
        else:
            rows.append(ck.within(what, target - 0.5, target + 0.5, got, source="theory",
                                  cite="Bouvier 2018 Appendix 1 Eq 31 (drift in the corridors)"))
    return rows


def final_rows(label: str, attrs: dict, sub: xr.Dataset, sides=("above", "below"),
                with_J: bool = True) -> list[ck.Check]:
    """Seed-mean P (and 𝒥) over the last 20 % of trials against the fixed point C+ ∩ D−. The
    tolerance: half a step of the lattice the variable lives on (P moves in steps of ΔP, so its
    mean sits at the lattice point next to the fixed point, up to ΔP/2 away) plus 3 s.e. of the
    seed-group means."""
    P_fix, J_fix = (float(x) for x in rd.fixed_point(attrs["A"], attrs["q"], attrs["R"]))
    cite = "Bouvier 2018 Appendix 1, Phase 3: C+ ∩ D−"
    rows = []
    for side in sides:
        rows.append(ck.close(f"{label}final mean P ({side}) = fixed point R − A(q+1)/2", P_fix,
                             float(sub.final_P.sel(side=side)), source="theory", cite=cite,
                             atol=attrs["dP"] / 2 + 3 * mean_se_of(sub.final_P_g.sel(side=side))))
    if with_J:
        for side in sides:
            rows.append(ck.close(f"{label}final mean 𝒥 ({side}) = fixed point qR + (1 − q²)A/2",
                                 J_fix, float(sub.final_J.sel(side=side)), source="theory",
                                 cite=cite,
                                 atol=attrs["dJ"] / 2 + 3 * mean_se_of(sub.final_J_g.sel(side=side))))
    return rows


def tie_row(ds: xr.Dataset, attrs: dict, label: str = "") -> ck.Check:
    n = int(ds.tie_states.sum()) + tie_count(ds.P, ds.J, attrs["A"], attrs["q"], attrs["R"])
    return ck.equal(f"{label}states at a tie ℰ = ℐ, where Eqs 19-26 leave the update unstated "
                    "(trajectories and corridor runs)", 0, n, source="invariant",
                    cite="Bouvier 2018 Appendix 1 Eqs 19-26 (> and < only)")


def time_panel(ax, ds: xr.Dataset, a: dict) -> None:
    """P(τ) of every start, the fixed point, and the predicted corridor slopes (dashed)."""
    for p in ds.P.values:
        ax.plot(ds.trial, p, lw=0.8)
    v_up, v_low = rd.corridor_speed(a["rho"], a["dP"], a["dJ"], a["q"])
    P_fix = rd.fixed_point(a["A"], a["q"], a["R"])[0]
    t = ds.trial.values
    for v, start in ((v_up, ds.P.values.max()), (v_low, ds.P.values[:, 0].min())):
        if np.isfinite(v):
            line = start + float(v) * t
            keep = (line >= P_fix) if v < 0 else (line <= P_fix)
            ax.plot(t[keep], line[keep], "k--", lw=1)
    ax.axhline(P_fix, color="0.5", ls=":", label="fixed point")
    ax.set(xlabel="trial τ [trial]", ylabel="P [Hz]", title="P(τ); dashed: Eqs 32-35")
    ax.legend(fontsize=8)
