"""The static linear VOR model of Coenen, Sejnowski & Lisberger (1993): parameters, the
per-cycle learning loop, closed forms (the model reference, 'Static VOR model')."""

from .params import MODEL, VORParams
from .simulate import simulate
from .theory import gain_dark, gain_light, learning_step, purkinje_dark, purkinje_light, slip

__all__ = ["MODEL", "VORParams", "gain_dark", "gain_light", "learning_step", "purkinje_dark",
           "purkinje_light", "simulate", "slip"]
