"""Secular-equation solver of the nearest-error problem (private).

For the rule "outer iff Σ α_i z_i² > c" in its eigenbasis the nearest point
of the other class to z0 solves a quadratically constrained least-squares
problem with one constraint (off the data manifold) or two (on the sphere
‖x‖ = ‖z0‖); both reduce to a monotone scalar secular equation, solved here
for whole batches at once (see :func:`spheres_theory.nearest.nearest_error`
for the mathematics and the references).

Every row is first rescaled by exact powers of two (x → x/2^e, α → α/2^f),
so that ‖z0‖, max|α| and the threshold are all of order one; results are
scaled back exactly.  Components below 2^-500 ≈ 3e-151 of the scaled point
are set to zero: the distance to a fixed set is 1-Lipschitz in x0, so this
moves every distance by at most √dim · 3e-151 · (the row's scale), and it
keeps squares of components out of the subnormal range (where they lose
digits).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .errors import SolverError

__all__ = [
    "CHUNK",
    "EPS",
    "HARD",
    "MIN_SCALED_THRESHOLD",
    "MISCLASSIFIED",
    "NEGLIGIBLE",
    "NEWTON_RTOL",
    "NO_ERROR",
    "SOLVED",
    "TINY",
    "ScaledRows",
    "check_representable",
    "residuals",
    "row_status",
    "rownorm",
    "safe_rownorm",
    "scale_rows",
    "secular_batch",
    "solve_careful",
]

EPS = np.finfo(np.float64).eps
# Relative step size at which the safeguarded Newton iteration stops (a final
# Newton step is then applied: the error after it is ~ eps).
NEWTON_RTOL = 1e-10
_MAXITER = 200
TINY = np.finfo(np.float64).tiny

# Status codes of one point (stored as small integers in batches).
SOLVED = 0
HARD = 1
MISCLASSIFIED = 2
NO_ERROR = 3


def rownorm(a: NDArray[np.float64]) -> NDArray[np.float64]:
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
    absA = np.max(np.abs(A), axis=1)
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
            # (the bulk of the work: in place, and no row gather while every
            # row is still active)
            every = active.size == m
            Af = A_f if every else A_f[active]
            uf = ta[:, None] * Af
            np.subtract(1.0, uf, out=uf)
            np.reciprocal(uf, out=uf)
            uf2 = uf * uf
            N += np.einsum("ij,ij->i", Az2_f if every else Az2_f[active], uf2)
            np.multiply(uf2, uf, out=uf2)
            gp += 2.0 * np.einsum("ij,ij->i", A2z2_f if every else A2z2_f[active], uf2)
        ba = b[active]
        # g = P − Q with P = Σ_{A>0} A y² (poles) and Q = b − Σ_{A<=0} A y².
        Q = ba - N
        g = P - Q
        noise = 8.0 * EPS * (P - N + np.abs(ba))
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
            # (Pp / P) / sp, not Pp / (P * sp): P * sp underflows when the
            # pole term is tiny (nearly hard case, z_top ~ 1e-120).
            dpsi = -0.5 * (Pp / P) / sp - 0.5 * ((gp - Pp) / Q) / sq
            # No pole (every A <= 0, b < 0): Newton on S^(-1/2) − |b|^(-1/2),
            # S = Σ |A| y² ~ C/τ², linear in τ for large τ (far points need
            # τ ~ 1e100: Newton on g would only grow τ by half per step).
            use_neg = ~use_psi & (P == 0) & (N < 0) & (ba < 0)
            ss = np.sqrt(np.where(use_neg, -N, 1.0))
            psi2 = 1.0 / ss - 1.0 / np.sqrt(np.where(use_neg, -ba, 1.0))
            dpsi2 = 0.5 * (gp / np.where(use_neg, -N, 1.0)) / ss
            step = np.where(
                use_psi, -psi / dpsi, np.where(use_neg, -psi2 / dpsi2, -g / gp)
            )
        posa = pos[active]
        # Magnitude of the smaller of (τ, δ): the relative convergence scale.
        scale = np.where(posa, np.minimum(ta, da), ta)
        done = (np.abs(g) <= noise) | (np.abs(step) <= NEWTON_RTOL * scale)
        # A bracket narrower than rounding: τ·A (far from the pole) or δ
        # (near it) is fixed to ~eps, whatever g's rounding noise does (a
        # point within ulps of the boundary has its root τ ≈ 0).
        pole_side = posa & (da < ta)
        with np.errstate(over="ignore", invalid="ignore"):
            width = np.where(pole_side, (dl - dh) / np.maximum(dh, TINY), th - tl)
            width = width * np.where(pole_side, 1.0, absA[active])
        done |= width <= 4.0 * EPS
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
    threshold: NDArray[np.float64],
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


def secular_batch(
    alphas: NDArray[np.float64],
    threshold: NDArray[np.float64],
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
            alphas[perm],
            threshold[rows],
            z[np.ix_(rows, perm)],
            sign[rows],
            on_manifold,
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
    threshold: NDArray[np.float64],
    z: NDArray[np.float64],
    sign: NDArray[np.float64],
    on_manifold: bool,
) -> dict[str, Any]:
    """:func:`_secular_batch` for coordinates already sorted by sign·α."""
    m, d = z.shape
    rows = _problem_rows(alphas, threshold, z, sign, on_manifold)
    q, no_error = rows["q"], rows["no_error"]
    mis = q >= 0
    status = np.full(m, SOLVED, dtype=np.int64)
    status[mis] = MISCLASSIFIED
    status[~mis & no_error] = NO_ERROR
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
    solve = np.flatnonzero(status == SOLVED)
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
        status[solve[hard]] = HARD
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
        status == NO_ERROR,
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


def residuals(
    alphas: NDArray[np.float64],
    threshold: NDArray[np.float64],
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
            sphere = np.abs(rownorm(point) - np.sqrt(r2))
            shift = np.where(r2 > 0, threshold / np.where(r2 > 0, r2, 1.0), 0.0)
            a = sign[:, None] * (alphas[None, :] - shift[:, None])
        else:
            sphere = np.full(point.shape[0], np.nan)
            a = sign[:, None] * alphas[None, :]
        lhs = point - z0
        rhs = kappa[:, None] * point + ((1.0 - kappa) * tau)[:, None] * a * point
        scale = np.maximum(rownorm(point), np.sqrt(r2))
        scale = np.where(scale > 0, scale, 1.0)
        kkt = rownorm(lhs - rhs) / scale
        curvature = np.min(1.0 - tau[:, None] * a, axis=1)
    return constraint, sphere, kkt, curvature


def row_status(
    alphas: NDArray[np.float64],
    threshold: NDArray[np.float64],
    z: NDArray[np.float64],
    sign: NDArray[np.float64],
    on_manifold: bool,
) -> NDArray[np.int64]:
    rows = _problem_rows(alphas, threshold, z, sign, on_manifold)
    status = np.full(z.shape[0], SOLVED, dtype=np.int64)
    status[rows["no_error"]] = NO_ERROR
    status[rows["q"] >= 0] = MISCLASSIFIED
    idx = np.flatnonzero(status == SOLVED)
    if idx.size:
        hard = _hard_case(rows["A"][idx], rows["gap"][idx], rows["b"][idx], z[idx])[0]
        status[idx[hard]] = HARD
    return status


CHUNK = 512
# Components of the scaled point below this are set to 0 (see the module
# docstring): their squares would be subnormal.
NEGLIGIBLE = 2.0**-500
# Scaled thresholds below this (far points off the manifold) are refused.
MIN_SCALED_THRESHOLD = 2.0**-960


def safe_rownorm(
    a: NDArray[np.float64], sq: NDArray[np.float64] | None = None
) -> NDArray[np.float64]:
    """Euclidean norm of each row of a finite array, without overflow.

    ``sq``: the plain sums of squares of the rows, if already known.  Where
    they lie in [2**-900, 2**900] their square root is the norm to rounding
    (no square overflowed, and the underflowed ones are below eps of the
    sum); the other rows are rescaled by their largest entry first.
    """
    if sq is None:
        with np.errstate(over="ignore", under="ignore"):
            sq = np.einsum("ij,ij->i", a, a)
    out = np.sqrt(sq)
    redo = np.flatnonzero(~((sq >= 2.0**-900) & (sq <= 2.0**900)))
    if redo.size:
        b = a[redo]
        m = np.max(np.abs(b), axis=1, initial=0.0)
        unit = np.where(m > 0, m, 1.0)
        out[redo] = m * rownorm(b / unit[:, None])
    return out


@dataclass(frozen=True, slots=True)
class ScaledRows:
    """A batch rescaled by exact powers of two (see :func:`scale_rows`)."""

    alphas: NDArray[np.float64]  # alphas / 2**f
    threshold: NDArray[np.float64]  # per row: c / 2**(f + 2 e)
    z: NDArray[np.float64]  # z / 2**e (tiny components set to 0)
    exp_z: NDArray[np.int64]  # e, per row
    exp_alpha: int  # f


def scale_rows(
    alphas: NDArray[np.float64], threshold: float, z: NDArray[np.float64]
) -> ScaledRows:
    """Rescale each row so that ‖z‖, max|α| and the threshold are O(1).

    ``f`` is the binary exponent of max|α| and ``e`` per row the larger of
    those of max|z| and √(|c|/2^f): after scaling max|α| ∈ [1/2, 1),
    max|z| < 1 and |c| ≤ 1, all exactly (powers of two), so the nearest
    point and the distance scale back by 2^e exactly.
    """
    amax = float(np.max(np.abs(alphas), initial=0.0))
    f = int(np.frexp(amax)[1]) if amax > 0 else 0
    zmax = np.max(np.abs(z), axis=1, initial=0.0)
    e_z = np.frexp(zmax)[1].astype(np.int64)
    e_c = -(f // 2)  # 2**e_c >= sqrt(|c| / 2**f) for |c| = 1 up to a factor 2
    e = np.where(zmax > 0, np.maximum(e_z, e_c), e_c).astype(np.int64)
    zs = np.ldexp(z, -e[:, None])
    zs = np.where(np.abs(zs) < NEGLIGIBLE, 0.0, zs)
    with np.errstate(under="ignore"):
        cs = np.ldexp(np.full(z.shape[0], float(threshold)), -f - 2 * e)
    return ScaledRows(np.ldexp(alphas, -f), cs, zs, e, f)


def check_representable(
    scaled: ScaledRows, status: NDArray[np.int64], on_manifold: bool
) -> None:
    """Refuse rows whose scaled problem is not representable in float64."""
    need = (status == SOLVED) | (status == HARD)
    if on_manifold:
        return
    # Also rows classified "no error" from an underflowed threshold.
    need |= status == NO_ERROR
    far = need & (np.abs(scaled.threshold) < MIN_SCALED_THRESHOLD)
    if np.any(far):
        i = int(np.flatnonzero(far)[0])
        msg = (
            "`x0` is too far from the origin for this rule off the manifold: "
            f"point {i} has ‖x0‖² · max|alphas| beyond 2**960 (~1e289), where "
            "the threshold underflows in float64 and the nearest error cannot "
            "be represented; scale the point or use on_manifold=True."
        )
        raise ValueError(msg)


def solve_careful(
    alphas: NDArray[np.float64],
    threshold: float,
    z: NDArray[np.float64],
    sign: NDArray[np.float64],
    on_manifold: bool,
    *,
    with_residuals: bool = True,
) -> dict[str, Any]:
    """Scale, solve, check and scale back rows: the general (careful) path.

    Raises
    ------
    SolverError
        If a row does not converge, or its relative secular residual at the
        returned root exceeds 1e-8 (a wrong number is never returned).
    ValueError
        If a row is out of the representable range (:func:`scale_rows`).
    """
    sc = scale_rows(alphas, threshold, z)
    if not on_manifold and np.any(np.abs(sc.threshold) < MIN_SCALED_THRESHOLD):
        status = row_status(sc.alphas, sc.threshold, sc.z, sign, on_manifold)
        check_representable(sc, status, on_manifold)
    part = secular_batch(sc.alphas, sc.threshold, sc.z, sign, on_manifold)
    st = part["status"]
    solved = (st == SOLVED) | (st == HARD)
    bad = part["unconverged"].size
    bad += int(np.sum(solved & ~(part["residual"] <= 1e-8)))
    if bad:
        msg = f"the secular root finder did not converge for {bad} point(s)."
        raise SolverError(msg)
    scale = np.ldexp(1.0, sc.exp_z)
    out = dict(part)
    if with_residuals:
        kappa = np.where(solved, part["sphere_mult"], 0.0)
        tau = np.where(solved, part["tau"], 0.0)
        cons, sph, kkt, _ = residuals(
            sc.alphas, sc.threshold, sc.z, part["point"], sign, tau, kappa, on_manifold
        )
        out["constraint_residual"] = np.where(solved, cons, np.nan)
        out["sphere_residual"] = sph * scale
        out["kkt_residual"] = np.where(solved, kkt, np.nan)
    out["point"] = part["point"] * scale[:, None]
    out["distance"] = part["distance"] * scale
    out["tau"] = np.ldexp(part["tau"], -sc.exp_alpha)
    return out
