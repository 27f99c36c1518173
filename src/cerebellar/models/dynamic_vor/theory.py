"""Closed forms of the dynamic VOR (the model reference, 'Dynamic VOR model'): transfer
functions of the granule-layer bank, the brainstem's vestibular signals, the plant and the whole
reflex, the stimulus, and the delay limit of cortical learning.

With head velocity h(t) = Im Σ_m A_m e^{i(ω_m t + φ_m)}, every signal of the loop at fixed
weights is Im Σ_m A_m H(iω_m) e^{i(ω_m t + φ_m)} for its transfer function H:

    x_k = X_k(iω) h                 granule signals (`basis_response`)
    z_j = Z_j(iω) h,  Z = (1, τ_model iω)   the brainstem's vestibular signals
    P   = Σ_k a_k x_k + b E − v e^{−iωδ} s   Purkinje output (efference copy b, visual slip v)
    m   = Σ_j d_j z_j − P                    the brainstem's command
    E   = −Pl(iω) m,  Pl(s) = 1/(τ_p s + 1)  eye velocity
    s   = g h + E = (g − G) h                retinal slip

so that the VOR (`vor_response`, `closed_loop`) is

    G(iω) = −E/h = Pl (Σ d_j Z_j − Σ a_k X_k + v g e^{−iωδ}) / (1 − b Pl + v Pl e^{−iωδ}),

Coenen's static G_L = (D − A + g v)/(1 − b + v) at ω → 0 with one granule signal x = h.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import expm


def omega(f: np.ndarray | float) -> np.ndarray:
    return 2.0 * np.pi * np.asarray(f, dtype=float)


def lowpass(f: np.ndarray | float, tau: np.ndarray | float) -> np.ndarray:
    """1/(τ iω + 1): the plant (τ = τ_p), the eligibility's plant model, a bank filter."""
    return 1.0 / (1.0 + 1j * omega(f) * np.asarray(tau, dtype=float))


def stimulus(params, rng: np.random.Generator | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(frequencies [Hz], amplitudes, phases [rad]) of the head-velocity sines: one sine of
    amplitude 1 (phase 0), or ``n_sines`` log-spaced over ``f_min``–``f_max`` with amplitudes
    √(2/M) (unit RMS) and phases uniform on [0, 2π) drawn from ``rng``."""
    if params.stimulus == "sine":
        return np.array([params.frequency]), np.ones(1), np.zeros(1)
    if rng is None:
        raise ValueError("a broadband stimulus draws random phases: pass rng")
    f = np.geomspace(params.f_min, params.f_max, params.n_sines)
    return f, np.full(f.size, np.sqrt(2.0 / f.size)), rng.uniform(0.0, 2.0 * np.pi, f.size)


def bank_taus(params) -> np.ndarray:
    """Time constants [s] of the bank's low-pass filters of ḣ (log-spaced)."""
    return np.geomspace(params.tau_min, params.tau_max, params.n_basis - 2)


def basis_raw(params, f: np.ndarray | float) -> np.ndarray:
    """X_k(iω) before scaling, shape (..., K): h, τ_model ḣ and the low-pass filters of ḣ (bank),
    h and ḣ/ω_f (pair, ω_f = 2π ``frequency``), or h alone (h: Coenen's one vestibular mossy
    fibre)."""
    w = omega(f)[..., None]
    if params.basis == "h":
        return np.ones_like(w) + 0j
    if params.basis == "pair":
        return np.concatenate([np.ones_like(w) + 0j, 1j * w / omega(params.frequency)], axis=-1)
    taus = bank_taus(params)
    return np.concatenate([np.ones_like(w) + 0j, 1j * w * params.tau_model,
                           1j * w / (1.0 + 1j * w * taus)], axis=-1)


def basis_scale(params) -> np.ndarray:
    """Scale c_k of each granule signal: unit RMS under the broadband stimulus (bank), or unit
    eye movement at ``frequency`` through the plant model (pair: |Pl_model| c_k = 1)."""
    if params.basis == "pair":
        return np.full(2, 1.0 / abs(lowpass(params.frequency, params.tau_model)))
    if params.basis == "h":
        return np.ones(1)
    f = np.geomspace(params.f_min, params.f_max, params.n_sines)
    power = np.mean(np.abs(basis_raw(params, f)) ** 2, axis=0)   # RMS² with A_m² / 2 = 1/M
    return 1.0 / np.sqrt(power)


def basis_response(params, f: np.ndarray | float) -> np.ndarray:
    """X_k(iω), shape (..., K): the granule-layer signals per unit head velocity."""
    return basis_raw(params, f) * basis_scale(params)


def vestibular_response(params, f: np.ndarray | float) -> np.ndarray:
    """Z_j(iω) = (1, τ_model iω), shape (..., 2): the brainstem's vestibular signals."""
    w = omega(f)[..., None]
    return np.concatenate([np.ones_like(w) + 0j, 1j * w * params.tau_model], axis=-1)


def closed_loop(plant: np.ndarray, forward: np.ndarray, g, b, v, lag: np.ndarray) -> np.ndarray:
    """G = Pl (F + v g λ)/(1 − b Pl + v Pl λ): the reflex of the loop with plant response ``plant``,
    feed-forward command F = Σ d_j Z_j − Σ a_k X_k, efference copy b, visual gain v and the
    visual delay's λ = e^{−iωδ} (all broadcast)."""
    return plant * (forward + v * g * lag) / (1.0 - b * plant + v * plant * lag)


def vor_response(params, f: np.ndarray | float, a: np.ndarray, d: np.ndarray,
                 tau_plant: np.ndarray | float | None = None) -> np.ndarray:
    """G(iω) = −E/h of the loop (`closed_loop`) at weights ``a`` (..., K) and ``d``
    (..., 2), broadcast against ``f``'s shape."""
    tau = params.tau_plant if tau_plant is None else tau_plant
    forward = (np.sum(np.asarray(d) * vestibular_response(params, f), axis=-1)
               - np.sum(np.asarray(a) * basis_response(params, f), axis=-1))
    lag = np.exp(-1j * omega(f) * params.delay)
    return closed_loop(lowpass(f, tau), forward, params.g, params.b, params.v, lag)


def ideal_weights(params, g: float | None = None, tau_plant: float | None = None) -> np.ndarray:
    """Brainstem weights d that alone give G = g for the plant τ_p: (g, g τ_p/τ_model)."""
    g = params.g if g is None else g
    tau = params.tau_plant if tau_plant is None else tau_plant
    return np.array([g, g * tau / params.tau_model])


def stimulus_power(params) -> tuple[np.ndarray, np.ndarray]:
    """(frequencies [Hz], power A_m²/2 of each sine) of the head velocity: what the averaged
    learning dynamics see (the random phases average out)."""
    if params.stimulus == "sine":
        return np.array([params.frequency]), np.full(1, 0.5)
    f = np.geomspace(params.f_min, params.f_max, params.n_sines)
    return f, np.full(f.size, 1.0 / f.size)


def mean_flow(params, f: np.ndarray, power: np.ndarray, beta: float = 1.0,
              gamma: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The averaged learning dynamics du/dt = J u + c of u = (a_1 … a_K, d_1, d_2): decorrelation
    at rate ``beta`` in the cortex and the brainstem rule at ``gamma`` (default ``params.gamma``),
    with sines at ``f`` [Hz] of power A_m²/2 = ``power`` and the weights fixed over a cycle.

    At fixed weights every signal is affine in u (`closed_loop`), and with
    ⟨Im(A e^{iωt}) Im(B e^{iωt})⟩ = Re(A B̄)/2 summed over the sines (cross terms average out):
    the slip S = g − G(iω), the error S e^{−iωδ}, the eligibility Y_k e^{−iω·trace} (Y = Pl_model X,
    or X) and P = Σ a_k X_k − b G − v S e^{−iωδ},

        da_k/dt = −β Σ_m (A_m²/2) Re(S e^{−iωδ} conj(Y_k e^{−iω·trace}))
        dd_j/dt =  γ Σ_m (A_m²/2) Re([(1 − q) S e^{−iωδ} − q P] conj Z_j)."""
    gamma = params.gamma if gamma is None else gamma
    f, power = np.atleast_1d(np.asarray(f, float)), np.atleast_1d(np.asarray(power, float))
    w = omega(f)
    X, Z = basis_response(params, f), vestibular_response(params, f)           # (M, K), (M, 2)
    Y = X * lowpass(f, params.tau_model)[:, None] if params.eligibility == "filtered_x" else X
    lag = np.exp(-1j * w * params.delay)
    plant = lowpass(f, params.tau_plant)
    loop = plant / (1.0 - params.b * plant + params.v * plant * lag)          # G = loop (F + v g λ)
    G = (loop * params.v * params.g * lag, loop[:, None] * np.concatenate([-X, Z], axis=1))
    error = [(params.g - G[0]) * lag, -G[1] * lag[:, None]]                    # (constant, ∂/∂u)
    P = [-params.b * G[0] - params.v * error[0],
         np.concatenate([X, np.zeros_like(Z)], axis=1) - params.b * G[1] - params.v * error[1]]
    elig = np.conj(Y * np.exp(-1j * w * params.trace)[:, None])
    drive = [(1 - params.q) * e - params.q * p for e, p in zip(error, P, strict=True)]
    c = np.concatenate([-beta * np.real((power * error[0]) @ elig),
                        gamma * np.real((power * drive[0]) @ np.conj(Z))])
    J = np.concatenate([-beta * np.real(np.einsum("m,mu,mk->ku", power, error[1], elig)),
                        gamma * np.real(np.einsum("m,mu,mj->ju", power, drive[1], np.conj(Z)))])
    return J, c


def mean_updates(params, f: float, a: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean rates of the cortical and brainstem weights over whole cycles of a unit sine at ``f``,
    weights fixed, per unit rate: (⟨da_k/dt⟩/β, ⟨dd_j/dt⟩/γ) (`mean_flow`)."""
    J, c = mean_flow(params, f, 0.5, beta=1.0, gamma=1.0)
    rate = J @ np.concatenate([np.asarray(a, float), np.asarray(d, float)]) + c
    return rate[:-2], rate[-2:]


def flow(J: np.ndarray, c: np.ndarray, u0: np.ndarray, t: np.ndarray | float) -> np.ndarray:
    """u(t) of du/dt = J u + c from u(0) = ``u0`` at the times ``t`` [s], shape (*t.shape, n):
    the exponential of the augmented matrix [[J, c], [0, 0]] (exact, whatever J's spectrum)."""
    n = c.size
    A = np.zeros((n + 1, n + 1))
    A[:n, :n], A[:n, n] = J, c
    start = np.append(np.asarray(u0, float), 1.0)
    t = np.asarray(t, float)
    return np.array([expm(A * s) @ start for s in t.ravel()])[:, :n].reshape(*t.shape, n)


def largest_growth(J: np.ndarray) -> float:
    """Largest real part of J's eigenvalues [1/s]: > 0, some combination of weights runs away."""
    return float(np.linalg.eigvals(J).real.max())


def gain_phase(G: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(gain |G|, phase arg G in degrees, lead positive)."""
    return np.abs(G), np.degrees(np.angle(G))


def critical_frequency(delay: np.ndarray | float) -> np.ndarray:
    """f_c = 1/(4δ): in the slow-learning limit, delayed decorrelation at one frequency rotates
    the mean update of the complex slip by 2πfδ, and converges iff 2πfδ < π/2."""
    return 1.0 / (4.0 * np.asarray(delay, dtype=float))


def growth_rate(f: np.ndarray | float, delay: np.ndarray | float, beta: float,
                trace: np.ndarray | float = 0.0) -> np.ndarray:
    """Growth rate [1/s] of the slip amplitude under decorrelation at one frequency, with the pair
    basis and filtered-x eligibility through the true plant.

    Each signal moves the eye by 1 (⟨y_k²⟩ = 1/2), so averaged over a cycle the complex slip S
    obeys the delay-differential equation dS/dt = −(β/2) e^{−iωΔ} S(t − δ), Δ = δ − trace (the
    error is δ old; the eligibility, a trace old). S ∝ e^{λt} with λ = −(β/2) e^{−iωΔ} e^{−λδ},
    solved by fixed-point iteration (a contraction for βδ/2 < 1/e); the growth rate is Re λ. Its
    first iterate, −(β/2) cos(ωΔ), is the slow-learning limit: growth iff ωΔ > π/2, i.e. above
    f_c = 1/(4Δ) (`critical_frequency`)."""
    k = 0.5 * beta
    rotation = np.exp(-1j * omega(f) * (np.asarray(delay) - np.asarray(trace)))
    lam = -k * rotation
    for _ in range(200):
        lam = -k * rotation * np.exp(-lam * np.asarray(delay))
    return lam.real
