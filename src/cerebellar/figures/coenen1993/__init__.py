"""Coenen, Sejnowski & Lisberger 1993: the VOR experiments, one module per figure."""

# imported (and so registered and listed) in this order
from . import vor, fig4, fig5, fig6, fig1_gain_down, dark  # noqa: F401, I001
