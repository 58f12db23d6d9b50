"""Fuzz: caps and Lévy bounds over the whole documented dim range, against mpmath.

The property of every case: right to the documented accuracy, or a clear
``ValueError`` naming the parameter.  ``SPHERES_FUZZ=long`` runs many more
examples (the CI default is bounded to a few seconds).

The oracle is written here, independent of the package: the cap measure is
c_d ∫_t^1 (1 − s²)^((d−3)/2) ds with c_d = Γ(d/2)/(√π Γ((d−1)/2)), integrated
by mpmath.quad (tanh-sinh) at 40 digits on breakpoints t + 2^j·h, where h is
the decay length of the integrand (mpmath.betainc gives up for d ≳ 1e12).

Representation floor: a probability handed over as a float64 logarithm
cannot be more accurate than about |ln P|·eps relative, so the tolerance on
``log_cap_measure`` is relative to |ln P| and the one on ``cap_measure`` is
1e-10 relative plus that floor.
"""

from __future__ import annotations

import os

import mpmath
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from spheres_theory import cap_height, cap_measure, log_cap_measure
from spheres_theory.concentration import optimal_mean_distance

LONG = os.environ.get("SPHERES_FUZZ") == "long"
FUZZ = settings(max_examples=400 if LONG else 25, deadline=None)
EPS = np.finfo(float).eps


def mp_log_cap(t: float, dim: int, dps: int = 40) -> mpmath.mpf:
    """log σ(x_1 ≥ t) for 0 ≤ t < 1 by quadrature of the density (see module)."""
    with mpmath.workdps(dps):
        t = mpmath.mpf(t)
        d = mpmath.mpf(dim)
        k = (d - 3) / 2
        log_c = (
            mpmath.loggamma(d / 2)
            - mpmath.loggamma((d - 1) / 2)
            - mpmath.log(mpmath.pi) / 2
        )
        top = k * mpmath.log1p(-t * t)  # log of the integrand at s = t
        h = 1 / mpmath.sqrt(d)
        if t > 0 and k > 0:
            h = min(h, (1 - t * t) / (2 * k * t))
        pts = [t]
        j = 0
        while t + h * 2**j < 1 and j < 400:
            pts.append(t + h * 2**j)
            j += 1
        pts.append(mpmath.mpf(1))

        def f(s):
            if k == 0:  # dim = 3: a constant density (0 * log 0 is NaN)
                return mpmath.mpf(1)
            return mpmath.exp(k * mpmath.log1p(-s * s) - top)

        return log_c + top + mpmath.log(mpmath.quad(f, pts))


def test_oracle_matches_closed_forms():
    # d = 3: σ = (1 − t)/2 (Archimedes); d = 2: σ = acos(t)/π.
    for t in (0.0, 0.3, 0.9):
        assert abs(float(mpmath.exp(mp_log_cap(t, 3))) - (1 - t) / 2) < 1e-15
    with mpmath.workdps(40):
        assert abs(mpmath.exp(mp_log_cap(0.5, 2)) - mpmath.mpf(1) / 3) < 1e-20


# --- the fuzz-found example and its class -------------------------------------


@pytest.mark.parametrize(
    ("t", "dim"),
    [
        (3e-8, 10**16),  # the report's example: was 0.00135043
        (3e-5, 10**10),
        (3e-6, 10**12),
        (1e-7, 10**16),
        (3.8e-7, 10**16),  # ~1e-315: below float64, the log route
        (1e-6, 10**16),
        (0.5, 10**16),
    ],
)
def test_huge_dim_cap(t, dim):
    ref = mp_log_cap(t, dim)
    got = log_cap_measure(t, dim)
    assert abs(got - float(ref)) <= 1e-12 * max(1.0, abs(float(ref)))
    p = float(mpmath.exp(ref))
    if p > 1e-300:
        assert abs(cap_measure(t, dim) / p - 1) <= 1e-10 + 4 * EPS * abs(float(ref))


def test_report_example_value():
    # Φ(−3) = 0.0013498980316300946 (the Gaussian limit; exact to ~1e-16 here).
    assert abs(cap_measure(3e-8, 10**16) / 0.0013498980316300946 - 1) < 1e-10


@FUZZ
@given(
    log10_dim=st.floats(0.5, 16.0),
    k=st.floats(0.0, 60.0),
)
@example(log10_dim=16.0, k=3.0)
@example(log10_dim=9.0, k=3.0)
@example(log10_dim=12.0, k=38.0)
def test_log_cap_measure_whole_range(log10_dim, k):
    """Heights t = k/√d across every dim in [3, 1e16]: the interesting region."""
    dim = int(min(max(3, round(10**log10_dim)), 10**16))
    t = min(k / np.sqrt(dim), 0.999)
    ref = float(mp_log_cap(t, dim))
    got = float(log_cap_measure(t, dim))
    assert abs(got - ref) <= 1e-12 * max(1.0, abs(ref))
    if ref > np.log(1e-300):
        assert abs(float(cap_measure(t, dim)) / np.exp(ref) - 1) <= 1e-10


@settings(max_examples=200 if LONG else 6, deadline=None)
@given(
    log10_dim=st.floats(0.5, 16.0),
    log10_mu=st.floats(-250.0, np.log10(0.49)),
)
@example(log10_dim=16.0, log10_mu=-3.0)
def test_cap_height_whole_range(log10_dim, log10_mu):
    dim = int(min(max(3, round(10**log10_dim)), 10**16))
    mu = 10.0**log10_mu
    t = float(cap_height(mu, dim))
    assert 0 <= t <= 1
    # t is right to float64 resolution: μ lies between the oracle's measures
    # two ulps either side (near t = 1 a float64 t cannot resolve the cap:
    # 1 − t may be a few ulps, and t = 1.0 is then the correctly rounded value).
    above = np.nextafter(np.nextafter(t, 2.0), 2.0)
    below = np.nextafter(np.nextafter(t, -1.0), -1.0)
    log_mu = np.log(mu)
    tol = 1e-12 * abs(log_mu)
    if above < 1:
        assert float(mp_log_cap(above, dim)) <= log_mu + tol
    assert float(mp_log_cap(below, dim)) >= log_mu - tol


def mp_mean_distance(mu: float, dim: int, dps: int = 30) -> float:
    """d*(μ; d): c_d ∫_{-1}^{t} 2 sin((θ(s) − θ_t)/2) (1 − s²)^((d−3)/2) ds."""
    with mpmath.workdps(dps):
        d = mpmath.mpf(dim)
        k = (d - 3) / 2
        log_c = (
            mpmath.loggamma(d / 2)
            - mpmath.loggamma((d - 1) / 2)
            - mpmath.log(mpmath.pi) / 2
        )
        # Cap height by Newton's method on the oracle's log measure, started
        # from the float64 height (only a starting point: the iteration
        # converges to the oracle's own root).
        t = mpmath.mpf(float(cap_height(mu, dim)))
        target = mpmath.log(mpmath.mpf(mu))
        for _ in range(3):
            log_s = mp_log_cap(t, dim, dps)
            slope = mpmath.exp(log_c + k * mpmath.log1p(-t * t) - log_s)
            t += (log_s - target) / slope
        th_t = mpmath.acos(t)
        h = 1 / mpmath.sqrt(d)
        pts = sorted(
            {float(x) for x in (-1, t)}
            | {float(j * h) for j in range(-40, 41) if -1 < j * h < t}
        )

        def f(s):
            chord = 2 * mpmath.sin((mpmath.acos(s) - th_t) / 2)
            return chord * mpmath.exp(k * mpmath.log1p(-s * s))

        return float(mpmath.exp(log_c) * mpmath.quad(f, [mpmath.mpf(p) for p in pts]))


@pytest.mark.parametrize(
    ("mu", "dim"),
    [(1e-2, 500), (1e-3, 10**12), (0.3, 10**16), (1e-10, 10**16)],
)
def test_optimal_mean_distance_huge_dim(mu, dim):
    ref = mp_mean_distance(mu, dim)
    assert abs(optimal_mean_distance(mu, dim) / ref - 1) <= 1e-10
