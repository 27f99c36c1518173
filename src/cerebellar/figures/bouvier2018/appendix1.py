"""``bouvier2018-appendix1``: Appendix 1—figure 1 A-F of Bouvier et al. 2018, the C+/C−/D+/D−
regimes of the reduced model and their speeds (Eqs 29-35)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from cerebellar.core import checks as ck
from cerebellar.core.plotting import figure, panel_letter
from cerebellar.core.registry import Experiment, register
from cerebellar.papers import claim
from cerebellar.studies.corridor_rows import (
    APPENDIX_PANELS,
    final_rows,
    geometry_rows,
    panel_dataset,
    speed_rows,
    tie_row,
    time_panel,
)
from cerebellar.studies.corridor_runs import PAPER, CorridorParams, plot_plane

MIN_TRIALS = 2500
"""Appendix 1's runs are at least this long (the slow regimes need it)."""


@dataclass(frozen=True)
class AppendixParams(CorridorParams):
    """Fig 9's corridor runs, for each panel of Appendix 1—figure 1, at least `MIN_TRIALS` long."""

    def memory_bytes(self, runs: int = 1, record_every: int = 1) -> tuple[int, tuple[str, ...]]:
        longest = self.replace(n_trials=max(self.n_trials, MIN_TRIALS))
        return CorridorParams.memory_bytes(longest, runs * len(APPENDIX_PANELS), record_every)


def run_appendix1(params: CorridorParams, rng: np.random.Generator) -> xr.Dataset:
    return panel_dataset(params.replace(n_trials=max(params.n_trials, MIN_TRIALS)), rng,
                         APPENDIX_PANELS)


def panel_attrs(ds: xr.Dataset, name: str) -> dict:
    return {**ds.attrs, **{k: APPENDIX_PANELS[name][k] for k in ("rho", "A", "dP", "dJ")}}


def checks_appendix1(ds: xr.Dataset) -> list[ck.Check]:
    rows = []
    on_setting = not ck.off_setting(ds.attrs, {"q": 0.5})  # the panels' q [NS], as in Fig 9C
    for name, spec in APPENDIX_PANELS.items():
        a = panel_attrs(ds, name)
        sub = ds.sel(panel=name).assign_attrs(a)
        wide = (ds.sel(panel=spec["wide"]).assign_attrs(panel_attrs(ds, spec["wide"]))
                if "wide" in spec else None)
        rows += speed_rows(f"App. 1 {name}", a, sub, wide, spec.get("reference_key"))
        rows += geometry_rows(f"App. 1 {name}", a, sub, spec.get("legend_key"), on_setting)
        rows += final_rows(f"App. 1 {name}: ", a, sub, sides=("above",), with_J=False)
    ef = ds.sel(panel="EF")
    rows.append(claim("bouvier2018.app1.only_C_plus").holds(
        float(ef.P_mean.sel(side="below").max()) > ds.attrs["R"],
        got=f"runs started below R reach P = {float(ef.P_mean.sel(side='below').max()):.1f} "
            f"(R = {ds.attrs['R']:g}), ending at {float(ef.final_P.sel(side='below')):.1f}",
        what="App. 1 EF (β < (1 − q)ρ): runs started below the target cross D− into the upper "
             "corridor (C+ is the only attractive line)"))
    rows.append(tie_row(ds, {**ds.attrs, "A": xr.DataArray(
        [APPENDIX_PANELS[n]["A"] for n in ds.panel.values], dims="panel",
        coords={"panel": ds.panel.values})}, "App. 1: "))
    return rows


def plot_appendix1(ds: xr.Dataset):
    names = [n for n in APPENDIX_PANELS if n != "AB-wide"]
    fig, ax = figure(2, 3, title="Appendix 1—figure 1: regimes of the reduced model (q = "
                                 f"{ds.attrs['q']:g})")
    for col, name in enumerate(names):
        a = panel_attrs(ds, name)
        sub = ds.sel(panel=name)
        plot_plane(ax[0, col], sub.P.values, sub.J.values, a)
        time_panel(ax[1, col], sub, a)
        ax[0, col].set_title(f"ρ = {a['rho']:g}, β = {a['dJ'] / a['dP']:g}, A = {a['A']:g}")
        panel_letter(ax[0, col], "ACE"[col])
        panel_letter(ax[1, col], "BDF"[col])
    return fig


register(Experiment(
    name="bouvier2018-appendix1",
    reproduces=f"{PAPER}, Appendix 1—figure 1 A-F: C+/C−/D+/D− regimes and their speeds",
    params=AppendixParams, run=run_appendix1, plot=plot_appendix1, checks=checks_appendix1))

