"""``bouvier2018-fig9``: corridors, their lines (Fig 9B), corridor speeds (Eqs 32-35), entry
(Eqs 29-30) and the fixed point."""

from __future__ import annotations

import numpy as np
import xarray as xr

from cerebellar.core import checks as ck
from cerebellar.core.plotting import figure, panel_letter
from cerebellar.core.registry import Experiment, register
from cerebellar.models import reduced as rd
from cerebellar.papers import claim
from cerebellar.studies.corridor_rows import (
    final_rows,
    geometry_rows,
    panel_dataset,
    speed_rows,
    tie_row,
    time_panel,
)
from cerebellar.studies.corridor_runs import (
    PAPER,
    CorridorParams,
    batch_se,
    plot_plane,
)


def run_fig9(params: CorridorParams, rng: np.random.Generator) -> xr.Dataset:
    return panel_dataset(params, rng, None)


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


def checks_fig9(ds: xr.Dataset) -> list[ck.Check]:
    a = ds.attrs
    setting = {k: v for k, v in CorridorParams.paper_setting().items() if k in ("A", "dP", "dJ", "q",
                                                                                 "rho")}
    rows = speed_rows("Fig 9F", a, ds)
    rows += geometry_rows("Fig 9E", a, ds, legend_key="bouvier2018.fig9c.red_dot",
                           on_setting=not ck.off_setting(a, setting))
    rows += final_rows("", a, ds)
    rows += _trajectory_rows(ds)
    rows.append(tie_row(ds, a))
    return rows


def plot_fig9(ds: xr.Dataset):
    a = ds.attrs
    fig, ax = figure(1, 2, title=f"Fig 9E,F: reduced model, ρ = {a['rho']:g}, β = {a['dJ'] / a['dP']:g}, "
                                 f"A = {a['A']:g}, q = {a['q']:g}")
    plot_plane(ax[0, 0], ds.P.values, ds.J.values, a)
    time_panel(ax[0, 1], ds, a)
    panel_letter(ax[0, 0], "E")
    panel_letter(ax[0, 1], "F")
    return fig


register(Experiment(
    name="bouvier2018-fig9",
    reproduces=f"{PAPER}, Fig 9B,E,F: corridors and their lines, entry (Eqs 29-30), speeds "
               "(Eqs 32-35), fixed point",
    params=CorridorParams, run=run_fig9, plot=plot_fig9, checks=checks_fig9))
