"""The dynamic VOR: Coenen, Sejnowski & Lisberger's loop (1993, Fig 2) in continuous time, with a
granule-layer filter bank, a first-order oculomotor plant and a delayed climbing-fibre error, the
model their paper announces (§6) and Porrill & Dean (2007) analysed (the model reference,
'Dynamic VOR model')."""

from .params import MODEL, DynamicVORParams
from .simulate import simulate

__all__ = ["MODEL", "DynamicVORParams", "simulate"]
