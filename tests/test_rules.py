"""Quadratic rules: α from weights, sign patterns, certificates, exact error rates."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from conftest import load_reference
from numpy.testing import assert_allclose, assert_array_equal
from scipy import special

from spheres_theory import ConcentricSpheres, QuadraticRule
from spheres_theory.errors import AccuracyWarning


def _orthogonal(dim, rng):
    q, r = np.linalg.qr(rng.standard_normal((dim, dim)))
    return q * np.sign(np.diag(r))


def _net(W, w, b, x):
    """The quad net itself: w * sum_j (W x)_j**2 + b (vector w: sum_j w_j ...)."""
    h = x @ np.asarray(W).T
    return (np.asarray(w) * h * h).sum(-1) + b


# --- α from weights -----------------------------------------------------------


@pytest.mark.parametrize(("hidden", "dim"), [(7, 5), (5, 5), (3, 6), (1, 4)])
@pytest.mark.parametrize(("w", "b"), [(0.7, -1.3), (-0.4, 2.0), (2.0, 0.5)])
def test_alphas_match_eigenvalues_of_the_matrix(hidden, dim, w, b):
    rng = np.random.default_rng(1)
    W = rng.standard_normal((hidden, dim))
    rule = QuadraticRule.from_quad_net(W, w, b)
    # independent route: eigenvalues of w W^T W / |b| formed explicitly
    ref = np.linalg.eigvalsh(w * (W.T @ W) / abs(b))
    assert_allclose(np.sort(rule.alphas), ref, rtol=0, atol=1e-12 * np.abs(ref).max())
    assert rule.threshold == (1.0 if b < 0 else -1.0)
    assert_allclose(rule.basis.T @ rule.basis, np.eye(dim), atol=1e-13)


def test_alphas_match_mpmath_eigenvalues():
    W = np.array([[1.0, 2.0, 0.0], [0.5, -1.0, 3.0], [2.0, 0.25, -0.5]])
    w, b = 0.3, -1.7
    rule = QuadraticRule.from_quad_net(W, w, b)
    with mpmath.workdps(50):
        Wm = mpmath.matrix(W.tolist())
        A = (Wm.T * Wm) * mpmath.mpf("0.3") / mpmath.mpf("1.7")
        ref = sorted(float(e) for e in mpmath.eigsy(A)[0])
    assert_allclose(np.sort(rule.alphas), ref, rtol=1e-14)


def test_rotation_of_the_input_rotates_the_rule():
    rng = np.random.default_rng(2)
    dim, hidden = 8, 12
    W = rng.standard_normal((hidden, dim))
    Q = _orthogonal(dim, rng)
    rule = QuadraticRule.from_quad_net(W, 0.2, -3.0)
    rotated = QuadraticRule.from_quad_net(W @ Q.T, 0.2, -3.0)  # net'(Q x) = net(x)
    assert_allclose(np.sort(rotated.alphas), np.sort(rule.alphas), rtol=1e-12)
    x = rng.standard_normal((2000, dim)) * 1.5
    assert_array_equal(rotated.predict(x @ Q.T), rule.predict(x))
    assert_allclose(
        rotated.decision_function(x @ Q.T), rule.decision_function(x), atol=1e-12
    )


def test_narrow_hidden_layer_gives_zero_alphas():
    rng = np.random.default_rng(3)
    dim, hidden = 9, 4
    W = rng.standard_normal((hidden, dim))
    rule = QuadraticRule.from_quad_net(W, 1.0, -1.0)
    assert np.count_nonzero(rule.alphas == 0.0) == dim - hidden
    assert np.all(rule.alphas[:hidden] > 0)
    assert_allclose(rule.basis @ rule.basis.T, np.eye(dim), atol=1e-13)
    # the zero directions are the null space of W
    assert_allclose(W @ rule.basis[:, hidden:], 0.0, atol=1e-12)
    assert rule.kind == "elliptic cylinder"


@pytest.mark.parametrize(
    ("w", "b", "kind", "threshold"),
    [
        (0.5, -1.0, "ellipsoid", 1.0),
        (-0.5, 1.0, "complement of an ellipsoid", -1.0),
        (0.0, 1.0, "everything outer", -1.0),
        (0.0, -1.0, "everything inner", 1.0),
        (0.5, 1.0, "everything outer", -1.0),
        (-0.5, -1.0, "everything inner", 1.0),
    ],
)
def test_every_sign_pattern_matches_the_network(w, b, kind, threshold):
    rng = np.random.default_rng(4)
    dim = 6
    W = rng.standard_normal((dim, dim))
    rule = QuadraticRule.from_quad_net(W, w, b)
    assert rule.kind == kind
    assert rule.threshold == threshold
    assert kind in rule.describe()
    x = rng.standard_normal((4000, dim)) * rng.uniform(0.1, 3.0, (4000, 1))
    y = _net(W, w, b, x)
    keep = np.abs(y) > 1e-9
    assert_array_equal(rule.predict(x)[keep], (y[keep] > 0).astype(int))
    assert_allclose(
        rule.decision_function(x), y / abs(b), atol=1e-12 * np.abs(y).max() + 1e-12
    )


def test_vector_readout_matches_the_network():
    rng = np.random.default_rng(5)
    W = rng.standard_normal((10, 6))
    w = rng.uniform(-1, 1, 10)
    rule = QuadraticRule.from_quad_net(W, w, -2.0)
    assert_allclose(
        np.sort(rule.alphas), np.linalg.eigvalsh(W.T @ np.diag(w) @ W / 2.0), atol=1e-12
    )
    x = rng.standard_normal((1000, 6))
    assert_allclose(rule.decision_function(x), _net(W, w, -2.0, x) / 2.0, atol=1e-12)
    assert rule.kind == "hyperboloid"
    # a PyTorch Linear(hidden, 1) stores w with shape (1, hidden)
    same = QuadraticRule.from_quad_net(W, w[None, :], np.array([-2.0]))
    assert_allclose(same.alphas, rule.alphas, rtol=0, atol=1e-15)


def test_single_point_and_batch_shapes():
    rule = QuadraticRule([0.5, 2.0])
    assert rule.predict([1.0, 0.0]) == 0
    assert rule.predict([0.0, 1.0]) == 1
    assert rule.predict(np.zeros((3, 2))).shape == (3,)
    assert float(rule.decision_function([1.0, 1.0])) == pytest.approx(1.5)
    # boundary is inner
    assert QuadraticRule([0.25, 1.0]).predict([2.0, 0.0]) == 0
    assert rule.dim == 2
    assert_array_equal(rule.from_eigen(rule.to_eigen([[1.0, 2.0]])), [[1.0, 2.0]])


def test_alphas_are_read_only_copies():
    a = np.array([0.7, 0.8])
    rule = QuadraticRule(a)
    a[0] = 5.0
    assert rule.alphas[0] == 0.7
    with pytest.raises(ValueError, match="read-only"):
        rule.alphas[0] = 1.0


# --- from_matrix --------------------------------------------------------------


def test_from_matrix():
    rng = np.random.default_rng(6)
    B = rng.standard_normal((5, 5))
    A = B + B.T
    rule = QuadraticRule.from_matrix(A)
    assert_allclose(np.sort(rule.alphas), np.linalg.eigvalsh(A), atol=1e-12)
    x = rng.standard_normal((500, 5))
    assert_allclose(
        rule.decision_function(x), np.einsum("ni,ij,nj->n", x, A, x) - 1, atol=1e-11
    )
    A2 = A.copy()
    A2[0, 1] += 1e-6
    with pytest.raises(ValueError, match="symmetric"):
        QuadraticRule.from_matrix(A2)
    QuadraticRule.from_matrix(A2, atol=1e-5)  # accepted within a stated tolerance


# --- bad inputs ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((np.full((3, 3), np.nan), 1.0, -1.0), "`W` must be finite"),
        ((np.ones(3), 1.0, -1.0), "`W` must be a 2-d array"),
        ((np.ones((0, 3)), 1.0, -1.0), "`W` must not be empty"),
        ((np.ones((3, 3)), 1.0, 0.0), "`b` must be nonzero"),
        ((np.ones((3, 3)), np.nan, -1.0), "`w` must be a finite number"),
        ((np.ones((3, 3)), 1.0, [1.0, 2.0]), "`b` must be a single number"),
        ((np.ones((3, 3)), np.ones(2), -1.0), "`w` must be a number or have shape"),
        ((np.ones((3, 3)), [], -1.0), "`w` must be a single number"),
        ((np.ones((3, 3)), 1.0, "x"), "`b` must be a real number"),
        ((np.ones((3, 3)), 1.0, np.inf), "`b` must be a finite number"),
    ],
)
def test_from_quad_net_rejects_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        QuadraticRule.from_quad_net(*args)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"alphas": [np.nan, 1.0]}, "`alphas` must be finite"),
        ({"alphas": []}, "`alphas` must not be empty"),
        ({"alphas": [[1.0]]}, "`alphas` must be a 1-d array"),
        ({"alphas": [1.0, 0.5], "basis": np.ones((2, 2))}, "orthonormal"),
        ({"alphas": [1.0, 0.5], "basis": np.eye(3)}, "shape"),
        ({"alphas": [1.0, 0.5], "threshold": 0.5}, "`threshold` must be 1.0 or -1.0"),
        ({"alphas": [1.0, 0.5], "threshold": True}, "`threshold`"),
    ],
)
def test_rule_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        QuadraticRule(**kwargs)


def test_from_matrix_rejects_bad_input():
    with pytest.raises(ValueError, match="square"):
        QuadraticRule.from_matrix(np.ones((2, 3)))
    with pytest.raises(ValueError, match="finite"):
        QuadraticRule.from_matrix(np.full((2, 2), np.inf))
    with pytest.raises(ValueError, match="`atol` must be >= 0"):
        QuadraticRule.from_matrix(np.eye(2), atol=-1.0)


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (lambda: QuadraticRule([0.8, 0.9 + 0.1j]), "`alphas` must be real"),
        (lambda: QuadraticRule([0.8, 0.9], np.eye(2) + 0j), "`basis` must be real"),
        (lambda: QuadraticRule.from_matrix(np.eye(2) + 0j), "`A` must be real"),
        (lambda: QuadraticRule.from_quad_net(np.eye(3) * 1j, 1.0, -1.0), "`W`"),
        (lambda: QuadraticRule.from_quad_net(np.eye(3), 1.0 + 0j, -1.0), "`w`"),
        (lambda: QuadraticRule.from_quad_net(np.eye(3), np.ones(3) + 0j, -1.0), "`w`"),
        (lambda: QuadraticRule.from_quad_net(np.eye(3), 1.0, -1.0 + 0j), "`b`"),
    ],
)
def test_complex_input_is_refused_not_cast(build, match):
    # a cast to float64 would drop the imaginary part (with a ComplexWarning,
    # an error under this suite's filterwarnings): a ValueError must come first
    with pytest.raises(ValueError, match=match):
        build()


@pytest.mark.parametrize(
    "build",
    [
        lambda: QuadraticRule([0.8]),
        lambda: QuadraticRule.from_matrix([[0.8]]),
        lambda: QuadraticRule.from_quad_net(np.ones((3, 1)), 0.5, -1.0),
    ],
)
def test_dim_1_is_refused(build):
    # the spheres need dim >= 2 (ConcentricSpheres, uniform_sphere): so do rules
    with pytest.raises(ValueError, match=r"`alphas` must have dim >= 2 entries"):
        build()


def test_huge_entries_do_not_overflow():
    # 0.5 * (A + A.T) overflowed for entries near 1e308 (with a RuntimeWarning,
    # an error here); the eigenvalues themselves are representable
    rule = QuadraticRule.from_matrix(np.eye(3) * 1e308)
    assert_array_equal(rule.alphas, np.full(3, 1e308))
    with pytest.raises(ValueError, match="`A` must be symmetric"):
        QuadraticRule.from_matrix(np.array([[1.0, 1e308], [-1e308, 1.0]]))
    # alpha = w s^2 / |b| beyond float64 is refused, without a warning
    for w in (1.0, np.ones(3)):
        with pytest.raises(ValueError, match="overflow float64"):
            QuadraticRule.from_quad_net(np.eye(3) * 1e200, w, -1.0)
    with pytest.raises(ValueError, match="overflow float64"):
        QuadraticRule.from_quad_net(np.eye(3), 1.0, -1e-320)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_points_must_be_finite(bad):
    rule = QuadraticRule([0.8, 0.5], _orthogonal(2, np.random.default_rng(0)))
    one = np.array([bad, 0.0])
    batch = np.array([[0.1, 0.2], [0.0, bad]])
    for method in (rule.predict, rule.decision_function, rule.to_eigen):
        for x in (one, batch):
            with pytest.raises(ValueError, match=r"`x` must be finite; found 1 "):
                method(x)
    with pytest.raises(ValueError, match=r"`x` must be real"):
        rule.predict(np.array([1.0 + 1j, 0.0]))
    # finite points are still labelled: a NaN used to come back as label 0
    assert rule.predict(np.zeros(2)) == 0


def test_methods_reject_bad_arguments():
    rule = QuadraticRule([0.7, 0.8, 0.9])
    with pytest.raises(ValueError, match=r"spheres\.dim"):
        rule.is_perfect(ConcentricSpheres(4))
    with pytest.raises(ValueError, match="ConcentricSpheres"):
        rule.bad_alphas(3)
    with pytest.raises(ValueError, match="`sphere`"):
        rule.error_rate(ConcentricSpheres(3), sphere="both")
    with pytest.raises(ValueError, match="`x` must have shape"):
        rule.predict(np.ones((2, 4)))


# --- perfection ---------------------------------------------------------------


def test_band_and_bad_alphas():
    sp = ConcentricSpheres(6, outer_radius=1.3)
    lo = 1 / 1.69
    rule = QuadraticRule([1.2, 0.8, 0.0, 1.05, 0.5, lo + 1e-12])
    report = rule.bad_alphas(sp)
    assert report.lower == pytest.approx(lo, rel=1e-15)
    assert report.upper == 1.0
    assert report.above_indices.tolist() == [0, 3]
    assert_allclose(report.above_margin, [0.2, 0.05], rtol=1e-12)
    assert report.below_indices.tolist() == [2, 4]
    assert_allclose(report.below_margin, [lo, lo - 0.5], rtol=1e-12)
    assert report.n_near_zero == 1
    assert report.n_bad == 4
    assert not report.perfect
    assert not rule.is_perfect(sp)
    inner_dirs = rule.adversarial_directions(sp, sphere="inner")
    assert_array_equal(inner_dirs, np.eye(6)[:, [0, 3]])


def test_adversarial_directions_are_errors():
    rng = np.random.default_rng(7)
    dim = 10
    Q = _orthogonal(dim, rng)
    alphas = np.full(dim, 0.8)
    alphas[[2, 5]] = [1.1, 0.3]
    rule = QuadraticRule(alphas, Q)
    sp = ConcentricSpheres(dim)
    v_in = rule.adversarial_directions(sp, sphere="inner")
    v_out = rule.adversarial_directions(sp, sphere="outer")
    assert v_in.shape == (dim, 1)
    assert v_out.shape == (dim, 1)
    assert rule.predict(v_in.T).tolist() == [1]  # inner point labelled outer
    assert rule.predict(1.3 * v_out.T).tolist() == [0]  # outer point labelled inner
    assert (
        rule.adversarial_directions(ConcentricSpheres(dim, outer_radius=1.01)).shape[1]
        == 1
    )


def test_boundary_alphas_are_perfect():
    # α exactly at both ends of the band [1/R², 1] (as floats)
    sp = ConcentricSpheres(4, outer_radius=1.3)
    lo, hi = sp.alpha_range
    rule = QuadraticRule([lo, hi, lo, 0.7])
    assert rule.is_perfect(sp)
    assert not QuadraticRule([np.nextafter(lo, 0), hi, 0.7, 0.7]).is_perfect(sp)
    assert not QuadraticRule([lo, np.nextafter(hi, 2), 0.7, 0.7]).is_perfect(sp)
    cert = rule.certify(sp)
    assert cert.perfect
    assert cert.inner_error.value == 0.0
    assert cert.outer_error.value == 0.0
    assert cert.lower_margin == 0.0
    assert cert.upper_margin == 0.0
    # all α = 1: the inner sphere is the boundary, labelled inner: still perfect
    assert QuadraticRule([hi] * 4).certify(sp).perfect
    # all α = 1/R²: the outer sphere is the boundary, labelled inner: all wrong
    on_edge = QuadraticRule([lo] * 4)
    assert on_edge.bad_alphas(sp).n_bad == 0
    assert on_edge.bad_alphas(sp).outer_on_boundary
    assert not on_edge.is_perfect(sp)
    assert on_edge.error_rate(sp, sphere="outer").value == 1.0
    assert on_edge.predict(1.3 * np.eye(4)[:1] @ np.eye(4)).tolist() == [0]


@pytest.mark.parametrize("threshold", [1.0, -1.0])
def test_constant_and_complement_rules_are_never_perfect(threshold):
    sp = ConcentricSpheres(3)
    for alphas in ([0.0, 0.0, 0.0], [-0.5, -0.7, -2.0], [0.8, 0.9, 0.7]):
        rule = QuadraticRule(alphas, threshold=threshold)
        if threshold == 1.0 and alphas[0] > 0:
            assert rule.is_perfect(sp)
        else:
            assert not rule.is_perfect(sp)


# --- exact error rates ------------------------------------------------------------


def _reference_cases():
    ref = load_reference("rule_error_rates.json")
    for case in ref["cases"]:
        alphas = np.concatenate(
            [np.full(g["multiplicity"], float(g["value"])) for g in case["alphas"]]
        )
        yield pytest.param(
            case, alphas, id=f"d{case['d']}-{case['sphere']}-{alphas[0]}"
        )


@pytest.mark.parametrize(("case", "alphas"), list(_reference_cases()))
def test_error_rate_matches_reference(case, alphas):
    dim = case["d"]
    sp = ConcentricSpheres(dim, outer_radius=1.3)
    # shuffled: the error rate depends on the multiset of α only
    rule = QuadraticRule(np.random.default_rng(8).permutation(alphas))
    p = rule.error_rate(sp, sphere=case["sphere"])
    if case["value"] == "0":
        assert p.value == 0.0
        assert p.log10_value == -np.inf
        return
    ref_log10 = float(mpmath.mpf(case["log10_value"]))
    assert np.isfinite(p.log10_value)
    # relative error 1e-10 of the probability <=> |Δlog10| <= 1e-10 / ln 10
    assert abs(p.log10_value - ref_log10) <= 1e-10 / math.log(10)
    if ref_log10 > -300:
        assert_allclose(p.value, float(mpmath.mpf(case["value"])), rtol=1e-10)
    clt = rule.error_rate(sp, sphere=case["sphere"], method="clt")
    assert_allclose(clt.log10_value, float(mpmath.mpf(case["clt_log10"])), rtol=1e-9)


@pytest.mark.parametrize(
    ("k", "a", "b", "dim"),
    [(10, 1.5, 0.9, 500), (1, 1.2, 0.95, 500), (3, 1.1, 0.6, 40)],
)
def test_error_rate_two_level_closed_form(k, a, b, dim):
    # SPEC §4: inner error = P(Beta(k/2, (d-k)/2) > (1-b)/(a-b))
    sp = ConcentricSpheres(dim)
    rule = QuadraticRule([a] * k + [b] * (dim - k))
    ref = special.betaincc(k / 2, (dim - k) / 2, (1 - b) / (a - b))
    assert_allclose(rule.error_rate(sp).value, ref, rtol=1e-10)


def test_error_rate_paired_closed_form():
    # SPEC §4: paired weights, one positive value μ+ -> Π 1/(1 + |μ_k|/μ+)
    dim = 500
    rng = np.random.default_rng(9)
    lo = 1 / 1.3**2
    levels = rng.uniform(lo, 0.999, 249)
    alphas = np.concatenate([np.repeat(levels, 2), [1.02, 1.02]])
    rule = QuadraticRule(alphas)
    p = rule.error_rate(ConcentricSpheres(dim))
    with mpmath.workdps(50):
        mu_plus = mpmath.mpf(1.02) - 1
        ref = mpmath.fsum(
            -mpmath.log10(1 + (1 - mpmath.mpf(float(v))) / mu_plus) for v in levels
        )
    assert abs(p.log10_value - float(ref)) <= 1e-10


def test_error_rate_matches_sampling():
    rng = np.random.default_rng(10)
    dim, n = 20, 200_000
    alphas = rng.uniform(0.1, 1.4, dim)  # inner error 0.145, outer 0.0114
    rule = QuadraticRule(alphas, _orthogonal(dim, rng))
    sp = ConcentricSpheres(dim)
    for sphere, label in (("inner", 0), ("outer", 1)):
        p = rule.error_rate(sp, sphere=sphere).value
        x, _ = sp.sample(n, sphere=sphere, rng=rng)
        p_hat = np.mean(rule.predict(x) != label)
        # 5 binomial standard deviations: a false alarm has probability < 1e-6
        assert 1e-2 < p < 0.5
        assert abs(p_hat - p) <= 5 * math.sqrt(p * (1 - p) / n)


def test_error_rate_constant_rules():
    sp = ConcentricSpheres(5)
    everything_outer = QuadraticRule(np.zeros(5), threshold=-1.0)
    assert everything_outer.error_rate(sp, sphere="inner").value == 1.0
    assert everything_outer.error_rate(sp, sphere="outer").value == 0.0
    everything_inner = QuadraticRule(np.zeros(5))
    assert everything_inner.error_rate(sp, sphere="inner").value == 0.0
    assert everything_inner.error_rate(sp, sphere="outer").value == 1.0


def test_error_rate_of_complement_rule():
    # outer iff sum(|α| z²) < 1 with α = -0.5: inner points (radius 1) are all
    # outer-labelled (0.5 < 1), outer points (R = 1.3) too (0.845 < 1)
    sp = ConcentricSpheres(4)
    rule = QuadraticRule(np.full(4, -0.5), threshold=-1.0)
    assert rule.kind == "complement of an ellipsoid"
    assert rule.error_rate(sp, sphere="inner").value == 1.0
    assert rule.error_rate(sp, sphere="outer").value == 0.0


def test_error_rate_rejects_unknown_method():
    rule = QuadraticRule([0.7, 1.1])
    with pytest.raises(ValueError, match="method"):
        rule.error_rate(ConcentricSpheres(2), method="imhof")


# --- certificates ---------------------------------------------------------------


def test_perfect_rule_has_no_sampled_errors_and_is_certified():
    rng = np.random.default_rng(11)
    dim = 200
    sp = ConcentricSpheres(dim)
    lo, hi = sp.alpha_range
    alphas = rng.uniform(lo, hi, dim)
    alphas[:2] = lo + 1e-9, hi - 1e-9  # close to both ends of the band
    rule = QuadraticRule(alphas, _orthogonal(dim, rng))
    for sphere, label in (("inner", 0), ("outer", 1)):
        for _ in range(10):  # 10^5 points per sphere in chunks
            x, _ = sp.sample(10_000, sphere=sphere, rng=rng)
            assert np.all(rule.predict(x) == label)
    cert = rule.certify(sp)
    assert cert.perfect
    assert bool(cert)
    assert cert.inner_error.value == 0.0
    assert cert.inner_error.log10_value == -np.inf
    assert cert.outer_error.value == 0.0
    assert cert.outer_error.log10_value == -np.inf
    assert cert.upper_margin == pytest.approx(1e-9, rel=1e-6)
    assert cert.lower_margin == pytest.approx(1e-9, rel=1e-6)
    assert "PERFECT" in cert.summary()


@pytest.mark.parametrize(
    ("index", "value", "sphere"), [(0, 1.0005, "inner"), (1, 0.59, "outer")]
)
def test_one_alpha_outside_breaks_the_certificate(index, value, sphere):
    rng = np.random.default_rng(12)
    dim = 50
    sp = ConcentricSpheres(dim)
    lo, hi = sp.alpha_range
    alphas = rng.uniform(lo, hi, dim)
    alphas[index] = value
    cert = QuadraticRule(alphas).certify(sp)
    assert not cert.perfect
    err = cert.inner_error if sphere == "inner" else cert.outer_error
    other = cert.outer_error if sphere == "inner" else cert.inner_error
    assert np.isfinite(err.log10_value)
    assert other.log10_value == -np.inf
    assert "NOT PERFECT" in cert.summary()
    if sphere == "inner":
        assert cert.upper_margin == pytest.approx(1 - value)
    else:
        assert cert.lower_margin == pytest.approx(value - lo)


def test_error_rate_passes_options_to_the_route():
    rng = np.random.default_rng(13)
    dim = 20
    rule = QuadraticRule(rng.uniform(0.1, 1.4, dim))
    sp = ConcentricSpheres(dim)
    exact = rule.error_rate(sp).value
    mc = rule.error_rate(sp, method="montecarlo", n_samples=100_000, rng=1)
    assert mc.method == "montecarlo"
    assert mc.n_samples == 100_000
    # a 95 % interval: fixed seed, checked once to contain the exact value
    assert mc.ci_low <= exact <= mc.ci_high
    oracle = rule.error_rate(sp, method="mpmath", dps=30)
    assert_allclose(oracle.value, exact, rtol=1e-10)


@pytest.mark.parametrize(
    ("alphas", "threshold", "kind"),
    [
        ([0.6, 0.7], 1.0, "ellipsoid"),
        ([0.5, 0.0], 1.0, "elliptic cylinder"),
        ([0.5, -0.7], 1.0, "hyperboloid"),
        ([-0.5, 0.0], 1.0, "everything inner"),
        ([-0.5, -0.7], -1.0, "complement of an ellipsoid"),
        ([-0.5, 0.0], -1.0, "complement of an elliptic cylinder"),
        ([-0.5, 0.7], -1.0, "hyperboloid"),
        ([0.5, 0.0], -1.0, "everything outer"),
    ],
)
def test_kinds(alphas, threshold, kind):
    rule = QuadraticRule(alphas, threshold=threshold)
    assert rule.kind == kind
    assert rule.describe().startswith(kind + ":")
    cert = rule.certify(ConcentricSpheres(2))
    assert cert.kind == kind
    assert cert.perfect == (kind == "ellipsoid")
    x = np.random.default_rng(14).standard_normal((200, 2)) * 3
    y = rule.predict(x)
    if kind == "everything inner":
        assert np.all(y == 0)
    if kind == "everything outer":
        assert np.all(y == 1)
    if kind.startswith("complement"):
        assert rule.predict([0.0, 0.0]) == 1  # the centre is outer


# --- issue 14 item 8: alphas within the eigensolver's error bound of an edge --


def _mp_eigenvalues(A):
    # independent: 50-digit symmetric eigensolver on the exact float entries
    with mpmath.workdps(50):
        ev = mpmath.eigsy(mpmath.matrix(A.tolist()), eigvals_only=True)
        return np.array(sorted((float(v) for v in ev), reverse=True))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_alpha_error_bounds_the_true_eigenvalues(seed):
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((12, 12))
    A = 0.05 * (M + M.T)
    rule = QuadraticRule.from_matrix(A)
    exact = _mp_eigenvalues(A)
    assert rule.alpha_error > 0
    assert np.max(np.abs(rule.alphas - exact)) <= rule.alpha_error


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_identity_by_rounding_is_never_exact(seed):
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((6, 6)))
    rule = QuadraticRule.from_matrix(q @ q.T)  # every alpha = 1 up to rounding
    sp = ConcentricSpheres(6)
    with pytest.warns(AccuracyWarning, match="depends on rounding"):
        p = rule.error_rate(sp)
    assert not p.accurate
    assert np.isnan(p.value)
    with pytest.warns(AccuracyWarning, match="band edge"):
        cert = rule.certify(sp)
    assert cert.rounding_sensitive
    low, high = cert.inner_error_bounds
    assert low.value == 0.0 and high.value == 1.0  # the truth is anywhere in [0, 1]
    assert "ROUNDING" in cert.summary()


def test_narrow_bounds_keep_the_value_flagged():
    # one alpha at the edge (rotated, so it carries rounding) and one far
    # above: the rate moves by O(alpha_error) only, so the value is kept
    rng = np.random.default_rng(5)
    q, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    A = q @ np.diag([1.5, 1.0, 0.7]) @ q.T
    rule = QuadraticRule.from_matrix(A)
    sp = ConcentricSpheres(3)
    with pytest.warns(AccuracyWarning):
        p = rule.error_rate(sp)
    assert not p.accurate and np.isfinite(p.value)
    # alpha = (1.5, 1, 0.7): P(0.5 g1^2 > 0.3 g3^2) = (2/pi) atan(sqrt(5/3))
    assert_allclose(p.value, 2 / np.pi * np.arctan(np.sqrt(0.5 / 0.3)), rtol=1e-9)


def test_exact_alphas_are_not_flagged():
    sp = ConcentricSpheres(3)
    for rule in (
        QuadraticRule([1.0, 0.8, 0.6]),
        QuadraticRule.from_matrix(np.diag([1.0, 0.8, 0.6])),
    ):
        assert rule.alpha_error == 0.0
        cert = rule.certify(sp)
        assert cert.perfect and not cert.rounding_sensitive
        assert cert.inner_error_bounds is None


def test_float32_weights_carry_their_precision():
    W = np.eye(3, dtype=np.float32)
    r32 = QuadraticRule.from_quad_net(W, 1.0, -1.0)
    r64 = QuadraticRule.from_quad_net(W.astype(np.float64), 1.0, -1.0)
    assert r32.alpha_error >= 4 * np.finfo(np.float32).eps
    assert r64.alpha_error < 1e-13
    with pytest.warns(AccuracyWarning):
        assert r32.certify(ConcentricSpheres(3)).rounding_sensitive


# --- issue 14: clear errors naming the parameter -----------------------------


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (lambda: QuadraticRule([1, 2], threshold=np.array([1.0])), "`threshold`"),
        (lambda: QuadraticRule([1, 2], threshold=1 + 0j), "`threshold`"),
        (lambda: QuadraticRule([1, 2], threshold="1"), "`threshold`"),
        (lambda: QuadraticRule.from_quad_net(np.eye(2), None, -1), "`w` .*NoneType"),
        (lambda: QuadraticRule.from_quad_net(np.eye(2), 1.0, None), "`b` .*NoneType"),
        (lambda: QuadraticRule.from_matrix(np.full((2, 2), 1e308)), "`A` has eigen"),
        (lambda: QuadraticRule([True, False]), "`alphas` .*not booleans"),
        (lambda: QuadraticRule(np.array([1, 0], dtype=bool)), "`alphas`"),
        (lambda: QuadraticRule(["1", "2"]), "`alphas`"),
        (lambda: QuadraticRule([1.0, 0.5], alpha_error=-1.0), "`alpha_error`"),
        (lambda: QuadraticRule.from_quad_net(np.eye(3), np.ones((3, 1)), -1), "`w`"),
        (lambda: QuadraticRule.from_quad_net(np.eye(3), 1.0, "-1"), "`b`"),
    ],
)
def test_clear_errors(build, match):
    with pytest.raises(ValueError, match=match):
        build()


def test_options_are_explicit_and_checked():
    rule = QuadraticRule([1.2, 0.7])
    sp = ConcentricSpheres(2)
    with pytest.raises(ValueError, match="`dps`"):
        rule.error_rate(sp, dps=30)
    with pytest.raises(ValueError, match="`n_samples`"):
        rule.error_rate(sp, n_samples=10)
    with pytest.raises(TypeError):
        rule.error_rate(sp, tol=1e-3)  # no pass-through
    mc = rule.certify(sp, method="montecarlo", n_samples=1000, rng=0)
    assert mc.inner_error.n_samples == 1000


# --- tensors from PyTorch (and anything with __array__, as JAX arrays) ------


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16", "float64"])
def test_torch_tensors_are_accepted(dtype):
    import torch  # in the test extra: never skipped

    gen = torch.Generator().manual_seed(0)
    layer = torch.nn.Linear(4, 6, bias=False)
    with torch.no_grad():
        layer.weight.copy_(torch.randn(6, 4, generator=gen))
    W = layer.weight.to(getattr(torch, dtype))  # requires grad
    assert W.requires_grad
    w = torch.tensor([[0.25] * 6], dtype=W.dtype)
    rule = QuadraticRule.from_quad_net(W, w, torch.tensor(-3.0))
    # the same numbers as float64 numpy (bfloat16 -> float32 is exact)
    W64 = W.detach().float().double().numpy()
    ref = QuadraticRule.from_quad_net(W64, 0.25, -3.0)
    assert_allclose(np.sort(rule.alphas), np.sort(ref.alphas), rtol=1e-12, atol=1e-15)
    if dtype != "float64":
        assert rule.alpha_error > ref.alpha_error


def test_array_protocol_objects_are_accepted():
    class FakeJax:  # what a jax.Array offers numpy
        def __init__(self, a):
            self._a = np.asarray(a, dtype=np.float32)

        def __array__(self, dtype=None, copy=None):
            return self._a if dtype is None else self._a.astype(dtype)

    rule = QuadraticRule.from_matrix(FakeJax(np.diag([0.9, 0.7])))
    assert rule.alphas.tolist() == pytest.approx([0.9, 0.7])
