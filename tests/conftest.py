import json
import os
import subprocess
import sys

import matplotlib
import pytest

matplotlib.use("Agg")


def pytest_collection_modifyitems(items):
    """Tests of the whole quick `cerebellar reproduce` (the ``reproduced`` fixture, about 2 min
    on 2 cores) carry the ``reproduce`` marker: `pytest -m reproduce` runs them, CI runs both."""
    for item in items:
        if "reproduced" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.reproduce)


@pytest.fixture(scope="session")
def reproduced(tmp_path_factory):
    """`cerebellar reproduce --json` run once, in a subprocess as a user would: (folder, report)."""
    out = tmp_path_factory.mktemp("reproduce")
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run([sys.executable, "-m", "cerebellar.cli", "reproduce", "--out", str(out),
                           "--json", "--quiet"], capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode in (0, 1), proc.stderr
    return out, json.loads(proc.stdout), proc.returncode
