"""The incremental compiled kernel: each pattern's Purkinje drives are kept and updated only
where the rule changed a weight, through overlap counts K^{μν}[s,l,t*,t']."""

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
def incremental_movements(D, K, K_any, C, mf_pn, R, v, act_ptr, act, slot, bin_ptr, act_by_bin,
                          w, a_sum, omega, u, pbin, k0, n_patterns, S, L, T, N, r_max, A, q,
                          u_pc_pn, perturb, update, prm, state, profile_at, out,
                          PN_out):  # pragma: no cover - compiled
    """Movements k0 … k0 + len(u) − 1, updating D, v, w in place (see module docstring).

    Pattern μ's active fibres are ``act[act_ptr[μ]:act_ptr[μ+1]]`` in ascending order (near-
    sequential access to v), ``slot[j]`` being the (NO partner, bin) cell of fibre j; the same
    fibres sorted by bin are ``act_by_bin``, those of bin t from ``bin_ptr[μ, t]``. ``K_any`` =
    Σ_t* K (fibres active in μ at any bin) and ``C[ν]`` (connected fibres active in ν) carry a
    rule's change of every active synapse and its drift; those changes of ``w`` itself are summed
    per pattern in ``a_sum`` and in ``omega[0]`` and applied by the caller.
    """
    pc_sum = np.empty((L, T))
    V = np.empty(L * T)
    PN = np.empty((L, T))
    s_col = np.empty(L)
    for kk in range(u.shape[0]):
        k = k0 + kk
        mu = k % n_patterns
        pc_sum[:] = 0.0
        for s in range(S):
            for l in range(L):
                for t in range(T):
                    pc_sum[l, t] += min(max(D[mu, s, l, t], 0.0), r_max)
        n_pcs = 0
        for l in range(L):                                  # a perturbation moves a whole column
            s_col[l] = perturb(u[kk, l], prm)
            if s_col[l] != 0.0:
                n_pcs += 1
                t = pbin[kk, l]
                for s in range(S):
                    x = D[mu, s, l, t]
                    pc_sum[l, t] += pcs_change(x, s_col[l], A, r_max)
        E, e, I, pn_total, pc_total = movement_signals(mu, pc_sum, mf_pn, R, v, act_ptr, act, slot,
                                                       V, PN, r_max, q, u_pc_pn)
        a, b, dv, drift = update(E, e, I, mu, state, prm)
        if a != 0.0:                                        # every active synapse
            a_sum[mu] += a
            for nu in range(n_patterns):
                for s in range(S):
                    for l in range(L):
                        for t2 in range(T):
                            D[nu, s, l, t2] += a * K_any[mu, nu, s, l, t2]
        for l in range(L):                                  # the perturbed bins (Eq 9)
            step = b * s_col[l]
            if s_col[l] == 0.0 or step == 0.0:
                continue
            tl = pbin[kk, l]
            for nu in range(n_patterns):
                for s in range(S):
                    for t2 in range(T):
                        D[nu, s, l, t2] += step * K[mu, nu, s, l, tl, t2]
            for j in range(bin_ptr[mu, tl], bin_ptr[mu, tl + 1]):
                s, i = divmod(act_by_bin[j], N)
                w[l, s, i] += step
        if drift != 0.0:                                    # every weight (Eq 15)
            omega[0] += drift
            for nu in range(n_patterns):
                for s in range(S):
                    for l in range(L):
                        for t2 in range(T):
                            D[nu, s, l, t2] += drift * C[nu, s, l, t2]
        finish_movement(k, mu, dv, v, act_ptr, act, (E, e, I, float(n_pcs), pn_total / (L * T),
                        pc_total / (S * L * T)), PN, profile_at, out, PN_out)


def run_incremental(net: Network, u, pbin, profile_at, rule: Rule | str | None = None,
              block: int = 4096, bar=None) -> dict[str, np.ndarray]:
    """Compiled kernel with incremental Purkinje drives (same results as `run_numpy`)."""
    p = net.params
    perturb, update, prm, state = rule_args(p, rule, compiled=True)
    n_mov = u.shape[0]
    D = np.stack([net.pc_drive(mu) for mu in range(p.n_patterns)])
    K = net.overlaps()
    K_any = K.sum(axis=4, dtype=np.int32)
    C = np.stack([np.einsum("sltt->slt", K[nu, nu]) for nu in range(p.n_patterns)])
    mf_pn = net.mf_drive_pn()
    w, v = net.w.copy(), net.v.copy()
    a_sum, omega = np.zeros(p.n_patterns), np.zeros(1)
    act, _, slot, act_ptr, act_by_bin, bin_ptr = fibre_tables(net)

    def movements(sl, out, PN_out):
        incremental_movements(D, K, K_any, C, mf_pn, net.R, v, act_ptr, act, slot, bin_ptr,
                              act_by_bin, w, a_sum, omega, u[sl], pbin[sl], sl.start,
                              p.n_patterns, p.S, p.L, p.T, p.N, p.r_max, p.A, p.q, p.u_pc_pn,
                              perturb, update, prm, state, profile_at, out, PN_out)

    rec = run_blocks(p, n_mov, profile_at, block, bar, movements)
    for mu in np.flatnonzero(a_sum):                                # every active synapse of μ
        s, i = np.divmod(net.act[mu], p.N)
        w[:, s, i] += a_sum[mu]
    rec["w_eff"] = (w + omega[0]) * net.sigma
    rec["v"] = v
    return rec
