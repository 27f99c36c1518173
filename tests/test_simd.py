"""cerebellar.core.simd: explicit float64 vectors compute lane by lane what scalar code does."""

import numba
import numpy as np
import pytest

from cerebellar.core.simd import vector_ops


@pytest.mark.parametrize("n", [1, 3, 4, 8])
def test_vector_ops_equal_scalar_arithmetic_bit_for_bit(n):
    load, store, splat, add, vmax, get, put = vector_ops(n)

    @numba.njit
    def vector(a, b, floor):
        x = vmax(add(load(a, np.uint64(0)), load(b, np.uint64(n))), splat(floor))
        x = put(x, 0, get(x, 0) + 1.0)
        store(a, np.uint64(n), x)
        return a

    @numba.njit
    def scalar(a, b, floor):
        for r in range(n):
            a[n + r] = max(a[r] + b[n + r], floor)
        a[n] += 1.0
        return a

    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(2 * n) * 1e3, rng.standard_normal(2 * n) * 1e-3
    a[n - 1], b[2 * n - 1] = -0.0, -0.0     # max(-0.0, 0.0) keeps -0.0, as max() does
    got, expected = vector(a.copy(), b, 0.0), scalar(a.copy(), b, 0.0)
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(expected))
    assert n == 1 or np.signbit(got[2 * n - 1])


def test_vector_width_must_be_positive():
    with pytest.raises(ValueError, match="n = 0"):
        vector_ops(0)
