"""Coenen, Sejnowski & Lisberger 1993: the VOR experiments, one module per figure (a new module
here is a new experiment)."""

from cerebellar.core.registry import import_modules

# registered, listed and reproduced in this order, then any other module by name
import_modules(__name__, ("vor", "fig4", "fig5", "fig6", "fig1_gain_down", "dark", "common"))
