"""Exact nearest errors of a quadratic rule, on and off the sphere, certified.

For the rule "outer iff Σ α_i z_i² > c" (z = basisᵀx, c = ``rule.threshold``)
the nearest point of the other class to a point x0 solves a quadratically
constrained least-squares problem with one constraint (off the data manifold)
or two (on the sphere ‖x‖ = ‖x0‖).  Both reduce to a monotone scalar *secular
equation* in the eigenbasis [2]_ [3]_, solved here to full float64 accuracy for whole
batches at once; a convex reformulation solved by cvxpy/Clarabel and the Shor
semidefinite relaxation give independent certificates (Gilmer et al. 2018 [1]_
measured these distances with attacks, which only give upper bounds).

The exact mean distance to the nearest error d(E) of a rule on a sphere then
follows by averaging exact per-point distances over uniform samples
(:func:`mean_distance_to_error`), and is compared with the isoperimetric
(Lévy) bound d*(μ) of a cap with the rule's exact error rate μ.

References
----------
.. [1] J. Gilmer, L. Metz, F. Faghri, S. S. Schoenholz, M. Raghu,
   M. Wattenberg, I. Goodfellow, "Adversarial Spheres", arXiv:1801.02774, 2018.
.. [2] D. Eberly, "Distance from a point to an ellipse, an ellipsoid, or a
   hyperellipsoid", Geometric Tools, 2013.
.. [3] J. J. Moré, D. C. Sorensen, "Computing a trust region step",
   SIAM J. Sci. Stat. Comput. 4(3), 553-572, 1983.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validation import (
    check_bool,
    check_choice,
    check_int,
    check_method,
    check_points,
    check_sphere,
)
from .concentration import optimal_mean_distance
from .errors import SolverError
from .rules import QuadraticRule, _check_spheres
from .sphere import ConcentricSpheres, _chord_to_arc

if TYPE_CHECKING:  # pragma: no cover
    from .quadforms import TailProbability

__all__ = [
    "MeanDistanceResult",
    "NearestCertificate",
    "NearestError",
    "mean_distance_to_error",
    "nearest_error",
]

_EPS = np.finfo(np.float64).eps
# Relative step size at which the safeguarded Newton iteration stops (a final
# Newton step is then applied: the error after it is ~ eps).
_NEWTON_RTOL = 1e-10
_MAXITER = 200

# Status codes of one point (stored as small integers in batches).
_SOLVED = 0
_HARD = 1
_MISCLASSIFIED = 2
_NO_ERROR = 3


def _rownorm(a: NDArray[np.float64]) -> NDArray[np.float64]:
    """Euclidean norm of each row (one pass, no temporary)."""
    return np.sqrt(np.einsum("ij,ij->i", a, a))


def _weights(
    A: NDArray[np.float64],
    gap: NDArray[np.float64],
    inv: NDArray[np.float64],
    tau: NDArray[np.float64],
    dlt: NDArray[np.float64],
) -> NDArray[np.float64]:
    """w_i = 1 − τ A_i, with the positive-A terms as (gap_i/A_max + δ A_i).

    τ + δ = 1/A_max; both are kept to relative accuracy, so w is accurate
    even when it is tiny (τ near the pole 1/A_max) or when 1/A_max ≫ τ.
    """
    near = gap * inv[:, None] + dlt[:, None] * A
    far = 1.0 - tau[:, None] * A
    return np.where(A > 0, near, far)


def _hard_case(
    A: NDArray[np.float64],
    gap: NDArray[np.float64],
    b: NDArray[np.float64],
    z: NDArray[np.float64],
) -> tuple[
    NDArray[np.bool_],
    NDArray[np.float64],
    NDArray[np.float64],
    NDArray[np.float64],
    NDArray[np.bool_],
]:
    """Hard-case test: no component on the top eigenspace and g(1/A_max) <= 0.

    Returns the flags, g without the top terms at the pole, A_max, 1/A_max
    (0 where A_max <= 0) and the top-eigenspace mask.
    """
    m = z.shape[0]
    amax = np.max(A, axis=1)
    pos = amax > 0
    inv = np.zeros(m)
    np.divide(1.0, amax, out=inv, where=pos)
    top = gap == 0
    zt2 = np.sum(np.where(top, z * z, 0.0), axis=1)
    g_rest = np.full(m, np.inf)  # only needed where zt2 == 0
    cand = np.flatnonzero(pos & (zt2 == 0))
    if cand.size:
        Ac, gc, tc = A[cand], gap[cand], top[cand]
        ic = inv[cand]
        w0 = _weights(Ac, gc, ic, ic, np.zeros(cand.size)) + np.where(tc, 1.0, 0.0)
        y0 = z[cand] / w0
        g_rest[cand] = np.sum(np.where(tc, 0.0, Ac * y0 * y0), axis=1) - b[cand]
    hard = pos & (zt2 == 0) & (g_rest <= 0)
    return hard, g_rest, amax, inv, top


def _secular_rows(
    A: NDArray[np.float64],
    gap: NDArray[np.float64],
    b: NDArray[np.float64],
    z: NDArray[np.float64],
) -> tuple[
    NDArray[np.float64],
    NDArray[np.float64],
    NDArray[np.float64],
    NDArray[np.bool_],
    NDArray[np.int64],
    NDArray[np.intp],
]:
    """Solve g(τ) = Σ_i A_i z_i²/(1 − τA_i)² − b = 0 on the branch 1 − τA ≥ 0.

    Row-wise (vectorised) for A, gap, z of shape (m, d) and b of shape (m,),
    where gap = max_j A_j − A ≥ 0 (exactly 0 on the top eigenspace).  Requires
    g(0) = Σ A z² − b < 0 and either max A > 0 or b < 0 (so that a root or the
    hard case exists).

    Returns
    -------
    y : (m, d)
        Stationary point y_i = z_i/(1 − τA_i) (hard case: top component set
        by the constraint, placed on the first top index with sign +).
    w : (m, d)
        1 − τA_i (0 on the top eigenspace in the hard case).
    tau : (m,)
        The multiplier τ.
    hard : (m,) bool
    iterations : (m,) int
    unconverged : (k,) int
        Rows that hit the iteration limit (the caller raises).

    Notes
    -----
    Safeguarded Newton on ψ(τ) = P^(−1/2) − Q^(−1/2), where P = Σ_{A>0} A y²
    carries the poles and Q = b − Σ_{A≤0} A y² (ψ is nearly linear near the
    pole, as in Moré–Sorensen), on g itself where P or Q is not positive;
    bisection (geometric in δ = 1/A_max − τ) when a step leaves the bracket
    or |g| stops shrinking.  Typically 5–7 iterations.
    """
    m, _ = z.shape
    hard, g_rest, amax, inv, top = _hard_case(A, gap, b, z)
    pos = amax > 0
    zz = z * z
    zt2 = np.sum(np.where(top, zz, 0.0), axis=1)

    # Brackets [tau_lo, tau_hi] (with their δ twins): g(tau_lo) < 0 <= g(tau_hi).
    neg_part = np.einsum("ij,ij->i", np.minimum(A, 0.0), zz)
    kk = b - neg_part  # > 0 because g(0) < 0
    with np.errstate(divide="ignore", invalid="ignore"):
        d_hi = np.where(pos, np.sqrt(zt2 / (amax * kk)), 0.0)
    t_hi_neg = np.zeros(m)
    npos = np.flatnonzero(~pos)  # no pole: bracket from Σ z²/|A| over A < 0
    if npos.size:
        An = A[npos]
        ratio = np.where(An < 0, zz[npos] / np.abs(np.where(An < 0, An, 1.0)), 0.0)
        t_hi_neg[npos] = np.sqrt(np.sum(ratio, axis=1) / -b[npos])
    # Shrink the bounds a little so that g(t_hi) > 0 survives rounding (the
    # bounds are exact when only one eigenspace is active).
    d_hi = np.minimum(0.999 * d_hi, inv)
    t_hi_neg = 1.001 * t_hi_neg
    t_hi = np.where(pos, inv - d_hi, t_hi_neg)
    t_lo = np.zeros(m)
    d_lo = inv.copy()

    tau = np.where(hard, inv, 0.0)
    dlt = np.where(hard, 0.0, inv)
    iters = np.zeros(m, dtype=np.int64)
    active = np.flatnonzero(~hard)
    g_prev = np.full(m, np.inf)

    # Columns are sorted so that A > 0 only in the first k (see
    # _secular_batch); check it, and fall back to k = d otherwise.
    d = z.shape[1]
    k = int(np.max(np.sum(A > 0, axis=1), initial=0))
    if k < d and np.any(A[:, k:] > 0):
        k = d
    Az2 = A * zz
    A2z2 = A * Az2
    A_n, A_f = A[:, :k], A[:, k:]
    G_n = gap[:, :k] * inv[:, None]
    Az2_n, Az2_f = Az2[:, :k], Az2[:, k:]
    A2z2_n, A2z2_f = A2z2[:, :k], A2z2[:, k:]

    for _ in range(_MAXITER):
        if active.size == 0:
            break
        ta, da, inva = tau[active], dlt[active], inv[active]
        # Pole block (columns < k, where A may be > 0): accurate weights.
        An = A_n[active]
        wn = np.where(An > 0, G_n[active] + da[:, None] * An, 1.0 - ta[:, None] * An)
        un = 1.0 / wn
        Ay2n = Az2_n[active] * un * un  # A_i y_i²
        dgn = 2.0 * A2z2_n[active] * un * un * un  # d(A_i y_i²)/dτ >= 0
        posm = An > 0
        P = np.sum(np.where(posm, Ay2n, 0.0), axis=1)
        Pp = np.sum(np.where(posm, dgn, 0.0), axis=1)
        N = np.sum(Ay2n, axis=1) - P
        gp = np.sum(dgn, axis=1)
        if k < d:  # the rest: A <= 0, so 1 − τA >= 1 has no cancellation
            uf = 1.0 / (1.0 - ta[:, None] * A_f[active])
            uf2 = uf * uf
            N += np.einsum("ij,ij->i", Az2_f[active], uf2)
            gp += 2.0 * np.einsum("ij,ij,ij->i", A2z2_f[active], uf2, uf)
        ba = b[active]
        # g = P − Q with P = Σ_{A>0} A y² (poles) and Q = b − Σ_{A<=0} A y².
        Q = ba - N
        g = P - Q
        noise = 8.0 * _EPS * (P - N + np.abs(ba))
        iters[active] += 1
        # Update the bracket [t_lo, t_hi] (g < 0 at t_lo, g >= 0 at t_hi).
        below = g < 0
        tl = np.where(below, ta, t_lo[active])
        dl = np.where(below, da, d_lo[active])
        th = np.where(below, t_hi[active], ta)
        dh = np.where(below, d_hi[active], da)
        t_lo[active], d_lo[active], t_hi[active], d_hi[active] = tl, dl, th, dh
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            # Newton on ψ = P^(-1/2) − Q^(-1/2), nearly linear near the pole
            # (Moré–Sorensen-like); plain Newton on g where ψ is undefined.
            use_psi = (P > 0) & (Q > 0)
            sp = np.sqrt(np.where(use_psi, P, 1.0))
            sq = np.sqrt(np.where(use_psi, Q, 1.0))
            psi = 1.0 / sp - 1.0 / sq
            dpsi = -0.5 * Pp / (P * sp) - 0.5 * (gp - Pp) / (Q * sq)
            step = np.where(use_psi, -psi / dpsi, -g / gp)
        posa = pos[active]
        # Magnitude of the smaller of (τ, δ): the relative convergence scale.
        scale = np.where(posa, np.minimum(ta, da), ta)
        done = (np.abs(g) <= noise) | (np.abs(step) <= _NEWTON_RTOL * scale)
        t_new = ta + step
        d_new = da - step
        # Bracket test in the accurate representation (δ near the pole).
        in_br = np.where(
            posa & (da < ta), (d_new < dl) & (d_new > dh), (t_new > tl) & (t_new < th)
        )
        in_br &= np.isfinite(step)
        # Newton while it keeps |g| shrinking; otherwise bisect once.
        newton = in_br & (np.abs(g) <= 0.7 * g_prev[active])
        # Safeguard: bisect (geometrically in δ when the pole side is far).
        geo = posa & (dh > 0) & (dl > 8.0 * dh)
        d_mid = np.where(geo, np.sqrt(np.where(geo, dl * dh, 0.0)), 0.5 * (dl + dh))
        t_mid = np.where(geo, inva - d_mid, 0.5 * (tl + th))
        use_new = np.where(done, in_br, newton)
        t_next = np.where(use_new, t_new, np.where(done, ta, t_mid))
        d_next = np.where(use_new, d_new, np.where(done, da, d_mid))
        # Keep the smaller of (τ, δ) accurate and derive the other from it.
        small_t = t_next <= d_next
        tau[active] = np.where(posa & ~small_t, inva - d_next, t_next)
        dlt[active] = np.where(posa & small_t, inva - t_next, d_next)
        g_prev[active] = np.where(use_new, np.abs(g), np.inf)
        active = active[~done]
    unconverged = active

    w = _weights(A, gap, inv, tau, dlt)
    hw = hard[:, None] & top
    w = np.where(hw, 0.0, w)
    tau = np.where(hard, inv, tau)
    y = np.where(hw, 0.0, z / np.where(hw, 1.0, w))
    if np.any(hard):
        rows = np.flatnonzero(hard)
        first = np.argmax(top[rows], axis=1)
        y[rows, first] = np.sqrt(np.maximum(-g_rest[rows], 0.0) / amax[rows])
    return y, w, tau, hard, iters, unconverged


def _problem_rows(
    alphas: NDArray[np.float64],
    threshold: float,
    z: NDArray[np.float64],
    sign: NDArray[np.float64],
    on_manifold: bool,
) -> dict[str, Any]:
    """Per-row data of "min ‖x − z‖ s.t. Σ A_i x_i² ≥ b (and ‖x‖ = ‖z‖)".

    ``sign`` is +1 for points of class 0 (error region Σ α x² ≥ c) and −1 for
    class 1 (error region Σ α x² ≤ c, i.e. Σ (−α) x² ≥ −c).
    """
    s = sign[:, None]
    A = s * alphas[None, :]
    b = sign * threshold
    gap = np.where(s > 0, alphas.max() - alphas, alphas - alphas.min())
    gap = np.broadcast_to(gap, z.shape)
    r2 = np.sum(z * z, axis=1)
    q = np.sum(A * z * z, axis=1) - b  # >= 0: z already in the error closure
    amax = np.where(sign > 0, alphas.max(), -alphas.min())
    if on_manifold:
        with np.errstate(divide="ignore", invalid="ignore"):
            shift = np.where(r2 > 0, b / np.where(r2 > 0, r2, 1.0), 0.0)
        no_error = (r2 == 0) | (amax <= shift)
        A = A - shift[:, None]
        b = np.zeros_like(b)
    else:
        no_error = (amax <= 0) & (b >= 0)
    return {"A": A, "b": b, "gap": gap, "q": q, "r2": r2, "no_error": no_error}


def _secular_batch(
    alphas: NDArray[np.float64],
    threshold: float,
    z: NDArray[np.float64],
    sign: NDArray[np.float64],
    on_manifold: bool,
) -> dict[str, Any]:
    """Nearest error of every row of z (eigen-coordinates), secular route.

    Rows are grouped by class and the coordinates sorted by decreasing
    sign·α, so that the pole terms (A_i > 0) form a leading block that the
    root finder treats separately (a speed-up only; results are permuted
    back).
    """
    out: dict[str, Any] | None = None
    for s in (1.0, -1.0):
        rows = np.flatnonzero(sign == s)
        if rows.size == 0:
            continue
        perm = np.argsort(-s * alphas, kind="stable")
        part = _secular_batch_sorted(
            alphas[perm], threshold, z[np.ix_(rows, perm)], sign[rows], on_manifold
        )
        pt = np.empty_like(part["point"])
        pt[:, perm] = part["point"]
        part["point"] = pt
        if rows.size == sign.size:
            return part
        if out is None:
            out = {
                key: np.empty((sign.size, *np.shape(v)[1:]), dtype=np.asarray(v).dtype)
                for key, v in part.items()
                if key != "unconverged"
            }
            out["unconverged"] = []
        for key, v in part.items():
            if key == "unconverged":
                out[key].extend(rows[v].tolist())
            else:
                out[key][rows] = v
    if out is None:  # no rows
        return _secular_batch_sorted(alphas, threshold, z, sign, on_manifold)
    out["unconverged"] = np.asarray(out["unconverged"], dtype=np.int64)
    return out


def _secular_batch_sorted(
    alphas: NDArray[np.float64],
    threshold: float,
    z: NDArray[np.float64],
    sign: NDArray[np.float64],
    on_manifold: bool,
) -> dict[str, Any]:
    """:func:`_secular_batch` for coordinates already sorted by sign·α."""
    m, d = z.shape
    rows = _problem_rows(alphas, threshold, z, sign, on_manifold)
    q, no_error = rows["q"], rows["no_error"]
    mis = q >= 0
    status = np.full(m, _SOLVED, dtype=np.int64)
    status[mis] = _MISCLASSIFIED
    status[~mis & no_error] = _NO_ERROR
    point = np.full((m, d), np.nan)
    diff = np.full((m, d), np.nan)
    point[mis] = z[mis]
    diff[mis] = 0.0
    tau = np.full(m, np.nan)
    tau[mis] = 0.0
    sphere_mult = np.zeros(m)
    residual = np.full(m, np.nan)
    residual[mis] = 0.0
    min_curv = np.full(m, np.nan)
    iters = np.zeros(m, dtype=np.int64)
    solve = np.flatnonzero(status == _SOLVED)
    unconverged = np.zeros(0, dtype=np.int64)
    if solve.size:
        A = rows["A"][solve]
        b = rows["b"][solve]
        zs = z[solve]
        y, w, t, hard, it, unc = _secular_rows(A, rows["gap"][solve], b, zs)
        unconverged = solve[unc]
        tA = t[:, None] * A  # = 1 - w, without cancellation
        Ay2 = A * y * y
        g = np.sum(Ay2, axis=1) - b
        residual[solve] = np.abs(g) / (np.sum(np.abs(Ay2), axis=1) + np.abs(b))
        min_curv[solve] = np.min(w, axis=1)
        tau[solve] = t
        iters[solve] = it
        status[solve[hard]] = _HARD
        if on_manifold:
            r = np.sqrt(rows["r2"][solve])
            ny2_minus_r2 = t * np.sum(A * (1.0 + w) * y * y, axis=1)
            ny = np.sqrt(np.sum(y * y, axis=1))
            rho = -ny2_minus_r2 / (ny * (ny + r))  # r/||y|| - 1
            point[solve] = (r / ny)[:, None] * y
            diff[solve] = y * (rho[:, None] + tA)
            sphere_mult[solve] = 1.0 - ny / r
        else:
            point[solve] = y
            diff[solve] = tA * y
    distance = np.where(
        status == _NO_ERROR,
        np.inf,
        np.sqrt(np.sum(np.where(mis[:, None], 0.0, diff) ** 2, axis=1)),
    )
    return {
        "point": point,
        "distance": distance,
        "tau": tau,
        "sphere_mult": sphere_mult,
        "status": status,
        "residual": residual,
        "min_curvature": min_curv,
        "iterations": iters,
        "unconverged": unconverged,
        "r2": rows["r2"],
    }


# ---------------------------------------------------------------------------
# Result objects
# ---------------------------------------------------------------------------

_STATUS_NAMES = ("solved", "hard_case", "misclassified", "no_error")
_REASONS = (
    "",
    "hard case: x0 has no component on the extreme eigenspace; the mirror "
    "image of the point (sign flipped there) is equally near",
    "x0 already lies in the (closure of the) error region: distance 0",
    "the error region of the rule does not meet the admissible set "
    "(on the manifold: max alpha <= threshold / r**2 for class 0, "
    "min alpha >= threshold / r**2 for class 1): distance inf",
)


@dataclass(frozen=True, slots=True, eq=False)
class NearestCertificate:
    """How a nearest error was obtained and how well it satisfies optimality.

    For a batch every per-point field is an array of length n; for a single
    point it is a scalar.  Fields that do not apply to a route are NaN.

    Attributes
    ----------
    solver : str
        ``"secular"``, ``"CLARABEL"`` (cvxpy) or ``"SCS"``.
    status : str or ndarray of str
        ``"solved"``, ``"hard_case"``, ``"misclassified"`` (distance 0) or
        ``"no_error"`` (distance inf).
    reason : str or ndarray of str
        Human-readable explanation of a non-``"solved"`` status ("" otherwise).
    hard_case : bool or ndarray of bool
        Whether x0 had no component on the extreme eigenspace and the
        multiplier sits at the pole (the point then has an equally near mirror
        image).
    multiplier : float or ndarray
        Secular root in the convention of the reference files: ν of
        x = x0/(1 − ν α) off the manifold, τ of y = x0/(1 − τ β),
        β = α − c/r², on it (negative for class-1 points).
    sphere_multiplier : float or ndarray
        On the manifold, κ in x − x0 = κ x + λ ∇(Σ β x²) (0 off the manifold).
    constraint_residual : float or ndarray
        abs(Σ α x² − c) / max(Σ abs(α) x², abs(c)) at the returned point.
    sphere_residual : float or ndarray
        abs(‖x‖ − r) on the manifold (NaN off it).
    kkt_residual : float or ndarray
        Relative norm of the stationarity residual
        ‖x − x0 − λ ∇constraint − κ x‖ / max(‖x‖, ‖x0‖) with the multipliers.
    secular_residual : float or ndarray
        Relative residual of the secular equation (NaN for cvxpy/SDP).
    min_curvature : float or ndarray
        min_i (1 − ν a_i) (a = ±α or ±β): ≥ 0 is the S-lemma certificate of
        global optimality; 0 in the hard case.
    iterations : int or ndarray
        Iterations of the root finder or of the conic solver.
    objective : float or ndarray
        Squared distance reported by the solver (cvxpy/SDP; NaN for secular).
    dual_objective : float or ndarray
        A lower bound on the squared distance from the solver's Lagrange
        multipliers (weak duality; cvxpy route only, NaN otherwise).
    duality_gap : float or ndarray
        ``objective − dual_objective`` (≥ 0 up to solver tolerance).
    rank : int or ndarray
        SDP route: numerical rank of the moment matrix (1 = tight relaxation;
        2 in the hard case, whose optimum is a mix of the two mirror points).
        −1 for the other routes.
    eigen_gap : float or ndarray
        SDP route: ratio of the second to the first eigenvalue of the moment
        matrix (NaN otherwise).
    tolerance : float
        Accuracy the route aims at: secular 8 eps (relative); cvxpy/SDP the
        Clarabel gap/feasibility tolerance used (1e-10, or 1e-8 when a retry
        with default settings was needed); 1e-4 for SCS.
    """

    solver: str
    status: Any
    reason: Any
    hard_case: Any
    multiplier: Any
    sphere_multiplier: Any
    constraint_residual: Any
    sphere_residual: Any
    kkt_residual: Any
    secular_residual: Any
    min_curvature: Any
    iterations: Any
    objective: Any
    dual_objective: Any
    duality_gap: Any
    rank: Any
    eigen_gap: Any
    tolerance: float

    def __repr__(self) -> str:
        def worst(v: Any) -> float:
            arr = np.asarray(v, dtype=np.float64)
            ok = arr[np.isfinite(arr)]
            return float(np.max(ok)) if ok.size else float("nan")

        return (
            f"NearestCertificate(solver={self.solver!r}, "
            f"max constraint_residual={worst(self.constraint_residual):.2e}, "
            f"max kkt_residual={worst(self.kkt_residual):.2e}, "
            f"n_hard={int(np.sum(self.hard_case))})"
        )


@dataclass(frozen=True, slots=True, eq=False)
class NearestError:
    """The nearest point of the other class (a nearest "error") to x0.

    Attributes
    ----------
    point : ndarray, shape (dim,) or (n, dim)
        The minimiser in input coordinates (NaN where no error exists; x0
        itself where x0 is already misclassified).
    distance : float or ndarray
        Euclidean (chordal) distance ‖point − x0‖; 0 if misclassified, inf if
        no error exists.
    geodesic_distance : float or ndarray
        On the manifold, r · 2 asin(distance / (2r)) (arc length on the sphere
        of radius r = ‖x0‖); NaN off the manifold.
    label : int or ndarray of int
        The class of x0 used (0 inner, 1 outer).
    on_manifold : bool
        Whether the point was constrained to the sphere ‖x‖ = ‖x0‖.
    method : str
        ``"secular"``, ``"cvxpy"`` or ``"sdp"``.
    certificate : NearestCertificate
        Residuals, multipliers and solver information.
    """

    point: NDArray[np.float64]
    distance: Any
    geodesic_distance: Any
    label: Any
    on_manifold: bool
    method: str
    certificate: NearestCertificate

    def __repr__(self) -> str:
        dist = np.asarray(self.distance)
        if dist.ndim == 0:
            shown = f"distance={float(dist):.6g}"
        else:
            shown = f"n={dist.size}, mean distance={float(np.mean(dist)):.6g}"
        return (
            f"NearestError({shown}, method={self.method!r}, "
            f"on_manifold={self.on_manifold})"
        )


@dataclass(frozen=True, slots=True, eq=False)
class MeanDistanceResult:
    """Exact mean distance to the nearest error d(E), with its Lévy bound.

    Attributes
    ----------
    mean : float
        Sample mean of exact per-point distances (inf if the rule has no
        error on that sphere).
    std : float
        Sample standard deviation of the per-point distances.
    stderr : float
        ``std / sqrt(n_points)``.
    confidence_interval : tuple of float
        Normal-approximation interval ``mean ± z · stderr``.
    confidence_level : float
        Its level (default 0.95).
    distances : ndarray, shape (n_points,)
        Exact per-point distances (0 for misclassified points).
    n_points : int
        Sample size.
    misclassified_fraction : float
        Fraction of sampled points the rule misclassifies (an unbiased
        estimate of ``error_rate.value``).
    error_rate : TailProbability
        The rule's exact error rate μ on that sphere.
    bound : float
        The isoperimetric bound d*(μ) of a cap with measure μ on the sphere
        (same metric and radius); NaN if μ = 0 or not representable.
    bound_ratio : float
        ``mean / bound`` (≤ 1 up to sampling error, by Lévy's inequality).
    sphere : str
        ``"inner"`` or ``"outer"``.
    radius : float
        Radius of that sphere.
    metric : str
        ``"chordal"`` or ``"geodesic"``.
    on_manifold : bool
        Whether errors were searched on the sphere (the paper's d(E)).
    dim : int
        Dimension.
    """

    mean: float
    std: float
    stderr: float
    confidence_interval: tuple[float, float]
    confidence_level: float
    distances: NDArray[np.float64]
    n_points: int
    misclassified_fraction: float
    error_rate: TailProbability
    bound: float
    bound_ratio: float
    sphere: str
    radius: float
    metric: str
    on_manifold: bool
    dim: int

    @property
    def within_bound(self) -> bool:
        """True if the interval's lower end does not exceed the Lévy bound."""
        if not np.isfinite(self.bound):
            return bool(np.isnan(self.bound) or self.bound == np.inf)
        return bool(self.confidence_interval[0] <= self.bound)

    def __repr__(self) -> str:
        lo, hi = self.confidence_interval
        return (
            f"MeanDistanceResult(mean={self.mean:.6g}, "
            f"ci=({lo:.6g}, {hi:.6g}), n_points={self.n_points}, "
            f"error_rate=10^{float(self.error_rate.log10_value):.4g}, "
            f"bound={self.bound:.6g}, bound_ratio={self.bound_ratio:.4g})"
        )


# ---------------------------------------------------------------------------
# Helpers shared by the routes
# ---------------------------------------------------------------------------


def _check_rule(rule: Any) -> QuadraticRule:
    if not isinstance(rule, QuadraticRule):
        msg = f"`rule` must be a QuadraticRule; got {type(rule).__name__}."
        raise ValueError(msg)
    return rule


def _check_x0(rule: QuadraticRule, x0: ArrayLike) -> NDArray[np.float64]:
    arr = check_points(x0, rule.dim, "x0")
    if not np.all(np.isfinite(arr)):
        msg = "`x0` must be finite (no NaN or inf)."
        raise ValueError(msg)
    return arr


def _check_label(label: Any, n: int) -> NDArray[np.int64] | None:
    if label is None:
        return None
    try:
        arr = np.asarray(label)
    except (TypeError, ValueError):  # pragma: no cover
        arr = np.asarray([np.nan])
    ok = arr.ndim <= 1 and np.issubdtype(arr.dtype, np.number)
    ok = ok and arr.dtype != np.bool_ and (arr.ndim == 0 or arr.size == n)
    if ok:
        ok = bool(np.all((arr == 0) | (arr == 1)))
    if not ok:
        msg = (
            f"`label` must be None, 0/1 or an array of 0/1 of length {n}; "
            f"got {label!r}."
        )
        raise ValueError(msg)
    return np.broadcast_to(arr.astype(np.int64), (n,)).copy()


def _residuals(
    alphas: NDArray[np.float64],
    threshold: float,
    z0: NDArray[np.float64],
    point: NDArray[np.float64],
    sign: NDArray[np.float64],
    tau: NDArray[np.float64],
    kappa: NDArray[np.float64],
    on_manifold: bool,
) -> tuple[
    NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]
]:
    """Constraint, sphere, stationarity residuals and curvature of rows.

    ``tau`` is the secular multiplier of the row problem (a = ±α, or
    β = ±(α − c/r²) on the manifold) and ``kappa`` the sphere multiplier; the
    stationarity condition checked is x − x0 = κ x + (1 − κ) τ a∘x (κ = 0 off
    the manifold).
    """
    with np.errstate(invalid="ignore"):
        ax2 = alphas * point * point
        constraint = np.abs(np.sum(ax2, axis=1) - threshold) / np.maximum(
            np.sum(np.abs(ax2), axis=1), abs(threshold)
        )
        r2 = np.sum(z0 * z0, axis=1)
        if on_manifold:
            sphere = np.abs(_rownorm(point) - np.sqrt(r2))
            shift = np.where(r2 > 0, threshold / np.where(r2 > 0, r2, 1.0), 0.0)
            a = sign[:, None] * (alphas[None, :] - shift[:, None])
        else:
            sphere = np.full(point.shape[0], np.nan)
            a = sign[:, None] * alphas[None, :]
        lhs = point - z0
        rhs = kappa[:, None] * point + ((1.0 - kappa) * tau)[:, None] * a * point
        scale = np.maximum(_rownorm(point), np.sqrt(r2))
        scale = np.where(scale > 0, scale, 1.0)
        kkt = _rownorm(lhs - rhs) / scale
        curvature = np.min(1.0 - tau[:, None] * a, axis=1)
    return constraint, sphere, kkt, curvature


def _row_status(
    alphas: NDArray[np.float64],
    threshold: float,
    z: NDArray[np.float64],
    sign: NDArray[np.float64],
    on_manifold: bool,
) -> NDArray[np.int64]:
    rows = _problem_rows(alphas, threshold, z, sign, on_manifold)
    status = np.full(z.shape[0], _SOLVED, dtype=np.int64)
    status[rows["no_error"]] = _NO_ERROR
    status[rows["q"] >= 0] = _MISCLASSIFIED
    idx = np.flatnonzero(status == _SOLVED)
    if idx.size:
        hard = _hard_case(rows["A"][idx], rows["gap"][idx], rows["b"][idx], z[idx])[0]
        status[idx[hard]] = _HARD
    return status


# ---------------------------------------------------------------------------
# Secular route
# ---------------------------------------------------------------------------

_CHUNK = 512


def _secular_route(
    alphas: NDArray[np.float64],
    threshold: float,
    z: NDArray[np.float64],
    sign: NDArray[np.float64],
    on_manifold: bool,
) -> dict[str, Any]:
    """Chunked secular solve with residuals, everything in eigen-coordinates.

    Each chunk of ``_CHUNK`` rows is solved and checked while it is in cache;
    memory stays O(_CHUNK · dim) beyond the output.
    """
    n, d = z.shape
    point = np.empty((n, d))
    keys = (
        "distance tau sphere_mult residual min_curvature "
        "constraint_residual sphere_residual kkt_residual"
    ).split()
    out: dict[str, Any] = {k: np.empty(n) for k in keys}
    out["status"] = np.empty(n, dtype=np.int64)
    out["iterations"] = np.empty(n, dtype=np.int64)
    bad = 0
    for i in range(0, n, _CHUNK):
        sl = slice(i, min(i + _CHUNK, n))
        part = _secular_batch(alphas, threshold, z[sl], sign[sl], on_manifold)
        bad += part["unconverged"].size
        st = part["status"]
        solved = (st == _SOLVED) | (st == _HARD)
        kappa = np.where(solved, part["sphere_mult"], 0.0)
        tau = np.where(solved, part["tau"], 0.0)
        cons, sph, kkt, _ = _residuals(
            alphas, threshold, z[sl], part["point"], sign[sl], tau, kappa, on_manifold
        )
        point[sl] = part["point"]
        for k in ("distance", "tau", "sphere_mult", "residual", "min_curvature"):
            out[k][sl] = part[k]
        out["status"][sl] = st
        out["iterations"][sl] = part["iterations"]
        out["constraint_residual"][sl] = np.where(solved, cons, np.nan)
        out["sphere_residual"][sl] = sph
        out["kkt_residual"][sl] = np.where(solved, kkt, np.nan)
    if bad:
        msg = f"the secular root finder did not converge for {bad} point(s)."
        raise SolverError(msg)
    nan = np.full(n, np.nan)
    out.update(
        point=point,
        objective=nan,
        dual_objective=nan,
        duality_gap=nan,
        rank=np.full(n, -1),
        eigen_gap=nan,
        multiplier=sign * out["tau"],
        solver="secular",
        tolerance=float(8 * _EPS),
    )
    return out


# ---------------------------------------------------------------------------
# cvxpy routes (independent cross-checks)
# ---------------------------------------------------------------------------

_CVX_TIGHT = {"tol_gap_abs": 1e-10, "tol_gap_rel": 1e-10, "tol_feas": 1e-10}
# Settings tried in turn until Clarabel reports OPTIMAL (its default accuracy
# is 1e-8; a few ill-scaled instances only reach it without presolve or
# with a larger static regularisation).
_CLARABEL_TRIES: tuple[dict[str, Any], ...] = (
    _CVX_TIGHT,
    {},
    {"presolve_enable": False},
    {"static_regularization_constant": 1e-7},
    {"equilibrate_enable": False},
)


def _solve_checked(problem: Any, solver: str, index: int) -> dict[str, Any]:
    """Solve with the named solver; retry with its defaults; demand OPTIMAL."""
    import cvxpy as cp

    tries = _CLARABEL_TRIES if solver == "CLARABEL" else ({},)
    status = None
    for opts in tries:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                problem.solve(solver=getattr(cp, solver), **opts)
            except cp.error.SolverError as exc:
                status = f"error: {exc}"
                continue
        status = problem.status
        if status == cp.OPTIMAL:
            return {"tolerance": opts.get("tol_gap_rel", 1e-8)}
    msg = f"{solver} returned {status!r} for point {index}."
    raise SolverError(msg)


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
        return {
            "point": point,
            "distance": np.sqrt(objective),
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


def _conic_route(
    alphas: NDArray[np.float64],
    threshold: float,
    z: NDArray[np.float64],
    sign: NDArray[np.float64],
    on_manifold: bool,
    method: str,
) -> dict[str, Any]:
    """One conic solve per point (cvxpy or SDP) with the shared status logic."""
    n, d = z.shape
    status = _row_status(alphas, threshold, z, sign, on_manifold)
    solver = "CLARABEL"
    if method == "sdp":
        import cvxpy as cp

        if "CLARABEL" not in cp.installed_solvers():  # pragma: no cover
            solver = "SCS"
        model: Any = _SdpNearest(d, on_manifold, solver)
    else:
        model = _CvxNearest(d, on_manifold)
    point = np.full((n, d), np.nan)
    fields = {
        k: np.full(n, np.nan)
        for k in (
            "distance",
            "objective",
            "dual_objective",
            "tau",
            "kappa",
            "eigen_gap",
        )
    }
    iterations = np.zeros(n, dtype=np.int64)
    rank = np.full(n, -1)
    tol = 1e-10
    for i in range(n):
        if status[i] == _MISCLASSIFIED:
            point[i] = z[i]
            fields["distance"][i] = 0.0
            continue
        if status[i] == _NO_ERROR:
            fields["distance"][i] = np.inf
            continue
        # (_SOLVED or _HARD)
        res = model.solve(sign[i] * alphas, sign[i] * threshold, z[i], i)
        point[i] = res["point"]
        for k in fields:
            fields[k][i] = res.get(k, np.nan)
        iterations[i] = res["iterations"]
        rank[i] = res.get("rank", -1)
        tol = max(tol, res["tolerance"])
    solved = (status == _SOLVED) | (status == _HARD)
    tau = np.where(solved, fields["tau"], 0.0)
    kappa = np.where(solved, fields["kappa"], 0.0)
    cons, sph, kkt, curv = _residuals(
        alphas, threshold, z, point, sign, tau, kappa, on_manifold
    )
    nan = np.full(n, np.nan)
    return {
        "point": point,
        "distance": fields["distance"],
        "status": status,
        "tau": fields["tau"],
        "multiplier": sign * fields["tau"],
        "sphere_mult": fields["kappa"],
        "residual": nan,
        "min_curvature": np.where(solved & np.isfinite(tau), curv, nan),
        "iterations": iterations,
        "constraint_residual": np.where(solved, cons, nan),
        "sphere_residual": sph,
        "kkt_residual": np.where(solved & np.isfinite(tau), kkt, nan),
        "objective": fields["objective"],
        "dual_objective": fields["dual_objective"],
        "duality_gap": fields["objective"] - fields["dual_objective"],
        "rank": rank,
        "eigen_gap": fields["eigen_gap"],
        "solver": solver,
        "tolerance": float(tol) if solver == "CLARABEL" else 1e-4,
    }


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------

_METHODS = (None, "secular", "cvxpy", "sdp")


def nearest_error(
    rule: QuadraticRule,
    x0: ArrayLike,
    *,
    on_manifold: bool = True,
    method: Literal["secular", "cvxpy", "sdp"] | None = None,
    label: ArrayLike | None = None,
) -> NearestError:
    """Exact nearest point of the other class of a quadratic rule.

    For x0 of class 0 ("inner") the nearest error is the closest point of the
    closure of the region the rule labels 1, {Σ α_i z_i² ≥ c}; for class 1 the
    closest point of {Σ α_i z_i² ≤ c} (z = basisᵀx, c = ``rule.threshold``).
    On the manifold the search is restricted to the sphere ‖x‖ = ‖x0‖ (the
    paper's d(E) uses these distances); off it, to all of R^dim.

    Parameters
    ----------
    rule : QuadraticRule
        The rule "outer iff Σ α_i z_i² > threshold".
    x0 : array_like, shape (dim,) or (n, dim)
        One point or a batch of points (input coordinates).
    on_manifold : bool, default True
        Restrict the error to the sphere of radius ‖x0‖.
    method : {None, "secular", "cvxpy", "sdp"}, optional
        ``None``/``"secular"``: closed-form secular equation, vectorised over
        the batch (exact to rounding).  ``"cvxpy"``: the convex y = x²
        reformulation solved by Clarabel (an independent, slower
        certificate, ~1e-9 relative).  ``"sdp"``: the Shor semidefinite
        relaxation (small dim only; reports its rank).
    label : int or array_like of int, optional
        True class of x0 (0 inner, 1 outer), scalar or per point.  If x0 is
        already misclassified the distance is 0.  Default: the rule's own
        prediction at x0, i.e. the distance to the decision boundary (the
        nearest point the rule labels the other way), which is defined for
        any x0.  For data points pass their labels (as
        :func:`mean_distance_to_error` and ``attacks.attack_gap`` do; for a
        point of the spheres the label is 0 on radius 1 and 1 on radius R),
        otherwise a misclassified point is measured to the other region
        instead of getting distance 0.

    Returns
    -------
    NearestError
        ``.point``, ``.distance`` (Euclidean/chordal), ``.geodesic_distance``
        (on the manifold: r · 2 asin(distance/(2r)); NaN off it), ``.label``,
        ``.method`` and ``.certificate`` (:class:`NearestCertificate`).  For
        a batch the fields are arrays.  Where no error exists (e.g. on the
        sphere of radius r when max α ≤ c/r² for a class-0 point) the
        distance is inf, the point NaN and the certificate says why.

    Raises
    ------
    ValueError
        For a wrong ``rule``, ``x0``, ``label`` or ``method``.
    SolverError
        If the root finder does not converge, or cvxpy does not return status
        ``OPTIMAL`` (never an inaccurate number).

    See Also
    --------
    mean_distance_to_error : the exact d(E) of a rule on a sphere.

    Notes
    -----
    In the eigenbasis write the error region as Σ a_i x_i² ≥ b with a = ±α,
    b = ±c (sign + for class 0).

    *Off the manifold* the minimiser of ‖x − x0‖ is x_i = x0_i/(1 − ν a_i),
    with ν ∈ [0, 1/a_max) the root of the increasing secular function
    g(ν) = Σ a_i x0_i²/(1 − ν a_i)² − b; 1 − ν a_i ≥ 0 certifies global
    optimality (S-lemma) [2]_.  *On the manifold* ‖x‖ = r = ‖x0‖ the same
    holds for β_i = a_i − b/r² and b = 0: y_i = x0_i/(1 − τ β_i),
    x = r y/‖y‖, h(τ) = Σ β_i x0_i²/(1 − τ β_i)² = 0.  An error exists iff
    β_max > 0 (for class 0: α_max > c/r²).  In the *hard case* x0 has no
    component on the top eigenspace and g stays < 0 up to the pole; then
    ν = 1/a_max and the top component is fixed by the constraint (placed on
    the first top coordinate with sign +; its mirror image is equally near).

    The root is found by a vectorised safeguarded Newton iteration on
    ψ = P^(−1/2) − Q^(−1/2) (P: the terms with a pole, Q: the rest), nearly
    linear near the pole, with (geometric) bisection as the safeguard.  Both
    ν and δ = 1/a_max − ν are kept to relative accuracy, so 1 − ν a_i is
    never formed by cancellation (nearly hard cases keep full accuracy), and
    the distance is computed from x − x0 = ν a∘x (off the manifold) without
    subtracting nearby numbers.  Accuracy: ~1e-15 relative on well-conditioned cases.

    The cvxpy route uses hidden convexity: with y_i = x_i² and signs matching
    x0 (c_i = abs(x0_i)), off the manifold min Σ (y_i − 2 c_i √y_i) s.t.
    aᵀy ≥ b, y ≥ 0; on it max Σ c_i √y_i s.t. Σ y_i = r², aᵀy ≥ b, y ≥ 0.
    Its certificate carries a weak-duality lower bound on the squared
    distance built from the solver's multipliers.

    References
    ----------
    .. [1] J. Gilmer et al., "Adversarial Spheres", arXiv:1801.02774, 2018
       (distances to errors measured by attacks, i.e. upper bounds).
    .. [2] J. J. Moré, D. C. Sorensen, "Computing a trust region step", SIAM
       J. Sci. Stat. Comput. 4(3), 1983.

    Examples
    --------
    The ellipse x²/4 + y² = 1 seen from inside, and the hard case at the
    centre (the nearest boundary points are (0, ±1)):

    >>> import numpy as np
    >>> from spheres_theory import QuadraticRule, nearest_error
    >>> rule = QuadraticRule([0.25, 1.0])
    >>> res = nearest_error(rule, [0.0, 0.0], on_manifold=False)
    >>> res.point.tolist(), float(res.distance), res.certificate.status
    ([0.0, 1.0], 1.0, 'hard_case')

    On the unit sphere of R³, a rule with one α > 1 errs near the poles:

    >>> rule = QuadraticRule([0.5, 0.9, 1.4])
    >>> res = nearest_error(rule, [0.8, 0.48, 0.36])
    >>> round(float(res.distance), 12), round(float(res.geodesic_distance), 12)
    (0.392857323383, 0.395428571625)
    """
    rule = _check_rule(rule)
    x = _check_x0(rule, x0)
    check_method(method, _METHODS)
    on_manifold = check_bool(on_manifold, "on_manifold")
    single = x.ndim == 1
    xb = np.atleast_2d(x)
    n = xb.shape[0]
    lab = _check_label(label, n)
    z = np.atleast_2d(rule.to_eigen(xb))
    alphas = np.asarray(rule.alphas, dtype=np.float64)
    if lab is None:  # the rule's own prediction (as QuadraticRule.predict)
        score = np.sum(alphas * z * z, axis=-1) - rule.threshold
        lab = (score > 0).astype(np.int64)
    sign = np.where(lab == 0, 1.0, -1.0)
    name = "secular" if method is None else method
    if n == 0:
        out = _empty_route(rule.dim, name)
    elif name == "secular":
        out = _secular_route(alphas, rule.threshold, z, sign, on_manifold)
    else:
        out = _conic_route(alphas, rule.threshold, z, sign, on_manifold, name)
    return _assemble(rule, xb, out, lab, on_manifold, name, single)


def _empty_route(dim: int, method: str) -> dict[str, Any]:
    e = np.zeros(0)
    keys = (
        "distance tau multiplier sphere_mult residual min_curvature "
        "constraint_residual sphere_residual kkt_residual objective "
        "dual_objective duality_gap eigen_gap"
    ).split()
    out: dict[str, Any] = dict.fromkeys(keys, e)
    out.update(
        point=np.zeros((0, dim)),
        status=np.zeros(0, dtype=np.int64),
        iterations=np.zeros(0, dtype=np.int64),
        rank=np.zeros(0, dtype=np.int64),
        solver="secular" if method == "secular" else "CLARABEL",
        tolerance=float(8 * _EPS),
    )
    return out


def _assemble(
    rule: QuadraticRule,
    xb: NDArray[np.float64],
    out: dict[str, Any],
    lab: NDArray[np.int64],
    on_manifold: bool,
    method: str,
    single: bool,
) -> NearestError:
    status = out["status"]
    dist = np.asarray(out["distance"], dtype=np.float64)
    if on_manifold:
        geo = _chord_to_arc(dist, _rownorm(xb))
    else:
        geo = np.full(dist.shape, np.nan)
    point = out["point"]
    if rule.basis is not None and point.size:
        with np.errstate(invalid="ignore"):
            point = rule.from_eigen(point)
        # Keep x0 bit-exact where it is returned unchanged.
        mis = status == _MISCLASSIFIED
        point[mis] = xb[mis]
    names = np.array(_STATUS_NAMES, dtype=object)[status]
    reasons = np.array(_REASONS, dtype=object)[status]

    def pick(v: Any) -> Any:
        arr = np.asarray(v)
        if not single:
            return arr
        item = arr[0]
        return item.item() if hasattr(item, "item") else item

    cert = NearestCertificate(
        solver=out["solver"],
        status=pick(names.astype(str)),
        reason=pick(reasons.astype(str)),
        hard_case=pick(status == _HARD),
        multiplier=pick(out["multiplier"]),
        sphere_multiplier=pick(out["sphere_mult"]),
        constraint_residual=pick(out["constraint_residual"]),
        sphere_residual=pick(out["sphere_residual"]),
        kkt_residual=pick(out["kkt_residual"]),
        secular_residual=pick(out["residual"]),
        min_curvature=pick(out["min_curvature"]),
        iterations=pick(out["iterations"]),
        objective=pick(out["objective"]),
        dual_objective=pick(out["dual_objective"]),
        duality_gap=pick(out["duality_gap"]),
        rank=pick(out["rank"]),
        eigen_gap=pick(out["eigen_gap"]),
        tolerance=float(out["tolerance"]),
    )
    return NearestError(
        point=point[0] if single else point,
        distance=pick(dist),
        geodesic_distance=pick(geo),
        label=pick(lab),
        on_manifold=on_manifold,
        method=method,
        certificate=cert,
    )


def mean_distance_to_error(
    rule: QuadraticRule,
    spheres: ConcentricSpheres,
    *,
    n_points: int,
    sphere: Literal["inner", "outer"] = "inner",
    on_manifold: bool = True,
    metric: Literal["chordal", "geodesic"] = "chordal",
    confidence_level: float = 0.95,
    rng: ArrayLike | np.random.Generator | None = None,
    progress: bool = False,
    batch_size: int = 8192,
) -> MeanDistanceResult:
    """Exact mean distance d(E) from a sphere to a quadratic rule's errors.

    d(E) = E_{x ∼ S}[min_{e ∈ E} ‖x − e‖] with E the points of the sphere S
    that the rule misclassifies (Gilmer et al. 2018, §3).  Every per-point
    distance is exact (:func:`nearest_error`, secular route); only the
    average over x is estimated, by sampling.

    Parameters
    ----------
    rule : QuadraticRule
        The rule.
    spheres : ConcentricSpheres
        The data set (``spheres.dim == rule.dim``).
    n_points : int
        Number of uniform sample points (>= 2).
    sphere : {"inner", "outer"}, default "inner"
        The sphere sampled; its points have the true label 0 / 1.
    on_manifold : bool, default True
        Nearest errors on the sphere (the paper's d(E)); ``False`` searches
        all of R^dim (a smaller distance, still below the bound).
    metric : {"chordal", "geodesic"}, default "chordal"
        Distance averaged (geodesic needs ``on_manifold=True``).
    confidence_level : float, default 0.95
        Level of the normal confidence interval of the mean.
    rng : None, int or numpy.random.Generator, optional
        Source of randomness, normalised by :func:`numpy.random.default_rng`.
    progress : bool, default False
        Show a tqdm progress bar over batches.
    batch_size : int, default 8192
        Points per batch (memory stays O(batch_size · dim)).

    Returns
    -------
    MeanDistanceResult
        ``.mean``, ``.confidence_interval``, ``.distances`` (per point, 0 for
        misclassified points), ``.misclassified_fraction``, ``.error_rate``
        (exact μ on that sphere), ``.bound`` = d*(μ) (the cap's mean
        distance, :func:`spheres_theory.concentration.optimal_mean_distance`)
        and ``.bound_ratio`` = mean / bound.  If the rule makes no error on
        that sphere every distance is inf, and so is the mean (μ = 0, bound
        inf, ratio NaN).

    Raises
    ------
    ValueError
        For invalid arguments.

    Notes
    -----
    Points are drawn with ``spheres.sample(..., sphere=sphere, rng=rng)`` and
    used directly as eigen-coordinates z = basisᵀx: the uniform distribution
    on a sphere is rotation invariant, so this has the law of rotating them
    and saves a dim × dim product per point.

    Lévy's isoperimetric inequality gives d(E) ≤ d*(μ) for every error set
    of measure μ; ``bound_ratio`` ≤ 1 up to sampling error.  The interval is
    mean ± z·s/√n with the sample standard deviation s.

    References
    ----------
    .. [1] J. Gilmer et al., "Adversarial Spheres", arXiv:1801.02774, 2018,
       §3 and Fig. 4 (attack estimates of d(E) against the bound).

    Examples
    --------
    >>> from spheres_theory import ConcentricSpheres, QuadraticRule
    >>> from spheres_theory import mean_distance_to_error
    >>> sp = ConcentricSpheres(dim=100)
    >>> rule = QuadraticRule([1.2] + [0.9] * 99)
    >>> res = mean_distance_to_error(rule, sp, n_points=2000, rng=0)
    >>> bool(0 < res.mean < res.bound), res.n_points
    (True, 2000)
    """
    from scipy import special

    rule = _check_rule(rule)
    _check_spheres(spheres, rule.dim)
    n_points = check_int(n_points, "n_points", minimum=2)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    check_sphere(sphere)
    check_choice(metric, "metric", ("chordal", "geodesic"))
    check_bool(on_manifold, "on_manifold")
    if metric == "geodesic" and not on_manifold:
        msg = "`metric` must be 'chordal' when `on_manifold` is False; got 'geodesic'."
        raise ValueError(msg)
    level = float(confidence_level)
    if not 0 < level < 1:
        msg = f"`confidence_level` must be in (0, 1); got {confidence_level!r}."
        raise ValueError(msg)
    gen = np.random.default_rng(rng)
    radius = spheres.radius(sphere)
    alphas = np.asarray(rule.alphas, dtype=np.float64)
    label_sign = 1.0 if sphere == "inner" else -1.0

    distances = np.empty(n_points)
    n_mis = 0
    starts = range(0, n_points, batch_size)
    if progress:
        from tqdm.auto import tqdm

        starts = tqdm(starts, desc="d(E)", unit="batch")
    for start in starts:
        m = min(batch_size, n_points - start)
        z, _ = spheres.sample(m, sphere=sphere, rng=gen)
        sign = np.full(m, label_sign)
        for i in range(0, m, _CHUNK):
            part = _secular_batch(
                alphas,
                rule.threshold,
                z[i : i + _CHUNK],
                sign[i : i + _CHUNK],
                bool(on_manifold),
            )
            if part["unconverged"].size:
                msg = "the secular root finder did not converge."
                raise SolverError(msg)
            d = part["distance"]
            if metric == "geodesic":
                d = _chord_to_arc(d, radius)
            distances[start + i : start + i + d.size] = d
            n_mis += int(np.sum(part["status"] == _MISCLASSIFIED))

    if np.all(np.isfinite(distances)):
        mean = float(np.mean(distances))
        std = float(np.std(distances, ddof=1))
        stderr = std / np.sqrt(n_points)
        half = float(special.ndtri(0.5 + 0.5 * level)) * stderr
        ci = (mean - half, mean + half)
    else:
        mean, std, stderr = np.inf, np.nan, np.nan
        ci = (np.inf, np.inf)
    error_rate = rule.error_rate(spheres, sphere=sphere)
    bound = _levy_bound(error_rate, rule.dim, metric, radius)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = float(mean / bound) if bound > 0 and np.isfinite(bound) else np.nan
    return MeanDistanceResult(
        mean=mean,
        std=std,
        stderr=float(stderr),
        confidence_interval=ci,
        confidence_level=level,
        distances=distances,
        n_points=n_points,
        misclassified_fraction=n_mis / n_points,
        error_rate=error_rate,
        bound=bound,
        bound_ratio=ratio,
        sphere=sphere,
        radius=float(radius),
        metric=metric,
        on_manifold=bool(on_manifold),
        dim=rule.dim,
    )


def _levy_bound(
    error_rate: TailProbability, dim: int, metric: str, radius: float
) -> float:
    """d*(μ): mean distance to a cap of measure μ (inf if μ = 0, 0 if μ = 1)."""
    value = float(error_rate.value)
    log10 = float(error_rate.log10_value)
    if log10 == -np.inf:
        return np.inf
    if value >= 1.0:
        return 0.0
    if value > 0:
        out = optimal_mean_distance(value, dim, metric=metric, radius=radius)
    else:  # μ underflows float64: use its logarithm
        out = optimal_mean_distance(
            None, dim, metric=metric, radius=radius, log_error_rate=log10 * np.log(10)
        )
    return float(out)
