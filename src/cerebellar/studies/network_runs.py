"""Helpers shared by the network experiments of Bouvier et al. 2018."""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from cerebellar.core import checks as ck
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


def smoothed(x: np.ndarray, n: int) -> np.ndarray:
    n = max(1, min(n, x.size))
    return np.convolve(x, np.ones(n) / n, mode="valid")


def plot_learning(ds: xr.Dataset, title: str):
    fig, ax = figure(2, 2, title=title)
    E, I = ds.error.isel(pattern=0), ds.inhibition.isel(pattern=0)
    n = max(ds.sizes["trial"] // 300, 1)
    t = ds.trial.values[n - 1:]
    for a, sl, name in ((ax[0, 0], slice(None), "A"), (ax[0, 1], slice(0, min(3000, t.size)), "B")):
        # ℐ locks onto ℰ (the olive cancels the mean error): a broad pale band for ℰ and a thin
        # dashed line for ℐ keep both visible where they coincide.
        a.plot(t[sl], smoothed(E.values, n)[sl], color="C0", lw=4, alpha=0.4, label="error ℰ")
        a.plot(t[sl], smoothed(I.values, n)[sl], color="C3", lw=1.2, ls="--",
               label="inhibition ℐ (on ℰ once locked)")
        a.set(xlabel="trial (pattern 0)", ylabel="rate [Hz]")
        a.legend(fontsize=8)
        panel_letter(a, name)
    ax[0, 1].set_title("start (zoom)")
    for a, slot, name in ((ax[1, 0], 0, "C"), (ax[1, 1], -1, "D")):
        pn = ds.PN.isel(profile_trial=slot, pattern=0, neuron=0)
        a.plot(ds.bin, ds.target.isel(pattern=0, neuron=0), "k--", label="target")
        a.plot(ds.bin, pn, "o-", label=f"PN, trial {int(ds.profile_trial[slot])}")
        a.set(xlabel="time bin of the movement", ylabel="rate [Hz]",
              title=f"PN 0, pattern 0, trial {int(ds.profile_trial[slot])}")
        a.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        panel_letter(a, name)
    return fig


# -- quick-scale rows from theory at the run's parameters ---------------------------------------
#
# Per-cell quantities of the network that play the reduced model's A, ΔP, Δ𝒥 (Appendix 1): a pCS
# raises the S Purkinje cells of a column by A in one bin, so PN_l(t) falls by |u_PC→PN| S A
# (Eqs 3, 6); ℰ and ℐ are means over the L·T outputs (Eqs 7-8). A movement activates S·N/2
# fibres, each in one of T bins, half of them connected to a column: n_c = S N/(4T) connected
# active fibres per column and bin, whose LTD/LTP step α_w (Eq 9) moves that PN by
# ΔP = |u_PC→PN| α_w n_c. Eq 10 moves every active fibre's v by α_v.

WINDOW = 20
"""Trials averaged to find where ℐ first reaches ℰ (the lock-on), as in Fig 8B."""


def run_constants(a) -> dict[str, float]:
    S, L, T, N = (int(a[k]) for k in ("S", "L", "T", "N"))
    p = int(a["n_patterns"])
    o = float(a.get("overlap", np.nan))
    shared = 1.0 + (p - 1) * (o if np.isfinite(o) else 0.0)   # own fibres + those of the others
    u = abs(float(a["u_pc_pn"]))
    n_c = S * N / (4 * T)
    dP = u * float(a["alpha_w"]) * n_c
    return dict(S=S, L=L, T=T, N=N, p=p, rho=float(a["rho"]), q=float(a["q"]), shared=shared,
                LT=L * T, a_pn=u * S * float(a["A"]), dP=dP,
                dJ=float(a["alpha_v"]) * S * N / 2 * shared / (L * T),
                dJ_q=float(a["q"]) * dP * float(a["rho"]) * L * shared / (L * T))


def perturbation_count_row(ds: xr.Dataset) -> ck.Check | None:
    """Perturbed columns per movement against the rule's own law: SGDEGE draws a pCS per
    climbing fibre with probability ρ (Methods), node perturbation perturbs every column, the
    delta rule and Marr-Albus-Ito none. ``None`` for a rule this module does not know."""
    a, n = ds.attrs, ds.n_pcs.values.ravel()
    rule, L = a.get("rule", "sgdege"), int(a["L"])
    if rule == "sgdege":
        rho = float(a["rho"])
        se = np.sqrt(L * rho * (1 - rho) / n.size)
        return ck.close(f"mean pCS per movement = ρL (5 s.e. of {n.size} movements)", rho * L,
                        float(n.mean()), atol=5 * se + 1e-12, source="theory",
                        cite="Bouvier 2018 Methods: each climbing fibre fires a pCS with "
                             "probability ρ per movement")
    if rule == "node_perturbation":
        return ck.holds("node perturbation: every column perturbed (±A) on every movement",
                        bool((n == L).all()), expected=f"{L} per movement",
                        got=f"{n.min():g} to {n.max():g} per movement", source="invariant",
                        cite="Fiete & Seung 2006: every output perturbed on every trial")
    if rule in ("delta", "mai", "mai_unsigned"):
        return ck.holds(f"rule '{rule}' draws no perturbation", bool((n == 0).all()),
                        expected="0 per movement", got=f"{n.min():g} to {n.max():g} per movement",
                        source="invariant",
                        cite="Bouvier 2018 Eqs 14-15 (Marr-Albus-Ito), Eq 42 (delta): no pCS")
    return None


def perturbation_bins_row(ds: xr.Dataset) -> ck.Check | None:
    """A perturbation falls in one bin of the T drawn uniformly (Methods): Pearson's χ² of the
    bins drawn over the run against T − 1 degrees of freedom (fails below p = 10⁻⁶)."""
    from scipy import stats  # here: slow to import
    if "perturbation_bins" not in ds:
        return None
    counts = ds.perturbation_bins.values.astype(float)
    expected = counts.sum() / counts.size
    chi2 = float(((counts - expected) ** 2 / expected).sum())
    p_value = float(stats.chi2.sf(chi2, counts.size - 1))
    return ck.at_least(f"perturbed bins uniform over the T = {counts.size} bins: χ² p-value "
                       f"(χ² = {chi2:.3g}, {counts.size - 1} d.o.f., {counts.sum():.0f} draws)",
                       1e-6, p_value, source="invariant",
                       cite="Bouvier 2018 Methods: each pCS falls in one random time bin")


def not_sgdege(ds: xr.Dataset) -> str:
    rule = ds.attrs.get("rule", "sgdege")
    return "" if rule == "sgdege" else f"rule = {rule!r}: no pCS and no olive (SGDEGE only)"


def pcs_effect_row(ds: xr.Dataset) -> ck.Check:
    """The size of a pCS on the output (Eqs 3, 6): each perturbed column lowers the mean PN rate
    by |u_PC→PN| S A/(LT) while no rate is clipped. Regressing the change of mean PN between a
    pattern's consecutive movements on the current movement's pCS count is unbiased (the pCSs of
    a movement are drawn apart from everything before it)."""
    a, c = ds.attrs, run_constants(ds.attrs)
    expected = -c["a_pn"] / c["LT"]
    k = min(ds.sizes["trial"], 2000)
    y = np.diff(ds.pn_mean.values[:, :k], axis=1).ravel()
    x = ds.n_pcs.values[:, 1:k].ravel()
    x, y = x - x.mean(), y - y.mean()
    if k < 20 or not (x * x).sum() > 0:
        return ck.close("mean PN change per pCS", expected, np.nan, source="theory",
                        cite="Bouvier 2018 Eqs 3, 6", off=not_sgdege(ds) or "too few movements")
    slope = float((x * y).sum() / (x * x).sum())
    se = float(np.sqrt(((y - slope * x) ** 2).sum() / (x * x).sum() / (x.size - 2)))
    pn0 = ds.PN.isel(profile_trial=0).values
    clipped = float(np.mean((pn0 < c["a_pn"]) | (pn0 > float(a["r_max"]) - c["a_pn"])))
    return ck.close(
        f"mean PN change per pCS = u_PC→PN·S·A/(LT), first {k} trials (4 s.e. = {4 * se:.2g} Hz, "
        f"+ {clipped:.1%} of PN rates within reach of a bound)", expected, slope,
        atol=4 * se + clipped * abs(expected), source="theory",
        cite="Bouvier 2018 Eqs 3, 6: a pCS adds A to the S Purkinje cells of its column",
        off=not_sgdege(ds))


def olive_lock(E: np.ndarray, I: np.ndarray) -> float:
    """Trial at which ℐ first reaches ℰ: the first movement without an eCS (ℰ ≤ ℐ, Eq 37),
    where ℐ rises from below; the first where ℰ > ℐ (an eCS), where it falls from above."""
    above = I >= E
    hit = np.flatnonzero(above != above[0]) if I.size else np.array([])
    return float(hit[0]) if hit.size else np.nan


def olive_rows(ds: xr.Dataset) -> list[ck.Check]:
    """The olive's tracking before lock-on (Eqs 8, 10; Fig 8B). While ℰ > ℐ every movement is an
    eCS (c = +1): Eq 10 raises each active fibre's v by α_v, which raises ℐ^μ by α_v S N/2/(LT)
    per own movement and by the shared fraction o of that per other movement; each pCS's LTD
    (Eq 9) lowers its column's Purkinje rates and raises NO by q ΔP, on average q ΔP ρ L (1 +
    (p − 1)o)/(LT) per trial. Meanwhile ℰ^μ drifts by ρΔP(2g − 1)/T (LTD raises PN: the error
    grows on the fraction g of outputs above target). ℐ reaches ℰ after m/(ṙ_ℐ − ṙ_ℰ) trials, m the
    initial mismatch: the lock-on time. (Signs flip where ℐ starts above ℰ.)"""
    c, off = run_constants(ds.attrs), not_sgdege(ds)
    E, I = ds.error.values, ds.inhibition.values
    n = E.shape[1]
    m = (E[:, :WINDOW] - I[:, :WINDOW]).mean(axis=1)
    sign = np.sign(m)
    rate_I = sign * (c["dJ"] + c["dJ_q"])
    pn0, target = ds.PN.isel(profile_trial=0).values, ds.target.values
    g = (pn0 > target).mean(axis=(1, 2))
    rate_E = sign * c["rho"] * c["dP"] * (2 * g - 1) / c["T"]
    t_pred = (WINDOW - 1) / 2 + m / (rate_I - rate_E)      # m: the mean of trials 0 to WINDOW − 1
    k = int(np.nanmin(t_pred) // 2) if np.all(np.isfinite(t_pred)) else 0
    short = off or ("" if k >= 10 and n >= WINDOW else
                    f"the initial mismatch ℰ − ℐ = {m.mean():.3g} Hz closes within {2 * k} trials: "
                    "too few to measure ℐ's rate")
    cite = "Bouvier 2018 Eqs 8-10; Fig 8B (ℐ converges onto ℰ before ℰ falls)"
    d = np.diff(I[:, :max(k, 2)], axis=1)
    rate, se = float(d.mean()), float(d.std(ddof=1) / np.sqrt(d.size)) if d.size > 1 else np.inf
    rows = [ck.close(
        f"ℐ's rise per trial before lock-on, trials 0-{k} (α_v S N/2 (1 + (p − 1)o)/(LT) = "
        f"{c['dJ']:.3g} from Eq 10 + q ΔP ρ L (1 + (p − 1)o)/(LT) = {c['dJ_q']:.3g} from the LTD "
        f"of Eq 9; 4 s.e.)", float(rate_I.mean()), rate, atol=4 * se, source="theory",
        cite=cite, off=short)]
    t_meas = np.array([olive_lock(E[mu], I[mu]) for mu in range(E.shape[0])])
    # the first movement to lock on: until then every movement is an eCS, and the rates hold
    # (after it, its eCSs stop raising the other movements' ℐ through their shared fibres)
    first = int(np.argmin(t_pred)) if np.all(np.isfinite(t_pred)) else 0
    # its spread: the random walk of ℰ (±ΔP/(LT) per own pCS) and of ℐ's LTD term (q ΔP/(LT)
    # per pCS of any movement, o of it for the others')
    step2 = c["rho"] * c["L"] * (c["dP"] / c["LT"]) ** 2 * (
        1 + c["q"] ** 2 * (1 + (c["shared"] - 1) ** 2 / max(c["p"] - 1, 1)))
    se_t = float(np.sqrt(abs(t_pred[first]) * step2) / abs(rate_I[first] - rate_E[first]))
    rows.append(ck.close(
        f"lock-on: first movement without an eCS (ℐ reaches ℰ), earliest of the {len(t_pred)} "
        f"movements, vs m/(ṙ_ℐ − ṙ_ℰ) + {(WINDOW - 1) / 2:g} from its mismatch m = "
        f"{m[first]:.3g} Hz over trials 0-{WINDOW - 1} (ṙ_ℰ = {rate_E[first]:.2g} Hz/trial from "
        f"g = {g[first]:.2f} of outputs above target; 4 s.e. + 2 trials)", float(t_pred[first]),
        float(np.nanmin(t_meas)) if np.any(np.isfinite(t_meas)) else np.nan,
        atol=4 * se_t + 2, source="theory", cite=cite,
        off=short if short else ("" if np.any(np.isfinite(t_meas)) else "ℐ never reaches ℰ")))
    return rows


def descent_row(ds: xr.Dataset, span: int = 2000, delay: int = 100) -> ck.Check:
    """The error's early descent after lock-on against Eq 9's mean drift. An output (l, t) is
    perturbed with probability ρ/T per movement, and its update moves PN by ΔP towards the target
    when the eCS reports the pCS's effect on ℰ (±a, a = |u_PC→PN| S A/(LT)) correctly:

        dℰ/dtrial = −(ρ ΔP/T) π,   π = P(right) − P(wrong) = E[F(a(1 − q) − Σ) − F(−a(1 + q) − Σ)]

    where F is the distribution of the olive's mismatch X = ℰ − ℐ on unperturbed movements of the
    same trials (measured), and Σ the shift of the other pCSs of the movement (each qa ± a, their
    number Binomial(L − 1, ρ)). π = 1 is the reduced model's D+ corridor speed V = −ρΔP (Appendix
    1, Eq 32); in the network the olive's step Δ𝒥 exceeds a (Eq 29 fails), so only a fraction π
    of the updates descend."""
    c, off = run_constants(ds.attrs), not_sgdege(ds)
    E, I, n_pcs = ds.error.values, ds.inhibition.values, ds.n_pcs.values
    n = E.shape[1]
    start, stop = descent_window(ds, span, delay)
    eq32 = -c["rho"] * c["dP"] / c["T"]
    cite = "Bouvier 2018 Eq 9 and Appendix 1 Eq 32 (D+ corridor speed −ρΔP)"
    what = "early descent dℰ/dtrial after lock-on vs −(ρΔP/T)·π"
    if off or stop - start < span // 4:
        return ck.close(what, eq32, np.nan, source="theory", cite=cite, off=off or (
            f"needs {start + span // 4} trials per pattern (lock-on + {delay} + {span // 4}): "
            f"{n} run"))
    t = np.arange(start, stop)
    slope = float(np.mean([np.polyfit(t, E[mu, start:stop], 1)[0] for mu in range(E.shape[0])]))
    X = (E - I)[:, start:stop]
    x0 = X[n_pcs[:, start:stop] == 0]
    L, rho = c["L"], c["rho"]
    pi = descent_fraction(x0, c["a_pn"] / c["LT"], c["q"], L, rho)
    expected = eq32 * pi
    # s.e.: the measured slope (random walk of ±ΔP/(LT) steps, OLS slope variance 6σ²/(5W)) and
    # π from x0 (binomial, effective sample size from the mismatch's lag-1 autocorrelation)
    W, p = stop - start, E.shape[0]
    se_slope = np.sqrt(6 / 5 * rho * L * (c["dP"] / c["LT"]) ** 2 / (W * p))
    r1 = float(np.mean([np.corrcoef(row[:-1], row[1:])[0, 1] for row in X]))
    n_eff = x0.size * (1 - r1) / (1 + r1)
    se_pi = abs(eq32) * np.sqrt(pi * (1 - pi) / max(n_eff, 1))
    pn0, target = ds.PN.isel(profile_trial=0).values, ds.target.values
    near = float(np.mean(np.abs(pn0 - target) < c["a_pn"] + c["dP"]))
    return ck.close(
        f"{what}, trials {start}-{stop} (π = {pi:.3f} from the mismatch of {x0.size} unperturbed "
        f"movements; Eq 32's π = 1 speed {eq32:.3g} Hz/trial; 3 s.e. + {near:.1%} of outputs "
        f"within a pCS + a step of their target)", expected, slope,
        atol=3 * float(np.hypot(se_slope, se_pi)) + near * abs(expected), source="theory",
        cite=cite)


def descent_fraction(x0: np.ndarray, a: float, q: float, L: int, rho: float) -> float:
    """π = P(right) − P(wrong) of a perturbed update (see `descent_row`): ``x0`` the
    olive's mismatch ℰ − ℐ on unperturbed movements, ``a`` a pCS's effect on ℰ."""
    from scipy import stats  # here: slow to import
    x0 = np.sort(np.asarray(x0, float).ravel())
    if not x0.size:
        return np.nan

    def F(v: float) -> float:
        return np.searchsorted(x0, v, side="right") / x0.size

    pi = 0.0
    others = stats.binom.pmf(np.arange(12), L - 1, rho)   # other pCSs of the movement
    for j in range(min(L, 12)):                            # (more than 11: P < 1e-6 at Table 2)
        h = np.arange(j + 1)                               # h of them on outputs below target
        shift = j * q * a + a * (2 * h - j)
        pi += others[j] * float(np.sum(stats.binom.pmf(h, j, 0.5) * (
            F(a * (1 - q) - shift) - F(-a * (1 + q) - shift))))
    return float(pi)


def descent_window(ds: xr.Dataset, span: int = 2000, delay: int = 100) -> tuple[int, int]:
    """Trials [start, stop) of the early descent: from ``delay`` trials after the last movement
    locks on, ``span`` long (shorter if the run ends first)."""
    E, I = ds.error.values, ds.inhibition.values
    lock = np.array([olive_lock(E[mu], I[mu]) for mu in range(E.shape[0])])
    n = E.shape[1]
    start = int(np.nanmax(lock)) + delay if np.all(np.isfinite(lock)) else n
    return start, min(n, start + span)


def learning_rows(ds: xr.Dataset) -> list[ck.Check]:
    """The quick-scale rows of a network run: the perturbations' count and size, the olive's
    rate and lock-on, the early descent."""
    optional = [row for row in (perturbation_count_row(ds), perturbation_bins_row(ds)) if row]
    return [*optional, pcs_effect_row(ds), *olive_rows(ds), descent_row(ds)]
