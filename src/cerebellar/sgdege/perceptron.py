"""Analog perceptron trained by SGDEGE or by the delta rule (Bouvier et al. 2018, Appendix 1,
"Perceptron model and simulations", Eqs 36-42; the model reference, 'Analog perceptron').

One P-cell reads N_M binary mossy fibres (coding level f) through weights w ≥ 0:

    P^μ = [ (Σ_i w_i M^μ_i − θ N_M)/√N_M ]_+ + η A                                  (Eq 36)
    θ = (P_max/2)(√(f/(3(1 − f)γ)) − 1/√N_M)                                        (Fig 10 legend)

SGDEGE: ℰ = |P^μ − R^μ|, ℐ = [(Σ_i v_i M^μ_i − θ N_M)/√N_M − q P^μ]_+ (Eq 37), c = sign(ℰ − ℐ)
(a tie counts as no eCS); w_i ← [w_i − α_w c η M^μ_i]_+ (Eq 38), v_i ← [v_i + α_v c M^μ_i]_+ (Eq 39),
with α_w = ΔP/(f√N_M), α_v = Δ𝒥/(f√N_M) (Eqs 40-41). Delta rule: w_i ← [w_i − α M^μ_i (P^μ − R^μ)]_+
with A = 0 (Eq 42).

Trials are counted per pattern: each trial is one epoch presenting every pattern once in a new
random order [NS: the paper says "drawn without replacement"]. Two kernels implement one
presentation loop: :func:`train_block_numpy` (reference) and :func:`lockstep_kernel` (compiled,
touches only the ~f·N_M active synapses of a pattern, for one run or several runs in lockstep,
one SIMD lane per run); both consume the same pre-drawn orders and perturbation flags, so they
agree to rounding.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, fields
from typing import Any, ClassVar

import numba
import numpy as np
import xarray as xr

from ..core.errors import ParameterError
from ..core.parallel import map_runs
from ..core.params import Params, Settings, param
from ..core.progress import progress
from ..core.simd import vector_ops
from ..core.status import mark_diverged
from ..rules import Rule, rule_of, rule_param, rule_settings_param

MODEL = "perceptron"
"""The name rules know this model by (their ``models`` and per-model ``defaults``)."""
INITS = ("halfnormal", "constant")
SILENT = 0.1
"""A weight below SILENT × the mean initial weight w̄ counts as near-silent: the rectification
of Eqs 38, 42 makes few weights exactly zero, but near capacity most of them become tiny."""


@dataclass(frozen=True)
class PerceptronModel(Params):
    """The perceptron and its rules (defaults of the Fig 10 legend and Eqs 40-41; the model
    reference, 'Perceptron parameters'), without the run's size."""

    N_M: int = param(1000, low=1, high=1_000_000, doc="number of mossy-fibre inputs")
    f: float = param(0.2, low=0, high=1, low_open=True, high_open=True, doc="coding level")
    P_max: float = param(100.0, low=0, high=1e4, low_open=True, units="Hz", doc="targets ~ U[0, P_max]")
    gamma: float = param(1.0, low=0, high=100, low_open=True, doc="composite parameter γ of θ")
    A: float = param(2.0, low=0, high=1e3, units="Hz", doc="perturbation amplitude")
    rho: float = param(0.2, low=0, high=1, doc="perturbation probability per presentation")
    q: float = param(0.5, low=0, high=10, doc="PC→NO relative strength")
    dP: float = param(0.2, low=0, high=1e3, units="Hz", doc="ΔP (sets α_w by Eq 40)")
    dJ: float = param(0.4, low=0, high=1e3, units="Hz", doc="Δ𝒥 (sets α_v by Eq 41)")
    w_init: str = param("halfnormal", choices=INITS,
                        doc="initial MF→PC weights w: 'halfnormal' (half of them zero) or 'constant'")
    rule_settings: Settings = rule_settings_param(MODEL)

    STEP_PARAMS: ClassVar[tuple[str, ...]] = ("dP", "dJ", "A")
    NOT_STATED: ClassVar[dict[str, str]] = {
        "trials_per_pattern": "each trial is one epoch: every pattern once, in a new random order",
        "w_init": "initial weights are not stated. v_i = w̄ = θ/f + (P_max/2)/(f√N_M), so 𝒥 "
                  "starts at P_max/2. 'halfnormal': w_i ∝ max(0, z), z ~ N(0, 1), scaled to mean "
                  "w̄: half the MF→PC synapses start silent (the truncated-Gaussian shape of the "
                  "capacity theory, Brunel et al. 2004) and outputs start around P_max/2. Only "
                  "zero-weight synapses can give Fig 10A's half-rate depression; 'constant' "
                  "(w_i = w̄) cannot",
        "mean_error": "mean over patterns of |P − R| without perturbation",
        "rule_settings": "the rates of the rules the paper does not run on the perceptron are "
                         "the rules' own defaults on this model (delta.alpha, "
                         "node_perturbation.eta, mai.beta; see cerebellar.rules)",
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

    rule: str = rule_param("sgdege", MODEL,
                           doc="learning rule (cerebellar.rules): SGDEGE (Eqs 37-39), delta (Eq 42), "
                               "node perturbation, Marr-Albus-Ito (Eqs 14-15), or another package's")
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


def lockstep_kernel(n_runs: int):
    """The compiled kernel for ``n_runs`` runs in lockstep (built once per width).

    ``kernel(X, idx, ptr, R, order, u, θN, √N, q, A, perturb, update, prm, state, uses_olive)``
    presents patterns ``order`` exactly as :func:`train_block_numpy` does for each run, with the
    runs' weights interleaved in ``X`` (flat, C order [synapse, w or v, run]): one pattern's
    active synapses are read once for all the runs, and each arithmetic operation is one SIMD
    instruction over the runs (:mod:`cerebellar.core.simd`). ``q``, ``A`` have one value per run,
    ``prm`` and ``state`` one row per run; the rule's compiled functions are inlined by Numba.

    Lane r computes what the run alone computes, operation for operation: Σ_i w_i M_i in four
    partial sums over the active inputs taken in turn, combined as (s0 + s1) + (s2 + s3), so a run
    is bit for bit the same whatever else runs beside it (and rounds differently from NumPy's
    pairwise sum only in the last bits). A drift of every weight (Marr-Albus-Ito) is kept as an
    offset ω per run (stored weights are w − ω, rectified at −ω) and folded in at the end of the
    block. When a presentation changes w (or v) of any run, every run's active w (or v) is
    rewritten, w_i ← max(w_i + Δw, −ω) with Δw = 0 in the runs that did not change."""
    with _LOCKSTEP_LOCK:                  # runs on several threads ask for the same width
        if n_runs not in _LOCKSTEP:
            _LOCKSTEP[n_runs] = _build_lockstep_kernel(n_runs)
        return _LOCKSTEP[n_runs]


def _build_lockstep_kernel(n_runs: int):
    load, store, splat, add, vmax, get, put = vector_ops(n_runs)  # Numba needs plain names
    row, v_at = np.uint64(2 * n_runs), np.uint64(n_runs)

    @numba.njit(nogil=True)
    def kernel(X, idx, ptr, R, order, u, theta_N, sqrtN, q, A, perturb, update, prm, state,
               uses_olive):  # pragma: no cover - compiled
        zero = splat(0.0)
        omega = np.zeros(n_runs)
        floor = zero
        for k in range(order.size):
            mu = order[k]
            start, stop = ptr[mu], ptr[mu + 1]
            w0 = w1 = w2 = w3 = v0 = v1 = v2 = v3 = zero
            j = start
            while j + 4 <= stop:                    # four partial sums (add latency chains)
                b0 = np.uint64(idx[j]) * row
                b1 = np.uint64(idx[j + 1]) * row
                b2 = np.uint64(idx[j + 2]) * row
                b3 = np.uint64(idx[j + 3]) * row
                w0 = add(w0, load(X, b0))
                w1 = add(w1, load(X, b1))
                w2 = add(w2, load(X, b2))
                w3 = add(w3, load(X, b3))
                if uses_olive:
                    v0 = add(v0, load(X, b0 + v_at))
                    v1 = add(v1, load(X, b1 + v_at))
                    v2 = add(v2, load(X, b2 + v_at))
                    v3 = add(v3, load(X, b3 + v_at))
                j += 4
            while j < stop:
                b0 = np.uint64(idx[j]) * row
                w0 = add(w0, load(X, b0))
                if uses_olive:
                    v0 = add(v0, load(X, b0 + v_at))
                j += 1
            sum_w = add(add(w0, w1), add(w2, w3))
            sum_v = add(add(v0, v1), add(v2, v3))
            n_act = stop - start
            dw = dv = zero
            any_w = any_v = False
            for r in range(n_runs):
                s = perturb(u[k], prm[r])
                P = max((get(sum_w, r) + n_act * omega[r] - theta_N) / sqrtN, 0.0) + s * A[r]
                J = 0.0
                if uses_olive:
                    J = max((get(sum_v, r) - theta_N) / sqrtN - q[r] * P, 0.0)
                a, b, dv_r, drift = update(abs(P - R[mu]), P - R[mu], J, mu, state[r], prm[r])
                dw_r = a + b * s
                dw = put(dw, r, dw_r)
                dv = put(dv, r, dv_r)
                floor = put(floor, r, 0.0 - omega[r])
                omega[r] += drift
                any_w = any_w or dw_r != 0.0
                any_v = any_v or dv_r != 0.0
            if any_w and any_v:
                for j in range(start, stop):
                    b0 = np.uint64(idx[j]) * row
                    store(X, b0, vmax(add(load(X, b0), dw), floor))
                    store(X, b0 + v_at, vmax(add(load(X, b0 + v_at), dv), zero))
            elif any_w:
                for j in range(start, stop):
                    b0 = np.uint64(idx[j]) * row
                    store(X, b0, vmax(add(load(X, b0), dw), floor))
            elif any_v:
                for j in range(start, stop):
                    b0 = np.uint64(idx[j]) * row + v_at
                    store(X, b0, vmax(add(load(X, b0), dv), zero))
        for r in range(n_runs):
            if omega[r] != 0.0:
                for i in range(X.size // (2 * n_runs)):
                    X[i * 2 * n_runs + r] = max(X[i * 2 * n_runs + r] + omega[r], 0.0)

    return kernel


_LOCKSTEP: dict[int, object] = {}
_LOCKSTEP_LOCK = threading.Lock()


def train_block_numba(w, v, idx, ptr, R, order, u, theta_N, sqrtN, q, A, perturb, update, prm,
                      state, uses_olive):
    """Compiled counterpart of :func:`train_block_numpy`, for one run (w, v 1-D; scalar q, A;
    1-D prm, state) or runs in lockstep (w, v [synapse, run]; q, A per run; prm, state one row
    per run), updating w, v and ``state`` in place (:func:`lockstep_kernel`)."""
    one = w.ndim == 1
    W, V = (w[:, None], v[:, None]) if one else (w, v)
    n_runs = W.shape[1]
    X = np.ascontiguousarray(np.stack([W, V], axis=1)).reshape(-1)
    S = state.reshape(1, -1) if one else state
    lockstep_kernel(n_runs)(
        X, np.asarray(idx, np.uint32), ptr, R, order, u, theta_N, sqrtN,
        np.atleast_1d(np.asarray(q, float)), np.atleast_1d(np.asarray(A, float)), perturb, update,
        np.atleast_2d(prm), S, uses_olive)
    X = X.reshape(-1, 2, n_runs)
    W[:], V[:] = X[:, 0], X[:, 1]


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


def lockstep_args(configs: list[PerceptronModel], rules: list[Rule],
                  n_patterns: int | None = None) -> tuple:
    """:func:`lockstep_kernel`'s arguments after (X, idx, ptr, R, order, u) for runs ``configs``
    of one rule (``rules[k]``: run k's, configured with its settings): θN, √N (shared), q and A
    per run, the rule's compiled functions, one row of constants and one fresh state row per
    run, and whether the rule reads 𝒥."""
    p, rule = configs[0], rules[0]
    n = getattr(p, "n_patterns", 1) if n_patterns is None else n_patterns
    return (p.theta * p.N_M, math.sqrt(p.N_M), np.array([c.q for c in configs], float),
            np.array([c.A for c in configs], float), rule.perturb, rule.update,
            np.stack([r.constants_for(c) for c, r in zip(configs, rules, strict=True)]),
            np.zeros((len(configs), rule.state_size(n))), rule.uses_olive)


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


BATCHABLE = ("rule", "q", "A", "rho", "dP", "dJ", "rule_settings")
"""Parameters that may differ between runs trained in lockstep (:func:`train_batch`): they
change neither the patterns, the initial weights nor θ."""


MAX_LANES = 8
"""Runs of one rule per kernel call: wider batches are split (in ``benchmarks/perceptron.py``,
8 lanes ran at 54-57 ns per run-presentation, 16 lanes at 65-99: too few vector registers)."""


def lane_width(n_runs: int) -> int:
    """SIMD lanes for ``n_runs`` (≤ :data:`MAX_LANES`) runs in lockstep: n_runs, or the next
    power of two where that is one lane more (3 → 4, 7 → 8: LLVM splits a 3-lane vector into
    2 + 1; measured 392 ns per presentation for 3 SGDEGE runs, 298 for 4). Extra lanes repeat
    the first run and are dropped."""
    pow2 = 1 << (n_runs - 1).bit_length()
    return pow2 if pow2 == n_runs + 1 else n_runs


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
    a generator in the same state, bit for bit. The compiled kernel runs the runs of each rule at
    once (up to :data:`MAX_LANES`), one SIMD lane per run (:func:`lockstep_kernel`); rules take
    turns on each block of presentations. The NumPy reference takes one run at a time."""
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
    rules = [rule_of(c, MODEL, rule if rule is not None else getattr(c, "rule", "sgdege"))
             for c in configs]
    pats = Patterns.draw(p, rng)
    w, v = initial_weights(p, rng)
    w_start_zero = float(np.mean(w == 0))
    if backend == "numpy":
        W, V = [w], [v]                                  # the reference updates w, v in place
        rest = kernel_args(p, rules[0], compiled=False)

        def run_block(order, u):
            train_block_numpy(w, v, pats.idx, pats.ptr, pats.R, order, u, *rest)
    else:
        W, V = [None] * n_runs, [None] * n_runs         # views of each rule's interleaved X
        steps = []
        by_rule: dict[str, list[int]] = {}
        for r, rl in enumerate(rules):
            by_rule.setdefault(rl.name, []).append(r)
        idx = pats.idx.astype(np.uint32)
        chunks = [runs[i:i + MAX_LANES] for runs in by_rule.values()
                  for i in range(0, len(runs), MAX_LANES)]
        for members in chunks:
            width = lane_width(len(members))
            X = np.empty((p.N_M, 2, width))             # [synapse, w or v, lane]
            X[:, 0], X[:, 1] = w[:, None], v[:, None]
            for lane, r in enumerate(members):
                W[r], V[r] = X[:, 0, lane], X[:, 1, lane]
            lanes = members + members[:1] * (width - len(members))
            steps.append((lockstep_kernel(width), (X.reshape(-1), idx, pats.ptr, pats.R),
                          lockstep_args([configs[r] for r in lanes], [rules[r] for r in lanes])))

        def run_block(order, u):
            for kernel, head, rest in steps:
                kernel(*head, order, u, *rest)
    marks = record_trials(p.trials_per_pattern, p.n_records) if marks is None else np.asarray(marks)
    n_p = p.n_patterns
    P_rec = np.full((n_runs, marks.size, n_p), np.nan)
    J_rec = np.full_like(P_rec, np.nan)
    stopped = [None] * n_runs                                   # (slot, why, weight stats)
    base = np.tile(np.arange(n_p), (block_epochs, 1))
    presented = np.zeros(n_p, np.int64)                          # presentations per pattern
    done = 0
    label = (f"perceptron {'/'.join(dict.fromkeys(r.name for r in rules))} p={n_p}"
             + (f" ×{n_runs}" if n_runs > 1 else ""))
    with progress(p.trials_per_pattern * n_p * n_runs, label, unit="pres",
                  disable_override=not show_progress) as bar:
        for slot, target in enumerate(marks):
            while done < target:
                k = min(block_epochs, target - done)
                order = rng.permuted(base[:k], axis=1).ravel()
                presented += np.bincount(order, minlength=n_p)
                u = rng.random(k * n_p)
                run_block(order, u)
                done += k
                bar.update(k * n_p * n_runs)
            for r, c in enumerate(configs):
                if stopped[r] is None:
                    P_rec[r, slot], J_rec[r, slot] = outputs(W[r], V[r], pats, c)
                    why = _runaway(P_rec[r, slot], pats.R, P_rec[r, 0], c.P_max)
                    if why:
                        stopped[r] = (slot, why, _weight_stats(W[r], c))
            if all(s is not None for s in stopped):
                break
    return [_run_dataset(c, pats, marks, P_rec[r], J_rec[r], w_start_zero, presented,
                         stopped[r] or (None, "", _weight_stats(W[r], c)))
            for r, c in enumerate(configs)]


def _weight_stats(w: np.ndarray, p: PerceptronParams) -> tuple[float, float]:
    return float(np.mean(w == 0)), float(np.mean(w < SILENT * initial_weight(p)))


def _run_dataset(p: PerceptronParams, pats: Patterns, marks: np.ndarray, P_rec: np.ndarray,
                 J_rec: np.ndarray, w_start_zero: float, presented: np.ndarray, stop: tuple
                 ) -> xr.Dataset:
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
            presentations=(("pattern",), presented, dict(long_name="presentations of the pattern",
                                                         units="1")),
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
    """Train several runs: those that differ only in :data:`BATCHABLE` parameters run in
    lockstep (:func:`train_batch`) on one generator, so they see the same patterns, orders and
    perturbation numbers (a paired comparison). A config given again is a replicate: its k-th
    copy joins the k-th group, with its own generator. Groups are spread over the cores
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
