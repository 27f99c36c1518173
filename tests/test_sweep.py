"""Parameter sweeps (issue 5): resumable after SIGKILL, same result on a Dask cluster, bad input."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import xarray as xr
from typer.testing import CliRunner

import cerebellar
from cerebellar.cli import app
from cerebellar.core import sweep as sweep_module
from cerebellar.core.registry import get_experiment
from cerebellar.core.sweep import SweepPlan, parse_grid

runner = CliRunner()
GRID = ["--grid", "q=0:0.9:0.1", "--grid", "g=1.3,1.6"]            # 10 × 2 = 20 points


def sweep_cmd(out, *extra):
    return [sys.executable, "-m", "cerebellar.cli", "sweep", "vor", *GRID, "--set",
            "n_cycles=500", "--out", str(out), "--quiet", *extra]


def test_grid_parsing_and_point_seeds():
    exp = get_experiment("vor")
    grid = parse_grid(exp, ["q=0:0.95:0.05", "g=1.3,1.6", "n_cycles=10:30:10"])
    assert len(grid["q"]) == 20 and grid["q"][-1] == 0.95 and grid["n_cycles"] == [10, 20, 30]
    plan = SweepPlan("vor", grid, n_seeds=3)
    assert plan.n_points == 20 * 2 * 3 * 3
    overrides, seed = plan.point(plan.n_points - 1)
    assert overrides == {"q": 0.95, "g": 1.6, "n_cycles": 30} and seed == 2


@pytest.mark.integration
def test_killed_sweep_resumes_to_the_uninterrupted_result(tmp_path):
    """Acceptance 1: SIGKILL mid-sweep, rerun: every point once, combined result bit for bit."""
    killed = tmp_path / "killed"
    proc = subprocess.Popen(sweep_cmd(killed, "--workers", "1"), start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and len(list((killed / "points").glob("point-*.nc"))) < 5:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    n_before = len(list((killed / "points").glob("point-*.nc")))
    assert 5 <= n_before < 20, "the sweep should have been interrupted part-way"
    assert not (killed / "vor.sweep.nc").exists()
    assert subprocess.run(sweep_cmd(killed, "--workers", "2")).returncode == 0
    files = sorted(p.name for p in (killed / "points").iterdir())
    assert files == [f"point-{i:06d}.nc" for i in range(20)]          # each point exactly once
    clean = cerebellar.sweep("vor", GRID[1::2], fixed={"n_cycles": 500}, out=tmp_path / "clean",
                             workers=2)                 # in this process: its workers need no compile
    with xr.open_dataset(killed / "vor.sweep.nc") as resumed:
        xr.testing.assert_identical(resumed, clean)
        assert resumed.G.dims == ("q", "g", "seed", "cycle") and resumed.sizes["q"] == 10


@pytest.mark.integration
def test_dask_cluster_gives_the_local_result(tmp_path):
    """Acceptance 2: a LocalCluster with 2 worker processes, through --scheduler."""
    distributed = pytest.importorskip("distributed")
    grid = {"q": [0.0, 0.3, 1.0], "g": [0.5, 1.6]}
    local = cerebellar.sweep("coenen1993-fig5", grid={"q_right": grid["q"], "g": grid["g"]},
                             out=tmp_path / "local", workers=2, fixed={"n_cycles": 300})
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        remote = cerebellar.sweep("coenen1993-fig5", grid={"q_right": grid["q"], "g": grid["g"]},
                                  out=tmp_path / "dask", scheduler=cluster.scheduler_address,
                                  fixed={"n_cycles": 300})
    xr.testing.assert_identical(local, remote)
    assert local.G.dims[:3] == ("q_right", "g", "seed")


def test_seeds_dimension_and_stochastic_points_differ(tmp_path):
    ds = cerebellar.sweep("reduced", grid={"rho": [0.2, 0.5]}, seeds=3, out=tmp_path / "s",
                          workers=1, fixed={"n_trials": 50})
    assert ds.P.dims == ("rho", "seed", "trial")
    assert not np.array_equal(ds.P.sel(rho=0.2, seed=0), ds.P.sel(rho=0.2, seed=1))


def test_invalid_combination_is_refused_before_any_work(tmp_path):
    """r_min = 50 with r_max = 20 is invalid (Fig6Params): exit 2 before any point runs."""
    result = runner.invoke(app, ["sweep", "coenen1993-fig6", "--grid", "r_min=1,50",
                                 "--set", "r_max=20", "--set", "n_q=3", "--set", "n_r=3",
                                 "--set", "n_cycles=200", "--out", str(tmp_path / "f"),
                                 "--workers", "1"])
    assert result.exit_code == 2 and "r_max" in result.stderr
    assert not (tmp_path / "f").exists()


def test_point_that_raises_at_run_time(tmp_path, monkeypatch):
    from cerebellar.core import sweep as sweep_module

    real = sweep_module.run_point

    def flaky(plan, index, out=None):
        if index == 1:
            raise RuntimeError("boom")
        return real(plan, index, out)

    monkeypatch.setattr(sweep_module, "run_point", flaky)
    monkeypatch.setattr(sweep_module, "ProcessPoolExecutor",
                        __import__("concurrent.futures").futures.ThreadPoolExecutor)
    with pytest.raises(sweep_module.SweepFailed, match="1 of 3 points failed"):
        cerebellar.sweep("vor", grid={"q": [0.1, 0.2, 0.3]}, out=tmp_path / "x", workers=1,
                         fixed={"n_cycles": 10}, echo=lambda m: None)
    manifest = json.loads((tmp_path / "x" / "manifest.json").read_text())
    assert manifest["failed"] == {"1": "RuntimeError: boom"}
    assert sorted(p.name for p in (tmp_path / "x" / "points").iterdir()) == [
        "point-000000.nc", "point-000002.nc"]


@pytest.mark.parametrize(("args", "needle"), [
    (["--grid", "zz=1,2"], "unknown parameter 'zz'"),
    (["--grid", "q=1:0:0.1"], "empty range"),
    (["--grid", "q=0:1:-0.5"], "empty range"),
    (["--grid", "q=a:1:0.1"], "cannot parse 'a'"),
    (["--grid", "q"], "KEY=V1"),
    (["--grid", "q=0:2:0.5"], "parameter 'q' = 1.5"),
    ([], "at least one --grid"),
    (["--grid", "q=0.1", "--scheduler", "tcp://127.0.0.1:9"], "cannot reach the scheduler"),
    (["--grid", "q=0.1", "--workers", "0"], "--workers = 0 is out of range"),
])
def test_bad_sweep_input_exit_2_and_nothing_written(tmp_path, args, needle):
    out = tmp_path / "out"
    result = runner.invoke(app, ["sweep", "vor", *args, "--out", str(out)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0]
    assert not out.exists()


def test_folder_with_a_different_sweep_is_refused(tmp_path):
    out = tmp_path / "d"
    base = ["sweep", "vor", "--grid", "q=0.1,0.2", "--set", "n_cycles=10", "--out", str(out),
            "--workers", "1"]
    assert runner.invoke(app, base).exit_code == 0
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    for changed in (["--grid", "q=0.1,0.3"], ["--set", "n_cycles=11"], ["--seeds", "2"]):
        args = base.copy()
        if changed[0] == "--grid":
            args[args.index("q=0.1,0.2")] = changed[1]
        elif changed[0] == "--set":
            args[args.index("n_cycles=10")] = changed[1]
        else:
            args += changed
        result = runner.invoke(app, args)
        assert result.exit_code == 2 and "holds a different sweep" in result.stderr
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before


def test_plot_sweep_writes_a_figure(tmp_path):
    out = tmp_path / "p"
    runner.invoke(app, ["sweep", "vor", "--grid", "q=0.1,0.5", "--grid", "g=1.2,1.6",
                        "--set", "n_cycles=50", "--out", str(out), "--workers", "1"])
    result = runner.invoke(app, ["plot-sweep", str(out), "--var", "G"])
    assert result.exit_code == 0 and (out / "vor.sweep.png").stat().st_size > 0
    shown = runner.invoke(app, ["show", str(out / "vor.sweep.nc")])
    assert shown.exit_code == 0 and "sweep over" in shown.output
    assert runner.invoke(app, ["plot-sweep", str(tmp_path / "none")]).exit_code == 2


def test_plot_sweep_never_averages_silently(tmp_path):
    """Issue (everyday use): the README's Fig 5 sweep. Without --var it asks which variable; the
    un-swept `panel` dimension becomes two panels; --sel picks values; categorical g ticks."""
    from cerebellar.plots.sweep import plot_sweep

    out = tmp_path / "sw"
    cerebellar.sweep("coenen1993-fig5", grid={"q": [0.0, 1.0], "g": [0.5, 1.6]}, out=out,
                     workers=1, fixed={"n_cycles": 200}, echo=lambda m: None)
    assert runner.invoke(app, ["plot-sweep", str(out)]).exit_code == 2     # which variable?
    ds = cerebellar.load(out / "coenen1993-fig5.sweep.nc")
    fig = plot_sweep(ds, "G_max")
    axes = [a for a in fig.axes if a.get_label() != "<colorbar>"]
    assert len(axes) == 2 and {a.get_title() for a in axes} == {"panel = left", "panel = right"}
    assert [t.get_text() for t in axes[0].get_xticklabels()] == ["0.5", "1.6"]
    left = ds.G_max.sel(panel="left", q=1.0, g=1.6).mean("seed")
    mesh = axes[0].collections[0]
    assert float(np.nanmax(mesh.get_array())) == pytest.approx(float(left))   # not averaged
    result = runner.invoke(app, ["plot-sweep", str(out), "--var", "G_max", "--sel", "panel=left",
                                 "--sel", "g=1.6"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["plot-sweep", str(out), "--var", "G_max", "--sel", "g=2"])
    assert result.exit_code == 2 and "no such value" in result.stderr


def test_a_damaged_sweep_heals_on_rerun(tmp_path):
    """Point files that are empty, truncated, another point's or another experiment's are found
    on resume (their attributes against the manifest), reported, and run again: the rerun gives
    the undamaged result, with no stray dimension."""
    messages = []
    kw = dict(fixed={"n_cycles": 50}, out=tmp_path / "s", workers=1, echo=messages.append)
    clean = cerebellar.sweep("vor", ["q=0,0.5,1"], **kw)
    points = tmp_path / "s" / "points"
    (points / "point-000000.nc").write_bytes(b"")                                   # empty
    data = (points / "point-000001.nc").read_bytes()
    (points / "point-000001.nc").write_bytes(data[: len(data) // 2])               # truncated
    cerebellar.run("reduced", n_trials=10).to_netcdf(points / "point-000002.nc",
                                                     engine="h5netcdf")           # foreign
    (tmp_path / "s" / "vor.sweep.nc").unlink()
    healed = cerebellar.sweep("vor", ["q=0,0.5,1"], **kw)
    xr.testing.assert_identical(healed, clean)
    said = "\n".join(messages)
    assert "point 0: point-000000.nc is unreadable" in said
    assert "point 1: point-000001.nc is unreadable" in said
    assert "point 2: point-000002.nc is a result of another experiment" in said


def _dies_at_point_1(plan, index, out=None):
    """A task whose worker process dies at point 1 (module level: the pool pickles it)."""
    if index == 1:
        os._exit(1)
    return sweep_module.run_point_unpatched(plan, index, out)


def test_a_dead_worker_fails_only_its_own_point(tmp_path, monkeypatch):
    """A worker process that dies (SIGKILL, out of memory) breaks the local pool; the points it
    took down with it run again, each alone, and only the point that kills its own process fails."""
    monkeypatch.setattr(sweep_module, "run_point_unpatched", sweep_module.run_point, raising=False)
    monkeypatch.setattr(sweep_module, "run_point", _dies_at_point_1)
    messages = []
    with pytest.raises(sweep_module.SweepFailed, match="1 of 4 points failed"):
        cerebellar.sweep("vor", grid={"q": [0.1, 0.2, 0.3, 0.4]}, out=tmp_path / "x", workers=2,
                         fixed={"n_cycles": 10}, echo=messages.append)
    manifest = json.loads((tmp_path / "x" / "manifest.json").read_text())
    assert list(manifest["failed"]) == ["1"] and "worker process died" in manifest["failed"]["1"]
    assert sorted(p.name for p in (tmp_path / "x" / "points").iterdir()) == [
        "point-000000.nc", "point-000002.nc", "point-000003.nc"]
