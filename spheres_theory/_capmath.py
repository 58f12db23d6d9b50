"""Spherical-cap kernels shared by :mod:`caps` and :mod:`concentration` (private).

The normalised measure of the cap {x_1 >= t} of S^(dim-1), its logarithm far
below the float64 range, and its inverse (the cap angle), as 1-d array
kernels with the validation of their public parameters.  The public
functions live in :mod:`spheres_theory.caps`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from ._validation import (
    check_dim,
    check_error_rate,
    check_finite_array,
    check_log_error_rate,
)

__all__ = [
    "MAX_DIM",
    "broadcast_flat",
    "cap_angle",
    "check_cap_dim",
    "check_rates",
    "check_t",
    "log_cap_constant",
    "log_cap_signed",
    "log_cap_upper",
    "x_from_t_ld",
]

_LOG_PI = float(np.log(np.pi))
_LOG_2 = float(np.log(2.0))
_HALF_PI = 0.5 * np.pi
# Below this value the float64 incomplete beta function is replaced by the
# log-space continued fraction (subnormal numbers lose digits).
_TINY = 1e-290
# From this dim on, moderate tails use the Student-t form (see log_cap_upper).
_HUGE_DIM = 1e6
_LAG_X, _LAG_W = np.polynomial.laguerre.laggauss(40)
# Stirling series coefficients B_2k / (2k (2k - 1)), k = 1 .. 7.
_STIRLING = (
    1.0 / 12.0,
    -1.0 / 360.0,
    1.0 / 1260.0,
    -1.0 / 1680.0,
    1.0 / 1188.0,
    -691.0 / 360360.0,
    1.0 / 156.0,
)


# --------------------------------------------------------------------------
# validation helpers

#: Largest supported ``dim``.  Beyond ~1e16 (2**53 ≈ 9e15: ``dim`` and
#: ``dim ± 1`` stop being distinct float64 numbers) the Boost kernels and the
#: continued fraction lose all accuracy (``cap_measure(1e-9, 1e20)`` would be
#: 3x off, the mean distance 0), so larger dims are rejected.
MAX_DIM = 10**16


def check_cap_dim(dim: ArrayLike) -> NDArray[np.float64]:
    """``check_dim`` plus the supported range ``2 <= dim <= MAX_DIM``."""
    if dim is None:
        msg = "`dim` is required (an integer in [2, 1e16]); got None."
        raise ValueError(msg)
    arr = check_dim(dim)
    raw = np.asarray(dim)
    # Integers compare exactly: 10**16 + 1 rounds to 1e16 in float64.
    big = raw > MAX_DIM if raw.dtype.kind in "iu" else arr > MAX_DIM
    if np.any(big):
        msg = (
            f"`dim` must be an integer in [2, 1e16] (float64 cannot resolve "
            f"larger dimensions accurately); got {dim!r}."
        )
        raise ValueError(msg)
    return arr


def check_t(t: ArrayLike) -> NDArray[np.float64]:
    arr = check_finite_array(t, "t")
    if np.any(np.abs(arr) > 1):
        msg = f"`t` must lie in [-1, 1]; got {t!r}."
        raise ValueError(msg)
    return arr


def check_rates(
    error_rate: ArrayLike | None,
    log_error_rate: ArrayLike | None,
    names: tuple[str, str] = ("error_rate", "log_error_rate"),
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return ``(log rate, rate)`` of the validated error rate(s).

    ``rate`` is the float64 rate as given (so that ``1 - rate`` is exact above
    1/2), or NaN where only the logarithm was given.  ``names`` are the
    public parameter names used in messages.
    """
    if (error_rate is None) == (log_error_rate is None):
        msg = (
            f"give exactly one of `{names[0]}` and `{names[1]}`; got "
            f"{names[0]}={error_rate!r}, {names[1]}={log_error_rate!r}."
        )
        raise ValueError(msg)
    if error_rate is not None:
        rate = check_error_rate(error_rate, names[0])
        return np.log(rate), rate
    log_rate = check_log_error_rate(log_error_rate, names[1])
    return log_rate, np.full(log_rate.shape, np.nan)


# --------------------------------------------------------------------------
# special-function kernels (arguments assumed valid, float64 arrays)


def _log_gamma_ratio_half(a: NDArray[np.float64]) -> NDArray[np.float64]:
    """``log Gamma(a + 1/2) - log Gamma(a)`` to ~1e-16 absolute, ``a >= 1/2``."""
    a = np.asarray(a, dtype=np.float64)
    small = a < 12.0
    out = np.empty_like(a)
    if np.any(small):
        s = a[small]
        out[small] = special.gammaln(s + 0.5) - special.gammaln(s)
    if np.any(~small):
        z = a[~small]
        zh = z + 0.5
        # Stirling: (z - 1/2) log z - z + ... differenced analytically.
        val = 0.5 * np.log(z) + (z * np.log1p(0.5 / z) - 0.5)
        for k, coef in enumerate(_STIRLING, start=1):
            p = 2 * k - 1
            val += coef * (zh ** (-p) - z ** (-p))
        out[~small] = val
    return out


def log_cap_constant(dim: NDArray[np.float64]) -> NDArray[np.float64]:
    """Log of ``c_d = Gamma(d/2) / (sqrt(pi) Gamma((d-1)/2))``."""
    return _log_gamma_ratio_half(0.5 * (dim - 1.0)) - 0.5 * _LOG_PI


def _log_cap_cf(
    a: NDArray[np.float64], x: NDArray[np.float64], t: NDArray[np.float64]
) -> NDArray[np.longdouble]:
    """Log cap measure ``log(I_x(a, 1/2) / 2)`` by a log-space continued fraction.

    ``x = 1 - t**2`` (given accurately, possibly in extended precision),
    ``t > 0``; valid (and fast) for ``x < (a + 1)/(a + 5/2)``,
    e.g. whenever ``dim * t**2 >= 20`` (then at most ~40 terms).  Modified Lentz
    evaluation of the classical continued fraction for the incomplete beta
    function in extended precision (where the platform has it: the recurrence
    loses ~``1/t**2`` ulp to cancellation); the prefactor
    ``x**a (1-x)**b / (a B(a, b))`` is kept as a logarithm so nothing
    underflows.
    """
    ld = np.longdouble
    eps = float(np.finfo(ld).eps)
    tiny = ld(1e-300)
    b = ld(0.5)
    a_f = a
    a = a_f.astype(ld)
    t = t.astype(ld)
    x = x.astype(ld)
    qab = a + b
    qap = a + 1
    qam = a - 1
    c = np.ones_like(x)
    # 1 - (a + b) x / (a + 1) without cancellation.
    d = 1 / ((b + qab * t * t) / qap)
    h = d.copy()
    active = np.ones(x.shape, dtype=bool)
    for m in range(1, 20_000):
        m2 = 2 * m
        for aa in (
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ):
            d = 1 + aa * d
            d = np.where(np.abs(d) < tiny, tiny, d)
            c = 1 + aa / c
            c = np.where(np.abs(c) < tiny, tiny, c)
            d = 1 / d
            delta = d * c
            h = np.where(active, h * delta, h)
        active &= np.abs(delta - 1) > eps
        if not np.any(active):
            break
    # log B(a, 1/2) = log Gamma(1/2) - [log Gamma(a + 1/2) - log Gamma(a)]
    log_beta = 0.5 * _LOG_PI - _log_gamma_ratio_half(a_f)
    rest = -np.log(a_f) - log_beta - _LOG_2
    # log x = log1p(-t²) where t < 1/2: x = 1 - t² rounds to ~eps relative,
    # and a * log x (a up to 5e15) would turn that into an absolute error
    # of a · eps in the log (cap_measure(3e-8, 1e16) was 4e-4 off).
    with np.errstate(divide="ignore"):
        log_x = np.where(t < 0.5, np.log1p(-t * t), np.log(x))
    return a * log_x + np.log(t) + np.log(h) + rest.astype(ld)


def _cap_upper_fast(
    t: NDArray[np.float64], x: NDArray[np.float64], a: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Cap measure for ``t >= 0`` by float64 Boost routines (may underflow)."""
    with np.errstate(all="ignore"):
        # t <= 1/2: complement form 1/2 I^c_{t^2}(1/2, a), exact even for tiny t;
        # t > 1/2: 1/2 I_x(a, 1/2) with x = 1 - t^2 passed in accurately.
        val = np.where(
            t > 0.5,
            0.5 * special.betainc(a, 0.5, x),
            0.5 * special.betaincc(0.5, a, t * t),
        )
        # Closed forms: dim = 2 (arc length), dim = 3 (Archimedes).
        val = np.where(a == 0.5, np.arctan2(np.sqrt(x), t) / np.pi, val)
        val = np.where(a == 1.0, 0.5 * x / (1.0 + t), val)
    return np.where(x <= 0.0, 0.0, val)


def _log_cap_fast(
    t: NDArray[np.float64], x: NDArray[np.float64], a: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Log cap measure for ``0 <= t < 1`` (~1e-14 relative; root finding)."""
    val = _cap_upper_fast(t, x, a)
    with np.errstate(divide="ignore"):
        out = np.log(val)
    deep = (val < _TINY) & (x > 0.0)
    if np.any(deep):
        out[deep] = _log_cap_cf(a[deep], x[deep], t[deep]).astype(np.float64)
    return out


def log_cap_upper(
    t: NDArray[np.float64], x: NDArray[Any], a: NDArray[np.float64]
) -> NDArray[np.longdouble]:
    """Accurate log cap measure for ``t >= 0`` (extended precision result).

    ``x = 1 - t**2``, accurate (float64 from an angle, or extended precision).

    The extended-precision continued fraction wherever ``dim * t**2 >= 5``
    (it converges in tens of terms there and keeps ~1e-16 relative accuracy for
    any ``dim``, unlike Boost's ``I_x(a, 1/2)`` whose error grows with ``a``)
    or the value underflows; elsewhere Boost's complement form for
    ``t <= 1/2``, ``I_x(a, 1/2)`` for ``t > 1/2`` (then ``a`` is small), and
    the closed forms for ``dim = 2, 3``.
    """
    dim = 2.0 * a + 1.0
    fast = _cap_upper_fast(t, x.astype(np.float64), a)
    use_cf = (fast < _TINY) | ((dim * t * t >= 5.0) & (dim > 3.0))
    use_cf &= (x > 0.0) & (t > 0.0)
    with np.errstate(divide="ignore"):
        out = np.log(fast).astype(np.longdouble)
    if np.any(use_cf):
        out[use_cf] = _log_cap_cf(a[use_cf], x[use_cf], t[use_cf])
    # Huge dims: x = 1 - t² is within ~1e-16 · dim t² of the continued
    # fraction's convergence limit, where it needs 1 - x to more digits than
    # x carries.  The Student-t form is free of that: with nu = dim - 1,
    # x_1 sqrt(nu / (1 - x_1²)) is t-distributed with nu degrees of freedom,
    # so sigma(C_t) = stdtr(nu, -t sqrt(nu / ((1 - t)(1 + t)))) (Boost, ~1e-13
    # relative up to dim = 1e16 where it does not underflow).
    huge = (dim >= _HUGE_DIM) & (t > 0.0) & (t <= 0.5)
    if np.any(huge):
        th, nu = t[huge], dim[huge] - 1.0
        with np.errstate(all="ignore"):
            st = special.stdtr(nu, -th * np.sqrt(nu) / np.sqrt((1.0 - th) * (1.0 + th)))
            keep = st >= _TINY
            sub = out[huge]
            sub[keep] = np.log(st[keep])
            # Deeper (stdtr underflows): Gauss-Laguerre in the log domain.
            deep = ~keep
            sub[deep] = _log_cap_laguerre(th[deep], dim[huge][deep])
        out[huge] = sub
    return out


def _log_cap_laguerre(
    t: NDArray[np.float64], dim: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Log cap measure for huge ``dim`` and deep tails (``dim * t**2 >~ 1000``).

    sigma = c_d int_t^1 (1 - s²)^k ds with k = (dim - 3)/2.  With s = t + v/λ,
    λ = 2kt/(1 - t²), the integrand is (1 - t²)^k e^(-v) g(v) with
    g(v) = exp(k log1p(-(2tu + u²)/(1 - t²)) + v), u = v/λ, nearly constant
    (its curvature is ~1/(4 k t²)), so 40-point Gauss-Laguerre is exact to
    rounding; every factor is kept as a logarithm and 1 - t² is never formed
    by cancellation.
    """
    k = 0.5 * (dim - 3.0)
    one_m_t2 = (1.0 - t) * (1.0 + t)
    lam = 2.0 * k * t / one_m_t2
    u = _LAG_X[None, :] / lam[:, None]
    phi = k[:, None] * np.log1p(-(2.0 * t[:, None] * u + u * u) / one_m_t2[:, None])
    total = np.sum(_LAG_W[None, :] * np.exp(phi + _LAG_X[None, :]), axis=1)
    return log_cap_constant(dim) + k * np.log1p(-t * t) + np.log(total) - np.log(lam)


def log_cap_signed(
    t: NDArray[np.float64], x: NDArray[Any], a: NDArray[np.float64]
) -> NDArray[np.longdouble]:
    """Log cap measure for any ``t`` in [-1, 1] given ``x = 1 - t**2`` accurately.

    Returned in extended precision (so that ``exp`` of it keeps ~1e-16).
    """
    upper = log_cap_upper(np.abs(t), x, a)
    with np.errstate(all="ignore"):
        # t < 0: sigma = 1 - sigma(|t|); log via log1p of the small complement.
        lower = np.log1p(-np.exp(upper).astype(np.float64))
    return np.where(t < 0, lower.astype(np.longdouble), upper)


def broadcast_flat(*arrays: ArrayLike, names: tuple[str, ...] = ()) -> tuple[Any, ...]:
    """Broadcast arrays; return their 1-d float64 copies and then the shape.

    ``names`` (of the public parameters) are used in the error message when
    the shapes do not broadcast.
    """
    arrs = [np.asarray(a, dtype=np.float64) for a in arrays]
    try:
        out = np.broadcast_arrays(*arrs)
    except ValueError:
        shapes = dict(zip(names, (a.shape for a in arrs), strict=False))
        shown = ", ".join(f"`{n}` of shape {shape}" for n, shape in shapes.items())
        msg = f"the inputs must broadcast against each other; got {shown}."
        raise ValueError(msg) from None
    shape = out[0].shape
    return (*(np.array(a, dtype=np.float64).ravel() for a in out), shape)


def x_from_t_ld(t: NDArray[np.float64]) -> NDArray[np.longdouble]:
    """``1 - t**2`` in extended precision (where the platform has it)."""
    tl = t.astype(np.longdouble)
    return (1 - tl) * (1 + tl)


def _x_from_t(t: NDArray[np.float64]) -> NDArray[np.float64]:
    """``1 - t**2`` without cancellation."""
    return (1.0 - t) * (1.0 + t)


def _log_cap_angle(
    theta: NDArray[np.float64], a: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Log measure of the cap of angular radius ``theta`` in ``[0, pi/2]``."""
    s = np.sin(theta)
    return _log_cap_fast(np.cos(theta), s * s, a)


# --------------------------------------------------------------------------
# inverse: cap angle from an error rate


def cap_angle(
    log_rate: NDArray[np.float64],
    dim: NDArray[np.float64],
    rate: NDArray[np.float64] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    """Solve ``sigma(C_t) = mu`` for 1-d arrays ``log mu`` and ``dim``.

    ``rate`` (optional, NaN where unknown) is ``mu`` itself, used for the exact
    ``1 - mu`` and ``1/2 - mu`` near the equator.

    Returns ``(t, theta, flipped)``.  ``theta`` in ``[0, pi/2]`` is the angular
    radius of the cap of measure ``m = min(mu, 1 - mu)``, kept to full
    relative accuracy also near 0; ``flipped`` marks ``mu > 1/2``, where the
    cap of measure ``mu`` has height ``t = -cos(theta)`` and angular radius
    ``pi - theta``.
    """
    flipped = log_rate > -_LOG_2
    with np.errstate(all="ignore"):
        # log of min(mu, 1 - mu); 1 - mu = -expm1(log mu), exact for float mu.
        log_m = np.where(flipped, np.log(-np.expm1(log_rate)), log_rate)
        m = np.exp(log_m)
        if rate is not None:
            known = np.isfinite(rate)
            m = np.where(known, np.where(flipped, 1.0 - rate, rate), m)
            log_m = np.where(known, np.log(m), log_m)
    t = np.empty(log_m.shape)
    theta = np.empty(log_m.shape)

    # Region B: 1e-3 < m <= 1/2.  Solve G(t) = 1/2 - m, G(t) = 1/2 I_{t^2}(1/2, a),
    # by Newton from t = 0 (G concave for dim >= 3: monotone convergence).  Here
    # t itself, not its angle, is the unknown: t may be tiny for large dim.
    reg_b = log_m > np.log(1e-3)
    if np.any(reg_b):
        tb = _half_region(0.5 - m[reg_b], dim[reg_b])
        t[reg_b] = tb
        theta[reg_b] = np.arctan2(np.sqrt(_x_from_t(tb)), tb)
    reg_a = ~reg_b
    if np.any(reg_a):
        th = _tail_region(log_m[reg_a], dim[reg_a])
        theta[reg_a] = th
        t[reg_a] = np.cos(th)
        # Near the equator cos(theta) has only absolute accuracy: polish t
        # itself by two Newton steps on log sigma(t) - log m.
        near = reg_a & (t < 0.5) & (dim > 3)
        if np.any(near):
            t[near] = _polish_t(t[near], log_m[near], dim[near])
            theta[near] = np.arctan2(np.sqrt(_x_from_t(t[near])), t[near])
    # Huge dims: Boost's incomplete beta (and its inverse) used above lose
    # digits (its error grows with a); two Newton steps on the accurate log
    # measure (log_cap_upper) restore full accuracy.
    huge = (dim >= _HUGE_DIM) & (t > 0.0) & (t < 0.5)
    if np.any(huge):
        t[huge] = _polish_t(t[huge], log_m[huge], dim[huge], accurate=True)
        theta[huge] = np.arctan2(np.sqrt(_x_from_t(t[huge])), t[huge])
    # Closed forms: dim = 2, sigma = theta / pi; dim = 3, sigma = (1 - t) / 2.
    with np.errstate(all="ignore"):
        d2 = dim == 2
        theta = np.where(d2, np.pi * m, theta)
        t = np.where(d2 & reg_b, np.sin(np.pi * (0.5 - m)), t)
        t = np.where(d2 & ~reg_b, np.cos(np.pi * m), t)
        d3 = dim == 3
        theta = np.where(d3, 2.0 * np.arcsin(np.sqrt(m)), theta)
        t = np.where(d3, 1.0 - 2.0 * m, t)
    t = np.where(log_m == -_LOG_2, 0.0, t)
    return np.where(flipped, -t, t), theta, flipped


def _half_region(
    target: NDArray[np.float64], dim: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Height ``t >= 0`` with ``1/2 I_{t^2}(1/2, a) = target < 1/2``, dim >= 3."""
    a = 0.5 * (dim - 1.0)
    log_cd = log_cap_constant(dim)
    # Start from Boost's inverse (a few ulp to ~1e-11 off), then polish.
    with np.errstate(all="ignore"):
        t = np.sqrt(special.betaincinv(0.5, a, 2.0 * target))
    t = np.where(np.isfinite(t), t, 0.0)
    active = (target > 0) & (dim > 2)
    for _ in range(60):
        if not np.any(active):
            break
        g = 0.5 * special.betainc(0.5, a, t * t) - target
        with np.errstate(divide="ignore"):
            slope = np.exp(log_cd + (0.5 * dim - 1.5) * np.log1p(-t * t))
        step = np.where(active, g / slope, 0.0)
        t = t - step
        # Stop at the rounding level of t or of G (~1e-16 absolute).
        active &= np.abs(step) > 4e-16 * np.abs(t) + 1e-16 / slope
    return t


def _polish_t(
    t: NDArray[np.float64],
    log_m: NDArray[np.float64],
    dim: NDArray[np.float64],
    *,
    accurate: bool = False,
) -> NDArray[np.float64]:
    """Two Newton steps in ``t`` on ``log sigma(C_t) - log m`` (``0 < t < 1/2``).

    ``accurate`` evaluates log sigma by :func:`log_cap_upper` (slower; for
    huge dims, where the fast Boost route loses digits).
    """
    a = 0.5 * (dim - 1.0)
    log_cd = log_cap_constant(dim)
    for _ in range(2):
        if accurate:
            log_s = log_cap_upper(t, x_from_t_ld(t), a).astype(np.float64)
        else:
            log_s = _log_cap_fast(t, _x_from_t(t), a)
        slope = np.exp(log_cd + (0.5 * dim - 1.5) * np.log1p(-t * t) - log_s)
        t = t + (log_s - log_m) / slope
    return t


def _tail_region(
    log_m: NDArray[np.float64], dim: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Angle ``theta`` with ``log sigma(cap of radius theta) = log_m <= log 1e-3``.

    Newton's method in ``theta`` on ``log sigma(theta) - log_m``, which is
    increasing and concave, started below the root: the iterates increase
    monotonically to the root.
    """
    a = 0.5 * (dim - 1.0)
    log_cd = log_cap_constant(dim)
    # Lower bounds for the root: sin(theta) <= theta gives
    # sigma(theta) <= c_d theta^(d-1) / (d-1); Ball's bound sigma(C_t) <=
    # exp(-d t^2 / 2) gives t <= sqrt(-2 log mu / d).
    th_small = np.exp((log_m + np.log(dim - 1.0) - log_cd) / (dim - 1.0))
    th_ball = np.arccos(np.sqrt(np.minimum(1.0, -2.0 * log_m / dim)))
    theta = np.minimum(np.maximum(th_small, th_ball), _HALF_PI)
    # Boost's inverse as a closer start where 2 mu is a normal float64 (its
    # error is ~1e-11; Newton then needs two steps).
    with np.errstate(all="ignore"):
        x0 = special.betaincinv(a, 0.5, 2.0 * np.exp(log_m))
        th0 = np.arcsin(np.sqrt(x0))
    good = np.isfinite(th0) & (th0 > 0) & (log_m > -690.0)
    theta = np.where(good, np.clip(th0, theta, _HALF_PI), theta)
    # Below 1e-150 the small-angle bound is exact to float64 (sin = identity);
    # dim = 2 and 3 have closed forms (applied by the caller).
    active = (theta > 1e-150) & (dim > 3)
    for _ in range(60):
        if not np.any(active):
            break
        idx = np.nonzero(active)[0]
        th = theta[idx]
        log_s = _log_cap_angle(th, a[idx])
        g = log_s - log_m[idx]
        with np.errstate(divide="ignore", over="ignore"):
            slope = np.exp(log_cd[idx] + (dim[idx] - 2.0) * np.log(np.sin(th)) - log_s)
        step = g / slope
        new = np.clip(th - step, 0.5 * th, _HALF_PI)
        theta[idx] = new
        # Stop at the rounding level of theta or of log sigma (~1e-14).
        active[idx] = np.abs(new - th) > 4e-16 * new + 1e-14 / slope
    return theta
