"""What every network kernel shares: the rule's arguments, the per-movement records and
the teaching signals of a movement (Eqs 3-8, 14)."""

from __future__ import annotations

import numba
import numpy as np

from cerebellar.rules import Rule, rule_of

from ..params import MODEL, NetworkParams


def rule_args(p: NetworkParams, rule: Rule | str | None, *, compiled: bool,
              n_patterns: int | None = None) -> tuple:
    """(perturb, update, prm, state) of the rule (default: ``p.rule``, with the settings ``p``
    gives it): compiled functions, or their plain Python for the NumPy reference."""
    rule = rule_of(p, MODEL, rule)
    fn = (lambda f: f) if compiled else (lambda f: f.py_func)
    n = p.n_patterns if n_patterns is None else n_patterns
    return fn(rule.perturb), fn(rule.update), rule.constants_for(p), np.zeros(rule.state_size(n))


RECORDS = ("E", "e", "I", "n_pcs", "pn_mean", "pc_mean")
"""Per movement: ℰ, e = ⟨R − PN⟩, ℐ, number of perturbed columns, mean PN and PC rates."""


def new_records(p: NetworkParams, n_mov: int, profile_at: np.ndarray) -> dict[str, np.ndarray]:
    rec = {k: np.empty(n_mov) for k in RECORDS}
    rec["PN"] = np.zeros((profile_at.size, p.n_patterns, p.L, p.T))
    return rec


def store_record(rec, k, p, values, PN, profile_at) -> None:
    for key, x in zip(RECORDS, values, strict=True):
        rec[key][k] = x
    trial = k // p.n_patterns
    slot = np.searchsorted(profile_at, trial)
    if slot < profile_at.size and profile_at[slot] == trial:
        rec["PN"][slot, k % p.n_patterns] = PN


@numba.njit(nogil=True)
def movement_signals(mu, pc_sum, mf_pn, R, v, act_ptr, act, slot, V, PN, r_max, q, u_pc_pn):
    """PN (into ``PN``) and the teaching signals of movement μ from the summed PC rates
    (Eqs 3, 4, 7, 8, 14): (ℰ, e, ℐ, Σ PN, Σ PC)."""
    L, T = PN.shape
    V[:] = 0.0
    for j in range(act_ptr[mu], act_ptr[mu + 1]):
        V[slot[j]] += v[act[j]]
    E = 0.0
    e = 0.0
    I = 0.0
    pc_total = 0.0
    pn_total = 0.0
    for l in range(L):
        for t in range(T):
            pn = min(max(mf_pn[mu, l, t] + u_pc_pn * pc_sum[l, t], 0.0), r_max)
            PN[l, t] = pn
            pn_total += pn
            pc_total += pc_sum[l, t]
            E += abs(pn - R[mu, l, t])
            e += R[mu, l, t] - pn
            I += min(max(V[l * T + t] + q * u_pc_pn * pc_sum[l, t], 0.0), r_max)
    return E / (L * T), e / (L * T), I / (L * T), pn_total, pc_total


@numba.njit(nogil=True)
def pcs_change(x, s, A, r_max):  # pragma: no cover - compiled
    """Change of a Purkinje rate Φ(x) when a pCS adds s·A to its drive x (Eq 6)."""
    return min(max(x + s * A, 0.0), r_max) - min(max(x, 0.0), r_max)


@numba.njit(nogil=True)
def finish_movement(k, mu, dv, v, act_ptr, act, signals, PN, profile_at, out,
                    PN_out):  # pragma: no cover - compiled
    """The end of movement k of pattern μ in the compiled kernels: the active MF→NO weights
    move by Δv, rectified (Eq 10); ``signals`` = (ℰ, e, ℐ, pCS count, mean PN, mean PC) go to
    column k of ``out``, and PN to ``PN_out`` on a profile trial."""
    if dv != 0.0:
        for j in range(act_ptr[mu], act_ptr[mu + 1]):
            v[act[j]] = max(v[act[j]] + dv, 0.0)
    for i in range(len(signals)):
        out[i, k] = signals[i]
    trial = k // PN_out.shape[1]
    for slot_index in range(profile_at.size):
        if profile_at[slot_index] == trial:
            PN_out[slot_index, mu] = PN


def fibre_tables(net) -> tuple[np.ndarray, ...]:
    """Index tables of the active fibres for the compiled kernels: ``act`` (pattern by pattern,
    ascending), their bins, ``slot`` (NO partner · T + bin), ``act_ptr`` (where each pattern's
    fibres start), the same fibres sorted by bin (``act_by_bin``) and where each (pattern, bin)
    starts in it (``bin_ptr``)."""
    p = net.params
    act = np.concatenate(net.act)
    bins = np.concatenate(net.bins).astype(np.int64)
    slot = (net.partner[act] * p.T + bins).astype(np.int64)
    act_ptr = np.r_[0, np.cumsum([a.size for a in net.act])].astype(np.int64)
    order = [np.argsort(b, kind="stable") for b in net.bins]
    act_by_bin = np.concatenate([a[o] for a, o in zip(net.act, order, strict=True)])
    bin_ptr = np.array([act_ptr[mu] + np.searchsorted(b[o], np.arange(p.T + 1))
                        for mu, (b, o) in enumerate(zip(net.bins, order, strict=True))], np.int64)
    return act, bins, slot, act_ptr, act_by_bin, bin_ptr


def run_blocks(p: NetworkParams, n_mov: int, profile_at, block: int, bar, movements
               ) -> dict[str, np.ndarray]:
    """Records of ``n_mov`` movements run ``block`` at a time by ``movements(sl, out, PN_out)``
    (a compiled kernel on the movements of slice ``sl``), the progress bar advanced per block."""
    rec = new_records(p, n_mov, profile_at)
    out = np.empty((len(RECORDS), n_mov))
    for k0 in range(0, n_mov, block):
        sl = slice(k0, min(k0 + block, n_mov))
        movements(sl, out, rec["PN"])
        if bar is not None:
            bar.update(sl.stop - sl.start)
    for key, row in zip(RECORDS, out, strict=True):
        rec[key] = row
    return rec
