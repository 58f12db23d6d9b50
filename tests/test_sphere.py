"""The data set: validation of ConcentricSpheres at the edges of float64."""

from __future__ import annotations

import numpy as np
import pytest

from spheres_theory import ConcentricSpheres, QuadraticRule

# Largest R with R**2 finite in float64: sqrt(DBL_MAX) = 1.3407807929942596e154.
R_MAX = float(np.sqrt(np.finfo(np.float64).max))


@pytest.mark.parametrize(
    "outer_radius", [1e200, 1e308, float(np.nextafter(R_MAX, np.inf))]
)
def test_outer_radius_whose_square_overflows_is_refused(outer_radius):
    # it used to be accepted, then alpha_range raised OverflowError
    with pytest.raises(ValueError, match=r"`outer_radius` must be .*square is finite"):
        ConcentricSpheres(10, outer_radius=outer_radius)


@pytest.mark.parametrize(
    ("outer_radius", "match"),
    [(1.0, "> 1"), (np.nan, "finite"), (np.inf, "finite"), (-2.0, "> 1")],
)
def test_outer_radius_must_be_a_finite_number_above_1(outer_radius, match):
    with pytest.raises(ValueError, match=match):
        ConcentricSpheres(10, outer_radius=outer_radius)


def test_largest_outer_radius_gives_a_usable_band():
    sp = ConcentricSpheres(2, outer_radius=R_MAX)
    lower, upper = sp.alpha_range
    assert upper == 1.0
    # 1 / R_MAX**2 = 1 / DBL_MAX, subnormal but positive
    assert 0 < lower < np.finfo(np.float64).tiny
    rule = QuadraticRule([0.5, 1.0])
    assert rule.is_perfect(sp)
    assert rule.error_rate(sp, sphere="outer").value == 0.0
    assert not QuadraticRule([0.0, 1.0]).is_perfect(sp)
