"""Coenen, Sejnowski & Lisberger's local rules for the VOR gains (1993, Fig 3), per cycle with
∫h² dt = 1. Each site learns from signals it receives:

    ΔA = −η_A v (gh + e)/h                      cortex (rule ``local``, Fig 3 top)
    ΔD =  η_D [(1 − q) cf − q P]/h               nucleus (`nucleus_update`, Fig 3 bottom)

The cortex (gain A of the vestibular mossy fibres onto P) learns from the visual mossy-fibre
error −v(gh + e): as a rule of the rules layer, the signed error it receives is the climbing-
fibre error e = (gh + e)/h, and ΔA = −η_A v e. The vestibular nucleus (gain D) learns from its
climbing-fibre term cf (Coenen: cf = (gh + e)/h) and the Purkinje inhibition P, mixed by q. In
the dark the visual and climbing-fibre signals are silent: ΔA = 0 and ΔD = −η_D q P_dark, unless
nucleus learning is gated by vision (the paper's remedy, §6).
"""

import numba
import numpy as np

from .base import Rule, register_rule


@numba.njit(cache=True)
def perturb(u, prm):  # pragma: no cover - compiled
    return 0.0


@numba.njit(cache=True)
def update(E, e, J, mu, state, prm):  # pragma: no cover - compiled
    """ΔA = −η_A v e (prm = η_A, v)."""
    return -prm[0] * prm[1] * e, 0.0, 0.0, 0.0


LOCAL = register_rule(Rule(name="local", perturb=perturb, update=update, constants=("eta_A", "v"),
                           models=("vor",), perturbs=False,
                           doc="Coenen 1993 Fig 3: the cortical gain learns from the visual "
                               "mossy-fibre error"))


def nucleus_update(P, cf, q, eta_D, gate=False):
    """ΔD = η_D [(1 − q) cf − q P] (Fig 3, bottom), 0 where ``gate`` (arrays broadcast)."""
    return np.where(gate, 0.0, eta_D * ((1.0 - q) * cf - q * P))
