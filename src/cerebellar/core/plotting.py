"""Plot helpers shared by every model. Plots read only a result dataset, never a live model."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:                   # matplotlib loads only when a figure is drawn
    from matplotlib.figure import Figure


def figure(nrows: int, ncols: int, *, title: str = "", width: float = 5.0, height: float = 3.6,
           **kwargs: Any) -> tuple[Figure, Any]:
    """A figure (no pyplot state, safe in scripts, threads and notebooks) with a grid of axes."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width * ncols, height * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, **kwargs)
    if title:
        fig.suptitle(title)
    return fig, axes


def panel_letter(ax: Any, letter: str) -> None:
    ax.text(-0.12, 1.04, letter, transform=ax.transAxes, fontsize=13, fontweight="bold",
            va="bottom", ha="right")


def symlog_axis(ax: Any, values: Any, *, floor: float = 1e-3) -> None:
    """A y axis linear below ``floor`` (so that 0 shows) and logarithmic above, with a tick at
    0 and at every decade up to the data, and room above the largest value (none is cut)."""
    import numpy as np

    data = np.asarray(values, dtype=float)
    top = float(np.nanmax(data)) if np.isfinite(data).any() else 1.0
    top = max(top, 10 * floor)
    decades = np.arange(np.floor(np.log10(floor)), np.ceil(np.log10(top)) + 1)
    ax.set_yscale("symlog", linthresh=floor)
    ax.set_yticks([0.0, *(10.0 ** decades)], ["0", *(f"{10.0 ** d:g}" for d in decades)])
    ax.set_ylim(-0.1 * floor, top * 2.0)
