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


def lockstep_kernel(n_runs: int, split: int | None = None):
    """The compiled kernel for ``n_runs`` runs in lockstep, lanes [0, ``split``) taught by one
    rule and lanes [``split``, ``n_runs``) by another (default: one rule; built once per shape).

    ``kernel(X, idx, ptr, R, order, u, θN, √N, q, A, perturb_a, update_a, prm_a, state_a,
    perturb_b, update_b, prm_b, state_b, uses_olive)`` presents patterns ``order`` exactly as
    `train_block_numpy` does for each run, with the runs' weights interleaved in ``X`` (flat, C
    order [synapse, w or v, run]): one pattern's active synapses are read once for all the runs,
    and each arithmetic operation is one SIMD instruction over the runs (`cerebellar.core.simd`).
    ``q``, ``A`` have one value per run; ``prm_a``, ``state_a`` one row per run of the first rule
    and ``prm_b``, ``state_b`` one per run of the second; the rules' compiled functions are
    inlined by Numba. ``uses_olive``: whether any of the runs reads 𝒥 (a rule that does not
    ignores it). Fig 10D's cell, four SGDEGE runs and the delta rule, is one call.

    Lane r computes what the run alone computes, operation for operation: Σ_i w_i M_i in four
    partial sums over the active inputs taken in turn, combined as (s0 + s1) + (s2 + s3), so a run
    is bit for bit the same whatever else runs beside it (and rounds differently from NumPy's
    pairwise sum only in the last bits). A drift of every weight (Marr-Albus-Ito) is kept as an
    offset ω per run (stored weights are w − ω, rectified at −ω) and folded in at the end of the
    block. When a presentation changes w (or v) of any run, every run's active w (or v) is
    rewritten, w_i ← max(w_i + Δw, −ω) with Δw = 0 in the runs that did not change."""
    key = (n_runs, n_runs if split is None else split)
    if not 0 < key[1] <= n_runs:
        raise ValueError(f"split = {split}: allowed 1 to n_runs = {n_runs}")
    with _LOCKSTEP_LOCK:                  # runs on several threads ask for the same shape
        if key not in _LOCKSTEP:
            _LOCKSTEP[key] = _build_lockstep_kernel(*key)
        return _LOCKSTEP[key]


def _build_lockstep_kernel(n_runs: int, split: int):
    load, store, splat, add, vmax, get, put = vector_ops(n_runs)  # Numba needs plain names
    row, v_at = np.uint64(2 * n_runs), np.uint64(n_runs)

    @numba.njit(nogil=True)
    def kernel(X, idx, ptr, R, order, u, theta_N, sqrtN, q, A, perturb_a, update_a, prm_a,
               state_a, perturb_b, update_b, prm_b, state_b, uses_olive
               ):  # pragma: no cover - compiled
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
                s = perturb_a(u[k], prm_a[r]) if r < split else perturb_b(u[k], prm_b[r - split])
                P = max((get(sum_w, r) + n_act * omega[r] - theta_N) / sqrtN, 0.0) + s * A[r]
                J = 0.0
                if uses_olive:
                    J = max((get(sum_v, r) - theta_N) / sqrtN - q[r] * P, 0.0)
                E, e = abs(P - R[mu]), P - R[mu]
                if r < split:
                    a, b, dv_r, drift = update_a(E, e, J, mu, state_a[r], prm_a[r])
                else:
                    a, b, dv_r, drift = update_b(E, e, J, mu, state_b[r - split], prm_b[r - split])
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


_LOCKSTEP: dict[tuple[int, int], object] = {}


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
    lockstep_kernel(n_runs)(
        X, np.asarray(idx, np.uint32), ptr, R, order, u, theta_N, sqrtN,
        np.atleast_1d(np.asarray(q, float)), np.atleast_1d(np.asarray(A, float)), perturb, update,
        prm, S, perturb, update, prm[:0], S[:0], uses_olive)
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


def lockstep_args(configs: list[PerceptronModel], rules: list[Rule], split: int | None = None,
                  n_patterns: int | None = None) -> tuple:
    """`lockstep_kernel`'s arguments after (X, idx, ptr, R, order, u) for runs ``configs``
    (``rules[k]``: run k's rule, configured with its settings), lanes [0, ``split``) of one rule
    and the rest of another (default: all of one): θN, √N (shared), q and A per run, then for
    each of the two rules its compiled functions, one row of constants and one fresh state row
    per run, and whether any run reads 𝒥."""
    p = configs[0]
    split = len(configs) if split is None else split
    n = getattr(p, "n_patterns", 1) if n_patterns is None else n_patterns

    def rule_args(lanes: range) -> tuple:
        rule = rules[lanes.start] if lanes else rules[0]
        prm = (np.stack([rules[r].constants_for(configs[r]) for r in lanes]) if lanes
               else np.zeros((0, 1)))                    # no runs of a second rule
        return rule.perturb, rule.update, prm, np.zeros((len(lanes), rule.state_size(n)))

    return (p.theta * p.N_M, math.sqrt(p.N_M), np.array([c.q for c in configs], float),
            np.array([c.A for c in configs], float), *rule_args(range(split)),
            *rule_args(range(split, len(configs))), any(r.uses_olive for r in rules))


def lockstep_groups(rule_names: list[str]) -> list[tuple[list[int], int]]:
    """How `train_batch` lays runs of these rules out in kernel calls: [(lanes, split)], each
    lane a run's index, lanes [0, split) of one rule and the rest of another. The runs of a rule
    are cut into calls of at most `MAX_LANES` lanes; a call of one rule takes the next call of
    another rule in with it where their lanes fit in `MAX_LANES` (Fig 10D's cell: four SGDEGE
    runs and the delta rule, one call of five lanes rather than two calls, the second reading
    every active synapse again for one run). Padding to `lane_width` repeats the first lane."""
    by_rule: dict[str, list[int]] = {}
    for r, name in enumerate(rule_names):
        by_rule.setdefault(name, []).append(r)
    chunks = [runs[i:i + MAX_LANES] for runs in by_rule.values()
              for i in range(0, len(runs), MAX_LANES)]
    groups: list[tuple[list[int], int]] = []
    while chunks:
        first = chunks.pop(0)
        other = next((c for c in chunks if rule_names[c[0]] != rule_names[first[0]]
                      and len(first) + len(c) <= MAX_LANES), [])
        if other:
            chunks.remove(other)
        pad = lane_width(len(first) + len(other)) - len(first) - len(other)
        groups.append((first + first[:1] * pad + other, len(first) + pad))
    return groups


def lane_width(n_runs: int) -> int:
    """SIMD lanes for ``n_runs`` (≤ `MAX_LANES`) runs in lockstep: n_runs, or the next
    power of two where that is one lane more (3 → 4, 7 → 8: LLVM splits a 3-lane vector into
    2 + 1; measured 392 ns per presentation for 3 SGDEGE runs, 298 for 4). Extra lanes repeat
    the first run and are dropped."""
    pow2 = 1 << (n_runs - 1).bit_length()
    return pow2 if pow2 == n_runs + 1 else n_runs
