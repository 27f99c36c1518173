"""Parameter validation (core): bad values raise errors that name the parameter, value and range."""

import dataclasses

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cerebellar.core.errors import ParameterError
from cerebellar.figures.coenen1993.fig6 import Fig6Params
from cerebellar.models.vor.params import VORParams


@pytest.mark.parametrize(("name", "value", "fragment"), [
    ("q", 1.5, "[0, 1]"),
    ("eta_A", -1.0, "[0, 10]"),
    ("b", 1.0, "1 - b singular"),
    ("n_cycles", 0, "[1, 10000000]"),
    ("n_cycles", 2.5, "integer"),
    ("g", float("nan"), "number"),
    ("gate_nucleus", 1.0, "true or false"),
])
def test_bad_value_names_parameter_value_and_range(name, value, fragment):
    with pytest.raises(ParameterError) as err:
        VORParams(**{name: value})
    message = str(err.value)
    assert f"'{name}'" in message and fragment in message and repr(value) in message


def test_params_are_frozen_and_replace_revalidates():
    p = VORParams()
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.q = 0.5
    assert p.replace(q=0.5).q == 0.5
    with pytest.raises(ParameterError, match="'q'"):
        p.replace(q=2.0)


def test_parse_types_and_errors():
    parsed = VORParams.parse(["g=1.3", "n_cycles=30", "gate_nucleus=true"])
    assert parsed == {"g": 1.3, "n_cycles": 30, "gate_nucleus": True}
    assert isinstance(parsed["n_cycles"], int)
    with pytest.raises(ParameterError, match="cannot parse 'abc'"):
        VORParams.parse(["g=abc"])
    with pytest.raises(ParameterError, match="unknown parameter 'zz'"):
        VORParams.parse(["zz=1"])
    with pytest.raises(ParameterError, match="KEY=VALUE"):
        VORParams.parse(["g"])


def test_cross_field_validation():
    with pytest.raises(ParameterError, match="r_max"):
        Fig6Params(r_min=10, r_max=5)


def test_full_preset_and_describe():
    assert VORParams.full().n_cycles == 60_000
    rows = {r["name"]: r for r in VORParams.describe()}
    assert rows["b"]["allowed"].startswith("number in [0, 1)")
    assert rows["eta_A"]["not_stated"]


@given(st.floats(0, 1))
def test_any_q_in_range_is_accepted(q):
    assert VORParams(q=q).q == q


@given(st.one_of(st.floats(max_value=-1e-12), st.floats(min_value=1 + 1e-9)).filter(np.isfinite))
def test_any_q_out_of_range_is_rejected(q):
    with pytest.raises(ParameterError, match="'q'"):
        VORParams(q=q)


def test_check_array_rejects_first_bad_batch_value():
    with pytest.raises(ParameterError, match=r"'q' = 1\.2"):
        VORParams.check_array("q", np.array([0.1, 1.2, 3.0]))


def test_rule_settings_are_complete_validated_and_round_trip():
    """A model's parameters hold every rule's settings at that model's defaults; RULE.SETTING
    values are validated by the rule's own class, and a result's flat values rebuild them."""
    from cerebellar.models.network import NetworkParams
    from cerebellar.models.perceptron import PerceptronParams

    net = NetworkParams()
    assert net.rule_settings["delta.alpha"] == 0.0005 and net.rule_settings["mai.beta"] == 0.002
    p = PerceptronParams.build(rule="delta", **{"delta.alpha": 0.02})
    assert p.rule_settings["delta.alpha"] == 0.02 and p.rule_settings["mai.beta"] == 0.00316
    assert PerceptronParams.build(**p.flat_dict()) == p
    assert p.replace(**{"mai.beta": 0.001}).rule_settings["delta.alpha"] == 0.02
    assert PerceptronParams.parse(["delta.alpha=0.5"]) == {"delta.alpha": 0.5}
    with pytest.raises(ParameterError, match=r"'delta\.alpha' = -1"):
        PerceptronParams.parse(["delta.alpha=-1"])
    with pytest.raises(ParameterError, match="unknown rule 'hebb'"):
        PerceptronParams.build(**{"hebb.rate": 1.0})
    with pytest.raises(ParameterError, match=r"takes no COMPONENT\.SETTING"):
        Fig6Params.build(**{"delta.alpha": 1.0})
    assert "delta.alpha" in PerceptronParams.paper_setting()


def test_a_field_the_experiment_sets_itself_is_refused_not_ignored():
    """Issue 19: Fig 10D sets q itself and Fig 2 the rule and r_d; another value is an error
    naming the parameter, not a knob recorded and ignored."""
    from cerebellar.figures.bouvier2018.fig2 import MAIParams
    from cerebellar.figures.bouvier2018.fig10d import Fig10DParams

    with pytest.raises(ParameterError, match=r"'q' = 0\.3 is set by this experiment"):
        Fig10DParams(q=0.3)
    with pytest.raises(ParameterError, match=r"'r_d' = 20\.0 is set by this experiment"):
        MAIParams(r_d=20.0)
    assert "r_d" not in {row["name"] for row in MAIParams.describe()}
    assert Fig10DParams().q == 0.5
