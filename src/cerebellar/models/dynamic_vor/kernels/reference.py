"""The dynamic VOR integrated in NumPy, every run of the batch at once (the reference of
`compiled`). Time steps t_n = n dt; signals at t_n:

    h = Σ_m Im ph_m,  ḣ = Σ_m ω_m Re ph_m,  ph_m(t) = A_m e^{i(ω_m t + φ_m)}   head velocity
    x_k = c_k h + c'_k ḣ (instantaneous) or  x_k ← α_k x_k + c'_k (β0_k ḣ_n + β1_k ḣ_{n+1})
    s = g h + E (slip),  e_n = s_{n − L} (climbing fibre and visual slip, L = δ/dt)
    P = Σ_k a_k x_k + b E − v e_n  (efference copy and visual mossy fibres, Coenen's Fig 2)
    m = d_0 h + d_1 τ_model ḣ − P,  E = −p,  p ← α p + β0 m_n + β1 m_{n+1}  (solved for p_{n+1},
        on which m_{n+1} depends through b E, and through v e when δ = 0)
    y_k ← α' y_k + β0' x_k,n + β1' x_k,n+1 (filtered x) or y_k = x_k;  eligibility y_k,n−Ltr
    a_k += dt · u(e_n) · y_k,n−Ltr,  u = the rule's ``update(|e|, e, 0, 0, state, prm)[0]``
    d_j += dt · γ [(1 − q) e_n − q P_n] z_j,n,   z = (h, τ_model ḣ)

A rule with perturbations (``trial`` > 0 steps) adds s_i A to P through bin i (``nbin`` steps,
s_i = ``sbin``, drawn by the rule's ``perturb``) and learns once per trial, from the trial's
error ℰ = RMS(e) and its mean e: (c_a, c_b, Δv, drift) = ``update(ℰ, ē, ℐ, 0, state, prm)``,
a_k += c_a ∫ x_k dt + c_b ∫ s x_k dt + drift (integrals over the trial), the olive's ℐ += Δv.

(α, β0, β1) are the first-order-hold coefficients of τ dy/dt = −y + u (`foh`): exact when
u is linear between samples, so a sine is followed to O((ω dt)²). Records at n = 0, every R
steps and at N: a, d and the mean slip² since the previous record; and the complex gain −E/h on
sine 0, fitted by least squares over the last W steps.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def foh(tau: np.ndarray | float, dt: float) -> np.ndarray:
    """(α, β0, β1), stacked on the last axis, of y_{n+1} = α y_n + β0 u_n + β1 u_{n+1}: the exact
    solution of τ dy/dt = −y + u with u linear over the step."""
    tau = np.asarray(tau, dtype=float)
    alpha = np.exp(-dt / tau)
    beta1 = 1.0 - (tau / dt) * (1.0 - alpha)
    return np.stack([alpha, (1.0 - alpha) - beta1, beta1], axis=-1)


def record_steps(N: int, R: int) -> np.ndarray:
    """The steps recorded: 0, R, 2R, … and N."""
    return np.unique(np.r_[np.arange(0, N + 1, R), N])


def allocate(N: int, R: int, shape: tuple[int, int]) -> tuple[np.ndarray, ...]:
    """Records (a, d, mean slip², gain) for ``shape`` = (batch, K)."""
    B, K = shape
    n_rec = record_steps(N, R).size
    return (np.empty((B, n_rec, K)), np.empty((B, n_rec, 2)), np.empty((B, n_rec)),
            np.empty(B, np.complex128))


def integrate(update: Callable, N, R, W, dt, ph0, rot, w, ch, chd, filt, fa, fb0, fb1, plant, model,
              filtered, tz, g, bec, vis, gamma, q, L, Ltr, Hs, Hy, a0, d0, x0, p0, y0, prm, state,
              trial, nbin, amp, sbin):
    """All runs at once; returns (a records (B, n_rec, K), d records (B, n_rec, 2), mean slip²
    (B, n_rec), complex gain (B,)). ``update`` is the rule's plain-Python update."""
    a_rec, d_rec, msq_rec, G = allocate(N, R, a0.shape)
    B = a0.shape[0]
    rows = np.arange(B)
    ph = ph0.copy()
    Hs, Hy = Hs.copy(), Hy.copy()
    a, d, x, p, y = a0.copy(), d0.copy(), x0.copy(), p0.copy(), y0.copy()
    h, hd = ph.imag.sum(1), (w * ph.real).sum(1)
    a_rec[:, 0], d_rec[:, 0], msq_rec[:, 0] = a, d, np.nan
    acc, last, r = np.zeros(B), 0, 1
    fit = np.zeros((B, 5))                     # Σ sin², Σ sin cos, Σ cos², Σ p sin, Σ p cos
    delayed, traced = L > 0, Ltr > 0
    e_sq, e_sum, olive = np.zeros(B), np.zeros(B), np.zeros(B)
    act, act_p = np.zeros_like(a), np.zeros_like(a)
    for n in range(N):
        s = g * h - p
        acc += s * s
        if n >= N - W:
            sn, cn = ph[:, 0].imag, ph[:, 0].real
            fit += np.stack([sn * sn, sn * cn, cn * cn, p * sn, p * cn], axis=1)
        slot = n % np.maximum(L, 1)
        e = np.where(delayed, Hs[rows, slot], s)
        Hs[rows, slot] = np.where(delayed, s, Hs[rows, slot])
        sb = sbin[:, n // nbin]
        P = (a * x).sum(1) - bec * p - vis * e + sb * amp
        cmd = d[:, 0] * h + d[:, 1] * tz * hd - P
        if trial > 0:
            e_sq, e_sum = e_sq + e * e, e_sum + e
            act, act_p = act + x * dt, act_p + sb[:, None] * x * dt
            if (n + 1) % trial == 0:
                E = np.sqrt(e_sq / trial)
                ca, cb, dv, drift = np.array([update(E[b], e_sum[b] / trial, olive[b], 0, state[b],
                                                     prm[b]) for b in rows]).T
                a = a + ca[:, None] * act + cb[:, None] * act_p + drift[:, None]
                olive = olive + dv
                e_sq, e_sum, act, act_p = np.zeros(B), np.zeros(B), np.zeros_like(a), np.zeros_like(a)
        else:
            tslot = n % np.maximum(Ltr, 1)
            elig = np.where(traced[:, None], Hy[rows, tslot], y)
            Hy[rows, tslot] = np.where(traced[:, None], y, Hy[rows, tslot])
            coef = np.array([update(abs(e[b]), e[b], 0.0, 0, state[b], prm[b])[0] for b in rows]) * dt
            a = a + coef[:, None] * elig
        step = dt * gamma * ((1.0 - q) * e - q * P)
        d = d + step[:, None] * np.stack([h, tz * hd], axis=1)
        hd_old, x_old = hd, x
        ph = ph * rot
        h, hd = ph.imag.sum(1), (w * ph.real).sum(1)
        x = np.where(filt, fa * x + chd * (fb0 * hd_old[:, None] + fb1 * hd[:, None]),
                     ch * h[:, None] + chd * hd[:, None])
        y = model[:, :1] * y + model[:, 1:2] * x_old + model[:, 2:] * x if filtered else x
        forward = d[:, 0] * h + d[:, 1] * tz * hd - (a * x).sum(1) - sbin[:, (n + 1) // nbin] * amp
        seen = np.where(delayed, Hs[rows, (n + 1) % np.maximum(L, 1)], g * h)
        loop = np.where(delayed, bec, bec - vis)
        p = (plant[:, 0] * p + plant[:, 1] * cmd + plant[:, 2] * (forward + vis * seen)) \
            / (1.0 - plant[:, 2] * loop)
        if (n + 1) % R == 0 or n + 1 == N:
            a_rec[:, r], d_rec[:, r], msq_rec[:, r] = a, d, acc / (n + 1 - last)
            acc, last, r = np.zeros(B), n + 1, r + 1
    sxx, sxy, syy, px, py = fit.T
    det = sxx * syy - sxy * sxy
    G[:] = ((px * syy - py * sxy) + 1j * (py * sxx - px * sxy)) / det / np.abs(ph0[:, 0])
    return a_rec, d_rec, msq_rec, G
