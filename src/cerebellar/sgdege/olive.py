"""The inferior olive of SGDEGE (Bouvier et al. 2018, spec §1): one global error signal per trial.

The olive compares the error ℰ with the inhibition ℐ from the nucleo-olivary neurones; an error
complex spike (eCS) is emitted iff ℰ − ℐ > 0 (a tie gives no eCS). The sign used by plasticity is
c = +1 with an eCS (LTD of perturbed synapses, potentiation of the error estimate) and c = −1
without one.
"""

from __future__ import annotations

import numpy as np


def error_sign(error, inhibition):
    """c = sign(ℰ − ℐ) with ties counted as no eCS: +1.0 where ℰ > ℐ, else −1.0."""
    return np.where(np.asarray(error) > np.asarray(inhibition), 1.0, -1.0)
