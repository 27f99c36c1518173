"""Parameters of the analog perceptron (Bouvier et al. 2018, Appendix 1, Fig 10)."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any, ClassVar

import numpy as np

from cerebellar.core.errors import ParameterError
from cerebellar.core.params import Params, Settings, param
from cerebellar.rules import rule_param, rule_settings_param

MODEL = "perceptron"
"""The name rules know this model by (their ``models`` and per-model ``defaults``)."""


INITS = ("halfnormal", "constant")


SILENT = 0.1
"""A weight below SILENT × the mean initial weight w̄ counts as near-silent: the rectification
of Eqs 38, 42 makes few weights exactly zero, but near capacity most of them become tiny."""


@dataclass(frozen=True)
class PerceptronModel(Params):
    """The perceptron and its rules (defaults of the Fig 10 legend and Eqs 40-41; the model
    reference, 'Perceptron parameters'), without the run's size."""

    N_M: int = param(1000, low=1, high=1_000_000, doc="number of mossy-fibre inputs")
    f: float = param(0.2, low=0, high=1, low_open=True, high_open=True, doc="coding level")
    P_max: float = param(100.0, low=0, high=1e4, low_open=True, units="Hz", doc="targets ~ U[0, P_max]")
    gamma: float = param(1.0, low=0, high=100, low_open=True, doc="composite parameter γ of θ")
    A: float = param(2.0, low=0, high=1e3, units="Hz", doc="perturbation amplitude")
    rho: float = param(0.2, low=0, high=1, doc="perturbation probability per presentation")
    q: float = param(0.5, low=0, high=10, doc="PC→NO relative strength")
    dP: float = param(0.2, low=0, high=1e3, units="Hz", doc="ΔP (sets α_w by Eq 40)")
    dJ: float = param(0.4, low=0, high=1e3, units="Hz", doc="Δ𝒥 (sets α_v by Eq 41)")
    w_init: str = param("halfnormal", choices=INITS,
                        doc="initial MF→PC weights w: 'halfnormal' (half of them zero) or 'constant'")
    rule_settings: Settings = rule_settings_param(MODEL)

    STEP_PARAMS: ClassVar[tuple[str, ...]] = ("dP", "dJ", "A")
    NOT_STATED: ClassVar[dict[str, str]] = {
        "trials_per_pattern": "each trial is one epoch: every pattern once, in a new random order",
        "w_init": "initial weights are not stated. v_i = w̄ = θ/f + (P_max/2)/(f√N_M), so 𝒥 "
                  "starts at P_max/2. 'halfnormal': w_i ∝ max(0, z), z ~ N(0, 1), scaled to mean "
                  "w̄: half the MF→PC synapses start silent (the truncated-Gaussian shape of the "
                  "capacity theory, Brunel et al. 2004) and outputs start around P_max/2. Only "
                  "zero-weight synapses can give Fig 10A's half-rate depression; 'constant' "
                  "(w_i = w̄) cannot",
        "error": "mean over patterns of |P − R| without perturbation",
        "rule_settings": "the rates of the rules the paper does not run on the perceptron are "
                         "the rules' own defaults on this model (delta.alpha, "
                         "node_perturbation.eta, mai.beta; see cerebellar.rules)",
    }

    @property
    def theta(self) -> float:
        return threshold(self.f, self.gamma, self.N_M, self.P_max)

    @property
    def alpha_w(self) -> float:
        """Eq 40: α_w = ΔP/(f√N_M)."""
        return self.dP / (self.f * math.sqrt(self.N_M))

    @property
    def alpha_v(self) -> float:
        """Eq 41: α_v = Δ𝒥/(f√N_M)."""
        return self.dJ / (self.f * math.sqrt(self.N_M))

    def validate(self) -> None:
        if self.theta < 0:  # √(f/(3(1−f)γ)) < 1/√N_M
            limit = self.f * self.N_M / (3 * (1 - self.f))
            raise ParameterError(f"parameter 'gamma' = {self.gamma:g} is out of range for N_M = "
                                 f"{self.N_M}, f = {self.f:g}: allowed γ <= {limit:g} (θ >= 0)")

    def model_values(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(PerceptronModel)}


@dataclass(frozen=True)
class PerceptronParams(PerceptronModel):
    """One perceptron learning run (the ``perceptron`` experiment)."""

    rule: str = rule_param("sgdege", MODEL,
                           doc="learning rule (cerebellar.rules): SGDEGE (Eqs 37-39), delta (Eq 42), "
                               "node perturbation, Marr-Albus-Ito (Eqs 14-15), or another package's")
    n_patterns: int = param(100, low=1, high=1_000_000, doc="number of patterns p")
    trials_per_pattern: int = param(20_000, low=1, high=100_000_000, units="trial",
                                    doc="trials per pattern (epochs)")
    n_records: int = param(40, low=2, high=10_000, doc="log-spaced trial counts at which errors are recorded")

    FULL: ClassVar[dict[str, Any]] = {"trials_per_pattern": 100_000}

    def memory_bytes(self, lanes: int = 1) -> tuple[int, tuple[str, ...]]:
        """Peak memory of `simulate` training ``lanes`` runs in lockstep on the same patterns:
        drawing the patterns (p·N_M uniform numbers) and their active indices, and each run's
        records and block of presentation orders."""
        p, n = self.n_patterns, self.N_M
        return int(9 * p * n + 8 * self.f * p * n + lanes * (16 * self.n_records + 24 * 256) * p), (
            "n_patterns", "N_M")


def threshold(f, gamma, N_M, P_max):
    """θ = (P_max/2)(√(f/(3(1 − f)γ)) − 1/√N_M) (Fig 10 legend); 12.8526 for the defaults."""
    return (P_max / 2.0) * (np.sqrt(f / (3.0 * (1.0 - f) * gamma)) - 1.0 / np.sqrt(N_M))


BATCHABLE = ("rule", "q", "A", "rho", "dP", "dJ", "rule_settings")
"""Parameters that may differ between runs trained in lockstep (`train_batch`): they
change neither the patterns, the initial weights nor θ."""


MAX_LANES = 8
"""Runs per kernel call (of one or two rules): wider batches are split (in ``benchmarks/perceptron.py``,
8 lanes ran at 54-57 ns per run-presentation, 16 lanes at 65-99: too few vector registers)."""
