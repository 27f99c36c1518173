import json
import os
import subprocess
import sys

import matplotlib
import pytest

matplotlib.use("Agg")


@pytest.fixture(scope="session")
def reproduced(tmp_path_factory):
    """`cerebellar reproduce --json` run once, in a subprocess as a user would: (folder, report)."""
    out = tmp_path_factory.mktemp("reproduce")
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run([sys.executable, "-m", "cerebellar.cli", "reproduce", "--out", str(out),
                           "--json", "--quiet"], capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode in (0, 1), proc.stderr
    return out, json.loads(proc.stdout), proc.returncode
