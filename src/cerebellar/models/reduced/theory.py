"""Closed forms of the reduced model (Bouvier et al. 2018, Appendix 1, Eqs 27-35): the
lines and corridors of the (P, 𝒥) plane, the corridor speeds, the fixed point."""

from __future__ import annotations

import numpy as np


def lines(P, A, q, R):
    """𝒥 on the lines C+, C−, D+, D− at P: C± = (q ± 1)(P + A) ∓ R, D± = (q ± 1)P ∓ R (Appendix 1
    and Fig 9B; the model reference, 'Reduced model lines and corridors')."""
    P = np.asarray(P, float)
    return {"C+": (1 + q) * (P + A) - R, "C-": R - (1 - q) * (P + A),
            "D+": (1 + q) * P - R, "D-": R - (1 - q) * P}


def upper_boundary(beta, q):
    """ρ = β/[(q + 1) + 2β]: D+ below it, C+ above it (Appendix 1, Eqs 32-33; Fig 9C; the model
    reference, 'Reduced model corridor speeds')."""
    return beta / ((q + 1.0) + 2.0 * beta)


def lower_boundary(beta, q):
    """ρ = β/(2β + q − 1), meaningful for β > 1 − q: C− above it, D− below it (Appendix 1,
    Eqs 34-35; Fig 9C, whose printed D− condition is read as a typo: the model reference,
    'Reduced model corridor speeds')."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(beta > 1 - q, beta / (2.0 * beta + q - 1.0), np.inf)


def regime(rho, beta, q):
    """Lines followed above and below the target: ('D+' or 'C+', 'D-' or 'C-' or 'C+').

    Below the target, β < (1 − q)ρ is the excluded domain where the point crosses D− and ends
    in the upper corridor (Appendix 1—figure 1E): reported as 'C+'.
    """
    rho, beta = np.broadcast_arrays(np.asarray(rho, float), np.asarray(beta, float))
    upper = np.where(rho < upper_boundary(beta, q), "D+", "C+")
    lower = np.where((beta > 1 - q) & (rho > lower_boundary(beta, q)), "C-", "D-")
    lower = np.where(beta < (1 - q) * rho, "C+", lower)
    return upper, lower


def corridor_speed(rho, dP, dJ, q):
    """Mean change of P per trial in the corridors, Eqs 32-35: (V_upper, V_lower)."""
    beta = dJ / dP
    up, low = regime(rho, beta, q)
    v_up = np.where(up == "D+", -rho * dP, -(1 - rho) * dJ / (1 + q + beta))
    with np.errstate(divide="ignore", invalid="ignore"):
        v_low = np.where(low == "C-", (1 - rho) * dJ / (beta + q - 1), rho * dP)
    v_low = np.where(low == "C+", np.nan, v_low)
    return v_up, v_low


def d_minus_excursion(rho, dP, dJ, q):
    """Depth Δ𝒥²/(2d) of 𝒥's excursions below D− in the lower corridor, where d = (1 − 2ρ)Δ𝒥 +
    (1 − q)ρΔP is the mean drift that pulls 𝒥 back to D− per trial (unperturbed trials raise it by
    Δ𝒥, perturbed ones lower it by Δ𝒥 while D− itself falls by (1 − q)ΔP). Eq 35 assumes every
    perturbed update there is +ΔP, which holds while these excursions stay well above C−, i.e. the
    depth is small against the corridor width (1 − q)A: the quantitative form of the Appendix 1—
    figure 1 legend's caveat ("less accurate for D− when the corridor width is not much greater
    than ΔP and Δ𝒥"). Infinite where d ≤ 0."""
    drift = (1 - 2 * rho) * dJ + (1 - q) * rho * dP
    return np.where(drift > 0, dJ * dJ / (2 * np.maximum(drift, 1e-300)), np.inf)


def entry_conditions(A, dP, dJ, q):
    """Eq 29: A > Δ𝒥/(q + 1) + ΔP and Eq 30: A(1 − q) > Δ𝒥 (one step cannot jump a corridor)."""
    return (A > dJ / (q + 1) + dP), (A * (1 - q) > dJ)


def fixed_point(A, q, R):
    """Intersection of C+ and D− for q < 1: (R − A(q + 1)/2, qR + (1 − q²)A/2) (Appendix 1,
    Phase 3; Fig 9F; the model reference, 'Reduced model fixed point')."""
    return R - A * (q + 1) / 2, q * R + (1 - q * q) * A / 2
