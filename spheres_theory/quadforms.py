"""Tails of the generalized chi-square distribution with relative accuracy.

The error rate of every quadratic rule on a sphere is a tail probability of
``Q = Σ_j w_j χ²_{ν_j}`` (independent central χ² variables, mixed-sign weights)
evaluated at 0 (Gilmer et al. 2018, §4); the functions here take the full
variable ``Σ_j w_j χ²(ν_j, λ_j) + s Z + m`` of
:class:`~spheres_theory.gchi2.gchi2`.  The depths that matter run from 1e-3
to far below 1e-300, so the answer must be accurate *relative* to itself and
must carry its logarithm when it underflows float64.

The default route inverts the moment generating function along a contour
through the saddlepoint of the integrand, in float64 and in log space; see
:func:`quadform_sf`.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from . import _contour
from ._forms import (
    DPS,
    check_form,
    merge_rows,
    suggest_keywords,
    tails,
    warn_inaccurate,
)
from ._stats import clopper_pearson
from ._validation import check_finite_array, check_int, check_method

__all__ = ["TailProbability", "quadform_cdf", "quadform_sf"]

_METHODS = (None, "exact", "mpmath", "clt", "saddlepoint", "montecarlo")
_LN10 = math.log(10.0)


# ---------------------------------------------------------------------------
# Result object
# ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class TailProbability:
    """A tail probability of a generalized χ² variable and how it was obtained.

    For batch input (2-D ``weights``, one row per form) every numeric field is
    an array with one entry per row; ``method`` and ``tail`` stay strings
    (``tail`` may then be an array of strings).

    Attributes
    ----------
    value : float or ndarray
        The probability; 0.0 only when it underflows float64 or is exactly 0.
    log10_value : float or ndarray
        ``log10`` of the probability: finite whenever the probability is > 0
        (also far below 1e-308), ``-inf`` iff it is exactly 0.
    method : str
        Route: ``"exact"`` (the default: contour inversion, or a closed form
        for degenerate forms and single weights), ``"mpmath"``, ``"clt"``,
        ``"saddlepoint"`` or ``"montecarlo"``.
    tail : str or ndarray
        ``"upper"`` (P(Q > x) integrated) or ``"lower"`` (P(Q ≤ x)); ``"none"``
        where the answer is exactly 0 or 1 (all weights of one sign relative
        to x, or Q ≡ 0).
    saddlepoint : float or ndarray
        Real point where the contour crosses the real axis (exact and mpmath
        routes), or the Lugannani–Rice saddlepoint; NaN where not used.
    n_nodes : int or ndarray
        Integrand evaluations of the quadrature (0 where none).
    error_estimate : float or ndarray
        Estimated relative error (0 for exact closed forms; NaN for "clt",
        "saddlepoint" and "montecarlo", whose error is not estimated this way:
        see ``ci_low``/``ci_high`` for the last).
    accurate : bool or ndarray
        False where the "exact" or "mpmath" route's ``error_estimate``
        exceeds the documented target 1e-10 (an :class:`AccuracyWarning` is
        issued then), except far below float64's log floor (abs(ln P) beyond
        ~3e4, P below ~1e-12000), where the float64 rounding part of the
        estimate is held to 16 ε abs(ln P) instead: there ``accurate``
        certifies the natural log to that relative accuracy, not P to 1e-10
        (e.g. P(6χ²₂ + 3χ²₂ + χ²₂ > 1e10) ≈ 10^-361912068: its log is right
        to ~1e-16 relative, P to ~1e-7).  Always True for the
        approximations, which claim no accuracy (``error_estimate`` NaN).
    ci_low, ci_high : float or ndarray
        Monte Carlo: two-sided Clopper–Pearson interval at the requested
        ``confidence`` (default 0.95); NaN otherwise.
    n_samples : int or ndarray
        Monte Carlo sample size (0 otherwise).

    See Also
    --------
    quadform_sf, quadform_cdf : the functions that return it.

    Examples
    --------
    P(χ²₁ − χ²₁ > 0) = 1/2 by symmetry; the fields record the route:

    >>> from spheres_theory import quadform_sf
    >>> p = quadform_sf([1.0, -1.0])
    >>> print(round(p.value, 12), p.method, p.tail, bool(p.accurate))
    0.5 exact upper True
    >>> print(p.error_estimate < 1e-10, p.n_nodes > 0)
    True True

    Far below float64's range ``value`` underflows but ``log10_value`` and
    ``log_value`` stay finite:

    >>> deep = quadform_sf([0.02, -0.7], dof=[250, 1750])
    >>> print(deep.value, round(deep.log10_value, 3))
    0.0 -1201.973
    """

    value: Any
    log10_value: Any
    method: str
    tail: Any = "none"
    saddlepoint: Any = math.nan
    n_nodes: Any = 0
    error_estimate: Any = 0.0
    accurate: Any = True
    ci_low: Any = math.nan
    ci_high: Any = math.nan
    n_samples: Any = 0

    @property
    def log_value(self) -> Any:
        """Natural logarithm of the probability (``-inf`` iff it is 0)."""
        if np.ndim(self.log10_value):
            return np.asarray(self.log10_value) * _LN10
        return float(self.log10_value) * _LN10

    def __repr__(self) -> str:
        if np.ndim(self.log10_value) == 0:
            lg = float(self.log10_value)
            if math.isinf(lg):
                shown = "0"
            elif math.isnan(lg) or lg > -300:
                shown = f"{float(self.value):.12e}"
            else:
                mant = 10.0 ** (lg - math.floor(lg))
                shown = f"{mant:.12f}e{math.floor(lg):d}"
            extra = ""
            if self.method == "montecarlo":
                extra = (
                    f", ci=({self.ci_low:.3e}, {self.ci_high:.3e}), "
                    f"n_samples={self.n_samples}"
                )
            elif self.method not in ("clt", "saddlepoint"):
                extra = f", error_estimate={float(self.error_estimate):.1e}"
            return (
                f"TailProbability(value={shown}, log10_value={lg:.12g}, "
                f"method={self.method!r}, tail={self.tail!r}{extra})"
            )
        n = np.size(self.log10_value)
        return f"TailProbability(<{n} rows>, method={self.method!r})"

    def __float__(self) -> float:
        if np.ndim(self.value) != 0:
            msg = (
                "only a scalar TailProbability converts to float; this one has "
                f"{np.size(self.value)} rows (use `.value`)."
            )
            raise TypeError(msg)
        return float(self.value)

    def _cmp(self, other: Any, op: Any) -> Any:
        if isinstance(other, TailProbability):
            other = other.value
        return op(self.value, other)

    def __lt__(self, other: Any) -> Any:
        return self._cmp(other, operator.lt)

    def __le__(self, other: Any) -> Any:
        return self._cmp(other, operator.le)

    def __gt__(self, other: Any) -> Any:
        return self._cmp(other, operator.gt)

    def __ge__(self, other: Any) -> Any:
        return self._cmp(other, operator.ge)


# ---------------------------------------------------------------------------
# Labelled approximations
# ---------------------------------------------------------------------------


def _clt(form: tuple[NDArray[np.float64], ...], upper: bool) -> NDArray[np.float64]:
    """Log P by the normal approximation (paper's CLT, corrected: docs/theory.md)."""
    lam, nu, nc, sig, x = form
    mean = (lam * (nu + nc)).sum(axis=1) - x
    sd = np.sqrt(2.0 * (lam * lam * (nu + 2.0 * nc)).sum(axis=1) + sig * sig)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(sd > 0, mean / np.where(sd > 0, sd, 1.0), 0.0)
    return special.log_ndtr(z if upper else -z)


def _cumulants(
    lam: NDArray[np.float64],
    nu: NDArray[np.float64],
    nc: NDArray[np.float64],
    sig2: float,
    s: float,
) -> tuple[float, float, float]:
    """(K(s), K'(s), K''(s)) of one merged form (offset excluded)."""
    a = 1.0 - 2.0 * lam * s
    k0 = float((-0.5 * nu * np.log(a) + nc * lam * s / a).sum() + 0.5 * sig2 * s * s)
    r = lam / a
    k1 = float((nu * r + nc * r / a).sum() + sig2 * s)
    k2 = float((2.0 * nu * r * r + 4.0 * nc * r * r / a).sum() + sig2)
    return k0, k1, k2


def _solve_saddle(
    lam: NDArray[np.float64],
    nu: NDArray[np.float64],
    nc: NDArray[np.float64],
    sig2: float,
    x: float,
) -> float:
    """Root ŝ of K'(s) = x on the strip, by bisection (log-scaled bracket)."""
    has = nu > 0
    pos = lam[has & (lam > 0)]
    neg = lam[has & (lam < 0)]
    hi = 0.5 / pos.max() if pos.size else math.inf
    lo = 0.5 / neg.min() if neg.size else -math.inf
    if not math.isfinite(hi):
        hi = 1.0
        while _cumulants(lam, nu, nc, sig2, hi)[1] < x and hi < 1e300:
            hi *= 2.0
    if not math.isfinite(lo):
        lo = -1.0
        while _cumulants(lam, nu, nc, sig2, lo)[1] > x and lo > -1e300:
            lo *= 2.0
    for _ in range(2200):
        mid = 0.5 * (lo + hi)
        if _cumulants(lam, nu, nc, sig2, mid)[1] < x:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 4e-16 * max(abs(lo), abs(hi)):
            break
    return 0.5 * (lo + hi)


def _lugannani_rice_row(
    lam: NDArray[np.float64],
    nu: NDArray[np.float64],
    nc: NDArray[np.float64],
    sig: float,
    x: float,
    upper: bool,
) -> tuple[float, float]:
    """(log P, ŝ) by the Lugannani–Rice formula, in log space (NaN if it fails)."""
    if not upper:  # P(Q <= x) = P(-Q >= -x)
        lp, s = _lugannani_rice_row(-lam, nu, nc, sig, -x, True)
        return lp, -s
    sig2 = sig * sig
    s = _solve_saddle(lam, nu, nc, sig2, x)
    k0 = _cumulants(lam, nu, nc, sig2, s)[0]
    w = math.copysign(math.sqrt(max(2.0 * (s * x - k0), 0.0)), s)
    # v = s √K''(s), formed from λs/(1 − 2λs) so that nothing underflows
    a = 1.0 - 2.0 * lam * s
    ls = lam * s / a
    v2 = float((2.0 * nu * ls * ls + 4.0 * nc * ls * ls / a).sum()) + sig2 * s * s
    v = math.copysign(math.sqrt(v2), s)
    if not (math.isfinite(w) and math.isfinite(v)):
        return math.nan, s
    if abs(w) < 1e-5 or v == 0.0:  # ŝ ≈ 0: the removable singularity
        k2_0 = float((2.0 * lam**2 * (nu + 2.0 * nc)).sum() + sig2)
        k3_0 = float((8.0 * lam**3 * (nu + 3.0 * nc)).sum())
        p = 0.5 - k3_0 / (6.0 * math.sqrt(2.0 * math.pi) * k2_0**1.5)
        return (math.log(p) if p > 0 else math.nan), s
    if w > 0:
        log_phi = -0.5 * w * w - 0.5 * math.log(2.0 * math.pi)
        mills = math.sqrt(math.pi / 2.0) * special.erfcx(w / math.sqrt(2.0))
        br = mills + 1.0 / v - 1.0 / w
        return (log_phi + math.log(br) if br > 0 else math.nan), s
    phi = math.exp(-0.5 * w * w) / math.sqrt(2.0 * math.pi)
    p = special.ndtr(-w) + phi * (1.0 / v - 1.0 / w)
    return (math.log(p) if p > 0 else math.nan), s


def _montecarlo_row(
    form: tuple[NDArray[np.float64], ...],
    upper: bool,
    n_samples: int,
    gen: np.random.Generator,
    confidence: float,
) -> tuple[int, float, float]:
    """(count, ci_low, ci_high) from ``n_samples`` draws of Q, in chunks."""
    lam, nu, nc, sig, x = form
    keep = nu > 0
    lam, nu, nc = lam[keep], nu[keep], nc[keep]
    ones = (nu == 1) & (nc == 0)
    rest = ~ones
    chunk = max(1, min(n_samples, (1 << 21) // max(lam.size, 1)))
    count = 0
    done = 0
    while done < n_samples:
        size = min(chunk, n_samples - done)
        q = np.zeros(size)
        if ones.any():
            g = gen.standard_normal((size, int(ones.sum())))
            q += (g * g) @ lam[ones]
        if rest.any():
            k = int(rest.sum())
            draws = np.where(
                nc[rest] > 0,
                gen.noncentral_chisquare(
                    nu[rest], np.maximum(nc[rest], 1e-300), (size, k)
                ),
                gen.chisquare(nu[rest], size=(size, k)),
            )
            q += draws @ lam[rest]
        if sig > 0:
            q += sig * gen.standard_normal(size)
        count += int(np.count_nonzero(q > x if upper else q <= x))
        done += size
    lo, hi = clopper_pearson(count, n_samples, confidence)
    return count, lo, hi


# ---------------------------------------------------------------------------
# Driver and public functions
# ---------------------------------------------------------------------------

_METHOD_OPTIONS: dict[str, tuple[str, ...]] = {
    "exact": (),
    "mpmath": ("dps",),
    "clt": (),
    "saddlepoint": (),
    "montecarlo": ("n_samples", "rng", "confidence"),
}


def _check_options(name: str, given: dict[str, Any]) -> None:
    wrong = {k: v for k, v in given.items() if v is not None}
    wrong = {k: v for k, v in wrong.items() if k not in _METHOD_OPTIONS[name]}
    if wrong:
        shown = ", ".join(f"`{k}`={v!r}" for k, v in sorted(wrong.items()))
        msg = (
            f"method={name!r} takes no option {shown}; its options: "
            f"{list(_METHOD_OPTIONS[name])!r} (`dps` needs method='mpmath'; "
            "`n_samples`, `rng`, `confidence` need method='montecarlo')."
        )
        raise ValueError(msg)


def _check_x(x: ArrayLike, rows: int, batch: bool) -> tuple[NDArray[np.float64], bool]:
    """X broadcast to the rows; a 1-D form with array x becomes one row per x."""
    xa = check_finite_array(x, "x")
    if not batch:
        return xa.ravel(), xa.ndim > 0
    try:
        return np.broadcast_to(xa, (rows,)).astype(np.float64), True
    except ValueError:
        msg = (
            "`x` must be a scalar or have one entry per row of `weights`; "
            f"got shape {np.shape(x)!r}."
        )
        raise ValueError(msg) from None


def _approximate(
    name: str,
    form: tuple[NDArray[np.float64], ...],
    upper: bool,
    opts: dict[str, Any],
) -> dict[str, Any]:
    lam, nu, nc, sig, x = form
    rows = lam.shape[0]
    out: dict[str, Any] = {
        "log": np.full(rows, np.nan),
        "saddle": np.full(rows, np.nan),
        "error": np.full(rows, np.nan),
        "ci_low": np.full(rows, np.nan),
        "ci_high": np.full(rows, np.nan),
        "n_samples": np.zeros(rows, dtype=np.int64),
        "tail": np.full(rows, "upper" if upper else "lower", dtype=object),
    }
    deg = _contour.degenerate(lam, nu, sig, x, upper)
    if name == "clt":
        # A pure formula: no shortcut for degenerate forms (only Q ≡ const).
        const = ~np.any(nu > 0, axis=1) & (sig == 0)
        with np.errstate(divide="ignore"):
            out["log"] = np.where(
                const, np.log(np.where(const, deg, 1.0)), _clt(form, upper)
            )
    elif name == "saddlepoint":
        for i in range(rows):
            if not np.isnan(deg[i]):
                out["log"][i] = -np.inf if deg[i] == 0 else 0.0
                out["tail"][i] = "none"
                continue
            with np.errstate(all="ignore"):
                out["log"][i], out["saddle"][i] = _lugannani_rice_row(
                    lam[i], nu[i], nc[i], float(sig[i]), float(x[i]), upper
                )
    else:
        n_raw = 10**6 if opts["n_samples"] is None else opts["n_samples"]
        n = check_int(n_raw, "n_samples", minimum=1)
        conf = 0.95 if opts["confidence"] is None else float(opts["confidence"])
        if not 0.0 < conf < 1.0:
            msg = f"`confidence` must be in (0, 1); got {opts['confidence']!r}."
            raise ValueError(msg)
        gen = np.random.default_rng(opts["rng"])
        for i in range(rows):
            row = (lam[i], nu[i], nc[i], float(sig[i]), float(x[i]))
            k, lo_i, hi_i = _montecarlo_row(row, upper, n, gen, conf)
            with np.errstate(divide="ignore"):
                out["log"][i] = np.log(k / n)
            out["ci_low"][i], out["ci_high"][i], out["n_samples"][i] = lo_i, hi_i, n
    out["accurate"] = np.ones(rows, dtype=bool)
    out["nodes"] = np.zeros(rows, dtype=np.int64)
    return out


def _tail(
    weights: ArrayLike,
    x: ArrayLike,
    dist: dict[str, Any],
    method: str | None,
    opts: dict[str, Any],
    upper: bool,
) -> TailProbability:
    check_method(method, _METHODS)
    name = "exact" if method is None else method
    _check_options(name, opts)
    caller = "quadform_sf" if upper else "quadform_cdf"
    w, nu_in, nc_in, sig, off, batch = check_form(
        weights, dist["dof"], dist["nc"], dist["s"], dist["m"], caller=caller
    )
    lam, nu, nc = merge_rows(w, nu_in, nc_in)
    xa, many = _check_x(x, lam.shape[0], batch)
    if not batch:  # one form, one row per threshold
        r = xa.size
        lam, nu, nc = (np.broadcast_to(v, (r, v.shape[1])) for v in (lam, nu, nc))
        sig, off = np.full(r, sig[0]), np.full(r, off[0])
    form = (lam, nu, nc, sig, xa - off)
    if name in ("exact", "mpmath"):
        dps = DPS if opts["dps"] is None else check_int(opts["dps"], "dps", minimum=15)
        out = tails(*form, upper, method=name, dps=dps)
        warn_inaccurate(out, stacklevel=4)
        out.update(ci_low=np.full(xa.size, np.nan), ci_high=np.full(xa.size, np.nan))
        out["n_samples"] = np.zeros(xa.size, dtype=np.int64)
    else:
        out = _approximate(name, form, upper, opts)
    log_p = np.minimum(out["log"], 0.0)  # rounding can push P ≈ 1 a hair above 1
    with np.errstate(under="ignore"):
        value = np.exp(log_p)
    shape = np.shape(x) if not batch else (xa.size,)

    def pick(a: NDArray[Any], kind: type) -> Any:
        return a.reshape(shape) if (batch or many) else kind(a[0])

    return TailProbability(
        value=pick(value, float),
        log10_value=pick(log_p / _LN10, float),
        method=name,
        tail=pick(out["tail"], str),
        saddlepoint=pick(out["saddle"], float),
        n_nodes=pick(out["nodes"], int),
        error_estimate=pick(out["error"], float),
        accurate=pick(out["accurate"], bool),
        ci_low=pick(out["ci_low"], float),
        ci_high=pick(out["ci_high"], float),
        n_samples=pick(out["n_samples"], int),
    )


_TAIL_SECTIONS = """\
    Parameters
    ----------
    weights : array_like, shape (J,) or (R, J)
        Weights w_j (finite, any sign; zeros are dropped and equal weights
        merged: their dof and noncentralities add).  A 2-D array holds one
        form per row and gives array-valued fields in the result.
    x : float or array_like, default 0.0
        The threshold: for 1-D ``weights`` any shape (one result per entry),
        for 2-D ``weights`` a scalar or one entry per row.
    dof : array_like, optional
        Degrees of freedom ν_j (real, >= 0, broadcast to ``weights``);
        default 1 each.
    nc : array_like, optional
        Noncentralities λ_j >= 0 (broadcast to ``weights``); default 0.
    s : float or array_like of shape (R,), default 0
        Scale of the normal term s·Z.
    m : float or array_like of shape (R,), default 0
        Offset: Q = Σ_j w_j χ²(ν_j, λ_j) + s Z + m.
    method : {None, "exact", "mpmath", "clt", "saddlepoint", "montecarlo"}
        ``None``/``"exact"``: saddlepoint-contour inversion in float64 (the
        default; relative error <= 1e-10 at any depth).  ``"mpmath"``: the
        same integral in arbitrary precision, an independent oracle (crossing
        point, path and breakpoints computed in mpmath; slow).  ``"clt"``:
        the paper's normal approximation (corrected; Gilmer et al. 2018, §4)
        — off by orders of magnitude in the far tail.  ``"saddlepoint"``:
        the Lugannani–Rice formula (relative error ~1e-5 … 10 %; NaN where it
        breaks down).  ``"montecarlo"``: sampling with a Clopper–Pearson
        interval in ``.ci_low``/``.ci_high``.
    dps : int, optional
        mpmath decimal digits (``method="mpmath"`` only; default 50).
    n_samples : int, optional
        Monte Carlo sample size (``method="montecarlo"`` only; default 10**6).
    rng : None, int or numpy.random.Generator, optional
        Randomness of ``method="montecarlo"``.
    confidence : float, optional
        Level of the Monte Carlo interval (default 0.95).

    Returns
    -------
    TailProbability
        ``.value`` (0.0 only if it underflows or is exactly 0),
        ``.log10_value`` (finite whenever the probability is positive),
        ``.method``, ``.tail``, ``.saddlepoint``, ``.n_nodes``,
        ``.error_estimate`` (relative), ``.accurate`` and the Monte Carlo
        fields.

    Raises
    ------
    ValueError
        For non-finite or empty ``weights``, non-finite ``x``, negative
        ``dof``/``nc``/``s``, an unknown ``method``, bad option values, or an
        option the chosen method does not take.
    TypeError
        For an unsupported keyword (naming the closest supported one).

    Warns
    -----
    AccuracyWarning
        When the error estimate of the "exact" or "mpmath" route exceeds
        1e-10 (the result is returned with ``.accurate`` False, and with NaN
        values where the estimate exceeds 1 %; never silently).
"""


def _tail_doc(func: Any) -> Any:
    """Insert ``_TAIL_SECTIONS`` into ``func``'s docstring (as scipy.stats does)."""
    if func.__doc__ is not None:  # None under ``python -OO``
        func.__doc__ = func.__doc__.replace("    %(tail_sections)s\n", _TAIL_SECTIONS)
    return func


@suggest_keywords
@_tail_doc
def quadform_sf(
    weights: ArrayLike,
    x: ArrayLike = 0.0,
    *,
    dof: ArrayLike | None = None,
    nc: ArrayLike | None = None,
    s: ArrayLike = 0.0,
    m: ArrayLike = 0.0,
    method: str | None = None,
    dps: int | None = None,
    n_samples: int | None = None,
    rng: Any = None,
    confidence: float | None = None,
) -> TailProbability:
    """Upper tail P(Σ_j w_j χ²_{ν_j} > x) of a generalized χ² variable.

    Relative accuracy at any depth: the error rate of a quadratic rule on a
    sphere is such a tail at x = 0 (Gilmer et al. 2018, §4; docs/theory.md), and it
    matters from 1e-3 to far below 1e-300.

    %(tail_sections)s

    Notes
    -----
    Q = Σ_j w_j χ²(ν_j, λ_j) + s Z + m.  With the cumulant generating
    function K(t) = Σ_j [−(ν_j/2) log(1 − 2 w_j t) + λ_j w_j t/(1 − 2 w_j t)]
    + s²t²/2 + m t (written with s for the contour variable below), for
    0 < c < 1/(2 w_max)

        P(Q > x) = (1/2πi) ∫_{c−i∞}^{c+i∞} exp(K(s) − s x) ds / s,

    and for 1/(2 w_min) < c < 0 the same integral is −P(Q <= x); each tail is
    integrated on its own side of the pole at 0, so neither is formed as one
    minus the other.  The exact route

    1. handles degenerate forms exactly: Q ≡ m, or all weights of one sign
       relative to x without a normal term (probability exactly 0 or 1); a
       normal variable (no weight) through ``log_ndtr``; a single central
       weight through ``scipy.special.gammaincc``/``gammainc`` up to ν = 2e5
       and beyond through a log-space integral in the variable of the
       saddle (scipy loses digits from ν ~ 2e6 on);
    2. divides the weights by the largest abs(w_j) on the tail's side (the
       positive weights for the upper tail, the negative ones for the lower;
       by max abs(w_j) if there are none), so that the strip between the pole
       and the nearest singularity has width O(1), and crosses the
       real axis at the minimum c of exp(K(s) − s x)/abs(s) over the strip
       (safeguarded Newton), factoring exp(K(c) − c x)/(π|c|) out in log
       space so that nothing underflows, at any depth;
    3. follows s(t) = c + β(√(t² + T²) − T) + i t, vertical at c (steepest
       descent) and bending with slope β <= 1/2 to the side where the
       integrand's phase rotation turns into decay (T = 2 Gaussian widths);
    4. integrates the even analytic function Re[...] by the trapezoid rule in
       u, t = τ sinh u (τ the Gaussian width at c), level by level with
       halved steps, in float64 and vectorised over nodes and rows; a row
       stops when the relative difference of the last two levels plus a
       rounding bound is below 1e-11 (reported as ``error_estimate``; the
       finer level's actual error is far smaller, the convergence being
       geometric in 1/h).

    A d = 500 rule with 500 distinct weights takes ~70–100 nodes (about
    1 ms; a batch of 1,000 such rules under 1 s); the measured error
    against 40-digit closed forms is below 1e-12 down to 1e-300 and beyond.
    Where the error estimate exceeds 1e-10 the result is flagged
    (``accurate=False``) and an :class:`AccuracyWarning` is issued; no
    exception is raised, so that one bad row of a batch does not hide the
    others.  A row that misses the target is retried once as one minus the
    opposite tail, which succeeds when that tail is small (a tail close to 1);
    ``.tail`` then names the tail integrated (e.g. ``"lower"`` for an upper
    tail computed as 1 − P(Q <= x)).

    Limits.  Weights may differ in magnitude by up to ~1e300 (tested with
    closed forms down to ratios of 1e300, e.g. P(−χ²₁ + 1e300 χ²₁ <= 0) =
    (2/π) arctan(1e−150)); beyond, or where ``x`` divided by the scale above
    overflows, intermediate quantities overflow and the row comes back NaN
    with ``accurate=False``.  The integrand decays like t^(−1 − n/2)
    (n = Σ ν_j): a form with few degrees of freedom, x = 0 and a tail close
    to 1 may fall short of 1e-10 unless its opposite tail is small (see
    above).  Where large terms of the exponent cancel (ν ≳ 1e11 per weight,
    e.g. P(χ²_ν − χ²_ν > 0) at ν = 2**60) the float64 rounding is part of
    ``error_estimate`` and the row is flagged.  Below ~1e-100000 a
    probability carried through a float64 log cannot be more accurate than
    about 16 ε abs(ln P) relative; ``accurate`` then certifies the log to that
    floor.  An estimate above 1 % makes the value NaN.  Every such failure
    is flagged, never silent.

    References
    ----------
    .. [1] J. Gilmer et al., "Adversarial Spheres", arXiv:1801.02774, 2018,
       §4 (the CLT estimate, corrected as in docs/theory.md).
    .. [2] R. Lugannani and S. Rice, "Saddle point approximation for the
       distribution of the sum of independent random variables", Adv. Appl.
       Probab. 12 (1980) 475–490.
    .. [3] J. P. Imhof, "Computing the distribution of quadratic forms in
       normal variables", Biometrika 48 (1961) 419–426.

    Examples
    --------
    Two-level rule at d = 500 (10 coordinates α = 1.5, 490 with α = 0.9):
    the inner error is P(Beta(5, 245) > 1/6) and the paper's CLT is 15
    orders of magnitude off.

    >>> from spheres_theory import quadform_sf
    >>> p = quadform_sf([0.5, -0.1], dof=[10, 490])
    >>> f"{p.value:.11e}", p.method
    ('5.22477733206e-15', 'exact')
    >>> f"{quadform_sf([0.5, -0.1], dof=[10, 490], method='clt').value:.3e}"
    '1.362e-30'

    Far below float64's range the value underflows; its logarithm does not:

    >>> deep = quadform_sf([0.02, -0.7], dof=[250, 1750])
    >>> deep.value, round(deep.log10_value, 6)
    (0.0, -1201.972733)

    One row per form:

    >>> quadform_sf([[1.0, -1.0], [-1.0, -2.0]]).value
    array([0.5, 0. ])
    """
    dist = {"dof": dof, "nc": nc, "s": s, "m": m}
    opts = {"dps": dps, "n_samples": n_samples, "rng": rng, "confidence": confidence}
    return _tail(weights, x, dist, method, opts, upper=True)


@suggest_keywords
@_tail_doc
def quadform_cdf(
    weights: ArrayLike,
    x: ArrayLike = 0.0,
    *,
    dof: ArrayLike | None = None,
    nc: ArrayLike | None = None,
    s: ArrayLike = 0.0,
    m: ArrayLike = 0.0,
    method: str | None = None,
    dps: int | None = None,
    n_samples: int | None = None,
    rng: Any = None,
    confidence: float | None = None,
) -> TailProbability:
    """Lower tail P(Σ_j w_j χ²_{ν_j} <= x), computed directly (not as 1 − sf).

    The contour runs left of the pole at 0, so a tiny lower tail keeps its
    full relative accuracy; see :func:`quadform_sf` for the method.  The
    outer-sphere error of a quadratic rule is such a tail at x = 0.

    %(tail_sections)s

    Notes
    -----
    P(Q <= x) = −(1/2πi) ∫_{c−i∞}^{c+i∞} exp(K(s) − s x) ds / s for
    1/(2 w_min) < c < 0 (K the cumulant generating function); everything
    else is as in :func:`quadform_sf`.

    References
    ----------
    .. [1] J. Gilmer et al., "Adversarial Spheres", arXiv:1801.02774, 2018.

    Examples
    --------
    The lower tail of a positive form, P(χ²_500 <= 50):

    >>> from spheres_theory import quadform_cdf
    >>> p = quadform_cdf([1.0], 50.0, dof=500)
    >>> f"{p.value:.10e}"
    '1.4574644086e-154'
    >>> round(quadform_cdf([1.0, -1.0]).value, 12)  # symmetric form
    0.5
    """
    dist = {"dof": dof, "nc": nc, "s": s, "m": m}
    opts = {"dps": dps, "n_samples": n_samples, "rng": rng, "confidence": confidence}
    return _tail(weights, x, dist, method, opts, upper=False)
