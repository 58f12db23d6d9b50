"""Saddlepoint-contour inversion of the generalized χ² distribution (private).

The variable is ``Q = Σ_j w_j χ²(ν_j, λ_j) + σ Z`` (an offset is folded into
the threshold by the callers) with cumulant generating function

    K(s) = Σ_j [−(ν_j/2) log(1 − 2 w_j s) + λ_j w_j s / (1 − 2 w_j s)] + σ² s²/2,

and for 0 < c < 1/(2 w_max), P(Q > x) = (1/2πi) ∫_{c−i∞}^{c+i∞} exp(K(s) − s x)
ds/s; for 1/(2 w_min) < c < 0 the same integral is −P(Q ≤ x).  Each tail is
integrated on its own side of the pole, in float64 and in log space.  Rows
(forms, thresholds) are vectorised.  Arrays here are already validated and
merged: ``lam`` the weights w_j (padding entries have ν = λ = 0), ``nu`` the
degrees of freedom, ``nc`` the noncentralities, ``sig2`` σ² per row.
"""

from __future__ import annotations

import math
import threading
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special

Array = NDArray[np.float64]

EPS = float(np.finfo(float).eps)
_LOG_PI = math.log(math.pi)
#: Relative accuracy promised by the float64 routes.
TARGET = 1e-10
#: Convergence threshold of the nested trapezoid levels (see ``_integrate``).
_TOL = 1e-11
#: The exponent of a probability carried through a float64 log cannot be more
#: accurate than about |ln P| ε; below ~1e-400000 that floor exceeds TARGET and
#: "accurate" then means "to the floor" (see ``exact_tails``).
FLOOR = 16.0 * EPS
_TINY = 1e-290  # below this a float64 value is reported through its logarithm


# ---------------------------------------------------------------------------
# Crossing point
# ---------------------------------------------------------------------------


def _far_bound(n: Array, lam_nc: Array, sig2: Array, xm: Array) -> Array:
    """Return a point beyond the root of φ' when no singularity lies on the tail's side.

    With every weight on the other side, φ'(s) >= σ² s − x − C/s with
    C = n/2 + Λ/8 + 1 (each noncentral term is >= −λ_j/(8s)); the positive
    root of σ² s² − x s − C = 0 (written without cancellation) bounds the root.
    """
    cc = 0.5 * n + 0.125 * lam_nc + 1.0
    disc = np.sqrt(xm * xm + 4.0 * sig2 * cc)
    with np.errstate(divide="ignore", invalid="ignore"):
        neg = 2.0 * cc / (-xm + disc)
        pos = (xm + disc) / (2.0 * sig2)
    out = np.where(xm <= 0, neg, pos)
    return np.where(np.isfinite(out) & (out > 0), out, 1.0)


def solve_crossing(
    lam: Array, nu: Array, nc: Array, sig2: Array, x: Array, upper: bool
) -> tuple[Array, Array, Array]:
    """Real crossing point c of the contour (saddle of the whole integrand).

    Minimises φ(s) = K(s) − s x − log|s| over the strip (0, s₊) (upper tail) or
    (s₋, 0) (lower tail): φ' = K' − x − 1/s is increasing and runs from −∞ to
    +∞ there, so the root is unique.  Newton steps on g = φ'·s·(s₊ − s)
    (finite at both ends) safeguarded by bisection.  Where the strip ends at
    a singularity the unknown is the distance δ = s₊ − s to it, so that c may
    lie within 1e-300 of the singularity (thresholds far out in the tail)
    and 1 − 2w_j c is formed without cancellation.  Returns (c, δ, φ''(c)),
    δ = inf where no singularity bounds the strip.
    """
    rows = lam.shape[0]
    sgn = 1.0 if upper else -1.0
    # The lower tail is the mirrored problem: s -> -s, w -> -w, x -> -x.
    lm = lam * sgn
    xm = x * sgn
    has = nu > 0
    top = np.max(np.where(has, lm, -np.inf), axis=1)
    fin = top > 0
    far = np.where(fin, 0.5 / np.where(fin, top, 1.0), 0.0)
    bound = _far_bound(nu.sum(axis=1), nc.sum(axis=1), sig2, xm)
    far = np.where(fin, far, bound)
    base = 1.0 - 2.0 * lm * far[:, None]  # 1 − 2w s₊: exactly 0 for the top weight
    # The unknown is δ where the root lies in the far half of the strip and
    # s itself where it lies in the near half (c within 1e-300 of the pole).
    zero = np.zeros(rows, dtype=bool)
    f_mid = _dphi(lm, nu, nc, sig2, xm, 0.5 * far, zero, far, base)[0]
    near = fin & (f_mid > 0)
    fin = fin & ~near
    lo = np.zeros(rows)
    hi = np.where(fin | near, 0.5 * far, far)
    v = 0.5 * hi
    d2 = np.ones(rows)
    done = np.zeros(rows, dtype=bool)
    for _ in range(600):
        act = ~done
        if act.all():  # no row has converged yet: no gathering needed
            act = slice(None)
        elif not act.any():
            break
        arrays = (lm, nu, nc, sig2, xm, v, fin, far, base)
        f1, f2, sa, _ = _dphi(*(a[act] for a in arrays))
        d2[act] = f2
        va, fa, fi = v[act], far[act], fin[act]
        loa, hia = lo[act], hi[act]
        up = np.where(fi, f1 > 0, f1 < 0)  # the root lies at larger v
        down = np.where(fi, f1 < 0, f1 > 0)
        loa = np.where(up, va, loa)
        hia = np.where(down, va, hia)
        g = np.where(fi, f1 * sa * va, f1 * va)
        dg = np.where(fi, -f2 * sa * va + f1 * (fa - 2.0 * va), f2 * va + f1)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            new = va - g / dg
            # Where the step leaves the bracket, the Newton step on log v
            # (v > 0 always; it follows the ~1/v growth near a singularity).
            logstep = va * np.exp(np.clip(-g / (va * dg), -40.0, 40.0))
        bad = ~np.isfinite(new) | (new <= loa) | (new >= hia)
        new = np.where(bad, logstep, new)
        bad = ~np.isfinite(new) | (new <= loa) | (new >= hia)
        # bisection fallback: geometric on a wide bracket, fast towards 0
        mid = np.where(
            (loa > 0) & (hia > 4.0 * loa), np.sqrt(loa * hia), 0.5 * (loa + hia)
        )
        mid = np.where(loa == 0, hia / 256.0, mid)
        new = np.where(bad, mid, new)
        # Any c in the strip gives the exact integral; only the conditioning
        # depends on it, so a step small on the Gaussian width is enough.
        width = 1.0 / np.sqrt(f2)
        conv = (np.abs(new - va) < 1e-4 * width) | (hia - loa < 1e-6 * width)
        conv |= hia - loa <= 4e-16 * np.abs(va)
        v[act] = new
        lo[act], hi[act] = loa, hia
        idx = np.arange(rows)[act]
        done[idx[conv]] = True
    # φ'' from the last evaluation (within 1e-4 widths of c: it only sets the
    # scale of the path); c itself from the final v.
    s = np.where(fin, far - v, v)
    return sgn * s, np.where(fin, v, np.inf), d2


def _dphi(
    lm: Array,
    nu: Array,
    nc: Array,
    sig2: Array,
    xm: Array,
    v: Array,
    fin: NDArray[np.bool_],
    far: Array,
    base: Array,
) -> tuple[Array, Array, Array, Array]:
    """(φ', φ'', s, 1 − 2 w s) of the mirrored problem at the unknown v."""
    s = np.where(fin, far - v, v)
    a = np.where(
        fin[:, None], base + 2.0 * lm * v[:, None], 1.0 - 2.0 * lm * s[:, None]
    )
    r1 = lm / a
    f1 = (nu * r1).sum(axis=1) + (nc * r1 / a).sum(axis=1) + sig2 * s - xm - 1.0 / s
    f2 = 2.0 * (nu * r1 * r1).sum(axis=1) + 4.0 * (nc * r1 * r1 / a).sum(axis=1)
    f2 += sig2 + 1.0 / (s * s)
    return f1, f2, s, a


def one_minus(lam: Array, c: Array, delta: Array) -> Array:
    """1 − 2 w_j c without cancellation, from c and δ (see solve_crossing)."""
    sgn = np.sign(c)[:, None]
    fin = np.isfinite(delta)
    lm = lam * sgn
    top = np.max(np.where(lm > 0, lm, 0.0), axis=1)
    far = np.where(fin, 0.5 / np.where(top > 0, top, 1.0), 0.0)
    base = 1.0 - 2.0 * lm * far[:, None]
    near = base + 2.0 * lm * np.where(fin, delta, 0.0)[:, None]
    return np.where(fin[:, None], near, 1.0 - 2.0 * lam * c[:, None])


def _tilt(
    lam: Array,
    nu: Array,
    xe: Array,
    c: Array,
    q: Array,
    nuq: Array,
    eq: Array,
    tau: Array,
) -> Array:
    """Asymptotic slope β of the contour s(t) = c + β(√(t² + T²) − T) + i t.

    Along the vertical line the phase of the integrand keeps turning once the
    singularities near c have saturated; bending the contour by
    β = −sign(ω)·β_max turns that rotation into decay.  Where the linear
    phase ``xe`` (x − σ²c) is not 0 the bend follows its sign so that
    exp(−s xe) decays.  The slope is capped so that the singularities on the
    side it bends to (and the pole) are approached by at most a factor
    costing ~1 digit: (1 + β²)^{n_side/4} <= 10.
    """
    ts = 4.0 * tau
    qt = q * ts[:, None]
    den = 1.0 + qt * qt
    omega = 0.5 * (nuq * q / den).sum(axis=1) + (eq * (2.0 - den) / den**2).sum(axis=1)
    omega -= xe
    side = np.where(xe != 0, np.sign(xe), -np.sign(omega))
    sing = np.where(nu > 0, 0.5 / np.where(lam != 0, lam, np.inf), 0.0)
    beyond = (sing - c[:, None]) * side[:, None] > 0
    n_side = (nu * beyond).sum(axis=1) + 2.0 * ((0.0 - c) * side > 0)
    with np.errstate(divide="ignore", over="ignore"):
        beta = np.sqrt(np.expm1(4.0 * math.log(10.0) / np.maximum(n_side, 1e-3)))
    return side * np.minimum(0.5, beta)


# ---------------------------------------------------------------------------
# Integrand and quadrature
# ---------------------------------------------------------------------------


def log_integrand(
    t: Array, row: dict[str, Any], work: Array | None = None
) -> tuple[Array, Array, Array]:
    """Normalised log-integrand of one form at contour points; slope γ too.

    ``row`` holds ``q`` (J,) the values 2w_j/(1 − 2w_j c) with the pole as an
    extra entry (q = −1/c, ν = 2), ``nu``, ``e`` = λ_j w_j/(1 − 2w_j c)²,
    ``eqe`` = [e_j, q_j e_j] (J, 2), ``has_nc``, ``beta``, ``bend`` (T), ``x``,
    ``sig2`` and ``c``.  With z = s − c = ζ + i t, ζ = β(√(t² + T²) − T):

        log F = −½ Σ ν_j log(1 − q_j z) + Σ e_j z/(1 − q_j z)
                + σ²(c z + z²/2) − x z.

    The node-by-weight work is one log1p, one arctan and one reciprocal per
    entry: |1 − q z|² = 1 + a with a = qζ(qζ − 2) + (qt)² (no cancellation)
    gives the logarithm's real part, and its reciprocal serves the
    noncentral terms, z/(1 − qz) = [ζ − q(ζ² + t²) + i t] / |1 − qz|², whose
    sums over j are two matrix-vector products.  ``work`` (optional, at least
    4 · nodes · J floats) holds the node-by-weight arrays, so that repeated
    calls allocate (and page in) nothing.

    Returns (Re log F, Im log F, γ = dRe s/dt).
    """
    q, nu = row["q"], row["nu"]
    beta, bend, x, sig2, c = row["beta"], row["bend"], row["x"], row["sig2"], row["c"]
    shape = (t.size, q.size)
    size = shape[0] * shape[1]
    if work is None or work.size < 4 * size:
        work = np.empty(4 * size)
    qt, qz, im, arg = (work[k * size : (k + 1) * size].reshape(shape) for k in range(4))
    root = np.sqrt(t * t + bend * bend)
    zeta = beta * t * t / (root + bend)
    gamma = beta * t / root
    np.multiply.outer(t, q, out=qt)
    if beta == 0:
        zeta = np.zeros_like(t)
        np.arctan(qt, out=im)
        np.multiply(qt, qt, out=arg)
    else:
        np.multiply.outer(zeta, q, out=qz)
        np.subtract(1.0, qz, out=im)
        np.arctan2(qt, im, out=im)
        np.subtract(qz, 2.0, out=arg)
        arg *= qz
        qt *= qt
        arg += qt
    lre = -0.25 * (np.log1p(arg, out=qz) @ nu) - x * zeta
    lim = 0.5 * (im @ nu) - x * t
    if row["has_nc"]:
        arg += 1.0
        inv = np.reciprocal(arg, out=arg)
        s_e, s_qe = (inv @ row["eqe"]).T
        lre += zeta * s_e - (zeta * zeta + t * t) * s_qe
        lim += t * s_e
    if sig2:
        lre += sig2 * (c * zeta + 0.5 * (zeta * zeta - t * t))
        lim += sig2 * (c * t + zeta * t)
    return lre, lim, gamma


_BLOCK = 16384  # rows x distinct weights per block (keeps arrays in cache)
_NODE_BLOCK = 32768  # nodes x distinct weights per call of log_integrand
_H0 = 0.5  # step of level 0
_CHUNK = 14  # level-0 nodes added per pass while searching for the cut-off
_U_MAX = 48.0  # t up to τ sinh(48) ≈ 3.5e20 τ
_LEVELS = 10  # finest step _H0 / 2**_LEVELS
_BEND = 2.0  # bend scale T of the contour in units of the Gaussian width
_CUT = 1e-30  # nodes with |f| below this fraction of the integral are dropped


_LOCAL = threading.local()


def _workspace(size: int) -> Array:
    """Return a float64 scratch array of at least ``size`` entries (per thread)."""
    work = getattr(_LOCAL, "work", None)
    if work is None or work.size < size:
        work = np.empty(max(size, 2 * (0 if work is None else work.size)))
        _LOCAL.work = work
    return work


def _row(geo: dict[str, Any], r: int) -> dict[str, Any]:
    keep = geo["nuq"][r] > 0
    e = geo["eq"][r, keep]
    q = geo["q"][r, keep]
    return {
        "q": q,
        "nu": geo["nuq"][r, keep],
        "e": e,
        "eqe": np.stack([e, q * e], axis=1),
        "has_nc": bool(np.any(e != 0)),
        "beta": float(geo["beta"][r]),
        "bend": _BEND * float(geo["tau"][r]),
        "x": float(geo["x"][r]),
        "sig2": float(geo["sig2"][r]),
        "c": float(geo["c"][r]),
    }


def _eval_nodes(
    prow: NDArray[np.intp], up: Array, geo: dict[str, Any]
) -> tuple[Array, Array]:
    """Integrand f(u) (Jacobian included) and its modulus at (row, u) pairs.

    ``prow`` is grouped by row; each row is evaluated against its own weights.
    """
    tau = geo["tau"]
    tp = tau[prow]
    t = tp * np.sinh(up)
    jac = tp * np.cosh(up)
    lre = np.empty_like(t)
    lim = np.empty_like(t)
    gam = np.empty_like(t)
    cuts = np.flatnonzero(np.diff(prow)) + 1
    for lo, hi in zip(
        np.concatenate([[0], cuts]), np.concatenate([cuts, [prow.size]]), strict=True
    ):
        if hi == lo:
            continue
        r = int(prow[lo])
        cache = geo["rows"]
        if r not in cache:
            cache[r] = _row(geo, r)
        row = cache[r]
        # Nodes in blocks, in a work array reused from call to call: nothing
        # is allocated (or paged in) per node.
        step = max(1, _NODE_BLOCK // max(row["q"].size, 1))
        work = _workspace(4 * min(step, hi - lo) * row["q"].size)
        for b in range(lo, hi, step):
            sl = slice(b, min(b + step, hi))
            lre[sl], lim[sl], gam[sl] = log_integrand(t[sl], row, work)
    mag = np.exp(lre) * jac
    f = mag * (np.cos(lim) + gam * np.sin(lim))
    return f, mag * (1.0 + np.abs(gam))


def _integrate(geo: dict[str, Any]) -> tuple[Array, Array, NDArray[np.int64]]:
    """∫_0^∞ Re F(t) dt by nested trapezoid levels in u, t = τ sinh u.

    The integrand is an even analytic function of t, so the trapezoid rule on
    u ∈ [0, ∞) (half weight at 0) converges geometrically in 1/h; its modulus
    decays at least algebraically in t, i.e. exponentially in u.  Level 0
    (step ``_H0``) advances in chunks until the modulus has fallen below
    ``_CUT`` of the running integral, which fixes each row's range; each
    further level halves the step and evaluates only the new nodes.  The
    relative difference of the last two levels, plus a rounding bound
    64 ε Σ|f|/|Σ f|, estimates the error (conservatively: it is about the
    error of the coarser level); a row stops once it is below ``_TOL``.

    Returns (integral, relative error estimate, number of nodes).
    """
    rows = geo["q"].shape[0]
    total = np.zeros(rows)
    absum = np.zeros(rows)
    nodes = np.zeros(rows, dtype=np.int64)
    u_end = np.zeros(rows)
    h = _H0
    searching = np.ones(rows, dtype=bool)
    start = 0
    seen = []
    trunc = np.zeros(rows)
    while searching.any() and start * h <= _U_MAX:
        u = h * np.arange(start, start + _CHUNK)
        ridx = np.flatnonzero(searching)
        prow = np.repeat(ridx, u.size)
        up = np.tile(u, ridx.size)
        f, mag = _eval_nodes(prow, up, geo)
        wts = np.where(up == 0, 0.5, 1.0)
        total += np.bincount(prow, weights=f * wts, minlength=rows)
        absum += np.bincount(prow, weights=mag * wts, minlength=rows)
        nodes += np.bincount(prow, minlength=rows)
        tail = mag.reshape(ridx.size, u.size)[:, -2:].max(axis=1)
        small = tail < _CUT * np.abs(total[ridx]) + 1e-300
        searching[ridx[small]] = False
        trunc[ridx] = tail / np.abs(total[ridx])
        seen.append((prow, up, mag))
        start += _CHUNK
    trunc = np.where(searching, 10.0 * trunc, 0.0)
    for prow, up, mag in seen:
        sig = mag >= _CUT * np.abs(total[prow])
        np.maximum.at(u_end, prow[sig], up[sig] + h)
    result = total * h
    err = np.full(rows, np.inf)
    active = np.ones(rows, dtype=bool)
    for _ in range(_LEVELS):
        h /= 2
        ridx = np.flatnonzero(active)
        n_new = np.ceil(u_end[ridx] / (2 * h)).astype(np.intp)
        prow = np.repeat(ridx, n_new)
        offs = np.arange(prow.size) - np.repeat(np.cumsum(n_new) - n_new, n_new)
        up = h * (2 * offs + 1)
        f, mag = _eval_nodes(prow, up, geo)
        total += np.bincount(prow, weights=f, minlength=rows)
        absum += np.bincount(prow, weights=mag, minlength=rows)
        nodes += np.bincount(prow, minlength=rows)
        est = total * h
        rnd = 64.0 * EPS * absum * h
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            # The difference of the last two levels bounds the error of the
            # coarser one; the finer one is far better (geometric convergence
            # in 1/h), so d1 is a conservative estimate.
            d1 = np.abs(est - result) / np.abs(est)
            rel = d1 + rnd / np.abs(est)
        err[active] = rel[active] + trunc[active]
        result[active] = est[active]
        active &= ~(err <= _TOL)
        if not active.any():
            break
    return result, err, nodes


# ---------------------------------------------------------------------------
# Rows of the exact route
# ---------------------------------------------------------------------------


def _tail_scale(
    lam: Array, nu: Array, nc: Array, sig: Array, x: Array, upper: bool
) -> Array:
    """Per-row scale that makes the crossing point O(1).

    The largest |w| on the tail's side (the singularity nearest the pole sets
    the strip); without weights on that side max(|w|, σ), divided by the
    bound on c when that is large (e.g. a lower tail of a positive form at
    x = 1e-200, where c ~ −n/(2x)).
    """
    has = nu > 0
    side = np.where(has, lam if upper else -lam, 0.0)
    top = side.max(axis=1)
    other = np.maximum(np.max(np.where(has, np.abs(lam), 0.0), axis=1), sig)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        xm = (x if upper else -x) / other
        bound = _far_bound(nu.sum(axis=1), nc.sum(axis=1), (sig / other) ** 2, xm)
    other = other / np.maximum(bound, 1.0)
    return np.where(top > 0, top, other)


def contour_rows(
    lam: Array,
    nu: Array,
    nc: Array,
    sig: Array,
    x: Array,
    upper: bool,
    *,
    density: bool = False,
) -> dict[str, Array]:
    """Contour inversion for rows that are not degenerate (float64).

    Returns ``log`` (log P), ``err`` (relative error of the integral and of
    its rounding), ``err_exp`` (absolute rounding error of the exponent,
    i.e. relative error of P), ``saddle`` and ``nodes``.  With ``density``
    the integrand has no pole (1/s): the result is the log density, with the
    contour crossing where the tail's contour would.  Rows are processed
    in blocks small enough for the node-by-weight arrays to stay in cache.
    """
    rows, width = lam.shape
    step = max(1, _BLOCK // max(width, 1))
    parts = []
    for i in range(0, rows, step):
        sl = slice(i, i + step)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            parts.append(
                _contour_block(lam[sl], nu[sl], nc[sl], sig[sl], x[sl], upper, density)
            )
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def _contour_block(
    lam: Array,
    nu: Array,
    nc: Array,
    sig: Array,
    x: Array,
    upper: bool,
    density: bool,
) -> dict[str, Array]:
    rows = lam.shape[0]
    # Scale invariance: divide by the largest |w| on the tail's side (the
    # singularity nearest the pole sets the strip) so that the strip and the
    # crossing c are O(1) even when the weights span hundreds of decades.
    scale = _tail_scale(lam, nu, nc, sig, x, upper)
    lam = lam / scale[:, None]
    x = x / scale
    sig2 = (sig / scale) ** 2
    c, delta, d2 = solve_crossing(lam, nu, nc, sig2, x, upper)
    has = nu > 0
    lc = np.where(has, lam * c[:, None], 0.0)
    a = np.where(has, one_minus(lam, c, delta), 1.0)
    # log1p(-2wc) where 2wc is small (a rounded a would cost ν·ε per merged
    # group), log(a) near the singularity (where a comes from δ exactly).
    lg = np.where(np.abs(lc) < 0.25, np.log1p(-2.0 * lc), np.log(a))
    ncterm = nc * lc / a
    parts = [
        -0.5 * np.einsum("rj,rj->r", nu, lg),
        ncterm.sum(axis=1),
        0.5 * sig2 * c * c,
        -c * x,
        -_LOG_PI if density else -np.log(np.abs(c)) - _LOG_PI,
    ]
    log_pref = sum(parts)
    # Rounding of the exponent: each term carries ~ε relative error.
    mag_exp = (
        0.5 * np.einsum("rj,rj->r", nu, np.abs(lg))
        + np.abs(ncterm).sum(axis=1)
        + sum(np.abs(p) for p in parts[2:])
    )
    q = np.concatenate([2.0 * lam / a, (-1.0 / c)[:, None]], axis=1)
    nuq = np.concatenate([nu, np.full((rows, 1), 0.0 if density else 2.0)], axis=1)
    eq = np.concatenate([nc * lam / (a * a), np.zeros((rows, 1))], axis=1)
    tau = 1.0 / np.sqrt(d2)  # Gaussian width of the integrand at c
    xe = x - sig2 * c
    beta = _tilt(lam, nu, xe, c, q, nuq, eq, tau)
    geo = {"q": q, "nuq": nuq, "eq": eq, "beta": beta, "tau": tau, "x": x}
    geo.update(sig2=sig2, c=c, rows={})
    integral, err, nodes = _integrate(geo)
    # Rounding of the phase within the Gaussian width: the terms of Im log F
    # (mixed signs) are summed in float64 at t ~ 3τ.
    t3 = 3.0 * tau[:, None]
    phase = 0.5 * (nuq * np.abs(np.arctan(q * t3))).sum(axis=1)
    phase += (np.abs(eq) * t3[:, 0:1]).sum(axis=1)
    phase += (sig2 * np.abs(c) + np.abs(x)) * 3.0 * tau + sig2 * 9.0 * tau * tau
    err = err + 4.0 * EPS * phase
    with np.errstate(divide="ignore", invalid="ignore"):
        log_i = np.log(integral)
    log_p = log_pref + log_i
    ok = np.isfinite(log_p) & (integral > 0)
    if density:  # back to the units of x
        log_p = log_p - np.log(scale)
    return {
        "log": np.where(ok, log_p, np.nan),
        "err": np.where(ok, err, np.inf),
        "err_exp": np.where(ok, 4.0 * EPS * mag_exp, np.inf),
        "saddle": c / scale,
        "nodes": nodes,
    }


# ---------------------------------------------------------------------------
# Closed forms: degenerate forms, a normal variable, one central weight
# ---------------------------------------------------------------------------


def degenerate(lam: Array, nu: Array, sig: Array, x: Array, upper: bool) -> Array:
    """Exact 0/1 answers (NaN where the row is not degenerate).

    Q ≡ 0 when no weight is left and σ = 0; with σ = 0, Q <= 0 a.s. when no
    weight is positive and Q >= 0 a.s. when none is negative (Q = 0 with
    probability 0 then: every kept weight has ν > 0).
    """
    has = nu > 0
    pos = np.any(has & (lam > 0), axis=1)
    neg = np.any(has & (lam < 0), axis=1)
    free = sig == 0
    sf = np.full(lam.shape[0], np.nan)
    zero = ~pos & ~neg & free
    sf[zero] = np.where(x[zero] < 0, 1.0, 0.0)
    sf[free & ~zero & ~pos & (x >= 0)] = 0.0
    sf[free & ~zero & ~neg & (x <= 0)] = 1.0
    return sf if upper else np.where(np.isnan(sf), np.nan, 1.0 - sf)


def log1pmx(t: Array) -> Array:
    """log(1 + t) − t with full relative accuracy (t > −1)."""
    t = np.asarray(t, dtype=np.float64)
    out = np.empty_like(t)
    small = np.abs(t) <= 0.25
    ts = t[small]
    # −Σ_{k>=2} (−t)^k / k, 30 terms: 0.25^30 < 1e-18.
    acc = np.zeros_like(ts)
    for k in range(31, 1, -1):
        acc = acc * (-ts) + 1.0 / k
    out[small] = -ts * ts * acc
    tb = t[~small]
    out[~small] = np.log1p(tb) - tb
    return out


# Gauss–Legendre nodes on [0, 1] for the incomplete gamma panels.
_GL_X, _GL_W = np.polynomial.legendre.leggauss(20)
_GL_X = 0.5 * (_GL_X + 1.0)
_GL_W = 0.5 * _GL_W


def _gamma_large(a: float, y: float, upper: bool) -> tuple[float, float]:
    """(log Q(a, y) or log P(a, y), exponent rounding) for a > 1e5.

    scipy.special.gammainc loses digits from a ~ 1e6 on.  With y = a(1 + σ)
    and φ = σ − log(1 + σ) (computed as −log1pmx(σ), no cancellation):

        y^a e^{−y}/Γ(a) = √(a/2π) e^{−aφ − r(a)}   (r: Stirling remainder)
        Γ(a, y) = y^a e^{−y} ∫_0^∞ exp((a−1) log1pmx(t) − (y − a + 1) t) dt
        γ(a, y) = y^a e^{−y} ∫_0^1 exp((a−1) log1pmx(−t) + (y − a + 1) t) dt.

    The integrands are log-concave with their mode within 1/y of 0; they are
    integrated by 20-point Gauss–Legendre panels of one e-folding length
    until they have fallen by e^-50.  Each exponent is a product of a large
    factor and an accurately computed small one, so the relative accuracy
    does not degrade with a.
    """
    sigma = (y - a) / a
    phi = -float(log1pmx(np.array([sigma]))[0])
    corr = 1.0 / (12.0 * a) - 1.0 / (360.0 * a**3)
    log_d = -a * phi + 0.5 * math.log(a / (2.0 * math.pi)) - corr
    slope = y - a + 1.0
    sgn = 1.0 if upper else -1.0
    rate = max(abs(slope), math.sqrt(a - 1.0))
    width = 1.0 / rate
    total = 0.0
    start = 0.0
    end = math.inf if upper else 1.0
    for _ in range(400):
        stop = min(start + width, end)
        t = start + (stop - start) * _GL_X
        g = (a - 1.0) * log1pmx(sgn * t) - sgn * slope * t
        total += (stop - start) * float(np.exp(g) @ _GL_W)
        if stop >= end or g[-1] < -50.0 + math.log(max(total, 1e-300) / width):
            break
        start = stop
    return log_d + math.log(total), 4.0 * EPS * (a * phi + abs(log_d))


def single_weight(lam: float, nu: float, x: float, upper: bool) -> tuple[float, float]:
    """(log P, exponent rounding) for Q = w χ²_ν (central, non-degenerate).

    P(wχ²_ν > x) is a regularised incomplete gamma function at y = x/(2w).
    Up to a = ν/2 = 1e5 scipy's gammainc/gammaincc (accurate to ~1e-14
    there; a lower tail below float64 is summed in log space from its series,
    a deep upper tail returns NaN and is left to the contour); beyond, the
    log-space integrals of ``_gamma_large``.
    """
    y = 0.5 * x / lam
    a = 0.5 * nu
    big = upper == (lam > 0)  # upper tail of the χ² variable
    if a > 1e5:
        small_is_upper = y >= a
        lp, rnd = _gamma_large(a, y, small_is_upper)
        if big == small_is_upper:
            return lp, rnd
        return math.log1p(-math.exp(lp)), rnd
    p = special.gammaincc(a, y) if big else special.gammainc(a, y)
    if np.isfinite(p) and p > _TINY:
        return math.log(p), 0.0
    if big or not 0 < y < a + 1:
        return math.nan, 0.0
    term, total, k = 1.0, 1.0, 0
    while term > 1e-17 * total:
        k += 1
        term *= y / (a + k)
        total += term
    lp = a * math.log(y) - y - special.gammaln(a + 1) + math.log(total)
    return lp, 4.0 * EPS * (abs(a * math.log(y)) + y)


# ---------------------------------------------------------------------------
# Driver of the exact route
# ---------------------------------------------------------------------------


def _complement_fallback(
    rows_in: tuple[Array, ...], upper: bool, out: dict[str, Any], todo: NDArray[np.intp]
) -> None:
    """Retry rows that missed the target as one minus the opposite tail.

    A tail close to 1 whose opposite tail is small (e.g. weights whose
    magnitudes differ by 1e20 or more) is then ``log1p(-P_other)`` (the big
    tail from the small one, never the reverse), with the error estimate
    scaled by ``P_other / (1 - P_other)``.  Updates ``out`` in place;
    ``tail`` records the tail that was integrated (the opposite one).
    """
    err = out["err"] + out["err_exp"]
    bad = todo[~(err[todo] <= TARGET)]
    if not bad.size:
        return
    lam, nu, nc, sig, x = (v[bad] for v in rows_in)
    res = contour_rows(lam, nu, nc, sig, x, not upper)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        p_other = np.exp(res["log"])
        ratio = p_other / (1.0 - p_other)
        new_err = res["err"] * ratio
        new_exp = res["err_exp"] * ratio
    good = np.isfinite(res["log"]) & (p_other < 0.5) & (new_err + new_exp < err[bad])
    rows = bad[good]
    out["log"][rows] = np.log1p(-p_other[good])
    out["err"][rows] = new_err[good]
    out["err_exp"][rows] = new_exp[good]
    out["saddle"][rows] = res["saddle"][good]
    out["nodes"][rows] += res["nodes"][good]
    out["tail"][rows] = "lower" if upper else "upper"


def exact_tails(
    lam: Array, nu: Array, nc: Array, sig: Array, x: Array, upper: bool
) -> dict[str, Any]:
    """Run the exact route on merged rows: closed forms, else the contour.

    Returns arrays ``log`` (log P, NaN where it failed), ``err`` (relative
    error estimate of the quadrature), ``err_exp`` (rounding of the
    exponent), ``saddle``, ``nodes`` and ``tail``.
    """
    rows = lam.shape[0]
    out: dict[str, Any] = {
        "log": np.full(rows, np.nan),
        "err": np.zeros(rows),
        "err_exp": np.zeros(rows),
        "saddle": np.full(rows, np.nan),
        "nodes": np.zeros(rows, dtype=np.int64),
        "tail": np.full(rows, "upper" if upper else "lower", dtype=object),
    }
    deg = degenerate(lam, nu, sig, x, upper)
    is_deg = ~np.isnan(deg)
    with np.errstate(divide="ignore"):
        out["log"][is_deg] = np.log(deg[is_deg])
    out["tail"][is_deg] = "none"
    has = nu > 0
    n_distinct = has.sum(axis=1)
    normal = ~is_deg & (n_distinct == 0)
    if normal.any():  # Q = σ Z: P(Q > x) = Φ(−x/σ)
        z = x[normal] / sig[normal]
        out["log"][normal] = special.log_ndtr(-z if upper else z)
    single = ~is_deg & (n_distinct == 1) & (sig == 0) & ~np.any(nc > 0, axis=1)
    for i in np.flatnonzero(single):
        j = int(np.argmax(has[i]))
        out["log"][i], out["err_exp"][i] = single_weight(
            float(lam[i, j]), float(nu[i, j]), float(x[i]), upper
        )
    todo = np.flatnonzero(~is_deg & ~normal & np.isnan(out["log"]))
    if todo.size:
        res = contour_rows(lam[todo], nu[todo], nc[todo], sig[todo], x[todo], upper)
        for key in ("log", "err", "err_exp", "saddle", "nodes"):
            out[key][todo] = res[key]
        _complement_fallback((lam, nu, nc, sig, x), upper, out, todo)
    return out
