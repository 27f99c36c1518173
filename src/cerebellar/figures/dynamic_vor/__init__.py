"""The dynamic VOR (the model Coenen, Sejnowski & Lisberger 1993 announce in §6), checked against
its own transfer function, the delay limit of cortical learning and Porrill & Dean 2007: one
module per experiment (a new module here is a new experiment)."""

from cerebellar.core.registry import import_modules

import_modules(__name__, ("bode", "delay", "static", "plant", "rules"))  # in list order
