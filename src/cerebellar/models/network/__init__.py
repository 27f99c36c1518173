"""The olivo-cerebellar rate network of Bouvier et al. 2018 (Methods Eqs 1-15): parameters, the
draw, the NumPy reference and two compiled kernels (incremental, direct), the run (the model
reference, 'Rate network')."""

from .draw import Network
from .params import MODEL, NetworkParams
from .simulate import simulate

__all__ = ["MODEL", "Network", "NetworkParams", "simulate"]
