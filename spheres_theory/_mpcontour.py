"""The contour integral of the generalized χ² distribution in mpmath (private).

An oracle route, independent of the float64 one: the crossing point, the
Gaussian width, the slope of the path and the breakpoints of the quadrature
are all computed here in mpmath at the working precision; nothing is taken
from :mod:`spheres_theory._contour`.  Slow (seconds for hundreds of weights).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray


def mpmath_tail(
    lam: NDArray[np.float64],
    nu: NDArray[np.float64],
    nc: NDArray[np.float64],
    sig: float,
    x: float,
    upper: bool,
    dps: int,
) -> tuple[float, float, float]:
    """(log P, relative error estimate, crossing point) of one merged form.

    P(Q > x) (or P(Q <= x)) = exp(K(c) − c x)/(π|c|) ∫_0^∞ Re[e^{L(t)} (β + i)/i] dt
    along the ray s = c + t(β + i), L = K(s) − K(c) − (s − c) x − log(s/c),
    with c the minimiser of K(s) − s x − log|s| on the tail's side of the
    pole (bisection on its derivative) and β = ±1/4 towards the side where
    the integrand decays.  ``mpmath.quad`` (Gauss–Legendre) on unit
    subintervals of u, t = τ sinh u (τ the Gaussian width); its error
    estimate is returned.
    """
    import mpmath

    keep = nu > 0
    with mpmath.workdps(dps):
        mpf = mpmath.mpf
        w = [mpf(float(v)) for v in lam[keep]]
        n = [mpf(float(v)) for v in nu[keep]]
        lc = [mpf(float(v)) for v in nc[keep]]
        s2 = mpf(float(sig)) ** 2
        xm = mpf(float(x))
        sgn = 1 if upper else -1
        terms = list(zip(w, n, lc, strict=True))

        def dphi(s: Any) -> tuple[Any, Any]:
            d1 = s2 * s - xm - 1 / s
            d2 = s2 + 1 / s**2
            for wj, nj, cj in terms:
                a = 1 - 2 * wj * s
                d1 += nj * wj / a + cj * wj / a**2
                d2 += 2 * nj * wj**2 / a**2 + 4 * cj * wj**2 / a**3
            return d1, d2

        c = _crossing(dphi, w, n, lc, s2, xm, sgn)
        tau = 1 / mpmath.sqrt(dphi(c)[1])

        def cgf(s: Any) -> Any:
            k = s2 * s**2 / 2
            for wj, nj, cj in terms:
                a = 1 - 2 * wj * s
                k += -nj * mpmath.log(a) / 2 + cj * wj * s / a
            return k

        kc = cgf(c)
        # Bend towards the side where exp(−s (x − σ²c)) decays; with no such
        # term, towards the side where the phase turns into decay.
        xe = xm - s2 * c
        if xe != 0:
            beta = mpf(1) / 4 * mpmath.sign(xe)
        else:
            omega = -xe
            for wj, nj, _ in terms:
                q = 2 * wj / (1 - 2 * wj * c)
                omega += nj * q / (2 * (1 + (4 * q * tau) ** 2))
            beta = -mpf(1) / 4 * mpmath.sign(omega)
        direction = mpmath.mpc(beta, 1)

        def integrand(t: Any) -> Any:
            z = t * direction
            s = c + z
            log_f = cgf(s) - kc - xm * z - mpmath.log(s / c)
            return mpmath.re(mpmath.exp(log_f) * direction / 1j)

        # t = τ sinh(u): the algebraic decay in t becomes exponential in u;
        # Gauss–Legendre on unit intervals of u up to the cut-off.
        def in_u(u: Any) -> Any:
            return integrand(tau * mpmath.sinh(u)) * tau * mpmath.cosh(u)

        pts = [mpf(0)]
        cut = -(dps + 10) * math.log(10.0) - 5
        for k in range(1, 4000):
            u = mpf(k) / 2
            pts.append(u)
            t = tau * mpmath.sinh(u)
            z = t * direction
            val = mpmath.re(cgf(c + z) - kc - xm * z - mpmath.log((c + z) / c))
            if val + u < cut:
                break
        integral, err = mpmath.quad(in_u, pts, error=True, method="gauss-legendre")
        if integral <= 0:
            return math.nan, math.inf, float(c)
        log_p = kc - c * xm - mpmath.log(mpmath.pi * abs(c)) + mpmath.log(integral)
        return float(log_p), float(abs(err / integral)), float(c)


def _crossing(
    dphi: Any, w: list[Any], n: list[Any], lc: list[Any], s2: Any, xm: Any, sgn: int
) -> Any:
    """Root of φ'(s) on the tail's side of the pole, by bisection in mpmath."""
    import mpmath

    side = [wj * sgn for wj in w if wj * sgn > 0]
    if side:
        far = 1 / (2 * max(side))
    else:  # φ' >= σ²s − x − C/s on this side (see the float64 route's notes)
        cc = mpmath.fsum(n) / 2 + mpmath.fsum(lc) / 8 + 1
        xs = xm * sgn
        far = (xs + mpmath.sqrt(xs**2 + 4 * s2 * cc)) / (2 * s2) if s2 else cc / -xs
        far *= 2
    lo, hi = mpmath.mpf(0), far
    s = far / 2
    while dphi(sgn * s)[0] * sgn > 0:  # walk down until φ' < 0
        hi = s
        s /= 2
    lo = s
    for _ in range(4000):
        mid = mpmath.sqrt(lo * hi) if hi > 4 * lo else (lo + hi) / 2
        if dphi(sgn * mid)[0] * sgn > 0:
            hi = mid
        else:
            lo = mid
        if hi - lo < hi * mpmath.mpf(2) ** (-40):
            break
    return sgn * (lo + hi) / 2
