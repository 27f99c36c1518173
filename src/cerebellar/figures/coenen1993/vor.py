"""``vor``: free run of Coenen et al.'s VOR model with any parameters (Figs 2-3)."""

from __future__ import annotations

import numpy as np
import xarray as xr

from cerebellar.core import checks as ck
from cerebellar.core.plotting import figure
from cerebellar.core.registry import Experiment, register
from cerebellar.figures.coenen1993.common import (
    GAIN_LABEL,
    PAPER,
    RESPONSE_LABEL,
    attr_values,
    shade_dark,
    theory_rows,
    value_at,
)
from cerebellar.models.vor import theory as an
from cerebellar.models.vor.params import VORParams
from cerebellar.models.vor.simulate import simulate
from cerebellar.models.vor.theory import loop_solution

MAX_RECORDS = 100_000
"""A free run records at most this many cycles (every k-th beyond), so a long run's file stays
small (10⁷ cycles: 14 MB instead of 1.3 GB)."""


def run_vor(params: VORParams, rng: np.random.Generator) -> xr.Dataset:
    """Free run of the model with any parameters (the local rule draws nothing from ``rng``)."""
    return simulate(params, rng, record_every=max(1, -(-params.n_cycles // MAX_RECORDS)))


def rule_residual(ds: xr.Dataset) -> float:
    """Largest deviation of the recorded updates from the Fig 3 rules in reduced form.

    Light: ΔA = −η_A v s, ΔD = η_D[(1 − 2q)s + q(g − D)] with s = (1 − b)(g − G)/(1 − b + v)
    from the recorded dark gain (the slip identity); dark: ΔA = 0, ΔD = −η_D q P_dark (0 when
    gated). Independent of the Fig 3 form that `simulate` iterates.
    """
    b, v, q, eA, eD = attr_values(ds, "b", "v", "q", "eta_A", "eta_D")
    if not (np.diff(ds.cycle.values) == 1).all():
        return float("nan")  # recorded every k-th cycle: no single update to replay
    D, light, g = ds.D.values[:-1], ds.light.values[:-1], ds.desired_gain.values[:-1]
    s = (1 - b) * (g - ds.G.values[:-1]) / (1 - b + v)
    gate = bool(ds.attrs["gate_nucleus"])
    dA_rule = np.where(light, -eA * v * s, 0.0)
    dD_dark = 0.0 if gate else -eD * q * ds.P_dark.values[:-1]
    dD_rule = np.where(light, eD * ((1 - 2 * q) * s + q * (g - D)), dD_dark)
    scale = 1.0 + np.abs(ds.A.values).max() + np.abs(D).max()
    return float(max(np.abs(np.diff(ds.A.values) - dA_rule).max(),
                     np.abs(np.diff(ds.D.values) - dD_rule).max()) / scale)


def checks_vor(ds: xr.Dataset) -> list[ck.Check]:
    g_, b, v, q, eA, eD = attr_values(ds, "g", "b", "v", "q", "eta_A", "eta_D")
    n = int(ds.cycle[-1])
    A_n, D_n = value_at(ds, "A", n), value_at(ds, "D", n)
    P, _, e = loop_solution(A_n, D_n, value_at(ds, "desired_gain", n), b, v)
    every = int(ds.cycle[1] - ds.cycle[0]) if ds.sizes["cycle"] > 1 else 1
    rows = [
        ck.at_most("updates follow ΔA = −η_A v s, ΔD = η_D[(1 − 2q)s + q(g − D)] with "
                   "s = (1 − b)(g − G)/(1 − b + v) (max residual)", 1e-12, rule_residual(ds),
                   source="theory", cite="Coenen 1993 Fig 3 rules rewritten with the slip identity",
                   off="" if every == 1 else f"cycles recorded every {every}: no single update "
                                             "to replay"),
        ck.close("P_light(end) = P of the loop P = Ah + be − v(gh + e), N = Dh − P, e = −N",
                 P, value_at(ds, "P_light", n), atol=1e-12 * (1 + abs(P)), source="theory",
                 cite="Coenen 1993 Fig 2, solved as a 3×3 linear system"),
        ck.close("G_light(end) = −e/h of the same loop", -e, value_at(ds, "G_light", n),
                 atol=1e-12 * (1 + abs(e)), source="theory", cite="Coenen 1993 Fig 2"),
    ]
    plain = bool(ds.light.all()) and int(ds.attrs["off_cycle"]) == 0
    if plain:
        rows += theory_rows(ds, n)
        rho = float(an.spectral_radius(b, v, q, eA, eD))
        if q > 0 and v > 0 and rho ** n < 1e-9:
            A_eq, D_eq = an.equilibrium(g_, b)
            rows += [ck.close("D(end) → g: the unique equilibrium for q, v ≠ 0", float(D_eq), D_n,
                              atol=1e-6, source="theory", cite="Coenen 1993 §4"),
                     ck.close("A(end) → b g", float(A_eq), A_n, atol=1e-6, source="theory",
                              cite="Coenen 1993 §4")]
    return rows


def plot_vor(ds: xr.Dataset):
    fig, ax = figure(1, 2, title=f"VOR model, g = {ds.attrs['g']:g}, q = {ds.attrs['q']:g}, "
                                 f"r = {ds.attrs['eta_A'] / max(ds.attrs['eta_D'], 1e-300):g}")
    for name in ("A", "D", "G", "G_light"):
        ds[name].plot.line(x="cycle", ax=ax[0, 0], label=name)
    ds.desired_gain.plot.line(x="cycle", ax=ax[0, 0], color="k", ls=":", label="g")
    for name in ("P_light", "P_dark", "N_light"):
        ds[name].plot.line(x="cycle", ax=ax[0, 1], label=name)
    for a, t, y in zip(ax[0], ("gains", "responses to a unit head turn"),
                       (GAIN_LABEL, RESPONSE_LABEL), strict=True):
        a.set_title(t)
        a.set_ylabel(y)
        a.legend(fontsize=8, loc="best")
        if not bool(ds.light.all()):
            shade_dark(a, ds)
    return fig


register(Experiment(
    name="vor", reproduces=f"{PAPER}: free run of the static model (Figs 2-3, any parameters)",
    params=VORParams, run=run_vor, plot=plot_vor, checks=checks_vor))
