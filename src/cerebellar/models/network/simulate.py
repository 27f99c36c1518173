"""Olivo-cerebellar rate network learning by SGDEGE (Bouvier et al. 2018, Methods Eqs 1-13;
the model reference, 'Rate network').

S×L Purkinje cells (PC), L projection neurones (PN) and L nucleo-olivary neurones (NO), N mossy
fibres (MF) per sagittal row, T time bins. Each active fibre fires in one bin of a movement.

    PC_{s,l}(t) = Φ(Σ_i w^l_{i,s} σ^l_{i,s} M_{i,s}(t) + η_l(t) A)               (Eqs 2, 6)
    PN_l(t) = Φ(Σ_{i,s} u^l_{i,s} M_{i,s}(t) + u_PC→PN Σ_s PC_{s,l}(t))         (Eq 3)
    NO_l(t) = Φ(Σ_{i,s} v^l_{i,s} M_{i,s}(t) + q u_PC→PN Σ_s PC_{s,l}(t))       (Eqs 4, 13)
    ℰ = ⟨|PN − R|⟩_{l,t},  e = ⟨R − PN⟩_{l,t},  ℐ = ⟨NO⟩_{l,t}                   (Eqs 7, 14, 8)

The weights learn by a rule of `cerebellar.rules` from these teaching signals; with
SGDEGE (the default), c = sign(ℰ − ℐ) and

    w^l_{i,s} ← w^l_{i,s} − α_w c Σ_t η_l(t) M_{i,s}(t)                          (Eq 9)
    v_{i,s} ← [v_{i,s} + α_v c Σ_t M_{i,s}(t)]_+                                 (Eq 10)

and with Marr-Albus-Ito (``rule="mai"``, Fig 2) w^l_{i,s} ← w^l_{i,s} − α_w Σ_t M_{i,s}(t) when
the climbing fibres fire, + β_w otherwise (Eq 15). In general a rule returns (a, b, Δv, drift):
every active synapse changes by a, those of a column perturbed by s·A in its perturbed bin by
b·s more, active MF→NO weights by Δv (rectified), every MF→PC weight by the drift.

Φ clips to [0, r_max]. Each climbing fibre l draws its perturbation s_l from the rule (SGDEGE: a
pCS with probability ρ per movement), in one random bin, perturbing the whole column of S cells.
Two kernels run the same movements from the same pre-drawn uniform numbers: `run_numpy`
recomputes every Purkinje drive by batched matrix products; `run_incremental` keeps each
pattern's drives and updates only what the rule changed, using overlap counts K^{μν}[s,l,t*,t']
(connected fibres active at t* in μ and at t' in ν), so a perturbed column costs S×T additions
per pattern.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from cerebellar.core.errors import ParameterError
from cerebellar.core.progress import progress
from cerebellar.core.status import mark_diverged
from cerebellar.models.network.draw import Network, draw_perturbations, initial_rates, profile_trials
from cerebellar.models.network.kernels.common import RECORDS
from cerebellar.models.network.kernels.direct import run_direct
from cerebellar.models.network.kernels.incremental import run_incremental
from cerebellar.models.network.kernels.reference import run_numpy
from cerebellar.models.network.params import MODEL, OVERLAP_BUDGET, NetworkParams, overlap_bytes
from cerebellar.rules import Rule, rule_of

# -- the NumPy reference ---------------------------------------------------------------------


# -- the compiled kernel -----------------------------------------------------------------------


def run_compiled(net: Network, u, pbin, profile_at, rule: Rule | str | None = None,
                 bar=None) -> dict[str, np.ndarray]:
    """The incremental kernel while its overlap counts fit `OVERLAP_BUDGET`, else the
    direct one."""
    kernel = run_incremental if overlap_bytes(net.params) <= OVERLAP_BUDGET else run_direct
    return kernel(net, u, pbin, profile_at, rule, bar=bar)


KERNELS = {"numba": run_compiled, "numpy": run_numpy, "incremental": run_incremental,
           "direct": run_direct}


def simulate(params: NetworkParams, rng: np.random.Generator, *, rule: Rule | str | None = None,
             backend: str = "numba") -> xr.Dataset:
    """Draw a network and learn ``n_patterns`` movements by ``rule`` (default ``params.rule``);
    per movement over (pattern, trial): ℰ, e, ℐ, the rule's climbing-fibre error signal (``ecs``,
    where it has one), the perturbed-column count and mean PN and PC rates; PN profiles with
    their targets at `profile_trials`."""
    p = params
    if backend not in KERNELS:
        raise ParameterError(f"backend = {backend!r}: allowed one of {', '.join(KERNELS)}")
    rule = rule_of(p, MODEL, rule)
    net = Network.draw(p, rng)
    n_mov = p.n_patterns * p.trials_per_pattern
    u, pbin = draw_perturbations(p, n_mov, rng)
    at = profile_trials(p)
    with progress(n_mov, f"network movements ({rule.name})", unit="mov") as bar:
        rec = KERNELS[backend](net, u, pbin, at, rule, bar=bar) if backend != "numpy" else \
            run_numpy(net, u, pbin, at, rule)
    shape = (p.trials_per_pattern, p.n_patterns)
    per_movement = {k: rec[k].reshape(shape).T for k in RECORDS}
    dims = ("pattern", "trial")
    described = dict(
        error=("E", "error ℰ = ⟨|PN − R|⟩", "Hz"),
        signed_error=("e", "signed error e = ⟨R − PN⟩ (Eq 14)", "Hz"),
        inhibition=("I", "inhibition ℐ = ⟨NO⟩", "Hz"),
        n_pcs=("n_pcs", "perturbed columns (pCSs)", "1"),
        pn_mean=("pn_mean", "mean PN rate", "Hz"),
        pc_mean=("pc_mean", "mean PC rate", "Hz"))
    data = {name: (dims, per_movement[key], dict(long_name=long_name, units=units))
            for name, (key, long_name, units) in described.items()}
    if rule.complex_spike is not None:
        data["ecs"] = (dims, rule.complex_spike(per_movement["E"], per_movement["e"],
                                                per_movement["I"]),
                       dict(long_name="climbing-fibre error signal (eCS)"))
    init = initial_rates(net)
    ds = xr.Dataset(
        dict(
            **data,
            PN=(("profile_trial", "pattern", "neuron", "bin"), rec["PN"],
                dict(long_name="PN rate", units="Hz")),
            target=(("pattern", "neuron", "bin"), net.R, dict(long_name="target R", units="Hz")),
            perturbation_bins=(("bin",), np.bincount(pbin.ravel(), minlength=p.T),
                               dict(long_name="bins drawn for the perturbations, all movements "
                                              "and climbing fibres", units="1")),
            **{f"initial_{k}_mean": ((), v, dict(units="Hz")) for k, v in init.items()},
        ),
        coords=dict(trial=("trial", np.arange(p.trials_per_pattern), dict(units="trial (per pattern)")),
                    pattern=np.arange(p.n_patterns), profile_trial=at),
        attrs=dict(backend=backend, rule=rule.name, **rule.settings_attrs(),
                   mf_ceiling=float(net.mf_drive_pn().mean()), overlap=net.overlap()),
    )
    at_trial, why = runaway(per_movement["E"].mean(axis=0), rec["PN"][-1], p.r_max)
    if why:
        mark_diverged(ds, at_trial, "trial", why)
    return ds


RUNAWAY_FACTOR = 1.5
"""A smoothed error above RUNAWAY_FACTOR × its initial value marks a run as diverged: SGDEGE
lowers the error (Fig 8), and even a stalled run (q ≥ 1: no convergence, as Fig 9D shows for the
reduced model; the network's stall is our own observation) stays below its start (the model
reference, 'Network plasticity')."""


PINNED = 0.75
"""Fraction of final PN rates at 0 or r_max beyond which the output is pinned (targets are spread
over [0, 2 r_D]: a learnt profile has few rates at a bound)."""


def runaway(E: np.ndarray, PN_last: np.ndarray, r_max: float) -> tuple[int, str]:
    """(trial, why) of a runaway learning run, or (-1, ''): non-finite errors, a smoothed error
    above RUNAWAY_FACTOR × that of the first 5 trials, or the final PN profile pinned at 0 or
    r_max."""
    bad = np.flatnonzero(~np.isfinite(E))
    if bad.size:
        return int(bad[0]), "non-finite error ℰ"
    n = max(1, min(50, E.size // 4))
    smooth = np.convolve(E, np.ones(n) / n, mode="valid")
    start = float(E[:5].mean())
    above = np.flatnonzero(smooth > RUNAWAY_FACTOR * start)
    if above.size:
        return int(above[0]), (f"error ℰ rose from {start:.3g} to {float(smooth.max()):.3g} Hz "
                               f"(> {RUNAWAY_FACTOR:g} × its start)")
    pinned = float(np.mean((PN_last <= 0) | (PN_last >= r_max)))
    if pinned > PINNED:
        return E.size - 1, f"{pinned:.0%} of the final PN rates pinned at 0 or r_max"
    return -1, ""
