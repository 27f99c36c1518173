"""Learning rules behind one protocol, so "what if the rule were different?" is a loop.

A `Rule` teaches learners (a perceptron's P-cell, the network's Purkinje columns, the VOR's
cortical gain) whose outputs read their active inputs through weights ``w`` (and, for rules with
an olive, an estimate 𝒥 through weights ``v``). Per presentation the model calls two compiled
functions of the rule:

* ``perturb(u, prm) -> s``: each learner's perturbation in units of the model's amplitude ``A``
  (0: none), from a uniform number ``u`` (the same stream for every rule, so rules compare on
  the same patterns and orders); the model adds s·A to that learner's output;
* ``update(E, e, J, μ, state, prm) -> (a, b, Δv, drift)``, from the teaching signals of the
  presentation: ``E`` the unsigned error (|P − R|, or the network's ⟨|PN − R|⟩, Eq 7), ``e`` the
  signed error as the learner sees it (positive when its output should fall: P − R, or the
  network's ⟨R − PN⟩ of Eq 14, PCs inhibiting PNs), ``J`` the olive's inhibition ℐ (0 without an
  olive), ``μ`` the pattern, ``state`` the rule's own memory, ``prm`` its constants. An active
  synapse of a learner perturbed by s changes by a + b·s (in the network, a on every active
  synapse, b·s on those active in the perturbed bin), an active ``v`` by Δv, every ``w`` by
  ``drift``; models rectify what their equations rectify.

The kernels take the rule as compiled functions, the way scikit-learn's ``_plain_sgd`` takes a
loss, so a new rule is one small file (see ``README.md``, "Write your own rule"). A rule owns
its settings (a frozen parameter class, with per-model defaults); models hold only the rule's
name and its ``RULE.SETTING`` values, and another package's rule (a ``cerebellar.rules`` entry
point) runs everywhere a built-in does.
``local`` is Coenen's cortical rule of the VOR; `nucleus_update` his nucleus rule;
``decorrelation`` the dynamic VOR's cortical rule (Porrill & Dean 2007).
"""

from .base import (
    RULES,
    BatchRule,
    NoSettings,
    Rule,
    get_rule,
    register_rule,
    registered,
    rule_names,
    rule_of,
    rule_param,
    rule_settings_param,
    settings_class,
)
from .coenen import LOCAL, nucleus_update
from .decorrelation import DECORRELATION, DecorrelationSettings
from .delta import DELTA, DeltaSettings
from .mai import MAI, MAI_UNSIGNED, MAISettings
from .node_perturbation import NODE_PERTURBATION, NodePerturbationSettings
from .sgdege import SGDEGE, ecs_sign

__all__ = ["DECORRELATION", "DELTA", "LOCAL", "MAI", "MAI_UNSIGNED", "NODE_PERTURBATION", "RULES",
           "SGDEGE", "BatchRule", "DecorrelationSettings", "DeltaSettings", "MAISettings",
           "NoSettings", "NodePerturbationSettings", "Rule", "ecs_sign", "get_rule",
           "nucleus_update", "register_rule", "registered", "rule_names", "rule_of", "rule_param",
           "rule_settings_param", "settings_class"]
