"""cvxpy routes of the nearest-error problem: independent cross-checks (private).

Two convex formulations solved by Clarabel through cvxpy, one point at a
time: the hidden-convexity reformulation y = x² (``method="cvxpy"``) and the
Shor semidefinite relaxation (``method="sdp"``).  They take the problem in
the exactly rescaled eigen-coordinates of :mod:`spheres_theory._secular`
(‖z0‖, max|α| and the threshold of order one) and return solver output; the
caller forms residuals and scales back.

No warning filter is installed: cvxpy's and Clarabel's warnings reach the
caller.  Each point is solved once at Clarabel's default settings (tolerance 1e-8,
as cvxpy uses it); a status other than ``OPTIMAL`` raises
:class:`SolverError`.  The squared distance is then known to about
1e-8 · ‖x0‖² in absolute terms, so the relative accuracy of a distance d is
about 1e-8 · ‖x0‖² / d²: each point reports ``accurate`` = whether its
duality gap and that tolerance certify it to ``CONIC_RTOL`` relative.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from .errors import SolverError

__all__ = ["CONIC_RTOL", "conic_solve"]

#: Relative accuracy of a distance from the cvxpy route that the duality gap
#: must certify for the point to be reported ``accurate``.
CONIC_RTOL = 1e-6

#: Clarabel's default gap and feasibility tolerance (cvxpy's defaults are used).
CLARABEL_TOL = 1e-8


def _solve_checked(problem: Any, solver: str, index: int) -> dict[str, Any]:
    """Solve once with the named solver at its default settings; demand OPTIMAL.

    Warnings of cvxpy and the solver (e.g. "Solution may be inaccurate")
    reach the caller; any status but ``OPTIMAL`` raises.
    """
    import cvxpy as cp

    try:
        problem.solve(solver=getattr(cp, solver))
    except cp.error.SolverError as exc:
        msg = f"{solver} failed for point {index}: {exc}"
        raise SolverError(msg) from exc
    if problem.status != cp.OPTIMAL:
        msg = f"{solver} returned {problem.status!r} for point {index}."
        raise SolverError(msg)
    return {"tolerance": CLARABEL_TOL}


class _CvxNearest:
    """The convex y = x² reformulation, built once per (dim, on_manifold).

    Variables are scaled, u = y · dim / ‖x0‖², so that u_i = O(1) (this keeps
    Clarabel's interior-point iterations well conditioned at dim = 500).
    """

    def __init__(self, dim: int, on_manifold: bool) -> None:
        import cvxpy as cp

        self.dim = dim
        self.on_manifold = on_manifold
        self.u = cp.Variable(dim, nonneg=True)
        self.c = cp.Parameter(dim, nonneg=True)
        self.a = cp.Parameter(dim)
        self.b = cp.Parameter()
        if on_manifold:
            self.cons = [cp.sum(self.u) == dim, self.a @ self.u >= self.b]
            obj = cp.Maximize(self.c @ cp.sqrt(self.u) / dim)
        else:
            self.cons = [self.a @ self.u >= self.b]
            obj = cp.Minimize((cp.sum(self.u) - 2 * self.c @ cp.sqrt(self.u)) / dim)
        self.problem = cp.Problem(obj, self.cons)

    def solve(
        self, a: NDArray[np.float64], b: float, z0: NDArray[np.float64], index: int
    ) -> dict[str, Any]:
        d = self.dim
        zz = z0 * z0
        r2_true = float(np.sum(zz))
        r2 = r2_true if r2_true > 0 else 1.0  # x0 = 0 (off the manifold only)
        self.c.value = np.abs(z0) * np.sqrt(d / r2)
        self.a.value = a
        self.b.value = b * d / r2
        info = _solve_checked(self.problem, "CLARABEL", index)
        u = np.maximum(np.asarray(self.u.value, dtype=np.float64), 0.0)
        sgn = np.where(z0 < 0, -1.0, 1.0)
        point = sgn * np.sqrt(u * r2 / d)
        value = float(self.problem.value)
        if self.on_manifold:
            # value = <x, x0>/r², so dist² = r²(2 − 2 value).
            objective = r2 * (2.0 - 2.0 * value)
            mu = float(self.cons[0].dual_value)
            lam = max(float(self.cons[1].dual_value), 0.0)
            # Weak duality: value <= mu d − lam b d/r² + Σ x0²/(4 d r² (mu − lam a)).
            den = mu - lam * a
            feasible = bool(np.all(den[zz > 0] > 0))
            with np.errstate(divide="ignore", invalid="ignore"):
                terms = np.where(zz > 0, zz / (4.0 * d * r2 * den), 0.0)
            ub = mu * d - lam * b * d / r2 + float(np.sum(terms))
            dual = r2 * (2.0 - 2.0 * ub)
            # β-form: mu − lam a_i = (mu − lam b/r²)(1 − τ β_i), β = a − b/r².
            denom = mu - lam * b / r2
            tau = lam / denom if denom != 0 else np.nan
            v = (1.0 - tau * (a - b / r2)) * point
            kappa = 1.0 - float(v @ z0) / float(v @ v)
        else:
            objective = r2 * (value + 1.0) if r2_true > 0 else value
            lam = max(float(self.cons[0].dual_value), 0.0)
            tau = lam * d  # multiplier of the x-space problem
            den = 1.0 - tau * a
            feasible = bool(np.all(den[zz > 0] > 0))
            with np.errstate(divide="ignore", invalid="ignore"):
                terms = np.where(zz > 0, -tau * a * zz / den, 0.0)
            dual = tau * b + float(np.sum(terms))
            kappa = 0.0
        if not feasible:
            msg = (
                f"CLARABEL returned 'optimal' for point {index}, but its "
                "multipliers give no valid dual bound: the duality gap cannot "
                "be certified."
            )
            raise SolverError(msg)
        objective = max(objective, 0.0)
        # d*² lies in [dual, objective] up to the solver's feasibility
        # tolerance (relative to r², the scale of u): the distance is
        # certified to CONIC_RTOL relative only if that interval is narrow.
        slack = max(objective - dual, 0.0) + info["tolerance"] * r2
        accurate = bool(slack <= 2.0 * CONIC_RTOL * objective)
        # The distance from the returned point itself (sqrt(objective) would
        # inherit the cancellation in objective = r²(value + 1)).
        distance = float(np.linalg.norm(point - z0))
        return {
            "point": point,
            "distance": distance,
            "accurate": accurate,
            "objective": objective,
            "dual_objective": dual,
            "tau": tau,
            "kappa": kappa,
            "iterations": int(self.problem.solver_stats.num_iters or 0),
            "tolerance": info["tolerance"],
        }


class _SdpNearest:
    """Shor relaxation: Z = [[X, x], [xᵀ, 1]] ⪰ 0 replaces x xᵀ by X."""

    def __init__(self, dim: int, on_manifold: bool, solver: str) -> None:
        import cvxpy as cp

        self.dim = dim
        self.on_manifold = on_manifold
        self.solver = solver
        self.Z = cp.Variable((dim + 1, dim + 1), PSD=True)
        self.z0 = cp.Parameter(dim)
        self.a = cp.Parameter(dim)
        self.b = cp.Parameter()
        X = self.Z[:dim, :dim]
        x = self.Z[:dim, dim]
        diag = cp.diag(X)
        self.cons = [self.a @ diag >= self.b, self.Z[dim, dim] == 1]
        if on_manifold:
            self.r2 = cp.Parameter(nonneg=True)
            self.cons.append(cp.trace(X) == self.r2)
            obj = cp.Maximize(self.z0 @ x)
        else:
            obj = cp.Minimize(cp.trace(X) - 2 * self.z0 @ x)
        self.problem = cp.Problem(obj, self.cons)

    def solve(
        self, a: NDArray[np.float64], b: float, z0: NDArray[np.float64], index: int
    ) -> dict[str, Any]:
        d = self.dim
        r2 = float(z0 @ z0)
        self.z0.value = z0
        self.a.value = a
        self.b.value = b
        if self.on_manifold:
            self.r2.value = r2
        info = _solve_checked(self.problem, self.solver, index)
        Z = np.asarray(self.Z.value, dtype=np.float64)
        Z = 0.5 * (Z + Z.T)
        ev = np.linalg.eigvalsh(Z)[::-1]
        top = max(ev[0], np.finfo(float).tiny)
        rank = int(np.sum(ev > 1e-6 * top))
        gap = float(max(ev[1], 0.0) / top) if d >= 1 else 0.0
        x = Z[:d, d]
        value = float(self.problem.value)
        if self.on_manifold:
            objective = max(2.0 * r2 - 2.0 * value, 0.0)
        else:
            objective = max(value + r2, 0.0)
        # Recover a point: x itself if rank 1; in the hard case the optimum
        # mixes the two mirror points, x ± sqrt(s) v with s, v the top
        # eigenpair of the covariance X − x xᵀ.
        cov = Z[:d, :d] - np.outer(x, x)
        w, V = np.linalg.eigh(0.5 * (cov + cov.T))
        point = x.copy()
        if w[-1] > 1e-6 * top:
            v = V[:, -1]
            k = int(np.argmax(np.abs(v)))
            v = v if v[k] >= 0 else -v
            point = x + np.sqrt(w[-1]) * v
        return {
            "point": point,
            "distance": np.sqrt(objective),
            "objective": objective,
            "dual_objective": np.nan,
            "tau": np.nan,
            "kappa": np.nan,
            "iterations": int(self.problem.solver_stats.num_iters or 0),
            "tolerance": info["tolerance"] if self.solver == "CLARABEL" else 1e-4,
            "rank": rank,
            "eigen_gap": gap,
        }


def conic_solve(
    alphas: NDArray[np.float64],
    threshold: NDArray[np.float64],
    z: NDArray[np.float64],
    sign: NDArray[np.float64],
    on_manifold: bool,
    method: str,
    solve: NDArray[np.bool_],
) -> dict[str, Any]:
    """One conic solve per row where ``solve`` is True (scaled inputs).

    Returns arrays of the solver's point, distance, objective, dual bound,
    multipliers, iterations, rank and eigen-gap (NaN/−1 where not solved),
    the solver name and the loosest tolerance used.
    """
    n, d = z.shape
    solver = "CLARABEL"
    if method == "sdp":
        import cvxpy as cp

        if "CLARABEL" not in cp.installed_solvers():  # pragma: no cover
            solver = "SCS"
        model: Any = _SdpNearest(d, on_manifold, solver)
    else:
        model = _CvxNearest(d, on_manifold)
    keys = (
        "distance",
        "objective",
        "dual_objective",
        "tau",
        "kappa",
        "eigen_gap",
        "accurate",
    )
    out: dict[str, Any] = {k: np.full(n, np.nan) for k in keys}
    out["point"] = np.full((n, d), np.nan)
    out["iterations"] = np.zeros(n, dtype=np.int64)
    out["rank"] = np.full(n, -1)
    tol = 1e-10
    for i in np.flatnonzero(solve):
        res = model.solve(sign[i] * alphas, sign[i] * threshold[i], z[i], int(i))
        out["point"][i] = res["point"]
        for k in keys:
            out[k][i] = res.get(k, np.nan)
        out["iterations"][i] = res["iterations"]
        out["rank"][i] = res.get("rank", -1)
        tol = max(tol, res["tolerance"])
    out["solver"] = solver
    out["tolerance"] = float(tol) if solver == "CLARABEL" else 1e-4
    return out
