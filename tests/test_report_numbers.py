"""The report's numbers, recomputed through the public API (items 3 to 6).

A tiny reproduction (d = 12) writes ``report.md`` and the saved results; each
test parses one table or line of the report and recomputes it from the saved
coefficients, models and seeds with public functions (exact error rates,
exact Lévy bound, exact nearest errors, the models' exact worst-case loss from
eigenvalues), so a bug in recording or formatting a number fails here.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from conftest import TINY_DIM, run_tiny_reproduction
from numpy.testing import assert_allclose, assert_array_equal

from spheres_theory import (
    ConcentricSpheres,
    QuadraticRule,
    mean_distance_to_error,
    nearest_error,
    optimal_mean_distance,
)
from spheres_theory.models import QuadNet
from spheres_theory.reproduce import ITEMS, ReproduceConfig, load_result
from spheres_theory.training import load_model, train

DIM = TINY_DIM


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """One tiny reproduction through the command line (d = 12)."""
    return run_tiny_reproduction(tmp_path_factory, "report_numbers")


@pytest.fixture(scope="module")
def report(run_dir):
    return (run_dir / "report.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def config():
    return ReproduceConfig.tiny(DIM)


@pytest.fixture(scope="module")
def spheres(config):
    return ConcentricSpheres(config.dim, config.outer_radius)


def _result(run_dir, name):
    return load_result(run_dir / "results" / name)


def _section(report, number):
    """Text of section ``## <number>.`` of the report."""
    match = re.search(rf"^## {number}\. .*?(?=^## |\Z)", report, re.M | re.S)
    assert match is not None, f"no section {number}"
    return match.group(0)


def _tables(text):
    """Body rows (lists of cell strings) of each markdown table in ``text``."""
    tables, rows = [], None
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if rows is None:
                rows = []  # the header
            elif not set("".join(cells)) <= set("-"):
                rows.append(cells)
        elif rows is not None:
            tables.append(rows)
            rows = None
    return tables


def _num(cell):
    """A printed number ("-inf", "nan" and "inf" included)."""
    return float(cell.replace("−", "-"))


def _log10_error(rule, spheres, sphere):
    return float(rule.error_rate(spheres, sphere=sphere).log10_value)


def _close_or_equal_inf(actual, desired, **tol):
    actual, desired = np.asarray(actual, float), np.asarray(desired, float)
    finite = np.isfinite(desired)
    assert_array_equal(actual[~finite], desired[~finite])
    assert_allclose(actual[finite], desired[finite], **tol)


# -- item 3: online quad net ----------------------------------------------------


def test_item3_table_recomputes_from_saved_alphas(run_dir, report, spheres):
    o = _result(run_dir, "online")
    rows, _ = _tables(_section(report, 3))
    assert [int(r[0]) for r in rows] == o.steps.tolist()
    low, high = 1 / spheres.outer_radius**2, 1.0
    for row, alphas, saved_inner, saved_outer, saved_bad in zip(
        rows,
        o.alphas,
        o.log10_error_inner,
        o.log10_error_outer,
        o.n_bad,
        strict=True,
    ):
        rule = QuadraticRule(alphas)
        inner = _log10_error(rule, spheres, "inner")
        outer = _log10_error(rule, spheres, "outer")
        n_bad = int(np.sum((alphas < low) | (alphas > high)))  # by hand
        _close_or_equal_inf(saved_inner, inner, rtol=1e-10)
        _close_or_equal_inf(saved_outer, outer, rtol=1e-10)
        assert int(saved_bad) == n_bad == int(row[3])
        _close_or_equal_inf(_num(row[4]), inner, atol=6e-4)  # printed .3f
        _close_or_equal_inf(_num(row[5]), outer, atol=6e-4)
        assert_allclose(_num(row[1]), alphas.min(), atol=6e-5)  # printed .4f
        assert_allclose(_num(row[2]), alphas.max(), atol=6e-5)


def test_item3_demo_table_recomputes_from_saved_alphas(run_dir, report, config):
    o = _result(run_dir, "online")
    section = _section(report, 3)
    _, rows = _tables(section)
    demo = ConcentricSpheres(config.online_demo_dim, config.outer_radius)
    assert o.demo_dim == config.online_demo_dim and o.demo_alphas.shape[1] == o.demo_dim
    assert [int(r[0]) for r in rows] == o.demo_steps.tolist()
    assert (
        o.demo_steps.tolist()
        == np.cumsum([0] + [steps for _, steps in config.online_demo_schedule]).tolist()
    )
    low, high = 1 / demo.outer_radius**2, 1.0
    for row, alphas, saved_bad, saved_inner, saved_outer in zip(
        rows,
        o.demo_alphas,
        o.demo_n_bad,
        o.demo_log10_error_inner,
        o.demo_log10_error_outer,
        strict=True,
    ):
        rule = QuadraticRule(alphas)
        n_bad = int(np.sum((alphas < low) | (alphas > high)))  # by hand
        assert int(saved_bad) == n_bad == int(row[4])
        inner = _log10_error(rule, demo, "inner")
        outer = _log10_error(rule, demo, "outer")
        _close_or_equal_inf(saved_inner, inner, rtol=1e-10)
        _close_or_equal_inf(saved_outer, outer, rtol=1e-10)
        _close_or_equal_inf(_num(row[5]), inner, atol=6e-4)  # printed .3f
        _close_or_equal_inf(_num(row[6]), outer, atol=6e-4)
        assert_allclose(_num(row[2]), alphas.min(), atol=6e-5)  # printed .4f
        assert_allclose(_num(row[3]), alphas.max(), atol=6e-5)
    # The tiny schedule (d = 8) ends with every α in the band, and says so.
    assert int(o.demo_n_bad[-1]) == int(rows[-1][4]) == 0
    assert f"at d = {o.demo_dim} the same training" in section
    assert "brings every α into the band" in section


# -- item 4: drift from a perfect initialisation ----------------------------------


def _worst_case_loss(net, outer_radius):
    """Max cross-entropy over both spheres from the eigenvalues of WᵀW.

    On the sphere of radius r, w‖Wx‖² + b ranges over b + w r² [λ_min, λ_max].
    """
    W = np.asarray(net.W, dtype=np.float64)
    lam = float(net.w) * np.linalg.eigvalsh(W.T @ W)
    inner = float(net.b) + lam.max()  # label 0: loss softplus(logit)
    outer = float(net.b) + outer_radius**2 * lam.min()  # label 1: softplus(-logit)
    return max(np.logaddexp(0.0, inner), np.logaddexp(0.0, -outer))


def test_item4_table_recomputes_by_retraining(run_dir, report, config, spheres):
    # Rerun item 4 through public functions with its documented stream
    # (item k uses default_rng([seed, k])) and start (QuadNet.perfect with
    # (w, b) scaled by drift_init_scale), then recompute every checkpoint's
    # worst-case loss from eigenvalues and count bad α by hand.
    d = _result(run_dir, "drift")
    gen = np.random.default_rng([config.seed, ITEMS.index("drift")])
    net = QuadNet.perfect(
        config.dim,
        max(config.quad_hidden, config.dim),
        outer_radius=config.outer_radius,
        rng=gen,
    )
    net.w = net.w * config.drift_init_scale
    net.b = net.b * config.drift_init_scale
    x_eval, y_eval = spheres.sample(2 * config.drift_eval_points, rng=gen)
    wanted = set(d.steps.tolist())
    rows = {}

    def record(step, m):
        rule = m.to_rule()
        alphas = np.asarray(rule.alphas)
        z = np.asarray(m.logit(x_eval), dtype=np.float64)
        rows[step] = (
            float(np.mean(np.logaddexp(0.0, np.where(y_eval == 1, -z, z)))),
            _worst_case_loss(m, config.outer_radius),
            int(np.sum((alphas < 1 / config.outer_radius**2) | (alphas > 1))),
            _log10_error(rule, spheres, "inner"),
        )

    def callback(m, checkpoint):
        if int(checkpoint.step) in wanted:
            record(int(checkpoint.step), m)

    record(0, net)
    train(
        net,
        spheres,
        steps=config.drift_steps,
        batch_size=config.batch_size,
        lr=config.drift_lr,
        train_size=config.drift_train_size,
        rng=gen,
        callbacks=(callback,),
        progress=False,
        checkpoint_every=1,
        exact_checkpoints=False,
    )
    assert sorted(rows) == d.steps.tolist()
    mean, worst, bad, inner = (np.array(c) for c in zip(*rows.values(), strict=True))
    assert_allclose(d.mean_loss, mean, rtol=1e-9)
    assert_allclose(d.worst_loss, worst, rtol=1e-9)
    assert_array_equal(d.n_bad, bad)
    _close_or_equal_inf(d.log10_error_inner, inner, rtol=1e-9)
    assert bad[0] == 0 and inner[0] == -np.inf  # a perfect start
    (table,) = _tables(_section(report, 4))
    assert [int(r[0]) for r in table] == d.steps.tolist()
    for row, k in zip(table, sorted(rows), strict=True):
        m, w, n, e = rows[k]
        assert_allclose(_num(row[1]), m, rtol=6e-4)  # printed .4g
        assert_allclose(_num(row[2]), w, rtol=6e-4)
        assert int(row[3]) == n
        _close_or_equal_inf(_num(row[4]), e, atol=6e-4)


# -- item 5: quad-net points of Fig. 4 ----------------------------------------------


def test_item5_bound_column_recomputes_from_exact_mu(run_dir, report, spheres):
    o, e = _result(run_dir, "online"), _result(run_dir, "error_distance")
    quad = _tables(_section(report, 5))[0]
    assert [int(r[0]) for r in quad] == e.quad_steps.tolist()
    for row, alphas, saved_bound, mean in zip(
        quad, o.alphas, e.quad_bound, e.quad_mean_distance, strict=True
    ):
        tail = QuadraticRule(alphas).error_rate(spheres, sphere="inner")
        log10_mu = float(tail.log10_value)
        assert_allclose(_num(row[1]), log10_mu, atol=6e-4)
        if log10_mu == -np.inf:  # no inner error: no bound, d(E) = inf
            assert math.isnan(saved_bound) and mean == np.inf
            continue
        bound = float(
            optimal_mean_distance(log_error_rate=log10_mu * math.log(10), dim=DIM)
        )
        assert_allclose(saved_bound, bound, rtol=1e-9)
        assert_allclose(_num(row[4]), bound, atol=6e-6)  # printed .5f
        assert_allclose(_num(row[5]), mean / bound, atol=6e-4)
        assert_allclose(_num(row[2]), mean, atol=6e-6)


def test_item5_mean_distance_agrees_with_a_fresh_sample(run_dir, spheres):
    # d(E) is a sample mean of exact distances: a fresh, larger sample of
    # exact distances must agree within the sampling error of both.
    o = _result(run_dir, "online")
    rng = np.random.default_rng(2026)
    for alphas, mean, low, high in zip(
        o.alphas,
        o.mean_distance,
        o.distance_ci_low,
        o.distance_ci_high,
        strict=True,
    ):
        if not np.isfinite(mean):
            continue
        fresh = mean_distance_to_error(
            QuadraticRule(alphas), spheres, n_samples=2000, rng=rng
        )
        saved_se = (high - low) / (2 * 1.959963984540054)
        se = math.hypot(saved_se, float(fresh.stderr))
        assert abs(float(fresh.mean) - mean) <= 5 * se + 1e-12


# -- item 6: attack gap -----------------------------------------------------------


def test_item6_exact_distances_recompute_at_the_start_points(
    run_dir, report, config, spheres
):
    # Item 6 attacks the saved fixed-set quad net; its starting points are the
    # first draw of its documented stream default_rng([seed, k]).
    g = _result(run_dir, "attack_gap")
    net = load_model(run_dir / "models" / "fixed_quadnet.npz")
    gen = np.random.default_rng([config.seed, ITEMS.index("attack_gap")])
    x0, y = spheres.sample(config.pgd_points, sphere="inner", rng=gen)
    rule = net.to_rule()
    exact = np.asarray(nearest_error(rule, x0, labels=y).distance, dtype=np.float64)
    # The saved distances are those of the points with a finite positive
    # exact distance and a successful attack, in order: a subsequence.
    kept = []
    for i in np.flatnonzero(np.isfinite(exact) & (exact > 0)):
        j = len(kept)
        if j < g.exact_distances.size and math.isclose(
            g.exact_distances[j], exact[i], rel_tol=1e-9
        ):
            kept.append(i)
    assert len(kept) == g.exact_distances.size > 0
    assert_allclose(g.exact_distances, exact[kept], rtol=1e-9)
    ratios = g.pgd_distances / exact[kept]
    assert np.all(ratios >= 1 - 1e-6)  # PGD only bounds the exact distance
    log10_inner = _log10_error(rule, spheres, "inner")
    assert_allclose(g.log10_error_inner, log10_inner, rtol=1e-12)
    line = re.search(
        r"over (\d+) of (\d+) points .*?model log10 inner error (\S+)\): "
        r"min (\S+), quartiles (\S+) / (\S+) / (\S+), max (\S+)\.",
        _section(report, 6),
    )
    assert line is not None
    assert int(line.group(1)) == ratios.size and int(line.group(2)) == len(x0)
    assert_allclose(_num(line.group(3)), log10_inner, atol=6e-4)
    printed = [_num(line.group(k)) for k in range(4, 9)]
    assert_allclose(printed, np.quantile(ratios, [0, 0.25, 0.5, 0.75, 1]), atol=6e-5)
