"""``dvor-delay``: cortex-only learning of the dynamic VOR at single frequencies around
f_c = 1/(4δ), for the error delays δ/2, δ and 2δ: learning converges below f_c and runs away
above it (the delay limit of Porrill & Dean 2007; the slow-learning theory of the model
reference, 'Dynamic VOR model')."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import xarray as xr

from cerebellar.core import checks as ck
from cerebellar.core.errors import ParameterError
from cerebellar.core.params import Params, param, same_as
from cerebellar.core.plotting import figure, panel_letter
from cerebellar.core.registry import Experiment, register
from cerebellar.figures.dynamic_vor.common import PORRILL_DEAN, plain_log
from cerebellar.models.dynamic_vor import DynamicVORParams, simulate
from cerebellar.models.dynamic_vor import theory as th
from cerebellar.papers import claim

RATIOS = (0.5, 0.8, 0.9, 1.1, 1.25, 1.5)
"""Frequencies run, as multiples of each delay's f_c = 1/(4δ) (quick scale)."""
RATIOS_FULL = (0.5, 0.7, 0.8, 0.9, 0.95, 1.05, 1.1, 1.2, 1.3, 1.5)
AVERAGED = ("delayed decorrelation averaged over a cycle: dS/dt = −(β/2) e^{−2πifδ} S(t − δ) for "
            "the complex slip S; growth rate Re λ, λ = −(β/2) e^{−2πifδ − λδ} (the model reference, "
            "'Dynamic VOR model')")
SLOW = ("the slow-learning limit βδ → 0 of the same: |S| grows at −(β/2) cos(2πfδ), so learning "
        "fails above f_c = 1/(4δ) (the model reference, 'Dynamic VOR model')")


@dataclass(frozen=True)
class DelayParams(Params):
    """The delays, the learning rate and the length of the runs."""

    delay: float = same_as(DynamicVORParams, "delay", low=0.002, high=0.5,
                           doc="middle delay δ [s]; the runs use δ/2, δ and 2δ")
    beta: float = param(0.2, low=1e-4, high=10, units="1/s",
                        doc="decorrelation.beta: slow (β δ ≪ 1), so the slow-learning limit holds")
    g: float = same_as(DynamicVORParams, "g", default=1.6,
                       doc="desired gain (1.6: the ×2 spectacles' gain-up; the error to learn)")
    duration: float = same_as(DynamicVORParams, "duration", default=60.0)
    dense: bool = param(False, doc="run the full scale's ten frequencies per delay instead of six")
    dt: float = same_as(DynamicVORParams, "dt")

    FULL: ClassVar[dict[str, Any]] = {"duration": 120.0, "dense": True}
    SCALE: ClassVar[tuple[str, ...]] = ("duration", "dense")

    def validate(self) -> None:
        for delay in self.delays():
            if abs(delay / self.dt - round(delay / self.dt)) > 1e-6:
                raise ParameterError(f"parameter 'delay' = {self.delay!r}: δ/2 and 2δ must be whole "
                                     f"numbers of steps dt = {self.dt!r}")
        if 1.5 * th.critical_frequency(self.delays()[0]) * self.dt > 0.05:
            raise ParameterError(f"parameter 'delay' = {self.delay!r} is too short for dt = "
                                 f"{self.dt!r}: 1.5 f_c(δ/2) must stay below 1/(20 dt)")

    def delays(self) -> np.ndarray:
        return np.array([self.delay / 2, self.delay, 2 * self.delay])

    def ratios(self) -> np.ndarray:
        """The sines' frequencies in units of f_c(δ)."""
        return np.array(RATIOS_FULL if self.dense else RATIOS)

    def model(self) -> DynamicVORParams:
        return DynamicVORParams.build(dt=self.dt, duration=self.duration, basis="pair", g=self.g,
                                      gamma=0.0, record_every=1.0,
                                      **{"decorrelation.beta": self.beta})

    def memory_bytes(self) -> tuple[int, tuple[str, ...]]:
        """One batch over the ratios per delay, all three kept."""
        return 3 * self.model().memory_bytes(len(self.ratios()))[0], ("duration", "dense")


def run_delay(params: DelayParams, rng: np.random.Generator) -> xr.Dataset:
    """One batch per delay: a sine at each ratio × f_c(δ), the pair basis (a quadrature pair at
    the sine's frequency), filtered-x eligibility, no trace, brainstem fixed."""
    ratios, model = params.ratios(), params.model()
    runs = []
    for delay in params.delays():
        f = ratios * float(th.critical_frequency(delay))
        ds = simulate(model, frequency=xr.DataArray(f, dims="ratio"), delay=float(delay))
        runs.append(ds[["error"]].assign_coords(ratio=ratios, frequency=("ratio", f)))
    out = xr.concat(runs, dim=xr.DataArray(params.delays(), dims="delay", name="delay",
                                           attrs=dict(units="s")))
    out.attrs = runs[0].attrs
    return out.transpose("delay", "ratio", "time")


def growth_rates(ds: xr.Dataset) -> xr.DataArray:
    """Slope [1/s] of log RMS slip against time (least squares, every record after the first)."""
    err = ds.error.isel(time=slice(1, None))
    t = err.time.values
    logs = np.log(err.values)
    slope = np.polyfit(t, logs.reshape(-1, t.size).T, 1)[0].reshape(logs.shape[:-1])
    return xr.DataArray(slope, dims=err.dims[:-1], coords={d: err[d] for d in err.dims[:-1]})


def measured_critical(ds: xr.Dataset) -> xr.DataArray:
    """Per delay, the frequency where the growth rate crosses 0 (linear interpolation between
    the two grid frequencies around the first sign change; NaN if there is none)."""
    rates = growth_rates(ds)
    out = []
    for i in range(ds.sizes["delay"]):
        r, f = rates.values[i], ds.frequency.values[i]
        up = np.flatnonzero((r[:-1] < 0) & (r[1:] >= 0))
        out.append(np.nan if up.size == 0 else
                   f[up[0]] - r[up[0]] * (f[up[0] + 1] - f[up[0]]) / (r[up[0] + 1] - r[up[0]]))
    return xr.DataArray(np.array(out), dims="delay", coords=dict(delay=ds.delay))


def checks_delay(ds: xr.Dataset) -> list[ck.Check]:
    beta = ds.attrs["decorrelation.beta"]
    rates = growth_rates(ds)
    theory = th.growth_rate(ds.frequency.values, ds.delay.values[:, None], beta)
    fc = measured_critical(ds)
    rows = [ck.at_most("|growth rate of the RMS slip − averaged theory|, largest over every "
                       f"delay and frequency [1/s] (tolerance 2 % of β = {beta:g}/s: averaging "
                       "over a cycle neglects terms of order β/(4πf) ≤ 2 %)", 0.02 * beta,
                       float(np.abs(rates - theory).max()), source="theory", cite=AVERAGED)]
    for delay in ds.delay.values:
        rows.append(ck.close(f"δ = {delay:g} s: critical frequency where learning turns from "
                             "converging to running away [Hz] vs 1/(4δ)",
                             float(th.critical_frequency(delay)), float(fc.sel(delay=delay)),
                             rtol=0.10, source="theory", cite=SLOW))
    at_paper = np.isclose(ds.delay.values, 0.1)
    rows.append(claim("porrill2007.delay_limit").check(
        float(fc.values[at_paper][0]) if at_paper.any() else float("nan"), rtol=0.10,
        what="critical frequency of cortex-only learning at δ = 0.1 s [Hz]",
        off="" if at_paper.any() else "no run at δ = 0.1 s (set delay = 0.1)"))
    return rows


def plot_delay(ds: xr.Dataset):
    fig, ax = figure(1, 3, title="Cortex-only learning with a delayed error: the limit f_c = 1/(4δ)",
                     width=4.6)
    mid = ds.isel(delay=1)
    colors = ["C0" if r < 1 else "C3" for r in mid.ratio.values]
    for i, c in enumerate(colors):
        ax[0, 0].plot(mid.time, mid.error.isel(ratio=i), color=c, alpha=0.5 + 0.5 * abs(
            mid.ratio.values[i] - 1) / 0.5, label=f"{float(mid.frequency[i]):.2f} Hz")
    ax[0, 0].set(yscale="log", xlabel="time [s]", ylabel="RMS retinal slip [per unit h]",
                 title=f"δ = {float(mid.delay):g} s: learning curves")
    ax[0, 0].legend(fontsize=7, ncol=2)
    rates = growth_rates(ds)
    beta = ds.attrs["decorrelation.beta"]
    for i, delay in enumerate(ds.delay.values):
        line, = ax[0, 1].plot(ds.frequency[i], rates[i], "o", label=f"δ = {delay:g} s")
        dense = np.linspace(float(ds.frequency[i, 0]), float(ds.frequency[i, -1]), 100)
        ax[0, 1].plot(dense, th.growth_rate(dense, delay, beta), color=line.get_color(), lw=1)
        ax[0, 1].axvline(float(th.critical_frequency(delay)), color=line.get_color(), ls=":", lw=1)
    ax[0, 1].axhline(0, color="0.5", lw=0.8)
    ax[0, 1].set(xscale="log", xlabel="frequency [Hz]", ylabel="growth rate of the slip [1/s]",
                 title="growth rate: simulated (dots), theory")
    ax[0, 1].legend(fontsize=8)
    fc = measured_critical(ds)
    dense = np.geomspace(float(ds.delay[0]) / 1.5, float(ds.delay[-1]) * 1.5, 100)
    ax[0, 2].plot(dense, th.critical_frequency(dense), color="0.3", label="1/(4δ)")
    ax[0, 2].plot(ds.delay, fc, "o", color="C0", label="measured")
    ax[0, 2].plot([0.1], [claim("porrill2007.delay_limit").value], "k*", ms=11,
                  label="Porrill & Dean 2007: 2.5 Hz")
    ax[0, 2].set(xscale="log", yscale="log", xlabel="error delay δ [s]",
                 ylabel="critical frequency f_c [Hz]", title="where learning fails")
    ax[0, 2].legend(fontsize=8)
    for a in (ax[0, 1], ax[0, 2]):
        plain_log(a, "x")
    plain_log(ax[0, 2], "y")
    for a, letter in zip(ax[0], "ABC", strict=True):
        panel_letter(a, letter)
    return fig


register(Experiment(
    name="dvor-delay",
    reproduces=f"Beyond the papers: the dynamic VOR's delay limit of cortex-only learning, "
               f"f_c = 1/(4δ) ({PORRILL_DEAN})",
    params=DelayParams, run=run_delay, plot=plot_delay, checks=checks_delay))
