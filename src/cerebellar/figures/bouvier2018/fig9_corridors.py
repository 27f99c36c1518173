"""``bouvier2018-fig9`` and ``bouvier2018-appendix1``: corridors, their lines (Fig 9B), corridor
speeds (Eqs 32-35), entry (Eqs 29-30) and the fixed point."""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from cerebellar.core import checks as ck
from cerebellar.core.plotting import figure, panel_letter
from cerebellar.core.registry import Experiment, register
from cerebellar.figures.bouvier2018._reduced import (
    PAPER,
    CorridorParams,
    _plane,
    batch_se,
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
from cerebellar.papers import claim
from cerebellar.sgdege import reduced as rd

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


def _geometry(P: xr.DataArray, J: xr.DataArray, R: float, A, q: float) -> dict[str, xr.DataArray]:
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


def _panel_dataset(params: CorridorParams, rng: np.random.Generator, panels: dict | None) -> xr.Dataset:
    """Trajectories from :func:`trajectory_starts` and corridor runs, for one or several panels:
    the corridor runs' speeds, path geometry and final means, each for the mean over all seeds
    and for the means of seed groups (``*_g``, :func:`group_means`, for standard errors)."""
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
    geo = _geometry(runs.P.mean("seed"), runs.J.mean("seed"), params.R, A, params.q)
    geo_g = _geometry(Pg, Jg, params.R, A, params.q)
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


def run_fig9(params: CorridorParams, rng: np.random.Generator) -> xr.Dataset:
    return _panel_dataset(params, rng, None)


BOUNDARY_MARGIN = 0.05


"""Corridor-speed rows are n/a for ρ this close to a regime boundary (as Fig 9C's comparison
leaves out the cells next to a boundary)."""


def _se(da: xr.DataArray) -> float:
    """Standard error of a mean over equal seed groups (:func:`group_means`), from the groups'
    spread; 0 where fewer than two groups give a finite value (the tolerance then has no
    statistical part)."""
    x = np.asarray(da, float)
    x = x[np.isfinite(x)]
    return float(x.std(ddof=1) / np.sqrt(x.size)) if x.size > 1 else 0.0


def _eq35_accurate(attrs: dict) -> tuple[bool, float, float]:
    """Whether Eq 35's D− speed is expected to hold: 𝒥's excursions below D−
    (:func:`reduced.d_minus_excursion`) small against the corridor width (1 − q)A."""
    depth = float(rd.d_minus_excursion(attrs["rho"], attrs["dP"], attrs["dJ"], attrs["q"]))
    width = (1 - attrs["q"]) * attrs["A"]
    return depth < width / 2, depth, width


def _speed_rows(label: str, attrs: dict, sub: xr.Dataset, wide: xr.Dataset | None = None,
                reference_key: str | None = None) -> list[ck.Check]:
    """Measured corridor speeds against Eqs 32-35 at the panel's parameters (rel. 10 %: the
    equations neglect the oscillation about the line, Appendix 1 Phase 2). Where Eq 35's D− speed
    cannot be trusted (𝒥's excursions below D− reach towards C−, :func:`reduced.d_minus_excursion`,
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
    accurate, depth, width = _eq35_accurate(attrs)
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
    se = np.hypot(_se(sub.speed_below_g) / abs(float(v_low)), _se(wide.speed_below_g) / v_wide)
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


def _geometry_rows(label: str, attrs: dict, sub: xr.Dataset, legend_key: str | None = None,
                   on_setting: bool = False) -> list[ck.Check]:
    """The mean path of the corridor runs against the lines of Fig 9B: its slope d𝒥/dP in each
    window is the lines' q ± 1 (or, below the target in the excluded domain β < (1 − q)ρ, the
    slope −β/ρ of Eq 27's drift), and it lies within half a corridor of the line the regime names.
    The regime comes from the paper's legend (``legend_key``, at its setting: a ``paper`` row) or
    else from the drifts (:func:`drift_regime`, written apart from the code under test)."""
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
        tol = 3 * _se(sub[f"slope_{side}_g"]) + dJ / 2 / (hi - lo)
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


def _final_rows(label: str, attrs: dict, sub: xr.Dataset, sides=("above", "below"),
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
                             atol=attrs["dP"] / 2 + 3 * _se(sub.final_P_g.sel(side=side))))
    if with_J:
        for side in sides:
            rows.append(ck.close(f"{label}final mean 𝒥 ({side}) = fixed point qR + (1 − q²)A/2",
                                 J_fix, float(sub.final_J.sel(side=side)), source="theory",
                                 cite=cite,
                                 atol=attrs["dJ"] / 2 + 3 * _se(sub.final_J_g.sel(side=side))))
    return rows


def _trajectory_rows(ds: xr.Dataset) -> list[ck.Check]:
    """The phase-plane trajectories of Fig 9E,F: entry into the corridors (Eqs 29-30), the size
    of one update across each corridor, and where they all end (the Fig 9F legend)."""
    a = ds.attrs
    A, dP, dJ, q, R = (a[k] for k in ("A", "dP", "dJ", "q", "R"))
    P, J = ds.P.values, ds.J.values
    eq29, eq30 = (bool(x) for x in rd.entry_conditions(A, dP, dJ, q))
    # Eq 29: an update moves the point across the upper corridor (horizontally, between D+ and
    # C+, which lie A apart in P) by |ΔP_step − Δ𝒥_step/(1 + q)|; Eq 30: across the lower one
    # (vertically, (1 − q)A between D− and C−) by |Δ𝒥_step + (1 − q)ΔP_step|
    x = P - (J + R) / (1 + q)
    y = J - (R - (1 - q) * P)
    move_up = float(np.abs(np.diff(x, axis=-1)).max())
    move_low = float(np.abs(np.diff(y, axis=-1)).max())
    scale = 1e-9 * max(1.0, float(np.abs(P).max()), float(np.abs(J).max()))
    inside = (((x >= -A) & (x <= 0) & (P >= R)) | ((y >= -(1 - q) * A) & (y <= 0) & (P <= R)))
    entered = inside.any(axis=-1)
    first = np.where(entered, inside.argmax(axis=-1), -1)
    cite29 = "Bouvier 2018 Appendix 1 Eqs 29-30 (sufficient conditions for entering a corridor)"
    rows = [
        ck.close(f"Eq 29: largest one-update move across the upper corridor, measured on the "
                 f"trajectories = Δ𝒥/(q + 1) + ΔP (< A = {A:g}: no update jumps it)",
                 dJ / (q + 1) + dP, move_up, atol=scale, source="theory", cite=cite29),
        ck.close(f"Eq 30: largest one-update move across the lower corridor (in 𝒥, relative to "
                 f"D−), measured = Δ𝒥 (< (1 − q)A = {(1 - q) * A:g}: no update jumps it)",
                 dJ, move_low, atol=scale, source="theory", cite=cite29),
        ck.holds("every trajectory enters a corridor (C+/D+ above the target or C−/D− below it)",
                 bool(entered.all()), got=f"{int(entered.sum())} of {entered.size} entered, the "
                 f"last at trial {int(first.max())}", source="theory", cite=cite29,
                 off="" if eq29 and eq30 and 0 < a["rho"] < 1 else
                 "Eqs 29-30 or 0 < ρ < 1 do not hold at this run's parameters: entry is not "
                 "guaranteed"),
    ]
    # Fig 9F legend: all trajectories end up fluctuating around P = R − A(q + 1)/2
    P_fix = float(rd.fixed_point(A, q, R)[0])
    tail = P[:, -max(P.shape[-1] // 5, 1):]
    errors = R - tail.mean(axis=-1)
    worst = int(np.argmax(np.abs(errors - (R - P_fix))))
    se = batch_se(tail[worst])
    v = np.abs(np.asarray(rd.corridor_speed(a["rho"], dP, dJ, q), float))
    v = v[np.isfinite(v)]
    reach = float(np.abs(P[:, 0] - P_fix).max() / v.min()) if v.size and v.min() > 0 else np.inf
    short = ("" if q < 1 and reach < 0.6 * P.shape[-1] else
             "no fixed point (q ≥ 1) or run too short: needs max |P0 − P*|/|V_c| < 0.6 of the trials")
    setting = {k: v for k, v in CorridorParams.paper_setting().items() if k in ("A", "dP", "dJ", "q",
                                                                                 "rho")}
    off = ck.off_setting(a, setting)
    what = (f"all {P.shape[0]} trajectories end up fluctuating around P = R − A(q+1)/2: final error "
            "R − P of the farthest from it, last 20 % of trials (tolerance ΔP/2 + 3 s.e.)")
    tol = dict(atol=dP / 2 + 3 * se)   # the lattice of P (ΔP/2) and 3 batch-means s.e.
    if off:
        rows.append(ck.close(what, R - P_fix, float(errors[worst]), source="theory",
                             cite="Bouvier 2018 Appendix 1, Phase 3: C+ ∩ D−", off=short, **tol))
    else:
        rows.append(claim("bouvier2018.fig9.final_error").check(float(errors[worst]), what=what,
                                                                off=short, **tol))
    return rows


def _tie_row(ds: xr.Dataset, attrs: dict, label: str = "") -> ck.Check:
    n = int(ds.tie_states.sum()) + tie_count(ds.P, ds.J, attrs["A"], attrs["q"], attrs["R"])
    return ck.equal(f"{label}states at a tie ℰ = ℐ, where Eqs 19-26 leave the update unstated "
                    "(trajectories and corridor runs)", 0, n, source="invariant",
                    cite="Bouvier 2018 Appendix 1 Eqs 19-26 (> and < only)")


def checks_fig9(ds: xr.Dataset) -> list[ck.Check]:
    a = ds.attrs
    setting = {k: v for k, v in CorridorParams.paper_setting().items() if k in ("A", "dP", "dJ", "q",
                                                                                 "rho")}
    rows = _speed_rows("Fig 9F", a, ds)
    rows += _geometry_rows("Fig 9E", a, ds, legend_key="bouvier2018.fig9c.red_dot",
                           on_setting=not ck.off_setting(a, setting))
    rows += _final_rows("", a, ds)
    rows += _trajectory_rows(ds)
    rows.append(_tie_row(ds, a))
    return rows


def plot_fig9(ds: xr.Dataset):
    a = ds.attrs
    fig, ax = figure(1, 2, title=f"Fig 9E,F: reduced model, ρ = {a['rho']:g}, β = {a['dJ'] / a['dP']:g}, "
                                 f"A = {a['A']:g}, q = {a['q']:g}")
    _plane(ax[0, 0], ds.P.values, ds.J.values, a)
    _time_panel(ax[0, 1], ds, a)
    panel_letter(ax[0, 0], "E")
    panel_letter(ax[0, 1], "F")
    return fig


def _time_panel(ax, ds: xr.Dataset, a: dict) -> None:
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


register(Experiment(
    name="bouvier2018-fig9",
    reproduces=f"{PAPER}, Fig 9B,E,F: corridors and their lines, entry (Eqs 29-30), speeds "
               "(Eqs 32-35), fixed point",
    params=CorridorParams, run=run_fig9, plot=plot_fig9, checks=checks_fig9))


def run_appendix1(params: CorridorParams, rng: np.random.Generator) -> xr.Dataset:
    return _panel_dataset(params.replace(n_trials=max(params.n_trials, 2500)), rng, APPENDIX_PANELS)


def _panel_attrs(ds: xr.Dataset, name: str) -> dict:
    return {**ds.attrs, **{k: APPENDIX_PANELS[name][k] for k in ("rho", "A", "dP", "dJ")}}


def checks_appendix1(ds: xr.Dataset) -> list[ck.Check]:
    rows = []
    on_setting = not ck.off_setting(ds.attrs, {"q": 0.5})  # the panels' q [NS], as in Fig 9C
    for name, spec in APPENDIX_PANELS.items():
        a = _panel_attrs(ds, name)
        sub = ds.sel(panel=name).assign_attrs(a)
        wide = (ds.sel(panel=spec["wide"]).assign_attrs(_panel_attrs(ds, spec["wide"]))
                if "wide" in spec else None)
        rows += _speed_rows(f"App. 1 {name}", a, sub, wide, spec.get("reference_key"))
        rows += _geometry_rows(f"App. 1 {name}", a, sub, spec.get("legend_key"), on_setting)
        rows += _final_rows(f"App. 1 {name}: ", a, sub, sides=("above",), with_J=False)
    ef = ds.sel(panel="EF")
    rows.append(claim("bouvier2018.app1.only_C_plus").holds(
        float(ef.P_mean.sel(side="below").max()) > ds.attrs["R"],
        got=f"runs started below R reach P = {float(ef.P_mean.sel(side='below').max()):.1f} "
            f"(R = {ds.attrs['R']:g}), ending at {float(ef.final_P.sel(side='below')):.1f}",
        what="App. 1 EF (β < (1 − q)ρ): runs started below the target cross D− into the upper "
             "corridor (C+ is the only attractive line)"))
    rows.append(_tie_row(ds, {**ds.attrs, "A": xr.DataArray(
        [APPENDIX_PANELS[n]["A"] for n in ds.panel.values], dims="panel",
        coords={"panel": ds.panel.values})}, "App. 1: "))
    return rows


def plot_appendix1(ds: xr.Dataset):
    names = [n for n in APPENDIX_PANELS if n != "AB-wide"]
    fig, ax = figure(2, 3, title="Appendix 1—figure 1: regimes of the reduced model (q = "
                                 f"{ds.attrs['q']:g})")
    for col, name in enumerate(names):
        a = _panel_attrs(ds, name)
        sub = ds.sel(panel=name)
        _plane(ax[0, col], sub.P.values, sub.J.values, a)
        _time_panel(ax[1, col], sub, a)
        ax[0, col].set_title(f"ρ = {a['rho']:g}, β = {a['dJ'] / a['dP']:g}, A = {a['A']:g}")
        panel_letter(ax[0, col], "ACE"[col])
        panel_letter(ax[1, col], "BDF"[col])
    return fig


register(Experiment(
    name="bouvier2018-appendix1",
    reproduces=f"{PAPER}, Appendix 1—figure 1 A-F: C+/C−/D+/D− regimes and their speeds",
    params=CorridorParams, run=run_appendix1, plot=plot_appendix1, checks=checks_appendix1))

