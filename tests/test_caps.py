"""Spherical caps: measure, log measure, inverse (cap height)."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from conftest import load_reference, mp_log_cap, mp_log_cap_upper
from hypothesis import example, given
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from spheres_theory import cap_height, cap_measure, log_cap_measure

CAP = load_reference("cap_measure.json")["cases"]
HEIGHT = load_reference("cap_height.json")["cases"]


# --- independent mpmath helpers (60 digits) -----------------------------------


def _mp_cap(t, dim):
    """sigma(C_t), t an mpf (no subtraction of small probabilities)."""
    if t >= 0:
        return mpmath.exp(mp_log_cap_upper(t, dim))
    return 1 - _mp_cap(-t, dim)


def _mp_density(t, dim):
    """c_d (1 - t^2)^((d-3)/2) = -d sigma(C_t) / dt."""
    c_d = mpmath.gamma(mpmath.mpf(dim) / 2) / (
        mpmath.sqrt(mpmath.pi) * mpmath.gamma(mpmath.mpf(dim - 1) / 2)
    )
    return c_d * (1 - t * t) ** (mpmath.mpf(dim - 3) / 2)


# --- reference JSON -----------------------------------------------------------


@pytest.mark.parametrize("case", CAP, ids=lambda c: f"d{c['d']}-t{c['t']}")
def test_cap_measure_reference(case):
    dim, t_str = case["d"], case["t"]
    t = float(t_str)
    with mpmath.workdps(60):
        ref = mpmath.mpf(case["value"])
        log_ref = mpmath.mpf(case["log10_value"]) * mpmath.log(10)
        # The reference is at the exact decimal t; correct to first order for
        # the binary float(t) (shift dt ~ 1e-17, density from its formula).
        dt = mpmath.mpf(t) - mpmath.mpf(t_str)
        shift = -_mp_density(mpmath.mpf(t_str), dim) * dt
        ref_f = ref + shift
        log_ref_f = log_ref + shift / ref
    got_log = log_cap_measure(t, dim)
    assert abs(got_log - float(log_ref_f)) <= 1e-13 * max(1.0, abs(float(log_ref_f)))
    if ref > mpmath.mpf("1e-300"):
        assert_allclose(cap_measure(t, dim), float(ref_f), rtol=1e-13)
    else:  # underflows float64
        assert cap_measure(t, dim) == pytest.approx(0.0, abs=1e-300)


def test_style_example_far_below_float64():
    # workdps(50): log(betainc(9999/2, 0.5, 0, 0.75, regularized=True) / 2)
    assert cap_measure(0.5, 10_000) == 0.0
    assert log_cap_measure(0.5, 10_000) == -1443.0977575067455


@pytest.mark.parametrize(
    ("t", "dim"),
    [
        (0.9, 2000),
        (0.5, 10_000),
        (0.5, 100_000),
        (0.99, 100_000),
        (0.03, 100_000),
        (0.1, 100_000),
        (0.2, 500),
        (0.999999, 50),
        (0.0001, 7),
        (1e-9, 2),
        (1e-9, 4),
        (-0.3, 100_000),
        (-0.999, 30),
        (0.7, 2),
        (0.75, 3),
        (0.05, 10_000),
    ],
)
def test_against_mpmath(t, dim):
    with mpmath.workdps(60):
        ref = _mp_cap(mpmath.mpf(t), dim)
        log_ref = mp_log_cap(mpmath.mpf(t), dim)
    assert (
        abs(log_cap_measure(t, dim) - float(log_ref))
        <= 2e-15 * max(1.0, abs(float(log_ref)))
        or abs(log_cap_measure(t, dim) / float(log_ref) - 1) <= 2e-15
    )
    if ref > mpmath.mpf("1e-300"):
        assert_allclose(cap_measure(t, dim), float(ref), rtol=1e-14)


@pytest.mark.parametrize("dim", [2, 3, 7, 500, 100_000])
def test_poles_are_exact(dim):
    assert cap_measure(1.0, dim) == 0.0
    assert cap_measure(-1.0, dim) == 1.0
    assert log_cap_measure(1.0, dim) == -np.inf
    assert log_cap_measure(-1.0, dim) == 0.0
    assert cap_measure(0.0, dim) == 0.5


def test_closed_forms_low_dimension():
    t = np.linspace(-1, 1, 41)
    with mpmath.workdps(40):
        arc = [float(mpmath.acos(mpmath.mpf(v)) / mpmath.pi) for v in t]
        arch = [float((1 - mpmath.mpf(v)) / 2) for v in t]
    assert_allclose(cap_measure(t, 2), arc, rtol=5e-16, atol=0)
    assert_allclose(cap_measure(t, 3), arch, rtol=5e-16, atol=0)


def test_scalar_in_scalar_out_and_broadcasting():
    assert isinstance(cap_measure(0.3, 10), float)
    assert isinstance(log_cap_measure(0.3, 10), float)
    assert isinstance(cap_height(0.3, 10), float)
    out = cap_measure(np.linspace(-0.5, 0.5, 4)[:, None], [2, 10, 100])
    assert out.shape == (4, 3)
    ref = [[cap_measure(t, d) for d in (2, 10, 100)] for t in np.linspace(-0.5, 0.5, 4)]
    assert_array_equal(out, ref)
    assert cap_height([[0.1], [0.2]], [10, 20, 30]).shape == (2, 3)
    assert log_cap_measure([0.1, 0.2], np.array([[5], [6]])).shape == (2, 2)


@pytest.mark.parametrize("func", [cap_measure, log_cap_measure])
@pytest.mark.parametrize(
    ("t", "dim", "name"),
    [
        (1.5, 10, "`t`"),
        (-1.0000001, 10, "`t`"),
        (float("nan"), 10, "`t`"),
        ([0.1, float("inf")], 10, "`t`"),
        (0.1, 1, "`dim`"),
        (0.1, 2.5, "`dim`"),
        (0.1, float("nan"), "`dim`"),
        (0.1, [3, 0], "`dim`"),
        ("a", 3, "`t`"),
    ],
)
def test_validation(func, t, dim, name):
    with pytest.raises(ValueError, match=name):
        func(t, dim)


def test_validation_message_shows_value():
    with pytest.raises(ValueError, match=r"`t` must lie in \[-1, 1\]; got 1\.5"):
        cap_measure(1.5, 3)


# --- cap height ----------------------------------------------------------------


@pytest.mark.parametrize("case", HEIGHT, ids=lambda c: f"d{c['d']}-mu{c['mu']}")
def test_cap_height_reference(case):
    got = cap_height(float(case["mu"]), case["d"])
    ref = float(case["value"])
    if ref == 0:
        assert got == 0.0
    else:
        assert_allclose(got, ref, rtol=1e-12)
        # and the same through the log keyword
        got_log = cap_height(
            None, case["d"], log_error_rate=math.log(float(case["mu"]))
        )
        assert_allclose(got_log, ref, rtol=1e-12)


@pytest.mark.parametrize(
    ("dim", "t_str"),
    [(2000, "0.9"), (10_000, "0.5"), (100_000, "0.5"), (500, "0.99"), (200, "0.9999")],
)
def test_cap_height_beyond_float64(dim, t_str):
    """Invert at log rates far below 1e-308 (reference log from mpmath)."""
    with mpmath.workdps(60):
        t = mpmath.mpf(t_str)
        log_mu = mpmath.log(_mp_cap(t, dim))
    assert log_mu < -709
    got = cap_height(None, dim, log_error_rate=float(log_mu))
    assert_allclose(got, float(t), rtol=1e-13)


def test_cap_height_symmetry_and_center():
    assert cap_height(0.5, 7) == 0.0
    assert cap_height(0.5, 100_000) == 0.0
    assert cap_height(None, 10, log_error_rate=-math.log(2)) == 0.0
    for dim in (2, 3, 4, 17, 500, 100_000):
        for mu in (0.25, 0.3, 0.4, 0.4999, 1e-3, 1e-10, 1e-15):
            hi_rate = 1 - mu  # rounded
            lo_rate = 1 - hi_rate  # exact (Sterbenz): the exact complement
            hi = cap_height(hi_rate, dim)
            lo = cap_height(lo_rate, dim)
            assert hi < 0 < lo
            assert hi == -lo


def test_cap_height_near_one():
    """mu = 1 - 1e-12: the cap is the complement of a tiny cap around -e_1."""
    with mpmath.workdps(60):
        for dim in (4, 10, 500):  # dim = 2, 3: closed-form test below
            mu = 1 - 1e-12
            log_tail = mpmath.log(1 - mpmath.mpf(mu))
            t = cap_height(mu, dim)
            # sigma(C_{-t}) = 1 - mu, t < 0
            assert t < 0
            got = mp_log_cap(mpmath.mpf(-t), dim)
            dens = _mp_density(mpmath.mpf(-t), dim) / mpmath.exp(got)
            tol = 1e-13 * abs(log_tail) + 2e-16 * float(dens)
            assert abs(float(got - log_tail)) <= tol


def test_cap_height_closed_forms():
    mu = np.array([1e-300, 1e-12, 0.1, 0.25, 0.4, 0.6, 0.9, 1 - 1e-12])
    with mpmath.workdps(40):
        arc = [float(mpmath.cos(mpmath.pi * mpmath.mpf(m))) for m in mu]
        arch = [float(1 - 2 * mpmath.mpf(m)) for m in mu]
    assert_allclose(cap_height(mu, 2), arc, rtol=1e-15)
    assert_allclose(cap_height(mu, 3), arch, rtol=1e-15)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"error_rate": 0.0}, "`error_rate`"),
        ({"error_rate": 1.0}, "`error_rate`"),
        ({"error_rate": float("nan")}, "`error_rate`"),
        ({"error_rate": -0.1}, "`error_rate`"),
        ({"error_rate": float("inf")}, "`error_rate`"),
        ({"error_rate": None, "log_error_rate": 0.0}, "`log_error_rate`"),
        ({"error_rate": None, "log_error_rate": float("nan")}, "`log_error_rate`"),
        ({"error_rate": None, "log_error_rate": -np.inf}, "`log_error_rate`"),
        ({"error_rate": None}, "exactly one"),
        ({"error_rate": 0.1, "log_error_rate": -1.0}, "exactly one"),
        ({"error_rate": 0.1, "dim": 1}, "`dim`"),
        ({"error_rate": 0.1, "dim": 3.5}, "`dim`"),
    ],
)
def test_cap_height_validation(kwargs, name):
    kwargs = {"dim": 10, **kwargs}
    rate = kwargs.pop("error_rate")
    dim = kwargs.pop("dim")
    with pytest.raises(ValueError, match=name):
        cap_height(rate, dim, **kwargs)


# --- properties -------------------------------------------------------------------

ts = st.floats(-1, 1, allow_nan=False)
dims = st.integers(2, 100_000)


@given(t=ts, dim=dims)
@example(t=0.0, dim=2)
@example(t=0.999, dim=100_000)
@example(t=1e-300, dim=5)
@example(t=0.5916035477457248, dim=58)  # 4.4e-16 off: 4 ulps below 1
def test_symmetry(t, dim):
    """sigma(C_t) + sigma(C_-t) = 1, to a few ulps of 1 (each term is
    correctly rounded only to ~2 ulps, and the ulp below 1 is 1.1e-16)."""
    total = cap_measure(t, dim) + cap_measure(-t, dim)
    assert_allclose(total, 1.0, rtol=0, atol=8.9e-16)


@given(t1=ts, t2=ts, dim=dims)
def test_decreasing_in_t(t1, t2, dim):
    lo, hi = min(t1, t2), max(t1, t2)
    assert cap_measure(lo, dim) >= cap_measure(hi, dim)
    assert log_cap_measure(lo, dim) >= log_cap_measure(hi, dim)


@given(t=st.floats(0, 1), dim=st.integers(2, 50_000), k=st.integers(1, 1000))
def test_decreasing_in_dim_for_positive_t(t, dim, k):
    a, b = log_cap_measure(t, dim), log_cap_measure(t, dim + k)
    if t == 1.0:
        assert a == b == -np.inf
    else:
        assert b <= a + 1e-14 * abs(a)


@given(t=st.floats(0, 1), dim=dims)
@example(t=0.0, dim=2)  # hemisphere
@example(t=1.0, dim=3)
def test_cap_below_ball_bound(t, dim):
    """Ball (1997), Lemma 2.2: sigma(x_1 >= t) <= exp(-dim * t**2 / 2)."""
    bound = -dim * t**2 / 2
    assert log_cap_measure(t, dim) <= bound + 1e-14 * abs(bound)


@given(
    log_mu=st.floats(-20_000, -1e-14),
    dim=dims,
)
@example(log_mu=-math.log(2), dim=10)
@example(log_mu=-700.0, dim=3)
@example(log_mu=-1e-14, dim=4)
def test_cap_height_inverts_cap_measure(log_mu, dim):
    """log sigma(C_t(mu)) = log mu up to the conditioning of rounding t."""
    t = cap_height(None, dim, log_error_rate=log_mu)
    assert -1 <= t <= 1
    if abs(t) == 1.0:  # mu beyond what a float64 height resolves
        return
    got = log_cap_measure(t, dim)
    with mpmath.workdps(30):
        sig = mpmath.exp(mpmath.mpf(got))
        # |d log sigma / dt| * ulp(t): the inherent error of a float64 t
        slope = _mp_density(mpmath.mpf(t), dim) / sig
        cond = float(slope) * 2.3e-16 * max(abs(t), 1e-300)
    assert abs(got - log_mu) <= 1e-13 * abs(log_mu) + 2 * cond + 1e-300


# --- supported dim range and keyword-only log rates (audit) ------------------


def test_dim_beyond_supported_range_raises():
    # cap_measure(1e-9, 1e20) used to be 2.6e-23 (true Phi-bar(10) = 7.6e-24).
    for f, arg in ((cap_measure, 1e-9), (log_cap_measure, 1e-9), (cap_height, 0.1)):
        for dim in (10**20, 1e17, [500, 10**17]):
            with pytest.raises(ValueError, match=r"`dim`.*\[2, 1e16\]"):
                f(arg, dim)


def test_largest_supported_dim_matches_gaussian_limit():
    # t = 1e-8 at dim = 1e16: sqrt(dim) t = 1, sigma -> Phi-bar(1) (+ O(1/dim)).
    with mpmath.workdps(30):
        ref = float(mpmath.ncdf(-1))
    assert math.isclose(cap_measure(1e-8, 10**16), ref, rel_tol=1e-9)
    assert math.isclose(cap_height(ref, 10**16), 1e-8, rel_tol=1e-9)


def test_cap_height_log_rate_without_error_rate():
    t = cap_height(log_error_rate=-2000.0, dim=500)
    assert t == cap_height(None, 500, log_error_rate=-2000.0)
    assert math.isclose(float(log_cap_measure(t, 500)), -2000.0, rel_tol=1e-13)
    with pytest.raises(ValueError, match="exactly one"):
        cap_height(dim=500)
    with pytest.raises(ValueError, match="exactly one"):
        cap_height(0.1, 500, log_error_rate=-2.0)
    with pytest.raises(ValueError, match="`dim`"):
        cap_height(log_error_rate=-2.0)
