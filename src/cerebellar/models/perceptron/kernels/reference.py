"""The NumPy reference kernel of the perceptron: one presentation at a time (Eqs 36-42)."""

from __future__ import annotations

import numpy as np


def train_block_numpy(w, v, idx, ptr, R, order, u, theta_N, sqrtN, q, A, perturb, update, prm,
                      state, uses_olive):
    """Reference kernel: present patterns ``order`` (uniform numbers ``u`` give each presentation's
    perturbation s·A through the rule), updating w, v and the rule's ``state`` in place."""
    for k in range(order.size):
        mu = order[k]
        act = idx[ptr[mu]:ptr[mu + 1]]
        s = perturb(u[k], prm)
        P = max((w[act].sum() - theta_N) / sqrtN, 0.0) + s * A
        J = max((v[act].sum() - theta_N) / sqrtN - q * P, 0.0) if uses_olive else 0.0
        a, b, dv, drift = update(abs(P - R[mu]), P - R[mu], J, mu, state, prm)
        dw = a + b * s
        if dw != 0.0:
            w[act] = np.maximum(w[act] + dw, 0.0)
        if dv != 0.0:
            v[act] = np.maximum(v[act] + dv, 0.0)
        if drift != 0.0:
            w[:] = np.maximum(w + drift, 0.0)
