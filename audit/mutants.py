"""The planted errors of the mutation harness, and its command.

    python audit/mutants.py                 # every mutant, 2 at a time (~16 min on 2 cores)
    python audit/mutants.py --only vor-     # the mutants whose name starts with 'vor-'
    python audit/mutants.py --list          # the catalogue, nothing run
    python audit/mutants.py --json out.json # also the outcomes, machine-readable

Each mutant is one scientific error of the kind a slip of the pen makes: a sign, a factor of
2, a dropped term, an off-by-one, a wrong distribution, a wrong constant. It names the
experiments that run the code it changes (all of them, at their quick defaults) and is killed
when one of their check rows fails (see :mod:`harness`). The score counts the mutants not
argued equivalent; the README quotes it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import Mutant, run_all, score, stale

from cerebellar.core.report import replace_block

VOR = ("vor", "coenen1993-fig4", "coenen1993-fig5", "coenen1993-fig6", "coenen1993-gain-down",
       "coenen1993-dark")
VOR_SGDEGE = ("vor-sgdege",)
REDUCED = ("reduced", "bouvier2018-fig9", "bouvier2018-appendix1", "bouvier2018-fig9d",
           "bouvier2018-fig9c")
PERCEPTRON = ("perceptron", "bouvier2018-fig10a", "bouvier2018-fig10d", "bouvier2018-fig10b",
              "bouvier2018-fig10c", "bouvier2018-fig10ef", "bouvier2018-capacity", "compare-rules")
NETWORK = ("network", "bouvier2018-fig8", "bouvier2018-patterns", "bouvier2018-robustness",
           "bouvier2018-fig2", "bouvier2018-fig7")
DVOR = ("dvor-bode", "dvor-delay", "dvor-static", "dvor-plant", "dvor-rules")
SGDEGE = (*REDUCED, *PERCEPTRON, "network", "bouvier2018-fig8", "bouvier2018-patterns",
          "bouvier2018-robustness", "bouvier2018-fig7", "bouvier2018-fig3", *VOR_SGDEGE)


MUTANTS: tuple[Mutant, ...] = (
    # -- Coenen 1993: the loop, the rules, the closed forms ------------------------------------
    Mutant("vor-purkinje-b-sign", "models/vor/theory.py",
           "return (A - b * D - v * (g - D)) / (1.0 - b + v)",
           "return (A + b * D - v * (g - D)) / (1.0 - b + v)", (*VOR, *VOR_SGDEGE),
           "sign of the efference copy b e in P = Ah + be − v(gh + e) (Fig 2)"),
    Mutant("vor-gain-dark-denominator", "models/vor/theory.py",
           "return (D - A) / (1.0 - b)", "return (D - A) / (1.0 - b * b)", (*VOR, *VOR_SGDEGE),
           "dark gain G = (D − A)/(1 − b) with the loop gain squared (§2)"),
    Mutant("vor-nucleus-P-sign", "rules/coenen.py",
           "eta_D * ((1.0 - q) * cf - q * P)", "eta_D * ((1.0 - q) * cf + q * P)",
           (*VOR, *VOR_SGDEGE), "sign of the Purkinje term of the nucleus rule (Fig 3, bottom)"),
    Mutant("vor-nucleus-cf-share", "rules/coenen.py",
           "eta_D * ((1.0 - q) * cf - q * P)", "eta_D * (cf - q * P)", (*VOR, *VOR_SGDEGE),
           "the climbing-fibre share (1 − q) of the nucleus rule dropped to 1 (Fig 3, bottom)"),
    Mutant("vor-cortex-rate-x2", "rules/coenen.py",
           "return -prm[0] * prm[1] * e, 0.0, 0.0, 0.0",
           "return -2.0 * prm[0] * prm[1] * e, 0.0, 0.0, 0.0", VOR,
           "the cortical rule ΔA = −η_A v e at twice its rate (Fig 3, top)"),
    Mutant("vor-dark-climbing-fibres", "models/vor/simulate.py",
           "                cf = np.zeros(shape)\n",
           "                cf = (desired(t) - D) + P\n", VOR,
           "climbing fibres signal a slip in the dark (§6: no vision, no error)"),
    Mutant("vor-schedule-off-by-one", "models/vor/simulate.py",
           "return (t % (params.light_cycles + params.dark_cycles)) < params.light_cycles",
           "return (t % (params.light_cycles + params.dark_cycles)) <= params.light_cycles", VOR,
           "one lit cycle too many per light/dark period (§6 schedule)"),
    Mutant("vor-spectacles-off-late", "models/vor/simulate.py",
           "(off > 0) & (t >= off)", "(off > 0) & (t > off)",
           VOR, "the spectacles come off one cycle late (Fig 1 recovery)"),
    Mutant("vor-theory-K-q", "models/vor/theory.py",
           "K[..., 1, 1] = q\n", "K[..., 1, 1] = 2.0 * q\n", VOR,
           "the linearised map K̃: its (D, D) entry q doubled (closed form of the transfer)"),
    Mutant("vor-theory-overshoot", "models/vor/theory.py",
           "return (np.asarray(g) - 1.0) * q * (1.0 - b + v) / ((1.0 - b) * (r * v + 1.0 - 2.0 * q))",
           "return (np.asarray(g) - 1.0) * q * (1.0 - b + v) / ((1.0 - b) * (r * v + 1.0 - q))", VOR,
           "the paper's overshoot formula with 1 − q for 1 − 2q (Fig 6 formula)"),
    Mutant("vor-theory-dark-growth", "models/vor/theory.py",
           "return 1.0 + eta_D * q * b / (1.0 - b)", "return 1.0 + eta_D * q / (1.0 - b)", VOR,
           "growth factor of learning in the dark without its b (§6)"),
    # -- SGDEGE rule (every Bouvier model runs it) ------------------------------------------
    Mutant("sgdege-dw-sign", "rules/sgdege.py",
           "return 0.0, -prm[1] * c, prm[2] * c, 0.0", "return 0.0, prm[1] * c, prm[2] * c, 0.0",
           SGDEGE, "LTP after pCS + eCS instead of LTD (Eqs 9, 38)"),
    Mutant("sgdege-olive-step-half", "rules/sgdege.py",
           "return 0.0, -prm[1] * c, prm[2] * c, 0.0",
           "return 0.0, -prm[1] * c, 0.5 * prm[2] * c, 0.0", SGDEGE,
           "the olive's step Δv halved (Eqs 10, 39)"),
    Mutant("sgdege-olive-sign", "rules/sgdege.py",
           "return 0.0, -prm[1] * c, prm[2] * c, 0.0", "return 0.0, -prm[1] * c, -prm[2] * c, 0.0",
           SGDEGE, "the olive's drive falls after an eCS (Eqs 10, 39 with the sign flipped)"),
    Mutant("sgdege-unperturbed-plasticity", "rules/sgdege.py",
           "return 0.0, -prm[1] * c, prm[2] * c, 0.0", "return -prm[1] * c, 0.0, prm[2] * c, 0.0",
           SGDEGE, "w changes on every presentation, not only on pCS ones (Eqs 9, 38)"),
    Mutant("sgdege-rho-x2", "rules/sgdege.py",
           "return 1.0 if u < prm[0] else 0.0", "return 1.0 if u < 2.0 * prm[0] else 0.0", SGDEGE,
           "pCSs twice as frequent as ρ"),
    Mutant("sgdege-ecs-tie", "rules/sgdege.py",
           "return 1.0 if error > inhibition else -1.0", "return 1.0 if error >= inhibition else -1.0",
           SGDEGE, "a tie ℰ = ℐ counts as an eCS",
           equivalent="ℰ and ℐ are continuous (network, perceptron, VOR) or off the ΔP lattice "
                      "(reduced model: R = 50.3 and every start off the lattice), so ties never occur"),
    # -- delta rule, node perturbation, Marr-Albus-Ito ---------------------------------------
    Mutant("delta-sign", "rules/delta.py", "return -prm[0] * e, 0.0, 0.0, 0.0",
           "return prm[0] * e, 0.0, 0.0, 0.0", (*PERCEPTRON, *DVOR),
           "the delta rule climbs the error: Δw = +α(P − R) (Eq 42); so does decorrelation, "
           "which shares its compiled update (da/dt = +β e y)"),
    Mutant("delta-rate-x0.1", "rules/delta.py", "return -prm[0] * e, 0.0, 0.0, 0.0",
           "return -0.1 * prm[0] * e, 0.0, 0.0, 0.0", (*PERCEPTRON,),
           "the delta rule at a tenth of its rate α (Eq 42)"),
    Mutant("np-baseline-frozen", "rules/node_perturbation.py",
           "state[2 * mu + 1] = baseline + prm[2] * (E - baseline)", "state[2 * mu + 1] = baseline",
           ("compare-rules",), "node perturbation's running-mean baseline ℰ̄ never updated"),
    Mutant("np-biased-noise", "rules/node_perturbation.py",
           "return 1.0 if u < 0.5 else -1.0", "return 1.0 if u < 0.7 else -1.0", ("compare-rules",),
           "node perturbation's ξ = ±σ drawn with P(+) = 0.7 instead of 1/2"),
    Mutant("np-sigma-power", "rules/node_perturbation.py",
           "return 0.0, -prm[1] * (E - baseline) / prm[0], 0.0, 0.0",
           "return 0.0, -prm[1] * (E - baseline) * prm[0], 0.0, 0.0", ("compare-rules",),
           "node perturbation's update ξ/σ² written ξ (a factor σ² = 4)"),
    Mutant("mai-cf-sign", "rules/mai.py",
           "    if e > 0.0:  # climbing fibre", "    if e < 0.0:  # climbing fibre",
           ("bouvier2018-fig2", "compare-rules"),
           "the Marr-Albus-Ito climbing fibre fires on the wrong sign of the error (Eq 14)"),
    Mutant("mai-no-drift", "rules/mai.py",
           "return 0.0, 0.0, 0.0, prm[1]  # no climbing fibre",
           "return 0.0, 0.0, 0.0, 0.0  # no climbing fibre",
           ("bouvier2018-fig2", "compare-rules"), "the drift β_w of Eq 15 dropped"),
    Mutant("mai-unsigned-threshold", "rules/mai.py",
           "    if E > 0.0:\n", "    if E > 20.0:\n", ("bouvier2018-fig2",),
           "the unsigned climbing fibre fires only above 20 Hz of error (Fig 2C: whenever ℰ > 0)"),
    # -- perceptron (Appendix 1 Eqs 36-42) ----------------------------------------------------
    Mutant("perceptron-amplitude-x2", "models/perceptron/kernels/lockstep.py",
           "0.0) + s * A\n", "0.0) + 2.0 * s * A\n", PERCEPTRON,
           "the perturbation η A added twice over in the compiled kernel (Eq 36)"),
    Mutant("perceptron-olive-q-half", "models/perceptron/kernels/lockstep.py",
           "- q * P, 0.0)", "- 0.5 * q * P, 0.0)", PERCEPTRON,
           "ℐ = [𝒥 − qP]_+ with q/2 (Eq 37)"),
    Mutant("perceptron-alpha-w-x2", "models/perceptron/params.py",
           "return self.dP / (self.f * math.sqrt(self.N_M))",
           "return 2.0 * self.dP / (self.f * math.sqrt(self.N_M))", PERCEPTRON,
           "α_w = 2ΔP/(f√N_M) (Eq 40)"),
    Mutant("perceptron-alpha-v-constant", "models/perceptron/params.py",
           "return self.dJ / (self.f * math.sqrt(self.N_M))",
           "return self.dP / (self.f * math.sqrt(self.N_M))", PERCEPTRON,
           "α_v from ΔP instead of Δ𝒥 (Eq 41)"),
    Mutant("perceptron-no-rectification", "models/perceptron/kernels/lockstep.py",
           "store(X, b0, vmax(add(load(X, b0), dw), floor))",
           "store(X, b0, add(load(X, b0), dw))", PERCEPTRON,
           "MF→PC weights allowed below zero: the [·]_+ of Eqs 38, 42 dropped (the runs of a "
           "kernel call's first rule: SGDEGE in Figs 10B-D)"),
    Mutant("perceptron-no-rectification-second-rule", "models/perceptron/kernels/lockstep.py",
           "vmax_b(add_b(load_b(X, b0 + w_b), dx), floor_b)",
           "add_b(load_b(X, b0 + w_b), dx)", PERCEPTRON,
           "the delta rule's weights allowed below zero where it shares a kernel call with "
           "SGDEGE (Figs 10C-D): the [·]_+ of Eq 42 dropped"),
    Mutant("perceptron-rewrite-skips-first-rule-w", "models/perceptron/kernels/lockstep.py",
           "dx, dy, floor, floor_b, True, False)", "dx, dy, floor, floor_b, False, False)",
           PERCEPTRON,
           "the pass compiled for presentations that change only the first rule's w leaves w as "
           "it was: SGDEGE's Eq 38 never applied where no second rule's w changes (Fig 10B, "
           "capacity)"),
    Mutant("perceptron-olive-flag-of-the-second-rule", "models/perceptron/kernels/lockstep.py",
           "rules[0].uses_olive,", "split < len(configs) and rules[split].uses_olive,",
           PERCEPTRON,
           "a kernel built with the second rule's olive flag for the first rule: SGDEGE beside "
           "the delta rule (Fig 10D's cell) reads no 𝒥, so ℐ = 0 in Eq 37"),
    Mutant("perceptron-targets-range", "models/perceptron/patterns.py",
           "R = rng.uniform(0.0, p.P_max, p.n_patterns)",
           "R = rng.uniform(0.0, 0.5 * p.P_max, p.n_patterns)", PERCEPTRON,
           "targets drawn from U[0, P_max/2] instead of U[0, P_max] (Fig 10 legend)"),
    Mutant("perceptron-coding-level", "models/perceptron/patterns.py",
           "active = rng.random((p.n_patterns, p.N_M)) < p.f",
           "active = rng.random((p.n_patterns, p.N_M)) < 0.8 * p.f", PERCEPTRON,
           "patterns drawn at coding level 0.8 f"),
    Mutant("perceptron-no-silent-start", "models/perceptron/patterns.py",
           "w = np.maximum(rng.standard_normal(p.N_M), 0.0)",
           "w = np.abs(rng.standard_normal(p.N_M))", PERCEPTRON,
           "initial weights |z| instead of max(0, z): no silent synapse at the start"),
    Mutant("perceptron-order-with-replacement", "models/perceptron/simulate.py",
           "order = rng.permuted(base[:k], axis=1).ravel()", "order = rng.integers(0, n_p, k * n_p)",
           PERCEPTRON, "patterns drawn with replacement instead of once per epoch (Appendix 1)"),
    Mutant("perceptron-threshold", "models/perceptron/params.py",
           "return (P_max / 2.0) * (np.sqrt(f / (3.0 * (1.0 - f) * gamma)) - 1.0 / np.sqrt(N_M))",
           "return (P_max / 2.0) * (np.sqrt(f / (3.0 * (1.0 - f) * gamma)) - 2.0 / np.sqrt(N_M))",
           PERCEPTRON, "θ with 2/√N_M for 1/√N_M (Fig 10 legend)"),
    Mutant("capacity-gamma", "models/perceptron/capacity.py",
           "u + gamma * (u * norm.cdf(u) + norm.pdf(u))", "u + 2.0 * gamma * (u * norm.cdf(u) + norm.pdf(u))",
           PERCEPTRON, "the capacity equation −u = γ(uΦ(u) + φ(u)) with 2γ"),
    Mutant("capacity-pdf-dropped", "models/perceptron/capacity.py",
           "u + gamma * (u * norm.cdf(u) + norm.pdf(u))", "u + gamma * (u * norm.cdf(u))",
           PERCEPTRON, "the capacity equation without its φ(u) term"),
    # -- reduced model (Appendix 1 Eqs 16-35) ----------------------------------------------
    Mutant("reduced-olive-qA", "models/reduced/simulate.py",
           "np.maximum(J - q * out, 0.0)", "np.maximum(J - q * P, 0.0)",
           REDUCED, "ℐ of a perturbed trial without its −qA (Eq 18: [𝒥 − qP − qA]_+)"),
    Mutant("reduced-no-rectification", "models/reduced/simulate.py",
           "0.0), np.maximum(J + dv, 0.0)", "0.0), J + dv", REDUCED,
           "𝒥 not rectified at 0 (Eqs 22, 26)",
           equivalent="𝒥 falls only without an eCS, i.e. while 𝒥 − qP > ℰ ≥ 0 (perturbed: 𝒥 > q(P + A)), "
                      "so one step takes it below 0 only when qP < Δ𝒥 (P < 4 Hz at Fig 9's q, Δ𝒥); "
                      "every run of these experiments keeps P near R = 50.3 or above it"),
    Mutant("reduced-theory-upper-boundary", "models/reduced/theory.py",
           "return beta / ((q + 1.0) + 2.0 * beta)",
           "return beta / ((q + 1.0) + beta)", REDUCED,
           "the D+/C+ regime boundary ρ = β/(q + 1 + 2β) without its factor 2 (Fig 9C)"),
    Mutant("reduced-theory-speed-C+", "models/reduced/theory.py", "-(1 - rho) * dJ / (1 + q + beta)",
           "-(1 - rho) * dJ / (1 + q + 2 * beta)", REDUCED, "the C+ corridor speed of Eq 33 with 2β"),
    Mutant("reduced-theory-fixed-point", "models/reduced/theory.py",
           "return R - A * (q + 1) / 2, q * R + (1 - q * q) * A / 2",
           "return R - A * (q + 1) / 2, q * R + (1 - q) * A / 2", REDUCED,
           "the fixed point's 𝒥* = qR + (1 − q²)A/2 with (1 − q)"),
    # -- network (Methods Eqs 1-13) ----------------------------------------------------------
    Mutant("network-amplitude-x2", "models/network/kernels/common.py",
           "min(max(x + s * A, 0.0), r_max)", "min(max(x + 2.0 * s * A, 0.0), r_max)", NETWORK,
           "the pCS adds 2A to the perturbed column in the compiled kernels (Eq 6)"),
    Mutant("network-no-q", "models/network/kernels/common.py",
           "I += min(max(V[l * T + t] + q * u_pc_pn * pc_sum[l, t], 0.0), r_max)",
           "I += min(max(V[l * T + t] + u_pc_pn * pc_sum[l, t], 0.0), r_max)", NETWORK,
           "the NO neurones receive the PCs at full strength: q dropped (Eqs 4, 13)"),
    Mutant("network-signed-error-sign", "models/network/kernels/common.py",
           "e += R[mu, l, t] - pn", "e += pn - R[mu, l, t]",
           NETWORK, "the signed error e = ⟨R − PN⟩ with its sign flipped (Eq 14)"),
    Mutant("network-credit-bin", "models/network/kernels/incremental.py",
           "            tl = pbin[kk, l]\n", "            tl = (pbin[kk, l] + 1) % T\n", NETWORK,
           "the plasticity of Eq 9 lands in the bin after the perturbed one (Eq 9)",
           also=("models/network/kernels/direct.py",)),
    Mutant("network-connectivity", "models/network/draw.py", "sigma = rng.random((L, S, N)) < 0.5",
           "sigma = rng.random((L, S, N)) < 0.25", NETWORK,
           "MF→PC connection probability 1/4 instead of 1/2 (Methods)"),
    Mutant("network-targets-narrow", "models/network/draw.py",
           "R = rng.uniform(0.0, 2.0 * p.r_d, (p.n_patterns, L, T))",
           "R = rng.uniform(0.5 * p.r_d, 1.5 * p.r_d, (p.n_patterns, L, T))", NETWORK,
           "targets from U[r_D/2, 3r_D/2] instead of U[0, 2r_D] (Methods)"),
    Mutant("network-perturbed-bins", "models/network/draw.py", "rng.integers(0, p.T, (n_movements, p.L))",
           "rng.integers(0, p.T - 1, (n_movements, p.L))", NETWORK,
           "the pCS never falls in the last time bin (off-by-one in the bin drawn)"),
    Mutant("network-initial-no", "models/network/draw.py", "(p.no0 + p.q * p.r_d) * 4.0 * T * L / (N * S)",
           "(p.no0 + p.q * p.r_d) * 2.0 * T * L / (N * S)", NETWORK,
           "initial MF→NO weights drawn from half the range (Methods, initial weights)"),
    Mutant("network-no-unrectified", "models/network/kernels/common.py",
           "v[act[j]] = max(v[act[j]] + dv, 0.0)", "v[act[j]] = v[act[j]] + dv", NETWORK,
           "MF→NO weights allowed below zero in the compiled kernels: the [·]_+ of Eq 10 dropped",
           equivalent="the [·]_+ does not bind in these runs: after the quick network's 10 000 "
                      "movements no MF→NO weight is 0 (the smallest of 20 000 is 5e-20); a weight "
                      "at most one step α_v = 2e-4 below 0 moves ℐ by < 1e-6 Hz"),
    # -- the rules layer: settings ------------------------------------------------------------
    Mutant("rules-model-defaults-ignored", "rules/base.py",
           "defaults=lambda name: get_rule(name).defaults.get(model, {}))",
           "defaults=lambda name: {})",
           (*NETWORK, "sgdege-scaling", "compare-rules"),
           "a rule's per-model defaults ignored: node perturbation's η and the delta rule's α "
           "on the network, MAI's β_w of Table 2 (0.002), all at the perceptron's values"),
    # -- the dynamic VOR ---------------------------------------------------------------------
    Mutant("dvor-hold-swapped", "models/dynamic_vor/kernels/reference.py",
           "np.stack([alpha, (1.0 - alpha) - beta1, beta1], axis=-1)",
           "np.stack([alpha, beta1, (1.0 - alpha) - beta1], axis=-1)", DVOR,
           "first-order hold with its two input weights swapped: a filter lags by part of a step",
           equivalent="with τ ≫ dt the two weights differ by O(dt/τ): the simulated phase moves by "
                      "0.004° at 25 Hz (gain by 10⁻⁵), a discretisation detail far below the 1 %/1° "
                      "to which dvor-bode checks the model and below its measured 0.001° floor"),
    Mutant("dvor-plant-is-model", "models/dynamic_vor/simulate.py",
           'reference.foh(flat["tau_plant"], dt)', "reference.foh(np.full(B, params.tau_model), dt)",
           DVOR, "the simulated plant is the brainstem's model of it, not the changed plant τ_p"),
    Mutant("dvor-no-delay", "models/dynamic_vor/kernels/compiled.py", "delayed = L[b] > 0",
           "delayed = False", DVOR, "the climbing-fibre error arrives without its delay δ"),
    Mutant("dvor-eligibility-unfiltered", "models/dynamic_vor/kernels/compiled.py",
           "if filtered:", "if not filtered:", DVOR,
           "the eligibility is the granule signal itself, not the signal through the plant model"),
    Mutant("dvor-trace-ignored", "models/dynamic_vor/kernels/compiled.py", "if Ltr[b] > 0:",
           "if Ltr[b] > 10**9:", DVOR, "the eligibility trace's delay is dropped"),
    Mutant("dvor-rate-x2", "models/dynamic_vor/kernels/compiled.py",
           "coef = update(abs(e), e, 0.0, 0, state[b], prm[b])[0] * dt",
           "coef = update(abs(e), e, 0.0, 0, state[b], prm[b])[0] * 2 * dt", DVOR,
           "the cortical rate doubled (β counted twice per step)"),
    Mutant("dvor-brainstem-P-sign", "models/dynamic_vor/kernels/compiled.py",
           "step = dt * gamma[b] * ((1.0 - q[b]) * e - q[b] * P)",
           "step = dt * gamma[b] * ((1.0 - q[b]) * e + q[b] * P)", DVOR,
           "the brainstem rule's Purkinje term with the wrong sign (Coenen Fig 3: −q P)"),
    Mutant("dvor-brainstem-lead-unscaled", "models/dynamic_vor/kernels/compiled.py",
           "d[1] += step * tz * hd", "d[1] += step * hd", DVOR,
           "the brainstem's lead signal z₂ = τ_model ḣ learnt as ḣ (a dropped factor)"),
    Mutant("dvor-brainstem-no-lead", "models/dynamic_vor/kernels/compiled.py",
           "d[1] += step * tz * hd", "d[1] += 0.0 * step * tz * hd", DVOR,
           "the brainstem never learns its lead signal τ_model ḣ (only the gain on h): the plant "
           "change cannot move into the brainstem"),
    Mutant("dvor-brainstem-lead-sign", "models/dynamic_vor/kernels/compiled.py",
           "d[1] += step * tz * hd", "d[1] -= step * tz * hd", ("dvor-plant",),
           "the brainstem learns its lead signal τ_model ḣ with the wrong sign: the plant change "
           "moves into the brainstem the wrong way"),
    Mutant("dvor-efference-sign", "models/dynamic_vor/kernels/compiled.py",
           "P = -bec[b] * p - vis[b] * e", "P = bec[b] * p - vis[b] * e", DVOR,
           "the efference copy enters P with the wrong sign (Coenen Fig 2: + b e, e = E)"),
    Mutant("dvor-visual-undelayed", "models/dynamic_vor/kernels/compiled.py",
           "P = -bec[b] * p - vis[b] * e", "P = -bec[b] * p - vis[b] * s", DVOR,
           "the visual mossy fibres see the slip without its delay while the loop assumes it"),
    Mutant("dvor-static-rate-half", "figures/dynamic_vor/static.py",
           '**{"decorrelation.beta": 2 * self.eta_A * self.v * f})',
           '**{"decorrelation.beta": self.eta_A * self.v * f})', DVOR,
           "one cycle of the dynamic cortex rule is half of Coenen's step (∫ h² dt over a cycle "
           "is 1/(2f), not 1/f)"),
    Mutant("dvor-theory-cortex-sign", "models/dynamic_vor/theory.py",
           "- np.sum(np.asarray(a) * basis_response(params, f), axis=-1))",
           "+ np.sum(np.asarray(a) * basis_response(params, f), axis=-1))", DVOR,
           "the transfer function adds the Purkinje output instead of subtracting it"),
    Mutant("dvor-theory-growth-cos", "models/dynamic_vor/theory.py",
           "rotation = np.exp(-1j * omega(f) * (np.asarray(delay) - np.asarray(trace)))",
           "rotation = np.exp(-2j * omega(f) * (np.asarray(delay) - np.asarray(trace)))", DVOR,
           "the delay's phase counted twice in the growth rate (f_c would be 1/(8δ))"),
    Mutant("dvor-flow-undelayed", "models/dynamic_vor/theory.py",
           "lag = np.exp(-1j * w * params.delay)", "lag = np.exp(-1j * w * 0.0)", DVOR,
           "the averaged learning dynamics forget the error's delay"),
    Mutant("dvor-flow-power-x2", "models/dynamic_vor/theory.py",
           "return f, np.full(f.size, 1.0 / f.size)", "return f, np.full(f.size, 2.0 / f.size)", DVOR,
           "the broadband sines' power A²/2 taken as A² (the averaged rates doubled)"),
    Mutant("dvor-flow-brainstem-sign", "models/dynamic_vor/theory.py",
           "drive = [(1 - params.q) * e - params.q * p", "drive = [(1 - params.q) * e + params.q * p",
           DVOR, "the averaged brainstem rule's Purkinje term with the wrong sign"),
    Mutant("dvor-no-perturbation", "models/dynamic_vor/simulate.py", 'flat["A"], sbin)',
           "0.0 * flat[\"A\"], sbin)", DVOR, "the pCS and node perturbations never reach P"),
    Mutant("dvor-trial-credit-sign", "models/dynamic_vor/kernels/compiled.py",
           "a[k] += ca * act[k] + cb * act_p[k] + drift", "a[k] += ca * act[k] - cb * act_p[k] + drift",
           DVOR, "a trial's update credits the perturbed bins with the wrong sign"),
    Mutant("dvor-credit-delayed", "models/dynamic_vor/kernels/compiled.py",
           "act_p[k] += sbin[b, n // nbin] * x[k] * dt",
           "act_p[k] += sbin[b, max(n - L[b], 0) // nbin] * x[k] * dt", DVOR,
           "a trial credits the perturbation applied δ earlier (a 'compensation' for the delay "
           "that the trial's error does not need)"),
    Mutant("dvor-olive-frozen", "models/dynamic_vor/kernels/compiled.py", "olive += dv",
           "olive += 0.0 * dv", DVOR, "the olive never learns ℐ: every trial ends in an eCS"),
    Mutant("dvor-plant-trace-unmatched", "figures/dynamic_vor/plant.py",
           "trace=np.array([0.0, params.delay]", "trace=np.array([0.0, 0.5 * params.delay]", DVOR,
           "the trace run's eligibility delayed by half the error's delay"),
)


def readme_text(outcomes: list) -> str:
    """The score and every mutant not killed, for the README (written by ``--readme``)."""
    s = score(outcomes)
    lines = [f"Last full run: **{s['killed']} of {s['counted']} mutants killed ({s['rate']:.0%})** "
             f"at the quick scale; {len(s['equivalent'])} more argued equivalent."]
    lines += [f"- equivalent, `{o.mutant.name}` ({o.mutant.what}): {o.mutant.equivalent}"
              for o in outcomes if o.mutant.equivalent and not o.killed]
    lines += [f"- **survived**, `{o.mutant.name}`: {o.mutant.what}" for o in outcomes
              if not o.killed and not o.mutant.equivalent]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", default=[], help="name prefixes of the mutants to run")
    parser.add_argument("--list", action="store_true", help="print the catalogue and exit")
    parser.add_argument("--jobs", type=int, default=2, help="mutants run at once")
    parser.add_argument("--json", type=Path, help="write the outcomes to this file")
    parser.add_argument("--readme", type=Path,
                        help="rewrite this README's block between the mutants markers with the score")
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the check that the unmutated package fails no row")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTANTS if not args.only or any(m.name.startswith(p) for p in args.only)]
    if args.list:
        for m in chosen:
            print(f"{m.name:32s} {m.file:28s} {m.what}")
        print(f"{len(chosen)} mutants")
        return 0 if not stale(chosen) else 1
    outcomes = run_all(chosen, jobs=args.jobs, baseline=not args.no_baseline)
    s = score(outcomes)
    print(f"\n{s['killed']} of {s['counted']} mutants killed ({s['rate']:.0%}); "
          f"{len(s['equivalent'])} argued equivalent: {', '.join(s['equivalent']) or 'none'}; "
          f"survivors: {', '.join(s['survivors']) or 'none'}")
    if args.readme:
        replace_block(args.readme, readme_text(outcomes), "<!-- mutants:begin -->",
                      "<!-- mutants:end -->")
    if args.json:
        args.json.write_text(json.dumps(dict(score=s, outcomes=[
            dict(name=o.mutant.name, killed=o.killed, seconds=round(o.seconds, 1),
                 killers=o.killers, errors=o.errors) for o in outcomes]), indent=2))
    return 0 if not s["survivors"] else 1


if __name__ == "__main__":
    sys.exit(main())
