"""``coenen1993-gain-down``: x0.5 and x2 spectacles beside the monkeys' curve, and recovery (Fig 1)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import xarray as xr

from cerebellar.core import checks as ck
from cerebellar.core.params import Params, param, same_as
from cerebellar.core.plotting import figure, panel_letter
from cerebellar.core.registry import Experiment, register
from cerebellar.figures.coenen1993.common import (
    GAIN_LABEL,
    PAPER,
    fig6_formula,
    overshoot_row,
    overshoot_sim,
    slow_limit,
    theory_rows,
    value_at,
)
from cerebellar.models.vor import theory as an
from cerebellar.models.vor.params import VORParams
from cerebellar.models.vor.simulate import simulate
from cerebellar.papers import claim


@dataclass(frozen=True)
class GainDownParams(Params):
    """x2 and x0.5 spectacles (Fig 1) and recovery, set beside the monkeys' gain-down curve."""

    g_down: float = param(0.5, low=-10, high=10, doc="desired gain with x0.5 spectacles")
    g_up: float = param(1.6, low=-10, high=10, doc="desired gain with x2 spectacles (Fig 4 value)")
    b: float = same_as(VORParams, "b")
    v: float = same_as(VORParams, "v")
    q: float = same_as(VORParams, "q")
    eta_A: float = same_as(VORParams, "eta_A")
    eta_D: float = same_as(VORParams, "eta_D")
    off_cycle: int = param(100, low=1, high=10_000_000, units="cycle",
                           doc="cycle at which the spectacles come off (early recovery case)")
    n_cycles: int = param(2000, low=200, high=10_000_000, units="cycle", doc="cycles per run")

    FULL: ClassVar[dict[str, Any]] = {"n_cycles": 60_000}
    SCALE: ClassVar[tuple[str, ...]] = ("n_cycles",)
    STEP_PARAMS: ClassVar[tuple[str, ...]] = ("eta_A", "eta_D")
    NOT_STATED: ClassVar[dict[str, str]] = {
        **VORParams.NOT_STATED,
        "time_axis": "the Fig 1 time constant is unreadable in the paper's scan, so model and monkey "
                     "curves are set side by side on time in units of each one's own time constant "
                     "(model: fast eigen-time of K̃; monkey: τ of 0.73 + 0.27 e^(−t/τ)), not fitted",
    }

    def memory_bytes(self) -> tuple[int, tuple[str, ...]]:
        """The five cases in one `simulate` call, every cycle recorded."""
        return VORParams(n_cycles=self.n_cycles).memory_bytes(len(CASES))


CASES = ("gain-up", "gain-down", "up, off early", "down, off early", "down, off adapted")


def run_gain_down(params: GainDownParams, rng: np.random.Generator) -> xr.Dataset:
    """Five runs in one vectorised call over dimension ``case`` (see `CASES`), and the
    monkey curve of Fig 1 on time in units of τ (deterministic: ``rng`` is unused)."""
    P = params
    case = dict(
        g=(P.g_up, P.g_down, P.g_up, P.g_down, 1.0),
        A0=(P.b, P.b, P.b, P.b, P.b * P.g_down),
        D0=(1.0, 1.0, 1.0, 1.0, P.g_down),
        off_cycle=(0, 0, P.off_cycle, P.off_cycle, 0),
    )
    base = VORParams(b=P.b, v=P.v, q=P.q, eta_A=P.eta_A, eta_D=P.eta_D, n_cycles=P.n_cycles)
    ds = simulate(base, rng, **{k: xr.DataArray(np.array(x), dims="case") for k, x in case.items()})
    ds = ds.assign_coords(case=list(CASES))
    _, tau = an.multipliers(P.b, P.v, P.q, P.eta_A, P.eta_D)
    ds["tau_fast"] = xr.DataArray(float(tau[0].real), attrs=dict(
        units="cycle", long_name="fast time constant of the per-cycle map"))
    x = np.linspace(0, 10, 201)
    monkey = claim("coenen1993.fig1.plateau_down").value
    ds["G_monkey"] = xr.DataArray(
        an.monkey_gain_down(x, 1.0, monkey, 1.0 - monkey), dims="t_over_tau",
        coords=dict(t_over_tau=("t_over_tau", x, dict(units="1", long_name="time / τ"))),
        attrs=dict(long_name="monkeys, x0.5 spectacles: 0.73 + 0.27 e^(−t/τ) (Fig 1)", units="1"))
    return ds


def checks_gain_down(ds: xr.Dataset) -> list[ck.Check]:
    """Theory (linearity, mirror, overshoot, the end point D = g, A = b g of Coenen §4), the
    reference run's recovery numbers, the paper's own bound on the overshoot (§5, Fig 6 formula),
    and the monkeys' incomplete gain-down of Fig 1 set beside the model (n/a: the paper does not
    claim to fit it)."""
    g_up, g_dn, off_t = ds.attrs["g_up"], ds.attrs["g_down"], int(ds.attrs["off_cycle"])
    b = ds.attrs["b"]
    up, down = ds.G.sel(case="gain-up"), ds.G.sel(case="gain-down")
    off = ck.off_setting(ds.attrs, GainDownParams.paper_setting())
    cite = "Coenen 1993 Fig 3 rules: a linear map from the g = 1 equilibrium"
    plateau = claim("coenen1993.fig1.plateau_down")
    down_run = ds.sel(case="gain-down").assign_attrs(g=g_dn)
    n = int(ds.cycle[-1])
    excursion = float(overshoot_sim(down_run, g_dn))
    bound = fig6_formula(down_run)
    (G_inf, why), (D_inf, _), (A_inf, _) = (slow_limit(down_run, k) for k in ("G", "D", "A"))
    end_cite = "Coenen 1993 §4: 'when learning settles … D = g, A = b g, and P = 0'"
    end_note = ("Aitken's Δ² limit of the run's slow mode from cycles n/2, 3n/4, n; the run itself "
                f"ends at G = {value_at(down_run, 'G', n):.5f}")
    def short(t: int) -> str:
        return "" if t <= n else f"run shorter than {t} cycles"

    demanded = (1 - plateau.value) / (1 - g_dn) if g_dn != 1 else float("nan")
    return [
        ck.at_most("linearity: G_down − 1 = (g_down − 1)/(g_up − 1)·(G_up − 1)", 1e-12,
                   float(abs((down - 1) - (g_dn - 1) / (g_up - 1) * (up - 1)).max()),
                   source="theory", cite=cite),
        ck.at_most("recovery from full adaptation mirrors acquisition", 1e-12,
                   float(abs(ds.G.sel(case="down, off adapted") - (1 + g_dn - down)).max()),
                   source="theory", cite=cite),
        overshoot_row(down_run, label="gain-down: "),
        *theory_rows(down_run, n, label="gain-down: "),
        ck.close("gain-down: the model's end gain G∞ = g", g_dn, G_inf, atol=1e-8 * abs(g_dn - 1),
                 source="theory", cite=end_cite, note=end_note, off=why),
        ck.at_most("gain-down: the model's end point, max(|D∞ − g|, |A∞ − b g|)", 1e-8 * abs(g_dn - 1),
                   max(abs(D_inf - g_dn), abs(A_inf - b * g_dn)), source="theory", cite=end_cite,
                   note=f"D∞ = {D_inf:.6f}, A∞ = {A_inf:.6f} (b g = {b * g_dn:.6f})",
                   off=why or ("" if ds.attrs["q"] * ds.attrs["v"] != 0 else
                               "q = 0 or v = 0: a line of equilibria G = g, the end point depends on "
                               "the path (Fig 5 right)")),
        plateau.check(G_inf, what="x0.5 spectacles: the monkeys' plateau 0.73 beside the model's end "
                                  "gain", atol=0.0, off=(
            f"a limit of the model against data, not a claim of the paper: the monkeys stop at "
            f"{plateau.value:g}, {demanded:.0%} of the demanded change; Coenen's model can only end "
            f"at G = g (§4: D = g, A = b g; here G∞ = {G_inf:.4f}), and the paper shows the monkey "
            "data without fitting them. A plateau needs what the model lacks, e.g. an imperfect "
            "visual signal or a leak of the learnt gains (Clopath et al. 2014)")),
        claim("coenen1993.fig1.no_overshoot").holds(
            excursion <= bound, got=excursion,
            what="gain-down: excursion past g (the model's overshoot, here an undershoot)",
            expected=f"<= {bound:.4g}, the Fig 6 formula at the run's q, r", off=off),
        claim("coenen1993.fig1.G_min_down").check(float(ds.G_min.sel(case="gain-down")),
                                                  atol=1e-5, off=off),
        claim("coenen1993.fig1.G_recovery").check(value_at(ds, "G", off_t + 36, case="up, off early"),
                                                  atol=6e-4, off=off or short(off_t + 36)),
        claim("coenen1993.fig1.D_recovery").check(value_at(ds, "D", 1000, case="up, off early"),
                                                  atol=6e-5, off=off or short(1000)),
    ]


def plot_gain_down(ds: xr.Dataset):
    fig, ax = figure(2, 2, title="x0.5 and x2 spectacles (Coenen Fig 1) and recovery")
    tau = float(ds.tau_fast)
    model = ds.G.sel(case="gain-down")
    model = model.sel(cycle=slice(0, 10 * tau))
    ax[0, 0].plot(model.cycle / tau, model, label=f"model, g = {ds.attrs['g_down']:g} (τ = {tau:.3g} cycles)")
    ax[0, 0].plot(ds.t_over_tau, ds.G_monkey, "k--", label="monkeys: 0.73 + 0.27 e^(−t/τ)")
    ax[0, 0].axhline(ds.attrs["g_down"], color="0.6", ls=":", lw=1)
    ax[0, 0].set(xlabel="time / own time constant τ [dimensionless]", ylabel=GAIN_LABEL,
                 title="x0.5: the model adapts fully, the monkeys to 0.73")
    G = ds.G.where(ds.cycle > 0, drop=True)   # logarithmic time from the first cycle (a symlog
                                              # axis put a kink at its linear-log seam)
    for c in ("gain-up", "gain-down"):
        G.sel(case=c).plot.line(x="cycle", ax=ax[0, 1], label=c)
    ax[0, 1].set(xscale="log", ylabel="VOR gain G [dimensionless]",
                 title="gain up vs down (mirror images)")
    for c in ("up, off early", "down, off early", "down, off adapted"):
        G.sel(case=c).plot.line(x="cycle", ax=ax[1, 0], label=c)
    ax[1, 0].axvline(ds.attrs["off_cycle"], color="0.5", ls=":")
    ax[1, 0].set(xscale="log", ylabel="VOR gain G [dimensionless]",
                 title="spectacles off (dotted): recovery")
    for name in ("A", "D"):
        ds[name].sel(case="gain-down").plot.line(x="cycle", ax=ax[1, 1], label=name)
    ax[1, 1].set(ylabel=GAIN_LABEL, title="gain down: A and D")
    for a, letter in zip(ax.ravel(), "ABCD", strict=True):
        a.legend(fontsize=8, loc="best")
        if a.get_xscale() == "linear":
            a.set_xlim(left=0)
        panel_letter(a, letter)
    return fig


register(Experiment(
    name="coenen1993-gain-down",
    reproduces=f"{PAPER}, Fig 1 (x0.5, x2 spectacles): gain-down and -up beside the monkeys' curve, recovery",
    params=GainDownParams, run=run_gain_down, plot=plot_gain_down, checks=checks_gain_down))
