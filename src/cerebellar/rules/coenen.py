"""Coenen, Sejnowski & Lisberger's local rules for the VOR gains (1993, Fig 3), per cycle with
∫h² dt = 1. Each site learns from signals it receives: the cortex (gain A of the vestibular mossy
fibres onto P) from the visual mossy-fibre error −v(gh + e); the vestibular nucleus (gain D) from
the climbing-fibre error (gh + e) and the Purkinje inhibition P, mixed by q:

    ΔA = −η_A v (gh + e)/h                      (Fig 3, top)
    ΔD =  η_D [(1 − q)(gh + e) − q P]/h          (Fig 3, bottom)

In the dark the visual and climbing-fibre signals are silent (v = 0, gh + e = 0): ΔA = 0 and
ΔD = −η_D q P_dark, unless nucleus learning is gated by vision (the paper's remedy, §6).
"""

import numpy as np


def coenen_updates(P, cf_error, v, q, eta_A, eta_D, gate_nucleus=False):
    """(ΔA, ΔD) from the Purkinje response ``P`` and the climbing-fibre error ``cf_error`` =
    (gh + e)/h, both per unit head velocity; ``gate_nucleus`` sets ΔD to 0 (arrays broadcast)."""
    dA = -eta_A * v * cf_error
    dD = eta_D * ((1.0 - q) * cf_error - q * P)
    return dA, np.where(gate_nucleus, 0.0, dD)
