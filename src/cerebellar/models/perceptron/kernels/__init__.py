"""The perceptron's kernels: `reference` (NumPy, the reference) and `lockstep`
(compiled, one SIMD lane per run), fed the same pre-drawn orders and perturbations."""
