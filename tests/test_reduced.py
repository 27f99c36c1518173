"""Reduced (P, 𝒥) model of Bouvier et al. 2018 (Appendix 1, Eqs 16-35; Fig 9)."""

import numpy as np
import pytest

from cerebellar.core.errors import ParameterError
from cerebellar.models import reduced as rd
from cerebellar.models.reduced.params import ReducedParams
from cerebellar.studies.corridor_runs import corridor_runs, measured_speeds


def _step(P, J, perturbed, A, dP, dJ, q, R):
    p = dict(rho=np.array(0.2), dP=np.array(dP), dJ=np.array(dJ))
    out = rd.step(np.array([P]), np.array([J]), np.array([float(perturbed)]), A, q, R,
                  rd.batch_rule("sgdege", p, (1,)))
    return float(out[0][0]), float(out[1][0])


def test_compiled_rule_matches_its_plain_python():
    """The reduced model's two backends (compiled rule call, plain Python): same trajectories."""
    p = ReducedParams(n_trials=300, rho=0.5)
    a, b = (rd.simulate(p, np.random.default_rng(2), backend=k, q=np.array([0.0, 0.5]))
            for k in ("numba", "numpy"))
    np.testing.assert_array_equal(a.P.values, b.P.values)
    np.testing.assert_array_equal(a.J.values, b.J.values)


def test_single_trial_updates_eqs_18_to_26():
    """Eqs 18-26, through the SGDEGE rule of the rules layer."""
    A, dP, dJ, q, R = 10.0, 1.0, 2.0, 0.5, 50.3
    # perturbed, eCS: |60 + 10 − 50.3| = 19.7 > [20 − 35]_+ = 0 → Eqs 19-20
    assert _step(60.0, 20.0, True, A, dP, dJ, q, R) == (59.0, 22.0)
    # perturbed, no eCS: |45 + 10 − 50.3| = 4.7 < [60 − 27.5]_+ = 32.5 → Eqs 21-22
    assert _step(45.0, 60.0, True, A, dP, dJ, q, R) == (46.0, 58.0)
    # unperturbed, eCS: |45 − 50.3| = 5.3 > [20 − 22.5]_+ = 0 → Eqs 23-24, P unchanged
    assert _step(45.0, 20.0, False, A, dP, dJ, q, R) == (45.0, 22.0)
    # unperturbed, no eCS with rectification: 𝒥 ← [1 − 2]_+ = 0 (Eqs 25-26)
    assert _step(50.0, 1.0, False, A, dP, dJ, 0.0, 50.3) == (50.0, 0.0)
    # P is rectified at 0 (Eq 19)
    assert _step(0.5, 0.0, True, A, dP, dJ, q, R)[0] == 0.0


@pytest.mark.parametrize(("rho", "dJ", "A", "up", "low"), [
    (0.2, 2.0, 10.0, 0.200, 0.200),       # Fig 9E,F: D+ / D−
    (0.5, 2.0, 10.0, 0.2857, 0.500),      # Appendix 1—figure 1A,B: C+ / D−
    (0.75, 2.0, 10.0, 0.1429, 0.3333),    # Appendix 1—figure 1C,D: C+ / C−
    (0.75, 0.25, 2.0, 0.0357, np.nan),    # Appendix 1—figure 1E,F: C+ only
])
def test_corridor_speeds_eqs_32_to_35(rho, dJ, A, up, low):
    v_up, v_low = rd.corridor_speed(rho, 1.0, dJ, 0.5)
    assert abs(float(v_up)) == pytest.approx(up, abs=1e-4)
    if np.isnan(low):
        assert np.isnan(v_low) and rd.regime(rho, dJ, 0.5)[1] == "C+"
    else:
        assert abs(float(v_low)) == pytest.approx(low, abs=1e-4)


def test_speeds_continuous_at_the_regime_boundaries():
    """Eq 32 = Eq 33 on ρ = β/(q+1+2β); Eq 34 = Eq 35 on ρ = β/(2β+q−1)."""
    for beta in (0.5, 1.0, 2.0, 3.0):
        rho = rd.upper_boundary(beta, 0.5)
        assert rho * 1.0 == pytest.approx((1 - rho) * beta / (1 + 0.5 + beta), rel=1e-12)
    assert np.isinf(rd.lower_boundary(0.5, 0.5))  # only defined for β > 1 − q
    for beta in (0.75, 1.0, 2.0, 3.0):
        rho = float(rd.lower_boundary(beta, 0.5))
        assert rho * 1.0 == pytest.approx((1 - rho) * beta / (beta + 0.5 - 1), rel=1e-12)


def test_fixed_point_is_the_crossing_of_C_plus_and_D_minus():
    P, J = rd.fixed_point(10.0, 0.5, 50.3)
    assert (P, J) == pytest.approx((42.8, 28.9))
    lines = rd.lines(P, 10.0, 0.5, 50.3)
    assert lines["C+"] == pytest.approx(J) and lines["D-"] == pytest.approx(J)


def test_entry_conditions_eqs_29_30():
    assert all(rd.entry_conditions(10.0, 1.0, 2.0, 0.5))
    assert not rd.entry_conditions(2.0, 1.0, 2.0, 0.5)[0]  # A < Δ𝒥/(q+1) + ΔP
    assert not rd.entry_conditions(10.0, 1.0, 6.0, 0.5)[1]  # A(1 − q) < Δ𝒥


def test_fig9f_measured_speeds_and_fixed_point():
    """Fig 9F: slopes ∓ρΔP = ∓0.2 per trial (seed-mean of 200 runs, 10 %), end near R − 7.5."""
    p = ReducedParams(n_trials=1500)
    runs = corridor_runs(p, np.random.default_rng(3), 200)
    up, low = measured_speeds(runs, p.R)
    assert float(up) == pytest.approx(-0.2, rel=0.1) and float(low) == pytest.approx(0.2, rel=0.1)
    final = runs.P.isel(trial=slice(-300, None)).mean(("seed", "trial"))
    np.testing.assert_allclose(final, 42.8, atol=0.5)


def test_q_above_one_does_not_converge():
    """Fig 9D: for q > 1 C+ and D− do not cross; P runs down past the target to 0."""
    p = ReducedParams(q=1.5, n_trials=3000, P0=100.67, J0=0.0)
    ds = rd.simulate(p, np.random.default_rng(1), n_seeds=20)
    assert float(ds.P.isel(trial=-1).mean()) < 1.0


def test_same_seed_same_runs_and_batch_dims():
    p = ReducedParams(n_trials=200)
    a = rd.simulate(p, np.random.default_rng(7), n_seeds=3, rho=np.array([0.1, 0.5]))
    b = rd.simulate(p, np.random.default_rng(7), n_seeds=3, rho=np.array([0.1, 0.5]))
    np.testing.assert_array_equal(a.P.values, b.P.values)
    assert a.P.dims == ("rho", "seed", "trial")


@pytest.mark.parametrize(("name", "value"), [("rho", 1.5), ("rho", -0.1), ("A", -1.0),
                                             ("dP", -1.0), ("dJ", -0.5), ("q", -0.1)])
def test_bad_parameters_are_rejected(name, value):
    with pytest.raises(ParameterError, match=f"'{name}'"):
        ReducedParams(**{name: value})


def test_free_run_replay_check_detects_a_wrong_step():
    """The `reduced` experiment's replay of Eqs 16-26 passes on a true run and fails on a run
    with one corrupted 𝒥 step (so the check can fail)."""
    import cerebellar

    ds = cerebellar.run("reduced", n_trials=500)
    assert all(c.verdict in ("pass", "n/a") for c in cerebellar.checks(ds))
    bad = ds.copy(deep=True)
    bad["J"][100] += 0.5
    failed = [c.what for c in cerebellar.checks(bad) if c.verdict == "fail"]
    assert any("𝒥 step" in w for w in failed)


def test_drift_regimes_match_the_printed_boundaries():
    """The regimes derived from the corridor drifts (Eqs 27, 31; used by the checks) agree with the
    boundaries as the paper prints them (ρ = β/(q+1+2β); ρ = β/(2β+q−1) for β > 1 − q, its
    misprint mended; β < (1 − q)ρ excluded), and put the red dots of Fig 9C where the legends do."""
    from cerebellar.papers import claim
    from cerebellar.studies.corridor_runs import drift_regime

    rho, beta = np.meshgrid(np.linspace(0.013, 0.987, 61), np.linspace(0.017, 3.9, 67))
    for q in (0.0, 0.25, 0.5, 0.75):
        for a, b in zip(drift_regime(rho, beta, q), rd.regime(rho, beta, q), strict=True):
            np.testing.assert_array_equal(a, b)
    for key, (r, b) in {"bouvier2018.fig9c.red_dot": (0.2, 2.0),
                        "bouvier2018.app1.regime_AB": (0.5, 2.0),
                        "bouvier2018.app1.regime_CD": (0.75, 2.0),
                        "bouvier2018.app1.only_C_plus": (0.75, 0.25)}.items():
        assert "/".join(str(x) for x in drift_regime(r, b, 0.5)) == claim(key).value


def test_corridor_runs_never_meet_a_tie_and_the_tie_rule_changes_nothing():
    """Ties ℰ = ℐ (where Eqs 19-26 say nothing) never occur in the corridor runs, so flipping the
    tie convention (ℰ ≥ ℐ an eCS) leaves every run identical: an equivalent mutant."""
    import dataclasses

    import numba

    from cerebellar.rules import SGDEGE
    from cerebellar.studies.corridor_runs import corridor_runs, tie_count

    @numba.njit
    def tie_is_ecs(E, e, J, mu, state, prm):
        c = 1.0 if E >= J else -1.0
        return 0.0, -prm[1] * c, prm[2] * c, 0.0

    flipped = dataclasses.replace(SGDEGE, name="sgdege-tie", update=tie_is_ecs)
    p = ReducedParams(n_trials=1500)
    rho = np.array([0.2, 0.5, 0.75])
    runs = corridor_runs(p, np.random.default_rng(4), 20, rho=rho)
    assert tie_count(runs.P, runs.J, p.A, p.q, p.R) == 0
    P0, J0 = (runs[v].isel(trial=0, seed=0, drop=True) for v in ("P", "J"))
    a = rd.simulate(p, np.random.default_rng(5), n_seeds=20, rho=rho, P0=P0, J0=J0)
    b = rd.simulate(p, np.random.default_rng(5), n_seeds=20, rho=rho, P0=P0, J0=J0, rule=flipped)
    np.testing.assert_array_equal(a.P.values, b.P.values)
    # on the ΔP lattice (R = 50, P0 = 100) ties do occur, and there the convention matters
    on = ReducedParams(n_trials=1000, R=50.0)
    c = rd.simulate(on, np.random.default_rng(6))
    d = rd.simulate(on, np.random.default_rng(6), rule=flipped)
    assert tie_count(c.P, c.J, on.A, on.q, on.R) > 0 and not np.array_equal(c.P.values, d.P.values)


def test_fixed_point_row_tells_q_0_from_q_half():
    """The `reduced` fixed-point row (ΔP/2 + 3 s.e.) passes on a q = 0.5 run and fails on a q = 0
    run checked as if it were q = 0.5 (fixed points A/4 apart)."""
    import cerebellar

    row = "mean P over the last 20 %"
    good = cerebellar.run("reduced")
    assert [c.verdict for c in cerebellar.checks(good) if c.what.startswith(row)] == ["pass"]
    bad = cerebellar.run("reduced", q=0.0)
    bad.attrs["q"] = 0.5
    assert [c.verdict for c in cerebellar.checks(bad) if c.what.startswith(row)] == ["fail"]
