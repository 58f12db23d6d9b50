"""Nearest point of a quadric's superlevel set on a sphere: SDP with rank certificate.

Private.  For ‖z0‖ = r, min ‖z − z0‖ subject to ‖z‖ = r and f(z) + c >= 0,
f(z) = Σ α_i z_i² + b_i z_i, is max z0ᵀz over the same set (‖z − z0‖² =
2r² − 2 z0ᵀz): two quadratic constraints, not convex.  Its Shor relaxation

    max z0ᵀx  s.t.  [[X, x], [xᵀ, 1]] ⪰ 0,  tr X = r²,  ⟨diag α, X⟩ + bᵀx + c >= 0

(cvxpy + Clarabel) bounds z0ᵀz from above, so its value (plus the duality gap)
gives a certified *lower* bound on the distance.  A feasible point gives the
*upper* bound: the relaxation's x scaled to the sphere, moved along the great
circle towards a known feasible point (the trust-region maximiser) by
bisection until f + c >= 0 holds in floating point.  When the relaxation's
matrix has rank one (second eigenvalue <= 1e-7 of the first) the two bounds
meet: the answer is exact; otherwise the interval is returned, never a bare
number.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ._trust_region import Bounded, sphere_max
from .errors import SolverError

__all__: list[str] = []

_RANK_TOL = 1e-7


def _f(alphas: NDArray, b: NDArray, c: float, z: NDArray) -> float:
    return float(np.sum(alphas * z * z) + np.sum(b * z) + c)


def _arc_feasible(alphas, b, c, start, good, r) -> NDArray:
    """Point of the arc start → good (on the sphere) nearest start with f + c >= 0."""
    if _f(alphas, b, c, start) >= 0:
        return start
    lo, hi = 0.0, 1.0  # lo infeasible, hi feasible
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if not lo < mid < hi:
            break
        p = (1 - mid) * start + mid * good
        n = np.linalg.norm(p)
        if n == 0:
            lo = mid
            continue
        if _f(alphas, b, c, r * p / n) >= 0:
            hi = mid
        else:
            lo = mid
    p = (1 - hi) * start + hi * good
    return r * p / np.linalg.norm(p)


def nearest_on_sphere(
    alphas: NDArray, b: NDArray, c: float, z0: NDArray
) -> tuple[Bounded, bool] | None:
    """Certified on-sphere distance from z0 to {f + c >= 0}; None if empty.

    Parameters
    ----------
    alphas, b : ndarray, shape (dim,)
        Eigenvalues and linear coefficients in the eigenbasis.
    c : float
        Constant term.
    z0 : ndarray, shape (dim,)
        Start (not in the set).

    Returns
    -------
    (Bounded, bool) or None
        Bounds on the distance with a feasible point at ``upper``, and whether
        the rank certificate holds.

    Raises
    ------
    SolverError
        If Clarabel does not report an optimal solution.
    """
    import cvxpy as cp

    r = float(np.linalg.norm(z0))
    top = sphere_max(alphas, b, r)
    if top.upper + c < 0:
        return None  # no point of the sphere has f + c >= 0
    good = top.point
    d = z0.size
    M = cp.Variable((d + 1, d + 1), symmetric=True)
    X, x = M[:d, :d], M[:d, d]
    cons = [
        M >> 0,
        M[d, d] == 1,
        cp.trace(X) == r * r,
        cp.sum(cp.multiply(alphas, cp.diag(X))) + b @ x + c >= 0,
    ]
    prob = cp.Problem(cp.Maximize(z0 @ x), cons)
    prob.solve(solver=cp.CLARABEL)
    if prob.status != cp.OPTIMAL:
        msg = f"CLARABEL returned {prob.status!r} for the on-sphere nearest error."
        raise SolverError(msg)
    value = float(prob.value)
    # an upper bound on z0ᵀz: the value plus a margin for the solver's
    # primal-dual gap (Clarabel's default tolerance is ~1e-8 relative)
    tol = 1e-7 * (abs(value) + r * r)
    lower = float(np.sqrt(max(2 * r * r - 2 * (value + tol), 0.0)))
    ev = np.linalg.eigvalsh(M.value)
    rank_one = bool(ev[-2] <= _RANK_TOL * max(ev[-1], 1e-300))
    cand = np.asarray(x.value, dtype=float)
    n = np.linalg.norm(cand)
    start = r * cand / n if n > 0 else good
    point = _arc_feasible(alphas, b, c, start, good, r)
    upper = float(np.linalg.norm(point - z0))
    alt = float(np.linalg.norm(good - z0))
    if alt < upper:
        point, upper = good, alt
    return Bounded(min(lower, upper), upper, point, False), rank_one
