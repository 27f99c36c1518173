"""Every registered experiment: its checks pass at the quick default, results are reproducible,
self-describing, and plottable from the saved file alone."""

import json

import numpy as np
import pytest
import xarray as xr
from matplotlib.figure import Figure

import cerebellar
from cerebellar.core.results import parameters

NAMES = sorted(cerebellar.experiments())


@pytest.fixture(scope="module")
def results(reproduced):
    """Every experiment's saved result, reopened from the files `cerebellar reproduce` wrote."""
    out, _, _ = reproduced
    return {name: cerebellar.load(out / f"{name}.nc") for name in NAMES}


def test_registry_lists_the_vor_experiments():
    assert set(NAMES) >= {"vor", "coenen1993-fig4", "coenen1993-fig5", "coenen1993-fig6",
                          "coenen1993-gain-down", "coenen1993-dark"}
    for exp in cerebellar.experiments().values():
        assert exp.reproduces.startswith(("Coenen", "Bouvier", "Beyond"))


@pytest.mark.parametrize("name", NAMES)
def test_every_check_passes_at_the_quick_default(results, name):
    rows = cerebellar.checks(results[name])
    assert rows and results[name].attrs["status"] == "ok"
    failed = [(r.what, r.expected, r.got) for r in rows if r.verdict == "fail"]
    assert failed == []


@pytest.mark.parametrize("name", NAMES)
def test_attrs_hold_every_parameter_seed_version_and_name(results, name):
    ds = results[name]
    exp = cerebellar.get_experiment(name)
    for key, value in exp.make_params().flat_dict().items():
        assert ds.attrs[key] == (int(value) if isinstance(value, bool) else value)
    assert ds.attrs["experiment"] == name and ds.attrs["seed"] == 0
    assert ds.attrs["cerebellar_version"] == cerebellar.__version__
    assert parameters(ds) == exp.make_params().flat_dict()
    json.loads(ds.attrs["not_stated"])


@pytest.mark.parametrize("name", NAMES)
def test_saved_result_reopens_replots_and_rechecks(results, reproduced, name, tmp_path):
    ds = results[name]
    back = cerebellar.load(cerebellar.save(ds, tmp_path / f"{name}.nc"))
    for var in ds.data_vars:
        np.testing.assert_array_equal(back[var].values, ds[var].values)
    report = next(e for e in reproduced[1]["experiments"] if e["experiment"] == name)
    assert [c.verdict for c in cerebellar.checks(back)] == [c["verdict"] for c in report["checks"]]
    fig = cerebellar.plot(back)
    assert isinstance(fig, Figure) and len(fig.axes) >= 1
    assert cerebellar.params_of(back) == cerebellar.get_experiment(name).make_params()


def test_same_seed_same_data():
    a, b = cerebellar.run("coenen1993-fig5"), cerebellar.run("coenen1993-fig5")
    xr.testing.assert_identical(a, b)


def test_fig6_grid_is_one_vectorised_call(monkeypatch):
    """Acceptance: the >= 50x50 map is computed by one call of simulate (no loop over points)."""
    from cerebellar.figures.coenen1993 import fig6 as experiments
    from cerebellar.models.vor.simulate import simulate as real

    calls = []

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(experiments, "simulate", spy)
    ds = cerebellar.run("coenen1993-fig6")
    assert ds.sizes["q"] >= 50 and ds.sizes["r"] >= 50
    grid_calls = [c for c in calls if np.size(c.get("q")) >= 50]
    assert len(grid_calls) == 1 and len(calls) == 2  # the grid, and the exact-table points


def test_overrides_change_the_run_and_are_recorded():
    ds = cerebellar.run("coenen1993-fig5", q=0.5, n_cycles=200)
    assert ds.attrs["q"] == 0.5 and ds.sizes["cycle"] == 201
    assert float(ds.q.sel(panel="left")) == 0.5
    with pytest.raises(cerebellar.ParameterError, match="unknown parameter 'qq'"):
        cerebellar.run("coenen1993-fig5", qq=1)
