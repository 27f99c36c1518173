"""The README's cluster commands run as written (issue 21): a Dask scheduler and workers started
with Dask's own commands, then `cerebellar sweep` and `cerebellar run` pointed at it. Only the
addresses change (HEAD is 127.0.0.1, the port a free one) and the workers are 2, not 16."""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import xarray as xr

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.integration

README = Path(__file__).parents[1] / "README.md"
BIN = Path(sys.executable).parent


def cluster_block() -> list[str]:
    """The commands of the README's bash block that starts a Dask scheduler (comments dropped,
    continuation lines joined)."""
    blocks = re.findall(r"```bash\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    block = next(b for b in blocks if "dask scheduler" in b)
    joined = block.replace("\\\n", " ")
    return [line.split(" #")[0].strip() for line in joined.splitlines() if line.strip()]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_readme_cluster_commands_run_as_written(tmp_path):
    port = free_port()
    commands = [c.replace("HEAD", "127.0.0.1").replace("8786", str(port))
                 .replace("--nworkers 16", "--nworkers 2") for c in cluster_block()]
    assert [c.split()[:2] for c in commands] == [["dask", "scheduler"], ["dask", "worker"],
                                                 ["cerebellar", "sweep"], ["cerebellar", "run"]]
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    services = [subprocess.Popen(shlex.split(c), cwd=tmp_path, env=env, start_new_session=True,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                for c in commands[:2]]
    try:
        with distributed.Client(f"tcp://127.0.0.1:{port}", timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
        for command in commands[2:]:
            done = subprocess.run(shlex.split(command), cwd=tmp_path, env=env,
                                  capture_output=True, text=True, timeout=600)
            assert done.returncode == 0, (command, done.stderr[-2000:])
    finally:
        for proc in services:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in services:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    with xr.open_dataset(tmp_path / "sw" / "coenen1993-fig5.sweep.nc") as sweep:
        assert dict(sweep.sizes)["q_right"] == 3 and dict(sweep.sizes)["seed"] == 2
    assert (tmp_path / "res" / "bouvier2018-fig10b.nc").exists()
