"""Closed forms of the perceptron (Bouvier et al. 2018, Appendix 1): SGDEGE's error floor,
the capacity window of a finite network, single-pattern learning times."""

from __future__ import annotations

import numpy as np
import xarray as xr

from cerebellar.models.perceptron.capacity import capacity
from cerebellar.models.perceptron.params import MODEL, PerceptronParams
from cerebellar.rules import rule_of


def floor(A: float, q: float) -> float:
    """SGDEGE precision A(1 + q)/2 (Appendix 1 Phase 3, the fixed point of C+ and D−; Fig 10D
    legend)."""
    return A * (1 + q) / 2


def floor_slack(dP: float) -> float:
    """ΔP/4: how far the mean |P − R| at SGDEGE's fixed point may sit from A(1 + q)/2. P moves in
    steps of ΔP, so where a pattern settles depends on its target's place on that lattice: the
    reduced model (Appendix 1 Eqs 18-26) at the Fig 10 steps gives a single pattern's mean |P − R|
    up to ~ΔP/2 from A(1 + q)/2, and, averaged over the target's place on the lattice (many
    patterns), within ΔP/4 of it for q = 0-0.75."""
    return dP / 4


def capacity_window(attrs) -> tuple[float, float, float]:
    """(α_c, α_c − 1/√N_M, α_c + 1/√N_M): the replica capacity and the loads that hold the
    capacity of almost every finite instance. An instance's own capacity (the largest load at
    which an exact solution exists, linear programming) spreads around α_c with a standard
    deviation of about 0.5/√N_M (``bouvier2018-capacity`` measures it), so ±1/√N_M is ±2 of
    them: the finite-size window."""
    a_c = capacity(attrs["f"], attrs["gamma"])
    w = 1 / np.sqrt(attrs["N_M"])
    return a_c, a_c - w, a_c + w


def predicted_half_time(run: xr.Dataset, p: PerceptronParams) -> tuple[float, float]:
    """(level, trial): the level halfway from the initial mean error to the rule's floor, and when
    single-pattern theory brings the mean error there from the run's own initial errors.

    SGDEGE: every pattern moves at ρΔP per trial until its floor A(1+q)/2 (the reduced model,
    Appendix 1 Eqs 32-35 at the Fig 10 point: D±). Delta rule (Eq 42): every active weight moves
    by −α(P − R), f N_M of them, each moving P by 1/√N_M, so each pattern's error shrinks by the
    factor 1 − α f √N_M per trial towards 0, whatever its size. Other rules: (level, NaN)."""
    e0 = np.abs(run.P_traj.isel(trial=0) - run.R).values
    if p.rule == "delta":
        level = e0.mean() / 2
        kappa = rule_of(p, MODEL, "delta").settings.alpha * p.f * np.sqrt(p.N_M)
        if not 0 < kappa < 1:
            return float(level), np.nan
        return float(level), float(np.log(2) / -np.log1p(-kappa))
    fl = floor(p.A, p.q)
    level = (e0.mean() + fl) / 2
    speed = p.rho * p.dP
    if p.rule != "sgdege" or speed <= 0 or not np.isfinite(level):
        return level, np.nan
    t = np.arange(0, int(e0.max() / speed) + 2)
    pred = np.maximum(e0[None, :] - speed * t[:, None], fl).mean(axis=1)
    return float(level), float(t[np.argmax(pred <= level)])
