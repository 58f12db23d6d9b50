"""Quadric rules with a linear term: trust-region certificate, nearest errors, rates."""

from __future__ import annotations

import cvxpy as cp
import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import special

from spheres_theory import ConcentricSpheres, QuadraticRule, cap_measure
from spheres_theory.quadrics import QuadricRule


def _orthogonal(dim, rng):
    q, r = np.linalg.qr(rng.standard_normal((dim, dim)))
    return q * np.sign(np.diag(r))


def _sdp_max(A, lin, r):
    """Shor relaxation of max x^T A x + lin^T x on |x| = r (tight: S-lemma)."""
    d = len(lin)
    M = cp.Variable((d + 1, d + 1), symmetric=True)
    X, x = M[:d, :d], M[:d, d]
    cons = [M >> 0, M[d, d] == 1, cp.trace(X) == r * r]
    prob = cp.Problem(cp.Maximize(cp.trace(A @ X) + lin @ x), cons)
    prob.solve(solver=cp.CLARABEL)
    assert prob.status == cp.OPTIMAL
    return prob.value


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_extremes_match_the_sdp(seed):
    rng = np.random.default_rng(seed)
    d = 6
    M = rng.standard_normal((d, d))
    A = 0.5 * (M + M.T)
    lin = rng.standard_normal(d)
    rule = QuadricRule.from_matrix(A, lin, 0.3)
    sp = ConcentricSpheres(d, outer_radius=1.3)
    hi, lo = rule.extremes(sp)
    assert hi.lower <= hi.upper and lo.lower <= lo.upper
    assert hi.upper - hi.lower < 1e-12 * (1 + abs(hi.upper))
    assert_allclose(hi.value, _sdp_max(A, lin, 1.0) + 0.3, rtol=1e-6)
    assert_allclose(lo.value, -_sdp_max(-A, -lin, 1.3) + 0.3, rtol=1e-6)
    # the returned points lie on their spheres and attain the value
    assert_allclose(np.linalg.norm(hi.point), 1.0, rtol=1e-13)
    assert_allclose(rule.decision_function(hi.point), hi.lower, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("tiny", [0.0, 1e-120, 1e-30])
def test_extremes_hard_and_near_hard_case(tiny):
    # lin has (almost) no component on the top eigenvector: the hard case
    alphas = np.array([2.0, 1.0, 0.5])
    lin = np.array([tiny, 0.4, 0.2])
    rule = QuadricRule(alphas, None, lin, 0.0)
    hi, _ = rule.extremes(ConcentricSpheres(3))
    # by hand: lambda = 2, z_i = l_i / (2 (2 - alpha_i)) off the top, rest on top
    z1, z2 = 0.4 / 2.0, 0.2 / 3.0
    exact = 2.0 * (1 - z1**2 - z2**2) + 1.0 * z1**2 + 0.5 * z2**2 + 0.4 * z1 + 0.2 * z2
    assert_allclose(hi.value, exact, rtol=1e-14)
    assert hi.upper - hi.lower < 1e-14


def test_extremes_brute_force_circle():
    rng = np.random.default_rng(3)
    A = np.array([[0.3, 0.8], [0.8, -0.6]])
    lin = rng.standard_normal(2)
    rule = QuadricRule.from_matrix(A, lin, -0.2)
    t = np.linspace(0, 2 * np.pi, 2_000_001)
    for r, ext in zip((1.0, 1.3), rule.extremes(ConcentricSpheres(2)), strict=True):
        x = r * np.stack([np.cos(t), np.sin(t)], 1)
        q = np.einsum("ni,ij,nj->n", x, A, x) + x @ lin - 0.2
        ref = q.max() if ext.kind == "max" else q.min()
        assert_allclose(ext.value, ref, atol=1e-10)


def test_quad_net_with_hidden_bias_matches_its_forward_pass():
    rng = np.random.default_rng(4)
    W = rng.standard_normal((7, 5))
    beta = rng.standard_normal(7)
    w = rng.uniform(0.1, 1.0, 7)
    rule = QuadricRule.from_quad_net(W, w, -2.0, hidden_bias=beta)
    x = rng.standard_normal((50, 5))
    net = ((x @ W.T + beta) ** 2) @ w - 2.0
    assert_allclose(rule.decision_function(x), net, rtol=1e-12, atol=1e-12)
    assert not rule.centred
    plain = QuadricRule.from_quad_net(W, 0.5, -2.0)
    assert plain.centred
    assert_allclose(
        np.sort(plain.to_quadratic_rule().alphas),
        np.sort(QuadraticRule.from_quad_net(W, 0.5, -2.0).alphas),
        rtol=1e-12,
        atol=1e-15,
    )


def test_centred_rules_keep_their_exact_route():
    alphas = [1.5] * 10 + [0.9] * 490
    rule = QuadricRule(alphas)
    p = rule.error_rate(ConcentricSpheres(500))
    assert p.exact and p.method == "exact"
    # SPEC §4 two-level example
    assert_allclose(p.value, 5.224777332061e-15, rtol=1e-10)


@pytest.mark.parametrize(("t", "dim"), [(0.33, 500), (0.5, 500), (0.9, 20)])
def test_importance_sampling_on_caps(t, dim):
    # A = a I, lin = b e_1 on the unit sphere: a + b z_1 + c > 0 iff z_1 > t
    a, b = 0.7, 2.0
    rule = QuadricRule(np.full(dim, a), None, np.eye(dim)[0] * b, -a - b * t)
    p = rule.error_rate(ConcentricSpheres(dim), n_samples=20_000, rng=0)
    exact = cap_measure(t, dim)
    assert not p.exact and p.method == "importance sampling"
    assert p.ci_low <= exact <= p.ci_high
    assert abs(p.value / exact - 1) < 0.1


def test_importance_sampling_on_a_centred_double_cap():
    # SPEC §4: k = 1, a = 1.2, b = 0.95 at d = 500: exact 5.244545699492e-26
    alphas = np.full(500, 0.95)
    alphas[0] = 1.2
    rule = QuadricRule(alphas)
    sp = ConcentricSpheres(500)
    exact = rule.error_rate(sp)
    assert exact.exact
    assert_allclose(exact.value, 5.244545699492e-26, rtol=1e-10)
    est = rule.error_rate(sp, method="estimate", n_samples=20_000, rng=1)
    assert est.ci_low <= exact.value <= est.ci_high
    # the double cap by its closed form (two-level oracle: betaincc)
    tau = (1 - 0.95) / (1.2 - 0.95)
    assert_allclose(special.betaincc(0.5, 499 / 2, tau), exact.value, rtol=1e-10)


def test_plain_monte_carlo_for_large_rates():
    rng = np.random.default_rng(5)
    rule = QuadricRule(rng.uniform(0.5, 1.2, 10), None, 0.1 * rng.standard_normal(10))
    p = rule.error_rate(ConcentricSpheres(10), n_samples=50_000, rng=2)
    assert p.method == "montecarlo"
    g = np.random.default_rng(9).standard_normal((200_000, 10))
    x = g / np.linalg.norm(g, axis=1, keepdims=True)
    ref = np.mean(rule.decision_function(x) > 0)
    se = np.sqrt(ref * (1 - ref) / 200_000)
    assert p.ci_low - 4 * se <= ref <= p.ci_high + 4 * se


def test_certificate_verdicts():
    sp = ConcentricSpheres(3)
    good = QuadricRule.from_matrix(np.diag([0.8, 0.75, 0.7]), [0.02, 0, 0], -1.0)
    cert = good.certify(sp, rng=0)
    assert cert.perfect is True and not cert.centred
    assert cert.inner_error.exact and cert.inner_error.value == 0.0
    bad = QuadricRule.from_matrix(np.diag([0.8, 0.75, 0.7]), [0.5, 0, 0], -1.0)
    cert = bad.certify(sp, n_samples=20_000, rng=0)
    assert cert.perfect is False and cert.inner_errors is True
    # by hand: max on the unit sphere at z = e_1: 0.8 + 0.5 - 1 = 0.3 > 0
    assert_allclose(cert.inner_max.value, 0.3, rtol=1e-14)
    assert not cert.inner_error.exact


def test_nearest_error_circle_closed_form():
    # x^2 + y^2 + x - 1 = 0: circle centred (-1/2, 0), radius sqrt(5)/2
    rule = QuadricRule.from_matrix(np.eye(2), [1.0, 0.0], -1.0)
    for x0 in ([0.0, 0.0], [-0.5, 0.3], [0.1, -0.2]):
        res = rule.nearest_error(x0)
        ref = np.sqrt(5) / 2 - np.hypot(x0[0] + 0.5, x0[1])
        assert res.exact
        assert_allclose(res.distance, ref, rtol=1e-12)
        assert res.lower <= res.distance


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_nearest_error_brute_force(seed):
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((2, 2))
    rule = QuadricRule.from_matrix(0.5 * (M + M.T), rng.standard_normal(2), -1.0)
    x0 = 0.3 * rng.standard_normal(2)
    res = rule.nearest_error(x0)
    # brute force: dense polar grid around x0, smallest distance of a point of
    # the other label
    r = np.linspace(0, 6, 1501)[1:]
    t = np.linspace(0, 2 * np.pi, 2001)
    pts = x0 + np.stack(
        [np.outer(r, np.cos(t)).ravel(), np.outer(r, np.sin(t)).ravel()], 1
    )
    label0 = rule.predict(x0)
    other = rule.predict(pts) != label0
    if res is None:
        assert not other.any()
        return
    dist = np.linalg.norm(pts[other] - x0, axis=1).min()
    assert res.distance <= dist + 1e-12
    assert dist - res.distance < 0.02  # grid resolution
    assert res.exact


def test_nearest_error_hard_case():
    # issue 14 item 1, off the sphere: alphas (0.25, 1), x0 = (0, 1e-120): 1.0
    rule = QuadricRule(np.array([1.0, 0.25]))
    for tiny in (0.0, 1e-120, 1e-300):
        res = rule.nearest_error([tiny, 0.0])
        assert_allclose(res.distance, 1.0, rtol=1e-12)


def test_qda_and_polynomial_models_match_sklearn():
    from sklearn.discriminant_analysis import QuadraticDiscriminantAnalysis
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import PolynomialFeatures

    sp = ConcentricSpheres(4, outer_radius=1.3)
    x, y = sp.sample(400, sphere="both", rng=0)
    qda = QuadraticDiscriminantAnalysis().fit(x, y)
    rule = QuadricRule.from_qda(qda.means_, qda.rotations_, qda.scalings_, qda.priors_)
    z = np.random.default_rng(1).standard_normal((100, 4))
    assert_allclose(rule.decision_function(z), qda.decision_function(z), rtol=1e-9)
    poly = PolynomialFeatures(degree=2)
    clf = LogisticRegression(max_iter=2000).fit(poly.fit_transform(x), y)
    rule = QuadricRule.from_polynomial(poly.powers_, clf.coef_, clf.intercept_)
    ref = clf.decision_function(poly.transform(z))
    assert_allclose(rule.decision_function(z), ref, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (lambda: QuadricRule([1.0, 2.0], linear=[1.0]), "`linear`"),
        (lambda: QuadricRule([1.0, 2.0], offset=np.nan), "`offset`"),
        (lambda: QuadricRule.from_matrix(np.ones((2, 3))), "`A`"),
        (
            lambda: QuadricRule.from_quad_net(np.eye(2), 1.0, -1.0, hidden_bias=[1.0]),
            "`hidden_bias`",
        ),
        (lambda: QuadricRule.from_polynomial([[3, 0]], [1.0], 0.0), "`powers`"),
        (lambda: QuadricRule.from_qda(np.zeros((3, 2)), 0, 0, 0), "`means`"),
    ],
)
def test_bad_input(build, match):
    with pytest.raises(ValueError, match=match):
        build()


def test_on_sphere_nearest_error_centred_matches_the_secular_route():
    from spheres_theory import nearest_error

    rng = np.random.default_rng(11)
    alphas = np.array([1.3, 0.9, 0.8, 0.7, 0.6])
    x0 = rng.standard_normal(5)
    x0 /= np.linalg.norm(x0)
    res = QuadricRule(alphas).nearest_error(x0, on_manifold=True)
    ref = nearest_error(QuadraticRule(alphas), x0).distance
    assert res.method == "sdp" and res.rank_one and res.exact
    assert res.lower <= ref <= res.upper
    assert_allclose(res.distance, ref, rtol=1e-6)
    assert_allclose(np.linalg.norm(res.point), 1.0, rtol=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_on_sphere_nearest_error_brute_force(seed):
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((2, 2))
    rule = QuadricRule.from_matrix(0.5 * (M + M.T), rng.standard_normal(2), -0.5)
    t0 = rng.uniform(0, 2 * np.pi)
    x0 = np.array([np.cos(t0), np.sin(t0)])
    res = rule.nearest_error(x0, on_manifold=True)
    t = np.linspace(0, 2 * np.pi, 400_001)
    pts = np.stack([np.cos(t), np.sin(t)], 1)
    other = rule.predict(pts) != rule.predict(x0)
    if res is None:
        assert not other.any()
        return
    ref = np.linalg.norm(pts[other] - x0, axis=1).min()
    assert res.lower <= ref + 1e-12
    assert res.upper <= ref + 1e-12  # the grid point is feasible: upper is attained
    assert rule.predict(res.point) != rule.predict(x0)
    if res.exact:
        assert_allclose(res.distance, ref, atol=3e-5)


@pytest.mark.parametrize(("dim", "lin"), [(200, 0.05), (500, 0.3), (40, 0.05)])
def test_importance_sampling_linear_term_along_an_eigenvector(dim, lin):
    # alpha = (1.2, 0.8, ..., 0.8), l = lin e_1, c = -1 on the unit sphere:
    # q = 0.4 z_1^2 + lin z_1 - 0.2 (since sum z^2 = 1), positive iff z_1 lies
    # beyond a root of 0.4 t^2 + lin t - 0.2: one or two caps (closed form)
    alphas = np.full(dim, 0.8)
    alphas[0] = 1.2
    rule = QuadricRule(alphas, None, np.eye(dim)[0] * lin, -1.0)
    disc = np.sqrt(lin * lin + 0.32)
    t_hi, t_lo = (-lin + disc) / 0.8, (-lin - disc) / 0.8
    exact = cap_measure(t_hi, dim) + (cap_measure(-t_lo, dim) if t_lo > -1 else 0.0)
    p = rule.error_rate(ConcentricSpheres(dim), n_samples=20_000, rng=3)
    assert not p.exact
    assert p.ci_low <= exact <= p.ci_high, (p, exact)
