"""The olivo-cerebellar network of Bouvier et al. 2018 (Methods Eqs 1-15; the model reference,
'Rate network')."""

import dataclasses
import inspect

import numba
import numpy as np
import pytest
import xarray as xr

from cerebellar.core.errors import ParameterError
from cerebellar.figures.bouvier2018.fig3 import ProtocolParams, table1
from cerebellar.models.network.draw import Network, draw_perturbations, initial_rates, profile_trials
from cerebellar.models.network.kernels.direct import run_direct
from cerebellar.models.network.kernels.incremental import run_incremental
from cerebellar.models.network.kernels.reference import run_numpy
from cerebellar.models.network.params import NetworkParams
from cerebellar.models.network.simulate import simulate
from cerebellar.rules import SGDEGE, ecs_sign
from cerebellar.rules.sgdege import predicted_change

SMALL = NetworkParams(S=4, L=6, T=5, N=200, trials_per_pattern=50)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_initial_mean_rates_table2(seed):
    """Initial weights (Eqs 11-13) give mean PC 50 Hz, PN ≈ 30 Hz, NO ≈ 15 Hz (±1 Hz: one network)."""
    rates = initial_rates(Network.draw(NetworkParams(), np.random.default_rng(seed)))
    assert rates["pc"] == pytest.approx(50.0, abs=1.0)
    assert rates["pn"] == pytest.approx(30.0, abs=1.0)
    assert rates["no"] == pytest.approx(15.0, abs=1.0)


def test_fixed_weights_eqs_11_13():
    """Eq 11: u_M→PN = 4TL r_D/(NS) = 2.4; Eq 12: u_PC→PN = −r_D/(r_PC S) = −0.06."""
    p = NetworkParams()
    assert p.u_m_pn == pytest.approx(4 * p.T * p.L * p.r_d / (p.N * p.S))
    assert p.u_pc_pn == pytest.approx(-p.r_d / (p.r_pc * p.S))


def _one_movement(kernel, pcs: bool, ecs: bool):
    """One movement of pattern 0 with a pCS (or none) on column 0 at bin 2, and an eCS forced by
    the targets (far above any PN rate) or prevented by huge MF→NO weights."""
    net = Network.draw(SMALL, np.random.default_rng(3))
    if ecs:
        net.R[:] = 299.0
        net.v[:] = 0.0
    else:
        net.v[:] = 1000.0
    u = np.ones((1, SMALL.L))                     # u ≥ ρ: no pCS
    u[0, 0] = 0.0 if pcs else 1.0
    pbin = np.full((1, SMALL.L), 2)
    rec = kernel(net, u, pbin, profile_trials(SMALL))
    dw = rec["w_eff"] - net.w * net.sigma
    dv = rec["v"] - net.v
    active_at_2 = net.act[0][net.bins[0] == 2]
    s, i = np.divmod(active_at_2, SMALL.N)
    return net, rec, dw, dv, (s, i)


@pytest.mark.parametrize("kernel", [run_numpy, run_incremental])
@pytest.mark.parametrize(("protocol", "pcs", "ecs", "sign_w"), [
    ("G__", False, False, 0), ("GP_", True, False, +1), ("G_E", False, True, 0), ("GPE", True, True, -1),
])
def test_eq9_eq10_signs_for_each_protocol(kernel, protocol, pcs, ecs, sign_w):
    """Fig 3: no pCS → no MF→PC change; pCS without eCS → LTP; pCS with eCS → LTD (Eq 9).
    MF→NO weights of active fibres rise with an eCS and fall without (Eq 10)."""
    net, rec, dw, dv, (s, i) = _one_movement(kernel, pcs, ecs)
    assert bool(rec["E"][0] > rec["I"][0]) is ecs
    connected = net.sigma[0, s, i]
    np.testing.assert_allclose(np.sign(dw[0, s, i][connected]), sign_w)
    assert np.abs(dw[1:]).max() == 0.0                         # unperturbed columns unchanged
    mask = np.ones(dw.shape[1:], bool)
    mask[s, i] = False
    assert np.abs(dw[0][mask]).max() == 0.0                    # only synapses active in that bin
    active = net.act[0]
    if ecs:
        assert (dv[active] > 0).all()
    else:
        assert (dv[active] < 0).all()
    assert np.abs(np.delete(dv, active)).max() == 0.0
    assert np.sign(predicted_change(pcs, ecs, ProtocolParams(alpha_w=0.02))) == sign_w


def test_table1_is_shipped_with_both_halves_and_the_6cf_control():
    """Table 1 (upper and lower half) and Fig 6—figure supplement 1, from the papers' table."""
    rows = table1()
    assert {"G__", "GP_", "G_E", "GPE", "6CF"} <= set(rows) and len(rows) == 10
    assert rows["GPE"].value == 0.53 and rows["GP_"].low == 1.26 and rows["GP_"].n == 15
    assert rows["GPE_vs_G_E"].value == -0.44 and rows["GPE_vs_G_E"].p == 0.0018
    assert rows["6CF"].value == 1.12 and rows["6CF"].p == 0.0034


@pytest.mark.parametrize("params", [SMALL, NetworkParams(trials_per_pattern=60)])
def test_numba_kernel_matches_numpy_reference(params):
    """Same network, same pre-drawn pCSs: same ℰ, ℐ, weights (to 1e-9)."""
    _assert_kernels_agree(params.replace(rho=0.3))


@pytest.mark.parametrize("rule", ["mai", "mai_unsigned", "delta", "node_perturbation"])
def test_numba_kernel_matches_numpy_reference_for_every_rule(rule):
    """Every rule of the rules layer through the network's two kernels: same records and weights."""
    _assert_kernels_agree(SMALL.replace(rule=rule, trials_per_pattern=40))


@pytest.mark.parametrize("rule", ["sgdege", "mai"])
def test_direct_kernel_with_many_patterns(rule):
    """The direct kernel (no overlap counts) with 12 patterns agrees with the reference."""
    _assert_kernels_agree(SMALL.replace(rule=rule, n_patterns=12, trials_per_pattern=6, rho=0.3))


def test_many_movements_fit_in_linear_memory():
    """Issue: n_patterns = 300 asked for 13.4 GiB (the p² overlap tensor); the estimate now
    stays linear in p, and the direct kernel is chosen."""
    from cerebellar.models.network.params import OVERLAP_BUDGET, overlap_bytes
    p = NetworkParams(n_patterns=300, trials_per_pattern=20)
    assert overlap_bytes(p) > OVERLAP_BUDGET
    assert p.memory_bytes()[0] < 2**30


def _assert_kernels_agree(params):
    net = Network.draw(params, np.random.default_rng(11))
    n = params.n_patterns * params.trials_per_pattern
    u, pbin = draw_perturbations(params, n, np.random.default_rng(12))
    at = profile_trials(params)
    a = run_numpy(net, u, pbin, at)
    for b in (run_incremental(net, u, pbin, at), run_direct(net, u, pbin, at)):
        for key in ("E", "e", "I", "pn_mean", "pc_mean", "w_eff", "v", "PN"):
            assert np.abs(a[key] - b[key]).max() <= 1e-9, key
        np.testing.assert_array_equal(a["n_pcs"], b["n_pcs"])
        changed = np.abs(b["w_eff"] - net.w * net.sigma).max()
        assert changed > 0, "the rule changed no weight"


def test_short_learning_run_reduces_the_error():
    """SGDEGE (Eqs 9-10) on a small network (ρ = 0.3 to learn fast): the error falls by ≥ 25 %
    and ℐ locks onto ℰ."""
    p = NetworkParams(S=10, L=10, T=10, N=1000, trials_per_pattern=3000, rho=0.3,
                      u_m_pn=4 * 10 * 10 * 30 / (1000 * 10))
    ds = simulate(p, np.random.default_rng(5))
    E = ds.error.mean("pattern")
    assert float(E[-200:].mean()) < 0.75 * float(E[:50].mean())
    assert float(abs(ds.error - ds.inhibition)[:, -500:].mean()) < 0.5


def test_same_seed_same_run():
    a = simulate(SMALL, np.random.default_rng(9))
    b = simulate(SMALL, np.random.default_rng(9))
    np.testing.assert_array_equal(a.error.values, b.error.values)


@pytest.mark.parametrize(("name", "value"), [("S", 0), ("L", 0), ("T", 0), ("N", 0), ("rho", 1.5),
                                             ("rho", -0.1), ("r_max", 0.0), ("q", -1.0),
                                             ("alpha_w", -0.1), ("alpha_v", -0.1)])
def test_bad_parameters_are_rejected(name, value):
    with pytest.raises(ParameterError, match=f"'{name}'"):
        NetworkParams(**{name: value})


@pytest.mark.parametrize("shared", [0.0, 0.5, 0.9])
def test_movements_share_the_common_fibres_and_the_overlap_is_as_drawn(shared):
    """Each movement activates half of the S·N fibres (Methods); a fraction ``shared`` of them,
    with their bins, is common to all movements, so two movements share c + (1 − c)²/(2 − c) of
    their active fibres (0.5 for the paper's independent draws)."""
    from cerebellar.figures.bouvier2018.patterns import expected_overlap

    p = NetworkParams(S=4, N=1000, L=5, T=4, n_patterns=6, shared=shared)
    net = Network.draw(p, np.random.default_rng(2))
    assert all(a.size == p.S * p.N // 2 for a in net.act)
    assert net.overlap() == pytest.approx(expected_overlap(shared), abs=0.02)
    n_common = round(shared * p.S * p.N // 2)
    common = set(net.act[0])
    for a in net.act[1:]:
        common &= set(a)
    assert len(common) >= n_common
    if shared:
        bins = [dict(zip(a, t, strict=True)) for a, t in zip(net.act, net.bins, strict=True)]
        same_bin = [i for i in common if len({b[i] for b in bins}) == 1]
        assert len(same_bin) >= n_common


# -- check rows of the network experiments (issue 18: every row can fail at the quick scale) ------

def _network_rows(params, rule=None):
    from cerebellar.figures.bouvier2018.network import checks_network, run_network

    ds = run_network(params, np.random.default_rng(0)) if rule is None else \
        simulate(params, np.random.default_rng(0), rule=rule)
    ds.attrs.update(params.to_dict())
    return checks_network(ds)


@pytest.mark.parametrize("rule", ["sgdege", "delta", "node_perturbation", "mai", "mai_unsigned"])
def test_network_rows_apply_to_each_rule(rule):
    """`network --set rule=delta` failed 'mean pCS per movement = ρL': a row that does not apply
    to a rule is n/a or its rule's own law; no row fails on the correct code."""
    rows = _network_rows(NetworkParams(trials_per_pattern=400, rule=rule))
    assert not [r.what for r in rows if r.verdict == "fail"]
    sgdege_only = [r for r in rows if r.what.startswith(("mean PN change per pCS", "ℐ's rise",
                                                         "lock-on", "early descent"))]
    assert len(sgdege_only) == 4
    if rule != "sgdege":
        assert {r.verdict for r in sgdege_only} == {"n/a"}
    else:
        assert [r.verdict for r in sgdege_only[:3]] == ["pass"] * 3


@numba.njit
def _planted_perturb(u, prm):  # pragma: no cover - compiled
    return 1.0 if u < prm[3] * prm[0] else 0.0


@numba.njit
def _planted_update(E, e, J, mu, state, prm):  # pragma: no cover - compiled
    c = ecs_sign(E, J)
    return 0.0, -prm[4] * prm[1] * c, prm[5] * prm[2] * c, 0.0


def _planted(rho=1.0, alpha_w=1.0, alpha_v=1.0):
    """SGDEGE with ρ, α_w, α_v scaled inside the rule (one compiled pair for every plant)."""
    return dataclasses.replace(SGDEGE, perturb=_planted_perturb, update=_planted_update,
                               constants=("rho", "alpha_w", "alpha_v", rho, alpha_w, alpha_v))


@pytest.mark.parametrize(("plant", "caught"), [
    ({}, ()),
    ({"rho": 0.5}, ("mean pCS per movement",)),
    ({"alpha_v": 0.5}, ("ℐ's rise", "lock-on")),
    ({"alpha_w": 2.0}, ("lock-on",)),
])
def test_planted_rule_errors_fail_a_quick_row(plant, caught):
    """Issue 18: ρ used as ρ/2 in the draw, the olive's step α_v halved and α_w doubled inside
    the rule each fail a row of a 400-trial run of the Table 2 network; unplanted, none fails."""
    rows = _network_rows(NetworkParams(trials_per_pattern=400), rule=_planted(**plant))
    failed = [r.what for r in rows if r.verdict == "fail"]
    assert all(any(w.startswith(c) for w in failed) for c in caught), failed
    assert bool(failed) == bool(caught), failed


def test_doubled_perturbation_amplitude_in_the_kernel_fails_a_quick_row(monkeypatch):
    """Issue 18: 'the network's perturbation amplitude doubled in the kernel' went unseen; the
    size of a pCS on PN (Eqs 3, 6) now fails."""
    from cerebellar.models.network.kernels import incremental as model

    kernel = model.incremental_movements
    position = list(inspect.signature(kernel.py_func).parameters).index("A")

    def doubled(*args):
        args = list(args)
        args[position] *= 2.0
        return kernel(*args)

    monkeypatch.setattr(model, "incremental_movements", doubled)
    rows = _network_rows(NetworkParams(trials_per_pattern=400))
    failed = [r.what for r in rows if r.verdict == "fail"]
    assert failed and failed[0].startswith("mean PN change per pCS"), failed


def _robustness(rel: dict[str, list[float]], trials: int = 60_000):
    from cerebellar.figures.bouvier2018.robustness import VARIED, RobustnessParams

    p = RobustnessParams(trials_per_pattern=trials, n_seeds=4)
    labels = ["base"] + [f"{k} x{1 + s * p.change:.2f}" for k in VARIED for s in (-1, 1)]
    values = np.array([rel.get(v, [0.0] * 4) for v in labels])
    seed = np.arange(4)
    return xr.Dataset(
        dict(final_error=(("variant", "seed"), 1.4 * (1 + values)),
             rel_change=(("variant", "seed"), values),
             start=("seed", np.full(4, 17.0)), lock=("seed", np.full(4, 180.0)),
             slope=("seed", np.zeros(4)), g_rho=("seed", np.full(4, 0.8))),
        coords=dict(variant=labels, seed=seed), attrs=p.to_dict())


def test_robustness_uses_student_t_and_says_inconclusive():
    """Issue 18: pass only if |mean| + t·s.e. ≤ 7 %, fail if |mean| − t·s.e. > 7 %, else n/a
    ('inconclusive: run more seeds'), with t = t_{0.975, n−1} (3.18 for 4 seeds)."""
    from cerebellar.figures.bouvier2018.robustness import checks_robustness

    rows = checks_robustness(_robustness({
        "alpha_w x0.90": [0.01, 0.02, 0.015, 0.012],      # tight and small: pass
        "alpha_w x1.10": [0.20, 0.21, 0.19, 0.20],        # far beyond 7 %: fail
        "rho x0.90": [0.02, 0.10, 0.03, 0.09],            # mean 6 %, s.e. 2 %: inconclusive
    }))
    verdict = {r.what.split(":")[0]: r for r in rows}
    assert verdict["alpha_w x0.90"].verdict == "pass"
    assert verdict["alpha_w x1.10"].verdict == "fail"
    assert verdict["rho x0.90"].verdict == "n/a" and "inconclusive" in verdict["rho x0.90"].note
    assert "t = 3.18" in verdict["rho x0.90"].what
    short = checks_robustness(_robustness({"alpha_w x1.10": [0.2] * 4}, trials=6000))
    assert {r.verdict for r in short if r.source == "paper"} == {"n/a"}


def test_patterns_tracking_is_the_mean_of_absolute_differences():
    """Fig 8A's tracking is mean |ℰ − ℐ|, not |mean(ℰ − ℐ)| (issue 18)."""
    from cerebellar.figures.bouvier2018.patterns import overlap_summary

    ds = simulate(SMALL.replace(trials_per_pattern=40, n_patterns=2), np.random.default_rng(1))
    late = ds.isel(trial=slice(20, None))
    assert overlap_summary(ds)["tracking"] == pytest.approx(
        float(np.abs(late.error - late.inhibition).mean()))


def test_perturbed_bins_row_fails_when_a_bin_is_never_drawn():
    """Methods: a pCS falls in one random bin. A draw that misses the last bin must fail."""
    import xarray as xr

    from cerebellar.studies.network_runs import perturbation_bins_row

    uniform = xr.Dataset(dict(perturbation_bins=("bin", np.full(10, 2400))))
    assert perturbation_bins_row(uniform).verdict == "pass"
    skewed = xr.Dataset(dict(perturbation_bins=("bin", np.r_[np.full(9, 2667), 0])))
    assert perturbation_bins_row(skewed).verdict == "fail"
