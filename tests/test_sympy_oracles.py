"""Symbolic oracles (sympy): exact cap measures and coordinate moments, d = 2..8."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
import sympy as sp
from numpy.testing import assert_allclose

from spheres_theory import cap_height, cap_measure, log_cap_measure

S, T = sp.symbols("s t", real=True)
DIMS = range(2, 9)
# binary fractions: exactly representable, so the float t is the symbolic t
TS = ["-3/4", "-1/4", "0", "1/8", "3/8", "1/2", "7/8", "127/128"]


@cache
def _density(dim: int) -> sp.Expr:
    """c_d (1 - s^2)^((d-3)/2), the density of one coordinate."""
    c_d = sp.gamma(sp.Rational(dim, 2)) / (
        sp.sqrt(sp.pi) * sp.gamma(sp.Rational(dim - 1, 2))
    )
    return sp.simplify(c_d) * (1 - S**2) ** sp.Rational(dim - 3, 2)


@cache
def _cap(dim: int) -> sp.Expr:
    """sigma(C_t) = int_t^1 density ds, in closed form."""
    expr = sp.integrate(_density(dim), (S, T, 1))
    return sp.simplify(expr)


@cache
def _moment(dim: int, k: int) -> sp.Expr:
    """E x_1^k = int_{-1}^{1} s^k density ds, with s = cos(theta) (sympy is much
    faster on the Wallis-type integral int cos^k sin^(d-2) over [0, pi])."""
    th = sp.symbols("theta", real=True)
    c_d = sp.gamma(sp.Rational(dim, 2)) / (
        sp.sqrt(sp.pi) * sp.gamma(sp.Rational(dim - 1, 2))
    )
    integral = sp.integrate(sp.cos(th) ** k * sp.sin(th) ** (dim - 2), (th, 0, sp.pi))
    return sp.simplify(c_d * integral)


@pytest.mark.parametrize("dim", DIMS)
def test_density_moments_closed_forms(dim):
    """E x_1 = 0, E x_1^2 = 1/d, E x_1^4 = 3 / (d (d + 2)), total mass 1."""
    assert sp.simplify(_moment(dim, 0) - 1) == 0
    assert sp.simplify(_moment(dim, 1)) == 0
    assert sp.simplify(_moment(dim, 2) - sp.Rational(1, dim)) == 0
    assert sp.simplify(_moment(dim, 4) - sp.Rational(3, dim * (dim + 2))) == 0


@pytest.mark.parametrize("dim", DIMS)
def test_cap_measure_matches_symbolic(dim):
    cap = _cap(dim)
    ts = [sp.Rational(t) for t in TS]
    ref = [float(sp.N(cap.subs(T, t), 30)) for t in ts]
    got = cap_measure(np.array([float(t) for t in ts]), dim)
    assert_allclose(got, ref, rtol=1e-13, atol=0)
    log_ref = [float(sp.N(sp.log(cap.subs(T, t)), 30)) for t in ts]
    got_log = log_cap_measure(np.array([float(t) for t in ts]), dim)
    assert_allclose(got_log, log_ref, rtol=1e-13, atol=1e-16)


@pytest.mark.parametrize("dim", DIMS)
def test_cap_height_matches_symbolic(dim):
    """The exact sigma at a binary t, inverted, gives back t."""
    cap = _cap(dim)
    for t in ("1/8", "3/8", "7/8", "-1/4"):
        mu = float(sp.N(cap.subs(T, sp.Rational(t)), 30))
        assert_allclose(cap_height(mu, dim), float(sp.Rational(t)), rtol=1e-12)


@pytest.mark.parametrize("dim", DIMS)
def test_moments_from_cap_measure(dim):
    """Integrating by parts, E f(x_1) = f(-1) + int_{-1}^{1} f'(s) sigma(C_s) ds;
    with s = cos(theta) the integrals are smooth: Gauss-Legendre in theta."""
    x, w = np.polynomial.legendre.leggauss(200)
    theta = 0.5 * np.pi * (x + 1)
    w = 0.5 * np.pi * w
    s = np.cos(theta)
    jac = np.sin(theta)
    sig = cap_measure(s, dim)
    for k in (1, 2, 4):
        # E x^k = (-1)^k + int k s^(k-1) sigma(C_s) ds
        got = (-1) ** k + np.sum(w * jac * k * s ** (k - 1) * sig)
        assert_allclose(got, float(_moment(dim, k)), rtol=1e-12, atol=1e-14)
