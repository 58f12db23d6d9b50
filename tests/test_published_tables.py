"""Published generalized χ² cases: the printed value and a 25-digit reference.

Each case records its source and the value printed there (as a string, so
that its number of digits is kept); the reference is computed here,
independently of the library, by a saddlepoint contour in mpmath
(``mp_contour_log_tail`` of tests/test_gchi2.py: crossing point, path and
quadrature all in mpmath), and for Davies' Table 3 also by Imhof's integral
in mpmath (``imhof_sf`` below, a second route).  The library must match the
reference to 1e-10 relative (each tail) and the printed value to the
accuracy it was printed with.

Sources found and used (values copied as printed):

* Davies (1980), Algorithm AS 155, Appl. Statist. 29, 323–333, Table 3
  ("Performance of algorithm"): 21 forms and thresholds "listed by Imhof
  (1961)", pr(Q < c) to 4 decimals, computed by AS 155 at accuracy
  ``acc = 0.0001``.  Read in a text conversion of the JSTOR pdf stored in a
  public repository (found by its text; the search index does not name the
  repository).  Printed values are matched to ``acc``; 18 of the 21 are
  the correctly rounded exact value, 3 are one unit off in the 4th decimal
  (asserted below, so that a change either way is noticed).
* Davies' test program output, 39 cases with 6 decimals (Table 3's forms
  plus dof (2, 4, 6), a 6-term, a 10-term and three (30, 1) forms), as
  carried by hail-is/hail,
  hail/src/test/scala/is/hail/stats/GeneralizedChiSquaredDistributionSuite.scala
  (commit 26648196bcb3eea5bfa2895c9a1cb6368863728f; "Davies only reports 6
  significant figures"), each run at ``acc = 0.0001``: matched to ``acc``.
* Farebrother (1984), Algorithm AS 204, Appl. Statist. 33, 332–339, Table 1,
  rows Q1 and Q6 (4 decimals), as quoted in the roxygen examples of
  nshi-stat/pimeta R/pwchisq-.r ("Q1 (The values were 0.0542, 0.4936,
  0.8760)", an earlier version of the file) and cran/pimeta R/pwchisq-.r
  (commit af9399ac25bd3721e0cd907b3a555d70f18aaf7a: "Q6 (The taget values are
  0.0061, 0.5913, and 0.9779)", with pimeta's own AS 204 output at
  eps = 1e-10 printed below them): all correctly rounded.
* Davies' AS 155 table as carried with 20-digit cdf values by the test suite
  of chi2comb (limix/chi2comb, test/chi2comb.c, ``test_chi2comb_table``);
  AS 155 at ``acc = 1e-4``, so matched to 1e-4.
* chi2comb's own case with a normal term (same file, ``test_chi2comb``):
  0.4 χ²(1, 1.3) + 1.1 χ²(3, 2.9) + 0.41 Z, P(Q > 2) printed to 16 digits
  and checked there to 1e-12.
* gx2 (A. Das; PyPI gx2 1.5, README "Getting started"): w = [1, −10, 2],
  k = [1, 2, 3], λ = [2, 3, 7], s = 5, m = 10; printed mean, variance, pdf and
  cdf at 10 and 25, median and the 1e-3 / 1e-2 quantiles of both tails (8
  significant digits).  Its printed deep quantiles (cdf 1e-1000 and 1e-2000
  by gx2's tail approximation) are not reproduced: at those x the cdf is
  10^-494.6 and 10^-991.8 (checked below against the reference).

Searched for but not found with printed values in the sources available to
us: Imhof's (1961) own Table 1 (CompQuadForm's man/imhof.Rd lists three of
its inputs, without the printed answers), the tables of Liu, Tang & Zhang
(2009) and Duchesne & Lafaye de Micheaux (2010) (CompQuadForm's man/liu.Rd
lists the Liu et al. inputs Q1–Q4 without answers); they are not included.
"""

from __future__ import annotations

import functools
import math

import mpmath
import numpy as np
import pytest

from spheres_theory import quadform_cdf, quadform_sf
from spheres_theory.gchi2 import gchi2
from tests.test_gchi2 import mp_contour_log_tail

LN10 = math.log(10.0)
#: Requested accuracy (absolute) of AS 155 in Davies' Table 3 and test runs.
DAVIES_ACC = 1e-4

# (weights, dof, noncentralities, c, printed pr(Q < c))
DAVIES_1980_TABLE3 = [
    ((6, 3, 1), (1, 1, 1), (0, 0, 0), 1, "0.0542"),
    ((6, 3, 1), (1, 1, 1), (0, 0, 0), 7, "0.4936"),
    ((6, 3, 1), (1, 1, 1), (0, 0, 0), 20, "0.8760"),
    ((6, 3, 1), (2, 2, 2), (0, 0, 0), 2, "0.0064"),
    ((6, 3, 1), (2, 2, 2), (0, 0, 0), 20, "0.6002"),
    ((6, 3, 1), (2, 2, 2), (0, 0, 0), 60, "0.9838"),
    ((6, 3, 1), (6, 4, 2), (0, 0, 0), 10, "0.0027"),
    ((6, 3, 1), (6, 4, 2), (0, 0, 0), 50, "0.5648"),
    ((6, 3, 1), (6, 4, 2), (0, 0, 0), 120, "0.9912"),
    ((7, 3), (6, 2), (6, 2), 20, "0.0061"),
    ((7, 3), (6, 2), (6, 2), 100, "0.5913"),
    ((7, 3), (6, 2), (6, 2), 200, "0.9779"),
    ((7, 3), (1, 1), (6, 2), 10, "0.0451"),
    ((7, 3), (1, 1), (6, 2), 60, "0.5924"),
    ((7, 3), (1, 1), (6, 2), 150, "0.9777"),
    ((7, 3, 7, 3), (6, 2, 1, 1), (6, 2, 6, 2), 70, "0.0437"),
    ((7, 3, 7, 3), (6, 2, 1, 1), (6, 2, 6, 2), 160, "0.5848"),
    ((7, 3, 7, 3), (6, 2, 1, 1), (6, 2, 6, 2), 260, "0.9538"),
    ((7, 3, -7, -3), (6, 2, 1, 1), (6, 2, 6, 2), -40, "0.0782"),
    ((7, 3, -7, -3), (6, 2, 1, 1), (6, 2, 6, 2), 40, "0.5221"),
    ((7, 3, -7, -3), (6, 2, 1, 1), (6, 2, 6, 2), 140, "0.9604"),
]
# Table 3 entries whose printed digits are not the correctly rounded exact
# value (all within acc; possibly the printing, possibly AS 155's error).
TABLE3_NOT_ROUNDED = {((6, 3, 1), (2, 2, 2), 2), ((6, 3, 1), (2, 2, 2), 60)}
TABLE3_NOT_ROUNDED |= {((6, 3, 1), (6, 4, 2), 50)}

_TEN = (6, 3, 1, 6, 3, 1, 7, 3, 7, 3)
_TEN_DOF = (6, 4, 2, 2, 4, 6, 6, 2, 1, 1)
_TEN_NC = (0, 0, 0, 0, 0, 0, 6, 2, 6, 2)
_SIX = (6, 3, 1, 12, 6, 2)
_SIX_DOF = (6, 4, 2, 2, 4, 6)
# Davies' test program output as carried by hail (see the module docstring).
DAVIES_TEST_OUTPUT = [
    ((6, 3, 1), (1, 1, 1), (0, 0, 0), 1, "0.054213"),
    ((6, 3, 1), (1, 1, 1), (0, 0, 0), 7, "0.493555"),
    ((6, 3, 1), (1, 1, 1), (0, 0, 0), 20, "0.876027"),
    ((6, 3, 1), (2, 2, 2), (0, 0, 0), 2, "0.006435"),
    ((6, 3, 1), (2, 2, 2), (0, 0, 0), 20, "0.600208"),
    ((6, 3, 1), (2, 2, 2), (0, 0, 0), 60, "0.983897"),
    ((6, 3, 1), (6, 4, 2), (0, 0, 0), 10, "0.002697"),
    ((6, 3, 1), (6, 4, 2), (0, 0, 0), 50, "0.564753"),
    ((6, 3, 1), (6, 4, 2), (0, 0, 0), 120, "0.991229"),
    ((6, 3, 1), (2, 4, 6), (0, 0, 0), 10, "0.033357"),
    ((6, 3, 1), (2, 4, 6), (0, 0, 0), 30, "0.580446"),
    ((6, 3, 1), (2, 4, 6), (0, 0, 0), 80, "0.991283"),
    ((7, 3), (6, 2), (6, 2), 20, "0.006125"),
    ((7, 3), (6, 2), (6, 2), 100, "0.591339"),
    ((7, 3), (6, 2), (6, 2), 200, "0.977914"),
    ((7, 3), (1, 1), (6, 2), 10, "0.045126"),
    ((7, 3), (1, 1), (6, 2), 60, "0.592431"),
    ((7, 3), (1, 1), (6, 2), 150, "0.977648"),
    (_SIX, _SIX_DOF, (0,) * 6, 45, "0.01095"),
    (_SIX, _SIX_DOF, (0,) * 6, 120, "0.654735"),
    (_SIX, _SIX_DOF, (0,) * 6, 210, "0.984606"),
    ((7, 3, 7, 3), (6, 2, 1, 1), (6, 2, 6, 2), 70, "0.043679"),
    ((7, 3, 7, 3), (6, 2, 1, 1), (6, 2, 6, 2), 160, "0.584765"),
    ((7, 3, 7, 3), (6, 2, 1, 1), (6, 2, 6, 2), 260, "0.953774"),
    ((7, 3, -7, -3), (6, 2, 1, 1), (6, 2, 6, 2), -40, "0.078208"),
    ((7, 3, -7, -3), (6, 2, 1, 1), (6, 2, 6, 2), 40, "0.522108"),
    ((7, 3, -7, -3), (6, 2, 1, 1), (6, 2, 6, 2), 140, "0.96037"),
    (_TEN, _TEN_DOF, _TEN_NC, 120, "0.015844"),
    (_TEN, _TEN_DOF, _TEN_NC, 240, "0.573625"),
    (_TEN, _TEN_DOF, _TEN_NC, 400, "0.988332"),
    ((30, 1), (1, 10), (0, 0), 5, "0.015392"),
    ((30, 1), (1, 10), (0, 0), 25, "0.510819"),
    ((30, 1), (1, 10), (0, 0), 100, "0.91634"),
    ((30, 1), (1, 20), (0, 0), 10, "0.004925"),
    ((30, 1), (1, 20), (0, 0), 40, "0.573251"),
    ((30, 1), (1, 20), (0, 0), 100, "0.896501"),
    ((30, 1), (1, 30), (0, 0), 20, "0.017101"),
    ((30, 1), (1, 30), (0, 0), 50, "0.566488"),
    ((30, 1), (1, 30), (0, 0), 100, "0.871323"),
]
# Farebrother (1984) Table 1, rows Q1 and Q6, as quoted by pimeta.
FAREBROTHER_1984_TABLE1 = [
    ((6, 3, 1), (1, 1, 1), (0, 0, 0), 1, "0.0542"),
    ((6, 3, 1), (1, 1, 1), (0, 0, 0), 7, "0.4936"),
    ((6, 3, 1), (1, 1, 1), (0, 0, 0), 20, "0.8760"),
    ((7, 3), (6, 2), (6, 2), 20, "0.0061"),
    ((7, 3), (6, 2), (6, 2), 100, "0.5913"),
    ((7, 3), (6, 2), (6, 2), 200, "0.9779"),
]
# pimeta's AS 204 output (eps = 1e-10) printed under the Q6 example.
PIMETA_AS204_OUTPUT = [
    ((7, 3), (6, 2), (6, 2), 20, "0.006117973"),
    ((7, 3), (6, 2), (6, 2), 100, "0.5913421"),
    ((7, 3), (6, 2), (6, 2), 200, "0.9779184"),
]
# chi2comb's table (AS 155 at acc = 1e-4, printed to 20 digits).
CHI2COMB_AS155 = [
    ((6, 3, 1), (1, 1, 1), (0, 0, 0), 1, "0.054212946675253226303"),
    ((6, 3, 1), (1, 1, 1), (0, 0, 0), 7, "0.49355520181330159168"),
    ((6, 3, 1), (1, 1, 1), (0, 0, 0), 20, "0.8760272280402326972"),
    ((6, 3, 1), (2, 2, 2), (0, 0, 0), 2, "0.0064348332078802972234"),
    ((6, 3, 1), (2, 2, 2), (0, 0, 0), 20, "0.60020819879723130708"),
    ((6, 3, 1), (2, 2, 2), (0, 0, 0), 60, "0.98389684789412334975"),
    ((6, 3, 1), (6, 4, 2), (0, 0, 0), 10, "0.002697179606063082602"),
    ((6, 3, 1), (6, 4, 2), (0, 0, 0), 50, "0.56475302904079760502"),
    ((6, 3, 1), (6, 4, 2), (0, 0, 0), 120, "0.99122881453974709398"),
    ((7, 3), (6, 2), (6, 2), 20, "0.0061246216052206481351"),
    ((7, 3), (6, 2), (6, 2), 100, "0.5913392182262962038"),
    ((7, 3), (6, 2), (6, 2), 200, "0.97791384613661402891"),
    ((7, 3), (1, 1), (6, 2), 10, "0.045126148881611038988"),
    ((7, 3), (1, 1), (6, 2), 60, "0.59243135753281106481"),
    ((7, 3), (1, 1), (6, 2), 150, "0.97764841290122861395"),
    ((7, 3, 7, 3), (6, 2, 1, 1), (6, 2, 6, 2), 70, "0.043679499423862400143"),
    ((7, 3, 7, 3), (6, 2, 1, 1), (6, 2, 6, 2), 160, "0.58476547524879196605"),
    ((7, 3, 7, 3), (6, 2, 1, 1), (6, 2, 6, 2), 260, "0.95377443935266215114"),
    ((7, 3, -7, -3), (6, 2, 1, 1), (6, 2, 6, 2), -40, "0.078208009100773745459"),
    ((7, 3, -7, -3), (6, 2, 1, 1), (6, 2, 6, 2), 40, "0.52210759195266853716"),
    ((7, 3, -7, -3), (6, 2, 1, 1), (6, 2, 6, 2), 140, "0.96037034711779101226"),
]
ALL_PRINTED = (
    DAVIES_1980_TABLE3
    + DAVIES_TEST_OUTPUT
    + FAREBROTHER_1984_TABLE1
    + PIMETA_AS204_OUTPUT
    + CHI2COMB_AS155
)
#: Every distinct (form, threshold) of the tables above.
DISTINCT = sorted({case[:4] for case in ALL_PRINTED}, key=repr)


def reference_tail(w, k, lam, x, *, upper, s=0.0, m=0.0):
    """P(Q > x) or P(Q <= x) from the log-space contour at 25 digits."""
    return float(
        mpmath.exp(mp_contour_log_tail(w, k, lam, s, m, x, upper=upper, dps=25))
    )


def reference_cdf(w, k, lam, x, s=0.0, m=0.0):
    """(P(Q <= x), P(Q > x)), each tail by its own contour."""
    lo = reference_tail(w, k, lam, x, upper=False, s=s, m=m)
    return lo, reference_tail(w, k, lam, x, upper=True, s=s, m=m)


@functools.cache
def reference_pair(w, k, lam, x):
    """(P(Q <= x), P(Q > x)) to 25 digits: the smaller tail by the contour,
    the other as its complement (exact in mpmath at these magnitudes)."""
    with mpmath.workdps(25):
        up = mpmath.exp(mp_contour_log_tail(w, k, lam, 0, 0, x, upper=True, dps=25))
        if up < 0.5:
            return 1 - up, up
        lo = mpmath.exp(mp_contour_log_tail(w, k, lam, 0, 0, x, upper=False, dps=25))
        return lo, 1 - lo


def imhof_sf(w, k, lam, x, dps=20):
    """P(Q > x) by Imhof's (1961) integral in mpmath (a second route).

    P(Q > x) = 1/2 + (1/π) ∫_0^∞ sin θ(u) / (u ρ(u)) du with
    θ = ½ Σ [k_j atan(w_j u) + λ_j w_j u / (1 + w_j² u²)] − x u / 2 and
    log ρ = Σ [k_j log(1 + w_j² u²) / 4 + λ_j w_j² u² / (2 (1 + w_j² u²))];
    θ ~ const − x u / 2 for large u, so ``quadosc`` with ω = |x| / 2.
    """
    with mpmath.workdps(dps):
        w, k, lam = ([mpmath.mpf(v) for v in a] for a in (w, k, lam))
        x = mpmath.mpf(x)

        def f(u):
            theta, log_rho = -x * u / 2, mpmath.mpf(0)
            for wj, kj, cj in zip(w, k, lam, strict=True):
                a = wj * u
                d = 1 + a * a
                theta += (kj * mpmath.atan(a) + cj * a / d) / 2
                log_rho += kj * mpmath.log(d) / 4 + cj * a * a / (2 * d)
            return mpmath.sin(theta) / (u * mpmath.exp(log_rho))

        integral = mpmath.quadosc(f, [0, mpmath.inf], omega=abs(x) / 2)
        return mpmath.mpf(1) / 2 + integral / mpmath.pi


def library_cdf(w, k, lam, x) -> float:
    return quadform_cdf(list(w), x, dof=list(k), nc=list(lam)).value


def printed_error(w, k, lam, x, printed: str) -> float:
    return abs(library_cdf(w, k, lam, x) - float(printed))


def half_unit(printed: str) -> float:
    """Half a unit in the last printed digit (with a hair for float rounding)."""
    return 0.5 * 10.0 ** -len(printed.split(".")[1]) * (1 + 1e-9)


@pytest.mark.parametrize(("w", "k", "lam", "x"), DISTINCT)
def test_published_forms_match_the_reference(w, k, lam, x):
    ref_lo, ref_up = reference_pair(w, k, lam, x)
    p = quadform_cdf(list(w), x, dof=list(k), nc=list(lam))
    q = quadform_sf(list(w), x, dof=list(k), nc=list(lam))
    assert bool(p.accurate) and bool(q.accurate)
    assert abs(p.value / float(ref_lo) - 1) < 1e-10
    assert abs(q.value / float(ref_up) - 1) < 1e-10


@pytest.mark.parametrize(("w", "k", "lam", "x", "printed"), DAVIES_1980_TABLE3)
def test_davies_1980_table3(w, k, lam, x, printed):
    # The second route agrees with the contour reference.
    ref_lo, ref_up = reference_pair(w, k, lam, x)
    with mpmath.workdps(20):
        assert abs(imhof_sf(w, k, lam, x) / ref_up - 1) < 1e-15
    err = printed_error(w, k, lam, x, printed)
    assert err <= DAVIES_ACC
    exact_rounding = abs(float(ref_lo) - float(printed)) <= half_unit(printed)
    assert exact_rounding == ((w, k, x) not in TABLE3_NOT_ROUNDED)


@pytest.mark.parametrize(("w", "k", "lam", "x", "printed"), DAVIES_TEST_OUTPUT)
def test_davies_test_program_output(w, k, lam, x, printed):
    assert printed_error(w, k, lam, x, printed) <= DAVIES_ACC


@pytest.mark.parametrize(("w", "k", "lam", "x", "printed"), FAREBROTHER_1984_TABLE1)
def test_farebrother_1984_table1(w, k, lam, x, printed):
    assert printed_error(w, k, lam, x, printed) <= half_unit(printed)


@pytest.mark.parametrize(("w", "k", "lam", "x", "printed"), PIMETA_AS204_OUTPUT)
def test_pimeta_as204_output(w, k, lam, x, printed):
    # Printed to 7 significant digits: half a unit of the last one.
    digits = len(printed.split(".")[1].lstrip("0"))
    tol = 0.5 * 10.0 ** (math.floor(math.log10(float(printed))) - digits + 1)
    assert printed_error(w, k, lam, x, printed) <= tol * (1 + 1e-9)


@pytest.mark.parametrize(("w", "k", "lam", "x", "printed"), CHI2COMB_AS155)
def test_chi2comb_as155_table(w, k, lam, x, printed):
    # AS 155 at acc = 1e-4 produced the printed numbers.
    assert printed_error(w, k, lam, x, printed) <= DAVIES_ACC


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
