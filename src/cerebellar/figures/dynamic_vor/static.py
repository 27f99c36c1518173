"""``dvor-static``: the static limit of the dynamic VOR. At a frequency far below the plant's and
the delay's (0.01 Hz), with Coenen's efference copy b and visual gain v and one vestibular mossy
fibre, the dynamic model's gain is Coenen 1993's static formula and its learning follows the
static model's linear map (the model reference, 'Dynamic VOR model')."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import xarray as xr
from scipy.linalg import expm

from cerebellar.core import checks as ck
from cerebellar.core.params import Params, param, same_as
from cerebellar.core.plotting import figure, panel_letter
from cerebellar.core.registry import Experiment, register
from cerebellar.models.dynamic_vor import DynamicVORParams
from cerebellar.models.dynamic_vor import simulate as dynamic
from cerebellar.models.vor import theory as static_theory
from cerebellar.models.vor.params import VORParams
from cerebellar.models.vor.simulate import simulate as static

LIMIT = ("Coenen 1993 Fig 2 loop and Fig 3 rules, the ω → 0 limit of the dynamic VOR: G_L = "
         "(D − A + g v)/(1 − b + v), and per cycle ΔA = −η_A v ∫ s h dt, ΔD = η_D ∫ [(1 − q) s − "
         "q P] h dt with ∫ h² dt = 1 (the model reference, 'Dynamic VOR model')")
FLOW = ("Coenen 1993 Fig 3 rules with the step taken continuously: z(t) = exp(−η_D K̃ t) z₀, the "
        "small-step limit of the linear map z ← (I − η_D K̃) z (Fig 4 parameters)")


@dataclass(frozen=True)
class StaticLimitParams(Params):
    """Coenen's Fig 4 gain-up, run by the dynamic model at a very low frequency."""

    g: float = same_as(VORParams, "g")
    b: float = same_as(VORParams, "b")
    v: float = same_as(VORParams, "v")
    q: float = same_as(VORParams, "q")
    eta_A: float = same_as(VORParams, "eta_A")
    eta_D: float = same_as(VORParams, "eta_D")
    n_cycles: int = param(60, low=1, high=100_000, units="cycle",
                          doc="learning cycles (60: Fig 4's 'G reaches 1.6 within 60 steps')")
    frequency: float = param(0.01, low=0.001, high=1, units="Hz",
                             doc="head-rotation frequency, far below 1/(2π τ_p) and 1/(2π δ)")
    tau_plant: float = same_as(DynamicVORParams, "tau_plant")
    delay: float = same_as(DynamicVORParams, "delay")
    dt: float = same_as(DynamicVORParams, "dt", default=0.005)

    FULL: ClassVar[dict[str, Any]] = {"n_cycles": 200}
    SCALE: ClassVar[tuple[str, ...]] = ("n_cycles",)
    NOT_STATED: ClassVar[dict[str, str]] = {
        "rates": "one cycle of the dynamic rules equals one step of Coenen's: β = 2 η_A v f and "
                 "γ = 2 η_D f (a unit sine has ∫ h² dt = 1/(2f) per cycle); the cortex's "
                 "eligibility is h itself (Coenen's rule has no plant model)",
    }

    def memory_bytes(self) -> tuple[int, tuple[str, ...]]:
        """The learning run (a record per cycle); the static model's run is far smaller."""
        return self.model(self.n_cycles).memory_bytes()[0], ("n_cycles",)

    def model(self, n_cycles: int) -> DynamicVORParams:
        f = self.frequency
        return DynamicVORParams.build(
            basis="h", eligibility="x", frequency=f, duration=n_cycles / f, record_every=1 / f,
            dt=self.dt, g=self.g, b=self.b, v=self.v, q=self.q, tau_plant=self.tau_plant,
            tau_model=self.tau_plant, delay=self.delay, gamma=2 * self.eta_D * f,
            **{"decorrelation.beta": 2 * self.eta_A * self.v * f})


def run_static(params: StaticLimitParams, rng: np.random.Generator) -> xr.Dataset:
    """The dynamic model from Coenen's start (A0 = b, D0 = 1, no lead), and the static model."""
    start = dict(a0=np.array([params.b]), d0=np.array([1.0, 0.0]))
    frozen = dynamic(params.model(1).replace(gamma=0.0, rule_settings={"decorrelation.beta": 0.0}),
                     **start)
    run = dynamic(params.model(params.n_cycles), **start)
    ref = static(VORParams(g=params.g, b=params.b, v=params.v, q=params.q, eta_A=params.eta_A,
                           eta_D=params.eta_D, n_cycles=params.n_cycles, A0=params.b, D0=1.0))
    cycle = np.arange(params.n_cycles + 1)

    def series(x, long_name: str) -> xr.DataArray:
        return xr.DataArray(np.asarray(x), dims="cycle", attrs=dict(long_name=long_name, units="1"))

    return xr.Dataset(dict(
        A=series(run.a.isel(k=0), "cortical gain A (dynamic model)"),
        D=series(run.d.isel(j=0), "nucleus gain D (dynamic model)"),
        A_static=series(ref.A, "cortical gain A (static model, vor)"),
        D_static=series(ref.D, "nucleus gain D (static model, vor)"),
        gain_start=xr.DataArray(float(frozen.gain), attrs=dict(
            units="1", long_name="simulated VOR gain in the light at the start"))),
        coords=dict(cycle=("cycle", cycle, dict(units="cycle"))),
        attrs=params.flat_dict())


def flow(ds: xr.Dataset) -> np.ndarray:
    """z(t) = exp(−η_D K̃ t) z₀ at every cycle, z = (g − G, g − D)."""
    g, b, v, q, eA, eD = (ds.attrs[k] for k in ("g", "b", "v", "q", "eta_A", "eta_D"))
    K = static_theory.transfer_matrix(b, v, q, eA / eD)
    z0 = np.array([g - float(dark_gain(ds, "")[0]), g - float(ds.D[0])])
    return np.array([expm(-eD * K * t) @ z0 for t in ds.cycle.values])


def dark_gain(ds: xr.Dataset, which: str) -> xr.DataArray:
    """G = (D − A)/(1 − b) of the dynamic (``""``) or static (``"_static"``) run."""
    return (ds[f"D{which}"] - ds[f"A{which}"]) / (1 - ds.attrs["b"])


def checks_static(ds: xr.Dataset) -> list[ck.Check]:
    g, b, v = (ds.attrs[k] for k in ("g", "b", "v"))
    static_gain = float(static_theory.gain_light(b, 1.0, g, b, v))
    z = flow(ds)
    G, G_static = dark_gain(ds, "").values, dark_gain(ds, "_static").values
    map_vs_flow = float(np.abs((g - G_static) - z[:, 0]).max())
    n = int(ds.cycle[-1])
    return [
        ck.close(f"gain in the light at {ds.attrs['frequency']:g} Hz, start (A = b, D = 1) vs "
                 "Coenen's static G_L (tolerance 10⁻³: terms of order (ωτ)²)", static_gain,
                 float(ds.gain_start), rtol=1e-3, source="theory", cite=LIMIT),
        ck.at_most(f"dark gain G over {n} cycles: |dynamic − continuous-step flow of the linear "
                   "map|, largest (tolerance 10⁻³: the dynamic terms of order ωδ, (ωτ)²)", 1e-3,
                   float(np.abs((g - G) - z[:, 0]).max()), source="theory", cite=FLOW),
        ck.at_most(f"dark gain G over {n} cycles: |dynamic − the vor model's per-cycle map|, "
                   "largest, at most the map's own O(η) step error |map − flow| = "
                   f"{map_vs_flow:.4f} + 10⁻³", map_vs_flow + 1e-3,
                   float(np.abs(G - G_static).max()), source="theory", cite=LIMIT),
        ck.at_most(f"nucleus gain D over {n} cycles: |dynamic − vor model| (tolerance 10⁻³)", 1e-3,
                   float(np.abs(ds.D - ds.D_static).max()), source="theory", cite=LIMIT),
    ]


def plot_static(ds: xr.Dataset):
    fig, ax = figure(1, 2, title=f"The static limit: the dynamic VOR at {ds.attrs['frequency']:g} "
                                 "Hz against Coenen's static model")
    z = flow(ds)
    g = ds.attrs["g"]
    ax[0, 0].plot(ds.cycle, dark_gain(ds, ""), color="C0", lw=2.5, alpha=0.6, label="dynamic model")
    ax[0, 0].plot(ds.cycle, dark_gain(ds, "_static"), "k.", ms=4, label="static model (vor), per-cycle map")
    ax[0, 0].plot(ds.cycle, g - z[:, 0], color="C3", ls="--", lw=1, label="linear map, continuous step")
    ax[0, 0].set(xlabel="time [cycle]", ylabel="VOR gain G [dimensionless]", title="gain (dark test)")
    ax[0, 1].plot(ds.cycle, ds.A, color="C0", lw=2.5, alpha=0.6, label="A, dynamic")
    ax[0, 1].plot(ds.cycle, ds.A_static, "k.", ms=4, label="A, static")
    ax[0, 1].plot(ds.cycle, ds.D, color="C2", lw=2.5, alpha=0.6, label="D, dynamic")
    ax[0, 1].plot(ds.cycle, ds.D_static, "k+", ms=4, label="D, static")
    ax[0, 1].set(xlabel="time [cycle]", ylabel="gain [dimensionless]", title="cortex A and nucleus D")
    for a, letter in zip(ax[0], "AB", strict=True):
        a.legend(fontsize=8)
        panel_letter(a, letter)
    return fig


register(Experiment(
    name="dvor-static",
    reproduces="Beyond the papers: the dynamic VOR's static limit, Coenen 1993's Fig 4 gain-up at "
               "0.01 Hz against the static model's gain formula and linear map",
    params=StaticLimitParams, run=run_static, plot=plot_static, checks=checks_static))
