"""Parameters of the dynamic VOR model: Coenen, Sejnowski & Lisberger's static loop (1993,
Fig 2) in continuous time, with a granule-layer filter bank, a first-order oculomotor plant and
a delayed climbing-fibre error (the model reference, 'Dynamic VOR model')."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from cerebellar.core.errors import ParameterError
from cerebellar.core.params import Params, Settings, param
from cerebellar.rules import rule_param, rule_settings_param

MODEL = "dynamic_vor"
"""The name rules know this model by (their ``models`` and per-model ``defaults``)."""

MAX_STEPS = 50_000_000
"""Most integration steps of one run (duration / dt)."""


@dataclass(frozen=True)
class DynamicVORParams(Params):
    """One run of the dynamic VOR: stimulus, circuit, plant, delay, learning (the model
    reference, 'Dynamic VOR model', lists every equation and every unstated choice)."""

    dt: float = param(0.001, low=1e-5, high=0.01, units="s", doc="integration step")
    duration: float = param(60.0, low=0, high=1e7, low_open=True, units="s",
                            doc="simulated time of learning")
    stimulus: str = param("sine", choices=("sine", "broadband"),
                          doc="head velocity h(t): one sine of 'frequency', or 'n_sines' sines "
                              "log-spaced over f_min..f_max with random phases (unit RMS)")
    frequency: float = param(1.0, low=0.01, high=100, units="Hz", doc="frequency of the sine stimulus")
    n_sines: int = param(16, low=2, high=200, doc="broadband: number of sines")
    f_min: float = param(0.1, low=0.01, high=100, units="Hz", doc="broadband: lowest frequency")
    f_max: float = param(25.0, low=0.01, high=100, units="Hz", doc="broadband: highest frequency")
    g: float = param(1.0, low=-10, high=10, doc="desired VOR gain (the optics: 1.6 or 0.5 with spectacles)")
    tau_plant: float = param(0.2, low=0.001, high=10, units="s",
                             doc="time constant τ_p of the oculomotor plant Pl(s) = 1/(τ_p s + 1)")
    tau_model: float = param(0.2, low=0.001, high=10, units="s",
                             doc="the plant time constant the brainstem was calibrated for "
                                 "(initial d = (1, 1)) and the eligibility's model of the plant")
    b: float = param(0.0, low=0, high=1, high_open=True,
                     doc="eye-velocity efference-copy gain onto P (Coenen's b; fixed)")
    v: float = param(0.0, low=0, high=100,
                     doc="gain of the visual mossy fibres' slip onto P (Coenen's v; fixed, δ old)")
    delay: float = param(0.1, low=0, high=1, units="s",
                         doc="delay δ of the climbing-fibre error e(t) = s(t − δ)")
    basis: str = param("bank", choices=("bank", "pair", "h"),
                       doc="granule-layer signals: 'bank' (h, τ_model ḣ and n_basis − 2 low-pass "
                           "filters of ḣ, each of unit RMS under the broadband stimulus), 'pair' "
                           "(h and ḣ/2πf, scaled so that each moves the eye by 1 at f) or 'h' "
                           "(Coenen's single vestibular mossy fibre)")
    n_basis: int = param(8, low=2, high=64, doc="bank: number of granule-layer signals K")
    tau_min: float = param(0.005, low=1e-4, high=100, units="s", doc="bank: shortest low-pass time constant")
    tau_max: float = param(0.5, low=1e-4, high=100, units="s", doc="bank: longest low-pass time constant")
    eligibility: str = param("filtered_x", choices=("filtered_x", "x"),
                             doc="what a parallel fibre's eligibility y_k is: its signal through the "
                                 "plant model ('filtered_x', the exact gradient at δ = 0) or the "
                                 "signal itself ('x')")
    trace: float = param(0.0, low=0, high=1, units="s",
                         doc="eligibility trace: a synapse learns from y_k(t − trace) (trace = delay: "
                             "matched to the error's delay)")
    rule: str = rule_param("decorrelation", MODEL,
                           doc="rule of the cortical weights a_k (cerebellar.rules)")
    gamma: float = param(0.0, low=0, high=100, units="1/s",
                         doc="learning rate γ of the brainstem weights d_j (0: fixed brainstem)")
    q: float = param(1.0, low=0, high=1,
                     doc="brainstem rule: share of the Purkinje signal (1: Porrill & Dean's rule) "
                         "against the climbing-fibre error (0), as Coenen's q")
    trial: float = param(1.0, low=1e-3, high=100, units="s",
                         doc="rules with perturbations: length of a trial, after which the olive "
                             "judges the trial's error ℰ = RMS(e) and the synapses change")
    bin_width: float = param(0.05, low=1e-4, high=100, units="s",
                             doc="rules with perturbations: a perturbation (pCS) lasts one bin")
    A: float = param(0.1, low=0, high=10,
                     doc="rules with perturbations: amplitude of a perturbation of P (per unit h)")
    rho: float = param(0.1, low=0, high=1, doc="SGDEGE: pCS probability per bin")
    alpha_w: float = param(0.5, low=0, high=1e4, units="1/s",
                           doc="SGDEGE: Δa_k = −α_w c ∫ s x_k dt per trial (Eq 38)")
    alpha_v: float = param(0.002, low=0, high=10,
                           doc="SGDEGE: change of the olive's ℐ per trial (Eq 39)")
    record_every: float = param(0.5, low=1e-5, high=1e6, units="s",
                                doc="interval of the recorded weights and RMS slip")
    rule_settings: Settings = rule_settings_param(MODEL)

    SCALE: ClassVar[tuple[str, ...]] = ("duration",)
    STEP_PARAMS: ClassVar[tuple[str, ...]] = ("gamma",)
    NOT_STATED: ClassVar[dict[str, str]] = {
        "model": "Coenen 1993 names the dynamic model without giving it; Porrill & Dean 2007 fix "
                 "the task (plant change, 100 ms error delay). The granule bank, the plant order "
                 "and τ_p = 0.2 s, the brainstem's signals z = (h, τ_model ḣ) and the first-order-"
                 "hold integration are this package's choices (the model reference, 'Dynamic VOR "
                 "model')",
        "start": "the run starts in the steady state of its initial weights (filters, plant and "
                 "the delay line as if the stimulus had always been on): no start-up transient",
    }

    def validate(self) -> None:
        for name in ("delay", "trace"):
            steps = getattr(self, name) / self.dt
            if abs(steps - round(steps)) > 1e-6:
                raise ParameterError(f"parameter '{name}' = {getattr(self, name)!r} is not a whole "
                                     f"number of steps dt = {self.dt!r}")
        if self.duration / self.dt > MAX_STEPS:
            raise ParameterError(f"parameter 'duration' = {self.duration!r} is out of range: "
                                 f"allowed at most {MAX_STEPS:,} steps of dt")
        if self.f_min >= self.f_max:
            raise ParameterError(f"parameter 'f_max' = {self.f_max!r} is out of range: allowed > "
                                 f"f_min = {self.f_min!r}")
        if self.tau_min >= self.tau_max:
            raise ParameterError(f"parameter 'tau_max' = {self.tau_max!r} is out of range: "
                                 f"allowed > tau_min = {self.tau_min!r}")
        for name, unit, of in (("bin_width", self.dt, "dt"), ("trial", self.bin_width, "bin_width")):
            steps = getattr(self, name) / unit
            if abs(steps - round(steps)) > 1e-6:
                raise ParameterError(f"parameter '{name}' = {getattr(self, name)!r} is not a whole "
                                     f"number of {of} = {unit!r}")
        top = self.f_max if self.stimulus == "broadband" else self.frequency
        if top * self.dt > 0.05:
            raise ParameterError(f"parameter 'dt' = {self.dt!r} is out of range: allowed at most "
                                 f"1/(20 f) = {0.05 / top:.3g} s for the highest frequency {top:g} Hz")

    def memory_bytes(self, runs: int = 1) -> tuple[int, tuple[str, ...]]:
        """Memory of one `simulate` call over ``runs`` batched runs: each run's records (K + 3
        values per record) and its perturbation draws (two per bin)."""
        records = int(self.duration / self.record_every) + 2
        bins = int(self.duration / self.bin_width) + 2
        return 8 * runs * (records * (self.n_basis + 4) + 2 * bins), ("duration", "record_every")


