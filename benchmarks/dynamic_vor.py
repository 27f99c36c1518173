"""Dynamic VOR kernels: the NumPy reference, the compiled kernel and the machine's floor, side by
side; then one broadband training run of 1 000 s at 1 ms (the target: under 2 s on one core).

    python benchmarks/dynamic_vor.py

Prints ns per simulated step of one run (16 sines, a bank of 8 granule signals, δ = 0.1 s, an
eligibility trace, brainstem learning on) for the NumPy reference (a short run: it is slow), the
compiled kernel, and the floor: a bare loop over the same steps that rotates the same phasors and
reads and writes the same state, delay lines and weights with one addition each and no model,
measured on this machine in the same run.
"""

from __future__ import annotations

import math
import time

import numba
import numpy as np

from cerebellar.models.dynamic_vor import DynamicVORParams, simulate

SETTING = dict(stimulus="broadband", n_sines=16, delay=0.1, trace=0.1, gamma=0.02, q=1.0,
               tau_plant=0.3, record_every=10.0)


def run_seconds(duration: float, backend: str) -> float:
    params = DynamicVORParams.build(duration=duration, **SETTING)
    t0 = time.perf_counter()
    simulate(params, np.random.default_rng(0), backend=backend)
    return time.perf_counter() - t0


@numba.njit
def _floor(n_steps, ph, rot, state, line, a):  # pragma: no cover - compiled
    """Per step: rotate every phasor, touch each state value, delay-line slot and weight once."""
    acc = 0.0
    L = line.shape[0]
    for n in range(n_steps):
        for m in range(ph.size):
            ph[m] *= rot[m]
            acc += ph[m].imag
        for k in range(state.size):
            state[k] += acc * 1e-300
            a[k] += line[n % L, k] * 1e-300
            line[n % L, k] = state[k]
    return acc


def floor_ns(n_steps: int, repeats: int = 3) -> float:
    M, K, L = SETTING["n_sines"], 8, 100
    ph = np.exp(1j * np.arange(M, dtype=float))
    rot = np.exp(1j * 1e-3 * np.arange(1, M + 1))
    state, line, a = np.zeros(2 * K + 2), np.zeros((L, 2 * K + 2)), np.zeros(2 * K + 2)
    _floor(10, ph, rot, state, line, a)
    best = math.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        _floor(n_steps, ph, rot, state, line, a)
        best = min(best, time.perf_counter() - t0)
    return 1e9 * best / n_steps


def main() -> None:
    run_seconds(0.01, "numba")                      # compile, not timed
    seconds = min(run_seconds(1000.0, "numba") for _ in range(2))   # set-up included
    compiled = seconds / 1_000_000 * 1e9
    numpy = run_seconds(2.0, "numpy") / 2_000 * 1e9
    floor = floor_ns(100_000)
    print("ns per step of one run (16 sines, K = 8, δ = trace = 0.1 s, brainstem learning)")
    print(f"{'kernel':<22}{'ns/step':>12}{'× floor':>10}")
    for name, ns in (("NumPy reference", numpy), ("compiled (Numba)", compiled), ("floor", floor)):
        print(f"{name:<22}{ns:>12.0f}{ns / floor:>10.1f}")
    print(f"compiled is {numpy / compiled:.0f}× the reference")
    print(f"one broadband training run, 1 000 s at 1 ms (10⁶ steps): {seconds:.2f} s "
          f"(target < 2 s on one core: {'met' if seconds < 2 else 'NOT met'})")


if __name__ == "__main__":
    main()
