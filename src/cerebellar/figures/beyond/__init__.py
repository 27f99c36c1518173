"""Past the two papers (the README's "Past the papers" section): rules compared on one task,
SGDEGE learning the VOR, and how perturbation learning time scales with the number of outputs."""

from . import compare_rules, vor_sgdege, scaling  # noqa: F401, I001  (register, in list order)
