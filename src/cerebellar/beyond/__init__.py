"""Experiments past the two papers (``shared/spec/beyond.md``): SGDEGE learning the VOR, and how
perturbation learning time scales with the number of outputs sharing one error."""

from . import scaling, vor_sgdege  # noqa: F401  (register their experiments)
