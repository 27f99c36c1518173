"""The olivo-cerebellar rate network of Bouvier et al. 2018 (Methods Eqs 1-15; spec §2-§3)."""

from .model import Network, NetworkParams, simulate

__all__ = ["Network", "NetworkParams", "simulate"]
