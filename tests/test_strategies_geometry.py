"""Public hypothesis strategies for the geometry layer."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import find, given
from hypothesis import strategies as st

from spheres_theory import ConcentricSpheres, cap_height, optimal_mean_distance
from spheres_theory import strategies as sst


def test_exports():
    for name in ("dims", "radii", "outer_radii", "points_on_sphere", "cap_heights"):
        assert name in sst.__all__
    assert "error_rates" in sst.__all__


@given(sst.dims())
def test_dims_default(dim):
    assert isinstance(dim, int) and 2 <= dim <= 1000


@given(sst.dims(min_dim=5, max_dim=7))
def test_dims_bounds(dim):
    assert 5 <= dim <= 7


def test_dims_reach_both_ends():
    assert find(sst.dims(max_dim=100_000), lambda d: d > 50_000) > 50_000
    assert find(sst.dims(), lambda d: True) == 2  # shrinks to the smallest


@given(sst.radii())
def test_radii(r):
    assert 1e-3 <= r <= 1e3 and math.isfinite(r)


def test_radii_cover_scales():
    assert find(sst.radii(), lambda r: r < 0.01) < 0.01
    assert find(sst.radii(), lambda r: r > 100) > 100


@given(sst.outer_radii())
def test_outer_radii_make_valid_spheres(r):
    assert 1 < r <= 10
    sp = ConcentricSpheres(3, outer_radius=r)
    assert sp.alpha_range[0] < 1


@given(sst.points_on_sphere(7, radius=2.5))
def test_points_on_fixed_sphere(x):
    assert isinstance(x, np.ndarray) and x.shape == (7,) and x.dtype == np.float64
    assert abs(np.linalg.norm(x) - 2.5) <= 1e-14 * 2.5


@given(st.data())
def test_points_with_dimension_strategy(data):
    x = data.draw(sst.points_on_sphere(sst.dims(max_dim=30)))
    assert 2 <= x.size <= 30
    assert abs(np.linalg.norm(x) - 1.0) <= 1e-14


def test_points_shrink_to_a_pole():
    x = find(sst.points_on_sphere(3), lambda x: True)
    assert sorted(np.abs(x).tolist()) == [0.0, 0.0, 1.0]


@given(sst.cap_heights())
def test_cap_heights(t):
    assert -1 <= t <= 1


def test_cap_heights_hit_poles():
    assert find(sst.cap_heights(), lambda t: t == 1.0) == 1.0
    assert find(sst.cap_heights(), lambda t: t == -1.0) == -1.0


@given(sst.cap_heights(0.2, 0.3))
def test_cap_heights_bounds(t):
    assert 0.2 <= t <= 0.3


@given(sst.error_rates())
def test_error_rates_default(mu):
    assert 1e-300 <= mu <= 0.5
    assert 0 < optimal_mean_distance(mu, 50) < 2


@given(sst.error_rates(1e-12, 1 - 1e-12))
def test_error_rates_above_half(mu):
    assert 1e-12 <= mu <= 1 - 1e-12
    assert -1 < cap_height(mu, 20) < 1


def test_error_rates_reach_deep_tails():
    assert find(sst.error_rates(), lambda mu: mu < 1e-200) < 1e-200
    assert find(sst.error_rates(), lambda mu: mu > 0.4) > 0.4


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda: sst.dims(min_dim=1), "`min_dim`"),
        (lambda: sst.dims(min_dim=10, max_dim=5), "`max_dim`"),
        (lambda: sst.radii(min_value=0.0), "`min_value`"),
        (lambda: sst.radii(min_value=float("nan")), "`min_value`"),
        (lambda: sst.radii(2.0, 1.0), "`min_value`"),
        (lambda: sst.outer_radii(min_value=0.5), "`min_value`"),
        (lambda: sst.outer_radii(2.0, 2.0), "`min_value`"),
        (lambda: sst.points_on_sphere(1), "`dim`"),
        (lambda: sst.points_on_sphere(3, radius=0.0), "`radius`"),
        (lambda: sst.cap_heights(-2.0, 0.0), "\\[-1, 1\\]"),
        (lambda: sst.error_rates(0.0, 0.5), "\\(0, 1\\)"),
        (lambda: sst.error_rates(1e-3, 1.0), "\\(0, 1\\)"),
        (lambda: sst.error_rates(0.4, 0.3), "`min_value`"),
    ],
)
def test_invalid_arguments(make, name):
    with pytest.raises(ValueError, match=name):
        make()
