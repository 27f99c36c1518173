"""``bouvier2018-fig2``: the network with Marr-Albus-Ito, signed and unsigned global errors (Fig 2B, C)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import xarray as xr

from cerebellar.core import checks as ck
from cerebellar.core.guards import at_once
from cerebellar.core.parallel import map_runs
from cerebellar.core.params import param
from cerebellar.core.plotting import figure, panel_letter
from cerebellar.core.registry import Experiment, register
from cerebellar.models.network.params import NetworkParams
from cerebellar.models.network.simulate import simulate
from cerebellar.papers import claim
from cerebellar.studies.network_runs import PAPER


@dataclass(frozen=True)
class MAIParams(NetworkParams):
    rule: str = param("mai", choices=("mai",),
                      doc="Fig 2 runs the network with Marr-Albus-Ito, its climbing fibres driven by "
                          "the signed error (rule 'mai') and by the unsigned error ('mai_unsigned')")
    trials_per_pattern: int = param(1000, low=1, high=100_000_000, units="trial",
                                    doc="movements per pattern [NS]")
    FULL: ClassVar[dict[str, Any]] = {"trials_per_pattern": 5000}
    SCALE: ClassVar[tuple[str, ...]] = ("trials_per_pattern", "n_profiles")
    FIXED: ClassVar[dict[str, str]] = {
        "rule": "Fig 2 runs both 'mai' and 'mai_unsigned'",
        "r_d": "Fig 2 runs every target mean r_d = m, m = 10, 20, 30, 40, 50 Hz"}
    NOT_STATED: ClassVar[dict[str, str]] = {
        **NetworkParams.NOT_STATED,
        "trials_per_pattern": "Fig 2: the numbers of trials and patterns are not stated",
        "target_means": "targets ~ U[0, 2m] for m = 10, 20, 30, 40, 50 Hz (r_d = m)",
    }

    def memory_bytes(self) -> tuple[int, tuple[str, ...]]:
        """Its ten runs on the threads (`NetworkParams.memory_bytes` each), and every run's
        records kept and joined into one dataset (twice over)."""
        one, drivers = super().memory_bytes()
        runs = len(MAI_RULES) * len(TARGET_MEANS)
        return at_once([one] * runs) + 2 * runs * self.records_bytes(), drivers


TARGET_MEANS = (10.0, 20.0, 30.0, 40.0, 50.0)


MAI_RULES = {"signed": "mai", "unsigned": "mai_unsigned"}
"""Fig 2B,C: the climbing fibres driven by the signed error (Eq 14) or the unsigned one (Eq 7)."""


def run_fig2(params: MAIParams, rng: np.random.Generator) -> xr.Dataset:
    """The network with each MAI rule and each target mean m (targets ~ U[0, 2m])."""
    base = NetworkParams(**{k: v for k, v in params.to_dict().items() if k in NetworkParams.names()})
    configs = [(e, m) for e in MAI_RULES for m in TARGET_MEANS]
    runs = map_runs(lambda c, r: simulate(base.replace(rule=MAI_RULES[c[0]], r_d=c[1]), r),
                    configs, rng, desc="MAI runs")
    ds = xr.concat(runs, dim="run").assign_coords(
        error_type=("run", [c[0] for c in configs]), target_mean=("run", [c[1] for c in configs]))
    ds = ds.set_index(run=["error_type", "target_mean"]).unstack("run")
    ds.attrs.pop("rule", None)
    return ds.assign(mf_ceiling=float(runs[0].attrs["mf_ceiling"]))


def mf_ceiling(attrs: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """The PN rate with the Purkinje cells silent (Eq 3 with PC = 0): C = Φ(u_M→PN K), K the
    active fibres of a movement (S·N/2, each with a random partner PN and bin, Methods) that fall
    on one (PN, bin): K ~ Binomial(S·N/2, 1/(L·T)). Returns the values of C and their
    probabilities; their mean is u_M→PN S·N/(2 L T) (60 Hz at Table 2), far below r_max."""
    from scipy import stats  # here: slow to import
    n_active, cells = attrs["S"] * attrs["N"] // 2, attrs["L"] * attrs["T"]
    k = np.arange(n_active + 1)
    pk = stats.binom.pmf(k, n_active, 1.0 / cells)
    keep = pk > 1e-16
    return np.clip(attrs["u_m_pn"] * k[keep], 0.0, attrs["r_max"]), pk[keep] / pk[keep].sum()


def abs_error_moments(c: np.ndarray, pc: np.ndarray, m: float) -> tuple[float, float]:
    """Mean and s.d. of |C − R| for C distributed as (c, pc) and R ~ U[0, 2m] independent of C
    (E|c − R| = (c² + (2m − c)²)/(4m) for 0 ≤ c ≤ 2m, |c − m| beyond; E(c − R)² = (c − m)² + m²/3)."""
    h = 2.0 * m
    first = np.where(c <= h, (c ** 2 + (h - c) ** 2) / (2.0 * h), np.abs(c - m))
    mean = float(pc @ first)
    return mean, float(np.sqrt(max(pc @ ((c - m) ** 2 + h ** 2 / 12.0) - mean ** 2, 0.0)))


def ltd_drive_step(attrs: dict[str, Any], overlap: float) -> float:
    """Fall per trial (one movement of each pattern) of a PC's drive in a bin when the climbing
    fibre fires on every movement (Eq 15): α_w times the connected fibres active in that bin,
    N/(4T) (half of a row's N fibres connected, half active, one bin in T), once for the
    movement itself and ``overlap`` times for each of the other p − 1 movements."""
    p = attrs["n_patterns"]
    return attrs["alpha_w"] * attrs["N"] / (4.0 * attrs["T"]) * (1.0 + (p - 1) * overlap)


def cf_fraction(attrs: dict[str, Any], overlap: float) -> float:
    """Fraction of movements with a climbing fibre at the signed rule's equilibrium: a PC drive
    of pattern μ falls by α_w N/(4T) (f_μ + overlap Σ_ν≠μ f_ν) per trial by LTD and rises by
    β_w N/(4T) Σ_ν (1 − f_ν) by the drift of every weight (Eq 15); stationary and symmetric:
    f = p β_w / (p β_w + α_w (1 + (p − 1) overlap))."""
    p, a, b = attrs["n_patterns"], attrs["alpha_w"], attrs["mai.beta"]
    return p * b / (p * b + a * (1.0 + (p - 1) * overlap))


def checks_fig2(ds: xr.Dataset) -> list[ck.Check]:
    """Fig 2B,C read at every target mean m (targets ~ U[0, 2m]): the signed error relaxes the
    group average onto the target average, and nothing finer; with the unsigned error the CF
    fires on every movement, the PCs fall silent, PN sits at the mossy-fibre drive alone, and the
    error is not minimised (and, at the paper's default targets, increases)."""
    a = ds.attrs
    sig = ds.sel(error_type="signed")
    uns = ds.sel(error_type="unsigned")
    n_trials = ds.sizes["trial"]
    end = slice(-max(n_trials // 10, 1), None)
    means = [float(m) for m in ds.target_mean.values]
    overlap = float(a["overlap"])
    off = ck.off_setting(a, MAIParams.paper_setting())
    rows = [claim("bouvier2018.table2.beta_w").check(
        a["mai.beta"], what="the runs' Marr-Albus-Ito drift β_w (mai.beta) is Table 2's", rtol=1e-12,
        off=off)]
    n_values = a["n_patterns"] * a["L"] * a["T"]             # (pattern, PN, bin) values in ℰ
    n_cells = a["n_patterns"] * a["L"]
    z = 3.0                                                    # one-sided 3 s.e. margins

    def blind_floor(m: float) -> float:
        """E|X − R| ≥ E|R − m| = m/2 for any output X blind to R ~ U[0, 2m] (the median
        minimises the mean absolute deviation), less 3 s.e. of a mean of n |R − m| ~ U[0, m]."""
        return m / 2 - z * m / np.sqrt(12 * n_values)

    def final(x: xr.DataArray, m: float) -> float:
        return float(x.sel(target_mean=m).isel(trial=end).mean())

    # -- signed error (Fig 2B blue, 2C green) --
    jump = a["alpha_w"] * a["N"] / (4 * a["T"]) * a["S"] * abs(a["u_pc_pn"])  # one CF's LTD
    group_gap = float(abs(sig.signed_error.isel(trial=end).mean(("pattern", "trial"))).max())
    group = claim("bouvier2018.fig2.signed_group")
    rows.append(ck.at_most(
        f"signed error: |group-mean PN − group-mean target| at the end, worst m, within the PN "
        f"step of one climbing fibre's LTD (α_w N/(4T) S |u_PC→PN| = {jump:.3g} Hz)",
        jump, group_gap, source=group.source, cite=group.cite, off=off))
    late = slice(n_trials // 2, None)
    f_theory = cf_fraction(a, overlap)
    f_got = float(sig.ecs.isel(trial=late).mean())
    rtol = 0.05
    rows.append(ck.close(
        "signed error: fraction of movements with a climbing fibre after relaxation (late half, "
        "mean over m) = p β_w / (p β_w + α_w (1 + (p − 1) overlap)), LTD balancing the drift",
        f_theory, f_got, rtol=rtol, source="theory", cite="Bouvier 2018 Eq 15 (stationary weights)",
        note=f"discriminates: β_w halved gives "
             f"{cf_fraction({**a, 'mai.beta': a['mai.beta'] / 2}, overlap):.3f}, "
             f"α_w halved {cf_fraction({**a, 'alpha_w': a['alpha_w'] / 2}, overlap):.3f}"))
    temporal = {m: (final(sig.error, m), blind_floor(m)) for m in means}
    rows.append(claim("bouvier2018.fig2.signed_cells").holds(
        all(e >= floor for e, floor in temporal.values()), off=off,
        what="signed error: the temporal profile is not optimised at any m: final mean |PN − R| "
             "no lower than that of any output blind to the targets (m/2, less 3 s.e.)",
        expected="final ℰ ≥ m/2 − 3 s.e. at every m",
        got="; ".join(f"m = {m:g}: {e:.1f} ≥ {floor:.1f} Hz" for m, (e, floor) in temporal.items())))
    cell_means = {}
    for m in means:
        s = sig.sel(target_mean=m)
        diff = s.PN.isel(profile_trial=-1).mean("bin") - s.target.mean("bin")
        spread = 2 * m / np.sqrt(12 * a["T"])                 # s.d. of a cell's target mean
        cell_means[m] = (float(np.sqrt((diff ** 2).mean())), spread * (1 - z / np.sqrt(2 * n_cells)))
    rows.append(claim("bouvier2018.fig2.signed_cell_mean").holds(
        all(r >= floor for r, floor in cell_means.values()), off=off,
        what="signed error: single-cell mean rates are not optimised at any m: r.m.s. over PNs of "
             "(final mean PN − mean target) no lower than the spread of the cells' target means "
             "2m/√(12T) (what an output blind to each cell's target gets), less 3 s.e.",
        expected="r.m.s. ≥ 2m/√(12T)·(1 − 3/√(2 p L)) at every m",
        got="; ".join(f"m = {m:g}: {r:.2f} ≥ {floor:.2f} Hz" for m, (r, floor) in cell_means.items())))
    # -- unsigned error (Fig 2B,C red) --
    rows.append(claim("bouvier2018.fig2.unsigned_not_minimised").holds(
        all(final(uns.error, m) >= blind_floor(m) for m in means), off=off,
        what="unsigned error: not minimised at any m: final mean |PN − R| no lower than that of "
             "an output blind to the targets (m/2, less 3 s.e.)",
        expected="final ℰ ≥ m/2 − 3 s.e. at every m",
        got="; ".join(f"m = {m:g}: {final(uns.error, m):.1f} ≥ {blind_floor(m):.1f} Hz" for m in means)))
    step = ltd_drive_step(a, overlap)
    pc = uns.pc_mean.mean(("pattern", "target_mean")).values
    n_fit = int(np.clip(a["r_pc"] / 2 / step, 3, n_trials))   # while few drives are clipped at 0
    slope = float(np.polyfit(np.arange(n_fit), pc[:n_fit], 1)[0])
    rows.append(ck.close(
        f"unsigned error: a CF and LTD on every movement: the mean PC rate falls by α_w N/(4T)"
        f"(1 + (p−1)·overlap) Hz per trial (slope over the first {n_fit} trials, mean over m)",
        -step, slope, rtol=rtol, source="theory",
        cite="Bouvier 2018 Eq 15 with ℰ > 0 on every movement (Fig 2B,C red)"))
    rows.append(claim("bouvier2018.fig2.unsigned_pc").check(
        float(uns.pc_mean.isel(trial=end).mean(("pattern", "trial")).max()), off=off,
        what="unsigned error: final mean PC rate, largest over m (silent: exactly 0)"))
    c, pc_c = mf_ceiling(a)
    ceiling = float(pc_c @ c)
    pn_final = [final(uns.pn_mean, m) for m in means]
    worst = max(pn_final, key=lambda x: abs(x - ceiling))
    rows.append(ck.close(
        f"unsigned error: final mean PN at every m (worst shown) = the mossy-fibre drive alone "
        f"u_M→PN S N/(2 L T) (PCs silent, Eq 3), not r_max = {a['r_max']:g} Hz",
        ceiling, worst, rtol=1e-6, source="theory", cite="Bouvier 2018 Eqs 3, 5 with PC = 0"))
    zs = {}
    for m in means:
        mean, sd = abs_error_moments(c, pc_c, m)
        zs[m] = (final(uns.error, m), mean, (final(uns.error, m) - mean) / (sd / np.sqrt(n_values)))
    z_worst = max(zs.values(), key=lambda t: abs(t[2]))
    rows.append(ck.close(
        "unsigned error: final ℰ = E|C − R| with C the mossy-fibre drive alone (K ~ Binomial(S N/2, "
        "1/(L T))) and R ~ U[0, 2m], at every m: worst deviation in s.e. of a mean of p·L·T values",
        0.0, z_worst[2], atol=4.0, source="theory", cite="Bouvier 2018 Eqs 3, 7 with PC = 0",
        note="; ".join(f"m = {m:g}: {g:.2f} vs {e:.2f} Hz" for m, (g, e, _) in zs.items())))
    m0 = float(a["r_d"])
    if m0 in means:
        first = float(uns.error.sel(target_mean=m0).isel(trial=slice(0, 10)).mean())
        last = final(uns.error, m0)
        rows.append(claim("bouvier2018.fig2.unsigned_grows").holds(
            last > first, off=off,
            what=f"unsigned error: the error increases, at the paper's default targets "
                 f"(U[0, {2 * m0:g}] Hz, r_D = {m0:g} Hz)",
            expected="final ℰ > initial ℰ", got=f"{first:.1f} → {last:.1f} Hz"))
    return rows


def plot_fig2(ds: xr.Dataset):
    fig, ax = figure(1, 2, title="Fig 2: Marr-Albus-Ito learning with a global error", width=5.6)
    styles = ("-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)))
    for k, m in enumerate(ds.target_mean.values):
        for a, e in zip(ax[0], MAI_RULES, strict=True):
            sub = ds.sel(error_type=e, target_mean=m).mean("pattern")
            label = f"targets U[0, {2 * m:g}] Hz" if a is ax[0, 0] else (
                "all five target ranges" if k == 0 else None)
            line, = a.plot(sub.trial, sub.pn_mean, ls=styles[k % len(styles)],
                           lw=2.2 - 0.3 * k, label=label)
            a.axhline(m, color=line.get_color(), ls=":", lw=0.8)
    ax[0, 1].axhline(float(ds.mf_ceiling), color="k", ls="--", lw=0.8,
                     label="mossy-fibre drive alone")
    for a in ax[0]:                          # a legend entry for the dotted target means
        a.plot([], [], color="0.4", ls=":", lw=0.8, label="target mean (dotted,\nits range's colour)")
    titles = ("signed error: each group-mean PN\nreaches its target mean",
              "unsigned error: the five curves overlap, rising\nto the mossy-fibre drive (PCs silenced)")
    for a, title, letter in zip(ax[0], titles, "BC", strict=True):
        a.set(xlabel="trials of each pattern", ylabel="group-mean PN rate [Hz]", title=title)
        a.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        panel_letter(a, letter)
    return fig


register(Experiment(
    name="bouvier2018-fig2",
    reproduces=f"{PAPER}, Fig 2B,C: Marr-Albus-Ito rule with signed and unsigned global errors",
    params=MAIParams, run=run_fig2, plot=plot_fig2, checks=checks_fig2))
