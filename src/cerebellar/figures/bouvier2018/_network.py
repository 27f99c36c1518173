"""Helpers shared by the network experiments of Bouvier et al. 2018."""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from cerebellar.core.plotting import figure, panel_letter

PAPER = "Bouvier et al. 2018"


def final_window(p_or_attrs: Any) -> tuple[int, int]:
    """Trials averaged for the 'final error': 55 000-60 000 of 60 000 (Methods), i.e. the last
    1/12 of the run, scaled to shorter runs."""
    n = p_or_attrs["trials_per_pattern"] if isinstance(p_or_attrs, dict) else \
        p_or_attrs.trials_per_pattern
    return n - max(n // 12, 1), n


def final_error(ds: xr.Dataset) -> float:
    lo, hi = final_window(ds.attrs)
    return float(ds.error.isel(trial=slice(lo, hi)).mean())


def _smooth(x: np.ndarray, n: int) -> np.ndarray:
    n = max(1, min(n, x.size))
    return np.convolve(x, np.ones(n) / n, mode="valid")


def _plot_learning(ds: xr.Dataset, title: str):
    fig, ax = figure(2, 2, title=title)
    E, I = ds.error.isel(pattern=0), ds.inhibition.isel(pattern=0)
    n = max(ds.sizes["trial"] // 300, 1)
    t = ds.trial.values[n - 1:]
    for a, sl, name in ((ax[0, 0], slice(None), "A"), (ax[0, 1], slice(0, min(3000, t.size)), "B")):
        a.plot(t[sl], _smooth(E.values, n)[sl], label="error ℰ")
        a.plot(t[sl], _smooth(I.values, n)[sl], label="inhibition ℐ")
        a.set(xlabel="trial [per pattern] (pattern 0)", ylabel="rate [Hz]")
        a.legend(fontsize=8)
        panel_letter(a, name)
    ax[0, 1].set_title("start (zoom)")
    for a, slot, name in ((ax[1, 0], 0, "C"), (ax[1, 1], -1, "D")):
        pn = ds.PN.isel(profile_trial=slot, pattern=0, neuron=0)
        a.plot(ds.bin, ds.target.isel(pattern=0, neuron=0), "k--", label="target")
        a.plot(ds.bin, pn, "o-", label=f"PN, trial {int(ds.profile_trial[slot])}")
        a.set(xlabel="time bin [bin of the movement]", ylabel="rate [Hz]",
              title=f"PN 0, pattern 0, trial {int(ds.profile_trial[slot])}")
        a.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        panel_letter(a, name)
    return fig
