"""Olivo-cerebellar rate network learning by SGDEGE (Bouvier et al. 2018, Methods Eqs 1-13;
the model reference, 'Rate network').

S×L Purkinje cells (PC), L projection neurones (PN) and L nucleo-olivary neurones (NO), N mossy
fibres (MF) per sagittal row, T time bins. Each active fibre fires in one bin of a movement.

    PC_{s,l}(t) = Φ(Σ_i w^l_{i,s} σ^l_{i,s} M_{i,s}(t) + η_l(t) A)               (Eqs 2, 6)
    PN_l(t) = Φ(Σ_{i,s} u^l_{i,s} M_{i,s}(t) + u_PC→PN Σ_s PC_{s,l}(t))         (Eq 3)
    NO_l(t) = Φ(Σ_{i,s} v^l_{i,s} M_{i,s}(t) + q u_PC→PN Σ_s PC_{s,l}(t))       (Eqs 4, 13)
    ℰ = ⟨|PN − R|⟩_{l,t},  e = ⟨R − PN⟩_{l,t},  ℐ = ⟨NO⟩_{l,t}                   (Eqs 7, 14, 8)

The weights learn by a rule of :mod:`cerebellar.rules` from these teaching signals; with
SGDEGE (the default), c = sign(ℰ − ℐ) and

    w^l_{i,s} ← w^l_{i,s} − α_w c Σ_t η_l(t) M_{i,s}(t)                          (Eq 9)
    v_{i,s} ← [v_{i,s} + α_v c Σ_t M_{i,s}(t)]_+                                 (Eq 10)

and with Marr-Albus-Ito (``rule="mai"``, Fig 2) w^l_{i,s} ← w^l_{i,s} − α_w Σ_t M_{i,s}(t) when
the climbing fibres fire, + β_w otherwise (Eq 15). In general a rule returns (a, b, Δv, drift):
every active synapse changes by a, those of a column perturbed by s·A in its perturbed bin by
b·s more, active MF→NO weights by Δv (rectified), every MF→PC weight by the drift.

Φ clips to [0, r_max]. Each climbing fibre l draws its perturbation s_l from the rule (SGDEGE: a
pCS with probability ρ per movement), in one random bin, perturbing the whole column of S cells.
Two kernels run the same movements from the same pre-drawn uniform numbers: :func:`run_numpy`
recomputes every Purkinje drive by batched matrix products; :func:`run_numba` keeps each
pattern's drives and updates only what the rule changed, using overlap counts K^{μν}[s,l,t*,t']
(connected fibres active at t* in μ and at t' in ν), so a perturbed column costs S×T additions
per pattern.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numba
import numpy as np
import xarray as xr
from threadpoolctl import threadpool_limits

from ..core.errors import ParameterError
from ..core.params import Params, Settings, param
from ..core.progress import progress
from ..core.status import mark_diverged
from ..rules import Rule, rule_of, rule_param, rule_settings_param

MODEL = "network"
"""The name rules know this model by (their ``models`` and per-model ``defaults``)."""


@dataclass(frozen=True)
class NetworkParams(Params):
    """Table 2 of the paper (the model reference, 'Network parameters'); trials are counted per
    pattern (Fig 8A; the model reference, 'Network choices not stated in the paper')."""

    S: int = param(10, low=1, high=1000, doc="sagittal extent (PCs per column)")
    L: int = param(40, low=1, high=10_000, doc="lateral extent (columns, PN, NO, climbing fibres)")
    T: int = param(10, low=1, high=1000, doc="time bins per movement")
    N: int = param(2000, low=1, high=1_000_000, doc="mossy fibres per sagittal row")
    r_max: float = param(300.0, low=0, high=1e6, low_open=True, units="Hz", doc="maximum rate")
    rho: float = param(0.03, low=0, high=1, doc="pCS probability per climbing fibre per movement")
    A: float = param(2.0, low=0, high=1e4, units="Hz", doc="PC perturbation amplitude")
    alpha_w: float = param(0.02, low=0, high=1e3, doc="MF→PC learning rate (Eq 9)")
    alpha_v: float = param(0.0002, low=0, high=1e3, doc="MF→NO learning rate (Eq 10)")
    q: float = param(0.5, low=0, high=10, doc="PC→NO relative weight (Eq 13)")
    u_m_pn: float = param(2.4, low=0, high=1e4, doc="MF→PN weight (Eq 11: 4TL r_D/(NS))")
    u_pc_pn: float = param(-0.06, low=-1e4, high=0, doc="PC→PN weight (Eq 12: −r_D/(r_PC S))")
    r_pc: float = param(50.0, low=0, high=1e4, low_open=True, units="Hz",
                        doc="mean initial PC rate (initial w ~ U[0, 8T r_pc/N])")
    r_d: float = param(30.0, low=0, high=1e4, low_open=True, units="Hz",
                       doc="mean nuclear rate (targets ~ U[0, 2 r_d])")
    no0: float = param(15.0, low=0, high=1e4, units="Hz",
                       doc="mean initial NO rate (initial v ~ U[0, (no0 + q r_d) 4TL/(NS)])")
    n_patterns: int = param(2, low=1, high=1000, doc="movements learnt in parallel")
    trials_per_pattern: int = param(5000, low=1, high=100_000_000, units="trial",
                                    doc="movements of each pattern (trials counted per pattern)")
    n_profiles: int = param(4, low=2, high=1000, doc="trials at which PN profiles are recorded")
    rule: str = rule_param("sgdege", MODEL,
                           doc="learning rule (cerebellar.rules): SGDEGE (Eqs 7-10), Marr-Albus-Ito "
                               "with a signed (Eqs 14-15) or unsigned error (Fig 2C), delta, node "
                               "perturbation, or another package's")
    shared: float = param(0.0, low=0, high=1,
                          doc="fraction of each movement's active fibres common to all movements "
                              "(same fibres, same bins); the rest drawn at random")
    rule_settings: Settings = rule_settings_param(MODEL)

    FULL: ClassVar[dict[str, Any]] = {"trials_per_pattern": 60_000}
    SCALE: ClassVar[tuple[str, ...]] = ("trials_per_pattern", "n_profiles")
    STEP_PARAMS: ClassVar[tuple[str, ...]] = ("alpha_w", "alpha_v", "A", "rho")
    NOT_STATED: ClassVar[dict[str, str]] = {
        "order": "patterns presented in strict alternation (the model reference, 'Network choices "
                 "not stated in the paper')",
        "shared": "the paper draws each movement's active half of the fibres independently "
                  "(shared = 0: two movements share half their active fibres); shared > 0 is ours, "
                  "to raise the overlap between movements (bouvier2018-patterns)",
        "NO_partner": "each MF's NO partner is its PN partner l(i,s); the Methods say only that each "
                      "fibre contacts 'a single projection neurone and a single nucleo-olivary "
                      "neurone' (the model reference, 'Network choices not stated in the paper')",
        "trials": "a trial is one movement of each pattern (only this gives Fig 8A's 1.4 Hz; the "
                  "model reference, 'Network choices not stated in the paper')",
        "rule_settings": "the rates of the rules the paper does not run on the network are the "
                         "rules' own defaults on this model (delta.alpha, node_perturbation.eta; "
                         "see cerebellar.rules); Table 2 gives mai.beta",
    }

    def memory_bytes(self) -> tuple[int, tuple[str, ...]]:
        """Peak memory of :func:`simulate` (compiled kernel), and the parameters that drive it:
        the overlap counts p²·S·L·T² (int32), the weights and connections L·S·N, and the
        pre-drawn perturbations and records per movement."""
        p, S, L, T, N = self.n_patterns, self.S, self.L, self.T, self.N
        n_mov = p * self.trials_per_pattern
        overlaps = overlap_bytes(self)
        if overlaps > OVERLAP_BUDGET:   # the direct kernel: drives D and counts C, the index
            # arrays of the p·S·N/2 active fibres (7 of 8 bytes each), σ as float64 while C is built
            overlaps = 16 * p * S * L * T + 28 * p * S * N + 8 * L * S * N
        weights = 25 * L * S * N
        per_movement = n_mov * (16 * L + 8 * 8)
        profiles = 8 * self.n_profiles * p * L * T
        return overlaps + weights + per_movement + profiles, (
            ("n_patterns", "S", "L", "T") if overlaps >= max(weights, per_movement) else
            ("L", "S", "N") if weights >= per_movement else ("n_patterns", "trials_per_pattern", "L"))

    def validate(self) -> None:
        if self.S * self.N < 2:
            raise ParameterError(f"parameter 'N' = {self.N} is out of range: N·S must be >= 2")


def phi(x, r_max):
    """Saturating threshold-linear transfer function: 0 below 0, r_max above (Φ of Eqs 2-4; the
    model reference, 'Network rate equations')."""
    return np.minimum(np.maximum(x, 0.0), r_max)


@dataclass
class Network:
    """A drawn network with its patterns and targets (everything random comes from one rng)."""

    params: NetworkParams
    sigma: np.ndarray      # (L, S, N) bool, MF(i, s) → PC(s, l) connection
    partner: np.ndarray    # (S·N,) int, the PN (and NO) of each fibre
    w: np.ndarray          # (L, S, N) signed MF→PC weights
    v: np.ndarray          # (S·N,) MF→NO weights ≥ 0
    act: list[np.ndarray]  # per pattern: flat indices s·N + i of the active fibres
    bins: list[np.ndarray]  # per pattern: the active bin of each active fibre
    R: np.ndarray          # (p, L, T) target PN rates

    @classmethod
    def draw(cls, p: NetworkParams, rng: np.random.Generator) -> Network:
        S, L, T, N = p.S, p.L, p.T, p.N
        sigma = rng.random((L, S, N)) < 0.5
        partner = rng.integers(0, L, S * N)
        w = rng.uniform(0.0, 8.0 * T * p.r_pc / N, (L, S, N))
        v = rng.uniform(0.0, (p.no0 + p.q * p.r_d) * 4.0 * T * L / (N * S), S * N)
        act, bins = [], []
        n_active, n_common = S * N // 2, round(p.shared * (S * N // 2))
        if n_common:
            common = rng.choice(S * N, size=n_common, replace=False)
            common_bins = rng.integers(0, T, n_common)
            others = np.setdiff1d(np.arange(S * N), common)
        for _ in range(p.n_patterns):
            if not n_common:                               # the paper's draw (Methods, input patterns)
                a = np.sort(rng.choice(S * N, size=n_active, replace=False))
                t = rng.integers(0, T, a.size)
            else:
                own = rng.choice(others, size=n_active - n_common, replace=False)
                a = np.concatenate([common, own])
                t = np.concatenate([common_bins, rng.integers(0, T, own.size)])
                order = np.argsort(a)
                a, t = a[order], t[order]
            act.append(a)
            bins.append(t)
        R = rng.uniform(0.0, 2.0 * p.r_d, (p.n_patterns, L, T))
        return cls(p, sigma, partner, w, v, act, bins, R)

    def overlap(self) -> float:
        """Mean over pairs of movements of the fraction of active fibres they share (0.5 for
        independent halves; the olive's inhibition ℐ sums the MF→NO weights of the active fibres
        whatever their bin, so this is what it has to tell movements apart by)."""
        p = self.params
        if p.n_patterns < 2:
            return float("nan")
        M = np.zeros((p.n_patterns, p.S * p.N), np.float32)
        for mu, a in enumerate(self.act):
            M[mu, a] = 1.0
        shared = M @ M.T / M.sum(axis=1)[:, None]
        return float(shared[np.triu_indices(p.n_patterns, 1)].mean())

    def mf_drive_pn(self) -> np.ndarray:
        """Σ u M for each pattern, PN and bin: u_M→PN × active fibres per (PN, bin) (Eqs 3, 5)."""
        p = self.params
        out = np.zeros((p.n_patterns, p.L, p.T))
        for mu, (a, t) in enumerate(zip(self.act, self.bins, strict=True)):
            np.add.at(out[mu], (self.partner[a], t), p.u_m_pn)
        return out

    def pc_drive(self, mu: int, w_eff: np.ndarray | None = None) -> np.ndarray:
        """Σ_i w σ M for pattern μ: (S, L, T), summed directly (for initialisation and checks)."""
        p = self.params
        w_eff = self.w * self.sigma if w_eff is None else w_eff
        s, i = np.divmod(self.act[mu], p.N)
        out = np.zeros((p.S, p.L, p.T))
        np.add.at(out, (s, slice(None), self.bins[mu]), w_eff[:, s, i].T)
        return out

    def overlaps(self) -> np.ndarray:
        """``K[μ, ν, s, l, t*, t'] = Σ_i σ^l_{i,s} [i active in μ at t*] [i active in ν at t']`` (int32)."""
        p = self.params
        S, L, T = p.S, p.L, p.T
        K = np.zeros((p.n_patterns, p.n_patterns, S, L, T, T), np.int32)
        for mu in range(p.n_patterns):
            bin_mu = np.full(S * p.N, -1)
            bin_mu[self.act[mu]] = self.bins[mu]
            for nu in range(p.n_patterns):
                both = self.act[nu][bin_mu[self.act[nu]] >= 0]
                t_nu = self.bins[nu][bin_mu[self.act[nu]] >= 0]
                s, i = np.divmod(both, p.N)
                cell = (s * T + bin_mu[both]) * T + t_nu
                for l in range(L):
                    counts = np.bincount(cell, weights=self.sigma[l, s, i], minlength=S * T * T)
                    K[mu, nu, :, l] = counts.reshape(S, T, T)
        return K

    def dense_inputs(self) -> np.ndarray:
        """M^μ as a dense (p, S, N, T) array, for the batched NumPy reference."""
        p = self.params
        M = np.zeros((p.n_patterns, p.S, p.N, p.T))
        for mu, (a, t) in enumerate(zip(self.act, self.bins, strict=True)):
            s, i = np.divmod(a, p.N)
            M[mu, s, i, t] = 1.0
        return M


def initial_rates(net: Network) -> dict[str, float]:
    """Mean unperturbed PC, PN and NO rates of the freshly drawn network (Methods, initial
    weights, Eqs 11-13; Fig 8C; the model reference, 'Network fixed weights and initialisation')."""
    p = net.params
    mf_pn = net.mf_drive_pn()
    pc, pn, no = [], [], []
    for mu in range(p.n_patterns):
        rates = phi(net.pc_drive(mu), p.r_max)
        pc_sum = rates.sum(axis=0)
        V = np.zeros((p.L, p.T))
        np.add.at(V, (net.partner[net.act[mu]], net.bins[mu]), net.v[net.act[mu]])
        pc.append(rates.mean())
        pn.append(phi(mf_pn[mu] + p.u_pc_pn * pc_sum, p.r_max).mean())
        no.append(phi(V + p.q * p.u_pc_pn * pc_sum, p.r_max).mean())
    return dict(pc=float(np.mean(pc)), pn=float(np.mean(pn)), no=float(np.mean(no)))


def draw_perturbations(p: NetworkParams, n_movements: int, rng: np.random.Generator):
    """Uniform numbers (n, L), turned into each climbing fibre's perturbation by the rule (SGDEGE:
    a pCS when u < ρ), and the bin (n, L) in which it falls."""
    return rng.random((n_movements, p.L)), rng.integers(0, p.T, (n_movements, p.L))


def profile_trials(p: NetworkParams) -> np.ndarray:
    return np.unique(np.linspace(0, p.trials_per_pattern - 1, p.n_profiles).round().astype(int))


def rule_args(p: NetworkParams, rule: Rule | str | None, *, compiled: bool,
              n_patterns: int | None = None) -> tuple:
    """(perturb, update, prm, state) of the rule (default: ``p.rule``, with the settings ``p``
    gives it): compiled functions, or their plain Python for the NumPy reference."""
    rule = rule_of(p, MODEL, rule)
    fn = (lambda f: f) if compiled else (lambda f: f.py_func)
    n = p.n_patterns if n_patterns is None else n_patterns
    return fn(rule.perturb), fn(rule.update), rule.constants_for(p), np.zeros(rule.state_size(n))


# -- the NumPy reference ---------------------------------------------------------------------


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
    rec = _records(p, n_mov, profile_at)
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
            _record(rec, k, p, (E, e, I, cols.size, PN.mean(), pc.mean()), PN, profile_at)
    rec["w_eff"] = w_eff.transpose(1, 0, 2)
    rec["v"] = v
    return rec


RECORDS = ("E", "e", "I", "n_pcs", "pn_mean", "pc_mean")
"""Per movement: ℰ, e = ⟨R − PN⟩, ℐ, number of perturbed columns, mean PN and PC rates."""


def _records(p: NetworkParams, n_mov: int, profile_at: np.ndarray) -> dict[str, np.ndarray]:
    rec = {k: np.empty(n_mov) for k in RECORDS}
    rec["PN"] = np.zeros((profile_at.size, p.n_patterns, p.L, p.T))
    return rec


def _record(rec, k, p, values, PN, profile_at) -> None:
    for key, x in zip(RECORDS, values, strict=True):
        rec[key][k] = x
    trial = k // p.n_patterns
    slot = np.searchsorted(profile_at, trial)
    if slot < profile_at.size and profile_at[slot] == trial:
        rec["PN"][slot, k % p.n_patterns] = PN


# -- the compiled kernel -----------------------------------------------------------------------


@numba.njit(nogil=True)
def _signals(mu, pc_sum, mf_pn, R, v, act_ptr, act, slot, V, PN, r_max, q, u_pc_pn):
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
def _movements(D, K, K_any, C, mf_pn, R, v, act_ptr, act, slot, bin_ptr, act_by_bin, w, a_sum,
               omega, u, pbin, k0, n_patterns, S, L, T, N, r_max, A, q, u_pc_pn, perturb, update,
               prm, state, profile_at, out, PN_out):  # pragma: no cover - compiled
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
                    pc_sum[l, t] += min(max(x + s_col[l] * A, 0.0), r_max) - min(max(x, 0.0), r_max)
        E, e, I, pn_total, pc_total = _signals(mu, pc_sum, mf_pn, R, v, act_ptr, act, slot, V, PN,
                                               r_max, q, u_pc_pn)
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
        if dv != 0.0:                                       # Eq 10
            for j in range(act_ptr[mu], act_ptr[mu + 1]):
                v[act[j]] = max(v[act[j]] + dv, 0.0)
        out[0, k], out[1, k], out[2, k], out[3, k] = E, e, I, n_pcs
        out[4, k], out[5, k] = pn_total / (L * T), pc_total / (S * L * T)
        trial = k // n_patterns
        for slot_index in range(profile_at.size):
            if profile_at[slot_index] == trial:
                PN_out[slot_index, mu] = PN


def run_numba(net: Network, u, pbin, profile_at, rule: Rule | str | None = None,
              block: int = 4096, bar=None) -> dict[str, np.ndarray]:
    """Compiled kernel with incremental Purkinje drives (same results as :func:`run_numpy`)."""
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
    act = np.concatenate(net.act)                                   # ascending within a pattern
    slot = (net.partner[act] * p.T + np.concatenate(net.bins)).astype(np.int64)
    act_ptr = np.r_[0, np.cumsum([a.size for a in net.act])].astype(np.int64)
    order = [np.argsort(b, kind="stable") for b in net.bins]
    act_by_bin = np.concatenate([a[o] for a, o in zip(net.act, order, strict=True)])
    bin_ptr = np.array([act_ptr[mu] + np.searchsorted(b[o], np.arange(p.T + 1))
                        for mu, (b, o) in enumerate(zip(net.bins, order, strict=True))], np.int64)
    rec = _records(p, n_mov, profile_at)
    out = np.empty((len(RECORDS), n_mov))
    for k0 in range(0, n_mov, block):
        sl = slice(k0, min(k0 + block, n_mov))
        _movements(D, K, K_any, C, mf_pn, net.R, v, act_ptr, act, slot, bin_ptr, act_by_bin, w,
                   a_sum, omega, u[sl], pbin[sl], k0, p.n_patterns, p.S, p.L, p.T, p.N, p.r_max,
                   p.A, p.q, p.u_pc_pn, perturb, update, prm, state, profile_at, out, rec["PN"])
        if bar is not None:
            bar.update(sl.stop - sl.start)
    for key, row in zip(RECORDS, out, strict=True):
        rec[key] = row
    for mu in np.flatnonzero(a_sum):                                # every active synapse of μ
        s, i = np.divmod(net.act[mu], p.N)
        w[:, s, i] += a_sum[mu]
    rec["w_eff"] = (w + omega[0]) * net.sigma
    rec["v"] = v
    return rec


@numba.njit(nogil=True)
def _bin_sums(rows, act, cell, start, stop, out):  # pragma: no cover - compiled
    """out[c, l] = Σ rows[act[j], l] over the fibres j in [start, stop) of cell c = s·T + t, added
    in the order of j: a pattern's drives (rows: weights [fibre, column]) or its connected
    fibres per cell (rows: σ)."""
    out[:] = 0.0
    for j in range(start, stop):
        f, c = act[j], cell[j]
        for l in range(rows.shape[1]):
            out[c, l] += rows[f, l]


@numba.njit(nogil=True)
def _movements_direct(D, C, seen, version, omega, mf_pn, R, v, act_ptr, act, slot, cell,
                      bin_ptr, act_by_bin, w, sigma, u, pbin, k0, n_patterns, S, L, T, r_max,
                      A, q, u_pc_pn, perturb, update, prm, state, profile_at, out,
                      PN_out):  # pragma: no cover - compiled
    """The movements of :func:`_movements` without overlap counts: memory linear in the number
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
            _bin_sums(w, act, cell, act_ptr[mu], act_ptr[mu + 1], fresh)
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
                    pc_sum[l, t] += min(max(x + s_col[l] * A, 0.0), r_max) - min(max(x, 0.0), r_max)
        E, e, I, pn_total, pc_total = _signals(mu, pc_sum, mf_pn, R, v, act_ptr, act, slot, V, PN,
                                               r_max, q, u_pc_pn)
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
        if dv != 0.0:                                       # Eq 10
            for j in range(act_ptr[mu], act_ptr[mu + 1]):
                v[act[j]] = max(v[act[j]] + dv, 0.0)
        out[0, k], out[1, k], out[2, k], out[3, k] = E, e, I, n_pcs
        out[4, k], out[5, k] = pn_total / (L * T), pc_total / (S * L * T)
        trial = k // n_patterns
        for slot_index in range(profile_at.size):
            if profile_at[slot_index] == trial:
                PN_out[slot_index, mu] = PN


OVERLAP_BUDGET = 256 * 2**20
"""Largest overlap-count tensor (bytes) the incremental kernel builds; beyond it, the direct
kernel (memory linear in the number of patterns) runs instead."""


def overlap_bytes(p: NetworkParams) -> int:
    """Bytes of the overlap counts K (p²·S·L·T², int32) and their sum over t* (p²·S·L·T)."""
    return 4 * p.n_patterns ** 2 * p.S * p.L * p.T * (p.T + 1)


def run_direct(net: Network, u, pbin, profile_at, rule: Rule | str | None = None,
               block: int = 4096, bar=None) -> dict[str, np.ndarray]:
    """Compiled kernel without overlap counts (same results as :func:`run_numpy`): memory
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
    act = np.concatenate(net.act)
    bins = np.concatenate(net.bins).astype(np.int64)
    slot = (net.partner[act] * p.T + bins).astype(np.int64)
    cell = (act // p.N * p.T + bins).astype(np.int64)
    act_ptr = np.r_[0, np.cumsum([a.size for a in net.act])].astype(np.int64)
    order = [np.argsort(b, kind="stable") for b in net.bins]
    act_by_bin = np.concatenate([a[o] for a, o in zip(net.act, order, strict=True)])
    bin_ptr = np.array([act_ptr[mu] + np.searchsorted(b[o], np.arange(p.T + 1))
                        for mu, (b, o) in enumerate(zip(net.bins, order, strict=True))], np.int64)
    C = np.zeros((p.n_patterns, p.S * p.T, p.L))     # connected active fibres per cell (counts)
    connected = sigma.astype(np.float64)
    for mu in range(p.n_patterns):
        _bin_sums(connected, act, cell, act_ptr[mu], act_ptr[mu + 1], C[mu])
    del connected
    C = C.reshape(p.n_patterns, p.S, p.T, p.L)
    rec = _records(p, n_mov, profile_at)
    out = np.empty((len(RECORDS), n_mov))
    for k0 in range(0, n_mov, block):
        sl = slice(k0, min(k0 + block, n_mov))
        _movements_direct(D, C, seen, version, omega, mf_pn, net.R, v, act_ptr, act, slot, cell,
                          bin_ptr, act_by_bin, w, sigma, u[sl], pbin[sl], k0, p.n_patterns, p.S,
                          p.L, p.T, p.r_max, p.A, p.q, p.u_pc_pn, perturb, update, prm,
                          state, profile_at, out, rec["PN"])
        if bar is not None:
            bar.update(sl.stop - sl.start)
    for key, row in zip(RECORDS, out, strict=True):
        rec[key] = row
    rec["w_eff"] = w.T.reshape(p.L, p.S, p.N) + omega[0] * net.sigma
    rec["v"] = v
    return rec


def run_compiled(net: Network, u, pbin, profile_at, rule: Rule | str | None = None,
                 bar=None) -> dict[str, np.ndarray]:
    """The incremental kernel while its overlap counts fit :data:`OVERLAP_BUDGET`, else the
    direct one."""
    kernel = run_numba if overlap_bytes(net.params) <= OVERLAP_BUDGET else run_direct
    return kernel(net, u, pbin, profile_at, rule, bar=bar)


KERNELS = {"numba": run_compiled, "numpy": run_numpy, "incremental": run_numba,
           "direct": run_direct}


def simulate(params: NetworkParams, rng: np.random.Generator, *, rule: Rule | str | None = None,
             backend: str = "numba") -> xr.Dataset:
    """Draw a network and learn ``n_patterns`` movements by ``rule`` (default ``params.rule``);
    per movement over (pattern, trial): ℰ, e, ℐ, the rule's climbing-fibre error signal (``ecs``,
    where it has one), the perturbed-column count and mean PN and PC rates; PN profiles with
    their targets at :func:`profile_trials`."""
    p = params
    if backend not in KERNELS:
        raise ParameterError(f"backend = {backend!r}: allowed one of {', '.join(KERNELS)}")
    rule = rule_of(p, MODEL, rule)
    net = Network.draw(p, rng)
    n_mov = p.n_patterns * p.trials_per_pattern
    u, pbin = draw_perturbations(p, n_mov, rng)
    at = profile_trials(p)
    with progress(n_mov, f"network movements ({rule.name})", unit="mov") as bar:
        rec = KERNELS[backend](net, u, pbin, at, rule, bar=bar) if backend != "numpy" else \
            run_numpy(net, u, pbin, at, rule)
    shape = (p.trials_per_pattern, p.n_patterns)
    per_movement = {k: rec[k].reshape(shape).T for k in RECORDS}
    dims = ("pattern", "trial")
    described = dict(
        error=("E", "error ℰ = ⟨|PN − R|⟩", "Hz"),
        signed_error=("e", "signed error e = ⟨R − PN⟩ (Eq 14)", "Hz"),
        inhibition=("I", "inhibition ℐ = ⟨NO⟩", "Hz"),
        n_pcs=("n_pcs", "perturbed columns (pCSs)", "1"),
        pn_mean=("pn_mean", "mean PN rate", "Hz"),
        pc_mean=("pc_mean", "mean PC rate", "Hz"))
    data = {name: (dims, per_movement[key], dict(long_name=long_name, units=units))
            for name, (key, long_name, units) in described.items()}
    if rule.complex_spike is not None:
        data["ecs"] = (dims, rule.complex_spike(per_movement["E"], per_movement["e"],
                                                per_movement["I"]),
                       dict(long_name="climbing-fibre error signal (eCS)"))
    init = initial_rates(net)
    ds = xr.Dataset(
        dict(
            **data,
            PN=(("profile_trial", "pattern", "neuron", "bin"), rec["PN"],
                dict(long_name="PN rate", units="Hz")),
            target=(("pattern", "neuron", "bin"), net.R, dict(long_name="target R", units="Hz")),
            perturbation_bins=(("bin",), np.bincount(pbin.ravel(), minlength=p.T),
                               dict(long_name="bins drawn for the perturbations, all movements "
                                              "and climbing fibres", units="1")),
            **{f"initial_{k}_mean": ((), v, dict(units="Hz")) for k, v in init.items()},
        ),
        coords=dict(trial=("trial", np.arange(p.trials_per_pattern), dict(units="trial (per pattern)")),
                    pattern=np.arange(p.n_patterns), profile_trial=at),
        attrs=dict(backend=backend, rule=rule.name, **rule.settings_attrs(),
                   mf_ceiling=float(net.mf_drive_pn().mean()), overlap=net.overlap()),
    )
    at_trial, why = runaway(per_movement["E"].mean(axis=0), rec["PN"][-1], p.r_max)
    if why:
        mark_diverged(ds, at_trial, "trial", why)
    return ds


RUNAWAY_FACTOR = 1.5
"""A smoothed error above RUNAWAY_FACTOR × its initial value marks a run as diverged: SGDEGE
lowers the error (Fig 8), and even a stalled run (q ≥ 1: no convergence, as Fig 9D shows for the
reduced model; the network's stall is our own observation) stays below its start (the model
reference, 'Network plasticity')."""


PINNED = 0.75
"""Fraction of final PN rates at 0 or r_max beyond which the output is pinned (targets are spread
over [0, 2 r_D]: a learnt profile has few rates at a bound)."""


def runaway(E: np.ndarray, PN_last: np.ndarray, r_max: float) -> tuple[int, str]:
    """(trial, why) of a runaway learning run, or (-1, ''): non-finite errors, a smoothed error
    above RUNAWAY_FACTOR × that of the first 5 trials, or the final PN profile pinned at 0 or
    r_max."""
    bad = np.flatnonzero(~np.isfinite(E))
    if bad.size:
        return int(bad[0]), "non-finite error ℰ"
    n = max(1, min(50, E.size // 4))
    smooth = np.convolve(E, np.ones(n) / n, mode="valid")
    start = float(E[:5].mean())
    above = np.flatnonzero(smooth > RUNAWAY_FACTOR * start)
    if above.size:
        return int(above[0]), (f"error ℰ rose from {start:.3g} to {float(smooth.max()):.3g} Hz "
                               f"(> {RUNAWAY_FACTOR:g} × its start)")
    pinned = float(np.mean((PN_last <= 0) | (PN_last >= r_max)))
    if pinned > PINNED:
        return E.size - 1, f"{pinned:.0%} of the final PN rates pinned at 0 or r_max"
    return -1, ""
