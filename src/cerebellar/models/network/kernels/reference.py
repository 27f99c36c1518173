"""The NumPy reference kernel of the network: every movement recomputes all Purkinje drives
by batched matrix products (Eqs 2-10)."""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_limits

from cerebellar.rules import Rule

from ..draw import Network
from ..params import phi
from .common import new_records, rule_args, store_record


def run_numpy(net: Network, u, pbin, profile_at, rule: Rule | str | None = None
              ) -> dict[str, np.ndarray]:
    """Batched NumPy reference: every movement recomputes all Purkinje drives by matmul."""
    p = net.params
    perturb, update, prm, state = rule_args(p, rule, compiled=False)
    n_mov = u.shape[0]
    sigma_T = net.sigma.transpose(1, 0, 2)                           # (S, L, N)
    w_eff = (net.w * net.sigma).transpose(1, 0, 2).copy()
    v = net.v.copy()
    M = net.dense_inputs()
    mf_pn = net.mf_drive_pn()
    rec = new_records(p, n_mov, profile_at)
    s_act = [np.divmod(a, p.N) for a in net.act]
    with threadpool_limits(1):
        for k in range(n_mov):
            mu = k % p.n_patterns
            D = np.matmul(w_eff, M[mu])                              # (S, L, T)
            s_col = np.array([perturb(x, prm) for x in u[k]])
            cols = np.flatnonzero(s_col)
            D[:, cols, pbin[k, cols]] += s_col[cols] * p.A
            pc = phi(D, p.r_max)
            pc_sum = pc.sum(axis=0)                                  # (L, T)
            PN = phi(mf_pn[mu] + p.u_pc_pn * pc_sum, p.r_max)
            V = np.zeros((p.L, p.T))
            np.add.at(V, (net.partner[net.act[mu]], net.bins[mu]), v[net.act[mu]])
            NO = phi(V + p.q * p.u_pc_pn * pc_sum, p.r_max)
            E, e, I = np.abs(PN - net.R[mu]).mean(), (net.R[mu] - PN).mean(), NO.mean()
            a, b, dv, drift = update(E, e, I, mu, state, prm)
            s, i = s_act[mu]
            if a != 0.0:                                              # every active synapse
                w_eff[s, :, i] += a * sigma_T[s, :, i]
            for l in cols:                                            # perturbed bins (Eq 9)
                at = net.bins[mu] == pbin[k, l]
                w_eff[s[at], l, i[at]] += b * s_col[l] * net.sigma[l, s[at], i[at]]
            if drift != 0.0:                                          # every weight (Eq 15)
                w_eff += drift * sigma_T
            if dv != 0.0:
                v[net.act[mu]] = np.maximum(v[net.act[mu]] + dv, 0.0)   # Eq 10
            store_record(rec, k, p, (E, e, I, cols.size, PN.mean(), pc.mean()), PN, profile_at)
    rec["w_eff"] = w_eff.transpose(1, 0, 2)
    rec["v"] = v
    return rec
