"""``bouvier2018-fig9`` and ``bouvier2018-appendix1``: corridors, corridor speeds (Eqs 32-35) and
the fixed point."""

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
    corridor_runs,
    measured_speeds,
    trajectory_starts,
)
from cerebellar.papers import claim
from cerebellar.sgdege import reduced as rd

APPENDIX_PANELS = {
    "AB": dict(rho=0.5, A=10.0, dP=1.0, dJ=2.0, reference_key="bouvier2018.app1.speed_below_AB"),
    "CD": dict(rho=0.75, A=10.0, dP=1.0, dJ=2.0),
    "EF": dict(rho=0.75, A=2.0, dP=1.0, dJ=0.25),
}


def _panel_dataset(params: CorridorParams, rng: np.random.Generator, panels: dict | None) -> xr.Dataset:
    """Trajectories from :func:`trajectory_starts` and corridor runs, for one or several panels."""
    batch: dict[str, Any] = {}
    if panels:
        for key in ("rho", "A", "dP", "dJ"):
            batch[key] = xr.DataArray([v[key] for v in panels.values()], dims="panel",
                                      coords={"panel": list(panels)})
    P0, J0 = trajectory_starts(params.R)
    start = xr.DataArray(np.arange(P0.size), dims="start")
    traj = rd.simulate(params, rng, P0=xr.DataArray(P0, dims="start"),
                       J0=xr.DataArray(J0, dims="start"), **batch)
    runs = corridor_runs(params, rng, params.n_seeds, **batch)
    up, low = measured_speeds(runs, params.R)
    tail = runs.isel(trial=slice(-max(params.n_trials // 5, 1), None))
    ds = xr.Dataset(dict(
        P=traj.P.assign_coords(start=start), J=traj.J.assign_coords(start=start),
        P_mean=runs.P.mean("seed").assign_attrs(long_name="mean P over seeds", units="Hz"),
        J_mean=runs.J.mean("seed").assign_attrs(units="Hz"),
        final_P=tail.P.mean(("seed", "trial")).assign_attrs(long_name="mean P, last 20 % of trials"),
        final_J=tail.J.mean(("seed", "trial")).assign_attrs(long_name="mean 𝒥, last 20 % of trials"),
        speed_above=up.assign_attrs(long_name="measured V_c above the target", units="Hz/trial"),
        speed_below=low.assign_attrs(long_name="measured V_c below the target", units="Hz/trial"),
    ))
    return ds


def run_fig9(params: CorridorParams, rng: np.random.Generator) -> xr.Dataset:
    return _panel_dataset(params, rng, None)


BOUNDARY_MARGIN = 0.05


"""Corridor-speed rows are n/a for ρ this close to a regime boundary (as Fig 9C's comparison
leaves out the cells next to a boundary)."""


def _speed_rows(label: str, attrs: dict, up: float, low: float,
                reference_key: str | None = None) -> list[ck.Check]:
    """Measured corridor speeds against Eqs 32-35 at the panel's parameters. Where Eq 35's D− speed
    cannot be trusted (𝒥's excursions below D− reach towards C−, :func:`reduced.d_minus_excursion`,
    the paper's own caveat), that row is n/a and a paper row checks the inaccuracy instead, with a
    reference row where an independent simulation gives the value."""
    rho, beta, q = attrs["rho"], attrs["dJ"] / attrs["dP"], attrs["q"]
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
    if np.isfinite(low_edge) and abs(rho - low_edge) < BOUNDARY_MARGIN:
        return [*rows, ck.close(f"{label}: measured |V_c| below vs Eqs 34-35", abs(float(v_low)),
                                abs(low), rtol=0.1, source="theory", cite=cite,
                                off=near.format(BOUNDARY_MARGIN, "D−/C−", low_edge))]
    regime_low = str(rd.regime(attrs["rho"], attrs["dJ"] / attrs["dP"], attrs["q"])[1])
    depth = float(rd.d_minus_excursion(attrs["rho"], attrs["dP"], attrs["dJ"], attrs["q"]))
    width = (1 - attrs["q"]) * attrs["A"]
    eq35_accurate = regime_low != "D-" or depth < width / 2
    rows.append(ck.close(f"{label}: measured |V_c| below vs Eqs 34-35", abs(float(v_low)),
                         abs(low), rtol=0.1, source="theory", cite=cite,
                         off="" if eq35_accurate else
                         f"D−: 𝒥's excursions below D− (Δ𝒥²/2d = {depth:.3g}) are not small against "
                         f"the corridor width (1 − q)A = {width:g}, where the paper says Eq 35 is "
                         "less accurate"))
    if not eq35_accurate and reference_key:  # the paper's own panel (Appendix 1—figure 1B)
        off = ck.off_setting(attrs, {"q": 0.5})  # the panel's setting [NS: q]
        rows.append(claim("bouvier2018.app1.eq35_inaccurate").holds(
            abs(abs(low) / abs(float(v_low)) - 1) > 0.1,
            got=f"measured {abs(low):.3f} vs Eq 35 {abs(float(v_low)):.3f}",
            what=f"{label}: Eq 35 misses the measured D− speed by > 10 %", off=off))
        rows.append(claim(reference_key).check(
            abs(low), what=f"{label}: measured |V_c| below vs the reference simulation",
            rtol=0.1, off=off))
    return rows


def checks_fig9(ds: xr.Dataset) -> list[ck.Check]:
    a = ds.attrs
    P_fix, J_fix = rd.fixed_point(a["A"], a["q"], a["R"])
    cite = "Bouvier 2018 Appendix 1, Phase 3: C+ ∩ D−"
    rows = _speed_rows("Fig 9F", a, float(ds.speed_above), float(ds.speed_below))
    rows += [ck.close(f"final mean P ({side}) = fixed point R − A(q+1)/2", float(P_fix),
                      float(ds.final_P.sel(side=side)), atol=0.5, source="theory", cite=cite)
             for side in ("above", "below")]
    rows += [ck.close(f"final mean 𝒥 ({side}) = fixed point qR + (1 − q²)A/2", float(J_fix),
                      float(ds.final_J.sel(side=side)), atol=a["dJ"], source="theory", cite=cite)
             for side in ("above", "below")]
    off = ck.off_setting(a, CorridorParams.paper_setting())
    rows.append(claim("bouvier2018.fig9.final_error").check(
        a["R"] - float(ds.final_P.sel(side="above")), atol=0.5, off=off,
        what="final error R − P, runs from above (A(q+1)/2 = 7.5 for A = 10, q = 0.5)"))
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
    name="bouvier2018-fig9", reproduces=f"{PAPER}, Fig 9E,F: corridors, speeds (Eqs 32-35), fixed point",
    params=CorridorParams, run=run_fig9, plot=plot_fig9, checks=checks_fig9))


def run_appendix1(params: CorridorParams, rng: np.random.Generator) -> xr.Dataset:
    return _panel_dataset(params.replace(n_trials=max(params.n_trials, 2500)), rng, APPENDIX_PANELS)


def checks_appendix1(ds: xr.Dataset) -> list[ck.Check]:
    rows = []
    for name, spec in APPENDIX_PANELS.items():
        a = {**ds.attrs, **{k: spec[k] for k in ("rho", "A", "dP", "dJ")}}
        sub = ds.sel(panel=name)
        rows += _speed_rows(f"App. 1 {name}", a, float(sub.speed_above), float(sub.speed_below),
                            spec.get("reference_key"))
        P_fix = rd.fixed_point(a["A"], a["q"], a["R"])[0]
        rows.append(ck.close(f"App. 1 {name}: final mean P (above) = fixed point R − A(q+1)/2",
                             float(P_fix), float(sub.final_P.sel(side="above")), atol=0.5,
                             source="theory", cite="Bouvier 2018 Appendix 1, Phase 3"))
    ef = ds.sel(panel="EF")
    rows.append(claim("bouvier2018.app1.only_C_plus").holds(
        float(ef.P_mean.sel(side="below").max()) > ds.attrs["R"],
        got=f"runs started below R reach P = {float(ef.P_mean.sel(side='below').max()):.1f} "
            f"(R = {ds.attrs['R']:g}), ending at {float(ef.final_P.sel(side='below')):.1f}",
        what="App. 1 EF (β < (1 − q)ρ): runs started below the target cross D− into the upper "
             "corridor (C+ is the only attractive line)"))
    return rows


def plot_appendix1(ds: xr.Dataset):
    fig, ax = figure(2, 3, title="Appendix 1—figure 1: regimes of the reduced model (q = "
                                 f"{ds.attrs['q']:g})")
    for col, name in enumerate(APPENDIX_PANELS):
        a = {**ds.attrs, **{k: APPENDIX_PANELS[name][k] for k in ("rho", "A", "dP", "dJ")}}
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
