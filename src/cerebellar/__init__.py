"""cerebellar: computational models of cerebellar motor learning.

Notebook API::

    import cerebellar
    ds = cerebellar.run("coenen1993-fig4")      # an annotated xarray.Dataset
    cerebellar.plot(ds)                          # the paper's panels, from the dataset only
    cerebellar.checks(ds)                        # paper numbers beside ours
    cerebellar.save(ds, "fig4.nc"); cerebellar.load("fig4.nc")
    print(cerebellar.describe("coenen1993-fig4"))  # parameters, ranges, choices not stated
"""

from .core.checks import Check
from .core.errors import CerebellarError, ParameterError
from .core.progress import quiet
from .core.registry import checks, describe, experiments, get_experiment, params_of, plot, run
from .core.results import load, save
from .core.sweep import sweep
from .core.version import VERSION as __version__

__all__ = [
    "CerebellarError",
    "Check",
    "ParameterError",
    "__version__",
    "checks",
    "describe",
    "experiments",
    "get_experiment",
    "load",
    "params_of",
    "plot",
    "quiet",
    "run",
    "save",
    "sweep",
]
