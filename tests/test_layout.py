"""The core knows no model: it imports nothing above itself; experiments and rules are plugins."""

import ast
from importlib.metadata import entry_points
from pathlib import Path

import cerebellar

CORE = Path(cerebellar.__file__).parent / "core"


def test_core_imports_nothing_above_itself():
    for path in CORE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert node.level <= 1, f"{path.name}: from {'.' * node.level}{node.module}"
                assert not (node.module or "").startswith("cerebellar"), path.name
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("cerebellar") for a in node.names), path.name


def test_experiments_and_rules_are_declared_as_entry_points():
    groups = {g: {e.value for e in entry_points(group=g)}
              for g in ("cerebellar.experiments", "cerebellar.rules")}
    assert "cerebellar.figures.coenen1993" in groups["cerebellar.experiments"]
    assert "cerebellar.rules" in groups["cerebellar.rules"]
    assert len(cerebellar.experiments()) >= 25
