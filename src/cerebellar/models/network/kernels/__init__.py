"""The network's kernels: `reference` (NumPy, the reference), `incremental` and
`direct` (compiled), all fed the same pre-drawn numbers (see `common`)."""
