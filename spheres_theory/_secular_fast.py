"""Fast batch route of the secular-equation solver (private).

The careful path of :mod:`spheres_theory._secular` solves any row; this
module organises the same safeguarded Newton iteration for speed on large
batches of regular rows, and sends every other row (and any row whose
iteration or certificate fails here) to the careful path.  It also holds the
batch entry points used by :mod:`spheres_theory.nearest`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._secular import (
    CHUNK,
    EPS,
    MIN_SCALED_THRESHOLD,
    NEGLIGIBLE,
    NEWTON_RTOL,
    SOLVED,
    TINY,
    rownorm,
    solve_careful,
)
from .errors import SolverError

__all__ = ["secular_route", "solve_chunk", "solve_sorted"]


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
# (there they may be flushed to 0, see NEGLIGIBLE).
_MIN_SQUARE = NEGLIGIBLE * NEGLIGIBLE


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
        done = np.abs(step) <= (_LOW_RTOL if low else NEWTON_RTOL) * np.minimum(
            tau, dlt
        )
        if not low:
            done |= np.abs(g) <= 8.0 * EPS * size
        pole_side = dlt < tau
        width = np.where(
            pole_side, (d_lo - d_hi) / np.maximum(d_hi, TINY), (t_hi - t_lo) * absA
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
    kkt = rownorm(t) / np.where(scale > 0, scale, 1.0)
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
        ok &= np.abs(cs) >= MIN_SCALED_THRESHOLD
    fast = np.flatnonzero(ok)
    if fast.size == 0:
        return solve_careful(
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
    part = solve_careful(
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
    ``CHUNK``.  Points are returned in input coordinates.
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
        for i in range(0, rows.size, CHUNK):
            idx = rows[i : i + CHUNK]
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
