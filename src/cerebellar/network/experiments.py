"""Registered experiments of the network (Bouvier et al. 2018, Figs 2, 3, 7, 8; spec §2-§4)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources
from typing import Any, ClassVar

import numpy as np
import xarray as xr

from ..core import checks as ck
from ..core.parallel import map_runs
from ..core.params import Params, param
from ..core.plotting import figure, panel_letter
from ..core.registry import Experiment, register
from ..sgdege.olive import error_sign
from .mai import ERRORS, simulate_mai
from .model import NetworkParams, simulate

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


# -- network: free run ----------------------------------------------------------------------


def run_network(params: NetworkParams, rng: np.random.Generator) -> xr.Dataset:
    return simulate(params, rng)


def checks_network(ds: xr.Dataset) -> list[ck.Check]:
    a = ds.attrs
    n_mov = ds.error.size
    expected = a["rho"] * a["L"]
    rows = [
        ck.holds("eCS exactly when ℰ > ℐ (Eqs 7-8, olive)",
                 bool((ds.ecs == (ds.error > ds.inhibition)).all())),
        ck.close("mean pCS per movement = ρL (5 s.e.)", expected, float(ds.n_pcs.mean()),
                 atol=5 * np.sqrt(expected / n_mov) + 1e-12),
    ]
    if a["trials_per_pattern"] >= 2000 and a["alpha_w"] > 0:
        early = float(ds.error.isel(trial=slice(0, 100)).mean())
        rows.append(ck.at_most("error falls: final / initial", 1.0, final_error(ds) / early))
    return rows


def plot_network(ds: xr.Dataset):
    return _plot_learning(ds, "Network learning by SGDEGE")


def _plot_learning(ds: xr.Dataset, title: str):
    fig, ax = figure(2, 2, title=title)
    E, I = ds.error.isel(pattern=0), ds.inhibition.isel(pattern=0)
    n = max(ds.sizes["trial"] // 300, 1)
    t = ds.trial.values[n - 1:]
    for a, sl, name in ((ax[0, 0], slice(None), "A"), (ax[0, 1], slice(0, min(3000, t.size)), "B")):
        a.plot(t[sl], _smooth(E.values, n)[sl], label="error ℰ")
        a.plot(t[sl], _smooth(I.values, n)[sl], label="inhibition ℐ")
        a.set(xlabel="trial (pattern 0)", ylabel="rate [Hz]")
        a.legend()
        panel_letter(a, name)
    ax[0, 1].set_title("start (zoom)")
    for a, slot, name in ((ax[1, 0], 0, "C"), (ax[1, 1], -1, "D")):
        pn = ds.PN.isel(profile_trial=slot, pattern=0, neuron=0)
        a.plot(ds.bin, ds.target.isel(pattern=0, neuron=0), "k--", label="target")
        a.plot(ds.bin, pn, "o-", label=f"PN, trial {int(ds.profile_trial[slot])}")
        a.set(xlabel="time bin", ylabel="rate [Hz]")
        a.legend()
        panel_letter(a, name)
    return fig


register(Experiment(
    name="network", reproduces=f"{PAPER}, Methods Eqs 1-13: one run of the SGDEGE network",
    params=NetworkParams, run=run_network, plot=plot_network, checks=checks_network))


# -- Fig 8: two movements learnt in parallel --------------------------------------------------


@dataclass(frozen=True)
class Fig8Params(NetworkParams):
    """Table 2; the quick default runs a third of the paper's 60 000 trials per pattern."""

    trials_per_pattern: int = param(20_000, low=1, high=100_000_000, units="trial",
                                    doc="movements of each pattern (paper: 60 000)")


def run_fig8(params: NetworkParams, rng: np.random.Generator) -> xr.Dataset:
    return simulate(params, rng)


def checks_fig8(ds: xr.Dataset) -> list[ck.Check]:
    """Spec §7 rows 1, 2, 4 and §2.5, §2.7."""
    a = ds.attrs
    E = ds.error.mean("pattern").values
    I = ds.inhibition.mean("pattern").values
    E0 = float(E[:20].mean())
    lock = np.flatnonzero(_smooth(I - E, 20) >= 0)
    t_lock = int(lock[0]) if lock.size else len(E)
    full = a["trials_per_pattern"] >= 60_000
    rows = [
        ck.close("initial mean PC rate (spec §2.5: 50 Hz)", 50.0, float(ds.initial_pc_mean), atol=2.0),
        ck.close("initial mean PN rate (spec §2.5: ≈ 30 Hz)", 30.0, float(ds.initial_pn_mean), atol=2.0),
        ck.close("initial mean NO rate (spec §2.5: ≈ 15 Hz)", 15.0, float(ds.initial_no_mean), atol=2.0),
        ck.close("initial ℰ (spec §2.5: 17.3-17.8 Hz; ± 3 s.e. of one network's 800 cells, 0.35 Hz)",
                 17.55, E0, atol=0.25 + 3 * 0.35),
        ck.close("initial ℰ − ℐ (spec §2.5: 2-3 Hz; same ± 3 s.e.)", 2.5, E0 - float(I[:20].mean()),
                 atol=0.5 + 3 * 0.35),
        ck.at_least("ℰ when ℐ first reaches it / initial ℰ (Fig 8B: no fall before lock-on)", 0.9,
                    float(E[min(t_lock, len(E) - 1)]) / E0),
        ck.at_most("ℐ tracks ℰ after lock-on: mean |ℰ − ℐ| (Fig 8A)", 0.5,
                   float(np.abs(E - I)[t_lock + 200:].mean()) if t_lock + 200 < len(E) else np.inf),
    ]
    if full:
        rows += [
            ck.close("final ℰ, trials 55 000-60 000 (paper: 1.4 Hz; accepted 1.0-2.0)", 1.5,
                     final_error(ds), atol=0.5),
            ck.at_least("error reduction initial / final (paper: ~10-fold; ≥ 8)", 8.0,
                        E0 / final_error(ds)),
        ]
    else:
        n = a["trials_per_pattern"]
        rows.append(ck.at_least(f"quick scale ({n} trials per pattern, not the paper's 60 000): "
                                "error reduction initial / final ≥ 2", 2.0, E0 / final_error(ds)))
    return rows


register(Experiment(
    name="bouvier2018-fig8",
    reproduces=f"{PAPER}, Fig 8: two movements, 400 outputs learnt from one scalar error by SGDEGE",
    params=Fig8Params, run=run_fig8, checks=checks_fig8,
    plot=lambda ds: _plot_learning(ds, f"Fig 8: SGDEGE network, {ds.attrs['n_patterns']} movements, "
                                       f"{ds.attrs['trials_per_pattern']} trials each")))


# -- robustness: ±10 % on α_w, α_v, ρ, A ------------------------------------------------------


@dataclass(frozen=True)
class RobustnessParams(NetworkParams):
    trials_per_pattern: int = param(6000, low=1, high=100_000_000, units="trial",
                                    doc="movements of each pattern")
    change: float = param(0.1, low=0, high=0.9, low_open=True, doc="relative change (paper: 10 %)")
    n_seeds: int = param(2, low=1, high=1000, doc="paired seeds per variant")
    FULL: ClassVar[dict[str, Any]] = {"trials_per_pattern": 60_000, "n_seeds": 4}


VARIED = ("alpha_w", "alpha_v", "rho", "A")


def run_robustness(params: RobustnessParams, rng: np.random.Generator) -> xr.Dataset:
    """Base and ±change variants on the same seeds (paired: the same networks and patterns)."""
    variants = [("base", 1.0)] + [(k, 1 + s * params.change) for k in VARIED for s in (-1, 1)]
    seeds = rng.integers(0, 2**63, params.n_seeds)
    base = NetworkParams(**{k: v for k, v in params.to_dict().items()
                            if k in NetworkParams.names()})
    configs = [(name, factor, int(seed)) for name, factor in variants for seed in seeds]

    def one(config, _rng):
        name, factor, seed = config
        p = base if name == "base" else base.replace(**{name: getattr(base, name) * factor})
        return final_error(_annotate(simulate(p, np.random.default_rng(seed)), p))

    finals = map_runs(one, configs, rng, desc="robustness runs")
    arr = np.array(finals).reshape(len(variants), params.n_seeds)
    labels = [f"{n} x{f:.2f}" if n != "base" else "base" for n, f in variants]
    rel = arr[1:] / arr[0] - 1
    return xr.Dataset(
        dict(final_error=(("variant", "seed"), arr, dict(units="Hz")),
             rel_change=(("variant", "seed"), np.vstack([np.zeros(params.n_seeds), rel]),
                         dict(long_name="final error / base − 1 (paired seeds)"))),
        coords=dict(variant=labels, seed=np.arange(params.n_seeds)))


def _annotate(ds: xr.Dataset, p: NetworkParams) -> xr.Dataset:
    ds.attrs.update(p.to_dict())
    return ds


def checks_robustness(ds: xr.Dataset) -> list[ck.Check]:
    rows = []
    n = ds.sizes["seed"]
    for v in ds.variant.values[1:]:
        r = ds.rel_change.sel(variant=v).values
        mean, se = float(r.mean()), float(r.std(ddof=1) / np.sqrt(n)) if n > 1 else 0.0
        rows.append(ck.at_most(f"{v}: |mean change| − 2 s.e. over {n} paired seeds, "
                               f"{ds.attrs['trials_per_pattern']} trials (paper: ≤ 7 %; mean "
                               f"{mean:+.1%}, s.e. {se:.1%})", 0.07, abs(mean) - 2 * se))
    return rows


def plot_robustness(ds: xr.Dataset):
    fig, ax = figure(1, 1, title="Robustness: final error change for ±10 % parameter changes", width=7)
    a = ax[0, 0]
    r = ds.rel_change.isel(variant=slice(1, None)) * 100
    x = np.arange(r.sizes["variant"])
    a.errorbar(x, r.mean("seed"), yerr=r.std("seed") / np.sqrt(max(ds.sizes["seed"], 1)), fmt="o")
    a.axhspan(-7, 7, color="0.9", label="paper: ≤ 7 %")
    a.set_xticks(x, r.variant.values, rotation=30)
    a.set(ylabel="change of final error [%]")
    a.legend()
    return fig


register(Experiment(
    name="bouvier2018-robustness",
    reproduces=f"{PAPER}, Methods: ±10 % on α_w, α_v, ρ, A changes the final error by ≤ 7 %",
    params=RobustnessParams, run=run_robustness, plot=plot_robustness, checks=checks_robustness))


# -- Fig 2: Marr-Albus-Ito with signed and unsigned errors ------------------------------------


@dataclass(frozen=True)
class MAIParams(NetworkParams):
    beta_w: float = param(0.002, low=0, high=1e3, doc="drift of every weight without CF (Eq 15)")
    trials_per_pattern: int = param(1000, low=1, high=100_000_000, units="trial",
                                    doc="movements per pattern [NS]")
    FULL: ClassVar[dict[str, Any]] = {"trials_per_pattern": 5000}
    NOT_STATED: ClassVar[dict[str, str]] = {
        **NetworkParams.NOT_STATED,
        "trials_per_pattern": "Fig 2: number of trials and patterns not stated (spec §8.3)",
        "target_means": "targets ~ U[0, 2m] for m = 10, 20, 30, 40, 50 Hz",
    }


TARGET_MEANS = (10.0, 20.0, 30.0, 40.0, 50.0)


def run_fig2(params: MAIParams, rng: np.random.Generator) -> xr.Dataset:
    base = NetworkParams(**{k: v for k, v in params.to_dict().items() if k in NetworkParams.names()})
    configs = [(e, m) for e in ERRORS for m in TARGET_MEANS]
    runs = map_runs(lambda c, r: simulate_mai(base, r, error=c[0], beta_w=params.beta_w,
                                              target_mean=c[1]), configs, rng, desc="MAI runs")
    ds = xr.concat(runs, dim="run").assign_coords(
        error_type=("run", [c[0] for c in configs]), target_mean=("run", [c[1] for c in configs]))
    ds = ds.set_index(run=["error_type", "target_mean"]).unstack("run")
    return ds.assign(mf_ceiling=float(runs[0].attrs["mf_ceiling"]))


def checks_fig2(ds: xr.Dataset) -> list[ck.Check]:
    sig = ds.sel(error_type="signed")
    uns = ds.sel(error_type="unsigned")
    end = slice(-max(ds.sizes["trial"] // 10, 1), None)
    group_gap = float(abs(sig.signed_error.isel(trial=end).mean(("pattern", "trial"))).max())
    rows = [
        ck.at_most("signed error: |group-mean PN − group-mean target| at the end, every m (Fig 2C)",
                   1.0, group_gap),
        ck.at_least("signed error: mean |PN − R| stays large (single cells not optimised), min over m",
                    5.0, float(sig.abs_error.isel(trial=end).mean(("pattern", "trial")).min())),
        ck.at_least("unsigned error: fraction of movements with a CF (LTD), min over m", 0.99,
                    float(uns.cf.mean(("pattern", "trial")).min())),
        ck.at_most("unsigned error: final mean PC rate (falls to 0)", 1.0,
                   float(uns.pc_mean.isel(trial=end).mean(("pattern", "trial")).max())),
        ck.close("unsigned error: final mean PN = mossy-fibre ceiling (≈ 60 Hz, not r_max)",
                 float(ds.mf_ceiling), float(uns.pn_mean.isel(trial=end).mean()), atol=1.0),
    ]
    first = uns.abs_error.isel(trial=slice(0, 10)).mean(("pattern", "trial"))
    last = uns.abs_error.isel(trial=end).mean(("pattern", "trial"))
    grows = (last > first).sel(target_mean=[m for m in TARGET_MEANS if m <= 40])
    rows.append(ck.holds("unsigned error: the error grows for target means 10-40 Hz (Fig 2B)",
                         bool(grows.all()), got=f"{int(grows.sum())}/{grows.size}"))
    return rows


def plot_fig2(ds: xr.Dataset):
    fig, ax = figure(1, 2, title="Fig 2: Marr-Albus-Ito learning with a global error")
    for m in ds.target_mean.values:
        for a, e in zip(ax[0], ERRORS, strict=True):
            sub = ds.sel(error_type=e, target_mean=m).mean("pattern")
            line, = a.plot(sub.trial, sub.pn_mean, label=f"⟨PN⟩, m = {m:g}")
            a.axhline(m, color=line.get_color(), ls=":", lw=0.8)
    for a, e in zip(ax[0], ERRORS, strict=True):
        a.set(xlabel="trial", ylabel="group-mean PN rate [Hz]", title=f"{e} error (dotted: target mean)")
        a.legend(fontsize=7)
    panel_letter(ax[0, 0], "C")
    return fig


register(Experiment(
    name="bouvier2018-fig2",
    reproduces=f"{PAPER}, Fig 2B,C: Marr-Albus-Ito rule with signed and unsigned global errors",
    params=MAIParams, run=run_fig2, plot=plot_fig2, checks=checks_fig2))


# -- Fig 7: adaptive tracking of the mean error by the olive -----------------------------------


@dataclass(frozen=True)
class OliveParams(Params):
    """An error fluctuating around a (slowly falling) mean; the inhibition steps up after each
    eCS and down otherwise (Eq 10 seen from the olive)."""

    error_mean: float = param(17.5, low=0, high=1e4, units="Hz", doc="initial central error")
    error_sd: float = param(2.0, low=0, high=1e4, units="Hz", doc="movement-to-movement spread")
    decline: float = param(0.5, low=0, high=1, doc="fraction by which the central error falls")
    step: float = param(0.05, low=0, high=1e3, low_open=True, units="Hz", doc="ℐ step per movement")
    inhibition0: float = param(12.0, low=0, high=1e4, units="Hz", doc="initial ℐ")
    n_movements: int = param(4000, low=10, high=100_000_000, doc="movements")
    FULL: ClassVar[dict[str, Any]] = {"n_movements": 20_000}
    NOT_STATED: ClassVar[dict[str, str]] = {"all": "Fig 7 is schematic: every value here is a choice"}


def run_fig7(params: OliveParams, rng: np.random.Generator) -> xr.Dataset:
    n = params.n_movements
    centre = params.error_mean * (1 - params.decline * np.arange(n) / n)
    error = centre + params.error_sd * rng.standard_normal(n)
    inhibition = np.empty(n)
    I = params.inhibition0
    for k in range(n):
        inhibition[k] = I
        I = max(I + params.step * error_sign(error[k], I), 0.0)
    ecs = error > inhibition
    return xr.Dataset(
        dict(error=("movement", error, dict(units="Hz")),
             inhibition=("movement", inhibition, dict(units="Hz")),
             centre=("movement", centre, dict(units="Hz", long_name="central error")),
             ecs=("movement", ecs)),
        coords=dict(movement=np.arange(n)))


def checks_fig7(ds: xr.Dataset) -> list[ck.Check]:
    late = ds.isel(movement=slice(ds.sizes["movement"] // 4, None))
    above = late.error > late.centre
    return [
        ck.at_most("after lock-on, mean |ℐ − central error| (Fig 7: ℐ converges onto it)",
                   3 * ds.attrs["step"] + 0.02 * ds.attrs["error_mean"],
                   float(abs(late.inhibition - late.centre).mean())),
        ck.close("after lock-on, fraction of movements with an eCS (median tracking: 1/2)", 0.5,
                 float(late.ecs.mean()), atol=0.05),
        ck.at_least("eCS signal above-average errors: P(error > centre | eCS)", 0.75,
                    float(above.where(late.ecs).mean())),
        ck.at_least("no eCS signal below-average errors: P(error < centre | no eCS)", 0.75,
                    float((~above).where(~late.ecs).mean())),
    ]


def plot_fig7(ds: xr.Dataset):
    fig, ax = figure(1, 1, title="Fig 7: the olive tracks the mean error", width=8)
    a = ax[0, 0]
    a.plot(ds.movement, ds.error, ".", ms=2, color="0.6", label="error ℰ per movement")
    a.plot(ds.movement, ds.centre, "k-", label="central error")
    a.plot(ds.movement, ds.inhibition, "r-", label="inhibition ℐ")
    k = ds.movement[ds.ecs]
    a.plot(k, ds.error[ds.ecs], "|", color="tab:blue", ms=4, label="eCS")
    a.set(xlabel="movement", ylabel="rate [Hz]")
    a.legend(fontsize=8)
    return fig


register(Experiment(
    name="bouvier2018-fig7",
    reproduces=f"{PAPER}, Fig 7: adaptive tracking of the mean error by the inferior olive",
    params=OliveParams, run=run_fig7, plot=plot_fig7, checks=checks_fig7))


# -- Fig 3 / Table 1: the plasticity rules as predictions -------------------------------------


@dataclass(frozen=True)
class ProtocolParams(Params):
    """Eq 9 applied to one synapse active in the perturbed bin, for the four slice protocols."""

    alpha_w: float = param(0.02, low=0, high=1e3, low_open=True, doc="MF→PC learning rate")


def table1() -> list[dict[str, Any]]:
    """Table 1 of the paper (upper half), shipped as ``cerebellar/data/bouvier2018_table1.csv``."""
    text = resources.files("cerebellar.data").joinpath("bouvier2018_table1.csv").read_text()
    rows = [r for r in csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))]
    for r in rows:
        for key in ("pcs", "ecs", "n"):
            r[key] = int(r[key])
        for key in ("mean", "ci_low", "ci_high", "p"):
            r[key] = float(r[key])
    return rows


def predicted_change(pcs: bool, ecs: bool, alpha_w: float) -> float:
    """Δw of Eq 9 for a synapse active in the bin of the pCS: −α_w c η, c = +1 with an eCS."""
    c = 1.0 if ecs else -1.0
    return -alpha_w * c * float(pcs)


def run_fig3(params: ProtocolParams, rng: np.random.Generator) -> xr.Dataset:
    rows = table1()
    change = [predicted_change(bool(r["pcs"]), bool(r["ecs"]), params.alpha_w) for r in rows]
    return xr.Dataset(
        dict(predicted_dw=("protocol", change, dict(long_name="Eq 9 weight change")),
             measured_mean=("protocol", [r["mean"] for r in rows], dict(long_name="R_EPSC")),
             ci_low=("protocol", [r["ci_low"] for r in rows]),
             ci_high=("protocol", [r["ci_high"] for r in rows]),
             n_cells=("protocol", [r["n"] for r in rows])),
        coords=dict(protocol=[r["protocol"] for r in rows]),
        attrs=dict(source="Bouvier et al. 2018, Table 1 (shared/spec §4.5)"))


def checks_fig3(ds: xr.Dataset) -> list[ck.Check]:
    rows = []
    names = {1: "LTP", -1: "LTD", 0: "none"}
    for prot in ds.protocol.values:
        sub = ds.sel(protocol=prot)
        sign = int(np.sign(float(sub.predicted_dw)))
        lo, hi = float(sub.ci_low), float(sub.ci_high)
        measured = 1 if lo > 1 else -1 if hi < 1 else 0
        rows.append(ck.equal(f"{prot}: rule predicts {names[sign]}; Table 1 95 % c.i. "
                             f"[{lo:.2f}, {hi:.2f}]", names[sign], names[measured]))
    return rows


def plot_fig3(ds: xr.Dataset):
    fig, ax = figure(1, 1, title="Fig 3 / Table 1: predicted sign of plasticity vs slices", width=7)
    a = ax[0, 0]
    x = np.arange(ds.sizes["protocol"])
    a.errorbar(x, ds.measured_mean, yerr=[ds.measured_mean - ds.ci_low, ds.ci_high - ds.measured_mean],
               fmt="o", capsize=4, label="measured R_EPSC (95 % c.i.)")
    for xi, dw in zip(x, ds.predicted_dw.values, strict=True):
        a.annotate({1: "LTP", -1: "LTD", 0: "none"}[int(np.sign(dw))], (xi, 1.8), ha="center")
    a.axhline(1, color="k", lw=0.8)
    a.set_xticks(x, ds.protocol.values)
    a.set(ylabel="after / before", ylim=(0.3, 1.95))
    a.legend(loc="lower left")
    return fig


register(Experiment(
    name="bouvier2018-fig3",
    reproduces=f"{PAPER}, Fig 3 / Table 1: predicted plasticity for G__, GP_, G_E, GPE vs slices",
    params=ProtocolParams, run=run_fig3, plot=plot_fig3, checks=checks_fig3))
