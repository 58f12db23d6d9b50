"""The exact mean distance to the nearest error, d(E), and the Lévy bound."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import integrate, special

from spheres_theory import (
    ConcentricSpheres,
    MeanDistanceResult,
    QuadraticRule,
    mean_distance_to_error,
    nearest_error,
)


def _coordinate_density(s, dim):
    """Density c_d (1 - s^2)^((d-3)/2) of one coordinate of a uniform unit vector."""
    log_c = (
        special.gammaln(dim / 2) - 0.5 * np.log(np.pi) - special.gammaln((dim - 1) / 2)
    )
    return np.exp(log_c + 0.5 * (dim - 3) * np.log1p(-s * s))


def _double_cap_mean(t, dim, metric):
    """E[distance to {|x_1| >= t}] on the unit sphere, by quadrature."""

    def dist(s):
        ang = np.arccos(s) - np.arccos(t)
        return 2 * np.sin(ang / 2) if metric == "chordal" else ang

    val, _ = integrate.quad(
        lambda s: dist(s) * _coordinate_density(s, dim), 0.0, t, epsabs=1e-13
    )
    return 2 * val  # the two halves s in (-t, 0) and (0, t)


def _two_level(dim, a, b):
    return QuadraticRule([a] + [b] * (dim - 1))


@pytest.mark.parametrize("dim", [5, 60])
def test_double_cap_per_point_distances(dim):
    """k = 1: the nearest on-sphere error is on the nearer of two caps."""
    a, b = 1.6, 0.7
    t = np.sqrt((1 - b) / (a - b))
    rule = _two_level(dim, a, b)
    x, _ = ConcentricSpheres(dim).sample(500, sphere="inner", rng=1)
    res = nearest_error(rule, x, labels=0)
    s = np.abs(x[:, 0])
    ang = np.clip(np.arccos(s) - np.arccos(t), 0, None)
    assert_allclose(res.distance, 2 * np.sin(ang / 2), rtol=1e-11, atol=1e-14)
    assert_allclose(res.geodesic_distance, ang, rtol=1e-11, atol=1e-14)
    assert np.all((res.distance == 0) == (s >= t))


@pytest.mark.parametrize(("dim", "metric"), [(20, "chordal"), (100, "geodesic")])
def test_double_cap_mean_matches_integral(dim, metric):
    a, b = 1.5, 0.9
    t = np.sqrt((1 - b) / (a - b))
    n = 20_000
    res = mean_distance_to_error(
        _two_level(dim, a, b),
        ConcentricSpheres(dim),
        n_samples=n,
        metric=metric,
        rng=np.random.default_rng(7),
    )
    assert isinstance(res, MeanDistanceResult)
    exact = _double_cap_mean(t, dim, metric)
    # 4 standard errors: a seeded test that fails only on a real bias.
    assert abs(res.mean - exact) <= 4 * res.stderr
    lo, hi = res.ci_low, res.ci_high
    assert_allclose(hi - lo, 2 * 1.959963984540054 * res.std / np.sqrt(n))
    # Fraction misclassified ~ Binomial(n, mu) with the exact mu.
    mu = special.betaincc(0.5, (dim - 1) / 2, t * t)
    assert_allclose(res.error_rate.value, mu, rtol=1e-10)
    assert abs(res.misclassified_fraction - mu) <= 4 * np.sqrt(mu * (1 - mu) / n)
    assert res.distances.shape == (n,)
    assert res.bound_ratio <= 1 + 4 * res.stderr / res.bound


def test_double_cap_outer_sphere_scales_with_radius():
    """On the outer sphere (radius R) the error set is again a double cap."""
    dim, R = 30, 1.3
    a, b = 0.3, 0.8  # alpha_1 < 1/R**2 gives outer errors
    t = np.sqrt((b * R**2 - 1) / ((b - a) * R**2))
    res = mean_distance_to_error(
        _two_level(dim, a, b),
        ConcentricSpheres(dim, outer_radius=R),
        n_samples=20_000,
        sphere="outer",
        rng=3,
    )
    exact = R * _double_cap_mean(t, dim, "chordal")
    assert abs(res.mean - exact) <= 4 * res.stderr
    assert res.radius == R


@pytest.mark.parametrize(
    "alphas",
    [
        [1.5] * 10 + [0.9] * 90,  # two-level, k = 10
        [1.2] * 3 + [0.95] * 97,
        np.linspace(0.2, 1.3, 100),  # mixed bad alphas
    ],
)
def test_mean_distance_below_levy_bound(alphas):
    sp = ConcentricSpheres(100)
    res = mean_distance_to_error(QuadraticRule(alphas), sp, n_samples=4000, rng=11)
    assert 0 < res.bound < np.inf
    # Lévy's inequality (a theorem, independent of the code): the exact mean
    # is at most d*(mu); the sample mean may exceed it by sampling error only.
    assert res.mean <= res.bound + 4 * res.stderr
    off = mean_distance_to_error(
        QuadraticRule(alphas), sp, n_samples=4000, on_manifold=False, rng=11
    )
    # Same sample: off-manifold distances are pointwise smaller.
    assert np.all(off.distances <= res.distances * (1 + 1e-12))


def test_within_bound_is_false_for_a_nan_bound():
    """A NaN bound (a flagged error rate) certifies nothing."""
    import dataclasses

    sp = ConcentricSpheres(100)
    res = mean_distance_to_error(
        QuadraticRule([1.2] * 3 + [0.95] * 97), sp, n_samples=50, rng=1
    )
    assert res.within_bound == (res.ci_low <= res.bound)
    assert not dataclasses.replace(res, bound=np.nan).within_bound
    assert not dataclasses.replace(res, bound=0.5 * res.ci_low).within_bound
    assert dataclasses.replace(res, bound=2 * res.ci_high).within_bound


def test_no_error_gives_inf():
    sp = ConcentricSpheres(10)
    res = mean_distance_to_error(QuadraticRule([0.8] * 10), sp, n_samples=10, rng=0)
    assert res.mean == np.inf
    assert res.error_rate.value == 0.0
    assert res.bound == np.inf
    assert np.isnan(res.bound_ratio)


def test_batches_do_not_change_the_answer():
    sp = ConcentricSpheres(20)
    rule = QuadraticRule([1.3] * 2 + [0.9] * 18)
    one = mean_distance_to_error(rule, sp, n_samples=3000, rng=5)
    many = mean_distance_to_error(rule, sp, n_samples=3000, rng=5, batch_size=700)
    assert_allclose(many.distances, one.distances, rtol=1e-14)


def test_mean_distance_validation():
    sp = ConcentricSpheres(3)
    rule = QuadraticRule([1.2, 0.9, 0.9])
    with pytest.raises(ValueError, match="n_samples"):
        mean_distance_to_error(rule, sp, n_samples=1)
    with pytest.raises(ValueError, match="sphere"):
        mean_distance_to_error(rule, sp, n_samples=10, sphere="middle")
    with pytest.raises(ValueError, match="metric"):
        mean_distance_to_error(
            rule, sp, n_samples=10, metric="geodesic", on_manifold=False
        )
    with pytest.raises(ValueError, match="dim"):
        mean_distance_to_error(rule, ConcentricSpheres(4), n_samples=10)
    with pytest.raises(ValueError, match="confidence"):
        mean_distance_to_error(rule, sp, n_samples=10, confidence=1.5)


def test_underflowing_error_rate_uses_log_bound():
    """mu ~ 1e-427 underflows float64: the bound comes from log(mu)."""
    dim, a, b = 500, 1.01, 0.5
    t = np.sqrt((1 - b) / (a - b))
    res = mean_distance_to_error(
        _two_level(dim, a, b), ConcentricSpheres(dim), n_samples=3000, rng=2
    )
    assert res.error_rate.value == 0.0
    assert -430 < res.error_rate.log10_value < -425
    assert np.isfinite(res.bound)
    assert abs(res.mean - _double_cap_mean(t, dim, "chordal")) <= 4 * res.stderr
    assert res.mean <= res.bound + 4 * res.stderr  # Lévy's inequality
    assert res.misclassified_fraction == 0.0


def test_progress_bar_runs(capsys):
    sp = ConcentricSpheres(10)
    rule = QuadraticRule([1.3] + [0.9] * 9)
    res = mean_distance_to_error(
        rule, sp, n_samples=300, rng=0, progress=True, batch_size=100
    )
    assert res.n_samples == 300
    assert "d(E)" in capsys.readouterr().err
