"""Fuzz: exact nearest errors in d = 2, 3 against brute force written here.

Every case is either right (distance to 1e-9 relative of the brute-force
value, which is itself exact to O(angle error²)), or a clear ``ValueError``
naming ``x0`` (the documented range), never a silent wrong number.  Variants
beyond plain random points: nearly hard (tiny top-eigenvector component,
1e-170 … 1e-100), on the boundary to a few ulps, far (|x0| up to 1e200) and
tiny α (down to 1e-300).  ``SPHERES_FUZZ=long`` runs many more examples.

Brute force: the decision boundary {Σ α_i x_i² = c} is parametrised
directly: off the manifold by rays from the origin (x = ρ(u) u with
ρ = √(c / Σ α u²)), on the sphere of radius r by its closed-form curve.  A
dense grid plus ``scipy.optimize.minimize_scalar``/Nelder–Mead finds the
nearest boundary point; its distance is then evaluated in mpmath.  Points
within ~1e-6 of the boundary use the first-order distance |f|/‖∇f‖ (on the
sphere: the tangential gradient), exact to O(distance²), in mpmath.  The
problem is scaled exactly (x → x/s, α → α s²) before the float search:
distances scale by s (a mathematical identity, not the code under test).
"""

from __future__ import annotations

import math
import os

import mpmath
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import optimize

from spheres_theory import QuadraticRule, nearest_error

LONG = os.environ.get("SPHERES_FUZZ") == "long"
FUZZ = settings(max_examples=500 if LONG else 30, deadline=None)


# --- brute-force oracle -------------------------------------------------------


def _mp_norm(v):
    return mpmath.sqrt(mpmath.fsum(mpmath.mpf(x) ** 2 for x in v))


def _first_order(alphas, c, x0, on, *, cond=False):
    """|f(x0)| / ‖∇f(x0)‖ (tangential on the sphere), in mpmath.

    With ``cond`` return (Σ|α x²| + |c|) / ‖∇f‖ instead: the distance moved
    by an error of one unit in f, i.e. the condition of the distance of a
    point near the boundary (float64 evaluation of f has error ~eps times
    that numerator).
    """
    with mpmath.workdps(50):
        x = [mpmath.mpf(float(v)) for v in x0]
        a = [mpmath.mpf(float(v)) for v in alphas]
        f = mpmath.fsum(ai * xi * xi for ai, xi in zip(a, x, strict=True)) - c
        g = [2 * ai * xi for ai, xi in zip(a, x, strict=True)]
        if on:
            r2 = mpmath.fsum(xi * xi for xi in x)
            proj = mpmath.fsum(gi * xi for gi, xi in zip(g, x, strict=True)) / r2
            g = [gi - proj * xi for gi, xi in zip(g, x, strict=True)]
        if cond:
            return (
                mpmath.fsum(abs(ai) * xi * xi for ai, xi in zip(a, x, strict=True))
                + abs(c)
            ) / _mp_norm(g)
        return abs(f) / _mp_norm(g)


def _ray_point(alphas, c, u):
    q = float(np.dot(alphas, u * u))
    if q * c <= 0:
        return None
    return u * math.sqrt(c / q)


def _dist_off_2d(alphas, c, x0):
    def point(phi):
        return _ray_point(alphas, c, np.array([math.cos(phi), math.sin(phi)]))

    def obj(phi):
        p = point(phi)
        return np.inf if p is None else float(np.sum((p - x0) ** 2))

    grid = np.linspace(0, 2 * np.pi, 20001)
    if alphas[0] * alphas[1] < 0:
        # Asymptotes of a hyperbola: far boundary points sit at angles within
        # ~1/ρ² of them, which a uniform grid misses.
        root = math.atan(math.sqrt(-alphas[0] / alphas[1]))
        near = np.logspace(-17, -1, 400)
        extra = [
            r + sgn * near
            for r in (root, np.pi - root, np.pi + root, -root)
            for sgn in (-1, 1)
        ]
        grid = np.sort(np.concatenate([grid, *extra]) % (2 * np.pi))
    vals = np.array([obj(p) for p in grid])
    best = []
    for i in np.argsort(vals)[:6]:
        if not np.isfinite(vals[i]):
            continue
        lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
        res = optimize.minimize_scalar(
            obj, bounds=(lo, hi), method="bounded", options={"xatol": 1e-14}
        )
        best.append(min((res.fun, res.x), (vals[i], grid[i])))
    if not best:
        return mpmath.inf
    phi = min(best)[1]
    p = point(phi)
    return _mp_norm(p - x0) if p is not None else mpmath.inf


def _dist_off_3d(alphas, c, x0):
    def point(th, ph):
        u = np.array(
            [math.sin(th) * math.cos(ph), math.sin(th) * math.sin(ph), math.cos(th)]
        )
        return _ray_point(alphas, c, u)

    def obj(v):
        p = point(*v)
        return 1e300 if p is None else float(np.sum((p - x0) ** 2))

    ths = np.linspace(0, np.pi, 181)
    phs = np.linspace(0, 2 * np.pi, 361)
    cands = sorted((obj((a, b)), a, b) for a in ths for b in phs)[:5]
    best = None
    for val, a, b in cands:
        if val >= 1e300:
            continue
        res = optimize.minimize(
            obj,
            [a, b],
            method="Nelder-Mead",
            options={"xatol": 1e-13, "fatol": 1e-300, "maxiter": 4000},
        )
        if best is None or res.fun < best[0]:
            best = (res.fun, res.x)
    if best is None:
        return mpmath.inf
    return _mp_norm(point(*best[1]) - x0)


def _dist_on_2d(alphas, c, x0):
    """Exact: on the circle of radius r the boundary is at
    cos²θ = (c/r² − α2)/(α1 − α2).
    """
    with mpmath.workdps(50):
        x = [mpmath.mpf(float(v)) for v in x0]
        r2 = x[0] ** 2 + x[1] ** 2
        a1, a2 = (mpmath.mpf(float(v)) for v in alphas)
        if a1 == a2:
            return mpmath.inf
        c2 = (c / r2 - a2) / (a1 - a2)
        if not 0 <= c2 <= 1:
            return mpmath.inf
        th = mpmath.acos(mpmath.sqrt(c2))
        th0 = mpmath.atan2(x[1], x[0])
        r = mpmath.sqrt(r2)
        best = mpmath.inf
        for t in (th, -th, mpmath.pi - th, mpmath.pi + th):
            diff = abs(t - th0) % (2 * mpmath.pi)
            diff = min(diff, 2 * mpmath.pi - diff)
            best = min(best, 2 * r * mpmath.sin(diff / 2))
        return best


def _dist_on_3d(alphas, c, x0):
    """Boundary curve on the sphere of radius r, parametrised by azimuth."""
    r2 = float(np.dot(x0, x0))
    beta = alphas - c / r2
    signs = np.sign(beta)
    if np.all(signs >= 0) or np.all(signs <= 0):
        return mpmath.inf
    # The pole is the coordinate whose sign is the minority.
    pole = int(np.flatnonzero(signs == (1 if np.sum(signs > 0) == 1 else -1))[0])
    rest = [i for i in range(3) if i != pole]
    r = math.sqrt(r2)

    def point(ph, branch):
        den = beta[rest[0]] * math.cos(ph) ** 2 + beta[rest[1]] * math.sin(ph) ** 2
        th = math.atan(math.sqrt(-beta[pole] / den))
        if branch:
            th = math.pi - th
        p = np.empty(3)
        p[rest[0]] = r * math.sin(th) * math.cos(ph)
        p[rest[1]] = r * math.sin(th) * math.sin(ph)
        p[pole] = r * math.cos(th)
        return p

    best = None
    grid = np.linspace(0, 2 * np.pi, 20001)
    for branch in (False, True):

        def obj(ph, branch=branch):
            return float(np.sum((point(ph, branch) - x0) ** 2))

        vals = np.array([obj(p) for p in grid])
        for i in np.argsort(vals)[:4]:
            lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
            res = optimize.minimize_scalar(
                obj, bounds=(lo, hi), method="bounded", options={"xatol": 1e-14}
            )
            if best is None or res.fun < best[0]:
                best = (res.fun, res.x, branch)
    return _mp_norm(point(best[1], best[2]) - x0)


def rounding_slack(alphas, c, x0, on):
    """Absolute error float64 may make near the boundary: 16 eps · condition."""
    alphas = np.asarray(alphas, dtype=float)
    x0 = np.asarray(x0, dtype=float)
    s = 2.0 ** math.frexp(max(float(np.max(np.abs(x0))), 1e-300))[1]
    try:
        k = float(_first_order(alphas * s * s, c, x0 / s, on, cond=True))
    except ZeroDivisionError:
        return math.inf
    return 16 * np.finfo(float).eps * k * s


def brute_force(alphas, c, x0, on):
    """Nearest-boundary distance of x0 (rule: outer iff Σ α x² > c)."""
    alphas = np.asarray(alphas, dtype=float)
    x0 = np.asarray(x0, dtype=float)
    # Exact rescaling: x = s y, α = β / s², c unchanged.
    s = 2.0 ** math.frexp(max(float(np.max(np.abs(x0))), 1e-300))[1]
    k = 2.0 ** math.frexp(float(np.max(np.abs(alphas))))[1]
    s = max(s, 2.0 ** math.ceil(-math.log2(k) / 2))
    y, beta = x0 / s, alphas * s * s
    f0 = _first_order(beta, c, y, on)
    with np.errstate(over="ignore"):  # an overflowing candidate is just skipped
        if f0 < 1e-6:
            d = f0
        elif on:
            d = (_dist_on_2d if y.size == 2 else _dist_on_3d)(beta, c, y)
        else:
            d = (_dist_off_2d if y.size == 2 else _dist_off_3d)(beta, c, y)
    return float(d * s) if d != mpmath.inf else math.inf


# --- the fuzz-found examples ---------------------------------------------------


@pytest.mark.parametrize("tiny", [1e-100, 3e-108, 1e-120, 1e-140, 1e-160, 3e-162])
def test_report_near_hard_on_sphere(tiny):
    # Exact √(2/3) for every tiny component (was 0.0 "solved").
    res = nearest_error(QuadraticRule([0.5, 0.9, 1.4]), [1, 0, tiny])
    assert abs(res.distance / math.sqrt(2 / 3) - 1) < 1e-14


@pytest.mark.parametrize("tiny", [1e-100, 1e-120, 1e-160])
def test_report_near_hard_off_sphere(tiny):
    res = nearest_error(QuadraticRule([0.25, 1]), [0, tiny], on_manifold=False)
    assert abs(res.distance - 1.0) < 1e-14


@pytest.mark.parametrize("scale", [1e10, 1e34, 1e100, 1e140])
def test_far_points(scale):
    """Class-1 points far out: the nearest inner point is on the ellipsoid."""
    rule = QuadraticRule([0.5, 0.9, 1.4])
    res = nearest_error(rule, [scale, 0, 0], on_manifold=False)
    # Along the first axis the ellipsoid ends at √2: distance scale − √2.
    assert res.distance == pytest.approx(scale - math.sqrt(2), rel=1e-15)
    assert res.certificate.status == "solved"


@pytest.mark.parametrize("x", [3.0, 1e3, 1e50, 1e140])
def test_far_points_hyperbola(x):
    """x² − y² = 1 seen from (x, 0): the nearest point is (x/2, ±√(x²/4 − 1))."""
    rule = QuadraticRule([1.0, -1.0])
    res = nearest_error(rule, [x, 0.0], on_manifold=False, labels=1)
    ref = x / math.sqrt(2) * math.sqrt(1 - 2 / x**2)  # √(x²/2 − 1)
    assert res.distance == pytest.approx(ref, rel=1e-14)


def test_far_point_beyond_range_is_refused():
    rule = QuadraticRule([0.5, 0.9, 1.4])
    with pytest.raises(ValueError, match="`x0`"):
        nearest_error(rule, [1e200, 0, 0], on_manifold=False)
    with pytest.raises(ValueError, match="`x0`"):
        nearest_error(rule, [1e305, 0, 0])


def test_far_point_on_sphere():
    # On the sphere of radius 1e200 every point has Σ α x² > 1: no error.
    res = nearest_error(QuadraticRule([0.5, 0.9, 1.4]), [1e200, 0, 0])
    assert res.distance == math.inf and res.certificate.status == "no_error"


@pytest.mark.parametrize("a", [1e-300, 1e-200, 1e-100])
def test_tiny_alphas(a):
    rule = QuadraticRule([a, 4 * a])
    # From the origin the nearest boundary point is (0, 1/(2√a)) (hard case).
    res = nearest_error(rule, [0.0, 0.0], on_manifold=False, labels=0)
    assert res.distance == pytest.approx(0.5 / math.sqrt(a), rel=1e-15)
    # From a point on the major axis: against brute force.
    x = 0.25 / math.sqrt(a)
    res = nearest_error(rule, [x, 0.0], on_manifold=False, labels=0)
    ref = brute_force([a, 4 * a], 1.0, [x, 0.0], False)
    assert res.distance == pytest.approx(ref, rel=1e-9)


def test_complex_input_refused():
    rule = QuadraticRule([0.5, 0.9, 1.4])
    with pytest.raises(ValueError, match=r"`x0`.*complex"):
        nearest_error(rule, 1j * np.ones(3), on_manifold=False)
    with pytest.raises(ValueError, match="`x0`"):
        nearest_error(rule, ["1", "0", "0"])
    with pytest.raises(ValueError, match="`x0`"):
        nearest_error(rule, [True, False, True])


def test_boundary_points_never_raise():
    """Points within a few ulps of the boundary: a tiny distance, no SolverError."""
    rng = np.random.default_rng(1)
    for _ in range(300):
        dim = int(rng.integers(2, 5))
        alphas = rng.uniform(-1.0, 2.5, dim)
        rule = QuadraticRule(alphas)
        g = rng.standard_normal(dim)
        q = float(np.dot(alphas, g * g))
        if q <= 0:
            continue
        x = g / math.sqrt(q)
        x = x + rng.integers(-3, 4, dim) * np.spacing(x)
        for on in (False, True):
            res = nearest_error(rule, x, on_manifold=on, labels=rule.predict(x))
            ref = brute_force(alphas, 1.0, x, on)
            slack = rounding_slack(alphas, 1.0, x, on)
            assert abs(res.distance - ref) <= 1e-9 * ref + slack


# --- the property over random problems and their variants ----------------------


@st.composite
def problems(draw):
    dim = draw(st.sampled_from([2, 3]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    alphas = rng.uniform(-1.0, 2.5, dim)
    if draw(st.booleans()):
        alphas = np.abs(alphas) + 0.05  # an ellipsoid
    x0 = rng.standard_normal(dim)
    if draw(st.booleans()):
        x0 /= np.linalg.norm(x0)  # a point of the unit sphere
    variant = draw(st.sampled_from(["plain", "near_hard", "boundary", "far", "tiny"]))
    if variant == "near_hard":
        top = int(np.argmax(alphas))
        x0[top] = draw(st.sampled_from([1e-100, 1e-108, 1e-130, 1e-160, 1e-170]))
    elif variant == "boundary":
        q = float(np.dot(alphas, x0 * x0))
        if q > 0:
            x0 = x0 / math.sqrt(q)
            x0 = x0 + rng.integers(-3, 4, dim) * np.spacing(x0)
    elif variant == "far":
        # The ray search needs a bounded boundary (far points and hyperbolas:
        # test_far_points_hyperbola, a closed form).
        alphas = np.abs(alphas) + 0.05
        x0 = x0 * 10.0 ** draw(st.integers(5, 140))
    elif variant == "tiny":
        e = draw(st.integers(10, 300))
        alphas = alphas * 10.0**-e
        x0 = x0 * 10.0 ** (e / 2)
    on = draw(st.booleans())
    return alphas, x0, on, variant


@FUZZ
@given(problems())
@example((np.array([0.5, 0.9, 1.4]), np.array([1.0, 0.0, 1e-120]), True, "near_hard"))
@example((np.array([0.25, 1.0]), np.array([0.0, 1e-120]), False, "near_hard"))
def test_nearest_matches_brute_force(problem):
    alphas, x0, on, _ = problem
    rule = QuadraticRule(alphas)
    labels = int(rule.predict(x0))
    res = nearest_error(rule, x0, on_manifold=on, labels=labels)
    ref = brute_force(alphas, 1.0, x0, on)
    if math.isinf(ref):
        assert res.distance == math.inf
        return
    # 1e-9 relative; absolute slack for rounding near the boundary (see
    # rounding_slack) and for the zeroed components (< 3e-151 of the row
    # scale, see nearest_error's Notes).
    scale = max(float(np.linalg.norm(x0)), 1 / math.sqrt(float(np.max(np.abs(alphas)))))
    slack = rounding_slack(alphas, 1.0, x0, on) + 1e-140 * scale
    assert abs(res.distance - ref) <= 1e-9 * ref + slack
