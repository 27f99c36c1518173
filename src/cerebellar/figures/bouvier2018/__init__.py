"""Bouvier et al. 2018: the reduced model, the perceptron and the network, one module per figure."""

# imported (and so registered and listed) in this order
from . import reduced, fig9_corridors, fig9d, fig9c  # noqa: F401, I001
from . import fig10a, fig10bc, fig10d, fig10ef, capacity, perceptron  # noqa: F401
from . import network, fig8, patterns, robustness, fig2, fig7, fig3  # noqa: F401
