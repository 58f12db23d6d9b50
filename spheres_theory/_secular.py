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
    "EPS",
    "HARD",
    "MISCLASSIFIED",
    "NO_ERROR",
    "SOLVED",
    "ScaledRows",
    "check_representable",
    "residuals",
    "row_status",
    "safe_rownorm",
    "scale_rows",
    "secular_batch",
    "secular_route",
    "solve_chunk",
    "solve_sorted",
]

EPS = np.finfo(np.float64).eps
# Relative step size at which the safeguarded Newton iteration stops (a final
# Newton step is then applied: the error after it is ~ eps).
_NEWTON_RTOL = 1e-10
_MAXITER = 200
_TINY = np.finfo(np.float64).tiny

# Status codes of one point (stored as small integers in batches).
SOLVED = 0
HARD = 1
MISCLASSIFIED = 2
NO_ERROR = 3


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
        done = (np.abs(g) <= noise) | (np.abs(step) <= _NEWTON_RTOL * scale)
        # A bracket narrower than rounding: τ·A (far from the pole) or δ
        # (near it) is fixed to ~eps, whatever g's rounding noise does (a
        # point within ulps of the boundary has its root τ ≈ 0).
        pole_side = posa & (da < ta)
        with np.errstate(over="ignore", invalid="ignore"):
            width = np.where(pole_side, (dl - dh) / np.maximum(dh, _TINY), th - tl)
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


_CHUNK = 512
# Components of the scaled point below this are set to 0 (see the module
# docstring): their squares would be subnormal.
_NEGLIGIBLE = 2.0**-500
# Scaled thresholds below this (far points off the manifold) are refused.
_MIN_SCALED_THRESHOLD = 2.0**-960


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
        out[redo] = m * _rownorm(b / unit[:, None])
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
    zs = np.where(np.abs(zs) < _NEGLIGIBLE, 0.0, zs)
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
    far = need & (np.abs(scaled.threshold) < _MIN_SCALED_THRESHOLD)
    if np.any(far):
        i = int(np.flatnonzero(far)[0])
        msg = (
            "`x0` is too far from the origin for this rule off the manifold: "
            f"point {i} has ‖x0‖² · max|alphas| beyond 2**960 (~1e289), where "
            "the threshold underflows in float64 and the nearest error cannot "
            "be represented; scale the point or use on_manifold=True."
        )
        raise ValueError(msg)


def _solve_careful(
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
    if not on_manifold and np.any(np.abs(sc.threshold) < _MIN_SCALED_THRESHOLD):
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


# ---------------------------------------------------------------------------
# Fast path: rows of one class, columns sorted by decreasing sign·α
# ---------------------------------------------------------------------------
#
# The same safeguarded Newton iteration as :func:`_secular_rows`, organised
# for speed on large batches: the columns are sorted once (the rotation into
# the eigenbasis is one product with the permuted basis), so the pole block
# (A_i > 0 possible; accurate weights gap/A_max + δA_i) is a leading block
# with its own small arrays and the rest (A_i <= 0, where 1 − τA_i >= 1 has
# no cancellation) is done in full-row passes; the first steps use float32
# copies of the rest; converged rows leave the working arrays; and the
# certificates are formed from the solver's own sums.
# It takes the rows whose problem is regular (a pole exists, no component
# below the flush level, not misclassified, representable); every other row,
# and any row whose iteration or certificate fails here, goes through the
# careful path above.

_FAST_MAXITER = 60
# Scaled components whose squares are at most this go to the careful path
# (there they may be flushed to 0, see _NEGLIGIBLE).
_MIN_SQUARE = _NEGLIGIBLE * _NEGLIGIBLE


@dataclass(slots=True)
class _Block:
    """Arrays of the fast path for a set of rows (see :func:`_fast_setup`).

    ``A``, ``az2``, ``a2z2`` are full rows (float64, or float32 copies for
    the first iterations); the pole block (columns < k, where A may be > 0)
    has its own contiguous float64 arrays.
    """

    A: NDArray[Any]  # (m, d): sign·α (− b/r² on the manifold), scaled
    az2: NDArray[Any]  # A z²
    a2z2: NDArray[Any]  # A² z²
    An: NDArray[np.float64]  # (m, k): the pole block of A, A z², A² z²
    az2n: NDArray[np.float64]
    a2z2n: NDArray[np.float64]
    gn: NDArray[np.float64]  # (m, k): gap/A_max on the pole block
    posf: NDArray[np.float64] | None  # (m, k): 1.0 where A > 0; None if all

    @property
    def k(self) -> int:
        return self.An.shape[1]

    def take(self, rows: NDArray[np.intp]) -> _Block:
        posf = None if self.posf is None else self.posf[rows]
        return _Block(
            *(v[rows] for v in (self.A, self.az2, self.a2z2, self.An)),
            *(v[rows] for v in (self.az2n, self.a2z2n, self.gn)),
            posf,
        )

    def single(self) -> _Block:
        """Return the block with float32 copies of the full rows."""
        f32 = [v.astype(np.float32) for v in (self.A, self.az2, self.a2z2)]
        return _Block(*f32, self.An, self.az2n, self.a2z2n, self.gn, self.posf)


def _pole_weights(
    blk: _Block, tau: NDArray[np.float64], dlt: NDArray[np.float64], out: Any
) -> NDArray[np.float64]:
    """1 − τA on the pole block, as gap/A_max + δA where A > 0 (no cancellation)."""
    w = np.multiply(blk.An, dlt[:, None], out=out)
    w += blk.gn
    if blk.posf is not None:
        w = np.where(blk.posf > 0, w, 1.0 - tau[:, None] * blk.An)
        if out is not None:
            out[...] = w
    return w


def _masked_sums(
    v: NDArray[np.float64], posf: NDArray[np.float64] | None
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Row sums of v over A > 0 and over A <= 0 (pole block)."""
    if posf is None:
        return np.einsum("ij->i", v), np.zeros(v.shape[0])
    return np.einsum("ij,ij->i", v, posf), np.einsum("ij,ij->i", v, 1.0 - posf)


_Sums = tuple[
    NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]
]


def _evaluate(blk: _Block, tau: NDArray[np.float64], dlt: NDArray[np.float64]) -> _Sums:
    """P, P', N, N' at (τ, δ): P = Σ_{A>0} A y², N = Σ_{A<=0} A y², y = z/(1 − τA).

    The pole block is always evaluated in float64; the rest in the
    precision of ``blk.A``.
    """
    un = 1.0 / _pole_weights(blk, tau, dlt, None)
    # (A z² u) u and ((A² z² u) u) u: no overflow near the pole
    v = blk.az2n * un
    if blk.posf is None:  # (the common case, in fewer passes)
        P, N = np.einsum("ij,ij->i", v, un), np.zeros(un.shape[0])
        v = np.multiply(blk.a2z2n, un, out=v)
        v *= un
        Pp, Np = np.einsum("ij,ij->i", v, un), np.zeros(un.shape[0])
    else:
        v *= un
        P, N = _masked_sums(v, blk.posf)
        v = np.multiply(blk.a2z2n, un, out=v)
        v *= un
        v *= un
        Pp, Np = _masked_sums(v, blk.posf)
    k = blk.k
    if k < blk.A.shape[1]:
        # Full rows (contiguous passes are about twice as fast as passes
        # over column slices); the pole columns are computed and ignored.
        u = np.multiply(blk.A, tau.astype(blk.A.dtype)[:, None])
        np.subtract(1.0, u, out=u)
        np.divide(1.0, u, out=u)
        u2 = u * u
        N += np.einsum("ij,ij->i", blk.az2[:, k:], u2[:, k:])
        u2 *= u
        Np += np.einsum("ij,ij->i", blk.a2z2[:, k:], u2[:, k:])
    return P, 2.0 * Pp, N, 2.0 * Np


def _evaluate_at_zero(blk: _Block) -> _Sums:
    """:func:`_evaluate` at τ = 0 (plain row sums)."""
    k = blk.k
    P, N = _masked_sums(blk.az2n, blk.posf)
    Pp, Np = _masked_sums(blk.a2z2n, blk.posf)
    N += np.sum(blk.az2[:, k:], axis=1)
    Np += np.sum(blk.a2z2[:, k:], axis=1)
    return P, 2.0 * Pp, N, 2.0 * Np


class _State:
    """Per-row state of the fast iteration: field f of row i is ``data[f, i]``.

    One array, so that dropping converged rows is one fancy index; the
    fields are read (as views) through the attributes named in ``FIELDS``.
    """

    FIELDS = (
        "tau dlt t_lo d_lo t_hi d_hi g_prev inv absA bb iters".split()
    )  # δ = 1/A_max − τ kept to relative accuracy; inv = 1/A_max;
    # absA = max|A|; bb the right-hand side (0 on the manifold)
    __slots__ = ("data",)

    def __init__(self, data: NDArray[np.float64]) -> None:
        self.data = data

    def take(self, cols: Any) -> _State:
        return _State(self.data[:, cols])

    def __getattr__(self, name: str) -> NDArray[np.float64]:
        try:
            return self.data[_State.FIELDS.index(name)]
        except ValueError:
            raise AttributeError(name) from None


# The float32 phase: its steps stop at this relative size (the float64
# phase then needs about two steps), and the sign of g moves the bracket
# only where |g| exceeds this fraction of Σ|A y²| + |b| (float32 sums are
# accurate to ~1e-6 of that).
_LOW_RTOL = 1e-4
_LOW_SIGN = 1e-4
_LOW_MAXITER = 6


def _newton_update(st: _State, sums: _Sums, low: bool) -> NDArray[np.bool_]:
    """One safeguarded Newton step on ψ for every row of ``st`` (in place).

    The same step, bracket and stopping rules as :func:`_secular_rows`.
    ``low``: the sums are from the float32 phase (looser stop, and the
    bracket moves only where the sign of g is certain).  Returns the rows
    that are done.
    """
    P, Pp, N, Np = sums
    tau, dlt, t_lo, d_lo, t_hi, d_hi, g_prev, inv, absA, bb, iters = st.data
    iters += 1
    Q = bb - N
    g = P - Q
    size = P - N + np.abs(bb)
    lo = g < 0
    hi = ~lo
    if low:
        sure = np.abs(g) > _LOW_SIGN * size
        lo &= sure
        hi &= sure
    np.copyto(t_lo, tau, where=lo)
    np.copyto(d_lo, dlt, where=lo)
    np.copyto(t_hi, tau, where=hi)
    np.copyto(d_hi, dlt, where=hi)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # Newton on ψ = P^(-1/2) − Q^(-1/2); on g where ψ is undefined.
        sp, sq = np.sqrt(P), np.sqrt(Q)
        dpsi = -0.5 * (Pp / P) / sp - 0.5 * (Np / Q) / sq
        step = np.where((P > 0) & (Q > 0), (1.0 / sq - 1.0 / sp) / dpsi, -g / (Pp + Np))
        done = np.abs(step) <= (_LOW_RTOL if low else _NEWTON_RTOL) * np.minimum(
            tau, dlt
        )
        if not low:
            done |= np.abs(g) <= 8.0 * EPS * size
        pole_side = dlt < tau
        width = np.where(
            pole_side, (d_lo - d_hi) / np.maximum(d_hi, _TINY), (t_hi - t_lo) * absA
        )
    done |= width <= 4.0 * EPS
    t_new = tau + step
    d_new = dlt - step
    in_br = np.where(
        pole_side, (d_new < d_lo) & (d_new > d_hi), (t_new > t_lo) & (t_new < t_hi)
    )
    in_br &= np.isfinite(step)
    use_new = np.where(done, in_br, in_br & (np.abs(g) <= 0.7 * g_prev))
    bisect = ~(use_new | done)
    # Bisection, geometric in δ when the pole side of the bracket is far.
    geo = (d_hi > 0) & (d_lo > 8.0 * d_hi)
    with np.errstate(invalid="ignore"):
        d_mid = np.where(geo, np.sqrt(d_lo * d_hi), 0.5 * (d_lo + d_hi))
    t_mid = np.where(geo, inv - d_mid, 0.5 * (t_lo + t_hi))
    t_next = np.where(use_new, t_new, tau)
    d_next = np.where(use_new, d_new, dlt)
    np.copyto(t_next, t_mid, where=bisect)
    np.copyto(d_next, d_mid, where=bisect)
    small_t = t_next <= d_next  # keep the smaller of (τ, δ) exact
    np.copyto(tau, np.where(small_t, t_next, inv - d_next))
    np.copyto(dlt, np.where(small_t, inv - t_next, d_next))
    np.copyto(g_prev, np.where(use_new, np.abs(g), np.inf))
    return done


def _fast_iterate(
    blk: _Block, st: _State, *, low: bool = False, maxiter: int = _FAST_MAXITER
) -> NDArray[np.intp]:
    """Iterate every row to convergence; returns the unconverged rows.

    ``loc`` holds the state of the active rows (global ids ``act``); the
    working block ``cur`` is shrunk to them when it holds 25 % more.
    """
    act = np.arange(st.tau.size)
    loc = st.take(act)
    loc.g_prev[:] = np.inf
    cur, pos = blk, act  # pos: where the active rows sit in cur
    first = bool(np.all(loc.tau == 0))
    for _ in range(maxiter):
        if act.size == 0:
            break
        if 4 * act.size < 3 * pos.size or act.size < 0.8 * cur.A.shape[0]:
            cur, pos = cur.take(pos), np.arange(act.size)
        if first:  # τ = 0: 1 − τA = 1, the sums need no weights
            sums = _evaluate_at_zero(cur)
            first = False
        else:
            tc = np.empty(cur.A.shape[0])
            dc = np.empty(cur.A.shape[0])
            tc[pos], dc[pos] = loc.tau, loc.dlt
            sums = _evaluate(cur, tc, dc)
        if pos.size < cur.A.shape[0]:
            sums = tuple(v[pos] for v in sums)  # type: ignore[assignment]
        done = _newton_update(loc, sums, low)
        if np.any(done):
            st.data[:, act[done]] = loc.data[:, done]
            keep = ~done
            loc, act, pos = loc.take(keep), act[keep], pos[keep]
    st.data[:, act] = loc.data
    return act


def _fast_setup(
    a: NDArray[np.float64],
    zs: NDArray[np.float64],
    z2: NDArray[np.float64],
    shift: NDArray[np.float64],
    bb: NDArray[np.float64],
) -> tuple[_Block, _State]:
    """Working arrays and the initial bracket of the fast rows.

    ``a`` = sign·α (scaled, sorted decreasingly), ``shift`` = b/r² on the
    manifold (0 off it) and ``bb`` the right-hand side (0 on the manifold).
    """
    m = zs.shape[0]
    A = a - shift[:, None]
    az2 = A * z2
    a2z2 = A * az2
    k = int(np.sum(a > np.min(shift)))  # a prefix: a is sorted
    An = np.ascontiguousarray(A[:, :k])
    az2n = np.ascontiguousarray(az2[:, :k])
    posm = An > 0
    posf = None if np.all(posm) else posm.astype(np.float64)
    amax = A[:, 0]
    inv = 1.0 / amax
    gn = (a[0] - a[:k])[None, :] * inv[:, None]
    blk = _Block(A, az2, a2z2, An, az2n, An * az2n, gn, posf)
    ntop = int(np.sum(a == a[0]))
    zt2 = np.sum(z2[:, :ntop], axis=1)
    neg = np.sum(az2[:, k:], axis=1) + _masked_sums(az2n, posf)[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        d_hi = np.minimum(0.999 * np.sqrt(zt2 / (amax * (bb - neg))), inv)
    zero = np.zeros(m)
    fields = {
        "tau": zero,
        "dlt": inv,
        "t_lo": zero,
        "d_lo": inv,
        "t_hi": inv - d_hi,
        "d_hi": d_hi,
        "g_prev": np.full(m, np.inf),
        "inv": inv,
        "absA": np.maximum(A[:, 0], -A[:, -1]),
        "bb": bb,
        "iters": zero,
    }
    return blk, _State(np.stack([fields[f] for f in _State.FIELDS]))


def _fast_solve(blk: _Block, st: _State) -> NDArray[np.intp]:
    """Float32 steps to ~1e-5, then float64 steps to convergence.

    The float32 phase only chooses where the float64 iteration starts (and
    moves the bracket where the sign of g is certain); every stopping test
    and every certificate is in float64.  Returns the unconverged rows.
    """
    if blk.A.shape[1] - blk.k >= 64:  # worth the float32 copies
        _fast_iterate(blk.single(), st, low=True, maxiter=_LOW_MAXITER)
    return _fast_iterate(blk, st)


def _fast_finish(
    blk: _Block,
    st: _State,
    zs: NDArray[np.float64],
    z2: NDArray[np.float64],
    r2: NDArray[np.float64],
    on_manifold: bool,
) -> dict[str, Any]:
    """Point, distance and secular certificate at the converged roots.

    Everything is formed from the weights w = 1 − τA at the root,
    y = z/w and the row sums of A y², A² y², A w y² = A y z and y² (one
    pass each); the distance needs no subtraction of nearby numbers: off the
    manifold x − z = τ A∘y, on it x − z = (ρ + τA)∘y with ρ = r/‖y‖ − 1 and
    Σ A y² = 0 at the root, so ‖x − z‖² = ρ²‖y‖² + 2ρτ Σ A y² + τ² Σ A² y².
    """
    m = zs.shape[0]
    k, tau = blk.k, st.tau
    W = np.multiply(blk.A, tau[:, None])  # full rows: see _evaluate
    np.subtract(1.0, W, out=W)
    _pole_weights(blk, tau, st.dlt, W[:, :k])
    Y = np.divide(zs, W)
    AY = blk.A * Y
    P, N = _masked_sums(AY[:, :k] * Y[:, :k], blk.posf)
    N += np.einsum("ij,ij->i", AY[:, k:], Y[:, k:])
    g = P + N - st.bb
    sa2 = np.einsum("ij,ij->i", AY, AY)
    out: dict[str, Any] = {
        "residual": np.abs(g) / (P - N + np.abs(st.bb)),
        "min_curvature": np.min(W[:, :k], axis=1),
        "W": W,
    }
    ny2 = np.einsum("ij,ij->i", Y, Y)
    out["finite"] = np.isfinite(ny2) & (ny2 > 0)  # every y_i finite
    if on_manifold:
        r = np.sqrt(r2)
        ny = np.sqrt(ny2)
        saw = np.einsum("ij,ij->i", AY, zs)  # Σ A w y²
        rho = -(tau * (P + N + saw)) / (ny * (ny + r))  # r/‖y‖ − 1
        dist2 = rho * rho * ny2 + 2.0 * rho * tau * (P + N) + tau * tau * sa2
        Y *= (r / ny)[:, None]
        out["sphere_mult"] = 1.0 - ny / r
    else:
        dist2 = tau * tau * sa2
        out["sphere_mult"] = np.zeros(m)
    out["distance"] = np.sqrt(np.maximum(dist2, 0.0))
    out["point"] = Y
    return out


def _fast_residuals(
    p: NDArray[np.float64],
    W: NDArray[np.float64],
    zs: NDArray[np.float64],
    r2: NDArray[np.float64],
    kappa: NDArray[np.float64],
    al: NDArray[np.float64],
    cs: NDArray[np.float64],
    on_manifold: bool,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Constraint, sphere and stationarity residuals of returned points.

    As :func:`residuals`, with x − x0 − κx − (1 − κ)τ a∘x written as
    (1 − κ) x∘w − x0 and w = 1 − τa the solver's accurate weights.
    """
    p2 = p * p
    sp2 = np.sum(p2, axis=1)
    constraint = np.abs(p2 @ al - cs) / np.maximum(p2 @ np.abs(al), np.abs(cs))
    r = np.sqrt(r2)
    norm = np.sqrt(sp2)
    sphere = np.abs(norm - r) if on_manifold else np.full(p.shape[0], np.nan)
    t = np.multiply(p, W, out=p2)
    if on_manifold:
        t *= (1.0 - kappa)[:, None]
    t -= zs
    scale = np.maximum(norm, r)
    kkt = _rownorm(t) / np.where(scale > 0, scale, 1.0)
    return constraint, sphere, kkt


_OUT_KEYS = (
    "distance tau sphere_mult residual min_curvature constraint_residual "
    "sphere_residual kkt_residual"
).split()


def solve_sorted(
    alphas: NDArray[np.float64],
    threshold: float,
    z: NDArray[np.float64],
    sign: float,
    on_manifold: bool,
    *,
    with_residuals: bool = True,
) -> dict[str, Any]:
    """Solve rows of one class whose columns are sorted by decreasing sign·α.

    Same results and checks as the careful path (:func:`solve_chunk`);
    regular rows take the fast path, the others (and any row the fast path
    cannot certify) the careful one.  ``alphas`` are sorted the same way.

    Raises
    ------
    SolverError, ValueError
        As :func:`solve_chunk`.
    """
    m = z.shape[0]
    amax = float(np.max(np.abs(alphas), initial=0.0))
    f = int(np.frexp(amax)[1]) if amax > 0 else 0
    al = np.ldexp(alphas, -f)
    a = sign * al
    zmax = np.maximum(np.max(z, axis=1), -np.min(z, axis=1))
    e_c = -(f // 2)
    e = np.where(zmax > 0, np.maximum(np.frexp(zmax)[1], e_c), e_c).astype(np.int64)
    scaled = bool(np.any(e))
    zs = z * np.ldexp(1.0, -e)[:, None] if scaled else z
    with np.errstate(under="ignore"):
        cs = np.ldexp(np.full(m, float(threshold)), -f - 2 * e)
    z2 = zs * zs
    r2 = np.sum(z2, axis=1)
    b = sign * cs
    ok = (np.min(z2, axis=1) > _MIN_SQUARE) & (z2 @ a - b < 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = b / r2 if on_manifold else np.zeros(m)
    ok &= a[0] - shift > 0
    if not on_manifold:
        ok &= np.abs(cs) >= _MIN_SCALED_THRESHOLD
    fast = np.flatnonzero(ok)
    if fast.size == 0:
        return _solve_careful(
            alphas,
            threshold,
            z,
            np.full(m, sign),
            on_manifold,
            with_residuals=with_residuals,
        )
    if fast.size < m:
        zs, z2, r2, shift, b, cs = (v[fast] for v in (zs, z2, r2, shift, b, cs))
    bb = np.zeros(fast.size) if on_manifold else b
    # Overflow or NaN (extreme rows) fails the checks below: careful path.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        blk, st = _fast_setup(a, zs, z2, shift, bb)
        bad = _fast_solve(blk, st)
        res = _fast_finish(blk, st, zs, z2, r2, on_manifold)
        W = res.pop("W")
        if with_residuals:
            cons, sph, kkt = _fast_residuals(
                res["point"], W, zs, r2, res["sphere_mult"], al, cs, on_manifold
            )
            res.update(constraint_residual=cons, sphere_residual=sph, kkt_residual=kkt)
    del W
    res["tau"] = np.ldexp(st.tau, -f)
    res["iterations"] = st.iters.astype(np.int64)
    check = res["residual"] <= 1e-8
    check &= np.isfinite(res["distance"]) & (res["min_curvature"] >= 0)
    check &= res.pop("finite")
    check[bad] = False
    if scaled:
        sc = np.ldexp(1.0, e[fast])
        res["point"] *= sc[:, None]
        res["distance"] *= sc
        if with_residuals:
            res["sphere_residual"] *= sc
    slow = np.ones(m, dtype=bool)
    slow[fast[check]] = False
    return _merge(
        res, fast, check, slow, alphas, threshold, z, sign, on_manifold, with_residuals
    )


def _merge(
    res: dict[str, Any],
    fast: NDArray[np.intp],
    check: NDArray[np.bool_],
    slow: NDArray[np.bool_],
    alphas: NDArray[np.float64],
    threshold: float,
    z: NDArray[np.float64],
    sign: float,
    on_manifold: bool,
    with_residuals: bool,
) -> dict[str, Any]:
    """Fast rows (``fast``, certified where ``check``) plus the careful rest."""
    m = z.shape[0]
    keys = [k for k in _OUT_KEYS if k in res]
    if not np.any(slow):
        out = {k: res[k] for k in keys}
        out.update(
            point=res["point"],
            iterations=res["iterations"],
            status=np.full(m, SOLVED, dtype=np.int64),
            unconverged=np.zeros(0, dtype=np.int64),
        )
        return out
    rows = np.flatnonzero(slow)
    part = _solve_careful(
        alphas,
        threshold,
        z[rows],
        np.full(rows.size, sign),
        on_manifold,
        with_residuals=with_residuals,
    )
    good = fast[check]
    out = {k: np.empty(m) for k in keys}
    out["point"] = np.empty(z.shape)
    out["iterations"] = np.empty(m, dtype=np.int64)
    out["status"] = np.full(m, SOLVED, dtype=np.int64)
    for key in (*keys, "point", "iterations"):
        out[key][good] = res[key][check]
        out[key][rows] = part[key]
    out["status"][rows] = part["status"]
    out["unconverged"] = rows[part["unconverged"]]
    return out


def solve_chunk(
    alphas: NDArray[np.float64],
    threshold: float,
    z: NDArray[np.float64],
    sign: NDArray[np.float64],
    on_manifold: bool,
    *,
    with_residuals: bool = True,
) -> dict[str, Any]:
    """Scale, solve, check and scale back rows (any classes, any column order).

    Raises
    ------
    SolverError
        If a row does not converge, or its relative secular residual at the
        returned root exceeds 1e-8 (a wrong number is never returned).
    ValueError
        If a row is out of the representable range (:func:`scale_rows`).
    """
    m, d = z.shape
    out: dict[str, Any] = {"point": np.empty((m, d))}
    for s in (1.0, -1.0):
        rows = np.flatnonzero(sign == s)
        if rows.size == 0:
            continue
        perm = np.argsort(-s * alphas, kind="stable")
        zr = z[rows] if rows.size < m else z
        part = solve_sorted(
            alphas[perm],
            threshold,
            zr[:, perm],
            s,
            on_manifold,
            with_residuals=with_residuals,
        )
        for key, v in part.items():
            if key == "unconverged":
                continue
            if key not in out:
                out[key] = np.empty(m, dtype=np.asarray(v).dtype)
            if key == "point":
                out[key][np.ix_(rows, perm)] = v
            else:
                out[key][rows] = v
    return out


def secular_route(
    alphas: NDArray[np.float64],
    threshold: float,
    x: NDArray[np.float64],
    basis: NDArray[np.float64] | None,
    sign: NDArray[np.float64],
    on_manifold: bool,
) -> dict[str, Any]:
    """Secular solve with certificates of points x (input coordinates).

    Per class, the basis columns are sorted by decreasing sign·α once; the
    rotation into that eigenbasis and the rotation of the nearest points
    back are one matrix product each for the whole class (a product per
    chunk is as fast on one thread, but much slower with several BLAS
    threads on a busy machine), and the rows are solved in chunks of
    ``_CHUNK``.  Points are returned in input coordinates.
    """
    n, d = x.shape
    point = np.empty((n, d))
    out: dict[str, Any] = {k: np.empty(n) for k in _OUT_KEYS}
    out["status"] = np.empty(n, dtype=np.int64)
    out["iterations"] = np.empty(n, dtype=np.int64)
    for s in (1.0, -1.0):
        rows = np.flatnonzero(sign == s)
        if rows.size == 0:
            continue
        perm = np.argsort(-s * alphas, kind="stable")
        rot = None if basis is None else basis[:, perm]
        xr = x if rows.size == n else x[rows]
        zall = xr[:, perm] if rot is None else xr @ rot
        ps = np.empty_like(zall)
        for i in range(0, rows.size, _CHUNK):
            idx = rows[i : i + _CHUNK]
            part = solve_sorted(
                alphas[perm], threshold, zall[i : i + idx.size], s, on_manifold
            )
            if part["unconverged"].size:
                bad = part["unconverged"].size
                msg = f"the secular root finder did not converge for {bad} point(s)."
                raise SolverError(msg)
            for k in (*_OUT_KEYS, "status", "iterations"):
                out[k][idx] = part[k]
            ps[i : i + idx.size] = part["point"]
        with np.errstate(invalid="ignore"):
            if rot is None:
                pc = np.empty_like(ps)
                pc[:, perm] = ps
            else:
                pc = ps @ rot.T
        if rows.size == n:
            point = pc
        else:
            point[rows] = pc
    nan = np.full(n, np.nan)
    out.update(
        point=point,
        objective=nan,
        dual_objective=nan,
        duality_gap=nan,
        rank=np.full(n, -1),
        eigen_gap=nan,
        multiplier=sign * out["tau"],
        accurate=np.ones(n, dtype=bool),
        solver="secular",
        tolerance=float(8 * EPS),
    )
    return out
