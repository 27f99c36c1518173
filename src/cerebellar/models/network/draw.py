"""A drawn network: connectivity, weights, patterns, targets and the pre-drawn perturbations
(Bouvier et al. 2018, Methods; the model reference, 'Rate network')."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .params import NetworkParams, phi


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
