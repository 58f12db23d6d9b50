"""Tests of the generalized chi-square tails (spheres_theory.quadforms).

Every reference comes from an independent route: the 40-digit reference files
(closed forms in mpmath, two routes each), closed forms re-derived here in
scipy/mpmath (Beta tails, the paired-weight product, the incomplete gamma
function), Monte Carlo with its interval, and exact identities.
"""

from __future__ import annotations

import math
import warnings

import mpmath
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from scipy import special

import spheres_theory as sth
from spheres_theory import quadform_cdf, quadform_sf
from spheres_theory.errors import AccuracyWarning
from tests.conftest import load_reference

LN10 = math.log(10.0)
REL = 1e-10  # promised relative accuracy of the default route
LOG10_TOL = REL / LN10  # the same, as an absolute error of log10

CLOSED = load_reference("quadform_closed_forms.json")
RULES = load_reference("rule_error_rates.json")


def rel_err_log10(got: float, ref: float) -> float:
    """|P_got / P_ref − 1| computed from the two log10 values."""
    return abs(math.expm1((got - ref) * LN10))


def groups(gs: list[dict]) -> tuple[list[float], list[int]]:
    return [float(g["value"]) for g in gs], [int(g["multiplicity"]) for g in gs]


# ---------------------------------------------------------------------------
# Reference files
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "case", CLOSED["cases"], ids=lambda c: f"{c['kind']}-{c['log10_value'][:7]}"
)
def test_closed_forms_file(case):
    w, m = groups(case["weights"])
    ref = float(case["log10_value"])
    p = quadform_sf(w, dof=m)
    assert p.method == "exact"
    assert p.accurate
    assert rel_err_log10(p.log10_value, ref) <= REL
    if ref > -300:
        assert_allclose(p.value, float(case["value"]), rtol=REL)
    # The CLT route reproduces the file's CLT number ...
    clt = quadform_sf(w, dof=m, method="clt")
    assert clt.method == "clt"
    assert rel_err_log10(clt.log10_value, float(case["clt_log10"])) <= 1e-9
    # ... and is off by as many orders of magnitude as the file says.
    off = float(case["clt_log10"]) - ref
    assert_allclose(clt.log10_value - p.log10_value, off, atol=1e-8)


def test_clt_is_off_by_orders_of_magnitude():
    offs = [
        abs(float(c["clt_log10"]) - float(c["log10_value"])) for c in CLOSED["cases"]
    ]
    # SPEC §4: wrong by 5 to 200+ orders of magnitude at d = 500.
    assert max(offs) > 200
    assert sum(o > 5 for o in offs) >= 8


@pytest.mark.parametrize(
    "case", RULES["cases"], ids=lambda c: f"{c['d']}-{c['sphere']}-{c['value'][:6]}"
)
def test_rule_error_rates_file(case):
    alphas, m = groups(case["alphas"])
    thr = mpmath.mpf(case["threshold"])
    # Weights of the event, from the exact decimal strings.
    w = [float(mpmath.mpf(g["value"]) - thr) for g in case["alphas"]]
    del alphas
    if case["sphere"] == "inner":  # P(Σ (α − 1) g² > 0)
        p = quadform_sf(w, dof=m)
        clt = quadform_sf(w, dof=m, method="clt")
    else:  # P(Σ (R²α − 1) g² < 0) = P(Σ (α − 1/R²) g² <= 0)
        p = quadform_cdf(w, dof=m)
        clt = quadform_cdf(w, dof=m, method="clt")
        # the same event as an upper tail of the negated weights
        q = quadform_sf([-v for v in w], dof=m)
        assert q.log10_value == p.log10_value or (
            rel_err_log10(q.log10_value, p.log10_value) <= REL
        )
    if case["value"] == "0":
        assert p.value == 0.0
        assert p.log10_value == -math.inf
        assert p.tail == "none"
    else:
        assert rel_err_log10(p.log10_value, float(case["log10_value"])) <= REL
        assert_allclose(p.value, float(case["value"]), rtol=REL)
    assert rel_err_log10(clt.log10_value, float(case["clt_log10"])) <= 1e-9


# ---------------------------------------------------------------------------
# SPEC §4 examples, re-derived by closed forms
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("k", "a", "b", "printed", "clt_printed"),
    [
        (10, 1.5, 0.9, 5.224777332061e-15, 1.36e-30),
        (1, 1.2, 0.95, 5.244545699492e-26, 5.7e-54),
    ],
)
def test_spec_two_level(k, a, b, printed, clt_printed):
    d = 500
    # k coordinates with α = a, d − k with α = b: P(Beta(k/2, (d−k)/2) > τ).
    tau = (1 - b) / (a - b)
    ref = special.betaincc(k / 2, (d - k) / 2, tau)
    p = quadform_sf([a - 1, b - 1], dof=[k, d - k])
    assert_allclose(p.value, ref, rtol=1e-11)
    assert_allclose(p.value, printed, rtol=1e-12)
    clt = quadform_sf([a - 1, b - 1], dof=[k, d - k], method="clt")
    assert_allclose(clt.value, clt_printed, rtol=0.01)


def test_spec_paired_example():
    # SPEC §4 / research grid 5.14(b): α_j = 1/R² + (1 − 1/R²)(j − ½)/249,
    # j = 1..249, each twice, plus α = 1.02 twice; weights α − 1.
    # Product formula P = Π_neg 1/(1 + |μ_k|/μ₊) at 50 digits:
    with mpmath.workdps(50):
        r2 = 1 / mpmath.mpf("1.69")
        alphas = [r2 + (1 - r2) * (j - mpmath.mpf(1) / 2) / 249 for j in range(1, 250)]
        mu_plus = mpmath.mpf("1.02") - 1
        ref = -mpmath.fsum(mpmath.log10(1 + (1 - al) / mu_plus) for al in alphas)
        weights = [float(al - 1) for al in alphas] + [float(mu_plus)]
    p = quadform_sf(weights, dof=2)
    assert rel_err_log10(p.log10_value, float(ref)) <= REL
    assert_allclose(p.value, 3.64798483e-240, rtol=1e-8)


# ---------------------------------------------------------------------------
# Closed forms over generated parameters (any depth)
# ---------------------------------------------------------------------------


def log10_beta_tail(k: int, d: int, a: float, b: float) -> float:
    """log10 P(Beta(k/2, (d−k)/2) > τ) in mpmath (no underflow)."""
    with mpmath.workdps(30):
        tau = (1 - mpmath.mpf(b)) / (mpmath.mpf(a) - mpmath.mpf(b))
        # lower-tail form I_{1−τ}((d−k)/2, k/2): no cancellation at any depth
        half_k, half_rest = mpmath.mpf(k) / 2, mpmath.mpf(d - k) / 2
        p = mpmath.betainc(half_rest, half_k, 0, 1 - tau, regularized=True)
        return float(mpmath.log10(p))


@settings(max_examples=25)
@given(
    d=st.integers(3, 2000),
    kfrac=st.floats(0.0, 1.0),
    a=st.floats(1.001, 5.0),
    b=st.floats(0.0, 0.999),
)
@example(d=500, kfrac=0.02, a=1.5, b=0.9)  # SPEC example
@example(d=2000, kfrac=0.5, a=1.01, b=0.0)  # far below 1e-300
@example(d=1500, kfrac=0.1, a=1.05, b=0.2)  # ~1e-700
@example(d=3, kfrac=0.0, a=2.0, b=0.5)  # k = 1: a double cap
@example(d=1108, kfrac=0.3125, a=4.0, b=0.75)  # P = 1 − 4e-59 (the big tail)
def test_two_level_beta_tail(d, kfrac, a, b):
    k = 1 + round(kfrac * (d - 2))
    ref = log10_beta_tail(k, d, a, b)
    p = quadform_sf([a - 1, b - 1], dof=[k, d - k])
    assert p.accurate
    assert rel_err_log10(p.log10_value, ref) <= REL
    if ref < -325:  # below the smallest subnormal float64
        assert p.value == 0.0
        assert math.isfinite(p.log10_value)
    # The same event as a lower tail of the negated form.
    c = quadform_cdf([1 - a, 1 - b], dof=[k, d - k])
    assert rel_err_log10(c.log10_value, ref) <= REL


@settings(max_examples=15)
@given(
    neg=st.lists(st.floats(0.01, 10.0), min_size=1, max_size=300, unique=True),
    mu_plus=st.floats(0.001, 10.0),
)
@example(neg=[0.4 - 0.001 * j for j in range(300)], mu_plus=0.002)  # ~1e-330
def test_paired_weights_product(neg, mu_plus):
    # Each distinct weight twice, one positive μ₊: P = Π 1/(1 + |μ_k|/μ₊).
    with mpmath.workdps(40):
        ref = -mpmath.fsum(
            mpmath.log10(1 + mpmath.mpf(v) / mpmath.mpf(mu_plus)) for v in neg
        )
    p = quadform_sf([mu_plus, *(-v for v in neg)], dof=2)
    assert rel_err_log10(p.log10_value, float(ref)) <= REL


@settings(max_examples=15)
@given(
    neg=st.lists(st.floats(0.01, 0.5), min_size=1, max_size=500, unique=True),
    mu_plus=st.floats(1e-3, 10.0),
)
@example(neg=[0.41 - 0.0008 * j for j in range(498)], mu_plus=0.05)  # file case
def test_positive_pair_distinct_negatives(neg, mu_plus):
    # One positive weight μ₊ twice (P(χ²_2 > y) = exp(−y/2)), distinct negative
    # weights once each: P = Π_k (1 + |λ_k|/μ₊)^(−1/2) — a d = 500 rule with
    # 499 distinct α has this form.
    with mpmath.workdps(40):
        ref = (
            -mpmath.fsum(
                mpmath.log10(1 + mpmath.mpf(v) / mpmath.mpf(mu_plus)) for v in neg
            )
            / 2
        )
    p = quadform_sf([mu_plus, *(-v for v in neg)], dof=[2, *[1] * len(neg)])
    assert rel_err_log10(p.log10_value, float(ref)) <= REL


@pytest.mark.parametrize(
    ("nu", "x"), [(1, 0.5), (4, 30.0), (1, 2000.0), (7, 1500.0), (500, 5000.0)]
)
def test_single_weight_is_a_gamma_tail(nu, x):
    with mpmath.workdps(30):
        half = mpmath.mpf(nu) / 2
        up = float(
            mpmath.log10(mpmath.gammainc(half, x / 2, mpmath.inf, regularized=True))
        )
        lo = float(mpmath.log10(mpmath.gammainc(half, 0, x / 2, regularized=True)))
    # Q = 2·χ²_ν at threshold 2x, and Q = −χ²_ν (a lower tail becomes upper).
    assert rel_err_log10(quadform_sf([2.0], 2 * x, dof=nu).log10_value, up) <= REL
    assert rel_err_log10(quadform_cdf([2.0], 2 * x, dof=nu).log10_value, lo) <= REL
    assert rel_err_log10(quadform_cdf([-1.0], -x, dof=nu).log10_value, up) <= REL
    assert rel_err_log10(quadform_sf([-1.0], -x, dof=nu).log10_value, lo) <= REL


def test_single_weight_tiny_lower_tail():
    # P(χ²_2 <= 1e-306) = 1 − exp(−5e-307) = 5e-307 (below float64's normal range)
    p = quadform_sf([-1.0, -1.0], -1e-306)
    assert rel_err_log10(p.log10_value, math.log10(5e-307)) <= REL


def test_lower_tail_of_a_positive_form():
    # P(χ²_500 <= 50) ≈ 1e-154: a deep lower tail, integrated left of 0.
    with mpmath.workdps(30):
        ref = float(mpmath.log10(mpmath.gammainc(250, 0, 25, regularized=True)))
    p = quadform_cdf([1.0, 1.0], 50.0, dof=[200, 300])
    assert p.tail == "lower"
    assert rel_err_log10(p.log10_value, ref) <= REL


# ---------------------------------------------------------------------------
# Degenerate forms
# ---------------------------------------------------------------------------


def test_degenerate_forms_are_exact():
    assert quadform_sf([-1.0, -2.0]).value == 0.0
    assert quadform_sf([-1.0, -2.0]).log10_value == -math.inf
    assert quadform_cdf([-1.0, -2.0]).value == 1.0
    assert quadform_sf([1.0, 2.0]).value == 1.0
    assert quadform_cdf([1.0, 2.0]).value == 0.0
    assert quadform_sf([1.0, 2.0], -1.0).value == 1.0
    assert quadform_sf([-1.0], 0.5).value == 0.0
    # Q ≡ 0 (all weights zero, or zero degrees of freedom).
    assert quadform_sf([0.0, 0.0]).value == 0.0
    assert quadform_sf([0.0], -1.0).value == 1.0
    assert quadform_cdf([0.0]).value == 1.0
    assert quadform_sf([1.0, -1.0], dof=[0, 3]).value == 0.0
    p = quadform_sf([0.5, 0.0, -0.1, 0.0], dof=[10, 3, 490, 1])
    q = quadform_sf([0.5, -0.1], dof=[10, 490])
    assert p.log10_value == q.log10_value


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------

small_forms = st.lists(
    st.tuples(st.floats(-3.0, 3.0).filter(lambda v: abs(v) > 0.05), st.integers(1, 6)),
    min_size=2,
    max_size=6,
)


# |x| is 0 or not absurdly small relative to the weights (|x| < 1e-300 |w|
# puts the contour's crossing point beyond float64 range).
xfracs = st.floats(-1.0, 1.0).filter(lambda v: v == 0 or abs(v) > 1e-9)


@settings(max_examples=30)
@given(form=small_forms, xfrac=xfracs)
def test_sf_plus_cdf_is_one(form, xfrac):
    w = [v for v, _ in form]
    m = [n for _, n in form]
    x = xfrac * float(np.sum(np.abs(w) * m))
    sf = quadform_sf(w, x, dof=m)
    cdf = quadform_cdf(w, x, dof=m)
    if sf.tail == "none":
        assert sf.value + cdf.value == 1.0
    else:
        assert_allclose(sf.value + cdf.value, 1.0, rtol=0, atol=1e-12)


@settings(max_examples=20)
@given(form=small_forms, x=xfracs.map(lambda v: 5 * v), scale=st.floats(1e-6, 1e6))
def test_scale_invariance(form, x, scale):
    w = np.array([v for v, _ in form])
    m = [n for _, n in form]
    p = quadform_sf(w, x, dof=m)
    q = quadform_sf(scale * w, scale * x, dof=m)
    if p.log10_value == -math.inf:
        assert q.log10_value == -math.inf
    else:
        assert rel_err_log10(q.log10_value, p.log10_value) <= REL


def test_permutation_and_merging():
    rng = np.random.default_rng(5)
    w = np.concatenate([np.full(3, 0.7), np.full(40, -0.05), rng.uniform(-0.3, 0, 20)])
    p = quadform_sf(w)
    q = quadform_sf(rng.permutation(w))
    assert rel_err_log10(q.log10_value, p.log10_value) <= 1e-13
    merged = quadform_sf([0.7, -0.05, *w[43:]], dof=[3, 40, *[1] * 20])
    assert rel_err_log10(merged.log10_value, p.log10_value) <= 1e-13
    # dof as repeated weights vs one weight with that many degrees of freedom
    assert_allclose(
        quadform_sf([0.3, -0.1], dof=[2, 9]).value,
        quadform_sf([0.3, 0.3] + [-0.1] * 9).value,
        rtol=1e-13,
    )


def test_monotone_in_x():
    w, m = [1.0, -0.4, 0.2], [3, 20, 5]
    xs = np.linspace(-30, 30, 41)
    sf = np.array([quadform_sf(w, x, dof=m).log10_value for x in xs])
    cdf = np.array([quadform_cdf(w, x, dof=m).log10_value for x in xs])
    assert np.all(np.diff(sf) < 0)
    assert np.all(np.diff(cdf) > 0)


@pytest.mark.parametrize(("x", "upper"), [(0.0, True), (2.0, True), (-1.0, False)])
def test_agrees_with_montecarlo(x, upper):
    w, m = [0.5, -0.1, 0.05], [3, 30, 4]
    fn = quadform_sf if upper else quadform_cdf
    exact = fn(w, x, dof=m).value
    n = 200_000
    mc = fn(w, x, dof=m, method="montecarlo", n_samples=n, rng=42, confidence=0.999)
    assert mc.method == "montecarlo"
    assert mc.n_samples == n
    assert mc.ci_low <= mc.value <= mc.ci_high
    assert mc.ci_low <= exact <= mc.ci_high
    # the interval is as narrow as the sample size allows (~3.3 sd wide each side)
    sd = math.sqrt(exact * (1 - exact) / n)
    assert mc.ci_high - mc.ci_low < 8 * sd


@settings(max_examples=8)
@given(form=small_forms, xfrac=xfracs.map(lambda v: v / 2), upper=st.booleans())
def test_exact_agrees_with_mpmath(form, xfrac, upper):
    w = [v for v, _ in form]
    m = [n for _, n in form]
    x = xfrac * float(np.sum(np.abs(w) * m))
    fn = quadform_sf if upper else quadform_cdf
    p = fn(w, x, dof=m)
    q = fn(w, x, dof=m, method="mpmath", dps=30)
    assert q.method == "mpmath"
    if q.log10_value == -math.inf:
        assert p.log10_value == -math.inf
    else:
        assert rel_err_log10(p.log10_value, q.log10_value) <= REL


def test_mpmath_route_deep_two_level():
    # Closed form vs the mpmath contour at a depth below 1e-300.
    ref = log10_beta_tail(250, 2000, 1.02, 0.3)
    assert ref < -300
    p = quadform_sf([0.02, -0.7], dof=[250, 1750], method="mpmath", dps=30)
    assert rel_err_log10(p.log10_value, ref) <= REL


def test_batch_rows_match_single_calls():
    rng = np.random.default_rng(7)
    w = rng.uniform(-0.4, 0.0, (6, 50))
    w[:, :2] = rng.uniform(0.0, 0.3, (6, 2))
    w[5] = -np.abs(w[5])  # a degenerate row inside a batch
    batch = quadform_sf(w)
    assert batch.log10_value.shape == (6,)
    for i in range(6):
        one = quadform_sf(w[i])
        assert batch.log10_value[i] == one.log10_value or (
            rel_err_log10(batch.log10_value[i], one.log10_value) <= 1e-13
        )
    assert batch.value[5] == 0.0
    assert batch.tail[5] == "none"
    xs = quadform_cdf(w[:2], np.array([0.0, -1.0]), dof=2)
    assert xs.value.shape == (2,)
    assert_allclose(xs.value[1], quadform_cdf(w[1], -1.0, dof=2).value, rtol=1e-13)


def test_saddlepoint_approximation_is_labelled_and_close():
    for case in CLOSED["cases"]:
        w, m = groups(case["weights"])
        lr = quadform_sf(w, dof=m, method="saddlepoint")
        assert lr.method == "saddlepoint"
        err = rel_err_log10(lr.log10_value, float(case["log10_value"]))
        assert 1e-9 < err < 0.15  # SPEC §4: 1e-5 … 13 %, never orders of magnitude
    # lower tail through the mirrored form
    lr = quadform_cdf([-0.5, 0.1], dof=[10, 490], method="saddlepoint")
    ex = quadform_cdf([-0.5, 0.1], dof=[10, 490])
    assert rel_err_log10(lr.log10_value, ex.log10_value) < 0.05


def test_result_object():
    p = quadform_sf([0.5, -0.1], dof=[10, 490])
    assert isinstance(p, sth.TailProbability)
    assert p.tail == "upper"
    assert 0 < p.saddlepoint < 1 / (2 * 0.5)
    assert p.n_nodes > 0
    assert 0 <= p.error_estimate <= REL
    assert_allclose(p.log_value, math.log(p.value), rtol=1e-14)
    assert "exact" in repr(p)
    deep = quadform_sf([0.02, -0.7], dof=[250, 1750])
    assert deep.value == 0.0
    assert "e-" in repr(deep)
    with pytest.raises(AttributeError):
        p.value = 1.0  # frozen


def test_inaccurate_results_are_flagged(monkeypatch):
    # Starve the quadrature of levels so that it cannot converge.
    import spheres_theory._contour as qf

    monkeypatch.setattr(qf, "_LEVELS", 1)
    with pytest.warns(AccuracyWarning, match="did not reach"):
        p = quadform_sf([0.5, -0.1], dof=[10, 490])
    assert not p.accurate
    assert p.error_estimate > REL


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"weights": [1.0, np.nan]}, "`weights`"),
        ({"weights": [1.0, np.inf]}, "`weights`"),
        ({"weights": []}, "`weights`"),
        ({"weights": [[[1.0]]]}, "`weights`"),
        ({"weights": [1.0, -1.0], "x": np.nan}, "`x`"),
        ({"weights": [1.0, -1.0], "dof": [1, -1]}, "`dof`"),
        ({"weights": [1.0, -1.0], "nc": [1, -1.5]}, "`nc`"),
        ({"weights": [1.0, -1.0], "s": -1.0}, "`s`"),
        ({"weights": [1.0, -1.0], "dof": [0, 1], "nc": [1, 0]}, "`dof`"),
        ({"weights": [1.0, -1.0], "dof": [1, 2, 3]}, "`dof`"),
        ({"weights": [1.0, -1.0], "method": "imhof"}, "`method`"),
        ({"weights": [1.0, -1.0], "method": "mpmath", "dps": 5}, "`dps`"),
        (
            {"weights": [1.0, -1.0], "method": "montecarlo", "n_samples": 0},
            "`n_samples`",
        ),
    ],
)
def test_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        quadform_sf(**kwargs)


@pytest.mark.parametrize(
    ("weights", "x", "match"),
    [
        ([[1.0, -1.0]] * 3, [0.0, 1.0], "`x`"),  # wrong number of rows
        ([1.0, -1.0], "a", "`x`"),
        ("w", 0.0, "`weights`"),
    ],
)
def test_validation_of_shapes(weights, x, match):
    with pytest.raises(ValueError, match=match):
        quadform_cdf(weights, x)


def test_montecarlo_confidence_is_checked():
    with pytest.raises(ValueError, match="`confidence`"):
        quadform_sf([1.0, -1.0], method="montecarlo", n_samples=10, confidence=1.5)


def test_option_of_another_method_is_a_value_error_naming_it():
    with pytest.raises(ValueError, match="`dps`=30"):
        quadform_sf([1.0, -1.0], dps=30)
    with pytest.raises(ValueError, match="`n_samples`=10"):
        quadform_cdf([1.0, -1.0], method="mpmath", n_samples=10)


def test_no_warnings_on_ordinary_use():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        quadform_sf(np.linspace(-0.4, 0.1, 500))
        quadform_cdf(np.linspace(-0.4, 0.1, 500))
        assert_array_equal(quadform_sf([[1.0, -1.0], [-1.0, -1.0]]).value[1], 0.0)


# --- weights spanning hundreds of orders of magnitude (audit) ---------------


@pytest.mark.parametrize("ratio", [1e100, 1e150, 1e200, 1e250, 1e300])
def test_huge_weight_ratio_matches_cauchy_closed_form(ratio: float) -> None:
    # P(-X + r Y <= 0) = P(|Z2 / Z1| <= r**-1/2) = (2/pi) atan(r**-1/2), |Cauchy|.
    with mpmath.workdps(50):
        ref = 2 / mpmath.pi * mpmath.atan(1 / mpmath.sqrt(mpmath.mpf(ratio)))
    for p in (quadform_cdf([-1.0, ratio]), quadform_sf([1.0, -ratio])):
        assert bool(p.accurate)
        assert abs(p.value / float(ref) - 1) < 1e-10
    # The near-1 complement, via one minus the opposite tail.
    up = quadform_sf([-1.0, ratio])
    assert bool(up.accurate)
    assert up.tail == "lower"  # computed as 1 - P(Q <= 0), and says so
    assert up.value == pytest.approx(float(1 - ref), rel=1e-12)


def test_huge_weight_ratio_more_dof_matches_closed_form() -> None:
    # P(-G1 + r G2 <= 0) for G1 ~ chi2_2, G2 ~ chi2_2: P(F(2,2) <= 1/r) = 1/(1+r)
    # (F(2,2) has cdf f / (1 + f)); in batch, next to an ordinary row.
    r = 1e220
    p = quadform_cdf([[-1.0, r], [-1.0, 1.0]], dof=2)
    assert p.accurate.all()
    assert p.value[0] == pytest.approx(1 / (1 + r), rel=1e-10)
    assert p.value[1] == pytest.approx(0.5, rel=1e-12)


@pytest.mark.parametrize("ratio", [1e100, 1e250])
def test_huge_weight_ratio_nonzero_threshold(ratio: float) -> None:
    # P(-X + r Y <= 1) = E[P(Y <= (1 + X) / r)] = sqrt(2 / (pi r)) E sqrt(1 + Z^2)
    # up to a relative O(1/r) (chi2_1 cdf sqrt(2c/pi)(1 - c/6 + ...) at c -> 0).
    with mpmath.workdps(40):
        mean = mpmath.quad(
            lambda u: mpmath.sqrt(1 + u * u) * mpmath.npdf(u),
            [-mpmath.inf, -5, 0, 5, mpmath.inf],
        )
        ref = float(mpmath.sqrt(2 / (mpmath.pi * mpmath.mpf(ratio))) * mean)
    p = quadform_cdf([-1.0, ratio], 1.0)
    assert bool(p.accurate)
    assert abs(p.value / ref - 1) < 1e-10


def test_repr_of_nan_result_does_not_crash():
    from spheres_theory import TailProbability

    fields = {f: np.nan for f in TailProbability.__dataclass_fields__}
    fields.update(method="exact", tail="upper")
    r = TailProbability(**fields)
    assert "nan" in repr(r)
