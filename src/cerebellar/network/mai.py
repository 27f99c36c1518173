"""Marr-Albus-Ito "simple model" (Bouvier et al. 2018, Fig 2B,C; Methods Eqs 14-15; spec §3).

The network of :mod:`.model` without NO, olive comparison or perturbations. The climbing fibres
are driven by a global error, signed (Eq 14: ℰ = ⟨R − PN⟩) or unsigned (Eq 7: ⟨|PN − R|⟩):

    ℰ > 0:  w^l_{i,s} ← w^l_{i,s} − α_w Σ_t M_{i,s}(t)   (LTD of active synapses, every PC)
    else:   w^l_{i,s} ← w^l_{i,s} + β_w                  (slow drift of every weight, Eq 15 as printed)

Purkinje drives are updated in place with the overlap counts of :meth:`Network.overlaps`
(LTD of all fibres active in μ) and the per-pattern connection counts (drift).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from .model import Network, NetworkParams, phi

ERRORS = ("signed", "unsigned")


def simulate_mai(p: NetworkParams, rng: np.random.Generator, *, error: str, beta_w: float,
                 target_mean: float) -> xr.Dataset:
    """One MAI run with targets ~ U[0, 2 target_mean]; records per movement (pattern, trial)."""
    if error not in ERRORS:
        raise ValueError(f"error = {error!r}: allowed one of {ERRORS}")
    net = Network.draw(p, rng)
    net.R = rng.uniform(0.0, 2.0 * target_mean, net.R.shape)
    K = net.overlaps()
    ltd = K.sum(axis=4)                                   # (μ, ν, S, L, T'): any bin in μ
    drift = np.stack([np.einsum("sltt->slt", K[nu, nu]) for nu in range(p.n_patterns)])
    D = np.stack([net.pc_drive(mu) for mu in range(p.n_patterns)])
    mf_pn = net.mf_drive_pn()
    n_mov = p.n_patterns * p.trials_per_pattern
    out = {k: np.empty(n_mov) for k in ("abs_error", "signed_error", "pn_mean", "pc_mean", "cf")}
    for k in range(n_mov):
        mu = k % p.n_patterns
        pc = phi(D[mu], p.r_max)
        PN = phi(mf_pn[mu] + p.u_pc_pn * pc.sum(axis=0), p.r_max)
        signed = float((net.R[mu] - PN).mean())                       # Eq 14
        absolute = float(np.abs(PN - net.R[mu]).mean())                # Eq 7
        fire = (signed if error == "signed" else absolute) > 0
        D += -p.alpha_w * ltd[mu] if fire else beta_w * drift        # Eq 15
        for key, value in (("abs_error", absolute), ("signed_error", signed),
                           ("pn_mean", PN.mean()), ("pc_mean", pc.mean()), ("cf", fire)):
            out[key][k] = value
    shape = (p.trials_per_pattern, p.n_patterns)
    units = dict(abs_error="Hz", signed_error="Hz", pn_mean="Hz", pc_mean="Hz", cf="1")
    return xr.Dataset(
        {k: (("pattern", "trial"), v.reshape(shape).T, dict(units=units[k])) for k, v in out.items()},
        coords=dict(trial=np.arange(p.trials_per_pattern)),
        attrs=dict(mf_ceiling=float(mf_pn.mean())),
    )
