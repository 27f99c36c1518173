"""``dvor-bode``: gain and phase of the dynamic VOR from 0.1 to 25 Hz at fixed weights, simulated
in the time domain beside the model's transfer function (the model reference, 'Dynamic VOR
model')."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from cerebellar.core import checks as ck
from cerebellar.core.params import Params, param, same_as
from cerebellar.core.plotting import figure, panel_letter
from cerebellar.core.registry import Experiment, register
from cerebellar.figures.dynamic_vor.common import TRANSFER, bode_axes, model_params
from cerebellar.models.dynamic_vor import DynamicVORParams, simulate
from cerebellar.models.dynamic_vor import theory as th

RATES = ("Porrill & Dean 2007's decorrelation and Coenen 1993 Fig 3's nucleus rule in correlation "
         "form, averaged over whole cycles at fixed weights: Re(A B̄)/2 of the signals' transfer "
         "functions (the model reference, 'Dynamic VOR learning rules')")
LOOP = ("Coenen 1993 Fig 2's loop in continuous time: G = Pl (F + v g e^{−iωδ})/(1 − b Pl + v Pl "
        "e^{−iωδ}) (the model reference, 'Dynamic VOR model')")
GRADIENT = ("Porrill & Dean 2007's decorrelation rule with the signal through the plant as "
            "eligibility: with no delay its mean is −β ∂⟨s²⟩/2/∂a_k (the model reference, "
            "'Dynamic VOR model')")


@dataclass(frozen=True)
class BodeParams(Params):
    """The frequencies, the plant and the weights at which the reflex is measured."""

    n_frequencies: int = param(10, low=2, high=200, doc="frequencies, log-spaced over f_min..f_max")
    f_min: float = same_as(DynamicVORParams, "f_min")
    f_max: float = same_as(DynamicVORParams, "f_max")
    tau_plant: float = same_as(DynamicVORParams, "tau_plant", default=0.3,
                               doc="plant time constant τ_p (0.3 s: the changed plant of the "
                                   "Porrill & Dean task)")
    tau_model: float = same_as(DynamicVORParams, "tau_model")
    n_basis: int = same_as(DynamicVORParams, "n_basis")
    weight_scale: float = param(0.1, low=0, high=10,
                                doc="cortical weights a_k drawn N(0, scale²) from the run's generator")
    dt: float = same_as(DynamicVORParams, "dt")

    def validate(self) -> None:
        self.model(np.array([self.f_min, self.f_max]))

    def frequencies(self) -> np.ndarray:
        return np.geomspace(self.f_min, self.f_max, self.n_frequencies)

    def memory_bytes(self) -> tuple[int, tuple[str, ...]]:
        """The sweep and its loop-terms twin, each one batch over the frequencies."""
        batch = self.model(self.frequencies()).memory_bytes(self.n_frequencies)[0]
        return 2 * batch, ("n_frequencies",)

    def model(self, frequencies: np.ndarray) -> DynamicVORParams:
        """The model with learning off (β = γ = 0), measured over ≥ 1 s and ≥ 1 cycle."""
        top = float(np.max(frequencies))
        return DynamicVORParams.build(
            dt=self.dt, duration=max(1.0, 1.0 / float(np.min(frequencies))), frequency=top,
            f_min=self.f_min, f_max=self.f_max, tau_plant=self.tau_plant,
            tau_model=self.tau_model, n_basis=self.n_basis, gamma=0.0,
            record_every=max(1.0, 1.0 / float(np.min(frequencies))),
            **{"decorrelation.beta": 0.0})


GRADIENT_F = 1.0
"""Frequency [Hz] of the gradient check: two whole cycles, no delay, the plant model exact."""
GRADIENT_BETA, GRADIENT_EPS = 1e-6, 1e-3


def run_bode(params: BodeParams, rng: np.random.Generator) -> xr.Dataset:
    f = params.frequencies()
    a = rng.normal(0.0, params.weight_scale, params.n_basis)
    ds = simulate(params.model(f), frequency=f, a0=a)
    loop = simulate(params.model(f).replace(**LOOP_SETTING), frequency=f, a0=a)
    update, gradient = gradient_check(params, a)
    rates = update_check(params, a)
    return ds.assign(a=ds.a.isel(time=0, frequency=0, drop=True),
                     d=ds.d.isel(time=0, frequency=0, drop=True),
                     mean_update=xr.DataArray(update, dims="k", attrs=dict(
                         units="1/s", long_name="decorrelation's mean da_k/dt / β at δ = 0, "
                                                f"{GRADIENT_F:g} Hz")),
                     gradient=xr.DataArray(gradient, dims="k", attrs=dict(
                         units="1", long_name="∂⟨s²⟩/2 / ∂a_k by central finite differences")),
                     cortex_rate=xr.DataArray(rates[0], dims="k", attrs=dict(
                         units="1/s", long_name=f"mean da_k/dt / β at δ = {UPDATE_SETTING['delay']:g} s, "
                                                f"trace {UPDATE_SETTING['trace']:g} s")),
                     brainstem_rate=xr.DataArray(rates[1], dims="j", attrs=dict(
                         units="1/s", long_name=f"mean dd_j/dt / γ at q = {UPDATE_SETTING['q']:g}")),
                     gain_loop=loop.gain.assign_attrs(long_name="VOR gain with Coenen's efference "
                                                                "copy and visual slip"),
                     phase_loop=loop.phase.assign_attrs(long_name="VOR phase with Coenen's efference "
                                                                  "copy and visual slip")
                     ).drop_vars("error")


LOOP_SETTING = dict(b=0.88, v=1.0, g=1.6)
"""Coenen's Fig 2 loop (Fig 4's b and v): an eye-velocity efference copy and the visual slip, δ
old, onto P."""

UPDATE_SETTING = dict(delay=0.1, trace=0.05, q=0.5, g=1.6)
"""The setting of the mean-update check: a delay, a trace and both terms of the brainstem rule."""


def update_check(params: BodeParams, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean rates (⟨da/dt⟩/β, ⟨dd/dt⟩/γ) of a run at tiny β and γ over two cycles at
    `GRADIENT_F`, in `UPDATE_SETTING`."""
    T = 2.0 / GRADIENT_F
    model = params.model(np.array([GRADIENT_F])).replace(
        frequency=GRADIENT_F, duration=T, record_every=T, gamma=GRADIENT_BETA,
        rule_settings={"decorrelation.beta": GRADIENT_BETA}, **UPDATE_SETTING)
    run = simulate(model, a0=a)
    change = run.isel(time=-1) - run.isel(time=0)
    return change.a.values / (GRADIENT_BETA * T), change.d.values / (GRADIENT_BETA * T)


def gradient_check(params: BodeParams, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mean decorrelation update / β, finite-difference gradient of ⟨s²⟩/2) at weights ``a``,
    δ = 0, filtered-x eligibility through the true plant: a learning run at a tiny β, and 2K
    runs at a ± ε e_k with learning off, each two cycles long."""
    T = 2.0 / GRADIENT_F
    base = params.model(np.array([GRADIENT_F])).replace(
        frequency=GRADIENT_F, duration=T, record_every=T, delay=0.0, trace=0.0,
        tau_model=params.tau_plant, eligibility="filtered_x")
    learn = simulate(base.replace(rule_settings={"decorrelation.beta": GRADIENT_BETA}), a0=a)
    update = (learn.a.isel(time=-1) - learn.a.isel(time=0)).values / (GRADIENT_BETA * T)

    def cost(weights: np.ndarray) -> float:
        return 0.5 * float(simulate(base, a0=weights).error.isel(time=-1)) ** 2

    step = GRADIENT_EPS * np.eye(a.size)
    gradient = np.array([(cost(a + e) - cost(a - e)) / (2 * GRADIENT_EPS) for e in step])
    return update, gradient


def analytic(ds: xr.Dataset, f: np.ndarray | None = None) -> np.ndarray:
    """G(iω) of the run's model at its weights (at ``f``, default the run's frequencies)."""
    f = ds.frequency.values if f is None else f
    return th.vor_response(model_params(ds), f, ds.a.values, ds.d.values)


def rates_error(ds: xr.Dataset) -> float:
    """Largest |simulated − closed-form| mean rate of both rules, relative to the largest rate."""
    model = model_params(ds).replace(frequency=GRADIENT_F, **UPDATE_SETTING)
    cortex, brainstem = th.mean_updates(model, GRADIENT_F, ds.a.values, ds.d.values)
    got = np.r_[ds.cortex_rate.values, ds.brainstem_rate.values]
    want = np.r_[cortex, brainstem]
    return float(np.abs(got - want).max() / np.abs(want).max())


def checks_bode(ds: xr.Dataset) -> list[ck.Check]:
    """Simulated steady state against the transfer function, at every frequency."""
    gain, phase = th.gain_phase(analytic(ds))
    rel = np.abs(ds.gain.values / gain - 1.0)
    dphi = np.abs((ds.phase.values - phase + 180.0) % 360.0 - 180.0)
    n = ds.sizes["frequency"]
    rates_what = (f"mean rates of both rules (δ = {UPDATE_SETTING['delay']:g} s, trace "
                  f"{UPDATE_SETTING['trace']:g} s, q = {UPDATE_SETTING['q']:g}) vs their closed form, "
                  "largest difference / largest rate (tolerance 10⁻³: O((ω dt)²) and βT)")
    where = f"{n} frequencies, {float(ds.frequency[0]):g}–{float(ds.frequency[-1]):g} Hz"
    return [
        ck.at_most(f"simulated gain / analytic gain − 1, largest over {where}", 0.01,
                   float(rel.max()), source="theory", cite=TRANSFER),
        ck.at_most(f"simulated − analytic phase [degree], largest over {where}", 1.0,
                   float(dphi.max()), source="theory", cite=TRANSFER),
        ck.at_most("decorrelation at δ = 0 is gradient descent: |mean da/dt / β + ∇⟨s²⟩/2| / "
                   "|∇⟨s²⟩/2|, finite differences (tolerance 10⁻³: first order in βT = 2·10⁻⁶)",
                   1e-3, float(np.linalg.norm(ds.mean_update + ds.gradient)
                               / np.linalg.norm(ds.gradient)),
                   source="theory", cite=GRADIENT),
        ck.at_most(rates_what, 1e-3, rates_error(ds), source="theory", cite=RATES),
        ck.at_most(f"with Coenen's efference copy b = {LOOP_SETTING['b']:g} and visual slip v = "
                   f"{LOOP_SETTING['v']:g} onto P, the slip {ds.attrs['delay']:g} s old: simulated "
                   f"vs analytic |ΔG|/|G|, largest over {where}", 0.01, loop_error(ds),
                   source="theory", cite=LOOP),
    ]


def loop_error(ds: xr.Dataset) -> float:
    """Largest |G_sim − G|/|G| of the run with Coenen's loop terms."""
    model = model_params(ds).replace(**LOOP_SETTING)
    G = th.vor_response(model, ds.frequency.values, ds.a.values, ds.d.values)
    sim = ds.gain_loop.values * np.exp(1j * np.radians(ds.phase_loop.values))
    return float(np.max(np.abs(sim - G) / np.abs(G)))


def plot_bode(ds: xr.Dataset):
    fig, ax = figure(1, 2, title="Dynamic VOR at fixed weights: simulated (dots) and transfer "
                                 "function (line)")
    dense = np.geomspace(float(ds.frequency[0]), float(ds.frequency[-1]), 300)
    gain, phase = th.gain_phase(analytic(ds, dense))
    ax[0, 0].plot(dense, gain, color="0.3", label="transfer function")
    ax[0, 0].plot(ds.frequency, ds.gain, "o", color="C0", label="simulated steady state")
    ax[0, 0].axhline(1.0, color="0.6", ls=":", lw=1, label="ideal gain 1")
    ax[0, 1].plot(dense, phase, color="0.3")
    ax[0, 1].plot(ds.frequency, ds.phase, "o", color="C0")
    ax[0, 1].axhline(0.0, color="0.6", ls=":", lw=1)
    bode_axes(ax[0, 0], ax[0, 1])
    ax[0, 0].set_title(f"gain (plant τ_p = {ds.attrs['tau_plant']:g} s)")
    ax[0, 1].set_title("phase")
    ax[0, 0].legend(fontsize=8)
    for a, letter in zip(ax[0], "AB", strict=True):
        panel_letter(a, letter)
    return fig


register(Experiment(
    name="dvor-bode",
    reproduces="Beyond the papers: the dynamic VOR (the next model of Coenen 1993 §6), gain and "
               "phase against frequency, simulated against its transfer function",
    params=BodeParams, run=run_bode, plot=plot_bode, checks=checks_bode))
