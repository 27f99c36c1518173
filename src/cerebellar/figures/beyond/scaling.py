"""``sgdege-scaling``: how the learning time of the SGDEGE network grows with the number of
outputs sharing its one error (beyond the papers; Werfel, Xie & Seung 2005).

The network of Bouvier 2018 (`cerebellar.models.network`) learns one movement. Each
(column, bin) of the L×T Purkinje outputs is perturbed only when its climbing fibre fires in that
bin, with probability ρ/T per trial, and the error is their mean. Learning time: trials for the
smoothed error to fall halfway from its start to its floor (the mean of the last 10 % of trials).
Sizes change with the steps of Table 2 kept in proportion: α_w N/(4T) = 1 Hz per pCS on a
Purkinje cell, α_v NS = 4 (so that the olive's step in ℐ, α_v NS/(2LT), keeps its ratio to the
change of ℰ by one pCS, both ∝ 1/(LT)), u_M→PN from Eq 11.

Predictions derived from Werfel et al. (node perturbation is slower than gradient descent by the
number of outputs sharing the error; with small enough steps every method follows the mean
update), tested as exponents of log-log fits over seeds:

* SGDEGE at fixed ρL (the same number of pCSs per trial): each column is perturbed at ρ ∝ 1/L
  and the credit assignment of one pCS does not change: learning time ∝ L (exponent 1);
* SGDEGE at fixed ρ: each column's perturbation rate is fixed and the eCS is one bit, not scaled
  by the 1/L share of a column in the mean error: flat in L (exponent 0) while the simultaneous
  pCSs (ρL ≤ 1.2 here) add little noise;
* node perturbation (every column ±A every trial, Δw ∝ −(ℰ − ℰ̄)s): its mean update is the
  gradient, whose share per column is 1/L: learning time ∝ L (exponent 1);
* a synapse learns only when the perturbation falls in its bin, probability 1/T: SGDEGE's
  learning time ∝ T (exponent 1); node perturbation's graded update also carries the output's
  1/(LT) share of ℰ (as it carries the 1/L share in the L scan): ∝ T² (exponent 2);
* both rules: flat in N (exponent 0) at fixed rate steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import xarray as xr

from cerebellar.core import checks as ck
from cerebellar.core.guards import at_once
from cerebellar.core.parallel import map_runs
from cerebellar.core.params import Params, param
from cerebellar.core.plotting import figure, panel_letter
from cerebellar.core.registry import Experiment, register
from cerebellar.models.network.params import NetworkParams
from cerebellar.models.network.simulate import simulate

L_VALUES = (5, 10, 20, 40)
T_VALUES = (5, 10, 20)
N_VALUES = (500, 1000, 2000, 4000)
SCAN_RULES = ("sgdege", "node_perturbation")
UNITS = dict(L="columns", T="bins", N="mossy fibres per row")
SCANS = {  # name: (axis, rules, fixed ρ or ρL, predicted exponent per rule)
    "L": ("L", SCAN_RULES, "rho_L", {"sgdege": 1.0, "node_perturbation": 1.0}),
    "L_fixed_rho": ("L", ("sgdege",), "rho", {"sgdege": 0.0}),
    "T": ("T", SCAN_RULES, "rho_L", {"sgdege": 1.0, "node_perturbation": 2.0}),
    "N": ("N", SCAN_RULES, "rho_L", {"sgdege": 0.0, "node_perturbation": 0.0}),
}
WHY = {
    ("L", "sgdege"): "fixed ρL: each column perturbed at ρ ∝ 1/L, one pCS's credit unchanged",
    ("L", "node_perturbation"): "Werfel et al. 2005: slower by the number of outputs sharing the "
                                "error (the gradient's share per column is 1/L)",
    ("L_fixed_rho", "sgdege"): "Werfel et al. 2005: with small steps every method follows the mean "
                               "update; one eCS bit is not scaled by a column's 1/L share",
    ("T", "sgdege"): "a synapse learns only when the pCS falls in its bin (probability 1/T)",
    ("T", "node_perturbation"): "the perturbation falls in a synapse's bin w.p. 1/T, and the "
                                "graded update carries its output's 1/(LT) share of ℰ: T²",
    ("N", "sgdege"): "rate steps per update held fixed: more fibres, same outputs",
    ("N", "node_perturbation"): "rate steps per update held fixed: more fibres, same outputs",
}


@dataclass(frozen=True)
class ScalingParams(Params):
    """The grid of sizes, the perturbation rates and the run lengths."""

    S: int = param(10, low=1, high=100, doc="Purkinje cells per column")
    L0: int = param(10, low=1, high=1000, doc="columns in the T and N scans")
    T0: int = param(10, low=1, high=100, doc="bins in the L and N scans")
    N0: int = param(2000, low=10, high=100_000, doc="mossy fibres per row in the L and T scans")
    rho_L: float = param(1.2, low=0, high=1000, low_open=True,
                         doc="pCSs per trial ρL held fixed (Table 2: 0.03 × 40)")
    rho: float = param(0.03, low=0, high=1, low_open=True,
                       doc="pCS probability of the fixed-ρ L scan (Table 2)")
    eta_np: float = param(0.3, low=0, high=1e4, low_open=True,
                          doc="node perturbation's rate at T = 10, N = 2000 (scaled as α_w)")
    n_seeds: int = param(2, low=1, high=100, doc="seeds per point")
    length: float = param(5.0, low=2, high=100,
                          doc="run length in guessed learning times (the floor must be reached)")

    FULL: ClassVar[dict[str, Any]] = {"n_seeds": 6, "length": 8.0}
    SCALE: ClassVar[tuple[str, ...]] = ("n_seeds", "length")
    NOT_STATED: ClassVar[dict[str, str]] = {
        "n_patterns": "one movement, so that only perturbation credit assignment is measured",
        "steps": "α_w and η_NP scaled as T/N (α_w N/(4T) = 1 Hz per pCS), α_v as 1/(NS): the "
                 "olive's step in ℐ keeps its ratio to one pCS's change of ℰ, so it can track ℰ",
        "length": "run lengths come from a rough guess of the learning time (40 T/ρ trials for "
                  "SGDEGE, 25 L T for node perturbation); the time itself is measured",
        "learning_time": "trials for the error, smoothed over 1 % of the run, to fall halfway "
                         "from its start to its floor (mean of the last 10 %)",
    }

    def memory_bytes(self) -> tuple[int, tuple[str, ...]]:
        """The network runs training at once, each by `NetworkParams.memory_bytes`."""
        return at_once(c[4].memory_bytes()[0] for c in _configs(self)), ("length", "N0", "L0")


def network(p: ScalingParams, rule: str, L: int, T: int, N: int, rho: float) -> NetworkParams:
    """Table 2's network at this size, with its rate steps kept and a run long enough."""
    guess = 40 * T / rho if rule == "sgdege" else 250 * L * T / 10
    return NetworkParams.build(
        S=p.S, L=L, T=T, N=N, n_patterns=1, rule=rule, rho=min(rho, 1.0),
        u_m_pn=4 * T * L * 30.0 / (N * p.S),                              # Eq 11
        alpha_w=0.02 * (2000 / N) * (T / 10),
        alpha_v=0.0002 * (2000 * 10 / (N * p.S)),
        **{"node_perturbation.eta": p.eta_np * (2000 / N) * (T / 10)},
        trials_per_pattern=int(max(2000, p.length * guess)))


def learning_time(E: np.ndarray) -> tuple[float, float, float, float]:
    """(learning time, start, floor, late drop): trials for the smoothed error to reach halfway
    from its start to its floor, and how much it still fell from 80-90 % to 90-100 % of the run
    (as a fraction of start − floor: small when the floor is reached)."""
    n = max(5, E.size // 100)
    smooth = np.convolve(E, np.ones(n) / n, mode="valid")
    tenth = max(1, E.size // 10)
    start, floor = float(smooth[0]), float(E[-tenth:].mean())
    late = float(E[-2 * tenth:-tenth].mean() - floor) / max(start - floor, 1e-12)
    hits = np.flatnonzero(smooth <= (start + floor) / 2)
    return (float(hits[0] + n // 2) if hits.size else float("nan")), start, floor, late


def _configs(p: ScalingParams) -> list[tuple]:
    out = []
    for scan, (axis, rules, fixed, _) in SCANS.items():
        for rule in rules:
            for x in dict(L=L_VALUES, T=T_VALUES, N=N_VALUES)[axis]:
                L, T, N = (x if axis == "L" else p.L0, x if axis == "T" else p.T0,
                           x if axis == "N" else p.N0)
                rho = p.rho if fixed == "rho" else p.rho_L / L
                for seed in range(p.n_seeds):
                    out.append((scan, rule, x, seed, network(p, rule, L, T, N, rho)))
    return out


def run_scaling(params: ScalingParams, rng: np.random.Generator) -> xr.Dataset:
    configs = _configs(params)

    def one(c, r):
        ds = simulate(c[4], r)
        return (*learning_time(ds.error.values[0]), ds.attrs.get("status", "ok"))

    results = map_runs(one, configs, rng, cost=lambda c: c[4].trials_per_pattern * c[4].L,
                       desc="scaling runs")
    out = xr.Dataset()
    for scan, (axis, rules, _, _) in SCANS.items():
        xs = dict(L=L_VALUES, T=T_VALUES, N=N_VALUES)[axis]
        shape = (len(rules), len(xs), params.n_seeds)
        arrays = {k: np.full(shape, np.nan) for k in ("time", "start", "floor", "late", "trials")}
        diverged = []
        for (s, rule, x, seed, net), res in zip(configs, results, strict=True):
            if s != scan:
                continue
            i, j = rules.index(rule), xs.index(x)
            for key, value in zip(("time", "start", "floor", "late"), res[:4], strict=True):
                arrays[key][i, j, seed] = value
            arrays["trials"][i, j, seed] = net.trials_per_pattern
            if res[4] != "ok":
                diverged.append(f"{rule} {axis} = {x} seed {seed}")
        dims = (f"rule_{scan}", f"{axis}_{scan}", "seed")
        coords = {dims[0]: list(rules), dims[1]: list(xs)}
        name = "learning_time" if scan == "L" else f"learning_time_{scan}"
        out[name] = xr.DataArray(arrays["time"], dims=dims, coords=coords, attrs=dict(
            long_name=f"learning time ({scan} scan)", units="trial"))
        for key, unit in (("start", "Hz"), ("floor", "Hz"), ("late", "1"), ("trials", "trial")):
            out[f"{key}_{scan}"] = xr.DataArray(arrays[key], dims=dims, coords=coords,
                                                attrs=dict(units=unit))
        slope, err = fit_exponents(out[name], dims[1])
        out[f"exponent_{scan}"] = xr.DataArray(slope, dims=dims[0], coords={dims[0]: list(rules)},
                                               attrs=dict(long_name=f"fitted exponent in {axis}"))
        out[f"exponent_{scan}_se"] = xr.DataArray(err, dims=dims[0], coords={dims[0]: list(rules)},
                                                  attrs=dict(long_name="its standard error"))
        out.attrs[f"diverged_{scan}"] = "; ".join(diverged)
    return out.rename({"rule_L": "rule", "L_L": "L"}).assign_coords(seed=np.arange(params.n_seeds))


def fit_exponents(times: xr.DataArray, axis: str) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares slope of log(time) on log(size) over every seed, and its standard error."""
    slopes, errors = [], []
    x_all = np.log(times[axis].values.astype(float))
    for rule in times[times.dims[0]].values:
        y = np.log(times.sel({times.dims[0]: rule}).values)          # (size, seed)
        x = np.broadcast_to(x_all[:, None], y.shape)
        ok = np.isfinite(y)
        x, y = x[ok], y[ok]
        if np.unique(x).size < 2:
            slopes.append(np.nan)
            errors.append(np.nan)
            continue
        A = np.stack([x, np.ones_like(x)], axis=1)
        coef, *_ = np.linalg.lstsq(A, y, rcond=None)
        resid = y - A @ coef
        dof = max(y.size - 2, 1)
        cov = np.linalg.inv(A.T @ A) * (resid @ resid / dof)
        slopes.append(float(coef[0]))
        errors.append(float(np.sqrt(cov[0, 0])))
    return np.array(slopes), np.array(errors)


def checks_scaling(ds: xr.Dataset) -> list[ck.Check]:
    rows = []
    for scan, (axis, rules, fixed, predicted) in SCANS.items():
        rule_dim = "rule" if scan == "L" else f"rule_{scan}"
        setting = "fixed ρL" if fixed == "rho_L" else "fixed ρ"
        for rule in rules:
            k = float(ds[f"exponent_{scan}"].sel({rule_dim: rule}))
            se = float(ds[f"exponent_{scan}_se"].sel({rule_dim: rule}))
            tol = max(0.25, 2 * se)
            note = f"tolerance max(0.25, 2 s.e.) = {tol:.2f}, the allowance for finite steps"
            if abs(k - predicted[rule]) > 3 * se:
                note += (f"; the exponent differs from {predicted[rule]:g} by "
                         f"{abs(k - predicted[rule]) / se:.0f} s.e.: a real, small departure")
            rows.append(ck.close(
                f"{rule}: exponent of learning time in {axis} ({setting}), ± its s.e. {se:.2f}",
                predicted[rule], k, atol=tol, source="theory", cite=WHY[(scan, rule)], note=note))
        late = ds[f"late_{scan}"]
        rows.append(ck.at_most(
            f"{scan} scan: every run reached its floor (error drop over the last 20 % of a run, "
            "as a fraction of its whole drop)", 0.05, float(late.max()), source="invariant",
            cite="the learning time is measured against the floor"))
        diverged = ds.attrs.get(f"diverged_{scan}", "")
        rows.append(ck.holds(f"{scan} scan: no run diverged", not diverged, got=diverged or "none",
                             source="invariant", cite="SGDEGE and node perturbation lower the error"))
    return rows


def plot_scaling(ds: xr.Dataset):
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    fig, ax = figure(1, 3, title="Learning time of the Bouvier network against its size")
    panels = (("L", ("L", "L_fixed_rho"), 0), ("T", ("T",), 1), ("N", ("N",), 2))
    for axis, scans, col in panels:
        a = ax[0, col]
        for scan in scans:
            name = "learning_time" if scan == "L" else f"learning_time_{scan}"
            da = ds[name]
            rule_dim, size_dim = da.dims[0], da.dims[1]
            for rule in da[rule_dim].values:
                t = da.sel({rule_dim: rule})
                mean, n = t.mean("seed"), t.count("seed")
                se = t.std("seed", ddof=1) / np.sqrt(n) if int(n.min()) > 1 else 0 * mean
                k = float(ds[f"exponent_{scan}"].sel({rule_dim: rule}))
                kse = float(ds[f"exponent_{scan}_se"].sel({rule_dim: rule}))
                setting = ("" if rule != "sgdege" or axis != "L" else
                           ", fixed ρ" if scan == "L_fixed_rho" else ", fixed ρL")
                label = f"{rule}{setting}: exponent {k:.2f} ± {kse:.2f}"
                a.errorbar(da[size_dim], mean, yerr=se, marker="o", ms=4, capsize=3, label=label)
        a.set(xscale="log", yscale="log", xlabel=f"{axis} [{UNITS[axis]}]",
              ylabel="learning time [trials]", title=f"{axis} scan: mean ± s.e. over seeds")
        a.set_xticks(dict(L=L_VALUES, T=T_VALUES, N=N_VALUES)[axis])
        a.xaxis.set_major_formatter(ScalarFormatter())
        a.xaxis.set_minor_formatter(NullFormatter())
        a.legend(fontsize=7)
        panel_letter(a, "ABC"[col])
    return fig


register(Experiment(
    name="sgdege-scaling",
    reproduces="Beyond the papers: learning time of the SGDEGE network against L, T and N, beside "
               "node perturbation (Werfel, Xie & Seung 2005)",
    params=ScalingParams, run=run_scaling, plot=plot_scaling, checks=checks_scaling))
