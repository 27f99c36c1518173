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


PACKAGE = Path(cerebellar.__file__).parent


def _module(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Module → the cerebellar modules it imports (every import, TYPE_CHECKING ones included)."""
    modules = {_module(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1]) \
                    if node.level else ""
                target = ".".join(x for x in (base, node.module or "") if x)
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    graph[name].add(sub if sub in modules else target)
            elif isinstance(node, ast.Import):
                graph[name].update(a.name for a in node.names)
        graph[name] = {m for m in graph[name] if m in modules and m != name}
    return graph


def test_no_import_cycle():
    """Issue 19: no two modules import each other, directly or through others (core/registry and
    core/results did)."""
    graph = _imports()
    state: dict[str, int] = {}
    cycles = []

    def visit(m, path):
        state[m] = 1
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                cycles.append(" -> ".join([*path[path.index(n):], n]))
            elif n not in state:
                visit(n, [*path, n])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert not cycles, cycles[:5]


def test_no_module_over_400_lines_and_no_private_import_across_packages():
    long = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert not long, long
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "private_imports", PACKAGE.parents[1] / "audit" / "private_imports.py")
    audit = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(audit)
    assert audit.found() == []


def test_loading_every_experiment_leaves_the_slow_imports_for_later():
    """Every subprocess (CLI call, sweep worker) loads the registry: matplotlib (0.6 s) loads when
    a figure is drawn, scipy.stats and scipy.optimize (1 s) where a function uses them."""
    import subprocess
    import sys

    code = ("import sys, cerebellar; cerebellar.experiments(); "
            "print(sorted(m for m in ('matplotlib', 'scipy.stats', 'scipy.optimize') "
            "if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"
