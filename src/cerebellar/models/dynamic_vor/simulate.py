"""The dynamic VOR over time: set-up of the stimulus, the steady state the run starts in, the
batch, and the dataset (the model reference, 'Dynamic VOR model')."""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from cerebellar.core.batch import attach_batch, batch_arrays, broadcast_values
from cerebellar.core.errors import ParameterError
from cerebellar.core.status import mark_diverged
from cerebellar.rules import Rule, rule_of

from . import theory as th
from .kernels import compiled, reference
from .params import MODEL, DynamicVORParams

BATCHABLE = ("frequency", "g", "b", "v", "tau_plant", "delay", "trace", "gamma", "q", "A", "rho",
             "alpha_w", "alpha_v")
"""Parameters that may vary across one call's runs (each a named dim)."""

RUNAWAY = 1e6
"""An RMS slip above this (per unit head velocity) marks the run diverged."""


def simulate(params: DynamicVORParams, rng: np.random.Generator | None = None, *,
             rule: Rule | str | None = None, backend: str = "numba",
             a0: np.ndarray | None = None, d0: np.ndarray | None = None,
             **batch: Any) -> xr.Dataset:
    """Learn for ``params.duration`` seconds; any of `BATCHABLE` may be an array (a batch dim).

    ``a0`` (K,) and ``d0`` (2,) are the initial cortical and brainstem weights (default 0 and the
    brainstem calibrated for the plant model, (1, 1)). ``rng`` is needed for a broadband stimulus
    (random phases). Returns a dataset over ``(*batch_dims, "time")`` with the weights ``a``
    (granule signal k), ``d`` (vestibular signal j), the RMS slip of each record interval
    (``error``) and the gain and phase of the VOR (−E/h) over the last second, or the last whole
    cycles, of sine 0 (``gain``, ``phase``). ``backend="numpy"`` runs the NumPy reference.
    """
    if backend not in ("numba", "numpy"):
        raise ParameterError(f"backend = {backend!r}: allowed one of numba, numpy")
    rule = rule_of(params, MODEL, rule)
    given = batch_arrays(params, batch, BATCHABLE)
    dims, shape, p = broadcast_values(given)
    B = int(np.prod(shape, dtype=np.int64))
    flat = {k: np.ravel(np.broadcast_to(v, shape)) for k, v in p.items()}
    dt = params.dt
    steps = {}
    for name in ("delay", "trace"):
        k = flat[name] / dt
        if np.any(np.abs(k - np.round(k)) > 1e-6):
            raise ParameterError(f"parameter '{name}': every value must be a whole number of steps "
                                 f"dt = {dt!r}")
        steps[name] = np.round(k).astype(np.int64)
    if np.any(flat["frequency"] * dt > 0.05):
        raise ParameterError(f"parameter 'frequency': at most 1/(20 dt) = {0.05 / dt:g} Hz")
    N = round(params.duration / dt)
    R = max(1, round(params.record_every / dt))

    # stimulus: sines (B, M)
    if params.stimulus == "sine":
        f = flat["frequency"][:, None]
        amp, phase = np.ones_like(f), np.zeros_like(f)
    else:
        if rng is None:
            raise ParameterError("a broadband stimulus draws random phases: pass rng, a "
                                 "numpy.random.Generator")
        f0, amp0, phase0 = th.stimulus(params, rng)
        f, amp, phase = (np.broadcast_to(v, (B, v.size)) for v in (f0, amp0, phase0))
    window = np.maximum(1.0, np.ceil(f[:, 0]) if params.stimulus == "sine" else 1.0) / f[:, 0]
    W = round(min(float(np.max(window)), params.duration) / dt)

    # granule signals: instantaneous (h, ḣ terms) or low-pass filters of ḣ
    K = {"pair": 2, "h": 1}.get(params.basis, params.n_basis)
    per_run = [params.replace(frequency=float(fr)) for fr in flat["frequency"]] \
        if params.basis == "pair" else [params] * B
    scale = np.stack([th.basis_scale(pr) for pr in per_run])                 # (B, K)
    ch = np.zeros((B, K))
    ch[:, 0] = scale[:, 0]
    chd = scale.copy()
    chd[:, 0] = 0.0
    if params.basis == "pair":
        chd[:, 1] /= th.omega(flat["frequency"])
    elif params.basis == "bank":
        chd[:, 1] *= params.tau_model
    filt = np.zeros(K, bool)
    filt[2:] = True
    coeffs = np.zeros((B, K, 3))
    if K > 2 and params.basis == "bank":
        coeffs[:, 2:] = reference.foh(th.bank_taus(params), dt)
    X = np.stack([th.basis_response(pr, f[i]) for i, pr in enumerate(per_run)])  # (B, M, K)

    a_init = np.zeros((B, K)) if a0 is None else np.broadcast_to(np.asarray(a0, float), (B, K)).copy()
    d_init = np.tile([1.0, 1.0], (B, 1)) if d0 is None else \
        np.broadcast_to(np.asarray(d0, float), (B, 2)).copy()
    Z = th.vestibular_response(params, f)                                      # (B, M, 2)
    model = th.lowpass(f, params.tau_model)                                    # (B, M)
    plant_tf = th.lowpass(f, flat["tau_plant"][:, None])
    G0 = th.closed_loop(plant_tf, np.einsum("bmj,bj->bm", Z, d_init) - np.einsum("bmk,bk->bm", X, a_init),
                        flat["g"][:, None], flat["b"][:, None], flat["v"][:, None],
                        np.exp(-1j * th.omega(f) * flat["delay"][:, None]))
    Y = X * model[..., None] if params.eligibility == "filtered_x" else X

    def wave(H: np.ndarray, t: np.ndarray, rows: slice = slice(None)) -> np.ndarray:
        """Im Σ_m A_m H_m e^{i(ω_m t + φ_m)} for H (runs, M[, K]) at times t (T,): (runs, T[, K])."""
        e = amp[rows, None, :] * np.exp(1j * (th.omega(f)[rows, None, :] * t[None, :, None]
                                              + phase[rows, None, :]))
        return np.einsum("bm...,btm->bt...", H, e).imag

    Lmax, Tmax = max(1, int(steps["delay"].max())), max(1, int(steps["trace"].max()))
    Hs = np.zeros((B, Lmax))
    Hy = np.zeros((B, Tmax, K))
    for b in range(B):   # the delay lines hold the steady state at t = (j − L) dt, j = 0 … L − 1
        one = slice(b, b + 1)
        Lb, Tb = int(steps["delay"][b]), int(steps["trace"][b])
        if Lb:
            Hs[b, :Lb] = wave(flat["g"][one, None] - G0[one], (np.arange(Lb) - Lb) * dt, one)[0]
        if Tb:
            Hy[b, :Tb] = wave(Y[one], (np.arange(Tb) - Tb) * dt, one)[0]
    zero = np.zeros(1)
    x0, y0, p0 = (wave(H, zero)[:, 0] for H in (X, Y, G0))

    prm = np.stack([rule.constants_for({**params.flat_dict(), **{k: v[b] for k, v in flat.items()}})
                    for b in range(B)]) if B else None
    state = np.zeros((B, rule.state_size(1)))
    nbin = round(params.bin_width / dt)
    if rule.perturbs:     # one draw per bin and run, after the stimulus's phases
        if rng is None:
            raise ParameterError(f"rule '{rule.name}' draws perturbations: pass rng, a "
                                 "numpy.random.Generator")
        draws = rng.random((B, N // nbin + 1))
        sbin = np.array([[rule.perturb(u, prm[b]) for u in draws[b]] for b in range(B)])
        trial = round(params.trial / dt)
    else:
        sbin, trial = np.zeros((B, N // nbin + 1)), 0
    args = (N, R, W, dt, amp * np.exp(1j * phase), np.exp(1j * th.omega(f) * dt), th.omega(f),
            ch, chd, filt, coeffs[..., 0], coeffs[..., 1], coeffs[..., 2],
            reference.foh(flat["tau_plant"], dt), reference.foh(np.full(B, params.tau_model), dt),
            params.eligibility == "filtered_x", params.tau_model, flat["g"], flat["b"], flat["v"],
            flat["gamma"],
            flat["q"], steps["delay"], steps["trace"], Hs, Hy, a_init, d_init, x0, p0, y0, prm,
            state, trial, nbin, flat["A"], sbin)
    if backend == "numba":
        a_rec, d_rec, msq, G = compiled.kernel(rule.update)(*args)
    else:
        a_rec, d_rec, msq, G = reference.integrate(rule.update.py_func, *args)

    times = reference.record_steps(N, R) * dt
    tdims = (*dims, "time")
    ds = xr.Dataset(
        dict(a=xr.DataArray(a_rec.reshape(*shape, -1, K), dims=(*tdims, "k"),
                            attrs=dict(long_name="cortical weight a_k of granule signal k", units="1")),
             d=xr.DataArray(d_rec.reshape(*shape, -1, 2), dims=(*tdims, "j"),
                            attrs=dict(long_name="brainstem weight d_j of vestibular signal z_j",
                                       units="1")),
             error=xr.DataArray(np.sqrt(msq).reshape(*shape, -1), dims=tdims,
                                attrs=dict(long_name="RMS retinal slip since the previous record",
                                           units="1")),
             gain=xr.DataArray(np.abs(G).reshape(shape), dims=dims,
                               attrs=dict(long_name="VOR gain |−E/h| at the stimulus frequency "
                                                    "(sine 0), simulated, end of the run",
                                          units="1")),
             phase=xr.DataArray(np.degrees(np.angle(G)).reshape(shape), dims=dims,
                                attrs=dict(long_name="VOR phase of −E/h (lead positive), simulated",
                                           units="degree"))),
        coords=dict(time=("time", times, dict(units="s")), k=np.arange(K), j=np.arange(2)))
    if params.stimulus == "broadband":
        ds["stimulus_frequency"] = xr.DataArray(f[0], dims="sine", attrs=dict(units="Hz"))
        ds["stimulus_phase"] = xr.DataArray(phase[0], dims="sine", attrs=dict(units="rad"))
    ds = attach_batch(ds, given, batch, params)
    ds.attrs.update(rule=rule.name, **rule.settings_attrs(), fit_window=W * dt)
    final = ds.error.isel(time=-1)
    if not np.all(np.isfinite(final)) or float(final.max()) > RUNAWAY:
        mark_diverged(ds, float(times[-1]), "time", "RMS slip ran away: the learning loop is "
                                                      "unstable at these rates")
    return ds
