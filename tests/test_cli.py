"""The command line: outputs, exit codes, and one-line errors with no file left behind."""

import json
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from typer.testing import CliRunner

from cerebellar.cli import app

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_list_names_every_experiment():
    result = invoke("list")
    assert result.exit_code == 0
    for name in ("vor", "coenen1993-fig4", "coenen1993-fig6", "coenen1993-dark"):
        assert name in result.output


def test_describe_shows_ranges_and_not_stated_choices():
    result = invoke("describe", "vor")
    assert result.exit_code == 0
    assert "b = 0.88" in result.output and "not stated" in result.output


def test_run_vor_acceptance_example(tmp_path):
    """Issue acceptance 2: the file has the variables, dimension and every parameter in attrs,
    and follows the spec §2 equations to 1e-9."""
    out = tmp_path / "d"
    result = invoke("run", "vor", "--set", "g=1.3", "--set", "q=0.2", "--set", "eta_A=0.05",
                    "--set", "eta_D=0.01", "--set", "n_cycles=3000", "--out", out)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["vor.nc", "vor.png"]
    with xr.open_dataset(out / "vor.nc") as ds:
        for var in ("A", "D", "G", "G_light", "P_light", "P_dark", "N_light", "slip"):
            assert ds[var].dims == ("cycle",)
        assert ds.sizes["cycle"] == 3001
        assert (ds.attrs["g"], ds.attrs["q"], ds.attrs["eta_A"], ds.attrs["n_cycles"]) == (
            1.3, 0.2, 0.05, 3000)
        for key in ("b", "v", "eta_D", "A0", "D0", "light_cycles", "dark_cycles", "gate_nucleus"):
            assert key in ds.attrs
        A, D = 0.88, 1.0
        g, b, v, q, eA, eD = 1.3, 0.88, 1.0, 0.2, 0.05, 0.01
        ref = [(A, D)]
        for _ in range(3000):  # Fig 3 rules, the paper's form with p = P/h (spec §2)
            p = (A - b * D - v * (g - D)) / (1 - b + v)
            A, D = A - eA * v * ((g - D) + p), D + eD * ((1 - q) * (g - D) + (1 - 2 * q) * p)
            ref.append((A, D))
        np.testing.assert_allclose(ds.A.values, [r[0] for r in ref], atol=1e-9, rtol=0)
        np.testing.assert_allclose(ds.D.values, [r[1] for r in ref], atol=1e-9, rtol=0)


def test_same_command_twice_gives_identical_data(tmp_path):
    for sub in ("a", "b"):
        assert invoke("run", "coenen1993-fig4", "--out", tmp_path / sub, "--quiet").exit_code == 0
    with xr.open_dataset(tmp_path / "a" / "coenen1993-fig4.nc") as a, \
         xr.open_dataset(tmp_path / "b" / "coenen1993-fig4.nc") as b:
        xr.testing.assert_identical(a, b)


def test_run_json(tmp_path):
    result = invoke("run", "coenen1993-fig5", "--out", tmp_path, "--json")
    doc = json.loads(result.stdout)
    assert result.exit_code == 0 and doc["experiment"] == "coenen1993-fig5" and doc["passed"]
    assert {Path(f).name for f in doc["files"]} == {"coenen1993-fig5.nc", "coenen1993-fig5.png"}
    assert set(doc["checks"][0]) == {"what", "expected", "got", "tolerance", "passed"}


def test_failing_check_exits_1(tmp_path):
    """Fig 5's paper numbers do not hold at another q: the run completes and exits with 1."""
    result = invoke("run", "coenen1993-fig5", "--set", "q=0.5", "--out", tmp_path)
    assert result.exit_code == 1 and "FAIL" in result.output
    assert (tmp_path / "coenen1993-fig5.nc").exists()


@pytest.mark.parametrize(("args", "needle"), [
    (["run", "nope"], "unknown experiment 'nope'"),
    (["run", "vor", "--set", "zz=1"], "unknown parameter 'zz'"),
    (["run", "vor", "--set", "g=abc"], "parameter 'g': cannot parse 'abc'"),
    (["run", "vor", "--set", "q=1.5"], "parameter 'q' = 1.5"),
    (["run", "vor", "--set", "eta_A=-1"], "parameter 'eta_A' = -1.0"),
    (["run", "vor", "--set", "b=1"], "parameter 'b' = 1.0"),
    (["run", "vor", "--set", "n_cycles=0"], "parameter 'n_cycles' = 0"),
    (["run", "vor", "--set", "g"], "KEY=VALUE"),
    (["run", "vor", "--seed", "-3"], "seed = -3"),
])
def test_bad_input_exit_2_one_line_no_file(tmp_path, args, needle):
    out = tmp_path / "out"
    result = invoke(*args, "--out", out)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in result.output
    assert not out.exists()


def test_unwritable_out_exit_2(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    for command in (["run", "vor"], ["reproduce"]):
        result = invoke(*command, "--out", blocker / "sub")
        assert result.exit_code == 2 and "cannot write to output folder" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_show_prints_parameters_summary_and_checks(tmp_path):
    invoke("run", "coenen1993-dark", "--out", tmp_path)
    result = invoke("show", tmp_path / "coenen1993-dark.nc")
    assert result.exit_code == 0
    assert "dark_cycles = 2000" in result.output and "G(q, gate_nucleus, cycle)" in result.output
    assert "PASS" in result.output
    assert invoke("show", tmp_path / "missing.nc").exit_code == 2


def test_reproduce_writes_everything_and_index(reproduced):
    """Issue 2 acceptance 1 (minus the fresh venv): the main command, every check passing."""
    out, doc, returncode = reproduced
    assert returncode == 0
    names = [e["experiment"] for e in doc["experiments"]]
    assert doc["passed"] and len(names) >= 6
    for name in names:
        assert (out / f"{name}.nc").stat().st_size > 0
        assert (out / f"{name}.png").stat().st_size > 0
    index = (out / "index.md").read_text()
    assert all(f"({name}.png)" in index for name in names)
    n_rows = sum(len(e["checks"]) for e in doc["experiments"])
    assert index.count("| ✅ |") == n_rows
    assert not list(out.glob(".*.tmp"))
