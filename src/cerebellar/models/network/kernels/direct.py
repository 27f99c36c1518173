"""The direct compiled kernel, for networks whose overlap counts would not fit in memory:
drives summed from the active fibres of each bin."""

from __future__ import annotations

import numba
import numpy as np

from cerebellar.models.network.kernels.common import (
    fibre_tables,
    finish_movement,
    pcs_change,
    run_blocks,
)
from cerebellar.rules import Rule

from ..draw import Network
from .common import movement_signals, rule_args


@numba.njit(nogil=True)
def bin_sums(rows, act, cell, start, stop, out):  # pragma: no cover - compiled
    """out[c, l] = Σ rows[act[j], l] over the fibres j in [start, stop) of cell c = s·T + t, added
    in the order of j: a pattern's drives (rows: weights [fibre, column]) or its connected
    fibres per cell (rows: σ)."""
    out[:] = 0.0
    for j in range(start, stop):
        f, c = act[j], cell[j]
        for l in range(rows.shape[1]):
            out[c, l] += rows[f, l]


@numba.njit(nogil=True)
def direct_movements(D, C, seen, version, omega, mf_pn, R, v, act_ptr, act, slot, cell,
                      bin_ptr, act_by_bin, w, sigma, u, pbin, k0, n_patterns, S, L, T, r_max,
                      A, q, u_pc_pn, perturb, update, prm, state, profile_at, out,
                      PN_out):  # pragma: no cover - compiled
    """The movements of `incremental_movements` without overlap counts: memory linear in the number
    of patterns. ``w`` holds σ·w without the drift ``omega[0]``, which enters every drive as
    Ω·C (C: connected active fibres per cell), stored [fibre s·N + i, column l] so that one
    fibre's weights onto every column are contiguous; drives D and C are [pattern, s, t, l].
    A pattern's drives are recomputed from ``w`` when a column changed since it was last
    presented (``version`` against ``seen``): each active fibre adds its row of weights to its
    bin (``cell[j]`` = s·T + t of fibre j), in the order of ``act``, so every drive is the same
    sum whichever columns changed."""
    pc_sum = np.empty((L, T))
    V = np.empty(L * T)
    PN = np.empty((L, T))
    s_col = np.empty(L)
    fresh = np.empty((S * T, L))
    for kk in range(u.shape[0]):
        k = k0 + kk
        mu = k % n_patterns
        stale = False
        for l in range(L):
            if seen[mu, l] != version[l]:
                stale = True
                seen[mu, l] = version[l]
        if stale:                                           # refresh the drives of μ
            bin_sums(w, act, cell, act_ptr[mu], act_ptr[mu + 1], fresh)
            D[mu] = fresh.reshape(S, T, L)
        om = omega[0]
        pc_sum[:] = 0.0
        for s in range(S):
            for t in range(T):
                for l in range(L):
                    pc_sum[l, t] += min(max(D[mu, s, t, l] + om * C[mu, s, t, l], 0.0), r_max)
        n_pcs = 0
        for l in range(L):
            s_col[l] = perturb(u[kk, l], prm)
            if s_col[l] != 0.0:
                n_pcs += 1
                t = pbin[kk, l]
                for s in range(S):
                    x = D[mu, s, t, l] + om * C[mu, s, t, l]
                    pc_sum[l, t] += pcs_change(x, s_col[l], A, r_max)
        E, e, I, pn_total, pc_total = movement_signals(mu, pc_sum, mf_pn, R, v, act_ptr, act, slot,
                                                       V, PN, r_max, q, u_pc_pn)
        a, b, dv, drift = update(E, e, I, mu, state, prm)
        if a != 0.0:                                        # every active synapse
            for l in range(L):
                version[l] += 1
            for j in range(act_ptr[mu], act_ptr[mu + 1]):
                f = act[j]
                for l in range(L):
                    if sigma[f, l]:
                        w[f, l] += a
        for l in range(L):                                  # the perturbed bins (Eq 9)
            step = b * s_col[l]
            if s_col[l] == 0.0 or step == 0.0:
                continue
            version[l] += 1
            tl = pbin[kk, l]
            for j in range(bin_ptr[mu, tl], bin_ptr[mu, tl + 1]):
                f = act_by_bin[j]
                if sigma[f, l]:
                    w[f, l] += step
        omega[0] += drift                                   # every weight (Eq 15)
        finish_movement(k, mu, dv, v, act_ptr, act, (E, e, I, float(n_pcs), pn_total / (L * T),
                        pc_total / (S * L * T)), PN, profile_at, out, PN_out)


def run_direct(net: Network, u, pbin, profile_at, rule: Rule | str | None = None,
               block: int = 4096, bar=None) -> dict[str, np.ndarray]:
    """Compiled kernel without overlap counts (same results as `run_numpy`): memory
    linear in the number of patterns, a movement costs up to L·S·N/2 additions to refresh the
    presented pattern's drives."""
    p = net.params
    perturb, update, prm, state = rule_args(p, rule, compiled=True)
    n_mov = u.shape[0]
    by_fibre = (p.L, p.S * p.N)                      # [column, fibre] → [fibre, column]
    w = np.ascontiguousarray((net.w * net.sigma).reshape(by_fibre).T)
    sigma = np.ascontiguousarray(net.sigma.reshape(by_fibre).T.astype(np.uint8))
    D = np.zeros((p.n_patterns, p.S, p.T, p.L))
    seen = np.full((p.n_patterns, p.L), -1, np.int64)
    version = np.zeros(p.L, np.int64)
    omega = np.zeros(1)
    mf_pn = net.mf_drive_pn()
    v = net.v.copy()
    act, bins, slot, act_ptr, act_by_bin, bin_ptr = fibre_tables(net)
    cell = (act // p.N * p.T + bins).astype(np.int64)
    C = np.zeros((p.n_patterns, p.S * p.T, p.L))     # connected active fibres per cell (counts)
    connected = sigma.astype(np.float64)
    for mu in range(p.n_patterns):
        bin_sums(connected, act, cell, act_ptr[mu], act_ptr[mu + 1], C[mu])
    del connected
    C = C.reshape(p.n_patterns, p.S, p.T, p.L)

    def movements(sl, out, PN_out):
        direct_movements(D, C, seen, version, omega, mf_pn, net.R, v, act_ptr, act, slot, cell,
                         bin_ptr, act_by_bin, w, sigma, u[sl], pbin[sl], sl.start, p.n_patterns,
                         p.S, p.L, p.T, p.r_max, p.A, p.q, p.u_pc_pn, perturb, update, prm,
                         state, profile_at, out, PN_out)

    rec = run_blocks(p, n_mov, profile_at, block, bar, movements)
    rec["w_eff"] = w.T.reshape(p.L, p.S, p.N) + omega[0] * net.sigma
    rec["v"] = v
    return rec
