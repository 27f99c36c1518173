"""Capacity of the non-negative analog perceptron (Bouvier et al. 2018, Fig 10C,D legends).

Theory (replica-symmetric, large N; the paper prints no formula; derived in the model reference,
'Perceptron capacity', reproducing the paper's 391):
−u = γ[uΦ(u) + φ(u)] and α_c = Φ(u), Φ and φ the standard normal cdf and pdf.
Finite-size check: exact feasibility of {w ≥ 0 : X w/√N − θ√N = R} by linear programming (HiGHS);
all targets are positive, so the rectification of Eq 36 is inactive at a solution.
"""

from __future__ import annotations

import numpy as np


def capacity(f: float = 0.2, gamma: float = 1.0) -> float:
    """Critical load α_c = p_c/N_M: 0.39126 for γ = 1 (391 patterns at N_M = 1000).

    The coding level enters only through γ once θ is parameterised as in the paper (Fig 10
    legend; the model reference, 'Perceptron capacity'); ``f`` is accepted for the signature the
    paper's users expect.
    """
    if not 0 < f < 1:
        raise ValueError(f"f = {f} is out of range: allowed (0, 1)")
    from scipy.optimize import brentq  # here: scipy.optimize is slow to import
    from scipy.stats import norm
    u = brentq(lambda u: u + gamma * (u * norm.cdf(u) + norm.pdf(u)), -50.0, 50.0, xtol=1e-14)
    return float(norm.cdf(u))


def infeasibility(X: np.ndarray, R: np.ndarray, theta: float) -> float:
    """Smallest total violation Σ|X w/√N − θ√N − R| over w ≥ 0 (phase-1 LP, HiGHS), per pattern.

    Zero (to solver tolerance) iff some w ≥ 0 gives output exactly R for every pattern. The
    phase-1 form is always feasible and bounded, so the solver always decides.
    """
    from scipy.optimize import linprog
    p, N = X.shape
    eye = np.eye(p)
    A_eq = np.hstack([X / np.sqrt(N), eye, -eye])
    cost = np.r_[np.zeros(N), np.ones(2 * p)]
    res = linprog(cost, A_eq=A_eq, b_eq=R + theta * np.sqrt(N), bounds=(0, None), method="highs")
    if res.status != 0:
        raise RuntimeError(f"linprog failed: {res.message}")
    return float(res.fun) / p


def feasible(X: np.ndarray, R: np.ndarray, theta: float, tol: float = 1e-6) -> bool:
    """Whether some w ≥ 0 gives output exactly R for every pattern (mean violation < ``tol`` Hz)."""
    return infeasibility(X, R, theta) < tol
