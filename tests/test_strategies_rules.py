"""Property tests of quadratic rules, driven by the public rule strategies."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from scipy import special

from spheres_theory import ConcentricSpheres
from spheres_theory.strategies import (
    nearly_perfect_rules,
    perfect_rules,
    random_rules,
    two_level_rules,
)

DIMS = st.integers(2, 40)


@settings(max_examples=25)
@given(rule=perfect_rules(DIMS, rotate=True))
def test_perfect_rules_are_certified(rule):
    sp = ConcentricSpheres(rule.dim)
    assert rule.is_perfect(sp)
    cert = rule.certify(sp)
    assert cert.perfect
    assert cert.upper_margin >= 0
    assert cert.lower_margin >= 0
    # exact error rates are exactly 0, not merely small
    assert cert.inner_error.log10_value == -np.inf
    assert cert.outer_error.log10_value == -np.inf
    assert rule.adversarial_directions(sp).shape == (rule.dim, 0)


@settings(max_examples=10)
@given(rule=perfect_rules(DIMS, margin=1e-9, rotate=True), seed=st.integers(0, 2**32))
def test_perfect_rules_classify_samples_right(rule, seed):
    sp = ConcentricSpheres(rule.dim)
    x, y = sp.sample(2000, rng=seed)
    assert_array_equal(rule.predict(x), y)


@settings(max_examples=25)
@given(rule=nearly_perfect_rules(DIMS, n_bad=1, rotate=True))
def test_one_bad_alpha_gives_a_positive_error(rule):
    sp = ConcentricSpheres(rule.dim)
    report = rule.bad_alphas(sp)
    assert report.n_bad == 1
    cert = rule.certify(sp)
    assert not cert.perfect
    sphere = "inner" if report.n_above else "outer"
    err = cert.inner_error if sphere == "inner" else cert.outer_error
    other = cert.outer_error if sphere == "inner" else cert.inner_error
    assert -np.inf < err.log10_value <= 0  # 1 if every other α is on the edge
    assert other.log10_value == -np.inf
    # the eigenvector of the bad α is a misclassified point of that sphere
    (v,) = rule.adversarial_directions(sp, sphere=sphere).T
    radius = sp.radius(sphere)
    assert rule.predict(radius * v) == (1 if sphere == "inner" else 0)


def _two_level_reference(alphas, threshold):
    """P(sum (α - c) g² > 0) for two levels, as a Beta tail (SPEC §4)."""
    (a, b), (k, m) = np.unique(alphas, return_counts=True)
    wa, wb = a - threshold, b - threshold  # a < b
    if wb <= 0:
        return 0.0
    if wa >= 0:
        return 1.0
    # positive group b (m copies): P(Beta(m/2, k/2) > -wa / (wb - wa))
    return special.betaincc(m / 2, k / 2, -wa / (wb - wa))


@settings(max_examples=40)
@given(rule=two_level_rules(DIMS, min_alpha=0.3, max_alpha=1.7, rotate=True))
def test_two_level_inner_error_is_a_beta_tail(rule):
    sp = ConcentricSpheres(rule.dim)
    ref = _two_level_reference(rule.alphas, 1.0)
    p = rule.error_rate(sp)
    if ref > 1e-300:
        assert_allclose(p.value, ref, rtol=1e-9)
    else:
        assert p.value <= 1e-300


@settings(max_examples=40)
@given(rule=two_level_rules(DIMS, min_alpha=0.3, max_alpha=1.7))
def test_two_level_outer_error_is_a_beta_tail(rule):
    sp = ConcentricSpheres(rule.dim)
    lower = sp.alpha_range[0]
    # outer error = P(sum (α - 1/R²) g² <= 0) = P(sum (1/R² - α) g² >= 0)
    ref = _two_level_reference(-rule.alphas, -lower)
    p = rule.error_rate(sp, sphere="outer")
    if ref > 1e-300:
        assert_allclose(p.value, ref, rtol=1e-9)
    else:
        assert p.value <= 1e-300


@settings(max_examples=40)
@given(rule=random_rules(DIMS, rotate=True), seed=st.integers(0, 2**32))
def test_random_rules_are_consistent(rule, seed):
    x = np.random.default_rng(seed).standard_normal((50, rule.dim))
    score = rule.decision_function(x)
    assert_array_equal(rule.predict(x), (score > 0).astype(int))
    a = rule.alphas
    if rule.kind == "everything outer":
        assert np.all(rule.predict(x) == 1)
    if rule.kind == "everything inner":
        assert np.all(rule.predict(x) == 0)
    if rule.kind == "ellipsoid":
        assert rule.threshold == 1.0 and np.all(a > 0)
    sp = ConcentricSpheres(rule.dim)
    if rule.threshold == -1.0:
        assert not rule.is_perfect(sp)
    report = rule.bad_alphas(sp)
    assert report.perfect == rule.is_perfect(sp)
    assert np.all(report.above_values > report.upper)
    assert np.all(report.below_values < report.lower)
