"""Results store: atomic writes (an interrupted write leaves no half file), round trips."""

import numpy as np
import pytest
import xarray as xr

import cerebellar
from cerebellar.core.errors import OutputError
from cerebellar.core.results import atomic_write, save


def test_interrupted_write_leaves_old_file_intact_and_no_temp(tmp_path):
    target = tmp_path / "r.nc"
    save(xr.Dataset({"x": ("t", np.arange(3.0))}), target)
    before = target.read_bytes()

    def dies_half_way(tmp):
        tmp.write_bytes(b"half a netCDF file")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, dies_half_way)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["r.nc"]


def test_interrupted_first_write_leaves_nothing(tmp_path):
    with pytest.raises(RuntimeError):
        atomic_write(tmp_path / "new.png", lambda tmp: (_ for _ in ()).throw(RuntimeError()))
    assert list(tmp_path.iterdir()) == []


def test_save_into_missing_folder_and_load_missing_file(tmp_path):
    with pytest.raises(OutputError, match="does not exist"):
        save(xr.Dataset(), tmp_path / "no" / "r.nc")
    with pytest.raises(OutputError, match="no such result file"):
        cerebellar.load(tmp_path / "none.nc")
    bad = tmp_path / "bad.nc"
    bad.write_text("garbage")
    with pytest.raises(OutputError, match="cannot read"):
        cerebellar.load(bad)


def test_units_and_dimension_names_survive_a_round_trip(tmp_path):
    ds = cerebellar.run("vor", n_cycles=20)
    back = cerebellar.load(cerebellar.save(ds, tmp_path / "vor.nc"))
    assert back.G.attrs["units"] == "1" and back.cycle.attrs["units"] == "cycle"
    assert back.P_light.dims == ("cycle",)
    assert back.attrs["gate_nucleus"] == 0 and back.attrs["n_cycles"] == 20


def test_large_arrays_are_stored_compressed_and_reload_exactly(tmp_path):
    """Lean results (performance issue): trajectories are deflated losslessly."""
    t = np.arange(50_000)
    ds = xr.Dataset(dict(G=("cycle", 1.6 - 0.6 * np.exp(-t / 300.0)), ok=("cycle", t % 7 == 0),
                         n=("cycle", t // 1000), small=("k", np.arange(3.0))))
    path = save(ds, tmp_path / "r.nc")
    back = cerebellar.load(path)
    xr.testing.assert_identical(back, ds)
    assert path.stat().st_size < 0.5 * sum(v.nbytes for v in ds.variables.values())
