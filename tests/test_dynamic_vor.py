"""The dynamic VOR (issue 20): its compiled kernel against the NumPy reference, its frequency
response against the transfer function, decorrelation against the gradient, the delay limit
f_c = 1/(4δ) (Porrill & Dean 2007) at a delay the user sets, and bad input."""

import numpy as np
import pytest

import cerebellar
from cerebellar.core.errors import ParameterError
from cerebellar.figures.dynamic_vor import plant
from cerebellar.figures.dynamic_vor.delay import measured_critical
from cerebellar.models.dynamic_vor import DynamicVORParams, simulate
from cerebellar.models.dynamic_vor import theory as th
from cerebellar.papers import claim

BASE = dict(duration=0.4, record_every=0.1, tau_plant=0.3)


@pytest.mark.parametrize("setting", [
    dict(),                                                            # bank, filtered x, delay
    dict(basis="pair", eligibility="x", trace=0.05, gamma=2.0, q=0.5, g=1.6),
    dict(stimulus="broadband", n_sines=5, trace=0.1, gamma=1.0),
    dict(b=0.88, v=1.0, gamma=1.0, q=0.3),                              # Coenen's loop, delayed
    dict(b=0.5, v=2.0, delay=0.0, basis="h", eligibility="x"),          # undelayed: implicit step
])
def test_compiled_kernel_matches_the_numpy_reference(setting):
    params = DynamicVORParams.build(**BASE, **setting, **{"decorrelation.beta": 5.0})
    batch = dict(frequency=np.array([0.7, 3.0])) if setting.get("stimulus") != "broadband" else {}
    K = {"pair": 2, "h": 1}.get(params.basis, params.n_basis)
    runs = [simulate(params, np.random.default_rng(3), backend=b, **batch,
                     a0=np.linspace(-.1, .1, K)) for b in ("numba", "numpy")]
    for name in ("a", "d", "error", "gain", "phase"):
        np.testing.assert_allclose(runs[0][name].values, runs[1][name].values, rtol=1e-9,
                                   atol=1e-12, err_msg=name)
    assert float(abs(runs[0].a.isel(time=-1) - runs[0].a.isel(time=0)).max()) > 1e-4  # it learnt


def test_fixed_weights_follow_the_transfer_function_from_the_first_step():
    """The run starts in the steady state, so with learning off the slip's RMS over any record
    interval of whole cycles is |g − G(iω)|/√2 (transfer function at the run's weights)."""
    params = DynamicVORParams.build(duration=2.0, record_every=0.5, g=1.6, tau_plant=0.3,
                                    **{"decorrelation.beta": 0.0})
    a = np.linspace(0.2, -0.2, params.n_basis)
    ds = simulate(params, frequency=np.array([2.0, 4.0]), a0=a)
    G = th.vor_response(params, ds.frequency.values, a, np.array([1.0, 1.0]))
    expected = np.abs(1.6 - G) / np.sqrt(2)
    np.testing.assert_allclose(ds.error.isel(time=slice(1, None)).values,
                               np.repeat(expected[:, None], 4, axis=1), rtol=2e-3)


def test_bode_rows_and_gradient_row_pass():
    ds = cerebellar.run("dvor-bode", seed=1)
    rows = cerebellar.checks(ds)
    assert [r.verdict for r in rows] == ["pass"] * 5
    assert ds.sizes["frequency"] >= 8 and "10 frequencies, 0.1–25 Hz" in rows[0].what


def test_delay_limit_at_a_delay_the_user_sets():
    """δ = 0.08 s: runs at 0.04, 0.08, 0.16 s; each f_c within 10 % of 1/(4δ); Porrill & Dean's
    row is n/a off δ = 0.1 s."""
    ds = cerebellar.run("dvor-delay", seed=0, delay=0.08, duration=40.0)
    fc = measured_critical(ds)
    np.testing.assert_allclose(fc.values, 1 / (4 * np.array([0.04, 0.08, 0.16])), rtol=0.1)
    verdicts = {r.what: r.verdict for r in cerebellar.checks(ds)}
    assert list(verdicts.values()).count("pass") == 4
    assert verdicts["critical frequency of cortex-only learning at δ = 0.1 s [Hz]"] == "n/a"
    assert claim("porrill2007.delay_limit").value == 2.5


def test_growth_rate_solves_the_delay_equation():
    """λ = −(β/2) e^{−iωδ} e^{−λδ}; at βδ → 0 it is −(β/2) cos(ωδ), 0 at f = 1/(4δ)."""
    f, delay, beta = np.array([1.0, 2.5, 4.0]), 0.1, 0.4
    lam = th.growth_rate(f, delay, beta)
    k = beta / 2
    # residual of the characteristic equation with the imaginary part recovered by iteration
    assert np.all(np.abs(lam + k * np.cos(2 * np.pi * f * delay)) < 2 * k * k * delay)
    assert abs(th.growth_rate(2.5, 0.1, 1e-6)) < 1e-9
    assert th.critical_frequency(0.1) == pytest.approx(2.5)


@pytest.mark.parametrize("changes, name", [
    (dict(delay=0.0105), "delay"),
    (dict(f_min=30.0), "f_max"),
    (dict(dt=0.01, frequency=10.0), "dt"),
    (dict(tau_min=1.0), "tau_max"),
])
def test_bad_parameters_name_themselves(changes, name):
    with pytest.raises(ParameterError, match=name):
        DynamicVORParams.build(**changes)


def test_broadband_needs_a_generator_and_a_delay_batch_whole_steps():
    params = DynamicVORParams.build(stimulus="broadband", duration=0.1)
    with pytest.raises(ParameterError, match="rng"):
        simulate(params)
    with pytest.raises(ParameterError, match="delay"):
        simulate(DynamicVORParams.build(duration=0.1), delay=np.array([0.1, 0.1005]))


def test_static_limit_is_coenens_model():
    """At 0.01 Hz with b = 0.88, v = 1: the gain is Coenen's G_L = 1.5357 and 60 cycles of
    learning follow the linear map's continuous-step flow (dvor-static's four rows)."""
    ds = cerebellar.run("dvor-static", seed=0, n_cycles=30)
    rows = cerebellar.checks(ds)
    assert [r.verdict for r in rows] == ["pass"] * 4
    assert float(ds.gain_start) == pytest.approx((1 - 0.88 + 1.6) / (1 - 0.88 + 1), rel=1e-3)


def test_visual_and_efference_loop_follows_its_transfer_function():
    """b, v ≠ 0 (Coenen's Fig 2 loop, the visual slip δ old): simulated gain and phase against
    G = Pl(F + v g λ)/(1 − b Pl + v Pl λ), with and without the delay."""
    for delay in (0.1, 0.0):
        params = DynamicVORParams.build(duration=4.0, record_every=4.0, b=0.88, v=1.0, g=1.6,
                                        delay=delay, tau_plant=0.3, **{"decorrelation.beta": 0.0})
        a = np.linspace(0.1, -0.1, params.n_basis)
        f = np.array([0.5, 2.0, 10.0])
        ds = simulate(params, frequency=f, a0=a)
        G = th.vor_response(params, f, a, np.array([1.0, 1.0]))
        np.testing.assert_allclose(ds.gain.values, np.abs(G), rtol=1e-3)
        np.testing.assert_allclose(ds.phase.values, np.degrees(np.angle(G)), atol=0.01)


def test_mean_flow_is_gradient_descent_without_delay():
    """δ = 0, exact plant model, broadband: the averaged cortex dynamics are −β ∇⟨s²⟩/2 with
    ⟨s²⟩ = Σ_m (A_m²/2)|g − G(iω_m)|² (central differences), so J's cortex block is symmetric."""
    params = DynamicVORParams.build(stimulus="broadband", delay=0.0, g=1.3)
    f, power = th.stimulus_power(params)
    beta = 0.7
    J, c = th.mean_flow(params, f, power, beta=beta)
    K = params.n_basis
    d = np.array([1.0, 1.0])
    a = np.linspace(-0.3, 0.2, K)

    def half_mse(a):
        return 0.5 * float(np.sum(power * np.abs(params.g - th.vor_response(params, f, a, d)) ** 2))

    h = 1e-6
    grad = np.array([(half_mse(a + h * e) - half_mse(a - h * e)) / (2 * h) for e in np.eye(K)])
    np.testing.assert_allclose((J @ np.concatenate([a, d]) + c)[:K], -beta * grad, rtol=1e-6,
                               atol=1e-9)
    np.testing.assert_allclose(J[:K, :K], J[:K, :K].T, atol=1e-12)
    assert th.largest_growth(J[:K, :K]) <= 1e-12          # gradient descent never runs away


def test_flow_solves_the_linear_dynamics():
    """theory.flow against an explicit integration of du/dt = J u + c."""
    rng = np.random.default_rng(0)
    J, c, u0 = -np.eye(3) + 0.3 * rng.standard_normal((3, 3)), rng.standard_normal(3), rng.standard_normal(3)
    u, dt = u0.copy(), 1e-4
    for _ in range(20_000):
        u = u + dt * (J @ (u + 0.5 * dt * (J @ u + c)) + c)   # midpoint rule
    np.testing.assert_allclose(th.flow(J, c, u0, 2.0), u, rtol=1e-6, atol=1e-8)
    assert th.flow(J, c, u0, np.array([0.0, 1.0])).shape == (2, 3)


@pytest.mark.slow   # its rows run in `pytest -m reproduce` (the quick reproduce)
def test_plant_change_follows_the_averaged_flow():
    """dvor-plant at 600 s: every run within 5 % of the averaged flow, which says that the cortex
    alone and the brainstem at q = 1 run away (slowly) and the matched trace does not."""
    ds = cerebellar.run("dvor-plant", seed=0, duration=600.0)
    rows = cerebellar.checks(ds)
    tracking = [r for r in rows if "averaged flow" in r.what]
    assert len(tracking) == 5 and all(r.verdict == "pass" for r in tracking)
    growth = {c: g for c, g in zip(ds.condition.values, plant.predicted(ds).growth.values, strict=True)}
    assert growth["cortex"] > 0 and growth["brainstem q = 1"] > 0 and growth["cortex + trace"] < 0


@pytest.mark.parametrize("rule, settings", [
    ("sgdege", dict(rho=0.3, alpha_w=20.0, alpha_v=0.05)),
    ("node_perturbation", {"node_perturbation.eta": 5.0}),
])
def test_perturbation_rules_compiled_kernel_matches_the_numpy_reference(rule, settings):
    """Trials of 0.1 s, bins of 20 ms, a delayed error and a learning brainstem: both kernels
    give the same weights (up to rounding) from the same draws."""
    params = DynamicVORParams.build(**BASE, rule=rule, trial=0.1, bin_width=0.02, gamma=1.0,
                                    q=0.5, g=1.6, **settings)
    runs = [simulate(params, np.random.default_rng(5), backend=b, frequency=np.array([0.7, 3.0]))
            for b in ("numba", "numpy")]
    for name in ("a", "d", "error", "gain", "phase"):
        np.testing.assert_allclose(runs[0][name].values, runs[1][name].values, rtol=1e-9,
                                   atol=1e-12, err_msg=name)
    assert float(abs(runs[0].a.isel(time=-1) - runs[0].a.isel(time=0)).max()) > 1e-4  # it learnt
    with pytest.raises(ParameterError, match="rng"):
        simulate(params, frequency=np.array([0.7]))
    if rule == "sgdege":     # the rule's constants batch: α_w = 0 learns nothing, the same draws
        batch = simulate(params, np.random.default_rng(5), alpha_w=np.array([0.0, 20.0]))
        assert float(abs(batch.a.isel(alpha_w=0).diff("time")).max()) == 0.0
        assert float(abs(batch.a.isel(alpha_w=1).diff("time")).max()) > 1e-4


@pytest.mark.slow   # its rows run in `pytest -m reproduce` (the quick reproduce)
def test_perturbation_rules_learn_above_the_delay_limit():
    """dvor-rules (quick, one seed, 600 s): decorrelation fails at 4 Hz with δ = 0.1 s, SGDEGE and
    node perturbation learn there, the delay costing them little (every row passes)."""
    ds = cerebellar.run("dvor-rules", seed=0, duration=600.0, seeds=1)
    assert [r.verdict for r in cerebellar.checks(ds)] == ["pass"] * 5
