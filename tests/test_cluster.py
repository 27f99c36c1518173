"""An experiment's independent runs on a Dask cluster (issue 22): the same result, bit for bit,
as on this machine's threads. The cluster is local (worker processes on loopback)."""

import pytest
import xarray as xr
from typer.testing import CliRunner

import cerebellar
from cerebellar.cli import app

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.integration      # worker processes compile every kernel: about 1 min

CASES = [   # (experiment, small overrides): a perceptron load sweep, network runs, the VOR
    ("bouvier2018-fig10b", dict(N_M=50, trials_per_pattern=100, n_records=5)),
    ("bouvier2018-fig2", dict(trials_per_pattern=40)),
    ("coenen1993-fig5", dict(n_cycles=200)),
]


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, host="127.0.0.1") as local:
        yield local.scheduler_address


@pytest.mark.parametrize("name, small", CASES, ids=[c[0] for c in CASES])
def test_runs_on_a_cluster_give_the_threaded_result(cluster, name, small):
    threaded = cerebellar.run(name, **small)
    remote = cerebellar.run(name, scheduler=cluster, **small)
    xr.testing.assert_identical(threaded, remote)


def test_run_command_on_a_cluster_writes_the_same_file(cluster, tmp_path):
    sets = [a for k, v in CASES[0][1].items() for a in ("--set", f"{k}={v}")]
    for where, extra in (("local", []), ("cluster", ["--scheduler", cluster])):
        done = CliRunner().invoke(app, ["run", CASES[0][0], *sets, "--out", str(tmp_path / where),
                                        "--quiet", *extra])
        assert done.exit_code in (0, 1), done.output
    with (xr.open_dataset(tmp_path / "local" / f"{CASES[0][0]}.nc") as a,
          xr.open_dataset(tmp_path / "cluster" / f"{CASES[0][0]}.nc") as b):
        xr.testing.assert_identical(a.load(), b.load())


SUBSET = ("coenen1993-fig5", "bouvier2018-fig2", "bouvier2018-fig10b", "bouvier2018-fig10c")
"""A reproduce in small: the VOR (on the client), network runs, and two load sweeps that share
their runs (`Experiment.shares`, one chain)."""


def _reproduce(monkeypatch, out, *extra):
    from cerebellar import cli
    from cerebellar.studies.load_sweep import RUNS

    RUNS.clear()                           # every run trained again, none from the cache
    known = {n: e for n, e in cerebellar.experiments().items() if n in SUBSET}
    monkeypatch.setattr(cli, "experiments", lambda: known)
    done = CliRunner().invoke(app, ["reproduce", "--out", str(out), "--quiet", *extra])
    assert done.exit_code in (0, 1), done.output
    return {n: xr.load_dataset(out / f"{n}.nc") for n in SUBSET}


@pytest.fixture(scope="module")
def threaded(tmp_path_factory):
    with pytest.MonkeyPatch.context() as monkeypatch:
        return _reproduce(monkeypatch, tmp_path_factory.mktemp("threaded"))


@pytest.mark.parametrize("kill", [False, True], ids=["all workers", "a worker killed"])
def test_reproduce_on_a_cluster_writes_the_threaded_files(cluster, threaded, tmp_path,
                                                          monkeypatch, kill):
    """`reproduce --scheduler` runs the chains of experiments at once on the cluster and writes
    the same files as on threads; with a worker SIGKILLed mid-run (its nanny starts another),
    the cluster re-runs that worker's tasks and nothing is lost or changed."""
    import os
    import signal
    import threading

    killed = []
    if kill:
        with distributed.Client(cluster) as client:
            pid = next(iter(client.run(os.getpid).values()))
        timer = threading.Timer(5.0, lambda: (os.kill(pid, signal.SIGKILL), killed.append(pid)))
        timer.start()
    remote = _reproduce(monkeypatch, tmp_path, "--scheduler", cluster)
    assert killed or not kill, "the worker was not killed before the reproduce ended"
    for name in SUBSET:
        xr.testing.assert_identical(threaded[name], remote[name])


def _scheduler_tasks(client) -> int:
    return client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks))


def test_a_client_that_dies_releases_its_tasks(cluster, tmp_path):
    """SIGKILL a `cerebellar run --scheduler` while its runs are on the cluster: the scheduler
    forgets its tasks (the workers drop what they were computing for it), so the cluster is
    free for the next client and holds nothing of the dead one."""
    import subprocess
    import sys
    import time

    proc = subprocess.Popen([sys.executable, "-m", "cerebellar.cli", "run", "bouvier2018-fig10b",
                             "--scheduler", cluster, "--out", str(tmp_path / "out"), "--quiet"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with distributed.Client(cluster) as client:
            deadline = time.monotonic() + 120
            while _scheduler_tasks(client) == 0 and proc.poll() is None:
                assert time.monotonic() < deadline, "the run never sent a task"
                time.sleep(0.2)
            assert proc.poll() is None, "the run ended before it could be killed"
            proc.kill()
            proc.wait()
            deadline = time.monotonic() + 60
            while _scheduler_tasks(client):
                assert time.monotonic() < deadline, "the dead client's tasks stay on the cluster"
                time.sleep(0.2)
    finally:
        proc.kill()
    assert not (tmp_path / "out" / "bouvier2018-fig10b.nc").exists()


def test_memory_estimates_apply_per_task(tmp_path):
    """On a cluster an experiment's memory estimate counts the runs one worker holds at once
    (its threads) against that worker's memory limit, not this machine's cores and memory:
    Fig 10D at N_M = 2000 passes here and is refused, in one line naming the limit and the
    parameters to lower, on workers of 4 threads and 64 MB; no folder is made."""
    from cerebellar.core.guards import task_slots
    from cerebellar.core.parallel import on_cluster

    name, args = "bouvier2018-fig10d", ["--set", "N_M=2000", "--dry-run"]
    out = tmp_path / "out"
    here = CliRunner().invoke(app, ["run", name, *args, "--out", str(out)])
    assert here.exit_code == 0, here.output
    with distributed.LocalCluster(n_workers=2, threads_per_worker=4, processes=False,
                                  memory_limit="64MB", protocol="tcp", host="127.0.0.1",
                                  dashboard_address=None) as small:
        with on_cluster(small.scheduler_address):
            assert task_slots()[:2] == (4, 64_000_000)
        there = CliRunner().invoke(app, ["run", name, *args, "--out", str(out),
                                         "--scheduler", small.scheduler_address])
    assert there.exit_code == 2
    assert there.output.count("\n") == 1
    assert "each worker of the cluster has 0.0596 GiB" in there.output
    assert "lower N_M" in there.output
    assert not out.exists()
