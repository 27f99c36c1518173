"""The dynamic VOR integrated by Numba, one run of the batch at a time, the rule's ``update``
bound at compile time (one compiled kernel per rule and process). Same arguments and records as
`reference.integrate`, which is its NumPy reference."""

from __future__ import annotations

from collections.abc import Callable

import numba
import numpy as np

from .reference import allocate


def one_run(update: Callable) -> Callable:
    """The compiled integrator of one run with the rule's ``update`` bound (a closure, so the
    call is typed once)."""

    @numba.njit
    def one(b, N, R, W, dt, ph0, rot, w, ch, chd, filt, fa, fb0, fb1, plant, model, filtered,
            tz, g, bec, vis, gamma, q, L, Ltr, Hs, Hy, a, d, x, p, y, prm, state,
            trial, nbin, amp, sbin, a_rec, d_rec, msq_rec):  # pragma: no cover - compiled
        """One run (row ``b`` of every batch array); returns the complex gain −E/h on sine 0 over
        the last ``W`` steps. See `reference.integrate` for the equations."""
        M, K = ph0.shape[1], ch.shape[1]
        ph = ph0[b].copy()
        Hs_b, Hy_b = Hs[b].copy(), Hy[b].copy()
        delayed = L[b] > 0
        perturbing = trial > 0
        e_sq = e_sum = olive = 0.0
        act = np.zeros(K)                       # ∫ x_k dt over the trial
        act_p = np.zeros(K)                     # ∫ s x_k dt over the trial (perturbed bins)
        h = 0.0
        hd = 0.0
        for m in range(M):
            h += ph[m].imag
            hd += w[b, m] * ph[m].real
        acc, r = 0.0, 1
        sxx = sxy = syy = px = py = 0.0
        a_rec[b, 0] = a
        d_rec[b, 0] = d
        msq_rec[b, 0] = np.nan
        last = 0
        for n in range(N):
            s = g[b] * h - p
            acc += s * s
            if n >= N - W:
                sn, cn = ph[0].imag, ph[0].real
                sxx += sn * sn
                sxy += sn * cn
                syy += cn * cn
                px += p * sn
                py += p * cn
            if delayed:
                e = Hs_b[n % L[b]]
                Hs_b[n % L[b]] = s
            else:
                e = s
            P = -bec[b] * p - vis[b] * e + sbin[b, n // nbin] * amp[b]
            for k in range(K):
                P += a[k] * x[k]
            cmd = d[0] * h + d[1] * tz * hd - P
            if perturbing:
                e_sq += e * e
                e_sum += e
                for k in range(K):
                    act[k] += x[k] * dt
                    act_p[k] += sbin[b, n // nbin] * x[k] * dt
                if (n + 1) % trial == 0:
                    E = np.sqrt(e_sq / trial)
                    ca, cb, dv, drift = update(E, e_sum / trial, olive, 0, state[b], prm[b])
                    for k in range(K):
                        a[k] += ca * act[k] + cb * act_p[k] + drift
                        act[k] = 0.0
                        act_p[k] = 0.0
                    olive += dv
                    e_sq = e_sum = 0.0
            else:
                coef = update(abs(e), e, 0.0, 0, state[b], prm[b])[0] * dt
                if Ltr[b] > 0:
                    for k in range(K):
                        yk = Hy_b[n % Ltr[b], k]
                        Hy_b[n % Ltr[b], k] = y[k]
                        a[k] += coef * yk
                else:
                    for k in range(K):
                        a[k] += coef * y[k]
            step = dt * gamma[b] * ((1.0 - q[b]) * e - q[b] * P)
            d[0] += step * h
            d[1] += step * tz * hd
            # advance to t_{n+1}: stimulus, granule signals, command, plant, eligibility
            hd_old = hd
            h = 0.0
            hd = 0.0
            for m in range(M):
                ph[m] *= rot[b, m]
                h += ph[m].imag
                hd += w[b, m] * ph[m].real
            forward = d[0] * h + d[1] * tz * hd - sbin[b, (n + 1) // nbin] * amp[b]
            for k in range(K):
                x_old = x[k]
                if filt[k]:
                    x[k] = fa[b, k] * x[k] + chd[b, k] * (fb0[b, k] * hd_old + fb1[b, k] * hd)
                else:
                    x[k] = ch[b, k] * h + chd[b, k] * hd
                if filtered:
                    y[k] = model[b, 0] * y[k] + model[b, 1] * x_old + model[b, 2] * x[k]
                else:
                    y[k] = x[k]
                forward -= a[k] * x[k]
            if delayed:         # the next command's visual slip is in the delay line
                seen, loop = Hs_b[(n + 1) % L[b]], bec[b]
            else:               # undelayed: it depends on the new eye velocity too
                seen, loop = g[b] * h, bec[b] - vis[b]
            p = (plant[b, 0] * p + plant[b, 1] * cmd + plant[b, 2] * (forward + vis[b] * seen)) \
                / (1.0 - plant[b, 2] * loop)
            if (n + 1) % R == 0 or n + 1 == N:
                a_rec[b, r] = a
                d_rec[b, r] = d
                msq_rec[b, r] = acc / (n + 1 - last)
                acc, last, r = 0.0, n + 1, r + 1
        det = sxx * syy - sxy * sxy
        re = (px * syy - py * sxy) / det
        im = (py * sxx - px * sxy) / det
        return (re + 1j * im) / abs(ph0[b, 0])

    return one


_KERNELS: dict[Callable, Callable] = {}


def kernel(update: Callable) -> Callable:
    """The batch integrator with ``update`` bound (built once per rule function and process):
    called as `reference.integrate` without its ``update`` argument."""
    if update not in _KERNELS:
        one = one_run(update)

        @numba.njit
        def run_all(N, R, W, dt, ph0, rot, w, ch, chd, filt, fa, fb0, fb1, plant, model, filtered,
                    tz, g, bec, vis, gamma, q, L, Ltr, Hs, Hy, a0, d0, x0, p0, y0, prm, state,
                    trial, nbin, amp, sbin, a_rec, d_rec, msq, G):  # pragma: no cover - compiled
            for b in range(a0.shape[0]):
                G[b] = one(b, N, R, W, dt, ph0, rot, w, ch, chd, filt, fa, fb0, fb1, plant,
                           model, filtered, tz, g, bec, vis, gamma, q, L, Ltr, Hs, Hy, a0[b].copy(),
                           d0[b].copy(), x0[b].copy(), p0[b], y0[b].copy(), prm, state,
                           trial, nbin, amp, sbin, a_rec, d_rec, msq)

        def integrate(*args):
            outputs = allocate(args[0], args[1], args[26].shape)
            run_all(*args, *outputs)
            return outputs

        _KERNELS[update] = integrate
    return _KERNELS[update]
