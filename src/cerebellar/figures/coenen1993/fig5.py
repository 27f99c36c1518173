"""``coenen1993-fig5``: q = 1 (overshoot, full transfer) against q = 0 (Fig 5)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import xarray as xr

from cerebellar.core import checks as ck
from cerebellar.core.params import param
from cerebellar.core.plotting import figure, panel_letter
from cerebellar.core.registry import Experiment, register
from cerebellar.figures.coenen1993.common import (
    GAIN_LABEL,
    PAPER,
    RESPONSE_LABEL,
    attr_values,
    overshoot_row,
    theory_rows,
    value_at,
)
from cerebellar.models.vor import theory as an
from cerebellar.models.vor.params import VORParams
from cerebellar.models.vor.simulate import simulate
from cerebellar.papers import claim


@dataclass(frozen=True)
class Fig5Params(VORParams):
    """Fig 5: left panel q = 1 (N learns from P only), right panel q = 0 (climbing fibres only)."""

    q: float = param(1.0, low=0, high=1, doc="q of the left panel")
    q_right: float = param(0.0, low=0, high=1, doc="q of the right panel")
    n_cycles: int = param(500, low=1, high=10_000_000, units="cycle", doc="cycles (paper: 500)")
    SCALE: ClassVar[tuple[str, ...]] = ("n_cycles",)
    NOT_STATED: ClassVar[dict[str, str]] = {**VORParams.NOT_STATED,
                  "r": "r, η and v, b not given for Fig 5; Fig 4 values assumed (they reproduce "
                       "the legend's q = 1 overshoot on its 0-2.5 axis)"}


def run_fig5(params: Fig5Params, rng: np.random.Generator) -> xr.Dataset:
    panel = xr.DataArray([params.q, params.q_right], dims="panel", coords={"panel": ["left", "right"]})
    return simulate(VORParams(**{k: v for k, v in params.to_dict().items() if k != "q_right"}), rng,
                    q=panel)


def checks_fig5(ds: xr.Dataset) -> list[ck.Check]:
    """The Fig 5 legend (paper rows, at the paper's setting), the reference run's numbers, and
    theory at the run's parameters: the linear map, the overshoot and the q = 0 end state."""
    left, right = ds.sel(panel="left"), ds.sel(panel="right")
    b, v, eA, eD, g_ = attr_values(ds, "b", "v", "eta_A", "eta_D", "g")
    off = ck.off_setting(ds.attrs, Fig5Params.paper_setting())
    n = int(ds.cycle[-1])
    rows = []
    for label, part in (("left: ", left), ("right: ", right)):
        one = part.assign_attrs(q=float(part.q))
        rows += [*theory_rows(one, n, label=label), overshoot_row(one, label=label)]
    q_right = float(right.q)
    mu, _ = an.multipliers(b, v, q_right, eA, eD)
    settled = q_right == 0 and abs(mu[0]) ** n < 1e-9
    A_inf, D_inf, P_inf = an.end_state_q0(g_, b, v, eA / eD, ds.attrs["A0"], ds.attrs["D0"])
    why = "" if settled else "right panel not at q = 0, or not settled"
    cite = ("Coenen 1993 Fig 5 (right); Fig 3 rules at q = 0: a line of equilibria G = g, reached "
            "along ΔD/ΔA = −1/(r v)")
    rows += [ck.close(f"right, q = 0: {name}(end) = closed-form end state", float(x),
                      value_at(right, var, n), atol=1e-6, source="theory", cite=cite, off=why)
             for name, var, x in (("A", "A", A_inf), ("D", "D", D_inf), ("P", "P_dark", P_inf))]
    dA_right = right.A.diff("cycle")
    total = abs(value_at(right, "A", n) - value_at(right, "A", 0))
    late_move = abs(value_at(right, "A", n) - value_at(right, "A", n - max(1, n // 10)))
    falls = bool((dA_right <= 1e-15).all())
    settled = late_move < 1e-6 * total
    short = "" if n >= 500 else "run shorter than the figure's 500 steps"
    rows += [
        claim("coenen1993.fig5.overshoot_q1").holds(
            float(left.G_max) - g_ > 0.05, got=f"max G = {float(left.G_max):.4f} (g = {g_:g})",
            off=off),
        claim("coenen1993.fig5.transfer_q1").holds(
            abs(value_at(left, "D", n) - g_) < 0.01 and abs(value_at(left, "P_dark", n)) < 0.01
            and value_at(left, "P_dark", 0) == 0 and float(left.P_dark.min()) < -0.5,
            got=f"D(end) = {value_at(left, 'D', n):.4f}, P(0) = {value_at(left, 'P_dark', 0):.3g}, "
                f"min P = {float(left.P_dark.min()):.3f}, P(end) = {value_at(left, 'P_dark', n):.4f}",
            off=off or short),
        claim("coenen1993.fig5.no_overshoot_q0").holds(
            float(right.G_max) - g_ <= 1e-12, got=f"max G − g = {float(right.G_max) - g_:.3g}",
            off=off),
        claim("coenen1993.fig5.no_transfer_q0").check(
            value_at(right, "D", n) - 1.0, what="q = 0: D(end) − 1, D rises only very slightly",
            off=off),
        claim("coenen1993.fig5.no_transfer_q0").holds(
            falls and settled, what="q = 0: A decreases (every ΔA ≤ 0) to a constant (the last 10 % "
                                    "of cycles move it by < 1e-6 of its change)",
            got=f"A {value_at(right, 'A', 0):.4f} → {value_at(right, 'A', n):.6f}, largest ΔA "
                f"{float(dA_right.max()):.3g}, change over the last 10 %: {late_move:.3g}", off=off or short),
        claim("coenen1993.fig5.no_transfer_q0").holds(
            abs(value_at(right, "P_dark", n) - value_at(right, "P_dark", min(100, n))) < 1e-3,
            what="q = 0: P constant after its initial drop",
            got=f"P(100) = {value_at(right, 'P_dark', min(100, n)):.4f}, "
                f"P(end) = {value_at(right, 'P_dark', n):.4f}", off=off),
        claim("coenen1993.fig5.G_max_q1").check(float(left.G_max), atol=6e-4, off=off),
        claim("coenen1993.fig5.D500_q1").check(value_at(left, "D", 500), atol=6e-4, off=off or short),
    ]
    return rows


def plot_fig5(ds: xr.Dataset):
    fig, ax = figure(2, 2, title=f"Fig 5: effect of q, gain change 1.0 → {ds.attrs['g']:g}")
    for col, panel in enumerate(ds.panel.values):
        part = ds.sel(panel=panel)
        for name in ("G", "D", "A"):
            part[name].plot.line(x="cycle", ax=ax[0, col], label=name)
        ax[0, col].axhline(ds.attrs["g"], color="k", ls=":", lw=1)
        part.N_dark.plot.line(x="cycle", ax=ax[1, col], label="N (dark test)")
        part.P_dark.plot.line(x="cycle", ax=ax[1, col], label="P (dark test)")
        ax[0, col].set_title(f"q = {float(part.q):g}: A, D & VOR gain G")
        ax[1, col].set_title("P & N responses to a head turn")
        ax[0, col].set_ylabel(GAIN_LABEL)
        ax[1, col].set_ylabel(RESPONSE_LABEL)
        for a in ax[:, col]:
            a.legend(fontsize=8, loc="best")
    for a, letter in zip(ax.ravel(), "ABCD", strict=True):
        panel_letter(a, letter)
    return fig


register(Experiment(
    name="coenen1993-fig5",
    reproduces=f"{PAPER}, Fig 5: q = 1 (overshoot, full transfer) vs q = 0 (no overshoot, no transfer)",
    params=Fig5Params, run=run_fig5, plot=plot_fig5, checks=checks_fig5))
