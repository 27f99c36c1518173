import json
import os
import subprocess
import sys

import matplotlib
import pytest

matplotlib.use("Agg")


PLUMBING = {"test_checks.py", "test_cli.py", "test_layout.py", "test_mutants.py",
            "test_params.py", "test_plugin_rule.py", "test_reliability.py", "test_results.py",
            "test_simd.py", "test_site.py", "test_sweep.py", "test_cluster.py", "test_readme_cluster.py"}
"""Test files about the machinery (parameters, files, CLI, sweeps, kernels' plumbing); the
others test the science (a figure, an equation, a closed form)."""


def pytest_collection_modifyitems(items):
    """Markers: tests of the whole quick `cerebellar reproduce` (the ``reproduced`` fixture, about
    2 min on 2 cores) carry ``reproduce`` (`pytest -m reproduce` runs them, CI runs both); every
    other test carries ``plumbing`` or ``science`` by its file (`pytest -m science`)."""
    for item in items:
        if "reproduced" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.reproduce)
        elif not any(m.name in ("science", "plumbing") for m in item.iter_markers()):
            kind = "plumbing" if item.path.name in PLUMBING else "science"
            item.add_marker(getattr(pytest.mark, kind))


@pytest.fixture(scope="session")
def reproduced(tmp_path_factory):
    """`cerebellar reproduce --json` run once, in a subprocess as a user would: (folder, report)."""
    out = tmp_path_factory.mktemp("reproduce")
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run([sys.executable, "-m", "cerebellar.cli", "reproduce", "--out", str(out),
                           "--json", "--quiet"], capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode in (0, 1), proc.stderr
    return out, json.loads(proc.stdout), proc.returncode
