"""Learning rules behind one protocol, so "what if the rule were different?" is a loop.

A :class:`Rule` teaches a learner whose output ``P`` reads its active inputs through weights
``w`` (and, for SGDEGE, an olive estimate 𝒥 through weights ``v``). Each presentation the kernel
calls two compiled functions of the rule:

* ``perturb(u, prm) -> ξ``: the perturbation added to the output, from a uniform number ``u``
  (the same stream for every rule, so rules compare on the same patterns and orders);
* ``update(P, R, J, ξ, μ, state, prm) -> (Δw, Δv, drift)``: the change of every *active* ``w``
  and ``v`` (rectified at 0 by the kernel) and a drift added to *every* ``w``. ``P`` is the
  output with ξ, ``R`` the target, ``J`` the olive's estimate [𝒥 − qP]_+ (Eq 37), ``μ`` the
  pattern, ``state`` the rule's own memory and ``prm`` its constants.

The kernels take the rule as compiled functions, the way scikit-learn's ``_plain_sgd`` takes a
loss, so a new rule is one small file (see ``README.md``, "Write your own rule").
:func:`coenen_updates` holds Coenen's local rules for the two VOR gains.
"""

from .base import RULES, Rule, get_rule, register_rule
from .coenen import coenen_updates
from .delta import DELTA
from .mai import MAI
from .node_perturbation import NODE_PERTURBATION
from .sgdege import SGDEGE, ecs_sign

__all__ = ["DELTA", "MAI", "NODE_PERTURBATION", "RULES", "SGDEGE", "Rule", "coenen_updates",
           "ecs_sign", "get_rule", "register_rule"]
