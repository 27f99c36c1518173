"""Paper scale (`pytest -m slow`): every experiment at `--full`, as `cerebellar reproduce --full`
runs it, with no `fail` row, every row sourced, the paper-scale rows live (not n/a), and the
README's list of what did not reproduce equal to the run's `deviates` rows. Takes ~20 min on
2 cores."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cerebellar.core.checks import CITE_PLACE, SOURCES, VERDICTS
from cerebellar.core.report import deviations_markdown, readme_block

pytestmark = pytest.mark.slow
README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    out = tmp_path_factory.mktemp("full")
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run([sys.executable, "-m", "cerebellar.cli", "reproduce", "--full", "--out",
                           str(out), "--json", "--quiet"], capture_output=True, text=True, env=env,
                          timeout=3 * 3600)
    return proc.returncode, json.loads(proc.stdout)


def test_no_check_fails_at_paper_scale(full):
    returncode, doc = full
    failed = [(e["experiment"], c["what"], c["got"]) for e in doc["experiments"]
              for c in e["checks"] if c["verdict"] == "fail"]
    assert failed == [] and returncode == 0 and doc["full"]
    assert all(e["status"] == "ok" for e in doc["experiments"])


def test_every_row_is_sourced(full):
    for e in full[1]["experiments"]:
        for c in e["checks"]:
            assert c["source"] in SOURCES and c["verdict"] in VERDICTS, (e["experiment"], c)
            if c["source"] in ("paper", "calibrated"):
                assert CITE_PLACE.search(c["cite"]), (e["experiment"], c["what"], c["cite"])
            if c["verdict"] in ("deviates", "n/a"):
                assert c["note"], (e["experiment"], c["what"])
            if c["verdict"] == "deviates":   # bounded: outside its expected range it fails
                low, high = c["deviation_range"]
                assert low <= (c["got"] if isinstance(c["got"], float) else low) <= high, c["what"]


def test_paper_scale_rows_are_checked(full):
    """The rows that only hold at the papers' length are live at --full, not n/a."""
    rows = {(e["experiment"], c["what"]): c for e in full[1]["experiments"] for c in e["checks"]}
    live = [c for (name, what), c in rows.items()
            if (name == "bouvier2018-fig8" and what.startswith("final ℰ"))
            or (name == "coenen1993-fig4" and what == "D at step 60 000")
            or (name == "bouvier2018-fig10ef" and what.startswith("p = 420"))]
    assert len(live) == 3 and all(c["verdict"] != "n/a" for c in live)


def test_readme_lists_exactly_the_deviations(full):
    assert readme_block(README.read_text(encoding="utf-8")) == deviations_markdown(
        full[1]["experiments"])
