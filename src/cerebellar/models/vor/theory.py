"""Closed-form results of the static VOR model (the model reference, 'VOR closed forms').

All functions broadcast over arrays. Notation: r = η_A/η_D, z = (g − G, g − D). The per-cycle map
is exactly z ← (I − η_D K̃) z with the matrix K̃ derived in the model reference,
'VOR linearisation and time scales'; its small-η limit is dz/dt = −η_D K̃ z.
"""

from __future__ import annotations

import numpy as np

from cerebellar.models.vor.params import MODEL
from cerebellar.rules import BatchRule, get_rule, nucleus_update

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


def purkinje_light(A, D, g, b, v):
    """P/h in the light: (A − bD − v(g − D)) / (1 − b + v)   (Fig 3, "Purkinje signal")."""
    return (A - b * D - v * (g - D)) / (1.0 - b + v)


def purkinje_dark(A, D, b):
    """P/h in the dark (v = 0): (A − bD) / (1 − b)."""
    return (A - b * D) / (1.0 - b)


def gain_dark(A, D, b):
    """VOR gain in the dark, G = (D − A) / (1 − b)   (paper §2). Equals N_dark / h."""
    return (D - A) / (1.0 - b)


def gain_light(A, D, g, b, v):
    """VOR gain in the light, G_L = −e/h = (D − A + g v) / (1 − b + v), derived (the model
    reference, 'VOR closed-form responses')."""
    return (D - A + g * v) / (1.0 - b + v)


def slip(A, D, g, b, v):
    """Climbing-fibre error (g h + e)/h = (g − D) + P/h; retinal slip is its negative (Fig 2
    caption; the identity is derived in the model reference, 'VOR closed-form responses')."""
    return (g - D) + purkinje_light(A, D, g, b, v)


def learning_step(A, D, g, b, v, q, eta_A, eta_D, *, light=True, gate_nucleus=False):
    """One cycle's updates (ΔA, ΔD) by Coenen's local rules (rule ``local`` and
    `nucleus_update`), fed the loop's signals: in the light P = P_light
    and the climbing-fibre error (gh + e)/h = (g − D) + P_light (Fig 3); in the dark P = P_dark
    with the visual and climbing-fibre signals silent (paper §6; the model reference,
    'Light, dark and gating'), nucleus learning optionally gated by vision."""
    A, D = np.asarray(A, float), np.asarray(D, float)
    shape = np.broadcast(A, D, g, b, v, q, eta_A, eta_D).shape
    local = BatchRule(get_rule("local", MODEL), dict(eta_A=eta_A, v=v), shape)
    P = purkinje_light(A, D, g, b, v) if light else purkinje_dark(A, D, b)
    cf = (g - D) + P if light else np.zeros(shape)
    dA = local.update(np.abs(cf), cf, 0.0)[0]
    return dA, nucleus_update(P, cf, q, eta_D, np.logical_and(gate_nucleus, not light))


def loop_solution(A: float, D: float, g: float, b: float, v: float) -> np.ndarray:
    """(P, N, e) per unit h from the loop equations of Fig 2 as a 3×3 linear system."""
    M = np.array([[1.0, 0.0, -(b - v)], [1.0, 1.0, 0.0], [0.0, 1.0, 1.0]])
    return np.linalg.solve(M, np.array([A - v * g, D, 0.0]))


def fixed_gain(g, xi, q_no, b):
    """G* = g + ξ(1 + q_NO)/(2(1 − b)): Bouvier's fixed point mapped into the dark gain."""
    return g + xi * (1 + q_no) / (2 * (1 - b))


def map_z(b: float, v: float, q: float, eta_A: float, eta_D: float, z0: np.ndarray, t: int
          ) -> np.ndarray:
    """z_t = (I − η_D K̃)^t z₀, z = (g − G, g − D): the exact linear map of the Fig 3 rules."""
    M = np.eye(2) - eta_D * transfer_matrix(b, v, q, eta_A / eta_D)
    return np.linalg.matrix_power(M, t) @ z0
