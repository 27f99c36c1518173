"""The network's kernels: :mod:`.reference` (NumPy, the reference), :mod:`.incremental` and
:mod:`.direct` (compiled), all fed the same pre-drawn numbers (see :mod:`.common`)."""
