"""Tests of PGD attacks and the attack gap (PGD upper bound / exact nearest)."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from spheres_theory import ConcentricSpheres
from spheres_theory.attacks import attack_gap, pgd
from spheres_theory.models import QuadNet, ReLUNet
from spheres_theory.training import train


def _two_level_net(dim, a, b, hidden=None, rng=0):
    # alphas = (a, b, ..., b) in the standard basis: "outer" iff
    # a x1² + b (|x|² - x1²) > 1.
    alphas = np.array([a] + [b] * (dim - 1))
    return QuadNet.from_alphas(alphas, hidden or dim, basis=np.eye(dim), rng=rng)


def _cap_distance(x0, a, b):
    """Exact on-sphere nearest error of the two-level rule (closed form).

    On the unit sphere the error set is the double cap |x1| >= sqrt(tau),
    tau = (1 - b)/(a - b); a point with |x1| = c < sqrt(tau) is at geodesic
    distance arccos(c) - arccos(sqrt(tau)), chordal 2 sin(geo / 2).
    """
    tau = (1 - b) / (a - b)
    geo = np.arccos(np.abs(x0[:, 0])) - np.arccos(np.sqrt(tau))
    return 2 * np.sin(geo / 2), geo


def test_pgd_on_manifold_two_level_rule_is_nearly_exact():
    dim, a, b = 20, 1.5, 0.8
    net = _two_level_net(dim, a, b)
    sp = ConcentricSpheres(dim)
    x0, _ = sp.sample(80, sphere="inner", rng=1)
    exact, geo = _cap_distance(x0, a, b)
    keep = exact > 0  # starts inside the error caps are misclassified already
    assert keep.sum() > 40
    x0, exact, geo = x0[keep], exact[keep], geo[keep]
    res = pgd(net, x0, step_size=0.01, steps=400)
    assert np.all(res.success)
    assert_allclose(np.linalg.norm(res.points, axis=1), 1.0, rtol=1e-14)
    # The tangent gradient of a two-level rule points along the great circle
    # to the nearer cap, so PGD (with refinement) follows the geodesic: its
    # upper bound never undercuts the exact distance and matches it closely.
    assert np.all(res.upper_bound >= exact * (1 - 1e-12))
    assert_allclose(res.upper_bound, exact, rtol=1e-6)
    assert_allclose(res.geodesic_distance, geo, rtol=1e-6)
    # Misclassified at the end, correctly classified at the start.
    assert np.all(net.predict(res.points) == 1)
    assert np.all(net.predict(x0) == 0)


def test_pgd_without_refinement_overshoots_by_at_most_one_step():
    dim, a, b = 10, 1.4, 0.9
    net = _two_level_net(dim, a, b)
    x0, _ = ConcentricSpheres(dim).sample(30, sphere="inner", rng=2)
    exact, _ = _cap_distance(x0, a, b)
    step = 0.02
    res = pgd(net, x0, step_size=step, steps=500, refine=False)
    assert np.all(res.success)
    wrong0 = exact <= 0
    assert wrong0.any()  # misclassified starts: distance 0, no step taken
    np.testing.assert_array_equal(res.distance[wrong0], 0.0)
    np.testing.assert_array_equal(res.steps[wrong0], 0)
    x0, exact, res_ub = x0[~wrong0], exact[~wrong0], res.upper_bound[~wrong0]
    # One tangent step of length s moves the projected point by a chord < s.
    assert np.all(res_ub >= exact * (1 - 1e-12))
    assert np.all(res_ub <= exact + step)


def test_pgd_stop_first_versus_local():
    dim = 10
    net = _two_level_net(dim, 1.3, 0.85)
    x0, _ = ConcentricSpheres(dim).sample(20, sphere="inner", rng=3)
    first = pgd(net, x0, step_size=0.02, steps=300, stop="first")
    local = pgd(net, x0, step_size=0.02, steps=300, stop="local")
    assert np.all(local.steps == 300)
    assert np.all(first.steps < 300)
    assert np.all(local.success)
    # Running on climbs towards the cap's centre ±e1: farther than the stop.
    assert np.all(local.distance > first.distance)
    assert_allclose(np.abs(local.points[:, 0]), 1.0, atol=0.02)


def test_pgd_off_manifold_is_an_upper_bound_for_a_ball_rule():
    # alphas all equal to a: error iff |x|² > 1/a, a ball of radius 1/sqrt(a);
    # the nearest off-manifold error of a unit point is at distance
    # 1/sqrt(a) - 1, reached radially.  PGD off the manifold moves radially.
    dim, a = 8, 0.8
    net = QuadNet.from_alphas(np.full(dim, a), hidden=dim, rng=4)
    x0, _ = ConcentricSpheres(dim).sample(10, sphere="inner", rng=5)
    res = pgd(net, x0, on_manifold=False, step_size=0.01, steps=100)
    exact = 1 / np.sqrt(a) - 1
    assert np.all(res.success)
    assert np.all(res.upper_bound >= exact * (1 - 1e-12))
    assert_allclose(res.upper_bound, exact, rtol=1e-6)
    assert np.all(np.isnan(res.geodesic_distance))
    # On the manifold the same rule has no inner error at all.
    on = pgd(net, x0, step_size=0.05, steps=100)
    assert not np.any(on.success)
    assert np.all(np.isinf(on.upper_bound))
    assert_allclose(np.linalg.norm(on.points, axis=1), 1.0, rtol=1e-14)


def test_pgd_outer_points_use_radius_labels():
    dim = 10
    net = _two_level_net(dim, 0.9, 0.5)  # alpha 0.5 < 1/R²: outer errors
    sp = ConcentricSpheres(dim)
    x0, y = sp.sample(20, sphere="outer", rng=6)
    res = pgd(net, x0, step_size=0.02, steps=400)
    np.testing.assert_array_equal(res.labels, y)
    assert np.all(res.labels == 1)
    assert_allclose(np.linalg.norm(res.points, axis=1), 1.3, rtol=1e-14)
    assert np.all(net.predict(res.points[res.success]) == 0)
    assert res.success.mean() > 0.9


def test_pgd_relunet_on_manifold_keeps_norm_and_finds_errors():
    dim = 10
    sp = ConcentricSpheres(dim)
    net = ReLUNet(dim, hidden=(16, 16), rng=7)
    train(net, sp, steps=300, lr=1e-2, rng=8, progress=False)
    x0, y = sp.sample(40, rng=9)
    correct = net.predict(x0) == y
    res = pgd(net, x0, step_size=0.02, steps=300)
    r0 = np.linalg.norm(x0, axis=1)
    assert_allclose(np.linalg.norm(res.points, axis=1), r0, rtol=1e-13)
    assert res.success.mean() > 0.5
    np.testing.assert_array_equal(res.distance[~correct], 0.0)
    wrong_end = net.predict(res.points) != y
    np.testing.assert_array_equal(wrong_end, res.success)


def test_pgd_validation():
    net = QuadNet(3, hidden=2, rng=0)
    x = np.eye(3)
    with pytest.raises(ValueError, match="`stop`"):
        pgd(net, x, step_size=0.1, steps=1, stop="nearest")
    with pytest.raises(ValueError, match="`step_size`"):
        pgd(net, x, step_size=0.0, steps=1)
    with pytest.raises(ValueError, match="`x`"):
        pgd(net, np.ones((2, 4)), step_size=0.1, steps=1)
    with pytest.raises(ValueError, match="`labels`"):
        pgd(net, x, step_size=0.1, steps=1, labels=[0, 2, 1])
    with pytest.raises(ValueError, match="`model`"):
        pgd(object(), x, step_size=0.1, steps=1)


# ---------------------------------------------------------------------------
# attack gap: PGD upper bound / exact nearest distance (nearest.py)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("sphere", ["inner", "outer"])
@pytest.mark.parametrize("on_manifold", [True, False])
def test_attack_gap_is_never_below_one(sphere, on_manifold):
    dim = 15
    sp = ConcentricSpheres(dim)
    alphas = np.random.default_rng(10).uniform(0.3, 1.5, size=dim)
    net = QuadNet.from_alphas(alphas, hidden=2 * dim, rng=11)
    gap = attack_gap(
        net, sp, n_samples=60, sphere=sphere, on_manifold=on_manifold, rng=12
    )
    valid = np.isfinite(gap.ratios)
    assert gap.n_valid == valid.sum() > 20
    # PGD ends on a genuine error, so it can never beat the exact nearest one.
    assert np.all(gap.pgd_distance[valid] >= gap.exact_distance[valid] * (1 - 1e-9))
    assert gap.min >= 1 - 1e-9
    # ... and on quad nets at small d it is within a small factor of it.
    assert gap.median <= 1.5
    assert gap.quantiles[0.5] == pytest.approx(gap.median)
    assert gap.min <= gap.quantiles[0.05] <= gap.quantiles[0.95] <= gap.max
    # Starting points the net already misclassifies have exact distance 0.
    wrong = net.predict(gap.attack.start) != gap.attack.labels
    np.testing.assert_array_equal(gap.exact_distance[wrong], 0.0)
    assert np.all(np.isnan(gap.ratios[wrong]))


def test_attack_gap_two_level_matches_closed_form():
    dim, a, b = 12, 1.4, 0.85
    net = _two_level_net(dim, a, b, rng=13)
    gap = attack_gap(net, ConcentricSpheres(dim), n_samples=40, rng=14)
    exact, _ = _cap_distance(gap.attack.start, a, b)
    ok = exact > 0
    # nearest.py's exact distance agrees with the closed form (independent).
    assert_allclose(gap.exact_distance[ok], exact[ok], rtol=1e-9)
    assert_allclose(gap.ratios[ok], 1.0, rtol=1e-6)


def test_attack_gap_on_a_trained_quad_net():
    # A quad net fit to a tiny fixed training set keeps bad alphas: it has
    # errors, PGD finds them and never undercuts the exact nearest distance.
    dim = 20
    sp = ConcentricSpheres(dim)
    net = QuadNet(dim, hidden=40, rng=15)
    train(
        net,
        sp,
        steps=1000,
        lr=1e-2,
        train_size=40,
        batch_size=20,
        rng=16,
        progress=False,
        exact_checkpoints=False,
    )
    assert net.to_rule().bad_alphas(sp).n_above > 0
    gap = attack_gap(net, sp, n_samples=50, rng=17)
    assert gap.n_valid > 10
    assert gap.min >= 1 - 1e-9
    assert gap.median <= 2.0


def test_attack_gap_validation():
    net = QuadNet(5, hidden=5, rng=0)
    with pytest.raises(ValueError, match="`model`"):
        attack_gap(ReLUNet(5, hidden=(3,)), ConcentricSpheres(5), n_samples=3)
    with pytest.raises(ValueError, match="`spheres`"):
        attack_gap(net, ConcentricSpheres(6), n_samples=3)
    with pytest.raises(ValueError, match="`sphere`"):
        attack_gap(net, ConcentricSpheres(5), n_samples=3, sphere="both")


def test_pgd_on_a_float32_net_never_undercuts_the_exact_distance():
    """A float32 net is attacked through its float64 twin (same rule)."""
    dim, a, b = 20, 1.5, 0.8
    net32 = _two_level_net(dim, a, b).astype(np.float32)
    assert net32.dtype == np.float32
    sp = ConcentricSpheres(dim)
    x0, _ = sp.sample(80, sphere="inner", rng=3)
    # The float32 weights define a (slightly) different rule: the exact
    # distance is the float64 twin's, computed in closed form from its alphas.
    twin = net32.astype(np.float64).to_rule()
    alphas = np.sort(twin.alphas)
    assert alphas[0] < 1.0 < alphas[-1]
    exact = _cap_distance(x0, a, b)[0]
    keep = exact > 1e-3
    res = pgd(net32, x0[keep], step_size=0.01, steps=400)
    assert np.all(res.success)
    # Distances agree with the two-level closed form to float32 weight rounding,
    # and each found point is misclassified by the float64 twin's forward pass.
    assert_allclose(res.upper_bound, exact[keep], rtol=1e-5)
    assert np.all(net32.astype(np.float64).predict(res.points) == 1)


def test_model_astype_round_trips_and_keeps_the_rule():
    net = _two_level_net(6, 1.5, 0.8)
    twin = net.astype(np.float32).astype(np.float64)
    assert_allclose(twin.W, net.W, rtol=1e-7)
    assert twin.W is not net.W
    relu = ReLUNet(4, (5, 5), rng=0)
    x = np.random.default_rng(0).standard_normal((7, 4))
    assert_allclose(relu.astype(np.float32).logit(x), relu.logit(x), rtol=1e-5)


def test_predict_of_one_point_is_a_scalar():
    net = _two_level_net(6, 1.5, 0.8)
    x = np.eye(6)
    assert np.ndim(net.predict(x[0])) == 0
    assert net.predict(x[0]) == net.predict(x)[0]
