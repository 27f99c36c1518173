"""Integrators of the dynamic VOR: :mod:`.reference` (NumPy, the batch as arrays) and
:mod:`.compiled` (Numba, one run at a time); both take the arrays :func:`..simulate.simulate`
prepares and return the same records."""
