"""The perceptron's kernels: :mod:`.reference` (NumPy, the reference) and :mod:`.lockstep`
(compiled, one SIMD lane per run), fed the same pre-drawn orders and perturbations."""
