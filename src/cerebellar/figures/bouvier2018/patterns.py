"""``bouvier2018-patterns``: the network learning many movements at once, with the overlap
between movements controlled: how far the olive's movement-specific cancellation of the error
holds (beyond Fig 8's two movements).

SGDEGE needs the nucleo-olivary inhibition ℐ to cancel each movement's *own* expected error, so
that the climbing-fibre signal c = sign(ℰ − ℐ) reports whether this movement's perturbation
helped. The MF→NO weights learn ℐ^μ ≈ (1/LT) Σ_{i active in μ} v_i + q-term (Eqs 4, 8, 10), and
they move towards equilibrium when each movement's eCS rate is 1/2 (Eq 10: v up on eCS, down
otherwise). Two movements that share most of their active fibres cannot be given different ℐ
quickly: the updates of one move the other's ℐ as much. The paper says the cancellation works
"as long as the overlap between movements is not too great"; this experiment measures where.

Per (shared fraction, number of movements p): the measured overlap (fraction of active fibres
two movements share; 0.5 for the paper's independent draws), the error at the start and end, the
mean |⟨ℰ − ℐ⟩| per movement and each movement's eCS rate over the second half of the run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import xarray as xr

from cerebellar.core import checks as ck
from cerebellar.core.parallel import map_runs
from cerebellar.core.params import param
from cerebellar.core.plotting import figure, panel_letter
from cerebellar.core.registry import Experiment, register
from cerebellar.core.status import merge
from cerebellar.figures.bouvier2018._network import PAPER
from cerebellar.network.model import NetworkParams, simulate
from cerebellar.papers import claim

SHARED = (0.0, 0.5, 0.8)
"""Fractions of each movement's active fibres common to all movements (0: the paper's draw),
tried besides ``PatternsParams.shared``, the largest."""

BALANCE = 0.15
"""A movement's eCS rate farther than this from 1/2 after lock-on: its ℐ does not cancel its
own error (at equilibrium of Eq 10 the rate is 1/2; ±0.15 is 9 s.e. of a rate over 100 trials)."""


def expected_overlap(shared: float) -> float:
    """Fraction of active fibres two movements share: the common part plus the chance overlap of
    the rest, (1 − c)/2 of the fibres drawn from the 1 − c/2 not common: c + (1 − c)²/(2 − c)."""
    return shared + (1 - shared) ** 2 / (2 - shared)


@dataclass(frozen=True)
class PatternsParams(NetworkParams):
    """Table 2's network; the loads run from 2 to ``n_patterns`` movements."""

    n_patterns: int = param(16, low=2, high=1000,
                            doc="largest number of movements (loads from 2 up to it)")
    n_loads: int = param(3, low=1, high=50, doc="numbers of movements, log-spaced from 2")
    trials_per_pattern: int = param(1000, low=20, high=100_000_000, units="trial",
                                    doc="movements of each pattern")
    shared: float = param(0.95, low=0.8, high=1, low_open=True,
                          doc="largest common fraction of active fibres tried (the others: 0, the "
                              "paper's independent draw; 0.5; 0.8)")
    rule: str = param("sgdege", choices=("sgdege",),
                      doc="SGDEGE: the olive's eCS is what the experiment measures")

    FULL: ClassVar[dict[str, Any]] = {"n_patterns": 100, "n_loads": 6, "trials_per_pattern": 1500}
    SCALE: ClassVar[tuple[str, ...]] = ("n_patterns", "n_loads", "trials_per_pattern",
                                        "n_profiles")
    NOT_STATED: ClassVar[dict[str, str]] = {
        **NetworkParams.NOT_STATED,
        "loads": "the paper learns two movements (Fig 8); we run 2 to n_patterns",
        "late": "cancellation is judged over the second half of each run: ℐ locks on to ℰ within "
                "~400 trials per movement at Table 2's α_v (steps of ~0.005 Hz against initial "
                "mismatches of up to ~2 Hz)",
    }

    def levels(self) -> list[float]:
        return [*SHARED, self.shared]

    def network(self, shared: float, n_patterns: int) -> NetworkParams:
        """One run: Table 2's network with this experiment's values, ``shared`` and p."""
        values = {name: getattr(self, name) for name in NetworkParams.names()}
        return NetworkParams(**{**values, "shared": shared, "n_patterns": n_patterns})

    def loads(self) -> list[int]:
        return sorted({int(np.rint(x)) for x in np.geomspace(2, self.n_patterns, self.n_loads)})


def _summary(ds: xr.Dataset) -> dict[str, Any]:
    """What the figure and checks need from one run (the run itself is not kept)."""
    n = ds.sizes["trial"]
    late = ds.isel(trial=slice(n // 2, None))
    rate = late.ecs.astype(float).mean("trial")
    start = float(ds.error.isel(trial=slice(0, 20)).mean())
    end = float(late.error.isel(trial=slice(-max(n // 12, 1), None)).mean())
    return dict(overlap=ds.attrs["overlap"], error_start=start, error_end=end,
                tracking=float(abs((late.error - late.inhibition).mean("trial")).mean()),
                ecs_off=float(abs(rate - 0.5).mean()), ecs_off_max=float(abs(rate - 0.5).max()),
                error_trace=ds.error.mean("pattern").values,
                status={k: v for k, v in ds.attrs.items()
                        if k in ("status", "diverged_at", "diverged_unit", "divergence")})


def run_patterns(params: PatternsParams, rng: np.random.Generator) -> xr.Dataset:
    loads = params.loads()
    cells = [(c, p) for c in params.levels() for p in loads]
    summaries = map_runs(
        lambda cell, r: _summary(simulate(params.network(*cell), r)),
        cells, rng, cost=lambda cell: cell[1] * params.trials_per_pattern,
        desc="network runs", unit="mov")
    shape = (len(params.levels()), len(loads))
    dims = ("shared", "p")

    def grid(key: str) -> np.ndarray:
        return np.reshape([s[key] for s in summaries], shape)

    described = dict(
        overlap=("fraction of active fibres two movements share (measured)", "1"),
        error_start=("error ℰ, mean of the first 20 trials", "Hz"),
        error_end=("error ℰ, mean of the last 1/12 of the trials", "Hz"),
        tracking=("mean over movements of |⟨ℰ − ℐ⟩| over the second half", "Hz"),
        ecs_off=("mean over movements of |eCS rate − 1/2|, second half", "1"),
        ecs_off_max=("largest |eCS rate − 1/2| of a movement, second half", "1"))
    data = {k: (dims, grid(k), dict(long_name=name, units=u)) for k, (name, u) in described.items()}
    data["error_trace"] = (("shared", "p", "trial"),
                           np.reshape([s["error_trace"] for s in summaries], (*shape, -1)),
                           dict(long_name="error ℰ, mean over movements", units="Hz"))
    ds = xr.Dataset(data, coords=dict(
        shared=("shared", params.levels(), dict(long_name="common fraction of active fibres")),
        p=("p", loads, dict(long_name="number of movements")),
        trial=("trial", np.arange(params.trials_per_pattern), dict(units="trial (per pattern)"))))
    ds["breaks_at"] = breaks_at(ds).assign_attrs(
        long_name=f"smallest overlap at which a movement's eCS rate leaves 1/2 ± {BALANCE}")
    return merge(ds, [xr.Dataset(attrs=s["status"]) for s in summaries])


def checks_patterns(ds: xr.Dataset) -> list[ck.Check]:
    a = ds.attrs
    base = ds.sel(shared=0.0)
    p_top = int(ds.p.max())
    worst_base = float(base.ecs_off_max.max())
    top = ds.sel(p=p_top)
    most = float(ds.shared.max())
    off = ck.off_setting(a, {"S": 10, "L": 40, "T": 10, "N": 2000})
    paper = claim("bouvier2018.patterns.cancellation")
    rows = [
        ck.close(f"measured overlap vs c + (1 − c)²/(2 − c), largest error over the {ds.overlap.size} "
                 "runs", 0.0, float(abs(ds.overlap - xr.apply_ufunc(expected_overlap, ds.shared))
                                    .max()), atol=0.01, source="theory",
                 cite="independent uniform draws of half the fibres (Methods: each movement "
                      "activates a random half of the MFs)"),
        ck.close("p = 2, paper's overlap: mean |eCS rate − 1/2| over the movements, second half "
                 "(tolerance: learning lowers ℰ by ~0.001 Hz per trial against ℐ's steps of "
                 "~0.005 Hz, which holds the rate ~0.05 under 1/2)",
                 0.0, float(base.ecs_off.sel(p=int(ds.p.min()))), atol=0.1, source="theory",
                 cite="Bouvier 2018 Eq 10: ℐ stops drifting when eCS and no-eCS trials balance"),
        claim("bouvier2018.fig8.tracks").check(
            float(base.tracking.sel(p=int(ds.p.min()))),
            what="p = 2, paper's overlap: mean over movements of |⟨ℰ − ℐ⟩|, second half", off=off),
        paper.holds(worst_base <= BALANCE, got=round(worst_base, 3),
                    what=f"paper's overlap ({float(base.overlap.mean()):.2f}), p = 2-{p_top}: "
                         f"largest |eCS rate − 1/2| of any movement ≤ {BALANCE}",
                    expected=f"<= {BALANCE}",
                    deviation="" if worst_base <= BALANCE else _base_deviation(ds)),
        paper.holds(float(top.ecs_off_max.sel(shared=most)) > BALANCE,
                    got=round(float(top.ecs_off_max.sel(shared=most)), 3),
                    what=f"overlap {float(top.overlap.sel(shared=most)):.2f}, p = {p_top}: "
                         f"largest |eCS rate − 1/2| > {BALANCE} (too great an overlap breaks it)",
                    expected=f"> {BALANCE}"),
    ]
    return rows


def _base_deviation(ds: xr.Dataset) -> str:
    base = ds.sel(shared=0.0)
    off = base.ecs_off_max.values
    k = int(np.argmax(off))
    ratio = (base.error_end / base.error_start).values
    below = [f"{x:.2f}" for x in off[:k]]
    return (f"at the paper's overlap the worst movement's eCS rate is {off[k]:.3f} from 1/2 at p = "
            f"{int(base.p[k])} after {ds.attrs['trials_per_pattern']} trials (p = "
            f"{', '.join(str(int(p)) for p in base.p[:k])}: {', '.join(below)}); there the mean "
            f"error also stops falling (final/initial {ratio[k]:.3f}, against {ratio[0]:.3f} at "
            f"p = 2). Cancellation degrades gradually with the number of movements rather than "
            f"holding up to a sharp limit (quick scale, p ≤ 16 and 1000 trials: within 0.06)")


def breaks_at(ds: xr.Dataset) -> xr.DataArray:
    """Per p, the smallest measured overlap at which some movement's eCS rate leaves 1/2 ± BALANCE
    (NaN where none does)."""
    broken = ds.ecs_off_max > BALANCE
    return ds.overlap.where(broken).min("shared")


def plot_patterns(ds: xr.Dataset):
    fig, ax = figure(1, 3, title=f"Many movements and their overlap (network, "
                                 f"{ds.attrs['trials_per_pattern']} trials per movement)", width=5)
    for c in ds.shared.values:
        row = ds.sel(shared=c)
        label = f"overlap {float(row.overlap.mean()):.2f}"
        ax[0, 0].plot(ds.p, row.ecs_off_max, "o-", ms=3, label=label)
        ax[0, 1].plot(ds.p, row.tracking, "o-", ms=3, label=label)
        ax[0, 2].plot(ds.p, row.error_end / row.error_start, "o-", ms=3, label=label)
    ax[0, 0].axhline(BALANCE, color="k", ls="--", lw=1, label=f"±{BALANCE}: cancellation lost")
    ax[0, 0].set(ylabel="largest |eCS rate − 1/2| [dimensionless]",
                 title="does ℐ cancel each movement's error?")
    ax[0, 1].set(ylabel="mean |⟨ℰ − ℐ⟩| per movement [Hz]", title="ℐ's miss, per movement")
    ax[0, 2].set(ylabel="final / initial error ℰ [dimensionless]", title="learning")
    for a, letter in zip(ax[0], "ABC", strict=True):
        a.set(xscale="log", xlabel="number of movements p")
        a.set_xticks(ds.p.values, [str(int(p)) for p in ds.p.values])
        a.minorticks_off()
        a.legend(fontsize=7)
        panel_letter(a, letter)
    return fig


register(Experiment(
    name="bouvier2018-patterns",
    reproduces=f"{PAPER}, beyond Fig 8: the network learning 2 to 100 movements with controlled "
               "overlap; where movement-specific cancellation breaks",
    params=PatternsParams, run=run_patterns, plot=plot_patterns, checks=checks_patterns))
