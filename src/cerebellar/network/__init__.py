"""The olivo-cerebellar rate network of Bouvier et al. 2018 (Methods Eqs 1-15).

See the model reference, 'Rate network' and 'Marr-Albus-Ito rule'.
"""

from .model import Network, NetworkParams, simulate

__all__ = ["Network", "NetworkParams", "simulate"]
