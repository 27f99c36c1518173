"""Parameters of the static VOR model (Coenen, Sejnowski & Lisberger 1993, Figs 2-4)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from cerebellar.core.errors import ParameterError
from cerebellar.core.params import Params, Settings, param
from cerebellar.rules import (
    rule_param,
    rule_settings_param,
)

MODEL = "vor"
"""The name rules know this model by (their ``models`` and per-model ``defaults``)."""


@dataclass(frozen=True)
class VORParams(Params):
    """Parameters of the static VOR model; defaults are those of the Fig 4 legend (the model
    reference, 'VOR parameters')."""

    g: float = param(1.6, low=-10, high=10,
                     doc="desired VOR gain set by the optics (x2 magnifiers: 1.6, Fig 4)")
    b: float = param(0.88, low=0, high=1, high_open=True,
                     doc="eye-velocity efference-copy gain onto P (fixed)",
                     why="b = 1 makes 1 - b singular")
    v: float = param(1.0, low=0, high=100, doc="visual mossy-fibre error gain onto P (fixed)")
    q: float = param(0.01, low=0, high=1,
                     doc="share of N learning driven by P (1) rather than climbing fibres (0)")
    eta_A: float = param(0.1, low=0, high=10, units="1/cycle",
                         doc="learning rate of A (cerebellar cortex)")
    eta_D: float = param(0.01, low=0, high=10, units="1/cycle",
                         doc="learning rate of D (vestibular nucleus)")
    A0: float = param(0.88, low=-100, high=100, doc="initial A (g = 1 equilibrium: b D0)")
    D0: float = param(1.0, low=-100, high=100, doc="initial D")
    n_cycles: int = param(2000, low=1, high=10_000_000, units="cycle",
                          doc="number of learning cycles")
    light_cycles: int = param(0, low=0, high=10_000_000, units="cycle",
                              doc="cycles in the light per schedule period")
    dark_cycles: int = param(0, low=0, high=10_000_000, units="cycle",
                             doc="cycles in the dark per schedule period (0: always light)")
    gate_nucleus: bool = param(False, doc="gate nucleus (D) learning by vision: no D change in the dark")
    off_cycle: int = param(0, low=0, high=10_000_000, units="cycle",
                           doc="cycle at which the spectacles come off and g returns to 1 (0: never)")
    rule: str = rule_param("local", MODEL,
                           doc="rule of the cortical gain A (cerebellar.rules): Coenen's 'local' "
                               "rule, 'sgdege' (perturbations, an unsigned error and an olive), or "
                               "another package's")
    rho: float = param(0.2, low=0, high=1, doc="SGDEGE: pCS probability per cycle")
    xi: float = param(0.01, low=0, high=10, doc="SGDEGE: pCS perturbation of P per unit head velocity")
    alpha_w: float = param(0.001, low=0, high=10, doc="SGDEGE: change of A per pCS (Eq 38)")
    alpha_v: float = param(0.002, low=0, high=10, doc="SGDEGE: change of the olive drive V (Eq 39)")
    q_no: float = param(0.5, low=0, high=10,
                        doc="SGDEGE: PC→NO weight of the olive's inhibition ℐ = V − q_NO p")
    V0: float = param(0.0, low=-100, high=100, doc="SGDEGE: initial olive drive V")
    ecs_weight: float = param(0.01, low=0, high=10,
                              doc="SGDEGE: the nucleus's climbing-fibre term κ c per eCS sign c")
    rule_settings: Settings = rule_settings_param(MODEL)

    FULL: ClassVar[dict[str, Any]] = {"n_cycles": 60_000}
    STEP_PARAMS: ClassVar[tuple[str, ...]] = ("eta_A", "eta_D", "alpha_w", "alpha_v", "xi")
    SCALE: ClassVar[tuple[str, ...]] = ("n_cycles",)
    NOT_STATED: ClassVar[dict[str, str]] = {
        "eta_A": "not given in the paper; 0.1 reproduces 'G reaches 1.6 within 60 steps' and Fig 5 "
                 "(the 60 steps are Fig 4's; the model reference, 'VOR choices not stated in the paper')",
        "eta_D": "eta_A / r with r = 10 (Fig 4 legend)",
        "sgdege": "SGDEGE on the VOR is beyond the papers (the model reference, 'SGDEGE on the VOR'): "
                  "pCS on a fraction ρ of cycles adding ξ to P inside the loop; error |slip| of the cycle "
                  "(silent in the dark); olive ℐ = V − q_NO p with V learnt by ±α_v (Eq 39), neither "
                  "rectified since Coenen's signals are deviations from resting rates; the nucleus's "
                  "climbing-fibre term κ c, c = ±1 the eCS sign, on lit cycles only. Ratios of "
                  "Fig 9E,F: ξ = 10 α_w, α_v = 2 α_w, ρ = 0.2, q_NO = 0.5",
    }

    def memory_bytes(self, runs: int = 1, record_every: int = 1) -> tuple[int, tuple[str, ...]]:
        """Memory of one `simulate` call over ``runs`` batched runs recording every
        ``record_every`` cycles: 16 float64 variables per run and record, the cycle → record
        index (one int per cycle) and a dozen per-run state arrays."""
        records = self.n_cycles // record_every + 2
        return 8 * (self.n_cycles + 1) + 8 * runs * (16 * records + 12), ("n_cycles",)

    @property
    def r(self) -> float:
        """Ratio of learning rates r = η_A / η_D (Fig 4, Fig 6)."""
        return self.eta_A / self.eta_D if self.eta_D else float("inf")

    def validate(self) -> None:
        if self.dark_cycles > 0 and self.light_cycles + self.dark_cycles == 0:
            raise ParameterError("light_cycles + dark_cycles must be > 0")
