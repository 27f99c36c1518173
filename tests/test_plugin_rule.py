"""A rule from another package runs everywhere a built-in one does (issue 19, acceptance 1).

The package lives in a temporary folder outside ``src/``, with its own ``.dist-info`` declaring a
``cerebellar.rules`` entry point; nothing in ``cerebellar`` names it. The rule (a sign-of-error
rule, Δw = −κ sign(e)) has a setting of its own, set from the command line as ``sign.kappa``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
import xarray as xr

pytestmark = [pytest.mark.plumbing, pytest.mark.integration]   # ~1 min: runs in its own processes

RULE = textwrap.dedent('''
    """Sign rule: each active synapse moves by −κ sign(e), a fixed step against the signed error."""
    from dataclasses import dataclass

    import numba

    from cerebellar.core.params import Params, param
    from cerebellar.rules import Rule, register_rule


    @dataclass(frozen=True)
    class SignSettings(Params):
        kappa: float = param(0.01, low=0, high=10, doc="step κ per presentation")


    @numba.njit
    def perturb(u, prm):
        return 0.0


    @numba.njit
    def update(E, e, J, mu, state, prm):
        return -prm[0] * (1.0 if e > 0 else (-1.0 if e < 0 else 0.0)), 0.0, 0.0, 0.0


    register_rule(Rule(name="sign", perturb=perturb, update=update, constants=("kappa",),
                       settings_class=SignSettings, doc="Δw = −κ sign(e)"))
''')


@pytest.fixture(scope="module")
def plugin(tmp_path_factory) -> dict[str, str]:
    """The environment of a Python that finds the plugin package (and only through its metadata)."""
    root = tmp_path_factory.mktemp("plugin")
    (root / "signrule").mkdir()
    (root / "signrule" / "__init__.py").write_text(RULE)
    info = root / "signrule-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: signrule\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[cerebellar.rules]\nsign = signrule\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(root), *filter(None, [os.environ.get("PYTHONPATH")])]), MPLBACKEND="Agg")
    return env


def _cerebellar(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cerebellar", *args], env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize(("experiment", "sets"), [
    ("perceptron", ["kappa=0.02", "N_M=200", "n_patterns=20", "trials_per_pattern=300"]),
    ("network", ["kappa=0.002", "trials_per_pattern=200"]),
    ("vor", ["kappa=0.002", "n_cycles=600"]),
])
def test_a_plugin_rule_runs_in_every_model_from_the_command_line(plugin, tmp_path, experiment,
                                                                  sets):
    args = ["run", experiment, "--quiet", "--json", "--out", str(tmp_path), "--set", "rule=sign"]
    for item in sets:
        args += ["--set", f"sign.{item}" if item.startswith("kappa") else item]
    done = _cerebellar(plugin, *args)
    assert done.returncode in (0, 1), done.stderr          # ran (1: a check failed, not an error)
    ds = xr.load_dataset(tmp_path / f"{experiment}.nc", engine="h5netcdf")
    kappa = float(sets[0].split("=")[1])
    assert ds.attrs["rule"] == "sign" and ds.attrs["sign.kappa"] == kappa
    assert json.loads(ds.attrs["parameters"])["sign.kappa"] == kappa
    error = {"perceptron": ds.get("error"), "network": ds.get("error"),
             "vor": abs(ds.get("slip", 0))}[experiment]           # the VOR: the slip |gh + e|/h
    first, last = (float(error.isel({d: i for d in error.dims if d in ("trial", "cycle")}).mean())
                   for i in (0, -1))
    assert last < first                                     # the rule learnt something


def test_a_plugin_rule_is_compared_and_its_settings_validated(plugin, tmp_path):
    done = _cerebellar(plugin, "run", "compare-rules", "--quiet", "--json", "--out", str(tmp_path),
                       "--set", "sign.kappa=0.05", "--set", "N_M=100",
                       "--set", "trials_per_pattern=300", "--set", "n_seeds=1")
    assert done.returncode in (0, 1), done.stderr
    ds = xr.load_dataset(tmp_path / "compare-rules.nc", engine="h5netcdf")
    assert "sign" in ds.rule.values and ds.attrs["sign.kappa"] == 0.05
    rows = json.loads(done.stdout)["checks"]
    assert [r["verdict"] for r in rows if r["what"].startswith("sign:")] == ["n/a"]
    bad = _cerebellar(plugin, "run", "perceptron", "--dry-run", "--set", "sign.kappa=-1")
    assert bad.returncode == 2 and "'sign.kappa' = -1" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
