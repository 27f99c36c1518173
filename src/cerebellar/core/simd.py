"""Fixed-width float64 vectors for compiled kernels, written as LLVM vector instructions.

Numba vectorises loops but not lane-by-lane code such as "the same sum for every run of a
batch" (its SLP vectoriser is off by default after miscompilations, numba PR #8852). These
intrinsics state the vector operations explicitly, so a kernel that keeps one lane per run gets
one SIMD instruction per operation, with IEEE arithmetic lane by lane: each lane computes exactly
what the scalar code computes (no reassociation, no fused multiply-add).

``ops = vector_ops(n)`` returns the operations on vectors of ``n`` float64 lanes; call them from
an ``@numba.njit`` function that closes over ``ops``:

- ``ops.load(a, i)`` / ``ops.store(a, i, x)``: lanes a[i:i+n] of a contiguous 1-D float64 array
  (no bounds check: the caller guarantees i + n <= a.size);
- ``ops.splat(x)``: every lane x; ``ops.add(x, y)``: x + y; ``ops.max(x, y)``: Python's max lane
  by lane (y if y > x else x, so NaN and signed zeros behave as ``max`` does on scalars);
- ``ops.get(x, k)`` / ``ops.put(x, k, value)``: one lane read / a copy with one lane replaced.
"""

from __future__ import annotations

from typing import NamedTuple

from llvmlite import ir
from numba import types
from numba.extending import intrinsic, models, register_model


class Float64Vector(types.Type):
    """The Numba type of an LLVM vector of ``n`` float64 lanes (lives in registers only)."""

    def __init__(self, n: int):
        self.n = n
        super().__init__(name=f"Float64Vector({n})")


@register_model(Float64Vector)
class _VectorModel(models.PrimitiveModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, ir.VectorType(ir.DoubleType(), fe_type.n))


class VectorOps(NamedTuple):
    load: object
    store: object
    splat: object
    add: object
    max: object
    get: object
    put: object


_OPS: dict[int, VectorOps] = {}


def vector_ops(n: int) -> VectorOps:
    """The vector operations on ``n`` float64 lanes (built once per width)."""
    if n < 1:
        raise ValueError(f"vector width n = {n}: allowed n >= 1")
    if n in _OPS:
        return _OPS[n]
    vec = Float64Vector(n)
    llvec = ir.VectorType(ir.DoubleType(), n)

    def pointer(context, builder, array_type, array, start):
        data = context.make_array(array_type)(context, builder, array).data
        return builder.bitcast(builder.gep(data, [start]), llvec.as_pointer())

    def check_array(a):
        if not (isinstance(a, types.Array) and a.dtype == types.float64 and a.ndim == 1
                and a.layout == "C"):
            raise TypeError(f"vector load/store needs a contiguous 1-D float64 array, not {a}")

    @intrinsic
    def load(typingctx, a, start):
        check_array(a)

        def codegen(context, builder, sig, args):
            return builder.load(pointer(context, builder, sig.args[0], *args), align=8)
        return vec(a, start), codegen

    @intrinsic
    def store(typingctx, a, start, x):
        check_array(a)

        def codegen(context, builder, sig, args):
            builder.store(args[2], pointer(context, builder, sig.args[0], args[0], args[1]),
                          align=8)
            return context.get_dummy_value()
        return types.none(a, start, vec), codegen

    @intrinsic
    def splat(typingctx, x):
        def codegen(context, builder, sig, args):
            value = context.cast(builder, args[0], sig.args[0], types.float64)
            out = ir.Constant(llvec, ir.Undefined)
            for k in range(n):
                out = builder.insert_element(out, value, ir.Constant(ir.IntType(32), k))
            return out
        return vec(x), codegen

    @intrinsic
    def add(typingctx, x, y):
        def codegen(context, builder, sig, args):
            return builder.fadd(*args)
        return vec(vec, vec), codegen

    @intrinsic
    def vmax(typingctx, x, y):
        def codegen(context, builder, sig, args):
            x_, y_ = args
            return builder.select(builder.fcmp_ordered(">", y_, x_), y_, x_)
        return vec(vec, vec), codegen

    @intrinsic
    def get(typingctx, x, k):
        def codegen(context, builder, sig, args):
            return builder.extract_element(args[0], args[1])
        return types.float64(vec, k), codegen

    @intrinsic
    def put(typingctx, x, k, value):
        def codegen(context, builder, sig, args):
            v = context.cast(builder, args[2], sig.args[2], types.float64)
            return builder.insert_element(args[0], v, args[1])
        return vec(vec, k, value), codegen

    _OPS[n] = ops = VectorOps(load, store, splat, add, vmax, get, put)
    return ops
