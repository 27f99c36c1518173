"""The mutation harness (audit/): its catalogue matches the source, and a small subset of its
planted errors is caught by the quick-scale checks (the whole set: `python audit/mutants.py`)."""

import dataclasses
import importlib.util
import sys
from pathlib import Path

import pytest

AUDIT = Path(__file__).resolve().parents[1] / "audit"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, AUDIT / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


harness = _load("harness")
mutants = _load("mutants")


def test_the_catalogue_is_large_current_and_named_once():
    names = [m.name for m in mutants.MUTANTS]
    assert len(names) >= 30 and len(set(names)) == len(names)
    assert harness.stale(mutants.MUTANTS) == []
    assert all(m.experiments and m.what for m in mutants.MUTANTS)


def test_planting_replaces_exactly_the_text_named():
    m = harness.Mutant("x", "f.py", "a + b", "a - b", ("vor",), "sign")
    assert harness.mutated_text(m, "y = a + b\n") == "y = a - b\n"
    with pytest.raises(ValueError, match="occurs 0 times"):
        harness.mutated_text(m, "y = a * b\n")


@pytest.mark.integration          # a mutated copy of the package, run in its own process
@pytest.mark.parametrize("name, experiment", [("vor-nucleus-P-sign", "coenen1993-fig5"),
                                              ("sgdege-olive-step-half", "reduced")])
def test_a_planted_error_fails_a_quick_row_and_the_clean_copy_does_not(tmp_path, name, experiment):
    mutant = next(m for m in mutants.MUTANTS if m.name == name)
    mutant = dataclasses.replace(mutant, experiments=(experiment,))
    failed, errors = harness.verdicts(harness.run_mutant(None, tmp_path, (experiment,)))
    assert failed == [] and errors == []
    outcome = harness.run_mutant(mutant, tmp_path)
    assert outcome.killed and outcome.killers and not outcome.errors, outcome
