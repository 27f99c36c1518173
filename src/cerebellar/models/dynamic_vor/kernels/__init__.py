"""Integrators of the dynamic VOR: `reference` (NumPy, the batch as arrays) and
`compiled` (Numba, one run at a time); both take the arrays `simulate.simulate`
prepares and return the same records."""
