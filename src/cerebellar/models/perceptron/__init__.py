"""The analog perceptron of Bouvier et al. 2018 (Appendix 1, Eqs 36-42; Fig 10): parameters,
patterns, the NumPy reference and compiled lockstep kernels, the training runs, the capacity
and the error floor (the model reference, 'Analog perceptron')."""

from .params import MODEL, PerceptronModel, PerceptronParams, threshold
from .patterns import Patterns, initial_weights
from .simulate import simulate, train_batch, train_many

__all__ = ["MODEL", "Patterns", "PerceptronModel", "PerceptronParams", "initial_weights",
           "simulate", "threshold", "train_batch", "train_many"]
