"""Parameters of the olivo-cerebellar rate network (Bouvier et al. 2018, Table 2) and its
memory model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from cerebellar.core.errors import ParameterError
from cerebellar.core.params import Params, Settings, param
from cerebellar.rules import rule_param, rule_settings_param

MODEL = "network"
"""The name rules know this model by (their ``models`` and per-model ``defaults``)."""


@dataclass(frozen=True)
class NetworkParams(Params):
    """Table 2 of the paper (the model reference, 'Network parameters'); trials are counted per
    pattern (Fig 8A; the model reference, 'Network choices not stated in the paper')."""

    S: int = param(10, low=1, high=1000, doc="sagittal extent (PCs per column)")
    L: int = param(40, low=1, high=10_000, doc="lateral extent (columns, PN, NO, climbing fibres)")
    T: int = param(10, low=1, high=1000, doc="time bins per movement")
    N: int = param(2000, low=1, high=1_000_000, doc="mossy fibres per sagittal row")
    r_max: float = param(300.0, low=0, high=1e6, low_open=True, units="Hz", doc="maximum rate")
    rho: float = param(0.03, low=0, high=1, doc="pCS probability per climbing fibre per movement")
    A: float = param(2.0, low=0, high=1e4, units="Hz", doc="PC perturbation amplitude")
    alpha_w: float = param(0.02, low=0, high=1e3, doc="MF→PC learning rate (Eq 9)")
    alpha_v: float = param(0.0002, low=0, high=1e3, doc="MF→NO learning rate (Eq 10)")
    q: float = param(0.5, low=0, high=10, doc="PC→NO relative weight (Eq 13)")
    u_m_pn: float = param(2.4, low=0, high=1e4, doc="MF→PN weight (Eq 11: 4TL r_D/(NS))")
    u_pc_pn: float = param(-0.06, low=-1e4, high=0, doc="PC→PN weight (Eq 12: −r_D/(r_PC S))")
    r_pc: float = param(50.0, low=0, high=1e4, low_open=True, units="Hz",
                        doc="mean initial PC rate (initial w ~ U[0, 8T r_pc/N])")
    r_d: float = param(30.0, low=0, high=1e4, low_open=True, units="Hz",
                       doc="mean nuclear rate (targets ~ U[0, 2 r_d])")
    no0: float = param(15.0, low=0, high=1e4, units="Hz",
                       doc="mean initial NO rate (initial v ~ U[0, (no0 + q r_d) 4TL/(NS)])")
    n_patterns: int = param(2, low=1, high=1000, doc="movements learnt in parallel")
    trials_per_pattern: int = param(5000, low=1, high=100_000_000, units="trial",
                                    doc="movements of each pattern (trials counted per pattern)")
    n_profiles: int = param(4, low=2, high=1000, doc="trials at which PN profiles are recorded")
    rule: str = rule_param("sgdege", MODEL,
                           doc="learning rule (cerebellar.rules): SGDEGE (Eqs 7-10), Marr-Albus-Ito "
                               "with a signed (Eqs 14-15) or unsigned error (Fig 2C), delta, node "
                               "perturbation, or another package's")
    shared: float = param(0.0, low=0, high=1,
                          doc="fraction of each movement's active fibres common to all movements "
                              "(same fibres, same bins); the rest drawn at random")
    rule_settings: Settings = rule_settings_param(MODEL)

    FULL: ClassVar[dict[str, Any]] = {"trials_per_pattern": 60_000}
    SCALE: ClassVar[tuple[str, ...]] = ("trials_per_pattern", "n_profiles")
    STEP_PARAMS: ClassVar[tuple[str, ...]] = ("alpha_w", "alpha_v", "A", "rho")
    NOT_STATED: ClassVar[dict[str, str]] = {
        "order": "patterns presented in strict alternation (the model reference, 'Network choices "
                 "not stated in the paper')",
        "shared": "the paper draws each movement's active half of the fibres independently "
                  "(shared = 0: two movements share half their active fibres); shared > 0 is ours, "
                  "to raise the overlap between movements (bouvier2018-patterns)",
        "NO_partner": "each MF's NO partner is its PN partner l(i,s); the Methods say only that each "
                      "fibre contacts 'a single projection neurone and a single nucleo-olivary "
                      "neurone' (the model reference, 'Network choices not stated in the paper')",
        "trials": "a trial is one movement of each pattern (only this gives Fig 8A's 1.4 Hz; the "
                  "model reference, 'Network choices not stated in the paper')",
        "rule_settings": "the rates of the rules the paper does not run on the network are the "
                         "rules' own defaults on this model (delta.alpha, node_perturbation.eta; "
                         "see cerebellar.rules); Table 2 gives mai.beta",
    }

    def memory_bytes(self) -> tuple[int, tuple[str, ...]]:
        """Peak memory of `simulate` (compiled kernel), and the parameters that drive it:
        the overlap counts p²·S·L·T² (int32), the weights and connections L·S·N, and the
        pre-drawn perturbations and records per movement."""
        p, S, L, T, N = self.n_patterns, self.S, self.L, self.T, self.N
        overlaps = overlap_bytes(self)
        if overlaps > OVERLAP_BUDGET:   # the direct kernel: drives D and counts C, the index
            # arrays of the p·S·N/2 active fibres (7 of 8 bytes each), σ as float64 while C is built
            overlaps = 16 * p * S * L * T + 28 * p * S * N + 8 * L * S * N
        weights = 25 * L * S * N
        per_movement = self.records_bytes()
        profiles = 8 * self.n_profiles * p * L * T
        return overlaps + weights + per_movement + profiles, (
            ("n_patterns", "S", "L", "T") if overlaps >= max(weights, per_movement) else
            ("L", "S", "N") if weights >= per_movement else ("n_patterns", "trials_per_pattern", "L"))

    def records_bytes(self) -> int:
        """A run's pre-drawn perturbations and records: 16 L + 64 bytes per movement."""
        return self.n_patterns * self.trials_per_pattern * (16 * self.L + 8 * 8)

    def validate(self) -> None:
        if self.S * self.N < 2:
            raise ParameterError(f"parameter 'N' = {self.N} is out of range: N·S must be >= 2")


def phi(x, r_max):
    """Saturating threshold-linear transfer function: 0 below 0, r_max above (Φ of Eqs 2-4; the
    model reference, 'Network rate equations')."""
    return np.minimum(np.maximum(x, 0.0), r_max)


OVERLAP_BUDGET = 256 * 2**20
"""Largest overlap-count tensor (bytes) the incremental kernel builds; beyond it, the direct
kernel (memory linear in the number of patterns) runs instead."""


def overlap_bytes(p: NetworkParams) -> int:
    """Bytes of the overlap counts K (p²·S·L·T², int32) and their sum over t* (p²·S·L·T)."""
    return 4 * p.n_patterns ** 2 * p.S * p.L * p.T * (p.T + 1)
