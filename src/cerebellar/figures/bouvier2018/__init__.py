"""Bouvier et al. 2018: the reduced model, the perceptron and the network, one module per figure
(a new module here is a new experiment)."""

from cerebellar.core.registry import import_modules

# registered, listed and reproduced in this order, then any other module by name. Fig 10D before
# Figs 10B, 10C: it trains every rule of each (load, seed) in one lockstep pass over the drawn
# presentations, and Figs 10B, 10C and the capacity study then view those runs (trained alone,
# Fig 10B's q = 0.5 and Fig 10C's delta rule would each cost another pass)
import_modules(__name__, ("reduced", "fig9_corridors", "appendix1", "fig9d", "fig9c", "fig10a", "fig10d",
                          "fig10b", "fig10c", "fig10ef", "capacity", "perceptron", "network", "fig8",
                          "patterns", "robustness", "fig2", "fig7", "fig3"))
