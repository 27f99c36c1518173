"""``coenen1993-dark``: learning in the dark when P ≠ 0, with and without gating by vision (paper §6)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import xarray as xr

from cerebellar.core import checks as ck
from cerebellar.core.params import Params, param, same_as
from cerebellar.core.plotting import figure
from cerebellar.core.registry import Experiment, register
from cerebellar.figures.coenen1993.common import PAPER, attr_values, shade_dark, value_at
from cerebellar.models.vor import theory as an
from cerebellar.models.vor.params import VORParams
from cerebellar.models.vor.simulate import simulate
from cerebellar.papers import claim

DARK_Q = (0.0, 0.01, 0.1, 1.0)


@dataclass(frozen=True)
class DarkParams(Params):
    """Gain-up in the light (Fig 4 parameters), then the lights go out (paper §6)."""

    g: float = same_as(VORParams, "g", doc="desired gain in the light phase")
    b: float = same_as(VORParams, "b")
    v: float = same_as(VORParams, "v")
    eta_A: float = same_as(VORParams, "eta_A")
    eta_D: float = same_as(VORParams, "eta_D")
    q_light: float = param(0.01, low=0, high=1, doc="q during the light phase")
    light_cycles: int = param(100, low=1, high=10_000_000, units="cycle",
                              doc="cycles in the light before the dark")
    dark_cycles: int = param(2000, low=1, high=10_000_000, units="cycle", doc="cycles in the dark")

    FULL: ClassVar[dict[str, Any]] = {"dark_cycles": 5000}
    SCALE: ClassVar[tuple[str, ...]] = ("dark_cycles",)
    STEP_PARAMS: ClassVar[tuple[str, ...]] = ("eta_A", "eta_D")
    NOT_STATED: ClassVar[dict[str, str]] = {
        "q": "dark learning is shown for q in (0, 0.01, 0.1, 1), all after the same light phase "
             "(q_light) so that they start from the same state"}

    def memory_bytes(self) -> tuple[int, tuple[str, ...]]:
        """The dark runs (every q, gated or not) in one `simulate` call, then joined to the light
        phase: twice their records."""
        runs = 2 * len(DARK_Q)
        need = VORParams(n_cycles=self.light_cycles + self.dark_cycles).memory_bytes(runs)[0]
        return 2 * need, ("light_cycles", "dark_cycles")


def run_dark(params: DarkParams, rng: np.random.Generator) -> xr.Dataset:
    """Light phase, then the dark with q ∈ `DARK_Q`, with and without gating by vision."""
    P = params
    base = VORParams(g=P.g, b=P.b, v=P.v, q=P.q_light, eta_A=P.eta_A, eta_D=P.eta_D,
                     n_cycles=P.light_cycles, A0=P.b, D0=1.0)
    lit = simulate(base, rng)
    A_l, D_l = float(lit.A[-1]), float(lit.D[-1])
    dark = simulate(base.replace(A0=A_l, D0=D_l, n_cycles=P.dark_cycles, light_cycles=0,
                                 dark_cycles=P.dark_cycles), rng,
                    q=np.array(DARK_Q), gate_nucleus=np.array([False, True]))
    lit_b = lit.drop_vars([k for k in lit.data_vars if "cycle" not in lit[k].dims]).isel(
        cycle=slice(0, -1)).expand_dims(q=dark.q, gate_nucleus=dark.gate_nucleus)
    series = [k for k in dark.data_vars if "cycle" in dark[k].dims and k != "light"]
    joined = xr.concat([lit_b[series], dark[series].assign_coords(cycle=dark.cycle + P.light_cycles)],
                       dim="cycle")
    joined["light"] = ("cycle", np.r_[np.ones(P.light_cycles, bool),
                                      np.zeros(P.dark_cycles + 1, bool)])
    joined["dark_start"] = xr.DataArray(P.light_cycles, attrs=dict(units="cycle"))
    return joined.transpose("q", "gate_nucleus", "cycle")


def checks_dark(ds: xr.Dataset) -> list[ck.Check]:
    """Theory of the dark dynamics at the run's parameters, the reference run's numbers, and
    Coenen §6 (learning in the dark when P ≠ 0; gating by vision as the remedy)."""
    b, eD = attr_values(ds, "b", "eta_D")
    t0 = int(ds.dark_start)
    off = ck.off_setting(ds.attrs, DarkParams.paper_setting())
    open_ = ds.sel(gate_nucleus=False)
    gated = ds.sel(gate_nucleus=True)
    in_dark = ds.sel(cycle=slice(t0, None))
    growth = open_.sel(q=0.01, cycle=slice(t0, None))
    x = growth.D - growth.A / b
    factor = x.isel(cycle=slice(1, None)).values / x.isel(cycle=slice(0, -1)).values
    cite = "Coenen 1993 §6 and Fig 3 rules with v = 0 and silent climbing fibres"
    G0 = value_at(open_, "G", t0, q=0.01)
    n = int(ds.cycle[-1])
    return [
        ck.at_most("ΔA = 0 in the dark, every case", 0.0, float(abs(in_dark.A.diff("cycle")).max()),
                   source="theory", cite=cite),
        ck.at_most("q = 0: G constant in the dark", 1e-12,
                   float(abs(in_dark.G.sel(q=0.0) - in_dark.G.sel(q=0.0).isel(cycle=0)).max()),
                   source="theory", cite=cite),
        ck.close("q = .01: per-cycle growth of D − A/b = 1 + η_D q b/(1 − b)",
                 float(an.dark_growth_factor(b, 0.01, eD)), float(np.mean(factor)), rtol=1e-12,
                 source="theory", cite=cite),
        ck.at_most("q = .01: spread of that factor over the dark (exactly constant)", 1e-12,
                   float(np.ptp(factor)), source="theory", cite=cite),
        claim("coenen1993.dark.learns_in_dark").holds(
            abs(value_at(open_, "G", n, q=0.01) - G0) > 0.01
            and abs(value_at(open_, "P_dark", t0, q=0.01)) > 0.01,
            got=f"P = {value_at(open_, 'P_dark', t0, q=0.01):.3f} at the dark start; q = .01: G "
                f"{G0:.3f} → {value_at(open_, 'G', n, q=0.01):.3f}", off=off),
        claim("coenen1993.dark.gating").holds(
            float(abs(gated.G.sel(cycle=slice(t0, None)) - gated.G.sel(cycle=t0)).max()) <= 1e-12,
            got="G constant in the dark for every q when gated", off=off),
        claim("coenen1993.dark.A_100").check(value_at(open_, "A", t0, q=0.0), atol=6e-5, off=off),
        claim("coenen1993.dark.D_100").check(value_at(open_, "D", t0, q=0.0), atol=6e-5, off=off),
        claim("coenen1993.dark.G_500").check(value_at(open_, "G", t0 + 500, q=0.01), atol=6e-4, off=off),
        claim("coenen1993.dark.G_1000").check(value_at(open_, "G", t0 + 1000, q=0.01), atol=6e-4, off=off),
    ]


def plot_dark(ds: xr.Dataset):
    t0 = int(ds.dark_start)
    fig, ax = figure(1, 2, title="Learning in the dark after partial gain-up (Coenen 1993 §6)")
    for q in ds.q.values:
        line, = ax[0, 0].plot(ds.cycle, ds.G.sel(q=q, gate_nucleus=False), label=f"q = {q:g}")
        ax[0, 0].plot(ds.cycle, ds.G.sel(q=q, gate_nucleus=True), ls="--", color=line.get_color())
        if q <= 0.01:
            ax[0, 1].plot(ds.cycle, ds.G.sel(q=q, gate_nucleus=False), color=line.get_color(),
                          label=f"q = {q:g}")
            ax[0, 1].plot(ds.cycle, ds.G.sel(q=q, gate_nucleus=True), ls="--",
                          color=line.get_color())
    ref = [claim(f"coenen1993.dark.G_{t}").value for t in (500, 1000)]
    ax[0, 1].plot([t0 + 500, t0 + 1000], ref, "kx", ms=8, label="reference run, q = .01")
    ax[0, 0].plot([], [], "k--", label="gated by vision")
    ax[0, 0].set(yscale="log", xlabel="time [cycle]", ylabel="VOR gain G [dimensionless]",
             title="VOR gain G (log scale)")
    ax[0, 1].set(xlabel="time [cycle]", ylabel="VOR gain G [dimensionless]", title="zoom: q ≤ 0.01")
    for a in ax[0]:
        shade_dark(a, ds.isel(q=0, gate_nucleus=0))
        a.legend(fontsize=8)
    return fig


register(Experiment(
    name="coenen1993-dark",
    reproduces=f"{PAPER}, §6: learning in the dark when P ≠ 0, with and without gating by vision",
    params=DarkParams, run=run_dark, plot=plot_dark, checks=checks_dark))
