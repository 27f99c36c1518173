"""The VOR model against the paper's Figs 3-6 and the closed forms of the model reference
('Static VOR model').

Each test names the paper's figure or the model reference section it checks. Tolerances: values
given to 6 decimals are asserted to 2e-6 (rounding plus float noise); closed-form identities to
1e-12.
"""

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import expm

from cerebellar.models.vor import theory as an
from cerebellar.models.vor.params import VORParams
from cerebellar.models.vor.simulate import simulate
from cerebellar.models.vor.theory import (
    gain_dark,
    gain_light,
    learning_step,
    loop_solution,
    purkinje_dark,
    purkinje_light,
    slip,
)
from cerebellar.papers import claim

FIG4 = VORParams()  # v = 1, b = .88, r = 10, q = .01, g = 1.6, eta_A = .1, A0 = .88, D0 = 1
RNG = np.random.default_rng(0)  # the local rule draws nothing from it: runs are deterministic

gains = st.floats(-3, 3)


def reference_trajectory(g, b, v, q, eta_A, eta_D, A, D, n):
    """Independent scalar loop of the reduced form of the Fig 3 rules (the model reference,
    'VOR learning rules'):
    ΔA = −η_A v s, ΔD = η_D[(1−2q)s + q(g−D)]."""
    out = [(A, D)]
    for _ in range(n):
        s = (1 - b) * (g - (D - A) / (1 - b)) / (1 - b + v)
        A, D = A - eta_A * v * s, D + eta_D * ((1 - 2 * q) * s + q * (g - D))
        out.append((A, D))
    return np.array(out)


# Fig 2 loop, Fig 3 "Purkinje signal" (the model reference, 'VOR closed-form responses')
@settings(max_examples=200)
@given(A=gains, D=gains, g=gains, b=st.floats(0, 0.95), v=st.floats(0, 5))
def test_closed_form_responses_solve_the_loop(A, D, g, b, v):
    P, _, e = loop_solution(A, D, g, b, v)
    assert purkinje_light(A, D, g, b, v) == pytest.approx(P, abs=1e-12 * (1 + abs(P)) * 1e2)
    assert gain_light(A, D, g, b, v) == pytest.approx(-e, abs=1e-10)
    P0, _, e0 = loop_solution(A, D, g, b, 0.0)
    assert gain_dark(A, D, b) == pytest.approx(-e0, abs=1e-10)
    assert purkinje_dark(A, D, b) == pytest.approx(P0, abs=1e-10)


# slip identity (derived: the model reference, 'VOR closed-form responses')
@settings(max_examples=200)
@given(A=gains, D=gains, g=gains, b=st.floats(0, 0.95), v=st.floats(0, 5))
def test_slip_identity(A, D, g, b, v):
    G = gain_dark(A, D, b)
    assert slip(A, D, g, b, v) == pytest.approx((1 - b) * (g - G) / (1 - b + v), abs=1e-11)


def test_fig3_rule_is_the_cycle_integral_of_rate_input_error():
    """Fig 3: ΔA = η_A ∫ h·(−v(gh+e)) dt, ΔD = η_D ∫ h·[(1−q)(gh+e) − qP] dt over one cycle,
    with ∫h² dt = c; the per-cycle rule with η·c (the model reference, 'VOR learning rules')."""
    A, D, g, b, v, q = 0.85, 1.02, 1.6, 0.88, 1.0, 0.3
    t = np.linspace(0, 1, 4001)
    c = 2.5
    h = np.sqrt(2 * c) * np.sin(2 * np.pi * t)
    P = purkinje_light(A, D, g, b, v) * h
    e = -gain_light(A, D, g, b, v) * h
    dA = 0.1 * np.trapezoid(h * (-v * (g * h + e)), t)
    dD = 0.01 * np.trapezoid(h * ((1 - q) * (g * h + e) - q * P), t)
    ref = learning_step(A, D, g, b, v, q, 0.1 * c, 0.01 * c)
    assert dA == pytest.approx(ref[0], rel=1e-6) and dD == pytest.approx(ref[1], rel=1e-6)


# acceptance: the trajectory follows the model reference's equations to 1e-9
@pytest.mark.parametrize("kw", [dict(g=1.3, q=0.2, eta_A=0.05, eta_D=0.01),
                                dict(g=0.5, q=1.0, eta_A=0.3, eta_D=0.1, v=2.0, b=0.5)])
def test_trajectory_matches_independent_reference(kw):
    p = FIG4.replace(n_cycles=3000, **kw)
    ds = simulate(p, RNG)
    ref = reference_trajectory(p.g, p.b, p.v, p.q, p.eta_A, p.eta_D, p.A0, p.D0, p.n_cycles)
    np.testing.assert_allclose(ds.A.values, ref[:, 0], atol=1e-9, rtol=0)
    np.testing.assert_allclose(ds.D.values, ref[:, 1], atol=1e-9, rtol=0)


# equilibrium, paper §4 "D = g, A = bg, P = 0" (the model reference, 'VOR equilibria')
def test_equilibrium_reached_for_q_nonzero():
    ds = simulate(FIG4.replace(q=0.2, n_cycles=20_000), RNG)
    end = ds.isel(cycle=-1)
    assert abs(float(end.D) - 1.6) < 1e-6 and abs(float(end.A) - 0.88 * 1.6) < 1e-6
    assert abs(float(end.P_light)) < 1e-6
    dA, dD = learning_step(0.88 * 1.6, 1.6, 1.6, 0.88, 1.0, 0.2, 0.1, 0.01)
    assert dA == 0.0 and dD == 0.0


# q = 0 line of equilibria, Fig 5 right (the model reference, 'VOR equilibria')
def test_q0_end_state():
    A, D, P = an.end_state_q0(1.6, 0.88, 1.0, 10.0)
    assert (A, D, P) == pytest.approx((0.8145455, 1.0065455, -0.5934545), abs=1e-7)
    end = simulate(FIG4.replace(q=0.0, n_cycles=1000), RNG).isel(cycle=-1)
    assert (float(end.A), float(end.D), float(end.P_dark)) == pytest.approx((A, D, P), abs=1e-10)


# linearisation, Fig 4 time scales (the model reference, 'VOR linearisation and time scales')
def test_eigenvalues_and_multipliers():
    lam = an.eigenvalues(0.88, 1.0, 0.01, 10.0)
    assert lam[0].real == pytest.approx(9.804465, rel=1e-5)
    assert lam[1].real == pytest.approx(0.0091066, rel=1e-5)
    mu, tau = an.multipliers(0.88, 1.0, 0.01, 0.1, 0.01)
    assert mu.real == pytest.approx([0.901955, 0.9999089], abs=1e-6)
    assert tau == pytest.approx([9.69, 10_980], rel=1e-3)
    assert (lam[0] / lam[1]).real == pytest.approx(1077, rel=1e-3)  # ratio independent of eta


def test_discrete_map_is_exactly_linear():
    """z_{n+1} = (I − η_D K̃) z_n for z = (g − G, g − D): the model reference,
    'VOR linearisation and time scales'."""
    p = FIG4.replace(q=0.37, eta_A=0.2, eta_D=0.03, n_cycles=50)
    ds = simulate(p, RNG)
    M = np.eye(2) - p.eta_D * an.transfer_matrix(p.b, p.v, p.q, p.r)
    z = np.stack([p.g - ds.G.values, p.g - ds.D.values], axis=1)
    np.testing.assert_allclose(z[1:], z[:-1] @ M.T, atol=1e-13)


# Fig 4 regression values, eta_A = 0.1 (the reference values live in the papers' table)
def test_fig4_regression_values():
    ds = simulate(FIG4.replace(n_cycles=10_000), RNG)
    G = ds.G
    ref = {k: claim(f"coenen1993.fig4.{k}").value for k in
           ("G10", "G60", "G_max", "t_G_max", "t_159", "D10000", "A10000")}
    assert float(G.sel(cycle=10)) == pytest.approx(ref["G10"], abs=2e-6)
    assert float(G.sel(cycle=60)) == pytest.approx(ref["G60"], abs=2e-6)
    assert float(ds.G_max) == pytest.approx(ref["G_max"], abs=2e-6)
    assert int(ds.cycle_of_G_max) == ref["t_G_max"]
    assert int(G.cycle[G >= 1.59][0]) == ref["t_159"] and int(G.cycle[G >= 1.6][0]) == 47
    assert float(ds.D.sel(cycle=10_000)) == pytest.approx(ref["D10000"], abs=2e-6)
    assert float(ds.A.sel(cycle=10_000)) == pytest.approx(ref["A10000"], abs=2e-6)


# Fig 6: small-eta simulation vs exact closed form vs the paper's formula
# (the model reference, 'VOR overshoot')
@pytest.mark.parametrize(("q", "r", "exact", "paper"), [
    (0.01, 10, 0.00499, 0.00510), (0.1, 10, 0.04790, 0.05185),
    (1.0, 10, 0.42099, 0.62222), (0.5, 5, 0.39052, 0.56),
])
def test_overshoot_points(q, r, exact, paper):
    assert float(an.overshoot_exact(1.6, 0.88, 1.0, q, r)) == pytest.approx(exact, abs=6e-6)
    assert float(an.overshoot_paper(1.6, 0.88, 1.0, q, r)) == pytest.approx(paper, abs=6e-6)
    ds = simulate(FIG4.replace(q=q, eta_D=1e-3, eta_A=r * 1e-3, n_cycles=8000), RNG, record_every=8000)
    assert float(ds.G_max) - 1.6 == pytest.approx(exact, rel=1e-2)


def test_exact_overshoot_matches_dense_continuous_solution():
    """Closed form vs brute force max over t of the continuous solution z(t) = exp(−K̃t) z0."""
    t = np.linspace(0, 60, 60_001)
    for q, r in [(0.05, 2.0), (1.0, 1.0), (0.7, 3.0), (0.3, 0.5), (1.0, 0.6)]:
        K = an.transfer_matrix(0.88, 1.0, q, r)
        w, V = np.linalg.eig(K)
        coef = np.linalg.solve(V, np.ones(2))
        e_G = (V[0] * coef * np.exp(-np.outer(t, w))).sum(axis=1).real
        assert float(an.overshoot_exact(2.0, 0.88, 1.0, q, r)) == pytest.approx(
            max(-e_G.min(), 0.0), rel=1e-6, abs=1e-12)
        np.testing.assert_allclose(expm(-K * 1.3) @ np.ones(2),
                                   (V * coef * np.exp(-w * 1.3)).sum(axis=1).real, atol=1e-12)


def test_paper_formula_diverges_where_exact_stays_finite():
    """Fig 6 legend: 'the overshoot diverges for some parameter values' — at r v = 2q − 1."""
    assert np.isinf(an.overshoot_paper(1.6, 0.88, 1.0, 1.0, 1.0))
    assert float(an.overshoot_exact(1.6, 0.88, 1.0, 1.0, 1.0)) == pytest.approx(2.49425, abs=6e-6)


# Fig 6 trends (the model reference, 'VOR overshoot')
def test_overshoot_zero_for_q0_and_monotone():
    q = np.linspace(0, 1, 21)
    r = np.geomspace(1, 100, 21)
    ds = simulate(FIG4.replace(eta_D=1e-3, n_cycles=6000), RNG, q=q,
                  eta_A=xr.DataArray(r * 1e-3, dims="r"), record_every=6000)
    eps = (ds.G_max - 1.6).clip(min=0)
    assert float(eps.isel(q=0).max()) == 0.0
    assert bool((eps.isel(q=slice(1, None)) > 0).all())
    assert bool((eps.isel(q=slice(1, None)).diff("r") < 0).all())
    assert bool((eps.diff("q") >= 0).all())
    exact = an.overshoot_exact(1.6, 0.88, 1.0, q[:, None], r)
    assert bool((an.overshoot_paper(1.6, 0.88, 1.0, q[:, None], r) >= exact - 1e-15).all())


# exact identity at the G peak, small-eta limit (the model reference, 'VOR overshoot')
@pytest.mark.parametrize(("q", "r"), [(0.2, 5.0), (0.05, 20.0)])
def test_peak_identity(q, r):
    ds = simulate(FIG4.replace(q=q, eta_D=2e-4, eta_A=r * 2e-4, n_cycles=30_000), RNG)
    t = int(ds.cycle_of_G_max)
    D_peak = float(ds.D.sel(cycle=t))
    predicted = an.peak_identity(1.6, 0.88, 1.0, q, r, D_peak)
    assert float(ds.G_max) - 1.6 == pytest.approx(predicted, rel=1e-2)


# linearity: gain up and down are mirror images; recovery mirrors acquisition
def test_linearity_and_recovery_mirror():
    up = simulate(FIG4.replace(n_cycles=3000), RNG).G
    down = simulate(FIG4.replace(g=0.5, n_cycles=3000), RNG).G
    np.testing.assert_allclose((down - 1) / (0.5 - 1), (up - 1) / (1.6 - 1), atol=1e-12)
    recovery = simulate(FIG4.replace(g=1.0, A0=0.88 * 1.6, D0=1.6, n_cycles=3000), RNG).G
    np.testing.assert_allclose(recovery, 1 + 1.6 - up, atol=1e-12)


# Fig 5
def test_fig5_behaviour():
    ds = simulate(FIG4.replace(n_cycles=500), RNG, q=np.array([1.0, 0.0]))
    left, right = ds.sel(q=1.0), ds.sel(q=0.0)
    assert float(left.G_max) == pytest.approx(claim("coenen1993.fig5.G_max_q1").value, abs=6e-4)
    assert int(left.cycle_of_G_max) == 36
    assert float(left.P_dark.sel(cycle=500)) == pytest.approx(-0.005, abs=6e-4)
    assert float(left.D.sel(cycle=500)) == pytest.approx(claim("coenen1993.fig5.D500_q1").value,
                                                         abs=6e-4)
    assert float(right.G_max) <= 1.6 + 1e-12
    assert float(right.D.sel(cycle=500)) - 1 < 0.01


# sign pattern in time (paper §4)
def test_sign_pattern():
    ds = simulate(FIG4.replace(n_cycles=3000), RNG)
    dA = np.diff(ds.A.values)
    below = ds.G.values[:-1] < 1.6
    assert (dA[below] < 0).all()
    assert (ds.slip.values[60:] < 0).all() and (dA[200:] > 0).all()
    assert (np.diff(ds.D.values) >= 0).all()


# stability of the map and of the continuous system (the model reference, 'VOR stability')
def test_stability_limits():
    lim_mono, lim_stable = an.eta_A_limits(0.88, 1.0, 0.01, 10.0)
    assert (lim_mono, lim_stable) == pytest.approx((1.0199, 2.0399), abs=1e-4)
    assert float(an.spectral_radius(0.88, 1.0, 0.01, 2.0, 0.2)) == pytest.approx(0.998, abs=1e-3)
    assert float(an.spectral_radius(0.88, 1.0, 0.01, 2.3, 0.23)) == pytest.approx(1.255, abs=1e-3)
    eta = xr.DataArray([0.9, 1.5, 2.0, 2.1], dims="eta_A")
    ds = simulate(FIG4.replace(n_cycles=400), RNG, eta_A=eta, eta_D=eta / 10)
    err = ds.G - 1.6
    early = err.isel(cycle=slice(1, 5))  # the fast mode dominates here
    ringing = (np.sign(early).diff("cycle") != 0).all("cycle")
    assert ringing.values.tolist() == [False, True, True, True]
    mu, _ = an.multipliers(0.88, 1.0, 0.01, eta.values, eta.values / 10)
    assert (mu[0].real < 0).tolist() == [False, True, True, True]
    assert float(abs(err.sel(eta_A=2.1)).isel(cycle=-1)) > 1e3   # diverges
    assert float(abs(err.sel(eta_A=2.0)).isel(cycle=-1)) < 1.0   # still (slowly) stable
    assert not an.stable_continuous(0.88, 0.1, 1.0, 0.1)
    assert an.stable_continuous(0.88, 1.0, 0.01, 10.0)


# learning in the dark (paper §6; the model reference, 'Learning in the dark')
def test_dark_learning():
    lit = simulate(FIG4.replace(n_cycles=100), RNG).isel(cycle=-1)
    start = FIG4.replace(A0=float(lit.A), D0=float(lit.D), n_cycles=1000, light_cycles=0,
                         dark_cycles=1000)
    ds = simulate(start, RNG, q=np.array([0.0, 0.01]), gate_nucleus=np.array([False, True]))
    assert float(abs(ds.A.diff("cycle")).max()) == 0.0
    assert float(ds.G.sel(q=0.01, gate_nucleus=False).isel(cycle=-1)) == pytest.approx(
        claim("coenen1993.dark.G_1000").value, abs=6e-4)
    assert float(abs(ds.G.sel(q=0.0) - ds.G.sel(q=0.0).isel(cycle=0)).max()) < 1e-12
    assert float(abs(ds.G.sel(gate_nucleus=True).diff("cycle")).max()) == 0.0
    x = (ds.D - ds.A / 0.88).sel(q=0.01, gate_nucleus=False).values
    np.testing.assert_allclose(x[1:] / x[:-1], an.dark_growth_factor(0.88, 0.01, 0.01), rtol=1e-12)
    naive = simulate(start.replace(A0=0.88 * 1.3, D0=1.3, q=0.5), RNG)
    assert float(abs(naive.G - 1.3).max()) < 1e-12  # A = bD: a fixed point in the dark


def test_light_dark_schedule_repeats():
    p = FIG4.replace(n_cycles=10, light_cycles=3, dark_cycles=2)
    assert simulate(p, RNG).light.values.tolist() == [1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1]


def test_spectacles_off_returns_g_to_one():
    """Spectacles taken off at t = 100 after gain-up: G returns to 1 with the fast time constant."""
    ds = simulate(FIG4.replace(n_cycles=1000, off_cycle=100), RNG)
    assert ds.desired_gain.values[99] == 1.6 and ds.desired_gain.values[100] == 1.0
    assert float(ds.G.sel(cycle=136)) == pytest.approx(claim("coenen1993.fig1.G_recovery").value,
                                                       abs=6e-4)
    assert float(ds.D.sel(cycle=1000)) == pytest.approx(claim("coenen1993.fig1.D_recovery").value,
                                                        abs=6e-5)


def test_batch_equals_single_runs():
    q = np.array([0.0, 0.3, 1.0])
    batch = simulate(FIG4.replace(n_cycles=300), RNG, q=q, g=np.array([0.5, 1.6]))
    for qi in q:
        single = simulate(FIG4.replace(n_cycles=300, q=float(qi), g=0.5), RNG)
        np.testing.assert_array_equal(batch.G.sel(q=qi, g=0.5).values, single.G.values)
    assert batch.G.dims == ("q", "g", "cycle")


# Fig 4's two axes: the interval of eta_A where both statements hold (issue 18: a calibration)
def test_fig4_eta_interval_meets_both_axes():
    """With r = 10, G reaches 1.6 by step 60 for eta_A >= 0.078 and rises monotonically below the
    ringing limit 1.0199; D is within 0.01 of 1.6 by step 10 000 for eta_A >= 0.45 (the issue's
    reading), within the Fig 6 formula's 0.0051 for eta_A >= 0.52."""
    from cerebellar.figures.coenen1993.fig4 import eta_intervals
    e60, e_long, mono = eta_intervals(1.6, 0.88, 1.0, 0.01, 10.0, 0.01)
    assert e60 == pytest.approx(0.078, abs=1e-3) and mono == pytest.approx(1.0199, abs=1e-4)
    assert e_long == pytest.approx(0.45, abs=5e-3)
    eps = float(an.overshoot_paper(1.6, 0.88, 1.0, 0.01, 10.0))
    _, e_eps, _ = eta_intervals(1.6, 0.88, 1.0, 0.01, 10.0, eps)
    ds = simulate(FIG4.replace(eta_A=e_eps, eta_D=e_eps / 10, n_cycles=10_000), RNG, record_every=10_000)
    assert 1.6 - float(ds.D.isel(cycle=-1)) == pytest.approx(eps, rel=1e-6)


def test_nucleus_split_whole_adaptation():
    """Coenen §6: the climbing-fibre term's net part of D's change over the whole adaptation is
    −(1 − q)(g − 1) b/(r v) for any q > 0: the Purkinje term carries the transfer."""
    from cerebellar.figures.coenen1993.fig4 import nucleus_split, split_sim
    for q in (0.01, 0.2):
        ds = simulate(FIG4.replace(q=q, n_cycles=3000), RNG)
        ds.attrs.update(FIG4.replace(q=q).to_dict())
        cf, total = nucleus_split(ds, 3000)
        assert (cf, total) == pytest.approx(split_sim(ds, 3000), abs=1e-12)
        cf_inf, total_inf = nucleus_split(ds, 10_000_000)
        assert total_inf == pytest.approx(0.6, abs=1e-9)
        assert cf_inf == pytest.approx(-(1 - q) * 0.6 * 0.88 / 10, rel=1e-9)


def test_paper_formula_error_is_first_order_at_small_q_large_r():
    """Fig 6: the formula's relative error lies between 0 and its first-order size δ₁/(1 − δ₁)."""
    from cerebellar.figures.coenen1993.fig6 import qss_error
    for q, r in ((0.01, 50.0), (0.01, 100.0), (0.05, 50.0), (0.05, 100.0)):
        ds = simulate(FIG4.replace(q=q, eta_D=1e-3, eta_A=r * 1e-3, n_cycles=2000), RNG, record_every=2000)
        eps = float(ds.G_max) - 1.6
        rel = float(an.overshoot_paper(1.6, 0.88, 1.0, q, r)) / eps - 1
        assert 0 < rel <= qss_error(q, r, 0.88, 1.0, 1e-3 * int(ds.cycle_of_G_max))


def test_slow_limit_is_the_end_point():
    """Aitken's Δ² on the run's last half gives where it ends: D = g, A = b g (Coenen §4)."""
    from cerebellar.figures.coenen1993.common import slow_limit
    ds = simulate(FIG4.replace(g=0.5, n_cycles=2000), RNG)
    ds.attrs.update(FIG4.replace(g=0.5).to_dict())
    for name, end in (("G", 0.5), ("D", 0.5), ("A", 0.44)):
        value, why = slow_limit(ds, name)
        assert not why and value == pytest.approx(end, abs=1e-9)
