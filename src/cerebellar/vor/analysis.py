"""Closed-form results of the static VOR model (the model reference, 'VOR closed forms').

All functions broadcast over arrays. Notation: r = η_A/η_D, z = (g − G, g − D). The per-cycle map
is exactly z ← (I − η_D K̃) z with the matrix K̃ derived in the model reference,
'VOR linearisation and time scales'; its small-η limit is dz/dt = −η_D K̃ z.
"""

from __future__ import annotations

import numpy as np

from .model import gain_dark

# -- equilibria (paper §4; the model reference, 'VOR equilibria') ------------------------------


def equilibrium(g, b):
    """Unique fixed point for q ≠ 0, v ≠ 0: A* = b g, D* = g (so P* = 0, G* = g) (paper §4)."""
    return b * np.asarray(g, float), np.asarray(g, float)


def end_state_q0(g, b, v, r, A0=0.88, D0=1.0):
    """End point on the q = 0 line of equilibria (G = g), reached along ΔD/ΔA = −1/(r v).

    Returns (A∞, D∞, P∞) with D∞ = D0 + (g − G0)(1 − b)/(1 + r v),
    A∞ = A0 − (g − G0)(1 − b) r v/(1 + r v), P∞ = −(g − D∞): no transfer, as in Fig 5 (right,
    q = 0); the closed form is derived (the model reference, 'VOR equilibria').
    """
    shift = (g - gain_dark(A0, D0, b)) * (1.0 - b) / (1.0 + r * v)
    D_end = D0 + shift
    return A0 - shift * r * v, D_end, -(g - D_end)


# -- linearisation (the model reference, 'VOR linearisation and time scales') ------------


def transfer_matrix(b, v, q, r):
    """K̃ (shape ``(..., 2, 2)``) of dz/dt = −η_D K̃ z for z = (g − G, g − D)."""
    b, v, q, r = np.broadcast_arrays(*(np.asarray(x, float) for x in (b, v, q, r)))
    c = 1.0 - b + v
    K = np.empty((*b.shape, 2, 2))
    K[..., 0, 0] = (r * v + 1.0 - 2.0 * q) / c
    K[..., 0, 1] = q / (1.0 - b)
    K[..., 1, 0] = (1.0 - 2.0 * q) * (1.0 - b) / c
    K[..., 1, 1] = q
    return K


def eigenvalues(b, v, q, r):
    """Eigenvalues (λ₁, λ₂) of K̃, λ± = [T ± sqrt(T² − 4Δ)]/2 (complex when T² < 4Δ)."""
    K = transfer_matrix(b, v, q, r)
    T = K[..., 0, 0] + K[..., 1, 1]
    det = K[..., 0, 0] * K[..., 1, 1] - K[..., 0, 1] * K[..., 1, 0]
    root = np.sqrt((T * T - 4.0 * det).astype(complex))
    return (T + root) / 2.0, (T - root) / 2.0


def multipliers(b, v, q, eta_A, eta_D):
    """Multipliers 1 − η_D λ of the per-cycle map, and time constants −1/ln|μ| in cycles."""
    lam1, lam2 = eigenvalues(b, v, q, np.asarray(eta_A) / np.asarray(eta_D))
    mu = np.stack([1.0 - eta_D * lam1, 1.0 - eta_D * lam2])
    with np.errstate(divide="ignore"):
        tau = -1.0 / np.log(np.abs(mu))
    return mu, tau


def stable_continuous(b, v, q, r):
    """Small-η stability: trace T > 0 and det Δ > 0, i.e. r v + 1 > q(1 + b − v) (derived: the
    model reference, 'VOR stability')."""
    K = transfer_matrix(b, v, q, r)
    T = K[..., 0, 0] + K[..., 1, 1]
    det = K[..., 0, 0] * K[..., 1, 1] - K[..., 0, 1] * K[..., 1, 0]
    return (T > 0) & (det > 0)


def spectral_radius(b, v, q, eta_A, eta_D):
    """Spectral radius of I − η_D K̃: the per-cycle map is stable iff it is < 1."""
    mu, _ = multipliers(b, v, q, eta_A, eta_D)
    return np.abs(mu).max(axis=0)


def eta_A_limits(b, v, q, r):
    """η_A below which the map is monotone (η_D λ₁ < 1) and stable (η_D λ₁ < 2), real λ (derived:
    the model reference, 'VOR stability')."""
    lam1 = eigenvalues(b, v, q, r)[0].real
    return r / lam1, 2.0 * r / lam1


# -- overshoot of G (Fig 6, paper §5; the model reference, 'VOR overshoot') ---------------


def overshoot_paper(g, b, v, q, r):
    """The paper's Fig 6 formula ε = (g − 1) q (1 − b + v) / [(1 − b)(r v + 1 − 2q)].

    Quasi-steady-state approximation (D held at D0 = 1 until the peak); diverges at r v = 2q − 1.
    """
    with np.errstate(divide="ignore"):
        return (np.asarray(g) - 1.0) * q * (1.0 - b + v) / ((1.0 - b) * (r * v + 1.0 - 2.0 * q))


def overshoot_exact(g, b, v, q, r):
    """Exact small-η overshoot max_t (G − g) of the linear system, starting from G0 = D0 = 1.

    Real eigenvalues: ẽ(t) = a₁e^{−λ₁t} + a₂e^{−λ₂t} with a₁ = (S − λ₂)/(λ₁ − λ₂),
    a₂ = (λ₁ − S)/(λ₁ − λ₂), S = K̃₁₁ + K̃₁₂; peak at t* = ln(−λ₁a₁/(λ₂a₂))/(λ₁ − λ₂) and
    ε = −a₂e^{−λ₂t*}(1 − λ₂/λ₁); none if a₂ ≥ 0 (derived: the model reference, 'VOR overshoot').
    Complex λ = α ± iω: ẽ(t) = e^{−αt}(cos ωt + B sin ωt), B = (α − S)/ω; the deepest minimum is
    the first extremum with ẽ < 0.
    Returns ``|g − 1|`` times the overshoot of the unit problem (undershoot for g < 1); ``inf``
    where the system is unstable.
    """
    b, v, q, r, g = np.broadcast_arrays(*(np.asarray(x, float) for x in (b, v, q, r, g)))
    K = transfer_matrix(b, v, q, r)
    S = K[..., 0, 0] + K[..., 0, 1]
    lam1, lam2 = eigenvalues(b, v, q, r)
    unit = np.zeros(b.shape)
    with np.errstate(all="ignore"):
        real = lam1.imag == 0
        l1, l2 = lam1.real, lam2.real
        a2 = (l1 - S) / (l1 - l2)
        a1 = 1.0 - a2
        t_star = np.log(-l1 * a1 / (l2 * a2)) / (l1 - l2)
        eps_real = -a2 * np.exp(-l2 * t_star) * (1.0 - l2 / l1)
        unit = np.where(real & (a2 < 0), eps_real, unit)
        alpha, omega = lam1.real, np.abs(lam1.imag)
        B = (alpha - S) / omega
        theta = np.mod(np.arctan((B * omega - alpha) / (alpha * B + omega)), np.pi)
        extrema = []
        for k in (0, 1):
            t = (theta + k * np.pi) / omega
            extrema.append(-np.exp(-alpha * t) * (np.cos(omega * t) + B * np.sin(omega * t)))
        eps_complex = np.maximum(np.maximum(*extrema), 0.0)
        unit = np.where(real, unit, eps_complex)
    T = K[..., 0, 0] + K[..., 1, 1]
    det = K[..., 0, 0] * K[..., 1, 1] - K[..., 0, 1] * K[..., 1, 0]
    unit = np.where((T > 0) & (det >= 0), unit, np.inf)  # q = 0 (det = 0) is marginal, not unstable
    return np.abs(g - 1.0) * unit


def peak_identity(g, b, v, q, r, D_peak):
    """At the extremum of G: G_peak − g = q(1 − b + v)(g − D_peak)/[(1 − b)(r v + 1 − 2q)]."""
    return q * (1.0 - b + v) * (g - D_peak) / ((1.0 - b) * (r * v + 1.0 - 2.0 * q))


# -- learning in the dark (paper §6; the model reference, 'Learning in the dark') -----------


def dark_growth_factor(b, q, eta_D):
    """Per-cycle factor of D − A/b in the dark without gating: 1 + η_D q b/(1 − b)."""
    return 1.0 + eta_D * q * b / (1.0 - b)


# -- behavioural fits (Fig 1) --------------------------------------------------------------


def monkey_gain_down(t_days, tau_days, plateau=0.73, amplitude=0.27):
    """The Fig 1 fit of the x0.5-spectacle monkey data: Gain = 0.73 + 0.27 e^(−t/τ)."""
    return plateau + amplitude * np.exp(-np.asarray(t_days, float) / tau_days)
