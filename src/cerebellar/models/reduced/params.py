"""Parameters of the reduced (P, 𝒥) model of SGDEGE (Bouvier et al. 2018, Appendix 1, Fig 9)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from cerebellar.core.params import Params, param


@dataclass(frozen=True)
class ReducedParams(Params):
    """Parameters of the reduced model; defaults are those of the Fig 9E,F legend (the model
    reference, 'Reduced model parameters')."""

    A: float = param(10.0, low=0, high=1e4, doc="perturbation amplitude")
    dP: float = param(1.0, low=0, high=1e4, doc="ΔP, step of P on a perturbed trial")
    dJ: float = param(2.0, low=0, high=1e4, doc="Δ𝒥, step of the error estimate drive")
    q: float = param(0.5, low=0, high=10, doc="PC→NO relative strength (converges iff q < 1)")
    rho: float = param(0.2, low=0, high=1, doc="perturbation probability per trial")
    R: float = param(50.3, low=-1e6, high=1e6, doc="target (off the ΔP lattice to avoid ties)")
    P0: float = param(100.0, low=0, high=1e6, doc="initial P")
    J0: float = param(0.0, low=0, high=1e6, doc="initial 𝒥")
    n_trials: int = param(1000, low=1, high=100_000_000, units="trial", doc="trials")

    NOT_STATED: ClassVar[dict[str, str]] = {
        "R": "R and the initial points are not stated (the model reference, 'Reduced model choices "
             "not stated in the paper'); R = 50.3 is off the ΔP lattice",
        "n_trials": "trial counts are not stated (the model reference, 'Reduced model choices not "
                    "stated in the paper')",
    }


    def memory_bytes(self, runs: int = 1, record_every: int = 1) -> tuple[int, tuple[str, ...]]:
        """Peak memory of one `simulate` call over ``runs`` batched runs recording every
        ``record_every`` trials: P and 𝒥 (8 bytes each) and a perturbation flag per record, held
        about three times over (the records, the dataset, the file being written)."""
        return 3 * 17 * runs * (self.n_trials // record_every + 2), ("n_trials",)


BATCHABLE = ("A", "dP", "dJ", "q", "rho", "R", "P0", "J0")
