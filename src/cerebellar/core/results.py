"""Results: ``xarray.Dataset`` objects that carry the parameters that made them.

``annotate`` stamps a dataset with the experiment name, what it reproduces, every parameter (one
attribute each, plus the full set as JSON so the exact parameter object can be rebuilt), the seed,
the package version and the choices made where the papers are silent. ``save`` writes netCDF
(h5netcdf engine) atomically: a temporary file in the same folder, then a rename.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import xarray as xr

from .errors import OutputError
from .version import VERSION

if TYPE_CHECKING:
    from .params import Params

ENGINE = "h5netcdf"
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def _attr_value(value: Any) -> Any:
    """netCDF cannot store booleans or None as attributes: store them as int / empty string."""
    if isinstance(value, bool):
        return int(value)
    if value is None:
        return ""
    return value


def annotate(ds: xr.Dataset, experiment: str, reproduces: str, params: Params, seed: int
             ) -> xr.Dataset:
    """Return ``ds`` with the provenance attributes every saved result must have: the
    experiment's name and what it reproduces, every parameter, the seed, the version."""
    ds = ds.copy()
    values = params.flat_dict()
    for name, value in values.items():
        ds.attrs[name] = _attr_value(value)
    ds.attrs.update(
        experiment=experiment,
        reproduces=reproduces,
        seed=int(seed),
        cerebellar_version=VERSION,
        params_class=f"{type(params).__module__}.{type(params).__qualname__}",
        parameters=json.dumps(values),
        not_stated=json.dumps(type(params).NOT_STATED),
    )
    ds.attrs.setdefault("status", "ok")
    return ds


def parameters(ds: xr.Dataset) -> dict[str, Any]:
    """The parameters a result was made with (types preserved)."""
    if "parameters" not in ds.attrs:
        raise ValueError("dataset has no 'parameters' attribute: was it made by cerebellar.run?")
    return json.loads(ds.attrs["parameters"])


def atomic_write(path: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a temporary file next to ``path``, then rename it onto ``path``.

    A run killed half-way leaves at most a hidden ``.tmp`` file, never a half-written ``path``.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise OutputError(f"cannot write {shown(path)}: folder {shown(path.parent)} does not exist")
    if path.is_dir():
        raise OutputError(f"cannot write {shown(path)}: it is a folder")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600 files; results are for sharing
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


COMPRESS_FROM = 1024
"""Numeric arrays of at least this many values are stored deflated (zlib level 4, shuffled):
lossless, and 5-20x smaller for trajectories (Fig 9D at --full: 44 MB -> 2 MB)."""


def save(ds: xr.Dataset, path: str | os.PathLike) -> Path:
    """Write ``ds`` to netCDF at ``path`` atomically, large numeric arrays compressed."""
    path = Path(path)
    encoding = {name: dict(zlib=True, complevel=4, shuffle=True) for name, v in ds.variables.items()
                if v.dtype.kind in "fiub" and v.size >= COMPRESS_FROM}
    return atomic_write(path, lambda tmp: ds.to_netcdf(tmp, engine=ENGINE, encoding=encoding))


def load(path: str | os.PathLike) -> xr.Dataset:
    """Read a saved result fully into memory (the file is closed on return)."""
    path = Path(path)
    if not path.is_file():
        raise OutputError(f"no such result file: {path}")
    hook = sys.unraisablehook  # a half-opened file's finaliser raises (h5netcdf's File.close)
    sys.unraisablehook = lambda unraisable: None
    try:
        try:
            with xr.open_dataset(path, engine=ENGINE) as ds:
                return ds.load()
        except Exception as err:  # a damaged file can fail anywhere inside h5py or xarray
            first = str(err).splitlines()[0] if str(err) else type(err).__name__
        gc.collect()
    finally:
        sys.unraisablehook = hook
    raise OutputError(f"cannot read {path} as a netCDF result: {first}")


def shown(path: str | os.PathLike, limit: int = 80) -> str:
    """A path as an error message shows it: quoted, control characters escaped, at most
    ``limit`` characters (a longer one is cut in the middle)."""
    text = repr(str(path))
    return text if len(text) <= limit else f"{text[:limit // 2]}…{text[-(limit // 2):]}"


def prepare_out_dir(out: str | os.PathLike) -> Path:
    """Create ``out`` if needed and prove it is writable, or raise `OutputError`."""
    if not str(out).strip():
        raise OutputError("output folder '': give a folder name")
    out = Path(out)
    try:
        if out.exists() and not out.is_dir():
            raise OutputError(f"output folder {shown(out)} is a file, not a folder")
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OutputError:
        raise
    except OSError as err:
        raise OutputError(f"cannot write to output folder {shown(out)}: {err.strerror or err}") from None
    return out
