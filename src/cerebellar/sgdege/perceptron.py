"""Analog perceptron trained by SGDEGE or by the delta rule (Bouvier et al. 2018, Appendix 1,
"Perceptron model and simulations", Eqs 36-42; spec §6).

One P-cell reads N_M binary mossy fibres (coding level f) through weights w ≥ 0:

    P^μ = [ (Σ_i w_i M^μ_i − θ N_M)/√N_M ]_+ + η A                                  (Eq 36)
    θ = (P_max/2)(√(f/(3(1 − f)γ)) − 1/√N_M)                                        (Fig 10 legend)

SGDEGE: ℰ = |P^μ − R^μ|, ℐ = [(Σ_i v_i M^μ_i − θ N_M)/√N_M − q P^μ]_+ (Eq 37), c = sign(ℰ − ℐ)
(a tie counts as no eCS); w_i ← [w_i − α_w c η M^μ_i]_+ (Eq 38), v_i ← [v_i + α_v c M^μ_i]_+ (Eq 39),
with α_w = ΔP/(f√N_M), α_v = Δ𝒥/(f√N_M) (Eqs 40-41). Delta rule: w_i ← [w_i − α M^μ_i (P^μ − R^μ)]_+
with A = 0 (Eq 42).

Trials are counted per pattern: each trial is one epoch presenting every pattern once in a new
random order [NS: the paper says "drawn without replacement"]. Two kernels implement one
presentation loop: :func:`train_block_numpy` (reference) and :func:`train_block_numba` (compiled,
touches only the ~f·N_M active synapses of a pattern); both consume the same pre-drawn orders
and perturbation flags, so they agree to rounding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any, ClassVar

import numba
import numpy as np
import xarray as xr

from ..core.errors import ParameterError
from ..core.parallel import map_runs
from ..core.params import Params, param
from ..core.progress import progress
from ..core.status import mark_diverged
from ..rules import Rule, get_rule

RULE_NAMES = ("sgdege", "delta", "node_perturbation", "mai", "mai_unsigned")
INITS = ("halfnormal", "constant")
SILENT = 0.1
"""A weight below SILENT × the mean initial weight w̄ counts as near-silent: the rectification
of Eqs 38, 42 makes few weights exactly zero, but near capacity most of them become tiny."""


@dataclass(frozen=True)
class PerceptronModel(Params):
    """The perceptron and its rules (Fig 10 defaults, spec §6.2), without the run's size."""

    N_M: int = param(1000, low=1, high=1_000_000, doc="number of mossy-fibre inputs")
    f: float = param(0.2, low=0, high=1, low_open=True, high_open=True, doc="coding level")
    P_max: float = param(100.0, low=0, high=1e4, low_open=True, units="Hz", doc="targets ~ U[0, P_max]")
    gamma: float = param(1.0, low=0, high=100, low_open=True, doc="composite parameter γ of θ")
    A: float = param(2.0, low=0, high=1e3, units="Hz", doc="perturbation amplitude")
    rho: float = param(0.2, low=0, high=1, doc="perturbation probability per presentation")
    q: float = param(0.5, low=0, high=10, doc="PC→NO relative strength")
    dP: float = param(0.2, low=0, high=1e3, units="Hz", doc="ΔP (sets α_w by Eq 40)")
    dJ: float = param(0.4, low=0, high=1e3, units="Hz", doc="Δ𝒥 (sets α_v by Eq 41)")
    alpha_delta: float = param(0.01, low=0, high=10, doc="delta-rule learning rate α (Eq 42)")
    eta_np: float = param(0.0063, low=0, high=10,
                          doc="node-perturbation learning rate η (mean step ηf√N_M = ρΔP, as SGDEGE)")
    baseline_rate: float = param(0.2, low=0, high=1, low_open=True,
                                 doc="node perturbation: rate γ of each pattern's running-mean error")
    beta_w: float = param(0.00316, low=0, high=10,
                          doc="Marr-Albus-Ito: drift of every weight without a climbing fibre")
    w_init: str = param("halfnormal", choices=INITS,
                        doc="initial MF→PC weights w: 'halfnormal' (half of them zero) or 'constant'")

    STEP_PARAMS: ClassVar[tuple[str, ...]] = ("dP", "dJ", "alpha_delta", "eta_np", "beta_w", "A")
    NOT_STATED: ClassVar[dict[str, str]] = {
        "alpha_delta": "the delta-rule rate is not printed; 0.01 (stable and fast) [spec §8.5]",
        "trials_per_pattern": "each trial is one epoch: every pattern once, in a new random order",
        "w_init": "initial weights are not stated. v_i = w̄ = θ/f + (P_max/2)/(f√N_M), so 𝒥 "
                  "starts at P_max/2. 'halfnormal': w_i ∝ max(0, z), z ~ N(0, 1), scaled to mean "
                  "w̄: half the MF→PC synapses start silent (the truncated-Gaussian shape of the "
                  "capacity theory, Brunel et al. 2004) and outputs start around P_max/2. Only "
                  "zero-weight synapses can give Fig 10A's half-rate depression; 'constant' "
                  "(w_i = w̄) cannot",
        "mean_error": "mean over patterns of |P − R| without perturbation",
        "eta_np": "node perturbation is not in the paper: ξ = ±A on every presentation, η chosen so "
                  "that its mean step far from the target equals SGDEGE's ρΔP",
        "beta_w": "Marr-Albus-Ito on the perceptron is not in the paper: LTD α_w of the active "
                  "weights on a climbing fibre (P > R), drift β_w = α_w/10 of every weight "
                  "otherwise (Eq 15; Table 2's ratio β_w/α_w)",
    }

    @property
    def theta(self) -> float:
        return threshold(self.f, self.gamma, self.N_M, self.P_max)

    @property
    def alpha_w(self) -> float:
        """Eq 40: α_w = ΔP/(f√N_M)."""
        return self.dP / (self.f * math.sqrt(self.N_M))

    @property
    def alpha_v(self) -> float:
        """Eq 41: α_v = Δ𝒥/(f√N_M)."""
        return self.dJ / (self.f * math.sqrt(self.N_M))

    def validate(self) -> None:
        if self.theta < 0:  # √(f/(3(1−f)γ)) < 1/√N_M
            limit = self.f * self.N_M / (3 * (1 - self.f))
            raise ParameterError(f"parameter 'gamma' = {self.gamma:g} is out of range for N_M = "
                                 f"{self.N_M}, f = {self.f:g}: allowed γ <= {limit:g} (θ >= 0)")

    def model_values(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(PerceptronModel)}


@dataclass(frozen=True)
class PerceptronParams(PerceptronModel):
    """One perceptron learning run (the ``perceptron`` experiment)."""

    rule: str = param("sgdege", choices=RULE_NAMES,
                      doc="learning rule (cerebellar.rules): SGDEGE (Eqs 37-39), delta (Eq 42), "
                          "node perturbation, Marr-Albus-Ito (Eqs 14-15)")
    n_patterns: int = param(100, low=1, high=1_000_000, doc="number of patterns p")
    trials_per_pattern: int = param(20_000, low=1, high=100_000_000, units="trial",
                                    doc="trials per pattern (epochs)")
    n_records: int = param(40, low=2, high=10_000, doc="log-spaced trial counts at which errors are recorded")

    FULL: ClassVar[dict[str, Any]] = {"trials_per_pattern": 100_000}

    def memory_bytes(self) -> tuple[int, tuple[str, ...]]:
        """Peak memory of :func:`train`: drawing the patterns (p·N_M uniform numbers), their
        active indices, the records and one block of presentation orders."""
        p, n = self.n_patterns, self.N_M
        return 9 * p * n + 8 * self.f * p * n + 16 * self.n_records * p + 24 * 256 * p, (
            "n_patterns", "N_M")


def threshold(f, gamma, N_M, P_max):
    """θ = (P_max/2)(√(f/(3(1 − f)γ)) − 1/√N_M) (Fig 10 legend); 12.8526 for the defaults."""
    return (P_max / 2.0) * (np.sqrt(f / (3.0 * (1.0 - f) * gamma)) - 1.0 / np.sqrt(N_M))


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


# -- kernels: one presentation loop, two implementations --------------------------------------


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


@numba.njit(cache=True, nogil=True, inline="always")
def _gather_sum(x, idx, start, stop):  # pragma: no cover - compiled
    """Σ x[idx[j]] for j in [start, stop) with four independent partial sums (breaks the
    floating-point add latency chain; the order differs from NumPy's only in the last bits)."""
    s0 = s1 = s2 = s3 = 0.0
    j = start
    while j + 4 <= stop:
        s0 += x[idx[j]]
        s1 += x[idx[j + 1]]
        s2 += x[idx[j + 2]]
        s3 += x[idx[j + 3]]
        j += 4
    while j < stop:
        s0 += x[idx[j]]
        j += 1
    return (s0 + s1) + (s2 + s3)


@numba.njit(nogil=True)
def train_block_numba(w, v, idx, ptr, R, order, u, theta_N, sqrtN, q, A, perturb, update, prm,
                      state, uses_olive):  # pragma: no cover - compiled
    """Compiled kernel: the arithmetic of :func:`train_block_numpy`, reading and writing only the
    active synapses of each pattern (sparse binary inputs); the rule's compiled functions are
    inlined by Numba (one specialisation per rule). A drift of every weight is kept as an offset
    ω (stored weights are w − ω, rectified at −ω) and folded into ``w`` at the end of the block."""
    omega = 0.0
    for k in range(order.size):
        mu = order[k]
        start, stop = ptr[mu], ptr[mu + 1]
        s = perturb(u[k], prm)
        n_act = stop - start
        P = max((_gather_sum(w, idx, start, stop) + n_act * omega - theta_N) / sqrtN, 0.0) + s * A
        J = 0.0
        if uses_olive:
            J = max((_gather_sum(v, idx, start, stop) - theta_N) / sqrtN - q * P, 0.0)
        a, b, dv, drift = update(abs(P - R[mu]), P - R[mu], J, mu, state, prm)
        dw = a + b * s
        floor = 0.0 - omega
        if dw != 0.0 and dv != 0.0:
            for j in range(start, stop):
                i = idx[j]
                w[i] = max(w[i] + dw, floor)
                v[i] = max(v[i] + dv, 0.0)
        elif dw != 0.0:
            for j in range(start, stop):
                i = idx[j]
                w[i] = max(w[i] + dw, floor)
        elif dv != 0.0:
            for j in range(start, stop):
                i = idx[j]
                v[i] = max(v[i] + dv, 0.0)
        omega += drift
    if omega != 0.0:
        for i in range(w.size):
            w[i] = max(w[i] + omega, 0.0)


@numba.njit(nogil=True)
def train_block_batch(w, v, idx, ptr, R, order, u, theta_N, sqrtN, q, A, perturb, update, prm,
                      state, uses_olive):  # pragma: no cover - compiled
    """Several runs in lockstep on the same patterns, order and uniform numbers: w, v are
    [synapse, run] and ``q``, ``A``, ``prm``, ``state`` hold one row per run. The arithmetic of
    :func:`train_block_numba` run by run (the same four partial sums), so each run is bit for bit
    the run alone; the loops over runs are innermost and contiguous."""
    n_runs = w.shape[1]
    omega = np.zeros(n_runs)
    dw = np.empty(n_runs)
    dv = np.empty(n_runs)
    floor = np.empty(n_runs)
    sw = np.empty((4, n_runs))
    sv = np.empty((4, n_runs))
    for k in range(order.size):
        mu = order[k]
        start, stop = ptr[mu], ptr[mu + 1]
        sw[:] = 0.0
        sv[:] = 0.0
        j = start
        while j + 4 <= stop:
            for m in range(4):
                i = idx[j + m]
                for r in range(n_runs):
                    sw[m, r] += w[i, r]
                if uses_olive:
                    for r in range(n_runs):
                        sv[m, r] += v[i, r]
            j += 4
        while j < stop:
            i = idx[j]
            for r in range(n_runs):
                sw[0, r] += w[i, r]
            if uses_olive:
                for r in range(n_runs):
                    sv[0, r] += v[i, r]
            j += 1
        n_act = stop - start
        any_w = False
        any_v = False
        for r in range(n_runs):
            s = perturb(u[k], prm[r])
            total = (sw[0, r] + sw[1, r]) + (sw[2, r] + sw[3, r])
            P = max((total + n_act * omega[r] - theta_N) / sqrtN, 0.0) + s * A[r]
            J = 0.0
            if uses_olive:
                J = max(((sv[0, r] + sv[1, r]) + (sv[2, r] + sv[3, r]) - theta_N) / sqrtN
                        - q[r] * P, 0.0)
            a, b, dv_r, drift = update(abs(P - R[mu]), P - R[mu], J, mu, state[r], prm[r])
            dw[r] = a + b * s
            dv[r] = dv_r
            floor[r] = 0.0 - omega[r]
            omega[r] += drift
            any_w = any_w or dw[r] != 0.0
            any_v = any_v or dv[r] != 0.0
        if any_w:
            for j in range(start, stop):
                i = idx[j]
                for r in range(n_runs):
                    w[i, r] = max(w[i, r] + dw[r], floor[r])
        if any_v:
            for j in range(start, stop):
                i = idx[j]
                for r in range(n_runs):
                    v[i, r] = max(v[i, r] + dv[r], 0.0)
    for r in range(n_runs):
        if omega[r] != 0.0:
            for i in range(w.shape[0]):
                w[i, r] = max(w[i, r] + omega[r], 0.0)


KERNELS = {"numpy": train_block_numpy, "numba": train_block_numba}


def kernel_args(p: PerceptronModel, rule: Rule, *, compiled: bool, n_patterns: int | None = None
                ) -> tuple:
    """The kernels' arguments after (w, v, idx, ptr, R, order, u): θN, √N, q, A, the rule's
    functions (compiled, or their plain Python for the NumPy reference), its constants, a fresh
    state and whether it reads 𝒥."""
    n = getattr(p, "n_patterns", 1) if n_patterns is None else n_patterns
    fn = (lambda f: f) if compiled else (lambda f: f.py_func)
    return (p.theta * p.N_M, math.sqrt(p.N_M), p.q, p.A, fn(rule.perturb), fn(rule.update),
            rule.constants_for(p), np.zeros(rule.state_size(n)), rule.uses_olive)


def outputs(w, v, pats: Patterns, p: PerceptronParams) -> tuple[np.ndarray, np.ndarray]:
    """Unperturbed output P^μ (Eq 36 with η = 0) and drive 𝒥^μ = (Σ v M − θN)/√N of every pattern."""
    sums_w = np.add.reduceat(w[pats.idx], pats.ptr[:-1]) if pats.idx.size else np.zeros(pats.R.size)
    sums_v = np.add.reduceat(v[pats.idx], pats.ptr[:-1]) if pats.idx.size else np.zeros(pats.R.size)
    empty = np.diff(pats.ptr) == 0
    sums_w[empty], sums_v[empty] = 0.0, 0.0
    theta_N, sqrtN = p.theta * p.N_M, math.sqrt(p.N_M)
    return np.maximum((sums_w - theta_N) / sqrtN, 0.0), (sums_v - theta_N) / sqrtN


def record_trials(trials_per_pattern: int, n_records: int) -> np.ndarray:
    """0 plus log-spaced trial counts up to ``trials_per_pattern`` (unique integers)."""
    counts = np.geomspace(1, trials_per_pattern, n_records - 1).round().astype(int)
    return np.unique(np.r_[0, counts, trials_per_pattern])


BATCHABLE = ("q", "A", "rho", "dP", "dJ", "alpha_delta", "eta_np", "baseline_rate", "beta_w")
"""Parameters that may differ between runs trained in lockstep (:func:`train_batch`): they
change neither the patterns, the initial weights nor θ."""


def train(p: PerceptronParams, rng: np.random.Generator, *, backend: str = "numba",
          block_epochs: int = 256, show_progress: bool = True,
          marks: np.ndarray | None = None, rule: Rule | None = None) -> xr.Dataset:
    """One learning run: draw patterns, train, record errors at log-spaced trial counts.

    Random numbers come from ``rng`` only: patterns and targets first, then, for each block of
    epochs, the presentation orders and the uniform numbers of the perturbations (drawn whatever
    the rule, so every rule sees the same patterns for the same seed).
    """
    return train_batch([p], rng, backend=backend, block_epochs=block_epochs,
                       show_progress=show_progress, marks=marks, rule=rule)[0]


def train_batch(configs: list[PerceptronParams], rng: np.random.Generator, *,
                backend: str = "numba", block_epochs: int = 256, show_progress: bool = True,
                marks: np.ndarray | None = None, rule: Rule | None = None) -> list[xr.Dataset]:
    """Runs that differ only in :data:`BATCHABLE` parameters, trained in lockstep on the same
    patterns, presentation order and uniform numbers (a paired design: the random numbers of
    ``rng`` are drawn once, as for one run). Each result equals :func:`train` of its config with
    a generator in the same state, bit for bit; the compiled kernel runs all of them at once
    (weights stored [synapse, run]). The NumPy reference takes one run at a time."""
    if backend not in KERNELS:
        raise ParameterError(f"backend = {backend!r}: allowed one of {', '.join(KERNELS)}")
    p = configs[0]
    shared = {k: v for k, v in p.to_dict().items() if k not in BATCHABLE}
    for c in configs[1:]:
        diff = [k for k, v in c.to_dict().items() if k not in BATCHABLE and v != shared[k]]
        if diff:
            raise ParameterError(f"runs trained in lockstep must share parameter '{diff[0]}' "
                                 f"({shared[diff[0]]!r} vs {getattr(c, diff[0])!r}); only "
                                 f"{', '.join(BATCHABLE)} may differ")
    n_runs = len(configs)
    if backend == "numpy" and n_runs > 1:
        raise ParameterError("the NumPy reference trains one run at a time")
    the_rule = get_rule(p.rule if rule is None else rule)
    pats = Patterns.draw(p, rng)
    w, v = initial_weights(p, rng)
    w_start_zero = float(np.mean(w == 0))
    if n_runs == 1:
        run_block = KERNELS[backend]
        args = kernel_args(p, the_rule, compiled=backend == "numba")
        W, V = w[:, None], v[:, None]                    # views: the kernel updates w, v
    else:
        run_block = train_block_batch
        W = np.ascontiguousarray(np.repeat(w[:, None], n_runs, axis=1))
        V = np.ascontiguousarray(np.repeat(v[:, None], n_runs, axis=1))
        w, v = W, V
        args = (p.theta * p.N_M, math.sqrt(p.N_M), np.array([c.q for c in configs]),
                np.array([c.A for c in configs]), the_rule.perturb, the_rule.update,
                np.stack([the_rule.constants_for(c) for c in configs]),
                np.zeros((n_runs, the_rule.state_size(p.n_patterns))), the_rule.uses_olive)
    marks = record_trials(p.trials_per_pattern, p.n_records) if marks is None else np.asarray(marks)
    n_p = p.n_patterns
    P_rec = np.full((n_runs, marks.size, n_p), np.nan)
    J_rec = np.full_like(P_rec, np.nan)
    stopped = [None] * n_runs                                   # (slot, why, weight stats)
    base = np.tile(np.arange(n_p), (block_epochs, 1))
    done = 0
    label = f"perceptron {p.rule} p={n_p}" + (f" ×{n_runs}" if n_runs > 1 else "")
    with progress(p.trials_per_pattern * n_p * n_runs, label, unit="pres",
                  disable_override=not show_progress) as bar:
        for slot, target in enumerate(marks):
            while done < target:
                k = min(block_epochs, target - done)
                order = rng.permuted(base[:k], axis=1).ravel()
                u = rng.random(k * n_p)
                run_block(w, v, pats.idx, pats.ptr, pats.R, order, u, *args)
                done += k
                bar.update(k * n_p * n_runs)
            for r, c in enumerate(configs):
                if stopped[r] is None:
                    P_rec[r, slot], J_rec[r, slot] = outputs(W[:, r], V[:, r], pats, c)
                    why = _runaway(P_rec[r, slot], pats.R, P_rec[r, 0], c.P_max)
                    if why:
                        stopped[r] = (slot, why, _weight_stats(W[:, r], c))
            if all(s is not None for s in stopped):
                break
    return [_run_dataset(c, pats, marks, P_rec[r], J_rec[r], w_start_zero,
                         stopped[r] or (None, "", _weight_stats(W[:, r], c)))
            for r, c in enumerate(configs)]


def _weight_stats(w: np.ndarray, p: PerceptronParams) -> tuple[float, float]:
    return float(np.mean(w == 0)), float(np.mean(w < SILENT * initial_weight(p)))


def _run_dataset(p: PerceptronParams, pats: Patterns, marks: np.ndarray, P_rec: np.ndarray,
                 J_rec: np.ndarray, w_start_zero: float, stop: tuple) -> xr.Dataset:
    slot, why, (w_zero, w_silent) = stop
    err = np.abs(P_rec - pats.R)
    ds = xr.Dataset(
        dict(
            mean_error=(("trial",), err.mean(axis=1),
                        dict(long_name="mean |P − R| over patterns, unperturbed", units="Hz")),
            P_traj=(("trial", "pattern"), P_rec, dict(long_name="unperturbed output P", units="Hz")),
            J_traj=(("trial", "pattern"), J_rec, dict(long_name="𝒥 = (Σ v M − θN)/√N", units="Hz")),
            P=(("pattern",), P_rec[-1], dict(long_name="final output", units="Hz")),
            R=(("pattern",), pats.R, dict(long_name="target", units="Hz")),
            w_zero=((), w_zero, dict(long_name="fraction of zero weights, end")),
            w_zero_start=((), w_start_zero, dict(long_name="fraction of zero weights, start")),
            w_silent=((), w_silent, dict(
                long_name=f"fraction of near-silent weights (w < {SILENT:g} w̄), end")),
        ),
        coords=dict(trial=("trial", marks, dict(units="trial (per pattern)")),
                    pattern=np.arange(p.n_patterns)),
        attrs=dict(theta=p.theta, alpha_w=p.alpha_w, alpha_v=p.alpha_v),
    )
    if why:
        mark_diverged(ds, int(marks[slot]), "trial", why)
    return ds


def _runaway(P: np.ndarray, R: np.ndarray, P0: np.ndarray, P_max: float) -> str:
    """Why the outputs ``P`` have run away ('' if they have not): a non-finite output, or a mean
    error above max(2 × the initial mean error, P_max). Learning lowers the error; even far
    above capacity it stays near its floor of a few Hz (Fig 10D)."""
    if not np.isfinite(P).all():
        return "non-finite output P"
    err, err0 = float(np.abs(P - R).mean()), float(np.abs(P0 - R).mean())
    bound = max(2 * err0, P_max)
    if err > bound:
        return f"mean error {err0:.3g} → {err:.3g} Hz (bound max(2 × initial, P_max) = {bound:.3g})"
    return ""


def train_many(configs: list[PerceptronParams], rng: np.random.Generator, *,
               marks: np.ndarray | None = None, rule: Rule | None = None) -> list[xr.Dataset]:
    """Train several runs: those that differ only in :data:`BATCHABLE` parameters (and share a
    rule) run in lockstep (:func:`train_batch`) on one generator, so they see the same patterns,
    orders and perturbation numbers (a paired comparison). A config given again is a replicate:
    its k-th copy joins the k-th group, with its own generator. Groups are spread over the cores
    (:func:`cerebellar.core.parallel.map_runs`), one generator spawned from ``rng`` per group, in
    the order of first appearance. Results come back in the order of ``configs``."""
    groups: dict[tuple, list[int]] = {}
    copies: dict[PerceptronParams, int] = {}
    for i, c in enumerate(configs):
        copies[c] = copies.get(c, -1) + 1
        key = (copies[c], *((k, v) for k, v in c.to_dict().items() if k not in BATCHABLE))
        groups.setdefault(key, []).append(i)
    members = list(groups.values())
    runs = map_runs(
        lambda g, r: train_batch([configs[i] for i in g], r, show_progress=False, marks=marks,
                                 rule=rule),
        members, rng, cost=lambda g: len(g) * configs[g[0]].trials_per_pattern
        * configs[g[0]].n_patterns, desc="perceptron runs", unit="pres")
    out: list[xr.Dataset | None] = [None] * len(configs)
    for group, results in zip(members, runs, strict=True):
        for i, ds in zip(group, results, strict=True):
            out[i] = ds
    return out
