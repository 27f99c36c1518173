"""``bouvier2018-fig10ef``: trajectories in the (P − R, 𝒥 − qP) plane below and above capacity (Fig
10E, F)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import xarray as xr

from cerebellar.core import checks as ck
from cerebellar.core.guards import at_once
from cerebellar.core.params import param
from cerebellar.core.plotting import figure, panel_letter
from cerebellar.core.registry import Experiment, register
from cerebellar.core.status import merge
from cerebellar.models.perceptron.capacity import capacity
from cerebellar.papers import claim
from cerebellar.studies.load_sweep import PAPER, SHARES_RUNS, Fig10Params, runs_per_cell


@dataclass(frozen=True)
class Fig10EFParams(Fig10Params):
    N_M: int = param(1000, low=10, high=1_000_000, doc="inputs (paper: 1000)")
    load_below: float = param(0.3, low=0, high=2, low_open=True, doc="p/N_M of panel E (paper: 300)")
    load_above: float = param(0.42, low=0, high=2, low_open=True, doc="p/N_M of panel F (paper: 420)")
    n_seeds: int = param(2, low=1, high=1000, doc="independent runs (patterns, targets) per panel")
    FULL: ClassVar[dict[str, Any]] = {"trials_per_pattern": 100_000, "n_seeds": 4}
    SCALE: ClassVar[tuple[str, ...]] = ("trials_per_pattern", "n_records", "n_seeds")

    def loads(self) -> list[int]:
        """The pattern counts of panels E and F."""
        return [round(self.load_below * self.N_M), round(self.load_above * self.N_M)]

    def memory_bytes(self) -> tuple[int, tuple[str, ...]]:
        """The runs training at once (`PerceptronParams.memory_bytes`) and every run's records."""
        runs = [self.run_params(n_patterns=p).memory_bytes()[0] for p in self.loads()]
        kept = 48 * self.n_seeds * self.n_records * sum(self.loads())
        return at_once(runs * self.n_seeds) + kept, ("N_M", "n_seeds", "n_records")


def run_fig10ef(params: Fig10EFParams, rng: np.random.Generator) -> xr.Dataset:
    loads = params.loads()
    cells = runs_per_cell(params, rng, loads, {"sgdege": {}}, params.n_seeds)
    runs = [cells[(p, s)][0] for p in loads for s in range(params.n_seeds)]
    out = {}
    for k, panel in enumerate("EF"):
        part = runs[k * params.n_seeds:(k + 1) * params.n_seeds]
        P = xr.concat([r.P_traj for r in part], "seed").rename(pattern=f"pattern_{panel}")
        J = xr.concat([r.J_traj for r in part], "seed").rename(pattern=f"pattern_{panel}")
        R = xr.concat([r.R for r in part], "seed").rename(pattern=f"pattern_{panel}")
        out[f"x_{panel}"] = (P - R).assign_attrs(long_name="P − R", units="Hz")
        out[f"y_{panel}"] = (J - params.q * P).assign_attrs(long_name="𝒥 − qP", units="Hz")
    ds = xr.Dataset(out)
    ds = ds.drop_vars([c for c in ("pattern_E", "pattern_F") if c in ds.coords])
    ds.attrs["p_E"], ds.attrs["p_F"] = loads
    return merge(ds, runs).transpose("seed", "trial", ...)


def _far_from_origin(ds: xr.Dataset, panel: str, radius: float) -> xr.DataArray:
    """Per seed, the fraction of patterns whose final (P − R, 𝒥 − qP) lies ``radius`` or more
    from (0, 0)."""
    x, y = ds[f"x_{panel}"].isel(trial=-1), ds[f"y_{panel}"].isel(trial=-1)
    return (np.hypot(x, y) >= radius).mean(f"pattern_{panel}")


def _mean_se(x: xr.DataArray) -> tuple[float, float]:
    v = np.asarray(x, float).ravel()
    v = v[np.isfinite(v)]
    return float(v.mean()), float(v.std(ddof=1) / np.sqrt(v.size)) if v.size > 1 else float("nan")


def checks_fig10ef(ds: xr.Dataset) -> list[ck.Check]:
    radius = 3 * ds.attrs["A"]
    n = ds.sizes["seed"]
    pE, pF = ds.attrs["p_E"], ds.attrs["p_F"]
    frac_E = _far_from_origin(ds, "E", radius)
    frac_F = _far_from_origin(ds, "F", radius)
    far_E, se_E = _mean_se(frac_E)
    far_F = _mean_se(frac_F)[0]
    # patterns far at p_F beyond those that the same training leaves unconverged at p_E
    excess, excess_se = _mean_se(frac_F * pF - frac_E * pF)
    err_E, e_se = _mean_se(abs(ds.x_E.isel(trial=-1)))
    err_F, f_se = _mean_se(abs(ds.x_F.isel(trial=-1)))
    diff_se = float(np.hypot(e_se, f_se))
    off = ck.off_setting(ds.attrs, Fig10EFParams.paper_setting())
    short = "" if ds.attrs["trials_per_pattern"] >= 100_000 else \
        f"{ds.attrs['trials_per_pattern']} trials per pattern, not the paper's 10⁵ (--full)"
    several = claim("bouvier2018.fig10f.several_far")
    return [
        claim("bouvier2018.fig10e.converge").check(
            far_E, what=f"p = {pE}: fraction of patterns ending ≥ {radius:g} Hz from "
            f"(0, 0), mean ± {se_E:.2g} s.e. over {n} seeds", off=off or short),
        several.holds(
            excess >= several.low and far_F <= 0.5,
            what=f"p = {pF}: patterns ending ≥ {radius:g} Hz from (0, 0) beyond the fraction the same "
                 f"training leaves there at p = {pE} ({far_F:.1%} vs {far_E:.1%}), mean ± "
                 f"{excess_se:.2g} s.e. over {n} seeds: several, and fewer than half of the "
                 f"{pF} patterns",
            expected=f">= {several.low:g} patterns, fraction <= 0.5",
            got=f"{excess:.1f} patterns, fraction {far_F:.3f}", off=off),
        ck.at_least(f"mean |P − R| at p = {pF} minus at p = {pE} ({err_F:.3g} vs {err_E:.3g} Hz; "
                    "above capacity the error grows): at least 3 s.e. (pattern to pattern, "
                    f"{n} seeds)", 3 * diff_se, err_F - err_E, source="theory",
                    cite="capacity α_c = 0.391 (Fig 10C legend): no exact solution above it"),
    ]


def plot_fig10ef(ds: xr.Dataset):
    fig, ax = figure(1, 2, title="Fig 10E,F: perceptron trajectories in the (P − R, 𝒥 − qP) plane"
                     .replace("𝒥", r"$\mathcal{J}$"))
    for a, panel in zip(ax[0], "EF", strict=True):
        dims = ("seed", "trial", f"pattern_{panel}")
        x, y = (ds[f"{v}_{panel}"].transpose(*dims).values for v in "xy")
        shown = range(0, x.shape[2], max(1, x.shape[2] // 40))
        for j in shown:
            a.plot(x[0, :, j], y[0, :, j], color="0.6", lw=0.5, alpha=0.7,
                   label="patterns (first seed)" if j == 0 else None)
        a.plot(x[:, -1].ravel(), y[:, -1].ravel(), "o", color="salmon", ms=2.5, ls="none",
               label="end points (all seeds)")
        # the specimen (as the paper's red trajectory): the shown pattern that starts farthest
        # from its target, open circle at its start, filled at its end
        j = max(shown, key=lambda k: abs(x[0, 0, k]))
        a.plot(x[0, :, j], y[0, :, j], color="tab:red", lw=1.2, label="specimen pattern")
        a.plot(x[0, 0, j], y[0, 0, j], "o", mfc="white", mec="tab:red", ms=6)
        a.plot(x[0, -1, j], y[0, -1, j], "o", color="tab:red", ms=6)
        a.set(xlabel="P − R [Hz]", ylabel=r"$\mathcal{J}$ − qP [Hz]",
              title=f"p = {ds.attrs[f'p_{panel}']} (p/N_M = "
                    f"{ds.attrs[f'p_{panel}'] / ds.attrs['N_M']:.2f}; capacity "
                    f"{capacity(gamma=ds.attrs['gamma']):.3f})")
        a.legend(fontsize=7, loc="upper center")
        panel_letter(a, panel)
    return fig


register(Experiment(
    name="bouvier2018-fig10ef",
    reproduces=f"{PAPER}, Fig 10E,F: trajectories below (p = 300) and above (p = 420) capacity",
    params=Fig10EFParams, run=run_fig10ef, plot=plot_fig10ef, checks=checks_fig10ef,
    shares=SHARES_RUNS))
