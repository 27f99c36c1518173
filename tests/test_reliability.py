"""Reliability under bad input, faults and concurrency (issue: every failure one clear line,
nothing lost, nothing left running). One test per row of the issue's table, plus a hypothesis
test of random ``--set`` values for every experiment and parameter."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import cerebellar
from cerebellar.cli import app
from cerebellar.core.guards import LOCK, MAX_SEED, process_start

runner = CliRunner()
CLI = [sys.executable, "-m", "cerebellar.cli"]
HUGE_SEED = "1180591620717411303424"


@pytest.mark.parametrize(("args", "needle"), [
    (["run", "vor", "--seed", HUGE_SEED], f"seed = {HUGE_SEED} is out of range"),
    (["sweep", "vor", "--grid", "q=0,1", "--seed", HUGE_SEED], f"--seed = {HUGE_SEED}"),
    (["run", "network", "--set", "N=1000000", "--set", "S=1000", "--set", "L=10000"],
     "GiB available"),
    (["run", "perceptron", "--set", "N_M=1000000", "--set", "n_patterns=1000000"],
     "lower n_patterns or N_M"),
    (["sweep", "vor", "--grid", "q=0:1:1e-9"], "1,000,000,000 values"),
    (["sweep", "vor", "--grid", "q=0:1:1e-6"], "raise --max-points"),
    (["sweep", "vor", "--grid", "q=0:1:0.001", "--seeds", "20"], "20,020 points"),
    (["run", "vor", "--set", "q=0.2", "--set", "q=0.3"], "set twice"),
    (["sweep", "vor", "--grid", "q=0,1", "--workers", "0"], "--workers = 0"),
    (["sweep", "vor", "--grid", "q=0:1:nan"], "must be finite"),
    (["sweep", "vor", "--grid", "q=0:inf:0.1"], "must be finite"),
    (["sweep", "vor", "--grid", "q=0:1:5e-324"], "more than 10¹⁸ values"),
    (["sweep", "vor", "--grid", "q=0,1", "--scheduler", "not a url"], "--scheduler = 'not a url'"),
    (["sweep", "vor", "--grid", "q=0,1", "--scheduler", ""], "--scheduler = ''"),
    (["reproduce", "--plan", "0,2"], "--plan = '0,2'"),
    (["reproduce", "--plan", "two"], "--plan = 'two'"),
    (["reproduce", "--plan", "2"], "no readable"),
])
def test_bad_input_one_line_exit_2_no_file(tmp_path, args, needle):
    """Bad input: one line naming the parameter, exit 2, no output folder, no traceback."""
    out = tmp_path / "out"
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


def test_largest_seed_is_accepted_and_stored_losslessly(tmp_path):
    result = runner.invoke(app, ["run", "vor", "--seed", str(MAX_SEED), "--set", "n_cycles=10",
                                 "--out", str(tmp_path), "--quiet"])
    assert result.exit_code == 0, result.output
    assert cerebellar.load(tmp_path / "vor.nc").attrs["seed"] == MAX_SEED


def test_sweep_into_a_file_is_one_line(tmp_path):
    target = tmp_path / "afile"
    target.write_text("x")
    result = runner.invoke(app, ["sweep", "vor", "--grid", "q=0,1", "--out", str(target)])
    assert result.exit_code == 2 and "is a file, not a folder" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and target.read_text() == "x"


@pytest.mark.parametrize("offset", [0, 100, 600, 5000])
def test_damaged_file_is_one_line(tmp_path, offset):
    assert runner.invoke(app, ["run", "vor", "--set", "n_cycles=50", "--out", str(tmp_path),
                               "--quiet"]).exit_code == 0
    path = tmp_path / "vor.nc"
    data = bytearray(path.read_bytes())
    data[offset:offset + 64] = bytes(b ^ 0xFF for b in data[offset:offset + 64])
    path.write_bytes(data)
    proc = subprocess.run([*CLI, "show", str(path)], capture_output=True, text=True)
    assert proc.returncode in (0, 2)
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr
    if proc.returncode == 2:
        assert len(proc.stderr.strip().splitlines()) == 1


def _sleeper() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])


def test_a_folder_in_use_is_refused_naming_the_process(tmp_path):
    holder = _sleeper()
    try:
        (tmp_path / LOCK).write_text(f"{holder.pid}\n")
        result = runner.invoke(app, ["run", "vor", "--out", str(tmp_path), "--quiet"])
        assert result.exit_code == 2 and f"in use by process {holder.pid}" in result.stderr
        assert not (tmp_path / "vor.nc").exists()
        result = runner.invoke(app, ["sweep", "vor", "--grid", "q=0,1", "--out", str(tmp_path)])
        assert result.exit_code == 2 and f"in use by process {holder.pid}" in result.stderr
    finally:
        holder.kill()
        holder.wait()


def test_a_lock_whose_pid_now_names_another_process_is_taken_over(tmp_path):
    """The lock records its holder's start time: a live process with the same PID but another
    start time (a reused PID) does not hold the folder; the true holder still does."""
    holder = _sleeper()
    try:
        start = process_start(holder.pid)
        if not start:
            pytest.skip("this system does not report process start times")
        (tmp_path / LOCK).write_text(f"{holder.pid} {start}\n")
        result = runner.invoke(app, ["run", "vor", "--set", "n_cycles=20", "--out", str(tmp_path)])
        assert result.exit_code == 2 and f"in use by process {holder.pid}" in result.stderr
        (tmp_path / LOCK).write_text(f"{holder.pid} {int(start) + 1}\n")   # the PID reused
        result = runner.invoke(app, ["run", "vor", "--set", "n_cycles=20", "--out", str(tmp_path)])
        assert result.exit_code == 0, result.output
    finally:
        holder.kill()
        holder.wait()


def test_a_dead_process_lock_is_taken_over_and_stale_temporaries_cleaned(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / LOCK).write_text(f"{dead.pid}\n")
    stale = [tmp_path / ".vor.nc.k1ll3d.tmp", tmp_path / ".sweep.nc.abc.tmp"]
    for path in stale:
        path.write_bytes(b"")
    result = runner.invoke(app, ["run", "vor", "--set", "n_cycles=20", "--out", str(tmp_path),
                                 "--quiet"])
    assert result.exit_code == 0, result.output
    assert not any(p.exists() for p in stale) and not (tmp_path / LOCK).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vor.nc", "vor.png"]


@pytest.mark.integration
def test_two_concurrent_runs_never_mix_their_files(tmp_path):
    """Two runs with different g into one folder at once: the second is refused (exit 2) or
    waits its turn; the files on disk always come from one run."""
    cmds = [[*CLI, "run", "vor", "--set", f"g={g}", "--set", "n_cycles=20000", "--out",
             str(tmp_path), "--quiet"] for g in (0.5, 1.6)]
    procs = [subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
             for c in cmds]
    codes = [p.wait(timeout=120) for p in procs]
    assert sorted(codes)[0] == 0 and set(codes) <= {0, 2}
    refused = [p.stderr.read() for p, c in zip(procs, codes, strict=True) if c == 2]
    assert all("in use by process" in text for text in refused)
    g_nc = cerebellar.load(tmp_path / "vor.nc").attrs["g"]
    winner = [g for g, c in zip((0.5, 1.6), codes, strict=True) if c == 0]
    assert g_nc in winner


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find child processes")
@pytest.mark.integration
def test_sweep_workers_exit_when_the_main_process_is_killed(tmp_path):
    proc = subprocess.Popen([*CLI, "sweep", "vor", "--grid", "q=0:1:0.05", "--set",
                             "n_cycles=200000", "--workers", "2", "--out", str(tmp_path / "s"),
                             "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    workers: list[int] = []
    while time.time() < deadline and len(workers) < 2:
        time.sleep(0.2)
        workers = [c for c in _children(proc.pid)
                   if "python" in Path(f"/proc/{c}/comm").read_text(errors="ignore")]
    assert workers, "the sweep started no worker"
    time.sleep(1.0)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.time() + 10
    while time.time() < deadline and any(Path(f"/proc/{w}").exists() and
                                         "Z" not in _state(w) for w in workers):
        time.sleep(0.2)
    alive = [w for w in workers if Path(f"/proc/{w}").exists() and "Z" not in _state(w)]
    for w in alive:
        os.kill(w, signal.SIGKILL)
    assert not alive, f"orphaned workers still running: {alive}"


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


VALUES = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-10**25, max_value=10**25).map(str),
    st.sampled_from(["", "nan", "inf", "-inf", "1e400", "abc", "true", "0x10", " ", "1,2",
                     "None", "1e-320", "-0", "９"]),
    st.text(max_size=8),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_set_values_never_give_a_traceback(tmp_path, data):
    """Any --set value for any parameter of any experiment: exit 0 or 2, never a traceback;
    exit 2 leaves no file (``--dry-run``: parameters, seed and memory checked, nothing run)."""
    exp = data.draw(st.sampled_from(sorted(cerebellar.experiments())))
    key = data.draw(st.sampled_from(cerebellar.experiments()[exp].params.names()))
    value = data.draw(VALUES)
    out = tmp_path / "never"
    result = runner.invoke(app, ["run", exp, "--set", f"{key}={value}", "--dry-run",
                                 "--out", str(out)])
    assert result.exit_code in (0, 2), (exp, key, value, result.output)
    assert ("Traceback" not in result.output and result.exception is None) or \
        isinstance(result.exception, SystemExit), (exp, key, value, result.exception)
    if result.exit_code == 2:
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not out.exists()


SMALL = {"vor": {"n_cycles": 30}, "reduced": {"n_trials": 200},
         "coenen1993-dark": {"light_cycles": 20, "dark_cycles": 30}}
"""Experiments that run in well under a second at these sizes (sizes are not drawn)."""


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_set_values_in_real_runs_never_give_a_traceback(tmp_path, data):
    """Issue 21, acceptance 2: real runs (no ``--dry-run``) of small experiments with a drawn
    value for a drawn parameter: exit 0 (ran), 1 (a row failed or the run diverged) or 2 (bad
    input: one line, no file), never a traceback."""
    exp = data.draw(st.sampled_from(sorted(SMALL)))
    keys = [k for k in cerebellar.experiments()[exp].params.names() if k not in SMALL[exp]]
    key, value = data.draw(st.sampled_from(keys)), data.draw(VALUES)
    out = Path(tempfile.mkdtemp(dir=tmp_path)) / "out"
    sizes = [a for k, v in SMALL[exp].items() for a in ("--set", f"{k}={v}")]
    result = runner.invoke(app, ["run", exp, "--set", f"{key}={value}", *sizes, "--out", str(out),
                                 "--quiet"])
    assert result.exit_code in (0, 1, 2), (exp, key, value, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        exp, key, value, repr(result.exception))
    assert "Traceback" not in result.output, (exp, key, value, result.output)
    if result.exit_code == 2:
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert not out.exists(), (exp, key, value)
    else:
        assert (out / f"{exp}.nc").exists(), (exp, key, value, result.output)


def test_a_long_vor_run_writes_a_lean_file(tmp_path, monkeypatch):
    """n_cycles beyond MAX_RECORDS (10⁵; here lowered to 10³ so the test runs in a second):
    every k-th cycle is recorded (the file stays small), the end is always recorded, and the
    per-update replay row says n/a instead of failing."""
    from cerebellar.figures.coenen1993 import vor

    monkeypatch.setattr(vor, "MAX_RECORDS", 1000)
    result = runner.invoke(app, ["run", "vor", "--set", "n_cycles=1010", "--out", str(tmp_path),
                                 "--quiet"])
    assert result.exit_code == 0, result.output
    ds = cerebellar.load(tmp_path / "vor.nc")
    assert ds.sizes["cycle"] <= 1001 and int(ds.cycle[-1]) == 1010
    rows = {r.what.split(" (")[0]: r.verdict for r in cerebellar.checks(ds)}
    assert "n/a" in rows.values() and "fail" not in rows.values()


@pytest.mark.parametrize("out", ["", "x" * 300, "x" * 5000])
def test_an_output_folder_that_cannot_be_named_is_one_line(tmp_path, monkeypatch, out):
    """An empty or over-long --out: one line (the name cut to 80 characters), exit 2, nothing
    written into the current folder."""
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["run", "vor", "--out", out])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "output folder" in lines[0] and len(lines[0]) < 200, result.stderr
    assert list(tmp_path.iterdir()) == []


def test_show_and_plot_sweep_refuse_what_they_cannot_read_in_one_line(tmp_path):
    """--save-config into a missing folder or onto a folder, from a file that is not a run, and
    plot-sweep on a result that is not a sweep: one line, exit 2, no file."""
    foreign = tmp_path / "foreign.nc"
    xr.Dataset({"x": ("t", np.arange(3.0))}).to_netcdf(foreign, engine="h5netcdf")
    run = runner.invoke(app, ["run", "vor", "--out", str(tmp_path / "r"), "--set", "n_cycles=5"])
    assert run.exit_code == 0, run.output
    result_file = tmp_path / "r" / "vor.nc"
    (tmp_path / "sw").mkdir()
    shutil.copy(result_file, tmp_path / "sw" / "vor.sweep.nc")
    for args, needle in [
        (["show", str(result_file), "--save-config", str(tmp_path / "no" / "c.toml")], "does not exist"),
        (["show", str(result_file), "--save-config", str(tmp_path)], "it is a folder"),
        (["show", str(foreign), "--save-config", str(tmp_path / "c.toml")], "names no experiment"),
        (["plot-sweep", str(tmp_path / "sw")], "is not a sweep"),
    ]:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and needle in lines[0], (args, result.stderr)
    assert not (tmp_path / "c.toml").exists() and not (tmp_path / "sw" / "vor.sweep.png").exists()


def test_a_usage_error_is_one_line_from_the_installed_command():
    """The command as installed: an unknown option or a missing argument is one line, exit 2
    (not Typer's box)."""
    for args, needle in [(["run", "vor", "--bogus"], "--bogus"), (["run"], "Missing argument")]:
        proc = subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 2, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error:") and needle in lines[0], proc.stderr


def test_quiet_silences_the_bars_of_worker_threads_and_plain_lines_are_rate_limited():
    """--quiet reaches the threads an experiment fans its runs out to; off a terminal, all bars
    together write at most one plain line per PLAIN_EVERY_S seconds."""
    import io
    from concurrent.futures import ThreadPoolExecutor

    from cerebellar.core import progress as prog

    with prog.quiet(), ThreadPoolExecutor(2) as pool:
        hidden = list(pool.map(lambda _: prog.progress(5, "inner").disable, range(4)))
    assert hidden == [True] * 4
    assert not prog.progress(5, "outer").disable
    stream = io.StringIO()
    lines = prog.PlainLines(stream)
    for k in range(5):
        lines.write(f"\rbar {k}: 10%")
    assert stream.getvalue().count("\n") <= 1


@pytest.mark.parametrize("name", sorted(cerebellar.experiments()))
def test_every_experiment_has_a_memory_estimate_its_drivers_drive(name, tmp_path, monkeypatch):
    """Each experiment estimates its peak memory (``params.memory_bytes()``); the parameters it
    names as drivers raise it; on a machine with less memory free, ``--dry-run`` refuses it in
    one line naming them, before anything is written (once: `reduced` at 10⁸ trials passed
    --dry-run and died in a MemoryError traceback)."""
    from cerebellar.core import guards
    from cerebellar.core.errors import ParameterError

    params = cerebellar.experiments()[name].make_params()
    need, drivers = params.memory_bytes()
    assert isinstance(need, int) and need > 0
    assert set(drivers) <= set(params.flat_dict())
    raised = []
    for d in drivers:
        value = getattr(params, d)
        try:
            bigger = params.replace(**{d: True if isinstance(value, bool) else 2 * value})
        except ParameterError:
            continue
        assert bigger.memory_bytes()[0] >= need, d
        raised.append(bigger.memory_bytes()[0] > need)
    assert any(raised) or not drivers
    monkeypatch.setattr(guards, "available_memory", lambda: need - 1)
    result = runner.invoke(app, ["run", name, "--dry-run", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "GiB" in result.stderr and len(result.stderr.splitlines()) == 1
    assert all(d in result.stderr for d in drivers)
    assert not (tmp_path / "out").exists()
