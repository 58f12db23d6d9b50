"""The report's numbers, recomputed independently from the saved nets.

A tiny reproduction (d = 12) writes ``report.md``, the results and every
trained net; each test parses a number of the report and recomputes it by a
route the item did not use (an independent eigendecomposition, the net's own
forward pass on fresh samples, the loss at the extreme eigenvectors, the Lévy
bound at the printed error rate), so a bug in computing, recording or
formatting a number fails here.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from conftest import TINY_DIM, run_tiny_reproduction
from scipy import stats

from spheres_theory import ConcentricSpheres, QuadraticRule, optimal_mean_distance
from spheres_theory.reproduce import load_result
from spheres_theory.training import load_model

SP = ConcentricSpheres(TINY_DIM)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    return run_tiny_reproduction(tmp_path_factory, "report_numbers")


@pytest.fixture(scope="module")
def report(run_dir):
    return (run_dir / "report.md").read_text(encoding="utf-8")


def _net(run_dir, name):
    with np.load(run_dir / "nets" / f"{name}.npz") as f:
        return f["W"].astype(np.float64), float(f["w"]), float(f["b"])


def _alphas(W, w, b):
    """Independent route: eigenvalues of (w / -b) WᵀW (w > 0 > b)."""
    return np.sort(np.linalg.eigvalsh(W.T @ W) * (w / -b))


def _section(report, number):
    start = report.index(f"## {number}.")
    end = report.index("\n## ", start + 3)
    return report[start:end]


def _rows(section):
    return [
        [c.strip() for c in line.strip("|").split("|")]
        for line in section.splitlines()
        if line.startswith("| ")
        and not line.startswith("| step |")
        and not line.startswith("| run |")
        and not line.startswith("| d |")
    ]


def test_fixed_set_final_numbers(run_dir, report):
    text = _section(report, 2)
    W, w, b = _net(run_dir, "fixed_set_final")
    alphas = _alphas(W, w, b)
    low, high = SP.alpha_range
    bad = int(np.sum((alphas < low) | (alphas > high)))
    m = re.search(r"Final net: (\d+) of (\d+) α outside", text)
    assert (int(m.group(1)), int(m.group(2))) == (bad, TINY_DIM)
    # The printed exact inner error against the net's own forward pass on
    # fresh points: a binomial count within 5 standard errors.
    m = re.search(r"exact inner error [0-9.e-]+ \(log10 (-?[0-9.]+)\)", text)
    p = 10 ** float(m.group(1))
    net = load_model(run_dir / "models" / "fixed_set_final.npz")
    n = 200_000
    x, _ = SP.sample(n, sphere="inner", rng=np.random.default_rng(2024))
    k = int(np.sum(net.predict(x) != 0))
    assert abs(k - n * p) <= 5 * math.sqrt(n * p * (1 - p)) + 5
    # The last checkpoint row shows the same α range as the saved net.
    last = _rows(text)[-1]
    lo, hi = (float(v) for v in last[2].split(" … "))
    assert (lo, hi) == (round(alphas[0], 3), round(alphas[-1], 3))


def test_online_and_adversarial_final_rows(run_dir, report):
    text = _section(report, 3)
    for name, table in (("online_final", 0), ("adversarial_final", 1)):
        W, w, b = _net(run_dir, name)
        alphas = _alphas(W, w, b)
        low, high = SP.alpha_range
        bad = int(np.sum((alphas < low) | (alphas > high)))
        tables = text.split("| step | bad α |")[1:]
        last = _rows("| step |" + tables[table].split("\n\n")[0])[-1]
        assert int(last[1]) == bad
        lo, hi = (float(v) for v in last[2].split(" … "))
        assert (lo, hi) == (round(alphas[0], 3), round(alphas[-1], 3))


def test_drift_worst_case_loss_at_the_extreme_eigenvectors(run_dir, report):
    W = _net(run_dir, "drift_final")[0]
    vec = np.linalg.eigh(W.T @ W)[1]
    net = load_model(run_dir / "models" / "drift_final.npz")
    # The largest loss on each sphere sits on an extreme eigenvector.
    inner_worst = vec[:, -1]  # largest logit on the unit sphere
    outer_worst = SP.outer_radius * vec[:, 0]  # smallest logit on the R sphere
    z_in = float(net.astype(np.float64).logit(inner_worst[None])[0])
    z_out = float(net.astype(np.float64).logit(outer_worst[None])[0])
    worst = max(np.logaddexp(0, z_in), np.logaddexp(0, -z_out))
    last = _rows(_section(report, 4))[-1]
    assert float(last[2]) == pytest.approx(worst, rel=2e-3, abs=1e-3)
    # No sampled point has a larger loss than that worst case.
    x, y = SP.sample(20_000, rng=np.random.default_rng(7))
    z = net.astype(np.float64).logit(x)
    assert np.max(np.logaddexp(0, np.where(y == 1, -z, z))) <= worst * (1 + 1e-9)


def test_fig4_rows_obey_the_levy_bound(report):
    rows = _rows(_section(report, 6))
    assert rows
    for run, _step, log10_mu, mean, interval, bound, ratio in rows:
        # The printed bound is d*(μ) at the printed μ (independent call),
        # within the rounding of log10 μ to 2 decimals (d* decreases in μ).
        lo_b, hi_b = (
            float(optimal_mean_distance(10 ** (float(log10_mu) + h), TINY_DIM))
            for h in (0.005, -0.005)
        )
        assert lo_b - 1e-4 <= float(bound) <= hi_b + 1e-4
        # Lévy: d(E) <= d*(μ); the sampled mean's interval must reach below it.
        lo = float(interval.split(" … ")[0])
        assert lo <= float(bound) + 1e-4, (run, log10_mu)
        # ratio = d(E)/d*, up to the rounding of the three printed numbers.
        err = abs(float(ratio) * float(bound) - float(mean))
        assert err <= 5e-4 * float(bound) + 1e-4


def test_relu_final_sampled_errors_agree_with_a_fresh_count(run_dir):
    relu = load_result(run_dir / "results" / "relu")
    net = load_model(run_dir / "models" / "relu_final.npz")
    n = 50_000
    x, _ = SP.sample(n, sphere="inner", rng=np.random.default_rng(99))
    k = int(np.sum(net.predict(x) != 0))
    # Two binomial samples of the same rate: a two-sided test at 1e-6.
    k0, n0 = int(relu.errors_inner[-1]), int(relu.n_samples[-1])
    table = [[k, n - k], [k0, n0 - k0]]
    assert stats.fisher_exact(table).pvalue > 1e-6


def test_attack_gap_ratios_are_upper_bounds(run_dir):
    gap = load_result(run_dir / "results" / "attack_gap")
    for ratios, exact, pgd in (
        (gap.ratios_low, gap.exact_low, gap.pgd_low),
        (gap.ratios_early, gap.exact_early, gap.pgd_early),
    ):
        assert np.all(ratios >= 1 - 1e-9)
        np.testing.assert_allclose(ratios, pgd / exact, rtol=1e-12)


def test_exact_rates_of_the_saved_rule(run_dir):
    """The item's exact rates equal the rule rebuilt from the saved weights."""
    fixed = load_result(run_dir / "results" / "fixed_set")
    rule = QuadraticRule.from_quad_net(*_net(run_dir, "fixed_set_final"))
    inner = rule.error_rate(SP, sphere="inner").log10_value
    assert float(inner) == pytest.approx(float(fixed.log10_error_inner[-1]), abs=1e-9)
