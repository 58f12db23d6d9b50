"""Published generalized χ² cases: the printed value and a 25-digit reference.

Each case records its source and the value printed there; the reference is
computed here, independently of the library, by a saddlepoint contour in
mpmath (``mp_contour_log_tail`` of tests/test_gchi2.py: crossing point,
path and quadrature all in mpmath).  The library must match the reference to
1e-10 relative and the printed value to the accuracy it was printed with.

Sources found and used (values copied as printed):

* Davies (1980), Algorithm AS 155, Appl. Statist. 29, 323–333: the 21-case
  test table (weights, dof, noncentralities, thresholds), as carried with its
  cdf values by the test suite of chi2comb (limix/chi2comb, test/chi2comb.c,
  ``test_chi2comb_table``); those values are Davies' algorithm run at its
  requested accuracy ``acc = 1e-4`` (absolute), so they are matched to 1e-4.
* chi2comb's own case with a normal term (same file, ``test_chi2comb``):
  0.4 χ²(1, 1.3) + 1.1 χ²(3, 2.9) + 0.41 Z, P(Q > 2) printed to 16 digits
  and checked there to 1e-12.
* gx2 (A. Das; PyPI gx2 1.5, README "Getting started"): w = [1, −10, 2],
  k = [1, 2, 3], λ = [2, 3, 7], s = 5, m = 10; printed mean, variance, pdf and
  cdf at 10 and 25, median and the 1e-3 / 1e-2 quantiles of both tails (8
  significant digits).  Its printed deep quantiles (cdf 1e-1000 and 1e-2000
  by gx2's tail approximation) are not reproduced: at those x the cdf is
  10^-494.6 and 10^-991.8 (checked below against the reference).

Imhof (1961), Farebrother (1984, AS 204) and CompQuadForm's example tables
were searched for but no printed values were found in the sources available
to us; they are not included.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from spheres_theory import quadform_cdf, quadform_sf
from spheres_theory.gchi2 import gchi2
from tests.test_gchi2 import mp_contour_log_tail

LN10 = math.log(10.0)

# (weights, dof, nc, threshold, printed P(Q <= threshold))
DAVIES_AS155 = [
    ((6, 3, 1), (1, 1, 1), (0, 0, 0), 1, 0.054212946675253226303),
    ((6, 3, 1), (1, 1, 1), (0, 0, 0), 7, 0.49355520181330159168),
    ((6, 3, 1), (1, 1, 1), (0, 0, 0), 20, 0.8760272280402326972),
    ((6, 3, 1), (2, 2, 2), (0, 0, 0), 2, 0.0064348332078802972234),
    ((6, 3, 1), (2, 2, 2), (0, 0, 0), 20, 0.60020819879723130708),
    ((6, 3, 1), (2, 2, 2), (0, 0, 0), 60, 0.98389684789412334975),
    ((6, 3, 1), (6, 4, 2), (0, 0, 0), 10, 0.002697179606063082602),
    ((6, 3, 1), (6, 4, 2), (0, 0, 0), 50, 0.56475302904079760502),
    ((6, 3, 1), (6, 4, 2), (0, 0, 0), 120, 0.99122881453974709398),
    ((7, 3), (6, 2), (6, 2), 20, 0.0061246216052206481351),
    ((7, 3), (6, 2), (6, 2), 100, 0.5913392182262962038),
    ((7, 3), (6, 2), (6, 2), 200, 0.97791384613661402891),
    ((7, 3), (1, 1), (6, 2), 10, 0.045126148881611038988),
    ((7, 3), (1, 1), (6, 2), 60, 0.59243135753281106481),
    ((7, 3), (1, 1), (6, 2), 150, 0.97764841290122861395),
    ((7, 3, 7, 3), (6, 2, 1, 1), (6, 2, 6, 2), 70, 0.043679499423862400143),
    ((7, 3, 7, 3), (6, 2, 1, 1), (6, 2, 6, 2), 160, 0.58476547524879196605),
    ((7, 3, 7, 3), (6, 2, 1, 1), (6, 2, 6, 2), 260, 0.95377443935266215114),
    ((7, 3, -7, -3), (6, 2, 1, 1), (6, 2, 6, 2), -40, 0.078208009100773745459),
    ((7, 3, -7, -3), (6, 2, 1, 1), (6, 2, 6, 2), 40, 0.52210759195266853716),
    ((7, 3, -7, -3), (6, 2, 1, 1), (6, 2, 6, 2), 140, 0.96037034711779101226),
]


def reference_tail(w, k, lam, x, *, upper, s=0.0, m=0.0):
    """P(Q > x) or P(Q <= x) from the log-space contour at 25 digits."""
    return float(
        mpmath.exp(mp_contour_log_tail(w, k, lam, s, m, x, upper=upper, dps=25))
    )


def reference_cdf(w, k, lam, x, s=0.0, m=0.0):
    """(P(Q <= x), P(Q > x)), each tail by its own contour."""
    lo = reference_tail(w, k, lam, x, upper=False, s=s, m=m)
    return lo, reference_tail(w, k, lam, x, upper=True, s=s, m=m)


@pytest.mark.parametrize(("w", "k", "lam", "x", "printed"), DAVIES_AS155)
def test_davies_as155_table(w, k, lam, x, printed):
    upper = printed > 0.5  # the reference on the smaller tail
    ref = reference_tail(w, k, lam, x, upper=upper)
    p = quadform_cdf(list(w), x, dof=list(k), nc=list(lam))
    q = quadform_sf(list(w), x, dof=list(k), nc=list(lam))
    assert bool(p.accurate) and bool(q.accurate)
    small, big = (q, p) if upper else (p, q)
    assert abs(small.value / ref - 1) < 1e-10
    assert abs(big.value / (1 - ref) - 1) < 1e-10
    # Davies' algorithm at acc = 1e-4 produced the printed numbers.
    assert abs(p.value - printed) < 1e-4


def test_chi2comb_normal_term():
    w, k, lam, s = [0.4, 1.1], [1, 3], [1.3, 2.9], 0.41
    ref_lo, ref_up = reference_cdf(w, k, lam, 2.0, s=s)
    q = gchi2(w, dof=k, nc=lam, s=s)
    assert abs(q.sf(2.0) / ref_up - 1) < 1e-10
    assert abs(q.cdf(2.0) / ref_lo - 1) < 1e-10
    assert abs(q.sf(2.0) - 0.9183206009070191) < 1e-12


GX2 = {"w": [1, -10, 2], "k": [1, 2, 3], "lam": [2, 3, 7], "s": 5.0, "m": 10.0}


def test_gx2_readme_example():
    w, k, lam, s, m = GX2["w"], GX2["k"], GX2["lam"], GX2["s"], GX2["m"]
    q = gchi2(w, dof=k, nc=lam, s=s, m=m)
    assert q.mean() == -17.0
    assert q.var() == 1771.0
    for x, printed_pdf, printed_cdf in (
        (10, 0.01205709, 0.71497983),
        (25, 0.00879803, 0.87899866),
    ):
        ref_lo, _ = reference_cdf(w, k, lam, x, s=s, m=m)
        assert abs(q.cdf(x) / ref_lo - 1) < 1e-10
        assert abs(q.cdf(x) - printed_cdf) < 5e-9
        assert abs(q.pdf(x) - printed_pdf) < 5e-9 * 1.01
    # Quantiles: the reference tail at our quantile is the requested level.
    med = q.ppf(0.5)
    assert abs(med - -8.765662415017411) < 1e-9
    ref_lo, _ = reference_cdf(w, k, lam, med, s=s, m=m)
    assert abs(ref_lo - 0.5) < 1e-10
    lower = q.ppf([1e-3, 1e-2])
    upper = q.isf([1e-3, 1e-2])
    np.testing.assert_allclose(lower, [-218.36937302, -149.26056464], rtol=5e-9)
    np.testing.assert_allclose(upper, [69.48993111, 51.03378046], rtol=5e-9)
    ref = mp_contour_log_tail(w, k, lam, s, m, float(lower[0]), upper=False, dps=25)
    assert abs(float(ref) - math.log(1e-3)) < 1e-10


def test_gx2_deep_quantiles_are_not_as_deep_as_printed():
    # gx2's README prints cdf(-24365.14269438) = 1e-1000 (its tail
    # approximation; its own ray check prints 10^-1005.6).  The reference:
    w, k, lam, s, m = GX2["w"], GX2["k"], GX2["lam"], GX2["s"], GX2["m"]
    x = -24365.14269438
    ref = float(mp_contour_log_tail(w, k, lam, s, m, x, upper=False, dps=25)) / LN10
    got = float(gchi2(w, dof=k, nc=lam, s=s, m=m).logcdf(x)) / LN10
    assert abs(got - ref) < 1e-10 * abs(ref)
    assert -500 < ref < -490
