"""Static linear VOR model of Coenen, Sejnowski & Lisberger (1993).

Model reference: ``docs/models.md#static-vor-model`` (the model reference, 'Static VOR model').
Signals are deviations from resting rates per unit head velocity h, one learning update per cycle
of head rotation with ∫h² dt = 1 (the paper's explicit per-cycle Euler scheme, Fig 3; the model
reference, 'VOR learning rules'):

    P = A h + b e − v (g h + e)      Purkinje node (A plastic, b and v fixed)         (Fig 2)
    N = D h − P                      vestibular nucleus (D plastic)                   (Fig 2)
    e = −N                           plant of gain −1

    ΔA = −η_A v [(g − D) + p]                 cerebellar rule        (Fig 3, top)
    ΔD =  η_D [(1 − q)(g − D) + (1 − 2q) p]   vestibular-nucleus rule (Fig 3, bottom)

with p = P/h in the light, from the previous cycle's A and D. In the dark (§6 of the paper; the
model reference, 'Light, dark and gating') the visual mossy fibres and the climbing fibres are
silent: ΔA = 0 and ΔD = −η_D q P_dark, unless nucleus learning is gated by vision
(``gate_nucleus``, the paper's proposed remedy, §6 of the paper), in which case ΔD = 0.

The cortical gain A learns by a rule of `cerebellar.rules` (``rule``): ``local`` is
Coenen's rule above, fed the climbing-fibre error (gh + e)/h as its signed error. With
``sgdege`` (beyond the papers; the model reference, 'SGDEGE on the VOR') a pCS adds ξ to P on a
fraction ρ of cycles, the error is the unsigned slip |gh + e|/h, an olive with drive V and
nucleo-olivary inhibition ℐ = V − q_NO p gives the eCS (c = ±1), and ΔA = −α_w c on pCS cycles,
ΔV = α_v c; the nucleus keeps Coenen's rule with its climbing-fibre term carried by the eCS
train, cf = κ c on lit cycles (κ = ``ecs_weight``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from cerebellar.core.batch import attach_batch, batch_arrays, broadcast_values
from cerebellar.core.errors import ParameterError
from cerebellar.core.progress import progress
from cerebellar.core.status import mark_diverged
from cerebellar.models.vor.params import MODEL, VORParams
from cerebellar.models.vor.theory import gain_dark, gain_light, purkinje_dark, purkinje_light, slip
from cerebellar.rules import (
    BatchRule,
    Rule,
    ecs_sign,
    nucleus_update,
    rule_of,
)

RUNAWAY_GAIN = 1e6
"""|G| beyond this on a lit cycle (or any non-finite state) marks a run as diverged: the light
dynamics are a stable linear map whenever the learning rates are in range (the model reference,
'VOR stability'), so a gain a million times the desired one can only come from an unstable step
size. In the dark the model's own runaway (paper §6; the model reference, 'Learning in the dark')
is a result, not a divergence."""
CHECK_EVERY = 50
"""Cycles between two divergence checks (a non-finite or runaway gain stays so): checking every
cycle would slow the batched loop by a fifth."""

# -- closed-form responses (Fig 3, paper §2; the model reference, 'VOR closed-form responses') ---


# -- parameters ----------------------------------------------------------------------------


SCHEDULE_FIELDS = ("n_cycles", "light_cycles", "dark_cycles", "rule", "rule_settings")
"""Fields shared by a whole batch (the time axis); every other field may vary across the batch."""

OUTPUT_ATTRS = {
    "A": ("vestibular mossy-fibre gain onto P", "1"),
    "D": ("vestibular gain onto N", "1"),
    "G": ("VOR gain in the dark", "1"),
    "G_light": ("VOR gain in the light", "1"),
    "P_light": ("Purkinje response in the light", "per unit head velocity"),
    "P_dark": ("Purkinje response in the dark", "per unit head velocity"),
    "N_light": ("nucleus response in the light", "per unit head velocity"),
    "N_dark": ("nucleus response in the dark", "per unit head velocity"),
    "slip": ("climbing-fibre error (g h + e)/h", "per unit head velocity"),
    "desired_gain": ("desired gain in force", "1"),
    "light": ("cycle in the light", "1"),
    "error": ("unsigned error |gh + e|/h of the cycle's update (with its pCS)", "per unit head velocity"),
    "ecs": ("error complex spike of the cycle's update", "1"),
    "V": ("olive drive V", "per unit head velocity"),
}


def light_schedule(params: VORParams) -> np.ndarray:
    """``light[t]`` for t = 0..n_cycles: whether cycle t+1 (the update from state t) is lit.

    Periods of ``light_cycles`` lit cycles then ``dark_cycles`` dark ones, repeated; always lit
    when ``dark_cycles == 0``.
    """
    t = np.arange(params.n_cycles + 1)
    if params.dark_cycles == 0:
        return np.ones(t.shape, bool)
    return (t % (params.light_cycles + params.dark_cycles)) < params.light_cycles


def simulate(params: VORParams, rng: np.random.Generator | None = None, *,
             rule: Rule | str | None = None,
             backend: str = "numba", record_every: int = 1, **batch: Any) -> xr.Dataset:
    """Run the per-cycle learning rules for one parameter set or any batch of them, vectorised.

    Keyword arguments override parameters: a scalar changes it for all runs, a 1-D array makes a
    batch dimension named after the parameter, an ``xarray.DataArray`` brings its own dims (so
    ``eta_A=xr.DataArray(r, dims="r") * 0.01`` sweeps the rate ratio r). All batch dims are
    broadcast together, so a whole (q × r) grid runs in one call.

    Returns a dataset over ``(*batch_dims, "cycle")`` with A, D, G, G_light, P_light, P_dark,
    N_light, N_dark, slip, g and light, recorded every ``record_every`` cycles (the last cycle is
    always recorded), and G_max/G_min with the cycles at which they occur over every cycle.
    Value at cycle t = state after t updates; its g and light are those of the next update.
    A learns by ``rule`` (default ``params.rule``); each cycle draws one uniform number per run
    from ``rng`` for the rule's perturbation. A rule without perturbations (``local``) is
    deterministic and needs no ``rng`` (given one, it draws from it all the same, so a run
    leaves the generator where it always did). With an olive (``sgdege``) also V, the error and
    the eCS of each recorded cycle's update. ``backend="numpy"`` runs the rule's plain Python
    (the compiled call's reference).
    """
    if backend not in ("numba", "numpy"):
        raise ParameterError(f"backend = {backend!r}: allowed one of numba, numpy")
    if int(record_every) < 1:
        raise ParameterError(f"record_every = {record_every!r} is out of range: allowed integer >= 1")
    for name in SCHEDULE_FIELDS:
        if name in batch:
            raise ParameterError(f"parameter '{name}' sets the time axis and cannot vary in a batch")
    given = batch_arrays(params, batch, [n for n in params.names() if n not in SCHEDULE_FIELDS])
    dims, shape, p = broadcast_values(given)
    n = params.n_cycles
    light = light_schedule(params)
    cycles = np.unique(np.r_[np.arange(0, n + 1, int(record_every)), n])
    rec_index = np.full(n + 1, -1)
    rec_index[cycles] = np.arange(cycles.size)

    A = p["A0"].astype(float).copy()
    D = p["D0"].astype(float).copy()
    A_rec = np.empty((cycles.size, *shape))
    D_rec = np.empty_like(A_rec)
    b, v, q, eta_D, xi, q_no = (p[k].astype(float) for k in
                                ("b", "v", "q", "eta_D", "xi", "q_no"))
    rule = rule_of(params, MODEL, rule)
    if rng is None and rule.perturbs:
        raise ParameterError(f"rule '{rule.name}' draws perturbations: pass rng, a "
                             "numpy.random.Generator")
    no_perturbation = np.zeros(shape)
    cortex = BatchRule(rule, p, shape, compiled=backend == "numba")
    olive = rule.uses_olive
    V = p["V0"].astype(float).copy()
    extra = {k: np.full((cycles.size, *shape), np.nan) for k in ("V", "error", "ecs")}
    gate, off = p["gate_nucleus"].astype(bool), p["off_cycle"]

    g_on, any_off = p["g"].astype(float), bool((off > 0).any())

    def desired(t: int) -> np.ndarray:
        return np.where((off > 0) & (t >= off), 1.0, g_on) if any_off else g_on

    G_max = np.full(shape, -np.inf)
    G_min = np.full(shape, np.inf)
    t_max = np.zeros(shape, int)
    t_min = np.zeros(shape, int)
    bad_at, bad_G = -1, 0.0
    with progress(n, "VOR cycles", unit="cycle") as bar:
        for t in range(n + 1):
            G = gain_dark(A, D, b)
            if bad_at < 0 and (t % CHECK_EVERY == 0 or t == n):
                bad = ~np.isfinite(G) | ((np.abs(G) > RUNAWAY_GAIN) & bool(light[max(t - 1, 0)]))
                if bad.any():
                    bad_at, bad_G = t, float(np.asarray(G)[bad].flat[0])
            up, down = G > G_max, G < G_min
            G_max, t_max = np.where(up, G, G_max), np.where(up, t, t_max)
            G_min, t_min = np.where(down, G, G_min), np.where(down, t, t_min)
            slot = rec_index[t]
            if slot >= 0:
                A_rec[slot], D_rec[slot], extra["V"][slot] = A, D, V
            if t == n:
                break
            s = cortex.perturb(rng.random(shape)) if rng is not None else no_perturbation
            if light[t]:                       # P with the pCS inside the loop, the slip it gives
                P = purkinje_light(A, D, desired(t), b, v) + s * xi / (1.0 - b + v)
                cf = (desired(t) - D) + P
            else:                              # no vision: no error, no climbing-fibre error
                P = purkinje_dark(A, D, b) + s * xi / (1.0 - b)
                cf = np.zeros(shape)
            E = np.abs(cf)
            J = V - q_no * P if olive else 0.0  # deviations from rest: not rectified [NS]
            a, b_s, dv, drift = cortex.update(E, cf, J)
            if slot >= 0:
                extra["error"][slot] = E
            if olive:
                c = ecs_sign(E, J)
                V = V + dv
                cf = p["ecs_weight"] * c if light[t] else cf
                if slot >= 0:
                    extra["ecs"][slot] = c > 0
            dD = nucleus_update(P, cf, q, eta_D, gate & (not light[t]))
            A, D = A + (a + b_s * s + drift), D + dD
            if t % 1000 == 999:
                bar.update(1000)

    g_rec = np.stack([desired(int(t)) for t in cycles]).astype(float)
    order = (*range(1, len(shape) + 1), 0)  # batch dims first, cycle last
    out_dims = (*dims, "cycle")

    def var(x: np.ndarray, name: str) -> xr.DataArray:
        long_name, units = OUTPUT_ATTRS[name]
        return xr.DataArray(np.transpose(x, order), dims=out_dims,
                            attrs=dict(long_name=long_name, units=units))

    bb, vv = b[None], v[None]
    data = dict(
        A=A_rec, D=D_rec, G=gain_dark(A_rec, D_rec, bb),
        G_light=gain_light(A_rec, D_rec, g_rec, bb, vv),
        P_light=purkinje_light(A_rec, D_rec, g_rec, bb, vv),
        P_dark=purkinje_dark(A_rec, D_rec, bb),
        slip=slip(A_rec, D_rec, g_rec, bb, vv), desired_gain=g_rec,
    )
    data["N_light"] = D_rec - data["P_light"]
    data["N_dark"] = D_rec - data["P_dark"]
    data["error"] = extra["error"]
    if olive:
        data.update(V=extra["V"], ecs=extra["ecs"])
    ds = xr.Dataset({k: var(x, k) for k, x in data.items()})
    ds["light"] = xr.DataArray(light[cycles], dims="cycle",
                               attrs=dict(long_name=OUTPUT_ATTRS["light"][0]))
    for name, x, long_name in (("G_max", G_max, "largest dark gain over all cycles"),
                               ("G_min", G_min, "smallest dark gain over all cycles")):
        ds[name] = xr.DataArray(x, dims=dims, attrs=dict(long_name=long_name, units="1"))
    for name, x in (("cycle_of_G_max", t_max), ("cycle_of_G_min", t_min)):
        ds[name] = xr.DataArray(x, dims=dims, attrs=dict(units="cycle"))
    ds = ds.assign_coords(cycle=("cycle", cycles, dict(long_name="time", units="cycle")))
    if olive:
        ds["ecs"] = ds.ecs.fillna(0).astype(bool).assign_attrs(ds.ecs.attrs)
    ds = attach_batch(ds, given, batch, params)
    ds.attrs.update(rule=rule.name, **rule.settings_attrs())
    if bad_at >= 0:
        mark_diverged(ds, bad_at, "cycle", f"VOR gain G = {bad_G:.3g}: the per-cycle map of the "
                                           "Fig 3 rules is unstable at these learning rates")
    return ds
