"""The compiled perceptron kernel: the ~f·N_M active synapses of a pattern only, for one run
or several runs in lockstep, one SIMD lane per run (Eqs 36-42)."""

from __future__ import annotations

import math
import threading

import numba
import numpy as np

from cerebellar.core.simd import vector_ops
from cerebellar.rules import Rule

from ..params import MAX_LANES, PerceptronModel


def lockstep_kernel(n_a: int, n_b: int = 0, olive_a: bool = True, olive_b: bool = False):
    """The compiled kernel for runs in lockstep: ``n_a`` runs of one rule and ``n_b`` (≥ 0) of
    another, each rule's runs one SIMD vector; ``olive_*``: whether that rule reads 𝒥 (else its v
    are neither read nor written). Built once per shape.

    ``kernel(X, idx, ptr, R, order, u, θN, √N, q, A, perturb_a, update_a, prm_a, state_a,
    perturb_b, update_b, prm_b, state_b)`` presents patterns ``order`` exactly as
    `train_block_numpy` does for each run. The runs' weights are interleaved in ``X`` (flat, C
    order [synapse, (w of the first rule's runs, v of them, w of the second's, v of them)]): one
    pattern's active synapses are read once for all the runs, and each arithmetic operation is
    one SIMD instruction over a rule's runs (`cerebellar.core.simd`). ``q``, ``A`` have one value
    per run (the first rule's runs first); ``prm_*``, ``state_*`` one row per run of that rule.
    The rules' compiled functions are inlined by Numba. A rule's w are rewritten only on the
    presentations that change them for one of its runs, its v (where it reads 𝒥) on every
    presentation; the pass that rewrites them is compiled for each of the four cases of which
    rules' w change, so it tests nothing per synapse. Fig 10D's cell, four SGDEGE runs (v on every
    presentation, w on perturbed ones) and the delta rule (w on every presentation), costs one
    pass over the synapses, the delta rule's part of it one double per synapse. Indices are
    unsigned, so Numba adds no wrap-around of negative ones (a 1.18× gain).

    Lane r computes what the run alone computes, operation for operation: Σ_i w_i M_i in four
    partial sums over the active inputs taken in turn, combined as (s0 + s1) + (s2 + s3), so a run
    is bit for bit the same whatever else runs beside it (and rounds differently from NumPy's
    pairwise sum only in the last bits). A drift of every weight (Marr-Albus-Ito) is kept as an
    offset ω per run (stored weights are w − ω, rectified at −ω) and folded in at the end of the
    block. When a presentation changes w of any run of a rule, every run of that rule has its
    active w rewritten, w_i ← max(w_i + Δw, −ω) with Δw = 0 in the runs that did not change
    (and likewise v ← max(v + Δv, 0)): x + 0 = x for the weights, which are never −0."""
    if n_a < 1 or n_b < 0:
        raise ValueError(f"lanes ({n_a}, {n_b}): allowed n_a >= 1, n_b >= 0")
    shape = (n_a, n_b, bool(olive_a), bool(olive_b) and n_b > 0)
    with _LOCKSTEP_LOCK:                  # runs on several threads ask for the same shape
        if shape not in _LOCKSTEP:
            _LOCKSTEP[shape] = _build_lockstep_kernel(*shape)
        return _LOCKSTEP[shape]


@numba.njit(nogil=True, inline="always")
def _lane(sum_w, sum_v, n_act, omega, theta_N, sqrtN, q, A, u, R, mu, perturb, update, prm, state,
          olive):  # pragma: no cover - compiled
    """One run's presentation (Eqs 36-39): its output P, its olive's ℐ and the rule's update;
    (Δw, Δv, drift)."""
    s = perturb(u, prm)
    P = max((sum_w + n_act * omega - theta_N) / sqrtN, 0.0) + s * A
    J = 0.0
    if olive:
        J = max((sum_v - theta_N) / sqrtN - q * P, 0.0)
    a, b, dv, drift = update(abs(P - R), P - R, J, mu, state, prm)
    return a + b * s, dv, drift


def _build_lockstep_kernel(n_a: int, n_b: int, olive_a: bool, olive_b: bool):
    load, store, splat, add, vmax, get, put = vector_ops(n_a)  # Numba needs plain names
    load_b, store_b, splat_b, add_b, vmax_b, get_b, put_b = vector_ops(max(n_b, 1))
    second = n_b > 0
    n_runs = n_a + n_b
    row, v_at = np.uint64(2 * n_runs), np.uint64(n_a)
    w_b, v_b = np.uint64(2 * n_a), np.uint64(2 * n_a + n_b)
    one, two, three, four = (np.uint64(k) for k in range(1, 5))   # unsigned: no wrap

    @numba.njit(nogil=True, inline="always")
    def rewrite(X, idx, start, stop, dw, dv, dx, dy, floor, floor_b, write_w, write_x
                ):  # pragma: no cover - compiled
        """The active rows after a presentation: w of the first rule (``write_w``), its v (if
        it reads 𝒥), w of the second (``write_x``), its v; called with constant flags."""
        zero, zero_b = splat(0.0), splat_b(0.0)
        for j in range(start, stop):
            b0 = np.uint64(idx[j]) * row
            if write_w:
                store(X, b0, vmax(add(load(X, b0), dw), floor))
            if olive_a:
                store(X, b0 + v_at, vmax(add(load(X, b0 + v_at), dv), zero))
            if write_x:
                store_b(X, b0 + w_b, vmax_b(add_b(load_b(X, b0 + w_b), dx), floor_b))
            if olive_b:
                store_b(X, b0 + v_b, vmax_b(add_b(load_b(X, b0 + v_b), dy), zero_b))

    @numba.njit(nogil=True)
    def kernel(X, idx, ptr, R, order, u, theta_N, sqrtN, q, A, perturb_a, update_a, prm_a,
               state_a, perturb_b, update_b, prm_b, state_b):  # pragma: no cover - compiled
        zero, zero_b = splat(0.0), splat_b(0.0)
        omega = np.zeros(n_runs)
        floor, floor_b = zero, zero_b
        for k in range(order.size):
            mu = order[k]
            m = np.uint64(mu)
            start, stop = np.uint64(ptr[m]), np.uint64(ptr[m + one])
            w0 = w1 = w2 = w3 = v0 = v1 = v2 = v3 = zero
            x0 = x1 = x2 = x3 = y0 = y1 = y2 = y3 = zero_b     # the second rule's w and v
            j = start
            while j + four <= stop:                 # four partial sums (add latency chains)
                b0 = np.uint64(idx[j]) * row
                b1 = np.uint64(idx[j + one]) * row
                b2 = np.uint64(idx[j + two]) * row
                b3 = np.uint64(idx[j + three]) * row
                w0 = add(w0, load(X, b0))
                w1 = add(w1, load(X, b1))
                w2 = add(w2, load(X, b2))
                w3 = add(w3, load(X, b3))
                if olive_a:
                    v0 = add(v0, load(X, b0 + v_at))
                    v1 = add(v1, load(X, b1 + v_at))
                    v2 = add(v2, load(X, b2 + v_at))
                    v3 = add(v3, load(X, b3 + v_at))
                if second:
                    x0 = add_b(x0, load_b(X, b0 + w_b))
                    x1 = add_b(x1, load_b(X, b1 + w_b))
                    x2 = add_b(x2, load_b(X, b2 + w_b))
                    x3 = add_b(x3, load_b(X, b3 + w_b))
                if olive_b:
                    y0 = add_b(y0, load_b(X, b0 + v_b))
                    y1 = add_b(y1, load_b(X, b1 + v_b))
                    y2 = add_b(y2, load_b(X, b2 + v_b))
                    y3 = add_b(y3, load_b(X, b3 + v_b))
                j += four
            while j < stop:
                b0 = np.uint64(idx[j]) * row
                w0 = add(w0, load(X, b0))
                if olive_a:
                    v0 = add(v0, load(X, b0 + v_at))
                if second:
                    x0 = add_b(x0, load_b(X, b0 + w_b))
                if olive_b:
                    y0 = add_b(y0, load_b(X, b0 + v_b))
                j += one
            sum_w = add(add(w0, w1), add(w2, w3))
            sum_v = add(add(v0, v1), add(v2, v3))
            sum_x = add_b(add_b(x0, x1), add_b(x2, x3))
            sum_y = add_b(add_b(y0, y1), add_b(y2, y3))
            n_act = np.int64(stop - start)
            dw = dv = zero
            dx = dy = zero_b
            any_w = any_x = False
            for r in range(n_a):
                dw_r, dv_r, drift = _lane(get(sum_w, r), get(sum_v, r), n_act, omega[r], theta_N,
                                          sqrtN, q[r], A[r], u[k], R[m], mu, perturb_a,
                                          update_a, prm_a[r], state_a[r], olive_a)
                dw, dv = put(dw, r, dw_r), put(dv, r, dv_r)
                floor = put(floor, r, 0.0 - omega[r])
                omega[r] += drift
                any_w = any_w or dw_r != 0.0
            for r in range(n_b):
                dw_r, dv_r, drift = _lane(get_b(sum_x, r), get_b(sum_y, r), n_act,
                                          omega[n_a + r], theta_N, sqrtN, q[n_a + r],
                                          A[n_a + r], u[k], R[m], mu, perturb_b, update_b,
                                          prm_b[r], state_b[r], olive_b)
                dx, dy = put_b(dx, r, dw_r), put_b(dy, r, dv_r)
                floor_b = put_b(floor_b, r, 0.0 - omega[n_a + r])
                omega[n_a + r] += drift
                any_x = any_x or dw_r != 0.0
            if any_w and any_x:
                rewrite(X, idx, start, stop, dw, dv, dx, dy, floor, floor_b, True, True)
            elif any_w:
                rewrite(X, idx, start, stop, dw, dv, dx, dy, floor, floor_b, True, False)
            elif any_x:
                rewrite(X, idx, start, stop, dw, dv, dx, dy, floor, floor_b, False, True)
            elif olive_a or olive_b:
                rewrite(X, idx, start, stop, dw, dv, dx, dy, floor, floor_b, False, False)
        for r in range(n_runs):
            if omega[r] != 0.0:
                at = r if r < n_a else n_a + r          # w_a | v_a | w_b | v_b
                for i in range(X.size // (2 * n_runs)):
                    X[i * 2 * n_runs + at] = max(X[i * 2 * n_runs + at] + omega[r], 0.0)

    return kernel


_LOCKSTEP: dict[tuple[int, int, bool, bool], object] = {}


_LOCKSTEP_LOCK = threading.Lock()


def train_block_numba(w, v, idx, ptr, R, order, u, theta_N, sqrtN, q, A, perturb, update, prm,
                      state, uses_olive):
    """Compiled counterpart of `train_block_numpy`, for one run (w, v 1-D; scalar q, A;
    1-D prm, state) or runs in lockstep (w, v [synapse, run]; q, A per run; prm, state one row
    per run), updating w, v and ``state`` in place (`lockstep_kernel`)."""
    one = w.ndim == 1
    W, V = (w[:, None], v[:, None]) if one else (w, v)
    n_runs = W.shape[1]
    X = np.ascontiguousarray(np.stack([W, V], axis=1)).reshape(-1)
    S = state.reshape(1, -1) if one else state
    prm = np.atleast_2d(prm)
    lockstep_kernel(n_runs, 0, uses_olive)(
        X, np.asarray(idx, np.uint32), ptr, R, order, u, theta_N, sqrtN,
        np.atleast_1d(np.asarray(q, float)), np.atleast_1d(np.asarray(A, float)), perturb, update,
        prm, S, perturb, update, prm[:0], S[:0])
    X = X.reshape(-1, 2, n_runs)
    W[:], V[:] = X[:, 0], X[:, 1]


def kernel_args(p: PerceptronModel, rule: Rule, *, compiled: bool, n_patterns: int | None = None
                ) -> tuple:
    """The kernels' arguments after (w, v, idx, ptr, R, order, u): θN, √N, q, A, the rule's
    functions (compiled, or their plain Python for the NumPy reference), its constants, a fresh
    state and whether it reads 𝒥."""
    n = getattr(p, "n_patterns", 1) if n_patterns is None else n_patterns
    fn = (lambda f: f) if compiled else (lambda f: f.py_func)
    return (p.theta * p.N_M, math.sqrt(p.N_M), p.q, p.A, fn(rule.perturb), fn(rule.update),
            rule.constants_for(p), np.zeros(rule.state_size(n)), rule.uses_olive)


def lockstep_call(configs: list[PerceptronModel], rules: list[Rule], split: int | None = None,
                  n_patterns: int | None = None) -> tuple:
    """`lockstep_kernel` for runs ``configs`` (``rules[k]``: run k's rule, configured with its
    settings), lanes [0, ``split``) of one rule and the rest of another (default: all of one),
    and its arguments after (X, idx, ptr, R, order, u): θN, √N (shared), q and A per run, then
    for each of the two rules its compiled functions, one row of constants and one fresh state
    row per run."""
    p = configs[0]
    split = len(configs) if split is None else split
    n = getattr(p, "n_patterns", 1) if n_patterns is None else n_patterns

    def rule_args(lanes: range) -> tuple:
        rule = rules[lanes.start] if lanes else rules[0]
        prm = (np.stack([rules[r].constants_for(configs[r]) for r in lanes]) if lanes
               else np.zeros((0, 1)))                    # no runs of a second rule
        return (rule.perturb, rule.update, prm, np.zeros((len(lanes), rule.state_size(n))))

    kernel = lockstep_kernel(split, len(configs) - split, rules[0].uses_olive,
                             split < len(configs) and rules[split].uses_olive)
    return kernel, (p.theta * p.N_M, math.sqrt(p.N_M), np.array([c.q for c in configs], float),
                    np.array([c.A for c in configs], float), *rule_args(range(split)),
                    *rule_args(range(split, len(configs))))


def lane_columns(n_lanes: int, split: int) -> tuple[np.ndarray, np.ndarray]:
    """Where lane k's w and v sit in a row of ``X`` (`lockstep_kernel` with ``split`` lanes of
    the first rule): columns of a [synapse, 2 × lanes] array."""
    k, n_b = np.arange(n_lanes), n_lanes - split
    first = k < split
    return (np.where(first, k, split + k),                       # w: w_a | v_a | w_b | v_b
            np.where(first, split + k, split + n_b + k))


def lockstep_groups(rule_names: list[str]) -> list[tuple[list[int], int]]:
    """How `train_batch` lays runs of these rules out in kernel calls: [(lanes, split)], each
    lane a run's index, lanes [0, split) of one rule and the rest of another. The runs of a rule
    are cut into calls of at most `MAX_LANES` lanes; a call of one rule takes the next call of
    another rule in with it where their lanes fit in `MAX_LANES` (Fig 10D's cell: four SGDEGE
    runs and the delta rule, one pass over the synapses rather than two). Each rule's lanes are
    padded to `lane_width` by repeating its first run."""
    by_rule: dict[str, list[int]] = {}
    for r, name in enumerate(rule_names):
        by_rule.setdefault(name, []).append(r)
    chunks = [runs[i:i + MAX_LANES] for runs in by_rule.values()
              for i in range(0, len(runs), MAX_LANES)]
    padded = [c + c[:1] * (lane_width(len(c)) - len(c)) for c in chunks]
    groups: list[tuple[list[int], int]] = []
    while padded:
        first = padded.pop(0)
        other = next((c for c in padded if rule_names[c[0]] != rule_names[first[0]]
                      and len(first) + len(c) <= MAX_LANES), [])
        if other:
            padded.remove(other)
        groups.append((first + other, len(first)))
    return groups


def lane_width(n_runs: int) -> int:
    """SIMD lanes for ``n_runs`` (≤ `MAX_LANES`) runs in lockstep: n_runs, or the next
    power of two where that is one lane more (3 → 4, 7 → 8: LLVM splits a 3-lane vector into
    2 + 1; measured 392 ns per presentation for 3 SGDEGE runs, 298 for 4). Extra lanes repeat
    the first run and are dropped."""
    pow2 = 1 << (n_runs - 1).bit_length()
    return pow2 if pow2 == n_runs + 1 else n_runs
