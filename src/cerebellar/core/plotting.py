"""Plot helpers shared by every model. Plots read only a result dataset, never a live model."""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure


def figure(nrows: int, ncols: int, *, title: str = "", width: float = 5.0, height: float = 3.6,
           **kwargs: Any) -> tuple[Figure, Any]:
    """A figure (no pyplot state, safe in scripts, threads and notebooks) with a grid of axes."""
    fig = Figure(figsize=(width * ncols, height * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, **kwargs)
    if title:
        fig.suptitle(title)
    return fig, axes


def panel_letter(ax: Any, letter: str) -> None:
    ax.text(-0.12, 1.04, letter, transform=ax.transAxes, fontsize=13, fontweight="bold",
            va="bottom", ha="right")
