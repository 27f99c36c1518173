"""``reduced``: one run of the reduced (P, 𝒥) model, replayed against Eqs 16-26."""

from __future__ import annotations

import numpy as np
import xarray as xr

from cerebellar.core import checks as ck
from cerebellar.core.plotting import figure
from cerebellar.core.registry import Experiment, register
from cerebellar.models import reduced as rd
from cerebellar.models.reduced.params import ReducedParams
from cerebellar.studies.corridor_runs import PAPER, batch_se, plot_plane


def run_reduced(params: ReducedParams, rng: np.random.Generator) -> xr.Dataset:
    return rd.simulate(params, rng, record_perturbations=True)


def checks_reduced(ds: xr.Dataset) -> list[ck.Check]:
    """Replays Eqs 16-26 on the recorded trajectory and perturbation flags, written out here
    independently of `reduced.step`; the fixed point where the run is long enough."""
    A, dP, dJ, q, R, rho = (ds.attrs[k] for k in ("A", "dP", "dJ", "q", "R", "rho"))
    P, J, pert = ds.P.values, ds.J.values, ds.perturbed.values[:-1]
    shift = np.where(pert, A, 0.0)
    error = np.abs(P[:-1] + shift - R)
    estimate = np.maximum(J[:-1] - q * (P[:-1] + shift), 0.0)
    ecs = error > estimate
    expect_P = np.where(pert, np.where(ecs, np.maximum(P[:-1] - dP, 0.0), P[:-1] + dP), P[:-1])
    expect_J = np.where(ecs, J[:-1] + dJ, np.maximum(J[:-1] - dJ, 0.0))
    ties = int(np.count_nonzero(np.abs(error - estimate) <= 1e-9 * max(1.0, abs(R), P.max())))
    n = max(pert.size, 1)
    P_fix = float(rd.fixed_point(A, q, R)[0])
    speed = abs(float(np.nanmax(np.abs(rd.corridor_speed(rho, dP, dJ, q))))) if dP > 0 else 0.0
    reach = abs(ds.attrs["P0"] - P_fix) / speed if speed > 0 else np.inf
    tail = P[-max(P.size // 5, 1):]
    # P lives on the lattice P0 + kΔP, so its time-mean settles at the lattice point next to the
    # fixed point (up to ΔP/2 away); add 3 standard errors of the time-mean (batch means). The
    # fixed points of q = 0 and q = 0.5 are A/4 apart: this tells them apart.
    se = batch_se(tail)
    why = ("" if q < 1 and all(rd.entry_conditions(A, dP, dJ, q)) and 0 < rho < 1
           and reach < 0.6 * P.size and np.isfinite(se) else
           "no fixed point or run too short: needs q < 1, Eqs 29-30, 0 < ρ < 1, "
           "|P0 − P*|/|V_c| < 0.6 of the trials and ≥ 10 trials in the last 20 %")
    return [
        ck.at_most("every P step follows Eqs 19, 21 (max deviation)", 1e-9,
                   float(np.abs(P[1:] - expect_P).max(initial=0.0)), source="invariant",
                   cite="Bouvier 2018 Appendix 1 Eqs 16-22, replayed independently"),
        ck.at_most("every 𝒥 step follows Eqs 20, 22, 24, 26 (max deviation)", 1e-9,
                   float(np.abs(J[1:] - expect_J).max(initial=0.0)), source="invariant",
                   cite="Bouvier 2018 Appendix 1 Eqs 16-26, replayed independently"),
        ck.equal("trials at a tie ℰ = ℐ, where Eqs 19-26 leave the update unstated (a tie is no "
                 "eCS here [NS]; with R and P0 off the ΔP lattice none should occur)", 0, ties,
                 source="invariant", cite="Bouvier 2018 Appendix 1 Eqs 19-26 (> and < only)"),
        ck.close("fraction of perturbed trials vs ρ (5 binomial s.e.)", rho, float(pert.mean()),
                 atol=5 * np.sqrt(rho * (1 - rho) / n) + 1e-12, source="invariant"),
        ck.close("mean P over the last 20 % of trials vs the fixed point R − A(1+q)/2 "
                 "(tolerance ΔP/2 + 3 s.e.)", P_fix, float(tail.mean()),
                 atol=dP / 2 + 3 * (se if np.isfinite(se) else 0.0), source="theory",
                 cite="Bouvier 2018 Appendix 1, Phase 3 (C+ ∩ D−)", off=why),
    ]


def plot_reduced(ds: xr.Dataset):
    fig, ax = figure(1, 2, title=f"Reduced model, ρ = {ds.attrs['rho']:g}, q = {ds.attrs['q']:g}")
    plot_plane(ax[0, 0], ds.P.values[None], ds.J.values[None], ds.attrs)
    ax[0, 1].plot(ds.trial, ds.P, label="P")
    ax[0, 1].axhline(ds.attrs["R"], color="k", ls=":", label="R")
    ax[0, 1].set(xlabel="trial τ [trial]", ylabel="P [Hz]", title="P(τ)")
    ax[0, 1].legend()
    return fig


register(Experiment(
    name="reduced", reproduces=f"{PAPER}, Appendix 1 Eqs 16-26: free run of the reduced (P, 𝒥) model",
    params=ReducedParams, run=run_reduced, plot=plot_reduced, checks=checks_reduced))
