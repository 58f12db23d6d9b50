"""Exact nearest errors: reference values, cross-checks, properties."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from conftest import load_reference
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from spheres_theory import (
    NearestCertificate,
    NearestError,
    QuadraticRule,
    nearest_error,
)
from spheres_theory.errors import SolverError

OFF = load_reference("nearest_offmanifold.json")
ON = load_reference("nearest_onmanifold.json")


def _case_arrays(case):
    alphas = np.array([float(a) for a in case["alphas"]])
    x0 = np.array([float(v) for v in case["x0"]])
    ref = np.array([float(v) for v in case["nearest_point"]])
    return alphas, x0, ref


def _random_rotation(rng, dim):
    q, r = np.linalg.qr(rng.standard_normal((dim, dim)))
    return q * np.sign(np.diag(r))


def _flip_free(point, free):
    p = np.array(point, dtype=float, copy=True)
    p[..., free] = np.abs(p[..., free])
    return p


# ---------------------------------------------------------------------------
# Reference values (60-digit mpmath, two independent routes)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "on_manifold"),
    [(c, False) for c in OFF["cases"]] + [(c, True) for c in ON["cases"]],
    ids=[c["label"] for c in OFF["cases"]] + [c["label"] for c in ON["cases"]],
)
def test_reference_cases(case, on_manifold):
    alphas, x0, ref = _case_arrays(case)
    rule = QuadraticRule(alphas)
    side = 0 if case["side"] == "inner" else 1
    # The reference side is the rule's own prediction at x0.
    assert int(rule.predict(x0)) == side
    res = nearest_error(rule, x0, on_manifold=on_manifold, labels=side)
    assert res.labels == side
    free = case["sign_free_components"]
    assert_allclose(res.distance, float(case["value"]), rtol=1e-9, atol=1e-12)
    assert_allclose(_flip_free(res.point, free), _flip_free(ref, free), atol=1e-9)
    assert res.certificate.hard_case == case["hard_case"]
    assert res.certificate.status == ("hard_case" if case["hard_case"] else "solved")
    mult = float(case["tau"] if on_manifold else case["nu"])
    assert_allclose(res.certificate.multiplier, mult, rtol=1e-9, atol=1e-12)
    assert res.certificate.min_curvature >= -1e-15
    if on_manifold:
        assert_allclose(
            res.geodesic_distance, float(case["geodesic_distance"]), rtol=1e-9
        )
        assert res.certificate.sphere_residual <= 1e-14
    else:
        assert np.isnan(res.geodesic_distance)


@pytest.mark.parametrize("on_manifold", [False, True])
def test_reference_cases_rotated_batch(on_manifold):
    """Rotating rule and points together keeps the distances (as one batch).

    The rotated hard cases become *nearly* hard (top components ~1e-17).
    """
    rng = np.random.default_rng(11)
    cases = (ON if on_manifold else OFF)["cases"]
    for case in cases:
        alphas, x0, ref = _case_arrays(case)
        q = _random_rotation(rng, alphas.size)
        rule = QuadraticRule(alphas, q)
        x = np.stack([q @ x0, q @ x0])
        side = 0 if case["side"] == "inner" else 1
        res = nearest_error(rule, x, on_manifold=on_manifold, labels=[side, side])
        assert_allclose(res.distance, float(case["value"]), rtol=1e-9)
        z = rule.to_eigen(res.point)
        free = case["sign_free_components"]
        assert_allclose(
            _flip_free(z, free), np.stack([_flip_free(ref, free)] * 2), atol=1e-9
        )


def test_batch_equals_single():
    rng = np.random.default_rng(3)
    rule = QuadraticRule(rng.uniform(-1, 2, 7), _random_rotation(rng, 7))
    x = rng.standard_normal((20, 7))
    for on in (False, True):
        batch = nearest_error(rule, x, on_manifold=on)
        assert isinstance(batch, NearestError)
        assert batch.point.shape == (20, 7)
        assert batch.distance.shape == (20,)
        assert isinstance(batch.certificate, NearestCertificate)
        for i in (0, 7, 19):
            one = nearest_error(rule, x[i], on_manifold=on)
            assert isinstance(one.distance, float)
            assert_allclose(one.distance, batch.distance[i], rtol=1e-14)
            assert_allclose(one.point, batch.point[i], rtol=1e-13, atol=1e-15)


# ---------------------------------------------------------------------------
# Nearly hard cases against a 50-digit mpmath solve
# ---------------------------------------------------------------------------


def _mp_nearest(alphas, x0, on_manifold, *, threshold=1.0, sign=1):
    """Nearest error by bisection in mpmath at 50 digits.

    Class 0 (``sign=1``): the error region is sum(a x**2) >= b with a = alpha,
    b = threshold; class 1 (``sign=-1``): a = -alpha, b = -threshold.  The
    unknown is delta = 1/a_max - nu, bisected in log scale, and
    1 - nu a_i = (a_max - a_i)/a_max + delta a_i is formed without
    cancellation, so nearly hard cases keep all 50 digits.
    """
    with mpmath.workdps(50):
        a = [sign * mpmath.mpf(float(v)) for v in alphas]
        z = [mpmath.mpf(float(v)) for v in x0]
        b = sign * mpmath.mpf(float(threshold))
        r2 = sum(v * v for v in z)
        if on_manifold:
            a = [v - b / r2 for v in a]
            b = mpmath.mpf(0)
        amax = max(a)

        def w(delta):
            return [(amax - ai) / amax + delta * ai for ai in a]

        def g(delta):
            return (
                sum(
                    ai * (zi / wi) ** 2
                    for ai, zi, wi in zip(a, z, w(delta), strict=True)
                )
                - b
            )

        lo, hi = mpmath.log(mpmath.mpf(10) ** -320), mpmath.log(1 / amax)
        for _ in range(300):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if g(mpmath.exp(mid)) > 0 else (lo, mid)
        y = [zi / wi for zi, wi in zip(z, w(mpmath.exp((lo + hi) / 2)), strict=True)]
        if on_manifold:
            ny = mpmath.sqrt(sum(v * v for v in y))
            y = [mpmath.sqrt(r2) * v / ny for v in y]
        dist = mpmath.sqrt(sum((yi - zi) ** 2 for yi, zi in zip(y, z, strict=True)))
        return float(dist), np.array([float(v) for v in y])


@pytest.mark.parametrize("on_manifold", [False, True])
@pytest.mark.parametrize("tiny", [1e-6, 1e-12, 1e-40, 1e-150])
def test_nearly_hard_case(tiny, on_manifold):
    alphas = np.array([0.3, 0.7, 0.95, 1.05, 1.6])
    x0 = np.array([0.5, 0.5, 0.5, 0.5, tiny])
    x0 /= np.linalg.norm(x0)
    dist, point = _mp_nearest(alphas, x0, on_manifold)
    res = nearest_error(QuadraticRule(alphas), x0, on_manifold=on_manifold)
    assert res.certificate.status == "solved"
    assert_allclose(res.distance, dist, rtol=1e-12)
    assert_allclose(res.point, point, rtol=1e-10, atol=1e-14)
    # The top component itself keeps its relative accuracy.
    assert_allclose(res.point[4], point[4], rtol=1e-10)


def _fast_path_batch(rng, dim, n_poles, on_manifold):
    """Points and labels of both classes, incl. nearly hard and far ones.

    Identity basis, so that components as small as 1e-140 reach the solver
    unchanged (a rotation would round them away).
    """
    # One negative alpha: class 1 then has a pole off the manifold too
    # (without one, its far-point case goes to the careful path).
    alphas = np.concatenate(
        [
            [-0.3],
            rng.uniform(0.3, 0.98, dim - n_poles - 1),
            rng.uniform(1.02, 1.4, n_poles),
        ]
    )
    rng.shuffle(alphas)
    top, bottom = int(np.argmax(alphas)), int(np.argmin(alphas))
    rows, labels = [], []
    for i in range(12):
        z = rng.standard_normal(dim)
        label = i % 2  # class 1: outer points, error region sum(a z**2) <= 1
        if i in (2, 3):  # nearly hard: a tiny component on the extreme axis
            z[top if label == 0 else bottom] = 10.0 ** -rng.uniform(8, 140)
        z /= np.linalg.norm(z)
        z *= 1.0 if label == 0 else 1.3
        if not on_manifold and i in (4, 5):  # far points, exactly rescaled
            z *= 2.0**80 if label else 2.0**-80
        rows.append(z)
        labels.append(label)
    return alphas, np.array(rows), np.array(labels)


@pytest.mark.parametrize("on_manifold", [False, True])
@pytest.mark.parametrize(("seed", "dim", "n_poles"), [(0, 9, 3), (1, 120, 6)])
def test_fast_batch_path_matches_mpmath(monkeypatch, seed, dim, n_poles, on_manifold):
    """The vectorised fast path (float32 first steps when dim is large)
    against the 50-digit bisection, and it must not hand these regular rows
    to the careful per-row path."""
    from spheres_theory import _secular_fast

    def refuse(*args, **kwargs):
        raise AssertionError("a regular row left the fast path")

    rng = np.random.default_rng(seed)
    alphas, x, labels = _fast_path_batch(rng, dim, n_poles, on_manifold)
    rule = QuadraticRule(alphas)
    keep = (rule.predict(x) == labels) & (
        (labels == 0)
        | (np.min(alphas) < 1.0 / np.sum(x * x, axis=1))
        | (not on_manifold)
    )
    x, labels = x[keep], labels[keep]
    monkeypatch.setattr(_secular_fast, "solve_careful", refuse)
    res = nearest_error(rule, x, on_manifold=on_manifold, labels=labels)
    cert = res.certificate
    assert np.all(cert.status == "solved")
    assert np.all(cert.min_curvature >= 0)
    assert np.max(cert.secular_residual) < 1e-13
    assert np.max(cert.constraint_residual) < 1e-13
    assert np.max(cert.kkt_residual) < 1e-13
    if on_manifold:
        assert np.all(cert.sphere_residual <= 1e-15 * np.linalg.norm(x, axis=1))
    # (At dim 120 the first six rows: both classes, nearly hard and far.)
    for i in range(len(x) if dim < 50 else 6):
        sign = 1 if labels[i] == 0 else -1
        dist, point = _mp_nearest(alphas, x[i], on_manifold, sign=sign)
        assert_allclose(res.distance[i], dist, rtol=1e-12)
        scale = np.linalg.norm(point)
        assert_allclose(res.point[i], point, rtol=1e-10, atol=1e-13 * scale)


def test_rows_the_fast_path_cannot_certify_are_solved_carefully(monkeypatch):
    """If the fast iteration leaves rows unconverged (here: all of them,
    after one step), those rows are solved by the careful path: the same
    answers, never the fast path's unfinished ones."""
    from spheres_theory import _secular_fast

    rng = np.random.default_rng(11)
    rule = QuadraticRule(rng.uniform(0.2, 1.5, 90), _random_rotation(rng, 90))
    x = rng.standard_normal((40, 90))
    x /= np.linalg.norm(x, axis=1)[:, None]
    ref = nearest_error(rule, x)
    iterate = _secular_fast._fast_iterate
    monkeypatch.setattr(
        _secular_fast,
        "_fast_iterate",
        lambda blk, st, **kw: iterate(blk, st, maxiter=1),
    )
    res = nearest_error(rule, x)
    assert np.all(res.certificate.status == ref.certificate.status)
    assert_allclose(res.distance, ref.distance, rtol=1e-13)
    assert_allclose(res.point, ref.point, rtol=1e-12, atol=1e-14)
    # The careful path counts its own iterations (more than one).
    assert np.all(res.certificate.iterations > 1)


def test_batch_mixes_fast_and_careful_rows():
    """Rows the fast path does not take (exact zeros, misclassified, no
    error on the sphere) keep their own answers inside a batch."""
    rng = np.random.default_rng(5)
    alphas = np.array([0.4, 0.7, 0.9, 1.2, 1.5])
    rule = QuadraticRule(alphas)
    x = rng.standard_normal((8, 5))
    x /= np.linalg.norm(x, axis=1)[:, None]
    x[1] = [0.6, 0.8, 0.0, 0.0, 0.0]  # zeros: hard case on the sphere
    x[3] = [0.0, 0.0, 0.0, 0.0, 1.0]  # misclassified: distance 0
    x[5] = [0.5, 0.5, 0.5, 0.5, 1e-200]  # below the flush level
    x[6] = x[6] * 0.5  # inner sphere of radius 0.5: no error there
    batch = nearest_error(rule, x, labels=np.zeros(8, dtype=int))
    for i in range(8):
        one = nearest_error(rule, x[i], labels=0)
        assert batch.certificate.status[i] == one.certificate.status
        assert_allclose(batch.distance[i], one.distance, rtol=1e-14)
    status = batch.certificate.status
    assert status[1] == "hard_case"
    assert status[3] == "misclassified"
    assert batch.distance[3] == 0.0
    assert status[6] == "no_error"
    assert batch.distance[6] == np.inf
    for i in (0, 2, 4, 5, 7):
        dist, _ = _mp_nearest(alphas, x[i], True)
        assert_allclose(batch.distance[i], dist, rtol=1e-12)


def test_nearly_equal_top_alphas():
    """A near tie a_1 = a_0 (1 - 1e-13): 1/(1 - nu a) needs care."""
    alphas = np.array([1.5, 1.5 * (1 - 1e-13), 0.5, -0.4])
    x0 = np.array([1e-9, 0.2, 0.5, 0.4])
    dist, point = _mp_nearest(alphas, x0, False)
    res = nearest_error(QuadraticRule(alphas), x0, on_manifold=False)
    assert_allclose(res.distance, dist, rtol=1e-11)
    assert_allclose(res.point, point, rtol=1e-9, atol=1e-15)


def test_small_beta_max_on_manifold():
    """alpha_max barely above 1: tau ~ 1 while 1/beta_max ~ 1e10."""
    alphas = np.array([1.0 + 1e-10, 0.2, 0.5, 0.9])
    x0 = np.array([0.6, 0.5, 0.5, 0.3741657386773941])
    dist, point = _mp_nearest(alphas, x0, True)
    res = nearest_error(QuadraticRule(alphas), x0)
    assert_allclose(res.distance, dist, rtol=1e-11)
    # beta_max = alpha_max - 1/r**2 itself carries ~eps/1e-10 relative error.
    assert_allclose(res.point, point, atol=1e-10)


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------


def _random_problem(rng, dim, *, threshold=1.0):
    alphas = rng.uniform(-1.0, 2.5, dim)
    alphas[rng.integers(dim)] = rng.uniform(1.2, 3.0)  # some error on S_1
    basis = _random_rotation(rng, dim) if rng.random() < 0.5 else None
    rule = QuadraticRule(alphas, basis, threshold=threshold)
    x0 = rng.standard_normal(dim)
    x0 *= rng.uniform(0.8, 1.3) / np.linalg.norm(x0)
    return rule, x0


def _boundary_samples(rule, x0, point, on_manifold, rng, n=4000):
    """Points on the boundary (and sphere), both near `point` and global."""
    z0 = rule.to_eigen(x0)
    p = rule.to_eigen(point)
    a = rule.alphas
    c = rule.threshold
    r2 = z0 @ z0
    if on_manifold:
        a = a - c / r2
        c = 0.0
    out = []
    # Near the minimiser: perturb, then move along the normal to hit q = c.
    normal = a * p
    normal /= np.linalg.norm(normal)
    for scale in (1e-1, 1e-2, 1e-3):
        pert = p + scale * rng.standard_normal((n, p.size)) / np.sqrt(p.size)
        qa = np.sum(a * normal**2)
        qb = 2 * pert @ (a * normal)
        qc = pert**2 @ a - c
        disc = qb**2 - 4 * qa * qc
        ok = disc >= 0
        s = (-qb[ok] + np.sign(qb[ok]) * np.sqrt(disc[ok])) / (2 * qa)
        s = np.where(
            np.abs(s) < 1, s, (-qb[ok] - np.sign(qb[ok]) * np.sqrt(disc[ok])) / (2 * qa)
        )
        out.append(pert[ok] + s[:, None] * normal)
    # Global: rays from the origin (off) or the cone sum(beta x^2) = 0 (on).
    g = rng.standard_normal((n, p.size))
    if on_manifold:
        pos = np.where(a > 0, a * g * g, 0).sum(1)
        neg = np.where(a < 0, -a * g * g, 0).sum(1)
        ok = (pos > 0) & (neg > 0)
        k = np.sqrt(neg[ok] / pos[ok])
        out.append(np.where(a > 0, g[ok] * k[:, None], g[ok]))
    else:
        q = g**2 @ a
        ok = q * c > 0
        out.append(g[ok] * np.sqrt(c / q[ok])[:, None])
    pts = np.concatenate(out)
    if on_manifold:
        pts *= np.sqrt(r2) / np.linalg.norm(pts, axis=1, keepdims=True)
    return pts, z0


@settings(max_examples=25)
@given(
    seed=st.integers(0, 2**32 - 1),
    dim=st.integers(2, 12),
    on_manifold=st.booleans(),
)
def test_no_sampled_boundary_point_is_closer(seed, dim, on_manifold):
    rng = np.random.default_rng(seed)
    rule, x0 = _random_problem(rng, dim)
    res = nearest_error(rule, x0, on_manifold=on_manifold, labels=rule.predict(x0))
    assert res.certificate.status in ("solved", "hard_case", "no_error")
    if res.certificate.status == "no_error":
        return
    cert = res.certificate
    assert cert.constraint_residual <= 1e-12
    assert cert.kkt_residual <= 1e-12
    assert cert.min_curvature >= -1e-14
    if on_manifold:
        assert abs(np.linalg.norm(res.point) - np.linalg.norm(x0)) <= 1e-14
    pts, z0 = _boundary_samples(rule, x0, res.point, on_manifold, rng)
    dists = np.linalg.norm(pts - z0, axis=1)
    assert dists.min() >= res.distance * (1 - 1e-10)


@settings(max_examples=25)
@given(
    seed=st.integers(0, 2**32 - 1),
    dim=st.integers(2, 30),
    threshold=st.sampled_from([1.0, -1.0]),
)
def test_rotation_invariance(seed, dim, threshold):
    rng = np.random.default_rng(seed)
    alphas = rng.uniform(-2, 2, dim)
    x0 = rng.standard_normal((5, dim)) / np.sqrt(dim)
    q = _random_rotation(rng, dim)
    for on in (False, True):
        plain = nearest_error(
            QuadraticRule(alphas, threshold=threshold), x0, on_manifold=on
        )
        rot = nearest_error(
            QuadraticRule(alphas, q, threshold=threshold), x0 @ q.T, on_manifold=on
        )
        assert_array_equal(plain.labels, rot.labels)
        assert_allclose(rot.distance, plain.distance, rtol=1e-9)
        hard = plain.certificate.hard_case
        assert_allclose(
            rot.point[~hard] @ q, plain.point[~hard], atol=1e-9, equal_nan=True
        )


@settings(max_examples=25)
@given(seed=st.integers(0, 2**32 - 1), dim=st.integers(2, 40))
def test_zero_iff_misclassified_and_on_ge_off(seed, dim):
    rng = np.random.default_rng(seed)
    alphas = rng.uniform(0.2, 1.6, dim)
    x = rng.standard_normal((30, dim))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    radius = np.where(rng.random(30) < 0.5, 1.0, 1.3)
    x *= radius[:, None]
    label = (radius > 1).astype(int)
    rule = QuadraticRule(alphas)
    mis = rule.predict(x) != label
    on = nearest_error(rule, x, labels=label)
    off = nearest_error(rule, x, labels=label, on_manifold=False)
    assert_array_equal(on.distance == 0, mis)
    assert_array_equal(off.distance == 0, mis)
    assert_array_equal(on.point[mis], x[mis])
    assert np.all(on.distance >= off.distance * (1 - 1e-12))
    assert np.all(on.geodesic_distance >= on.distance * (1 - 1e-12))
    assert np.all(off.distance[~mis] > 0)


def test_no_error_on_sphere():
    rule = QuadraticRule([0.9, 0.8, 0.95])  # perfect on S_1: no inner error
    res = nearest_error(rule, [[0.6, 0.8, 0.0], [0.0, 0.0, 1.0]])
    assert_array_equal(res.distance, [np.inf, np.inf])
    assert np.all(np.isnan(res.point))
    assert list(res.certificate.status) == ["no_error", "no_error"]
    assert "inf" in res.certificate.reason[0]
    # Off the manifold the ellipsoid boundary is always reachable.
    off = nearest_error(rule, [0.6, 0.8, 0.0], on_manifold=False)
    assert np.isfinite(off.distance)
    # Every point of the sphere of radius 1.1 is outer for alpha = 1 and the
    # rule labels it 1; asked as class 0 it is misclassified (distance 0).
    one = QuadraticRule([1.0, 1.0])
    assert nearest_error(one, [1.1, 0.0], labels=0).distance == 0.0
    assert nearest_error(one, [1.1, 0.0]).distance == np.inf


def test_threshold_minus_one_rule():
    """'outer iff sum(alpha z^2) > -1' with alpha < 0: outer inside an ellipsoid."""
    rule = QuadraticRule([-0.5, -2.0], threshold=-1.0)
    # Inner (class 0) points are outside the ellipse 0.5 x^2 + 2 y^2 = 1.
    # By radius (the default) a point of norm 2 is outer: give the class.
    res = nearest_error(rule, [2.0, 0.0], on_manifold=False, labels=0)
    assert res.labels == 0
    assert_allclose(res.distance, 2.0 - np.sqrt(2.0), rtol=1e-14)
    assert_allclose(res.point, [np.sqrt(2.0), 0.0], rtol=1e-14)
    # Class-1 points inside: the nearest inner point is on the ellipse too.
    inside = nearest_error(rule, [0.0, 0.1], on_manifold=False, labels=1)
    assert inside.labels == 1
    assert_allclose(inside.distance, np.sqrt(0.5) - 0.1, rtol=1e-14)


def test_empty_batch():
    rule = QuadraticRule([1.2, 0.5])
    res = nearest_error(rule, np.zeros((0, 2)))
    assert res.point.shape == (0, 2)
    assert res.distance.shape == (0,)


def test_validation():
    rule = QuadraticRule([1.2, 0.5])
    with pytest.raises(ValueError, match="method"):
        nearest_error(rule, [1.0, 0.0], method="newton")
    with pytest.raises(ValueError, match="x0"):
        nearest_error(rule, [1.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="x0"):
        nearest_error(rule, [np.nan, 0.0])
    with pytest.raises(ValueError, match="label"):
        nearest_error(rule, [1.0, 0.0], labels=2)
    with pytest.raises(ValueError, match="label"):
        nearest_error(rule, [[1.0, 0.0]] * 3, labels=[0, 1])
    with pytest.raises(ValueError, match="rule"):
        nearest_error([1.2, 0.5], [1.0, 0.0])
    with pytest.raises(ValueError, match="on_manifold"):
        nearest_error(rule, [1.0, 0.0], on_manifold="yes")


# ---------------------------------------------------------------------------
# Independent cross-checks: cvxpy (convex y = x^2 form) and the Shor SDP
# ---------------------------------------------------------------------------


@settings(max_examples=12)
@given(
    seed=st.integers(0, 2**32 - 1),
    dim=st.integers(2, 50),
    on_manifold=st.booleans(),
    threshold=st.sampled_from([1.0, 1.0, -1.0]),
)
def test_secular_matches_cvxpy(seed, dim, on_manifold, threshold):
    rng = np.random.default_rng(seed)
    alphas = rng.uniform(-1.5, 2.5, dim)
    x0 = rng.standard_normal((3, dim)) / np.sqrt(dim)
    if on_manifold:
        x0 /= np.linalg.norm(x0, axis=1, keepdims=True)
    rule = QuadraticRule(alphas, threshold=threshold)
    sec = nearest_error(rule, x0, on_manifold=on_manifold)
    cvx = nearest_error(rule, x0, on_manifold=on_manifold, method="cvxpy")
    assert cvx.certificate.solver == "CLARABEL"
    assert_array_equal(cvx.certificate.status, sec.certificate.status)
    ok = np.isfinite(sec.distance) & (sec.distance > 0)
    assert_array_equal(cvx.distance[~ok], sec.distance[~ok])
    # Clarabel is accurate to ~1e-8 on the squared distance (|x0| <= ~1 here):
    # relative 1e-6, and ~1e-8 / distance absolute for tiny distances.
    d_sec, d_cvx = sec.distance[ok], cvx.distance[ok]
    assert np.all(np.abs(d_cvx - d_sec) <= 1e-6 * d_sec + 1e-8 / d_sec)
    # Weak duality certificate: gap >= 0 (to tolerance) and small.
    gap = cvx.certificate.duality_gap[ok]
    assert np.all(np.abs(gap) <= 1e-6 * np.maximum(1.0, sec.distance[ok] ** 2))
    # Multipliers from the solver's duals (less accurate than the distances).
    assert_allclose(
        cvx.certificate.multiplier[ok],
        sec.certificate.multiplier[ok],
        rtol=1e-3,
        atol=1e-4,
    )


@pytest.mark.parametrize("on_manifold", [False, True])
def test_secular_matches_sdp(on_manifold):
    rng = np.random.default_rng(5)
    for dim in (2, 3, 4, 6):
        alphas = rng.uniform(-1.0, 2.0, dim)
        alphas[0] = 1.7
        x0 = rng.standard_normal((2, dim))
        x0 /= np.linalg.norm(x0, axis=1, keepdims=True)
        rule = QuadraticRule(alphas, _random_rotation(rng, dim))
        sec = nearest_error(rule, x0, on_manifold=on_manifold)
        sdp = nearest_error(rule, x0, on_manifold=on_manifold, method="sdp")
        solved = sec.certificate.status == "solved"
        assert_allclose(sdp.distance, sec.distance, rtol=1e-6, atol=1e-8)
        # A tight relaxation: rank-1 moment matrix away from the hard case.
        assert np.all(sdp.certificate.rank[solved] == 1)
        assert np.all(sdp.certificate.eigen_gap[solved] < 1e-6)
        assert_allclose(sdp.point[solved], sec.point[solved], atol=1e-4)


def test_sdp_hard_case_has_rank_two():
    case = next(c for c in ON["cases"] if c["hard_case"] and c["d"] == 3)
    alphas, x0, ref = _case_arrays(case)
    sdp = nearest_error(QuadraticRule(alphas), x0, method="sdp")
    assert_allclose(sdp.distance, float(case["value"]), rtol=1e-6)
    assert sdp.certificate.rank == 2
    free = case["sign_free_components"]
    assert_allclose(_flip_free(sdp.point, free), _flip_free(ref, free), atol=1e-4)


def test_cvxpy_reference_cases():
    for data, on in ((OFF, False), (ON, True)):
        for case in data["cases"]:
            alphas, x0, _ = _case_arrays(case)
            side = 0 if case["side"] == "inner" else 1
            res = nearest_error(
                QuadraticRule(alphas), x0, on_manifold=on, method="cvxpy", labels=side
            )
            assert_allclose(res.distance, float(case["value"]), rtol=1e-7)
            assert res.certificate.constraint_residual <= 1e-7


def test_cvxpy_failure_raises(monkeypatch):
    import cvxpy as cp

    def fake_solve(self, *args, **kwargs):
        self._status = cp.OPTIMAL_INACCURATE
        return 0.0

    monkeypatch.setattr(cp.Problem, "solve", fake_solve)
    monkeypatch.setattr(cp.Problem, "status", property(lambda self: self._status))
    rule = QuadraticRule([1.5, 0.5])
    with pytest.raises(SolverError, match="CLARABEL returned"):
        nearest_error(rule, [0.6, 0.8], method="cvxpy")
