"""The rules layer: one protocol, every rule through the same kernels, a rule written outside."""

import re
from pathlib import Path

import numpy as np
import pytest

import cerebellar
from cerebellar.models.perceptron.params import PerceptronParams
from cerebellar.models.perceptron.simulate import simulate
from cerebellar.rules import RULES, Rule, ecs_sign, get_rule

README = Path(__file__).resolve().parents[1] / "README.md"


def test_ecs_sign_is_one_bit_and_a_tie_is_no_ecs():
    """Bouvier Eqs 7-8: c = +1 iff ℰ > ℐ; the same function serves arrays and compiled rules."""
    np.testing.assert_array_equal(ecs_sign(np.array([2.0, 1.0, 1.0]), np.array([1.0, 1.0, 2.0])),
                                  [1.0, -1.0, -1.0])


def test_every_rule_is_registered_and_unknown_names_are_refused():
    assert set(RULES) == {"sgdege", "delta", "node_perturbation", "mai", "mai_unsigned", "local",
                          "decorrelation"}
    delta = get_rule("delta", "network")
    assert get_rule(delta) is delta and delta.settings.alpha == 0.0005   # the network's default
    assert get_rule(delta, alpha=0.02).settings.alpha == 0.02
    with pytest.raises(cerebellar.ParameterError, match=r"'delta\.alpha' = -1"):
        get_rule("delta", "perceptron", alpha=-1)
    with pytest.raises(cerebellar.ParameterError, match=r"unknown setting 'delta\.rate'"):
        get_rule("delta", rate=1.0)
    with pytest.raises(cerebellar.ParameterError, match="does not run on the vor model"):
        get_rule("delta", "vor")
    with pytest.raises(cerebellar.ParameterError, match="unknown rule 'hebb'"):
        get_rule("hebb")
    with pytest.raises(cerebellar.ParameterError, match="needs parameter 'gamma_np'"):
        Rule("x", RULES["delta"].perturb, RULES["delta"].update,
             constants=("gamma_np",)).constants_for(PerceptronParams())


@pytest.mark.parametrize("rule", ["sgdege", "delta", "node_perturbation", "mai"])
def test_every_rule_learns_the_perceptron_task(rule):
    """Below capacity (p = 0.1 N_M) each rule at least halves the mean error (not
    ``mai_unsigned``: an unsigned error fires the climbing fibre on every presentation)."""
    p = PerceptronParams(rule=rule, N_M=200, n_patterns=20, trials_per_pattern=10_000)
    ds = simulate(p, np.random.default_rng(3), show_progress=False)
    assert float(ds.error[-1]) < 0.5 * float(ds.error[0])
    assert ds.attrs.get("status", "ok") == "ok"


def test_readme_own_rule_script_runs(capsys, monkeypatch):
    """The README's "Write your own rule" script, executed as written: a rule with its own
    settings is one small file (registered here for this test only)."""
    text = README.read_text(encoding="utf-8")
    block = text[text.index("<!-- own-rule:begin -->"):text.index("<!-- own-rule:end -->")]
    code = re.search(r"```python\n(.*?)```", block, re.S).group(1)
    assert len(code.strip().splitlines()) <= 35
    monkeypatch.setattr("cerebellar.rules.base.RULES", dict(RULES))
    monkeypatch.setattr("cerebellar.rules.RULES", cerebellar.rules.base.RULES)
    exec(compile(code, "README own-rule", "exec"), {})
    start, end = map(float, re.search(r"mean error ([\d.]+) -> ([\d.]+) Hz",
                                      capsys.readouterr().out).groups())
    assert end < 0.5 * start


def test_compare_rules_has_every_rule_and_each_halves_the_error(reproduced):
    """`compare-rules` at its quick default (from the shared reproduce run): dimension `rule`
    with every registered perceptron rule, each that learns halving the error at the default
    load, Marr-Albus-Ito with an unsigned error silencing the P-cell."""
    ds = cerebellar.load(reproduced[0] / "compare-rules.nc")
    assert list(ds.rule.values) == ["sgdege", "delta", "node_perturbation", "mai", "mai_unsigned"]
    rows = cerebellar.checks(ds)
    halves = [r for r in rows if "final / initial" in r.what]
    assert len(halves) == 4 and all(r.verdict == "pass" for r in halves)
    assert [r.verdict for r in rows if r.what.startswith("mai_unsigned:")] == ["pass"]
    assert not [r.what for r in rows if r.verdict == "fail"]


def test_a_rule_without_perturbations_needs_no_generator():
    """The VOR with Coenen's local rule is deterministic: no generator needed, the same result
    as with one; a rule that draws perturbations asks for one by name."""
    from cerebellar.models.vor import VORParams
    from cerebellar.models.vor import simulate as simulate_vor

    p = VORParams(n_cycles=200)
    np.testing.assert_array_equal(simulate_vor(p).G, simulate_vor(p, np.random.default_rng(0)).G)
    with pytest.raises(cerebellar.ParameterError, match="rule 'sgdege' draws perturbations"):
        simulate_vor(p.replace(rule="sgdege"))
