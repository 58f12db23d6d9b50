"""Trust-region and point-to-quadric problems with a linear term (private).

Everything works in the eigenbasis of the quadric: f(z) = Σ α_i z_i² + Σ b_i z_i.

* :func:`sphere_max` — max of f over the sphere ‖z‖ = r (the trust-region
  problem on its boundary, hard case included).  For every δ > 0,
  U(δ) = (α_max + δ) r² + Σ b_i² / (4 (δ + g_i)), g_i = α_max − α_i, is an upper
  bound (Lagrangian duality with multiplier λ = α_max + δ), and every point of
  the sphere gives a lower bound; the secular equation
  Σ b_i² / (4 (δ + g_i)²) = r² is the stationarity condition of U, so the two
  bounds meet at its root.  The result carries both bounds.
* :func:`nearest_superlevel` — min ‖z − z0‖ subject to f(z) + c ≥ 0 from a
  point with f(z0) + c < 0 (a quadratically constrained least-squares problem
  with one constraint: strong duality by the S-lemma).  For μ in [0, 1/α_max)
  the dual function ‖z(μ) − z0‖² − μ (f(z(μ)) + c), z_i(μ) = (z0_i + μ b_i/2) /
  (1 − μ α_i), is a lower bound on the squared distance and f(z(μ)) + c is
  increasing in μ; a point with f + c ≥ 0 is an upper bound.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__: list[str] = []

_ITER = 400  # bisection steps (log-scale then linear): far beyond what is needed


@dataclass(frozen=True, slots=True)
class Bounded:
    """A value known to lie in ``[lower, upper]``, and a point attaining ``lower``."""

    lower: float
    upper: float
    point: NDArray[np.float64]
    hard_case: bool

    @property
    def value(self) -> float:
        """Midpoint of the certified interval."""
        return 0.5 * (self.lower + self.upper)


def _f(alphas: NDArray, b: NDArray, z: NDArray) -> float:
    return float(np.sum(alphas * z * z) + np.sum(b * z))


def _bisect_log(phi, lo: float, hi: float) -> tuple[float, float]:
    """Root of a decreasing ``phi`` on (lo, hi) with phi(lo) > 0 >= phi(hi)."""
    for _ in range(_ITER):
        mid = np.sqrt(lo * hi) if hi > 4 * lo else 0.5 * (lo + hi)
        if not lo < mid < hi:
            break
        if phi(mid) > 0:
            lo = mid
        else:
            hi = mid
    return lo, hi


def sphere_max(alphas: NDArray, b: NDArray, r: float) -> Bounded:
    """Certified max of Σ α_i z_i² + b_i z_i over ‖z‖ = r (see module notes).

    Parameters
    ----------
    alphas, b : ndarray, shape (dim,)
        Eigenvalues and linear coefficients in the eigenbasis.
    r : float
        Radius > 0.

    Returns
    -------
    Bounded
        ``lower`` = f at ``point`` (on the sphere), ``upper`` = a dual bound.
    """
    a = float(alphas.max())
    g = a - alphas  # >= 0, exactly 0 on the top eigenspace
    q = 0.25 * b * b
    top = g == 0
    r2 = r * r
    if not np.any(q[top] > 0):
        rest = float(np.sum(q[~top] / g[~top] ** 2))
        if rest <= r2:  # hard case: λ = α_max
            z = np.zeros_like(b)
            z[~top] = 0.5 * b[~top] / g[~top]
            i = int(np.flatnonzero(top)[0])
            z[i] = np.sqrt(max(r2 - float(np.sum(z * z)), 0.0))
            z *= r / np.linalg.norm(z)
            upper = a * r2 + float(np.sum(q[~top] / g[~top]))
            return Bounded(_f(alphas, b, z), upper, z, True)

    def phi(d: float) -> float:
        return float(np.sum(q / (d + g) ** 2)) - r2

    hi = float(np.sqrt(np.sum(q))) / r
    hi = max(hi, np.finfo(float).tiny)
    lo = hi
    while phi(lo) <= 0 and lo > 1e-300 * hi:
        lo *= 1e-8
    lo, hi = _bisect_log(phi, lo, hi) if phi(lo) > 0 else (lo, lo)
    best = None
    for d in (lo, hi):
        z = 0.5 * b / (d + g)
        n = float(np.linalg.norm(z))
        if n == 0:
            continue
        z = z * (r / n)
        val = _f(alphas, b, z)
        if best is None or val > best[0]:
            best = (val, z)
    upper = min((a + d) * r2 + float(np.sum(q / (d + g))) for d in (lo, hi))
    if best is None:  # b = 0 (caught above) — defensive
        z = np.zeros_like(b)
        z[int(np.argmax(alphas))] = r
        best = (_f(alphas, b, z), z)
    return Bounded(best[0], max(upper, best[0]), best[1], False)


def sphere_min(alphas: NDArray, b: NDArray, r: float) -> Bounded:
    """Certified min of Σ α_i z_i² + b_i z_i over ‖z‖ = r.

    Parameters
    ----------
    alphas, b : ndarray, shape (dim,)
        Eigenvalues and linear coefficients in the eigenbasis.
    r : float
        Radius > 0.

    Returns
    -------
    Bounded
        ``lower`` a dual bound, ``upper`` = f at ``point``.
    """
    m = sphere_max(-alphas, -b, r)
    return Bounded(-m.upper, -m.lower, m.point, m.hard_case)


def nearest_superlevel(
    alphas: NDArray, b: NDArray, c: float, z0: NDArray
) -> Bounded | None:
    """Certified min ‖z − z0‖ subject to Σ α_i z_i² + b_i z_i + c >= 0.

    Parameters
    ----------
    alphas, b : ndarray, shape (dim,)
        Eigenvalues and linear coefficients in the eigenbasis.
    c : float
        Constant term.
    z0 : ndarray, shape (dim,)
        Start, with f(z0) + c < 0.

    Returns
    -------
    Bounded or None
        Bounds on the distance and a feasible ``point`` attaining ``upper``;
        None when the superlevel set is empty (no such point exists).
    """
    a = float(alphas.max())
    if a <= 0:
        return _nearest_concave(alphas, b, c, z0)
    g = a - alphas  # >= 0

    # μ = (1 − e)/a, so 1 − μ α_i = (g_i + e α_i)/a without cancellation
    def z_of(e: float) -> NDArray:
        return (z0 + 0.5 * (1.0 - e) / a * b) * a / (g + e * alphas)

    def h(e: float) -> float:  # decreasing in e; h(1) = f(z0) + c < 0
        with np.errstate(over="ignore", invalid="ignore"):
            val = _f(alphas, b, z_of(e)) + c
        return np.inf if np.isnan(val) else val  # the quadratic term dominates

    e_lo = 1e-300
    if h(e_lo) <= 0:  # hard case (or empty set): fill the top eigenspace
        return _hard_case(alphas, b, c, z0, a, 1.0 / a)
    e_lo, e_hi = _bisect_log(h, e_lo, 1.0)
    zf = z_of(e_lo)  # feasible: f + c > 0
    zd = z_of(e_hi)  # dual point: μ = (1 − e_hi)/a
    mu = (1.0 - e_hi) / a
    dual = float(np.sum((zd - z0) ** 2)) - mu * (_f(alphas, b, zd) + c)
    upper = float(np.linalg.norm(zf - z0))
    lower = float(np.sqrt(max(dual, 0.0)))
    return Bounded(min(lower, upper), upper, zf, False)


def _nearest_concave(
    alphas: NDArray, b: NDArray, c: float, z0: NDArray
) -> Bounded | None:
    """Case α_max <= 0: μ ranges over [0, ∞)."""

    def z_of(mu: float) -> NDArray:
        return (z0 + 0.5 * mu * b) / (1.0 - mu * alphas)

    def h(mu: float) -> float:
        return _f(alphas, b, z_of(mu)) + c

    hi = 1.0
    while h(hi) < 0 and hi < 1e300:
        hi *= 4.0
    if h(hi) < 0:
        return None  # sup of f + c is negative: no such point
    lo = 0.0
    for _ in range(_ITER):
        mid = 0.5 * (lo + hi)
        if not lo < mid < hi:
            break
        if h(mid) < 0:
            lo = mid
        else:
            hi = mid
    zf, zd = z_of(hi), z_of(lo)
    dual = float(np.sum((zd - z0) ** 2)) - lo * (_f(alphas, b, zd) + c)
    upper = float(np.linalg.norm(zf - z0))
    lower = float(np.sqrt(max(dual, 0.0)))
    return Bounded(min(lower, upper), upper, zf, False)


def _hard_case(
    alphas: NDArray, b: NDArray, c: float, z0: NDArray, a: float, mu_max: float
) -> Bounded | None:
    top = alphas == a
    rest = ~top
    z = np.empty_like(z0)
    z[rest] = (z0[rest] + 0.5 * mu_max * b[rest]) / (1.0 - mu_max * alphas[rest])
    # on the top eigenspace z_top = z0_top + t·v with the level reached
    z[top] = z0[top]
    need = -(_f(alphas, b, z) + c)
    # moving along a top eigenvector v from z0_top: f changes by
    # a t² + t (2 a z0_top + b_top)·v ; choose v = e_i (first top index)
    i = int(np.flatnonzero(top)[0])
    lin = 2 * a * z0[i] + b[i]
    disc = lin * lin + 4 * a * need
    if disc < 0:
        return None
    t = (-lin + np.sqrt(disc)) / (2 * a)
    z[i] = z0[i] + t
    zf = z
    upper = float(np.linalg.norm(zf - z0))
    zt = z0.copy()
    zt[rest] = z[rest]
    lower_sq = float(np.sum((z[rest] - z0[rest]) ** 2))
    lower_sq -= mu_max * (_f(alphas, b, zt) + c)
    lower = float(np.sqrt(max(lower_sq, 0.0)))
    return Bounded(min(lower, upper), upper, zf, True)
