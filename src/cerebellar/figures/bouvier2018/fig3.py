"""``bouvier2018-fig3``: Fig 3 / Table 1 and Fig 6—figure supplement 1, predicted plasticity
against the slice data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from cerebellar.core import checks as ck
from cerebellar.core.params import Params, param
from cerebellar.core.plotting import figure, panel_letter
from cerebellar.core.registry import Experiment, register
from cerebellar.papers import table
from cerebellar.rules.sgdege import predicted_change
from cerebellar.studies.network_runs import PAPER


@dataclass(frozen=True)
class ProtocolParams(Params):
    """The SGDEGE rule (Eqs 9-10, 37-39) applied to one synapse active in the perturbed bin, for
    the slice protocols; its constants at Table 2's values."""

    rho: float = param(0.03, low=0, high=1, low_open=True,
                       doc="pCS probability per movement (the rule's perturbation draw)")
    alpha_w: float = param(0.02, low=0, high=1e3, low_open=True, doc="MF→PC learning rate")
    alpha_v: float = param(0.0002, low=0, high=1e3, doc="MF→NO learning rate")

    def memory_bytes(self) -> tuple[int, tuple[str, ...]]:
        """A weight change per protocol and contrast: a few kB, whatever the parameters."""
        return 4096, ()


PROTOCOLS = {"G__": (False, False), "GP_": (True, False), "G_E": (False, True), "GPE": (True, True),
             "6CF": (True, False)}


"""Protocol → (pCS during the granule burst, eCS ~100 ms after it) as the rule reads it (Fig 3;
Methods). The 6-CF control (Fig 6—figure supplement 1) delivers as many climbing-fibre stimuli as
GPE, all with the burst and none after it: a pCS without an eCS."""


CONTRASTS = ("GP_ vs G__", "GPE vs G_E", "GP_ vs G_E", "GPE vs G__", "G__ vs G_E")


SIGN = {1: "LTP", -1: "LTD", 0: "none"}


def table1() -> dict[str, Any]:
    """Table 1 (both halves) and the 6-CF control, from ``cerebellar/data/papers.toml``."""
    return {key.split(".")[-1]: c for key, c in table().items() if key.startswith("bouvier2018.table1.")}


def run_fig3(params: ProtocolParams, rng: np.random.Generator) -> xr.Dataset:
    """The weight change the SGDEGE rule's code makes for each protocol (and its difference for
    each contrast), beside the slice data."""
    data = table1()
    change = {k: predicted_change(*PROTOCOLS[k], params) for k in PROTOCOLS}
    names = [*PROTOCOLS, *CONTRASTS]
    predicted = [change[k] for k in PROTOCOLS] + [
        change[a] - change[b] for a, b in (c.split(" vs ") for c in CONTRASTS)]
    return xr.Dataset(
        dict(predicted_dw=("comparison", predicted,
                           dict(long_name="weight change by the SGDEGE rule's code "
                                          "(difference for contrasts)")),
             measured_mean=("comparison", [data[_key(k)].value for k in names],
                            dict(long_name="R_EPSC (difference for contrasts)")),
             ci_low=("comparison", [data[_key(k)].low for k in names]),
             ci_high=("comparison", [data[_key(k)].high for k in names]),
             p_value=("comparison", [data[_key(k)].p for k in names]),
             is_contrast=("comparison", [k in CONTRASTS for k in names])),
        coords=dict(comparison=names),
        attrs=dict(source="Bouvier et al. 2018, Table 1 and Fig 6—figure supplement 1"))


def _key(name: str) -> str:
    return name.replace(" vs ", "_vs_")


def checks_fig3(ds: xr.Dataset) -> list[ck.Check]:
    """The sign the SGDEGE rule's code predicts for each protocol and contrast (``predicted_dw``,
    computed by `predicted_change` at run time) against the sign of the slice data's 95 %
    c.i. (ratios against 1, differences against 0)."""
    rows = []
    data = table1()
    for name in ds.comparison.values:
        sub = ds.sel(comparison=name)
        contrast = bool(sub.is_contrast)
        null = 0.0 if contrast else 1.0
        lo, hi = float(sub.ci_low), float(sub.ci_high)
        predicted = SIGN[int(np.sign(float(sub.predicted_dw)))]
        measured = SIGN[1 if lo > null else -1 if hi < null else 0]
        if name == "6CF":  # a pCS without an eCS: the rule's LTP, read as 'not LTD'
            gpe_high = float(ds.ci_high.sel(comparison="GPE"))
            rows.append(data["6CF"].holds(
                predicted != "LTD" and hi >= 1.0 and lo > gpe_high,
                what=f"6 CF stimuli with the burst (pCS, no eCS): the rule predicts {predicted}, "
                     "read as no LTD: the ratio's c.i. reaches 1 and lies above GPE's",
                expected=f"{predicted} (not LTD; above GPE's c.i.)",
                got=f"{float(sub.measured_mean):.2f} [{lo:.2f}, {hi:.2f}], GPE c.i. high {gpe_high:.2f}"))
            continue
        rows.append(data[_key(name)].holds(
            predicted == measured, expected=predicted,
            got=f"{measured}: {float(sub.measured_mean):+.2f} [{lo:.2f}, {hi:.2f}]",
            what=f"{name}: the SGDEGE rule (Eq 9) predicts {predicted}; slice data (95 % c.i. "
                 f"vs {null:g})"))
    return rows


def plot_fig3(ds: xr.Dataset):
    fig, ax = figure(1, 2, title="Fig 3 / Table 1: the sign the SGDEGE rule predicts (red) vs the "
                                 "slice data (mean and 95 % c.i.)", width=6.5, height=4.0)
    legend = {"G__": "GC burst only", "GP_": "GC + pCS (2 CF with the burst)",
              "G_E": "GC + eCS (4 CF ~100 ms after)", "GPE": "GC + pCS + eCS",
              "6CF": "GC + 6 CF with the burst"}
    for a, contrast in zip(ax[0], (False, True), strict=True):
        sub = ds.where(ds.is_contrast == contrast, drop=True)
        x = np.arange(sub.sizes["comparison"])
        a.errorbar(x, sub.measured_mean, yerr=[sub.measured_mean - sub.ci_low,
                                               sub.ci_high - sub.measured_mean],
                   fmt="o", capsize=4, label="slice data, mean and 95 % c.i.")
        null = 0.0 if contrast else 1.0
        top = float(sub.ci_high.max()) + 0.15
        for xi, dw, name in zip(x, sub.predicted_dw.values, sub.comparison.values, strict=True):
            label = "no LTD" if name == "6CF" else SIGN[int(np.sign(dw))]
            a.annotate(label, (xi, top), ha="center", color="tab:red")
        a.axhline(null, color="k", lw=0.8)
        a.set_xticks(x, sub.comparison.values, rotation=20 if contrast else 0)
        a.set(ylabel=("difference of EPSC ratios [dimensionless]" if contrast else
                      "EPSC after / before [dimensionless]"),
              ylim=(float(sub.ci_low.min()) - 0.1, top + 0.15),
              title=("contrasts (Table 1, lower half)" if contrast else "protocols"))
    for a, letter in zip(ax[0], "AB", strict=True):
        panel_letter(a, letter)
    names = list(legend.items())
    fig.supxlabel("\n".join("; ".join(f"{k}: {v}" for k, v in names[i:i + 3])
                            for i in range(0, len(names), 3)), fontsize=8)
    return fig


register(Experiment(
    name="bouvier2018-fig3",
    reproduces=f"{PAPER}, Fig 3 / Table 1: predicted plasticity for G__, GP_, G_E, GPE vs slices",
    params=ProtocolParams, run=run_fig3, plot=plot_fig3, checks=checks_fig3))
