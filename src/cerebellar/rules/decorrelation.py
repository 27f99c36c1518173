"""Decorrelation (LMS) of the dynamic VOR's cortex: each granule-to-Purkinje weight changes in
proportion to the climbing-fibre error times the synapse's eligibility (Porrill & Dean 2007;
the adaptive-filter rule):

    da_k/dt = −β e(t) y_k(t)

The model supplies e (the delayed slip) and y_k (the signal, or the signal through the plant
model, optionally delayed by a trace); the rule gives the factor −β e. With δ = 0 and y_k the
signal through the true plant, the mean update is gradient descent on ⟨s²⟩/2. The compiled
functions are the delta rule's (LMS is the delta rule, −rate × e, applied to an eligibility);
the rule has its own name, rate and units.
"""

from dataclasses import dataclass

from ..core.params import Params, param
from .base import Rule, register_rule
from .delta import perturb, update


@dataclass(frozen=True)
class DecorrelationSettings(Params):
    """Settings of the decorrelation rule."""

    beta: float = param(0.5, low=0, high=1e4, units="1/s",
                        doc="learning rate β of the cortical weights (per unit error × eligibility)")


DECORRELATION = register_rule(Rule(
    name="decorrelation", perturb=perturb, update=update, constants=("beta",),
    settings_class=DecorrelationSettings, models=("dynamic_vor",), perturbs=False,
    doc="Porrill & Dean 2007: decorrelation of the delayed slip error and each synapse's "
        "eligibility (the adaptive filter's LMS rule)"))
