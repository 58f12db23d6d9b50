"""Tests of the full generalized χ² variable and the frozen ``gchi2`` object.

Q = Σ_j w_j χ²(ν_j, λ_j) + s Z + m.  References come from routes written in
this file: the Gil-Pelaez (Imhof) integral and a saddlepoint contour in
mpmath, the Poisson mixture of incomplete gamma functions (noncentral χ², the
Marcum Q function), the hypoexponential closed form, normal and incomplete
gamma closed forms, and scipy.stats.ncx2 in its accurate range.
"""

from __future__ import annotations

import math
import warnings

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import integrate, special, stats

from spheres_theory import quadform_cdf, quadform_sf
from spheres_theory.errors import AccuracyWarning
from spheres_theory.gchi2 import gchi2

LN10 = math.log(10.0)
REL = 1e-10


def rel(got: float, ref: float) -> float:
    return abs(got / ref - 1.0)


# ---------------------------------------------------------------------------
# Oracles written here (mpmath under workdps, never global precision)
# ---------------------------------------------------------------------------


def mp_cgf(w, nu, nc, s, t):
    """K(t) of Σ w χ²(ν, λ) + s Z (complex t), in mpmath."""
    k = s**2 * t**2 / 2
    for wj, nj, cj in zip(w, nu, nc, strict=True):
        a = 1 - 2 * wj * t
        k += -nj * mpmath.log(a) / 2 + cj * wj * t / a
    return k


def mp_imhof_sf(w, nu, nc, s, m, x, dps=40):
    """P(Q > x) by Gil-Pelaez: 1/2 + (1/π)∫ Im[e^{−iux} φ(u)]/u du."""
    with mpmath.workdps(dps):
        w, nu, nc = ([mpmath.mpf(str(v)) for v in a] for a in (w, nu, nc))
        s, xm = mpmath.mpf(str(s)), mpmath.mpf(str(x)) - mpmath.mpf(str(m))

        def f(u):
            val = mpmath.exp(mp_cgf(w, nu, nc, s, 1j * u) - 1j * u * xm)
            return mpmath.im(val) / u

        scale = max(abs(v) for v in w) if w else s
        pts = [0] + [scale**-1 * 2**k for k in range(-6, 40)] + [mpmath.inf]
        return mpmath.mpf(1) / 2 + mpmath.quad(f, pts) / mpmath.pi


def mp_contour_log_tail(w, nu, nc, s, m, x, upper=True, dps=30):
    """ln P(Q > x) (or ln P(Q <= x)) on a ray through the saddle.

    c solves K'(c) = x + 1/c on the tail's side (bisection); on s = c + t(β+i),
    t = τ sinh u (τ = K''(c)^(-1/2)), P = e^{K(c) − cx}/π ∫_0^∞ Re[e^{K(s) −
    K(c) − (s−c)x} (c/s)(β+i)/i] dt by Gauss–Legendre on half-unit intervals
    of u.  Log space: any depth.
    """
    with mpmath.workdps(dps):
        w, nu, nc = ([mpmath.mpf(str(v)) for v in a] for a in (w, nu, nc))
        s = mpmath.mpf(str(s))
        xm = mpmath.mpf(str(x)) - mpmath.mpf(str(m))
        sgn = 1 if upper else -1
        side = [v * sgn for v in w if v * sgn > 0]
        if side:
            far = 1 / (2 * max(side))
        else:
            # φ' >= s²u − x_s − C/u on this side: twice the root bounds c
            xs, cc = sgn * xm, sum(nu) / 2 + sum(nc) / 8 + 1
            if s:
                far = (xs + mpmath.sqrt(xs**2 + 4 * s**2 * cc)) / s**2
            else:
                far = -2 * cc / xs

        def d1(t):
            val = s**2 * t - xm - 1 / t
            for wj, nj, cj in zip(w, nu, nc, strict=True):
                a = 1 - 2 * wj * t
                val += nj * wj / a + cj * wj / a**2
            return val

        lo, hi = mpmath.mpf(0), far
        for _ in range(3000):  # bisection in u = |t| (d1 increasing in t)
            mid = mpmath.sqrt(lo * hi) if lo > 0 and hi > 4 * lo else (lo + hi) / 2
            if (d1(sgn * mid) > 0) == upper:
                hi = mid
            else:
                lo = mid
            if hi - lo < hi * mpmath.mpf(10) ** (-12):
                break
        c = sgn * (lo + hi) / 2
        k2 = 1 / c**2 + s**2
        for wj, nj, cj in zip(w, nu, nc, strict=True):
            a = 1 - 2 * wj * c
            k2 += 2 * nj * wj**2 / a**2 + 4 * cj * wj**2 / a**3
        tau = 1 / mpmath.sqrt(k2)
        kc = mp_cgf(w, nu, nc, s, c)

        # A straight ray s = c + t(β + i) bent (β = ±1/4) to the side where
        # exp(−s (x − s²c)) decays, so that the phase rotation is damped.
        xe = xm - s**2 * c
        beta = mpmath.sign(xe) / 4
        d = mpmath.mpc(beta, 1)

        def log_f(t):
            z = t * d
            return mp_cgf(w, nu, nc, s, c + z) - kc - z * xm - mpmath.log((c + z) / c)

        def g(u):
            t = tau * mpmath.sinh(u)
            val = mpmath.exp(log_f(t)) * d / 1j
            return mpmath.re(val) * tau * mpmath.cosh(u)

        pts = [mpmath.mpf(0)]
        for k in range(1, 2000):
            pts.append(mpmath.mpf(k) / 2)
            if (
                mpmath.re(log_f(tau * mpmath.sinh(pts[-1]))) + pts[-1]
                < -(dps + 8) * LN10
            ):
                break
        integral = mpmath.quad(g, pts, method="gauss-legendre")
        return kc - c * xm - mpmath.log(mpmath.pi * abs(c)) + mpmath.log(integral)


def mp_ncx2_log_sf(nu, lam, x, upper=True, dps=40):
    """ln P(χ²(ν, λ) > x) by the Poisson mixture of incomplete gamma functions."""
    with mpmath.workdps(dps):
        nu, lam, x = mpmath.mpf(str(nu)), mpmath.mpf(str(lam)), mpmath.mpf(str(x))
        h = lam / 2
        total = mpmath.mpf(0)
        k = 0
        while True:
            log_pois = -h + k * mpmath.log(h) - mpmath.loggamma(k + 1) if h else 0
            a = nu / 2 + k
            g = (
                mpmath.gammainc(a, x / 2, mpmath.inf, regularized=True)
                if upper
                else mpmath.gammainc(a, 0, x / 2, regularized=True)
            )
            term = mpmath.exp(log_pois) * g
            total += term
            if h == 0 or (k > h and term < total * mpmath.mpf(10) ** (-dps + 5)):
                break
            k += 1
        return mpmath.log(total)


# ---------------------------------------------------------------------------
# Closed forms
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nu", "lam", "x"),
    [(1, 0.5, 3.0), (2, 4.0, 1.0), (3.5, 10.0, 30.0), (7, 2.5, 0.5), (20, 50.0, 80.0)],
)
def test_single_noncentral_weight_matches_ncx2(nu, lam, x):
    w = 1.7
    q = gchi2([w], dof=nu, nc=lam)
    assert rel(q.sf(w * x), stats.ncx2.sf(x, nu, lam)) < 1e-9
    assert rel(q.cdf(w * x), stats.ncx2.cdf(x, nu, lam)) < 1e-9
    ref_up = float(mp_ncx2_log_sf(nu, lam, x))
    ref_lo = float(mp_ncx2_log_sf(nu, lam, x, upper=False))
    assert abs(q.logsf(w * x) - ref_up) < REL * max(1, abs(ref_up)) + REL
    assert abs(q.logcdf(w * x) - ref_lo) < REL * max(1, abs(ref_lo)) + REL
    # a negative weight: P(−wχ² > −wx) = P(χ² < x)
    neg = gchi2([-w], dof=nu, nc=lam)
    assert abs(neg.logsf(-w * x) - ref_lo) < REL * max(1, abs(ref_lo)) + REL


@pytest.mark.parametrize(
    ("a", "b"), [(1.0, 3.0), (3.0, 1.0), (2.0, 12.0), (10.0, 30.0)]
)
def test_marcum_q(a, b):
    # P(χ²(2, a²) > b²) = Q_1(a, b) = e^{−(a² + b²)/2} Σ_k (a/b)^k I_k(ab).
    with mpmath.workdps(40):
        am, bm = mpmath.mpf(a), mpmath.mpf(b)
        ref = mpmath.exp(-(am**2 + bm**2) / 2) * mpmath.nsum(
            lambda k: (am / bm) ** k * mpmath.besseli(k, am * bm), [0, mpmath.inf]
        )
        ref = float(mpmath.log(ref))
    got = gchi2([1.0], dof=2, nc=a * a).logsf(b * b)
    assert abs(got - ref) < 1e-10 * abs(ref) + 1e-12


def test_deep_noncentral_tail_against_poisson_mixture():
    # P(χ²(3, 20) > 3000): log10 ≈ −590, far below float64.
    ref = float(mp_ncx2_log_sf(3, 20, 3000))
    got = float(quadform_sf([1.0], 3000.0, dof=3, nc=20).log10_value) * LN10
    assert abs(got - ref) < REL * abs(ref)
    assert ref / LN10 < -500


@pytest.mark.parametrize(
    ("s", "m", "x"), [(1.0, 0.0, 0.5), (2.0, 1.0, -30.0), (0.3, 2.0, 30)]
)
def test_normal_only(s, m, x):
    q = gchi2([0.0], s=s, m=m)
    with mpmath.workdps(40):
        ref_up = float(mpmath.log(mpmath.ncdf((mpmath.mpf(m) - x) / s)))
        ref_lo = float(mpmath.log(mpmath.ncdf((x - mpmath.mpf(m)) / s)))
    assert abs(q.logsf(x) - ref_up) < 1e-12 * max(1, abs(ref_up))
    assert abs(q.logcdf(x) - ref_lo) < 1e-12 * max(1, abs(ref_lo))
    assert_allclose(q.pdf(x), stats.norm.pdf(x, m, s), rtol=1e-12)


@pytest.mark.parametrize(
    ("w", "nu", "m", "x"), [(2.0, 3, 1.0, 10.0), (0.5, 7.5, -3.0, 1.0)]
)
def test_single_weight_with_offset(w, nu, m, x):
    q = gchi2([w], dof=nu, m=m)
    assert rel(q.sf(x), special.gammaincc(nu / 2, (x - m) / (2 * w))) < 1e-12
    assert rel(q.cdf(x), special.gammainc(nu / 2, (x - m) / (2 * w))) < 1e-12
    assert q.cdf(m - 1e-9) == 0.0
    assert q.sf(m - 1e-9) == 1.0


def test_hypoexponential_closed_form_far_out():
    # 6χ²₂ + 3χ²₂ + χ²₂ = Σ Exp(θ_j), θ = (12, 6, 2):
    # sf(x) = Σ_j Π_{k≠j} θ_j/(θ_j − θ_k) e^{−x/θ_j}.  At x = 1e10 the log is
    # −8.3e8: the float64 log carries |ln P| ε ~ 1e-7 relative error in P, and
    # that is what is certified (the floor); at 1e50 the log is what is right.
    for x, tol in ((30.0, 1e-11), (1e10, 1e-15), (1e50, 1e-15)):
        with mpmath.workdps(60):
            th = [mpmath.mpf(12), mpmath.mpf(6), mpmath.mpf(2)]
            xm = mpmath.mpf(x)
            ref = mpmath.log(
                sum(
                    mpmath.exp(-xm / th[j])
                    * mpmath.fprod(th[j] / (th[j] - th[k]) for k in range(3) if k != j)
                    for j in range(3)
                )
            )
        p = quadform_sf([6, 3, 1], x, dof=[2, 2, 2])
        assert bool(p.accurate)
        got = p.log_value
        assert abs(got - float(ref)) <= tol * abs(float(ref))
        # the estimate covers the actual relative error of P
        actual = abs(math.expm1(got - float(ref)))
        assert actual <= max(p.error_estimate, 1e-13) or x == 1e50


# ---------------------------------------------------------------------------
# Mixed forms against the oracles
# ---------------------------------------------------------------------------

MIXED = [
    # weights, dof, nc, s, m, x
    ([1.0, -2.0], [3, 2], [1.5, 0.5], 0.5, 1.0, 5.0),
    ([0.7, 0.2, -0.4], [1, 2.5, 4], [0.0, 3.0, 1.0], 0.0, 0.0, 1.0),
    ([2.0, 1.0, -1.0, -3.0], [1, 1, 2, 1], [5.0, 0.0, 0.0, 2.0], 1.5, -2.0, -4.0),
    ([0.3], [4.4], [2.0], 1.0, 0.0, 2.0),
    ([-1.0, 0.5], [1, 1], [2.0, 2.0], 0.0, 0.0, 0.3),
]


@pytest.mark.parametrize(("w", "nu", "nc", "s", "m", "x"), MIXED)
def test_mixed_forms_against_the_contour_oracle(w, nu, nc, s, m, x):
    q = gchi2(w, dof=nu, nc=nc, s=s, m=m)
    ref_up = float(mp_contour_log_tail(w, nu, nc, s, m, x))
    ref_lo = float(mp_contour_log_tail(w, nu, nc, s, m, x, upper=False))
    assert abs(q.logsf(x) - ref_up) < REL
    assert abs(q.logcdf(x) - ref_lo) < REL
    for method in ("exact", "mpmath"):
        p = quadform_sf(w, x, dof=nu, nc=nc, s=s, m=m, method=method)
        assert abs(p.log_value - ref_up) < REL
        assert bool(p.accurate)


def test_imhof_agrees():
    # Gil-Pelaez/Imhof as a second oracle on forms whose integrand decays fast.
    w, nu, nc, s, m, x = MIXED[0]
    ref = mp_imhof_sf(w, nu, nc, s, m, x, dps=30)
    assert rel(gchi2(w, dof=nu, nc=nc, s=s, m=m).sf(x), float(ref)) < REL
    # P(−X + Y/2 > 0.3), X, Y ~ χ²(1, 2): a 1-D integral over Y written out.
    with mpmath.workdps(30):
        r2 = mpmath.sqrt(2)
        k = mpmath.sqrt(mpmath.mpf("0.6"))

        def inner(z):
            v = (z + r2) ** 2 / 2 - mpmath.mpf("0.3")
            if v <= 0:
                return mpmath.mpf(0)
            r = mpmath.sqrt(v)
            return mpmath.npdf(z) * (mpmath.ncdf(r - r2) - mpmath.ncdf(-r - r2))

        ref = mpmath.quad(inner, [-mpmath.inf, -20, -r2 - k, -r2 + k, 20, mpmath.inf])
    assert rel(quadform_sf([-1.0, 0.5], 0.3, nc=[2.0, 2.0]).value, float(ref)) < REL


@pytest.mark.parametrize(
    ("w", "nu", "nc", "s", "x", "upper"),
    [
        ([1.0, -2.0], [3, 2], [1.5, 0.5], 0.5, 1500.0, True),
        ([1.0, -2.0], [3, 2], [1.5, 0.5], 0.5, -3000.0, False),
        ([0.02, -0.7], [250, 1750], [30.0, 4.0], 0.0, 0.0, True),
        ([0.5, 0.25, 0.1], [2, 3, 1.5], [1.0, 2.0, 0.0], 0.0, 1e-120, False),
        ([3.0, 1.0], [1, 1], [100.0, 0.0], 2.0, 12000.0, True),
        ([3.0, 1.0], [1, 1], [100.0, 0.0], 40.0, -2000.0, False),
    ],
)
def test_deep_tails_against_log_space_contour(w, nu, nc, s, x, upper):
    ref = float(mp_contour_log_tail(w, nu, nc, s, 0.0, x, upper=upper))
    assert ref < -300 * LN10
    fn = quadform_sf if upper else quadform_cdf
    p = fn(w, x, dof=nu, nc=nc, s=s)
    assert bool(p.accurate)
    assert abs(p.log_value - ref) <= REL * max(1.0, abs(ref)) / 10
    q = gchi2(w, dof=nu, nc=nc, s=s)
    assert abs((q.logsf(x) if upper else q.logcdf(x)) - ref) <= 1e-11 * abs(ref)


def test_density_integrates_to_the_cdf():
    q = gchi2([1.0, -2.0, 0.5], dof=[3, 2, 1.5], nc=[1.5, 0.5, 2.0], s=0.3, m=1.0)
    a, b = -3.0, 4.0
    val, _ = integrate.quad(q.pdf, a, b, epsabs=0, epsrel=1e-12, limit=200)
    assert rel(val, q.cdf(b) - q.cdf(a)) < 1e-10
    h = 1e-4
    x = np.array([-10.0, 0.3, 25.0])
    fd = (q.cdf(x + h) - q.cdf(x - h)) / (2 * h)
    assert_allclose(q.pdf(x), fd, rtol=1e-6)
    assert_allclose(np.exp(q.logpdf(x)), q.pdf(x), rtol=1e-14)
    assert gchi2([1.0, 2.0]).pdf(-1.0) == 0.0  # outside the support


# ---------------------------------------------------------------------------
# Quantiles, moments, sampling
# ---------------------------------------------------------------------------


def test_quantiles_round_trip_at_any_depth():
    q = gchi2([1.0, -2.0], dof=[3, 2], nc=[1.5, 0.5], s=0.5, m=1.0)
    for p in (1e-300, 1e-200, 1e-12, 0.01, 0.3, 0.5, 0.9, 1 - 1e-9):
        x = q.isf(p)
        assert rel(q.sf(x), p) < 1e-9 or abs(q.logsf(x) - math.log(p)) < 1e-9
        y = q.ppf(p)
        assert abs(q.logcdf(y) - math.log(p)) < 1e-9
    xs = q.isf(np.array([[1e-200, 0.5]]))
    assert xs.shape == (1, 2)
    assert q.isf(1e-200) > q.isf(1e-100) > q.isf(0.5)
    pos = gchi2([2.0, 1.0], dof=[1, 3])
    assert pos.ppf(0.0) == 0.0
    assert pos.isf(0.0) == math.inf
    tiny = pos.ppf(1e-250)
    assert 0 < tiny < 1e-100
    assert abs(pos.logcdf(tiny) - math.log(1e-250)) < 1e-9
    with pytest.raises(ValueError, match="`q`"):
        q.ppf(1.5)


def test_moments_and_rvs():
    q = gchi2([1.0, -2.0, 0.5], dof=[3, 2, 1.5], nc=[1.5, 0.5, 2.0], s=0.3, m=1.0)
    mean = 1 * 4.5 - 2 * 2.5 + 0.5 * 3.5 + 1.0
    var = 2 * (1 * (3 + 3) + 4 * (2 + 1) + 0.25 * (1.5 + 4)) + 0.09
    assert_allclose(q.mean(), mean, rtol=1e-14)
    assert_allclose(q.var(), var, rtol=1e-14)
    n = 200_000
    r = q.rvs(n, rng=np.random.default_rng(5))
    assert r.shape == (n,)
    assert abs(r.mean() - mean) < 5 * math.sqrt(var / n)
    # Kolmogorov distance to the exact cdf, at 5 sigma of the DKW bound
    xs = np.sort(r)[:: n // 200]
    emp = np.searchsorted(np.sort(r), xs, side="right") / n
    assert np.max(np.abs(emp - q.cdf(xs))) < 5 * math.sqrt(math.log(2 / 1e-6) / (2 * n))
    assert q.rvs(rng=1) == q.rvs(rng=1)


# ---------------------------------------------------------------------------
# Gaussian quadratic forms
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "c", "mu", "var"),
    [
        (1.0, 0.5, -2.0, 0.3, 2.0),
        (-0.7, 2.0, 1.0, -1.0, 0.5),
        (2.0, 0.0, -1.0, 0.0, 1.0),
    ],
)
def test_from_gaussian_one_dimensional_closed_form(a, b, c, mu, var):
    # P(a x² + b x + c > 0) for x ~ N(μ, var): roots r1 < r2 of the parabola.
    sd = math.sqrt(var)
    disc = b * b - 4 * a * c
    r1, r2 = sorted(
        ((-b - math.sqrt(disc)) / (2 * a), (-b + math.sqrt(disc)) / (2 * a))
    )
    inside = stats.norm.cdf(r2, mu, sd) - stats.norm.cdf(r1, mu, sd)
    ref = 1 - inside if a > 0 else inside
    q = gchi2.from_gaussian([[a]], [b], c, mean=[mu], cov=[[var]])
    assert rel(q.sf(0.0), ref) < 1e-10


def test_from_gaussian_is_rotation_invariant_and_matches_sampling():
    rng = np.random.default_rng(3)
    n = 4
    a = rng.standard_normal((n, n))
    a = a + a.T
    b = rng.standard_normal(n)
    mu = rng.standard_normal(n)
    l_mat = rng.standard_normal((n, n))
    cov = l_mat @ l_mat.T
    q = gchi2.from_gaussian(a, b, 0.5, mean=mu, cov=cov)
    rot, _ = np.linalg.qr(rng.standard_normal((n, n)))
    q2 = gchi2.from_gaussian(
        rot @ a @ rot.T, rot @ b, 0.5, mean=rot @ mu, cov=rot @ cov @ rot.T
    )
    assert rel(q.sf(0.0), q2.sf(0.0)) < 1e-10
    x = rng.multivariate_normal(mu, cov, size=400_000)
    vals = np.einsum("ij,jk,ik->i", x, a, x) + x @ b + 0.5
    p_mc = (vals > 0).mean()
    assert abs(p_mc - q.sf(0.0)) < 5 * math.sqrt(q.sf(0.0) * q.cdf(0.0) / x.shape[0])
    assert_allclose(
        q.mean(), np.trace(a @ cov) + mu @ a @ mu + b @ mu + 0.5, rtol=1e-12
    )
    # A singular covariance: x = (z, z): x1 x2 = z² ~ χ²₁
    single = gchi2.from_gaussian([[0, 0.5], [0.5, 0]], cov=[[1, 1], [1, 1]])
    assert rel(single.sf(1.0), special.gammaincc(0.5, 0.5)) < 1e-10
    # A linear form only: bᵀx ~ N(0, ‖b‖²)
    lin = gchi2.from_gaussian(np.zeros((2, 2)), [3.0, 4.0], 1.0)
    assert rel(lin.sf(0.0), stats.norm.sf(-1.0 / 5.0)) < 1e-12


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"A": [[1, 2], [0, 1]]}, "symmetric"),
        ({"A": [[1, 0], [0, 1]], "cov": [[1, 0], [0, -1]]}, "semi-definite"),
        ({"A": [[1, 0], [0, 1]], "b": [1, 2, 3]}, "`b`"),
        ({"A": [1, 2]}, "`A`"),
    ],
)
def test_from_gaussian_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        gchi2.from_gaussian(**kwargs)


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------

forms = st.tuples(
    st.lists(st.floats(-3, 3).filter(lambda v: abs(v) > 0.05), min_size=1, max_size=4),
    st.floats(0.5, 6),
    st.floats(0, 5),
    st.one_of(st.just(0.0), st.floats(1e-3, 1.5)),
)


@settings(max_examples=25, deadline=None)
@given(form=forms, z=st.floats(-1.5, 1.5))
def test_sf_plus_cdf_is_one_and_monotone(form, z):
    w, nu, lam, s = form
    q = gchi2(w, dof=nu, nc=lam, s=s)
    x = q.mean() + z * q.std()
    up, lo = q.sf(x), q.cdf(x)
    if min(up, lo) > 1e-3:
        assert abs(up + lo - 1) < 1e-10
    xs = x + q.std() * np.array([-0.5, 0.0, 0.5])
    assert np.all(np.diff(q.sf(xs)) <= 1e-15)
    assert np.all(np.diff(q.cdf(xs)) >= -1e-15)


@settings(max_examples=20, deadline=None)
@given(form=forms, scale=st.sampled_from([1e-30, 1e-3, 7.0, 1e40]))
def test_scaling(form, scale):
    w, nu, lam, s = form
    q = gchi2(w, dof=nu, nc=lam, s=s, m=0.3)
    qs = gchi2(np.array(w) * scale, dof=nu, nc=lam, s=s * scale, m=0.3 * scale)
    x = q.mean() + 0.7 * q.std()
    ref = q.logsf(x)
    if ref == -np.inf:  # beyond the support end
        assert qs.logsf(x * scale) == -np.inf
    else:
        assert abs(qs.logsf(x * scale) - ref) < 1e-10 * max(1, abs(ref))


def test_limits_reach_the_central_values():
    w, nu = [1.0, -0.6, 0.3], [2, 3, 1]
    central = quadform_sf(w, 0.5, dof=nu).value
    for eps in (1e-8, 1e-12):
        assert (
            rel(quadform_sf(w, 0.5, dof=nu, nc=[eps, eps, eps]).value, central) < 1e-7
        )
        assert rel(quadform_sf(w, 0.5, dof=nu, s=eps).value, central) < 1e-7
    assert quadform_sf(w, 0.5, dof=nu, nc=0.0, s=0.0).value == central


# ---------------------------------------------------------------------------
# Users' habits and validation
# ---------------------------------------------------------------------------


def test_real_dof_and_vector_x():
    p = quadform_sf([1.0], [0.5, 2.0, 7.0], dof=2.7)
    assert p.value.shape == (3,)
    assert_allclose(
        p.value, special.gammaincc(1.35, np.array([0.5, 2.0, 7.0]) / 2), rtol=1e-13
    )
    grid = quadform_cdf([1.0, -1.0], np.zeros((2, 2)))
    assert grid.value.shape == (2, 2)
    assert_allclose(grid.value, 0.5, rtol=1e-12)
    # non-integer dof in a mixed form, against Imhof
    ref = mp_contour_log_tail([1.0, -0.5], [2.5, 3.7], [0, 0], 0, 0, 0.4)
    assert abs(quadform_sf([1.0, -0.5], 0.4, dof=[2.5, 3.7]).log_value - ref) < REL


def test_float_and_comparisons():
    p = quadform_sf([1.0, -1.0])
    assert abs(float(p) - 0.5) < 1e-12
    assert p < 0.6
    assert p > 0.4
    assert p <= 0.6 and p >= 0.4
    with pytest.raises(TypeError, match="scalar"):
        float(quadform_sf([[1.0, -1.0], [1.0, -2.0]]))


@pytest.mark.parametrize(
    ("kwargs", "bad", "good"),
    [
        ({"delta": [1.0]}, "delta", "nc"),
        ({"noncentrality": 1}, "noncentrality", "nc"),
        ({"df": 2}, "df", "dof"),
        ({"methd": "exact"}, "methd", "method"),
    ],
)
def test_unknown_keyword_names_the_closest(kwargs, bad, good):
    with pytest.raises(TypeError, match=f"`{bad}`.*`{good}`"):
        quadform_sf([1.0, -1.0], 0.0, **kwargs)
    with pytest.raises(TypeError, match=f"`{bad}`"):
        gchi2([1.0, -1.0], **kwargs)


def test_swapped_arguments_get_a_hint():
    with pytest.raises(ValueError, match="swapped"):
        quadform_sf(0.0, [1.0, -1.0])


def test_gchi2_validation_and_frozen():
    with pytest.raises(ValueError, match="`nc`"):
        gchi2([1.0], nc=-1)
    with pytest.raises(ValueError, match="`s`"):
        gchi2([1.0], s=-1)
    with pytest.raises(ValueError, match="1-D"):
        gchi2([[[1.0, 2.0]]])
    q = gchi2([1.0])
    with pytest.raises(AttributeError):
        q.m = 2.0
    with pytest.raises(ValueError):
        q.weights[0] = 3.0
    assert "gchi2(weights=[1.0]" in repr(q)


# ---------------------------------------------------------------------------
# Issue 14 items 4-6 and the classes behind them
# ---------------------------------------------------------------------------


def mp_log_gamma_tail(a, y, upper, dps=60):
    """ln of the regularised incomplete gamma tail by direct quadrature.

    ∫ exp((a−1) ln u − u − ln Γ(a)) du over [y, ∞) or [0, y], cut where the
    log-concave integrand has fallen by e^-80 (valid for a of any size).
    """
    with mpmath.workdps(dps):
        a, y = mpmath.mpf(a), mpmath.mpf(y)
        lg = mpmath.loggamma(a)

        def f(u):
            return mpmath.exp((a - 1) * mpmath.log(u) - u - lg)

        slope = abs((a - 1) / y - 1)
        width = (
            min(80 / slope, 40 * y / mpmath.sqrt(a)) if slope else 40 * mpmath.sqrt(a)
        )
        if upper:
            pts = [y + width * k / 16 for k in range(17)]
        else:
            lo = max(mpmath.mpf(0), y - width)
            pts = [lo + (y - lo) * k / 16 for k in range(17)]
        return mpmath.log(mpmath.quad(f, pts))


@pytest.mark.parametrize(
    ("nu", "k"),
    [
        (2e6, -5),
        (2e6, 5),
        (2e8, -5),
        (1e8, 3),
        (3.3e9, -2),
        (2.0**60, -5),
        (2.0**60, 4),
    ],
)
def test_single_weight_large_dof(nu, k):
    x = nu + k * math.sqrt(2 * nu)
    upper = k > 0
    ref = float(mp_log_gamma_tail(nu / 2, x / 2, upper))
    p = (quadform_sf if upper else quadform_cdf)([1.0], x, dof=nu)
    assert bool(p.accurate)
    assert abs(p.log_value - ref) < REL
    # merged equal weights take the same route
    q = (quadform_sf if upper else quadform_cdf)(
        [2.0, 2.0], 2 * x, dof=[nu / 2, nu / 2]
    )
    assert abs(q.log_value - ref) < REL


def test_issue14_item4_example():
    p = quadform_cdf([1.0], 199900000.0, dof=2e8)
    assert (
        rel(p.value, math.exp(float(mp_log_gamma_tail(1e8, 99950000.0, False)))) < REL
    )
    assert abs(p.value - 2.8546e-7) < 1e-11


@pytest.mark.parametrize("nu", [1e11, 1e13, 2.0**40, 2.0**60])
def test_huge_dof_contour_is_right_or_honestly_flagged(nu):
    # P(Xν − Yν > 0) = 1/2 exactly by symmetry.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        p = quadform_sf([1.0, -1.0], dof=[nu, nu])
    actual = abs(p.value / 0.5 - 1)
    if p.accurate:
        assert actual < REL
    else:
        assert any(issubclass(w.category, AccuracyWarning) for w in caught)
        assert np.isnan(p.value) or p.error_estimate >= actual


def test_issue14_item6_example_is_right():
    # P(1e150 X − Y <= 1e140) = P(X <= 1e-10 (1 + Y/1e140)) = erf(sqrt(5e-11))
    # up to a relative 1e-140: once returned as 1.0 with a flag.
    p = quadform_cdf([1e150, -1.0], 1e140)
    assert bool(p.accurate)
    assert rel(p.value, math.erf(math.sqrt(5e-11))) < 1e-10


def test_possibly_wrong_by_more_than_a_percent_is_nan(monkeypatch):
    # Starve the quadrature (one coarse level): the estimate exceeds 1 %, so
    # the value is NaN, flagged, and the warning says why.
    import spheres_theory._contour as contour

    monkeypatch.setattr(contour, "_LEVELS", 1)
    monkeypatch.setattr(contour, "_H0", 6.0)
    with pytest.warns(AccuracyWarning, match="more than 1 %"):
        p = quadform_sf([1.0, -0.3, 0.2], 0.5, dof=[1, 2, 1])
    assert not p.accurate
    assert np.isnan(p.value) and np.isnan(p.log10_value)
    assert p.error_estimate > 1e-2
    with pytest.warns(AccuracyWarning, match="more than 1 %"):
        assert np.isnan(gchi2([1.0, -0.3, 0.2], dof=[1, 2, 1]).sf(0.5))


def test_lower_tail_of_a_positive_form_at_tiny_x():
    # P(6X1 + 3X2 + X3 <= x) ~ x^{3/2} Γ-volume: exact by the series of the
    # density at 0; here against the log-space contour oracle.
    for x in (1e-200, 1e-300, 1e-20):
        ref = float(
            mp_contour_log_tail([6, 3, 1], [1, 1, 1], [0, 0, 0], 0, 0, x, upper=False)
        )
        for method in ("exact", "mpmath"):
            dps = 30 if method == "mpmath" else None
            p = quadform_cdf([6, 3, 1], x, dof=[1, 1, 1], method=method, dps=dps)
            assert bool(p.accurate)
            assert abs(p.log_value - ref) < REL * abs(ref)
    assert (
        abs(quadform_cdf([6, 3, 1], 1e-200, dof=[1, 1, 1]).log10_value + 301.2028174)
        < 1e-7
    )


def test_saddlepoint_method_never_crashes():
    p = quadform_cdf([6, 3, 1], 1e-200, dof=[1, 1, 1], method="saddlepoint")
    assert p.method == "saddlepoint"
    assert np.isnan(p.log10_value) or abs(p.log10_value + 301.2) < 3


# ---------------------------------------------------------------------------
# Issue 15 item 2: a batch of forms in one frozen object
# ---------------------------------------------------------------------------

BATCH_W = [[1.0, -2.0], [0.5, 3.0], [2.0, 0.0]]
BATCH_DOF = [[3.0, 2.0], [1.0, 4.0], [2.5, 1.0]]
BATCH_NC = [[1.5, 0.5], [0.0, 2.0], [0.0, 0.0]]
BATCH_S = [0.5, 2.0, 0.0]
BATCH_M = [1.0, -3.0, 2.0]


def batch_and_singles():
    """A batch of 3 forms (noncentral, normal term, offset) and each form alone."""
    batch = gchi2(BATCH_W, dof=BATCH_DOF, nc=BATCH_NC, s=BATCH_S, m=BATCH_M)
    singles = [
        gchi2(w, dof=d, nc=c, s=s, m=m)
        for w, d, c, s, m in zip(
            BATCH_W, BATCH_DOF, BATCH_NC, BATCH_S, BATCH_M, strict=True
        )
    ]
    return batch, singles


def test_batch_matches_one_form_objects_element_by_element():
    batch, singles = batch_and_singles()
    x = np.array([5.0, -4.0, 10.0])
    for name in ("sf", "logsf", "cdf", "logcdf", "pdf", "logpdf"):
        got = getattr(batch, name)(x)
        want = [getattr(q, name)(xi) for q, xi in zip(singles, x, strict=True)]
        assert got.shape == (3,)
        assert_allclose(got, want, rtol=1e-13, atol=0, err_msg=name)
    for name, arg in (("isf", 1e-50), ("ppf", 0.3), ("isf", 0.7), ("ppf", 1e-30)):
        got = getattr(batch, name)(arg)
        want = [getattr(q, name)(arg) for q in singles]
        assert_allclose(got, want, rtol=1e-12, atol=0, err_msg=name)
    for name in ("mean", "var", "std"):
        got = getattr(batch, name)()
        assert isinstance(got, np.ndarray) and got.shape == (3,)
        assert_allclose(got, [getattr(q, name)() for q in singles], rtol=1e-15)
    # support ends: form 3 (2 χ²(2.5) + 2) starts at 2; the others are unbounded
    assert batch.ppf(0.0).tolist() == [-math.inf, -math.inf, 2.0]
    assert batch.isf(0.0).tolist() == [math.inf, math.inf, math.inf]


def test_batch_broadcasts_x_on_the_last_axis():
    batch, singles = batch_and_singles()
    got = batch.logsf(60.0)  # a scalar evaluates every form
    assert_allclose(got, [q.logsf(60.0) for q in singles], rtol=1e-13)
    x = np.array([[0.0, 1.0, 2.5], [40.0, -7.0, 3.0]])
    got = batch.cdf(x)
    assert got.shape == (2, 3)
    for i in range(2):
        for j in range(3):
            assert_allclose(got[i, j], singles[j].cdf(x[i, j]), rtol=1e-13)
    q = np.array([[1e-200], [0.25]])
    got = batch.isf(q)
    assert got.shape == (2, 3)
    assert_allclose(got[1], [s.isf(0.25) for s in singles], rtol=1e-12)
    # the quantile inverts the tail of its own form
    assert_allclose(batch.logsf(got[0]), np.full(3, math.log(1e-200)), rtol=1e-12)


def test_batch_shape_errors_name_the_parameter():
    batch, _ = batch_and_singles()
    with pytest.raises(ValueError, match=r"`x`.*3 forms"):
        batch.sf([1.0, 2.0])
    with pytest.raises(ValueError, match="`x`"):
        batch.logpdf(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="`q`"):
        batch.ppf([0.1, 0.2, 0.3, 0.4])
    with pytest.raises(ValueError, match=r"`q`.*probabilities"):
        batch.isf([0.1, 2.0, 0.3])
    with pytest.raises(ValueError, match="`dof`"):
        gchi2(BATCH_W, dof=[[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="`nc`"):
        gchi2(BATCH_W, nc=[[1.0], [2.0]])
    with pytest.raises(ValueError, match="`s`"):
        gchi2(BATCH_W, s=[1.0, 2.0])
    with pytest.raises(ValueError, match="`m`"):
        gchi2(BATCH_W, m=[1.0, 2.0, 3.0, 4.0])


def test_batch_attributes_repr_and_rvs():
    batch, _ = batch_and_singles()
    assert batch.weights.shape == batch.dof.shape == batch.nc.shape == (3, 2)
    assert batch.s.tolist() == BATCH_S and batch.m.tolist() == BATCH_M
    with pytest.raises(ValueError):
        batch.m[0] = 5.0
    again = eval(repr(batch), {"gchi2": gchi2})
    assert_allclose(again.sf([1.0, 2.0, 3.0]), batch.sf([1.0, 2.0, 3.0]), rtol=0)
    assert batch.rvs(rng=0).shape == (3,)
    assert batch.rvs(4, rng=0).shape == (4, 3)
    assert batch.rvs((2, 5), rng=0).shape == (2, 5, 3)
    # each column follows its own form: sample mean within 5 standard errors
    n = 20000
    draws = batch.rvs(n, rng=1)
    err = np.abs(draws.mean(axis=0) - batch.mean()) / (batch.std() / math.sqrt(n))
    assert np.all(err < 5.0), err
