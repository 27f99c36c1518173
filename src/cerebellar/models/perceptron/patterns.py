"""The perceptron's patterns, targets and initial weights, and its output (Eq 36)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .params import PerceptronParams


def initial_weight(p: PerceptronParams) -> float:
    """Mean initial weight w̄ = θ/f + (P_max/2)/(f√N_M): output and 𝒥 start near P_max/2 [NS]."""
    return p.theta / p.f + (p.P_max / 2.0) / (p.f * math.sqrt(p.N_M))


def initial_weights(p: PerceptronParams, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(w, v) at the start [NS, ``w_init``]. v_i = w̄ always, so 𝒥 starts at P_max/2 for every
    pattern; w_i = w̄ ('constant') or ∝ max(0, z), z ~ N(0, 1), scaled to mean exactly w̄
    ('halfnormal': half of the weights exactly zero, and no output offset common to all patterns)."""
    mean = initial_weight(p)
    v = np.full(p.N_M, mean)
    if p.w_init == "constant":
        return v.copy(), v
    w = np.maximum(rng.standard_normal(p.N_M), 0.0)
    return w * (mean / w.mean()), v


@dataclass
class Patterns:
    """Binary patterns stored sparsely: active inputs of pattern μ are idx[ptr[μ]:ptr[μ+1]]."""

    idx: np.ndarray
    ptr: np.ndarray
    R: np.ndarray

    @classmethod
    def draw(cls, p: PerceptronParams, rng: np.random.Generator) -> Patterns:
        active = rng.random((p.n_patterns, p.N_M)) < p.f
        counts = active.sum(axis=1)
        ptr = np.r_[0, np.cumsum(counts)].astype(np.int64)
        idx = np.nonzero(active)[1].astype(np.int64)
        R = rng.uniform(0.0, p.P_max, p.n_patterns)
        return cls(idx, ptr, R)

    def dense(self, N_M: int) -> np.ndarray:
        X = np.zeros((self.R.size, N_M))
        for mu in range(self.R.size):
            X[mu, self.idx[self.ptr[mu]:self.ptr[mu + 1]]] = 1.0
        return X


def outputs(w, v, pats: Patterns, p: PerceptronParams) -> tuple[np.ndarray, np.ndarray]:
    """Unperturbed output P^μ (Eq 36 with η = 0) and drive 𝒥^μ = (Σ v M − θN)/√N of every pattern."""
    sums_w = np.add.reduceat(w[pats.idx], pats.ptr[:-1]) if pats.idx.size else np.zeros(pats.R.size)
    sums_v = np.add.reduceat(v[pats.idx], pats.ptr[:-1]) if pats.idx.size else np.zeros(pats.R.size)
    empty = np.diff(pats.ptr) == 0
    sums_w[empty], sums_v[empty] = 0.0, 0.0
    theta_N, sqrtN = p.theta * p.N_M, math.sqrt(p.N_M)
    return np.maximum((sums_w - theta_N) / sqrtN, 0.0), (sums_v - theta_N) / sqrtN
