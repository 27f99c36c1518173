"""Run configurations as TOML files: ``cerebellar run NAME --config run.toml`` reads one, and
``cerebellar show RESULT --save-config run.toml`` writes one that reruns a saved result::

    experiment = "vor"        # optional; must match NAME when given
    seed = 0
    out = "results"           # optional
    [parameters]
    g = 1.3
    n_cycles = 3000
"""

from __future__ import annotations

import json
import math
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ParameterError
from .results import parameters

if TYPE_CHECKING:
    import xarray as xr

    from .registry import Experiment

KEYS = ("experiment", "seed", "out", "parameters")


def read_config(path: Path, experiment: Experiment) -> dict[str, Any]:
    """The file's settings, its parameters typed and validated one by one, or a
    `ParameterError` naming the file and what is wrong."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as err:
        raise ParameterError(f"--config {path}: cannot read it: {err.strerror or err}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ParameterError(f"--config {path}: not valid TOML: {err}") from None
    unknown = [k for k in data if k not in KEYS]
    if unknown:
        raise ParameterError(f"--config {path}: unknown key '{unknown[0]}'; allowed: "
                             f"{', '.join(KEYS)}")
    if data.get("experiment", experiment.name) != experiment.name:
        raise ParameterError(f"--config {path} is for experiment '{data['experiment']}', not "
                             f"'{experiment.name}'")
    table = data.get("parameters", {})
    if not isinstance(table, dict):
        raise ParameterError(f"--config {path}: 'parameters' must be a table")
    out: dict[str, Any] = {k: data[k] for k in ("seed", "out") if k in data}
    if "seed" in out and (isinstance(out["seed"], bool) or not isinstance(out["seed"], int)):
        raise ParameterError(f"--config {path}: seed = {out['seed']!r} is not an integer")
    if "out" in out and not isinstance(out["out"], str):
        raise ParameterError(f"--config {path}: out = {out['out']!r} is not a path")
    names = experiment.params.names()
    params = {}
    for key, value in table.items():
        if key not in names:
            raise ParameterError(f"--config {path}: unknown parameter '{key}' for experiment "
                                 f"'{experiment.name}'")
        params[key] = experiment.params.coerce(key, value)
    out["parameters"] = params
    return out


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ("nan" if math.isnan(value) else
                                                          ("inf" if value > 0 else "-inf"))
    return json.dumps(str(value), ensure_ascii=False)  # a TOML basic string


def config_text(ds: xr.Dataset) -> str:
    """A ``--config`` file that reruns the saved result ``ds``: experiment, seed, parameters."""
    lines = [f"# rerun with: cerebellar run {ds.attrs.get('experiment', 'NAME')} --config FILE",
             f"experiment = {_toml_value(ds.attrs.get('experiment', ''))}",
             f"seed = {int(ds.attrs.get('seed', 0))}", "", "[parameters]"]
    lines += [f"{k} = {_toml_value(v)}" for k, v in parameters(ds).items()]
    return "\n".join(lines) + "\n"
