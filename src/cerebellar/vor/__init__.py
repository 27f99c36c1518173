"""Static linear VOR model of Coenen, Sejnowski & Lisberger (1993): model, closed forms, experiments."""

from .model import (
    VORParams,
    gain_dark,
    gain_light,
    learning_step,
    purkinje_dark,
    purkinje_light,
    simulate,
    slip,
)

__all__ = [
    "VORParams",
    "gain_dark",
    "gain_light",
    "learning_step",
    "purkinje_dark",
    "purkinje_light",
    "simulate",
    "slip",
]
