"""Lévy's isoperimetric bound: exact d*(mu; d), asymptotics, expansion, curves."""

from __future__ import annotations

import dataclasses
import math

import mpmath
import numpy as np
import pytest
from conftest import load_reference, mp_log_cap
from hypothesis import example, given
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import integrate, special

from spheres_theory import (
    BoundCurve,
    asymptotic_mean_distance,
    bound_curve,
    cap_height,
    cap_measure,
    expansion_lower_bound,
    log_expansion_lower_bound,
    optimal_mean_distance,
    uniform_sphere,
)

OMD = load_reference("optimal_mean_distance.json")["cases"]


# --- an independent mpmath route: s-integral with the algebraic chord ---------


def _mp_height(log_mu, dim, t_guess):
    """Cap height in mpmath: Illinois bracketing on log sigma(C_t) - log mu, the
    bracket widened around a float guess until the sign changes."""

    def f(t):
        return mp_log_cap(t, dim) - log_mu

    t0 = mpmath.mpf(t_guess)
    w = mpmath.mpf("1e-9") * (1 - abs(t0)) + mpmath.mpf("1e-30")
    while True:
        lo, hi = max(t0 - w, mpmath.mpf(-1) + w / 4), min(t0 + w, 1 - w / 4)
        if f(lo) > 0 > f(hi):
            break
        w *= 16
    return mpmath.findroot(f, (lo, hi), solver="illinois")


def _mp_bound(log_mu, dim, metric, dps=50):
    """d*(mu; dim) in mpmath: tanh-sinh in s = x_1 over [-1, t] with the chord
    sqrt((s - t)^2 + (sqrt(1-s^2) - sqrt(1-t^2))^2) (no cancellation)."""
    with mpmath.workdps(dps):
        log_mu = mpmath.mpf(log_mu)
        guess = cap_height(None, dim, log_error_rate=float(log_mu))
        t = _mp_height(log_mu, dim, guess)
        a = mpmath.mpf(dim - 1) / 2
        c_d = mpmath.gamma(mpmath.mpf(dim) / 2) / (
            mpmath.sqrt(mpmath.pi) * mpmath.gamma(a)
        )
        st_ = mpmath.sqrt((1 - t) * (1 + t))

        def f(s):
            ss = mpmath.sqrt((1 - s) * (1 + s))
            if metric == "chordal":
                dist = mpmath.sqrt((s - t) ** 2 + (ss - st_) ** 2)
            else:
                dist = mpmath.acos(s) - mpmath.acos(t)
            return dist * c_d * (1 - s * s) ** (mpmath.mpf(dim - 3) / 2)

        w = 1 / mpmath.sqrt(dim)
        inner = {k * w for k in range(-12, 13) if -1 < k * w < t}
        pts = sorted({mpmath.mpf(-1), t} | inner)
        return mpmath.quad(f, pts)


# --- reference JSON and the SPEC table ----------------------------------------------


@pytest.mark.parametrize(
    "case", OMD, ids=lambda c: f"d{c['d']}-mu{c['mu']}-{c['metric'][:3]}"
)
def test_reference_values(case):
    mu, dim, metric = float(case["mu"]), case["d"], case["metric"]
    assert_allclose(
        optimal_mean_distance(mu, dim, metric=metric), float(case["value"]), rtol=1e-12
    )
    assert_allclose(
        optimal_mean_distance(None, dim, metric=metric, log_error_rate=math.log(mu)),
        float(case["value"]),
        rtol=1e-12,
    )
    assert_allclose(
        asymptotic_mean_distance(mu, dim), float(case["asymptotic"]), rtol=1e-13, atol=0
    )
    assert_allclose(cap_height(mu, dim), float(case["cap_height"]), rtol=1e-12, atol=0)


SPEC_TABLE = [  # SPEC.md §2: d, mu, exact, Phi^-1(1 - mu)/sqrt(d)
    (100, 1e-2, "0.2328", "0.2326"),
    (500, 0.5, "0.0179", "0"),
    (500, 1e-1, "0.0595", "0.0573"),
    (500, 1e-2, "0.1042", "0.1040"),
    (500, 1e-6, "0.2116", "0.2126"),
    (500, 1e-7, "0.2312", "0.2325"),
    (500, 1e-11, "0.2969", "0.2999"),
    (500, 1e-20, "0.4060", "0.4142"),
    (2000, 1e-2, "0.0521", "0.0520"),
]


@pytest.mark.parametrize(("dim", "mu", "exact", "asym"), SPEC_TABLE)
def test_spec_table(dim, mu, exact, asym):
    assert f"{optimal_mean_distance(mu, dim):.4f}" == exact
    got = float(asymptotic_mean_distance(mu, dim))
    assert f"{got:.4f}" == (asym if asym != "0" else "0.0000")


def test_paper_cartoon_values():
    """Fig. 1 cartoon: 0.23 / .104 / .052 at mu = 0.01 (an arc cap at d = 2: 1.25)."""
    got = optimal_mean_distance(0.01, [100, 500, 2000])
    assert [f"{v:.3f}" for v in got] == ["0.233", "0.104", "0.052"]
    assert f"{optimal_mean_distance(0.01, 2):.2f}" == "1.25"


# --- closed forms in d = 2, 3 ------------------------------------------------------

MUS = np.array([1e-300, 1e-20, 1e-3, 0.1, 0.3, 0.5, 0.7, 0.99, 1 - 1e-12])


def test_circle_closed_form():
    """d = 2: theta uniform on [0, pi], theta_t = pi mu:
    geodesic pi (1 - mu)^2 / 2, chordal (8 / pi) sin^2(pi (1 - mu) / 4)."""
    with mpmath.workdps(40):
        geo = [float(mpmath.pi * (1 - mpmath.mpf(m)) ** 2 / 2) for m in MUS]
        cho = [
            float(8 / mpmath.pi * mpmath.sin(mpmath.pi * (1 - mpmath.mpf(m)) / 4) ** 2)
            for m in MUS
        ]
    assert_allclose(optimal_mean_distance(MUS, 2, metric="geodesic"), geo, rtol=1e-13)
    assert_allclose(optimal_mean_distance(MUS, 2), cho, rtol=1e-13)


def test_sphere_closed_form():
    """d = 3: density sin(theta) / 2, cos(theta_t) = 1 - 2 mu:
    geodesic ((pi - theta_t) - sin(theta_t)) / 2; chordal from the integral of
    sin(u/2) sin(theta) in closed form."""
    with mpmath.workdps(40):
        geo, cho = [], []
        for m in MUS:
            m = mpmath.mpf(m)
            th = 2 * mpmath.asin(mpmath.sqrt(m))  # = arccos(1 - 2 m), stable
            geo.append(float(((mpmath.pi - th) - mpmath.sin(th)) / 2))
            # (1/2) int_{th}^{pi} 2 sin((x - th)/2) sin x dx, antiderivative by hand
            g = lambda x, th=th: (  # noqa: E731
                mpmath.sin(x - (x - th) / 2) - mpmath.sin(x + (x - th) / 2) / 3
            )
            cho.append(float(g(mpmath.pi) - g(th)))
    assert_allclose(optimal_mean_distance(MUS, 3, metric="geodesic"), geo, rtol=1e-13)
    assert_allclose(optimal_mean_distance(MUS, 3), cho, rtol=1e-13)


# --- extremes against an independent mpmath route ---------------------------------


@pytest.mark.parametrize(
    ("mu", "dim", "metric"),
    [
        (1e-300, 100_000, "chordal"),
        (0.5, 100_000, "geodesic"),
        (1 - 1e-12, 100_000, "chordal"),
        (1 - 1e-12, 7, "chordal"),
        (1e-300, 50, "geodesic"),
        (0.3, 10, "chordal"),
        (0.4999, 500, "chordal"),
        (1e-150, 2000, "geodesic"),
    ],
)
def test_against_independent_mpmath(mu, dim, metric):
    with mpmath.workdps(50):
        log_mu = mpmath.log(mpmath.mpf(mu))
    ref = _mp_bound(log_mu, dim, metric)
    assert_allclose(
        optimal_mean_distance(mu, dim, metric=metric), float(ref), rtol=1e-12
    )


def test_oracle_and_baseline_routes_agree():
    mu = np.array([1e-300, 1e-6, 0.5, 1 - 1e-12])
    fast = optimal_mean_distance(mu, 500)
    oracle = optimal_mean_distance(mu, 500, method="mpmath", dps=30)
    quad = optimal_mean_distance(mu, 500, method="quad")
    assert_allclose(fast, oracle, rtol=1e-13)
    assert_allclose(quad, oracle, rtol=1e-9)
    assert_allclose(
        optimal_mean_distance(None, 500, log_error_rate=-3000.0),
        optimal_mean_distance(None, 500, log_error_rate=-3000.0, method="mpmath"),
        rtol=1e-13,
    )


def test_far_below_float64():
    """log mu = -3000 at d = 2000 (mu ~ 1e-1303): mean distance to the cap."""
    got = optimal_mean_distance(None, 2000, log_error_rate=-3000.0)
    t = cap_height(None, 2000, log_error_rate=-3000.0)
    assert 0.8 < t < 1
    ref = _mp_bound(-3000, 2000, "chordal")
    assert_allclose(got, float(ref), rtol=1e-12)


def test_radius_scales():
    assert_allclose(
        optimal_mean_distance(1e-4, 300, radius=1.3),
        1.3 * optimal_mean_distance(1e-4, 300),
        rtol=1e-15,
    )
    assert_allclose(
        asymptotic_mean_distance(1e-4, 300, radius=2.0),
        2.0 * asymptotic_mean_distance(1e-4, 300),
        rtol=1e-15,
    )


def test_shapes():
    assert isinstance(optimal_mean_distance(0.1, 10), float)
    out = optimal_mean_distance([[0.1], [0.01]], [10, 100, 1000], metric="geodesic")
    assert out.shape == (2, 3)
    assert_allclose(out[1, 2], optimal_mean_distance(0.01, 1000, metric="geodesic"))
    assert isinstance(asymptotic_mean_distance(0.1, 10), float)


# --- Monte Carlo --------------------------------------------------------------------


@pytest.mark.parametrize("metric", ["chordal", "geodesic"])
def test_monte_carlo_mean_distance_to_the_cap(metric):
    dim, mu, n = 10, 0.2, 200_000
    rng = np.random.default_rng(20180102)
    x = uniform_sphere(n, dim, rng=rng)
    t = cap_height(mu, dim)
    theta = np.arctan2(np.linalg.norm(x[:, 1:], axis=1), x[:, 0])
    theta_t = np.arctan2(math.sqrt(1 - t * t), t)
    u = np.maximum(theta - theta_t, 0.0)
    dist = 2 * np.sin(u / 2) if metric == "chordal" else u
    se = dist.std(ddof=1) / math.sqrt(n)
    assert abs(dist.mean() - optimal_mean_distance(mu, dim, metric=metric)) < 5 * se
    # the fraction of points within eps of the cap is the expansion bound (the
    # cap attains it)
    eps = 0.3
    inside = (dist <= eps).mean()
    p = expansion_lower_bound(mu, eps, dim, metric=metric)
    assert abs(inside - p) < 5 * math.sqrt(p * (1 - p) / n)
    # and the cap's own measure
    frac = (x[:, 0] >= t).mean()
    assert abs(frac - mu) < 5 * math.sqrt(mu * (1 - mu) / n)


# --- expansion ------------------------------------------------------------------------


def test_expansion_edges():
    assert_allclose(expansion_lower_bound(0.01, 0.0, 50), 0.01, rtol=1e-13)
    assert_allclose(expansion_lower_bound(1e-200, 0.0, 50), 1e-200, rtol=1e-12)
    assert expansion_lower_bound(1e-6, 2.0, 50) == 1.0
    assert expansion_lower_bound(1e-6, 5.0, 50) == 1.0
    assert expansion_lower_bound(1e-6, math.pi, 50, metric="geodesic") == 1.0
    assert log_expansion_lower_bound(0.3, 2.5, 50) == 0.0
    # a small eps is monotone and below the complement
    e = np.linspace(0, 2, 41)
    v = expansion_lower_bound(1e-10, e, 200)
    assert np.all(np.diff(v) >= 0)
    # the paper's "even a tiny error set is within O(1/sqrt d) of half the sphere"
    half = expansion_lower_bound(1e-20, optimal_mean_distance(1e-20, 500), 500)
    assert 0.45 < half < 0.55


def test_expansion_against_mpmath():
    """The complement of the expanded cap is a cap of angular radius
    pi - theta_t - eps: check it where it is tiny (log form keeps it)."""
    mu, eps, dim = 1e-20, 0.9, 500
    eps_geo = 2 * math.asin(eps / 2)
    with mpmath.workdps(50):
        a = mpmath.mpf(dim - 1) / 2
        t = _mp_height(mpmath.log(mpmath.mpf(mu)), dim, 0.4)
        psi = mpmath.pi - mpmath.acos(t) - eps_geo  # complement cap radius
        comp = mpmath.betainc(a, 0.5, 0, mpmath.sin(psi) ** 2, regularized=True) / 2
    log_v = log_expansion_lower_bound(mu, eps, dim)
    assert_allclose(-np.expm1(log_v), float(comp), rtol=1e-11)
    assert_allclose(expansion_lower_bound(mu, eps, dim), float(1 - comp), rtol=1e-15)


@given(
    mu=st.floats(1e-300, 1 - 1e-9),
    eps=st.floats(0, 3),
    dim=st.integers(2, 5000),
)
def test_expansion_is_cap_of_larger_radius(mu, eps, dim):
    """Property: for geodesic eps, the bound is sigma(C_cos(theta_t + eps))."""
    t = cap_height(mu, dim)
    theta = math.atan2(math.sqrt(max(0.0, (1 - t) * (1 + t))), t) + eps
    got = expansion_lower_bound(mu, eps, dim, metric="geodesic")
    assert got >= mu * (1 - 1e-12)
    # This float64 reference recovers theta_t from t, which is only accurate
    # while t is not within ~1e-6 of +-1 (1 - t rounds to a few ulps there; e.g.
    # mu=1e-16, dim=3 gives theta_t ~ 2e-8 with a 10 % error); and cos(theta)
    # must not round to 1.
    if theta > 1e-6 and 1 - abs(t) > 1e-6:
        ref = 1.0 if theta >= math.pi else cap_measure(math.cos(theta), dim)
        assert_allclose(got, ref, rtol=1e-9, atol=1e-12)


# --- properties of d* ---------------------------------------------------------------

rates = st.floats(1e-300, 1 - 1e-12)


@given(mu1=rates, mu2=rates, dim=st.integers(2, 100_000))
@example(mu1=0.5, mu2=0.5000001, dim=2)
def test_decreasing_in_error_rate(mu1, mu2, dim):
    lo, hi = min(mu1, mu2), max(mu1, mu2)
    a, b = optimal_mean_distance([lo, hi], dim)
    assert a >= b * (1 - 1e-13)


@given(mu=rates, dim=st.integers(2, 100_000), radius=st.floats(0.01, 100))
@example(mu=1e-300, dim=2, radius=1.0)
def test_below_diameter_and_geodesic_above_chordal(mu, dim, radius):
    cho = optimal_mean_distance(mu, dim, radius=radius)
    geo = optimal_mean_distance(mu, dim, radius=radius, metric="geodesic")
    assert 0 < cho <= 2 * radius
    assert cho <= geo * (1 + 1e-13) and geo <= math.pi * radius
    # chord = 2 sin(angle / 2) >= angle * 2 / pi on [0, pi]
    assert cho >= 2 / math.pi * geo * (1 - 1e-13)


def _double_cap_mean_distance(mu, dim, metric):
    """Mean distance to {|x_1| >= t2} of measure mu: by symmetry twice the
    integral over the upper half, the nearer cap being the one around e_1."""
    t2 = cap_height(mu / 2, dim)
    th2 = math.atan2(math.sqrt((1 - t2) * (1 + t2)), t2)
    log_cd = (
        special.gammaln(dim / 2)
        - special.gammaln((dim - 1) / 2)
        - 0.5 * math.log(math.pi)
    )

    def f(th):
        u = th - th2
        dist = 2 * math.sin(u / 2) if metric == "chordal" else u
        return math.exp(log_cd + (dim - 2) * math.log(math.sin(th))) * dist

    val, _ = integrate.quad(f, th2, math.pi / 2, epsabs=0, epsrel=1e-12, limit=200)
    return 2 * val


@given(
    mu=st.floats(1e-12, 0.95),
    dim=st.integers(2, 2000),
    metric=st.sampled_from(["chordal", "geodesic"]),
)
@example(mu=0.5, dim=500, metric="chordal")
@example(mu=1e-12, dim=3, metric="geodesic")
def test_cap_beats_double_cap(mu, dim, metric):
    """Lévy: no set of measure mu has a larger mean distance than the cap; the
    symmetric double cap {|x_1| >= t2} is one such set."""
    dc = _double_cap_mean_distance(mu, dim, metric)
    assert optimal_mean_distance(mu, dim, metric=metric) >= dc * (1 - 1e-9)


def _mp_isf_normal(mu: float) -> mpmath.mpf:
    """Phi^-1(1 - mu) at 50 digits: the root z of log Phi(-z) = log mu."""
    with mpmath.workdps(50):
        lm = mpmath.log(mpmath.mpf(mu))
        start = mpmath.sqrt(max(-2 * lm - mpmath.log(-4 * mpmath.pi * lm), 0))
        if mu > 0.01:
            start = mpmath.mpf(0)
        return mpmath.findroot(lambda z: mpmath.log(mpmath.ncdf(-z)) - lm, start)


@given(mu=st.floats(1e-300, 0.5), dim=st.integers(2, 100_000))
@example(mu=1e-300, dim=2)
@example(mu=0.5, dim=500)
@example(mu=0.3, dim=100_000)
def test_asymptotic_matches_mpmath_inverse_normal(mu, dim):
    # Independent reference: the inverse normal tail solved in mpmath.
    with mpmath.workdps(50):
        ref = float(_mp_isf_normal(mu) / mpmath.sqrt(dim))
    got = asymptotic_mean_distance(mu, dim)
    assert math.isclose(got, ref, rel_tol=1e-13, abs_tol=1e-17)
    lg = asymptotic_mean_distance(log_error_rate=math.log(mu), dim=dim)
    assert math.isclose(lg, ref, rel_tol=1e-12, abs_tol=1e-16)


def test_asymptotic_beyond_float64():
    # Phi-bar(z) = exp(-3000): solve in mpmath
    with mpmath.workdps(40):
        z = mpmath.findroot(
            lambda z: mpmath.log(mpmath.erfc(z / mpmath.sqrt(2)) / 2) + 3000, 77
        )
    got = asymptotic_mean_distance(None, 400, log_error_rate=-3000.0)
    assert_allclose(got, float(z) / 20, rtol=1e-13)
    assert asymptotic_mean_distance(0.5, 500) == 0.0
    assert asymptotic_mean_distance(0.9, 500) < 0


# --- bound curves ---------------------------------------------------------------------


def test_bound_curve_default_grid_and_values():
    c = bound_curve(500)
    assert isinstance(c, BoundCurve)
    assert c.dim == 500 and c.metric == "chordal" and c.radius == 1.0
    assert c.error_rates.shape == (200,)
    assert_allclose(c.error_rates[[0, -1]], [1e-20, 0.5], rtol=1e-14)
    assert np.all(np.diff(c.error_rates) > 0)
    assert np.all(np.diff(np.log(c.error_rates)) > 0)
    assert_allclose(c.exact, optimal_mean_distance(c.error_rates, 500), rtol=1e-15)
    assert_allclose(c.asymptotic, asymptotic_mean_distance(c.error_rates, 500))
    assert_allclose(c.cap_heights, cap_height(c.error_rates, 500), rtol=1e-15)
    assert_allclose(c.log_error_rates, np.log(c.error_rates))
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.dim = 3
    with pytest.raises(ValueError, match="read-only"):
        c.exact[0] = 1.0


def test_bound_curve_options():
    c = bound_curve(100, [1e-3, 0.4], metric="geodesic", radius=2.0)
    assert_allclose(
        c.exact, optimal_mean_distance([1e-3, 0.4], 100, metric="geodesic", radius=2.0)
    )
    logs = np.array([-5000.0, -100.0, -1.0])
    c = bound_curve(1000, log_error_rates=logs)
    assert_allclose(
        c.exact, optimal_mean_distance(None, 1000, log_error_rate=logs), rtol=1e-15
    )
    assert c.error_rates[0] == 0.0 and np.all(np.isfinite(c.asymptotic))
    user = np.array([0.1, 0.2])
    bound_curve(10, user)
    user[0] = 0.3  # the caller's array stays writable and is not aliased


# --- validation --------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: optimal_mean_distance(float("nan"), 10), "`error_rate`"),
        (lambda: optimal_mean_distance(1.0, 10), "`error_rate`"),
        (lambda: optimal_mean_distance(0.0, 10), "`error_rate`"),
        (lambda: optimal_mean_distance(2.0, 10), "`error_rate`"),
        (lambda: optimal_mean_distance(0.1, 1), "`dim`"),
        (lambda: optimal_mean_distance(0.1, float("inf")), "`dim`"),
        (lambda: optimal_mean_distance(0.1, 10, radius=0.0), "`radius`"),
        (lambda: optimal_mean_distance(0.1, 10, radius=-1.0), "`radius`"),
        (lambda: optimal_mean_distance(0.1, 10, radius=float("nan")), "`radius`"),
        (lambda: optimal_mean_distance(0.1, 10, metric="taxicab"), "`metric`"),
        (lambda: optimal_mean_distance(0.1, 10, method="simpson"), "`method`"),
        (lambda: optimal_mean_distance(None, 10), "exactly one"),
        (
            lambda: optimal_mean_distance(None, 10, log_error_rate=1.0),
            "`log_error_rate`",
        ),
        (lambda: asymptotic_mean_distance(float("nan"), 10), "`error_rate`"),
        (lambda: asymptotic_mean_distance(0.1, 1.5), "`dim`"),
        (lambda: asymptotic_mean_distance(0.1, 10, radius=0), "`radius`"),
        (lambda: expansion_lower_bound(0.1, -0.1, 10), "`eps`"),
        (lambda: expansion_lower_bound(0.1, float("nan"), 10), "`eps`"),
        (lambda: expansion_lower_bound(1.5, 0.1, 10), "`error_rate`"),
        (lambda: expansion_lower_bound(0.1, 0.1, 1), "`dim`"),
        (lambda: expansion_lower_bound(0.1, 0.1, 10, metric="x"), "`metric`"),
        (lambda: log_expansion_lower_bound(0.1, 0.1, 10, radius=0), "`radius`"),
        (lambda: bound_curve(1), "`dim`"),
        (lambda: bound_curve(10, [0.1, float("nan")]), "`error_rates`"),
        (lambda: bound_curve(10, [0.1], log_error_rates=[-1.0]), "exactly one"),
        (lambda: bound_curve(10, metric="l1"), "`metric`"),
        (lambda: bound_curve(10, radius=-2.0), "`radius`"),
    ],
)
def test_validation(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_validation_lists_methods_and_value():
    with pytest.raises(ValueError, match=r"'mpmath'.*got 'simpson'"):
        optimal_mean_distance(0.1, 10, method="simpson")
    with pytest.raises(ValueError, match=r"got 2\.0"):
        optimal_mean_distance(2.0, 10)


@pytest.mark.parametrize("mu", [1e-300, 1e-16, 1e-3, 0.3, 0.9])
@pytest.mark.parametrize("eps", [0.0, 1e-9, 0.5, 1.0, 2.5])
def test_expansion_dim3_archimedes(mu, eps):
    """d = 3 (Archimedes): sigma(C) = sin^2(theta/2), theta_t = 2 asin(sqrt(mu)).

    The geodesic expansion of the cap is the cap of angle theta_t + eps, so the
    bound is sin^2(min(theta_t + eps, pi) / 2), evaluated here in mpmath.
    """
    with mpmath.workdps(40):
        theta = 2 * mpmath.asin(mpmath.sqrt(mpmath.mpf(mu))) + mpmath.mpf(eps)
        ref = float(mpmath.sin(min(theta, mpmath.pi) / 2) ** 2)
    got = expansion_lower_bound(mu, eps, 3, metric="geodesic")
    assert_allclose(got, ref, rtol=1e-12)


# --- keyword-only log rates, dps validation, supported dim range (audit) ----


def test_log_error_rate_without_error_rate_everywhere():
    kw = {"log_error_rate": -2000.0, "dim": 500}
    d = optimal_mean_distance(**kw)
    assert d == optimal_mean_distance(None, 500, log_error_rate=-2000.0)
    assert asymptotic_mean_distance(**kw) == asymptotic_mean_distance(
        None, 500, log_error_rate=-2000.0
    )
    e = expansion_lower_bound(eps=0.5, **kw)
    assert e == expansion_lower_bound(None, 0.5, 500, log_error_rate=-2000.0)
    le = log_expansion_lower_bound(eps=0.5, **kw)
    assert le == log_expansion_lower_bound(None, 0.5, 500, log_error_rate=-2000.0)
    for f in (optimal_mean_distance, asymptotic_mean_distance):
        with pytest.raises(ValueError, match="exactly one"):
            f(dim=500)
        with pytest.raises(ValueError, match="exactly one"):
            f(0.1, 500, log_error_rate=-1.0)
        with pytest.raises(ValueError, match="`dim`"):
            f(0.1)


def test_dps_without_mpmath_is_a_value_error():
    with pytest.raises(ValueError, match=r"`dps`.*dps=30"):
        optimal_mean_distance(0.1, 500, dps=30)
    with pytest.raises(ValueError, match="`dps`"):
        optimal_mean_distance(0.1, 500, method="quad", dps=30)
    assert optimal_mean_distance(0.1, 50, method="mpmath", dps=20) > 0


def test_dim_beyond_supported_range_raises():
    # At dim = 1e20 the float64 route used to return 0.0 (true ~1.33e-10).
    for dim in (10**20, 1e17, [500, 10**17]):
        with pytest.raises(ValueError, match=r"`dim`.*\[2, 1e16\]"):
            optimal_mean_distance(0.1, dim)
        with pytest.raises(ValueError, match="`dim`"):
            expansion_lower_bound(0.1, 1e-9, dim)
        with pytest.raises(ValueError, match="`dim`"):
            log_expansion_lower_bound(0.1, 1e-9, dim)
    with pytest.raises(ValueError, match="`dim`"):
        bound_curve(10**20)


def test_largest_supported_dim_matches_gaussian_limit():
    # For dim -> inf, sqrt(dim) x_1 -> g ~ N(0, 1) and sqrt(dim) t -> z =
    # Phi^-1(1 - mu), so sqrt(dim) d*(mu) -> E[(z - g)^+] = z Phi(z) + phi(z).
    mu = 0.1
    with mpmath.workdps(30):
        z = _mp_isf_normal(mu)
        lim = float(z * mpmath.ncdf(z) + mpmath.npdf(z))
    for dim in (10**14, 10**16):
        got = optimal_mean_distance(mu, dim) * math.sqrt(dim)
        assert math.isclose(got, lim, rel_tol=1e-5)
