"""Pieces shared by the dynamic-VOR experiments: the model's parameters read back from a result,
the anchor paper, and the Bode axes."""

from __future__ import annotations

import xarray as xr

from cerebellar.models.dynamic_vor import DynamicVORParams

PORRILL_DEAN = "Porrill & Dean 2007, PLoS Comput Biol 3:e197"
TRANSFER = ("the dynamic VOR's transfer function G(iω) = Pl(iω)(Σ d_j Z_j − Σ a_k X_k) at the "
            "run's weights (the model reference, 'Dynamic VOR model')")


def model_params(ds: xr.Dataset) -> DynamicVORParams:
    """The dynamic-VOR parameters a result was run with (from its attrs)."""
    return DynamicVORParams.build(**{k: v for k, v in ds.attrs.items()
                                     if DynamicVORParams.accepts(k)})


def bode_axes(ax_gain, ax_phase) -> None:
    """Log frequency axes for a gain (log) and a phase panel."""
    ax_gain.set(xscale="log", yscale="log", xlabel="frequency [Hz]",
                ylabel="VOR gain |−E/h| [dimensionless]")
    ax_phase.set(xscale="log", xlabel="frequency [Hz]", ylabel="VOR phase [degree, lead +]")
    for ax in (ax_gain, ax_phase):
        ax.grid(True, which="both", alpha=0.3)
        plain_log(ax, "x")
    plain_log(ax_gain, "y")


def plain_log(ax, which: str = "x") -> None:
    """Ticks of a log axis at 1, 2, 5 × 10ⁿ, written as plain numbers; on an axis that spans
    less than a decade (a gain from 0.66 to 1) every 0.1 × 10ⁿ is labelled too."""
    from matplotlib.ticker import FuncFormatter, LogLocator

    axis = ax.xaxis if which == "x" else ax.yaxis

    def minor(v: float, _) -> str:
        lo, hi = sorted(axis.get_view_interval())
        return f"{v:g}" if lo > 0 and hi / lo < 10 and f"{v:g}"[-1] not in "25" else ""

    axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_locator(LogLocator(base=10, subs=(2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0)))
    axis.set_minor_formatter(FuncFormatter(minor))
