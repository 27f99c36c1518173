"""Past the two papers (the README's "Past the papers" section): rules compared on one task,
SGDEGE learning the VOR, and how perturbation learning time scales with the number of outputs
(a new module here is a new experiment)."""

from cerebellar.core.registry import import_modules

import_modules(__name__, ("compare_rules", "vor_sgdege", "scaling"))  # in list order
