"""Shared machinery of the generalized χ² routes (private module, public names).

Validation of a form Q = Σ w_j χ²(ν_j, λ_j) + s·Z + m, merging of equal
weights, the tail dispatcher of the exact, mpmath, CLT and saddlepoint routes,
the keyword-suggesting decorator and the accuracy warning.  Used by
:mod:`spheres_theory.gchi2` and :mod:`spheres_theory.quadforms`; it assumes
nothing about either.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import warnings
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _contour
from ._validation import check_finite_array
from .errors import AccuracyWarning

__all__ = [
    "ALIASES",
    "DPS",
    "NAN_LEVEL",
    "check_form",
    "merge_rows",
    "mpmath_tails",
    "suggest_keywords",
    "tails",
    "warn_inaccurate",
]

Array = NDArray[np.float64]
P = ParamSpec("P")
R = TypeVar("R")

#: Where the estimated relative error exceeds this, the value is NaN.
NAN_LEVEL = 1e-2
#: Default mpmath precision of the oracle routes (one default package-wide).
DPS = 50


# ---------------------------------------------------------------------------
# Keyword checking with a suggestion
# ---------------------------------------------------------------------------


def suggest_keywords(func: Callable[P, R]) -> Callable[P, R]:
    """Make an unknown keyword a TypeError naming it and the closest valid one.

    The wrapped function keeps its explicit signature (no ``**options``);
    only the error message of a call that does not bind is improved.
    """
    sig = inspect.signature(func)
    names = [
        p.name
        for p in sig.parameters.values()
        if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        unknown = [k for k in kwargs if k not in names]
        if unknown:
            k = unknown[0]
            close = difflib.get_close_matches(k, names, n=1, cutoff=0.0)
            hint = ALIASES.get(k) or (close[0] if close else None)
            msg = (
                f"{func.__name__}() got an unsupported parameter `{k}`; "
                f"the closest supported one is `{hint}` "
                f"(supported: {', '.join(names)})."
            )
            raise TypeError(msg)
        return func(*args, **kwargs)

    return wrapper


# Names users bring from other packages.
ALIASES = {
    "delta": "nc",
    "noncentrality": "nc",
    "ncp": "nc",
    "lambda_": "nc",
    "lam": "nc",
    "df": "dof",
    "k": "dof",
    "lambdas": "weights",
    "w": "weights",
    "coef": "weights",
    "sigma": "s",
    "sd": "s",
    "offset": "m",
    "seed": "rng",
    "random_state": "rng",
    "q": "x",
    "prec": "dps",
}


# ---------------------------------------------------------------------------
# Validation and merging
# ---------------------------------------------------------------------------


def check_form(
    weights: ArrayLike,
    dof: ArrayLike | None,
    nc: ArrayLike | None,
    s: ArrayLike,
    m: ArrayLike,
    *,
    caller: str = "gchi2",
) -> tuple[Array, Array, Array, Array, Array, bool]:
    """Validate; return (weights, dof, nc) as (R, J), s (R,), m (R,), batch."""
    w = check_finite_array(weights, "weights")
    if w.ndim == 0 or w.ndim > 2 or w.shape[-1] == 0:
        hint = ""
        if w.ndim == 0:
            hint = (
                f" The order is {caller}(weights, x, ...): were `weights` and "
                "`x` swapped?"
            )
        msg = (
            "`weights` must be a non-empty 1-D array (one form) or 2-D array "
            f"(one form per row); got shape {w.shape!r}.{hint}"
        )
        raise ValueError(msg)
    batch = w.ndim == 2
    w2 = np.atleast_2d(w)

    def per_weight(value: ArrayLike | None, name: str, default: float) -> Array:
        if value is None:
            return np.full(w2.shape, default)
        arr = check_finite_array(value, name)
        if np.any(arr < 0):
            msg = f"`{name}` must hold real numbers >= 0; got {value!r}."
            raise ValueError(msg)
        try:
            return np.broadcast_to(arr, w.shape).reshape(w2.shape).astype(np.float64)
        except ValueError:
            msg = (
                f"`{name}` must broadcast to the shape of `weights` {w.shape!r}; "
                f"got shape {np.shape(value)!r}."
            )
            raise ValueError(msg) from None

    nu = per_weight(dof, "dof", 1.0)
    lam = per_weight(nc, "nc", 0.0)
    if np.any((nu == 0) & (lam > 0) & (w2 != 0)):
        msg = (
            "`dof` must be > 0 where `nc` > 0 (χ²(0, λ) has an atom at 0, "
            f"which is not supported); got dof={dof!r}, nc={nc!r}."
        )
        raise ValueError(msg)

    def per_row(value: ArrayLike, name: str, nonneg: bool) -> Array:
        arr = check_finite_array(value, name)
        if nonneg and np.any(arr < 0):
            msg = f"`{name}` must be a real number >= 0; got {value!r}."
            raise ValueError(msg)
        try:
            return np.broadcast_to(arr, (w2.shape[0],)).astype(np.float64)
        except ValueError:
            msg = (
                f"`{name}` must be a scalar or have one entry per row of "
                f"`weights`; got shape {np.shape(value)!r}."
            )
            raise ValueError(msg) from None

    return w2, nu, lam, per_row(s, "s", True), per_row(m, "m", False), batch


def merge_rows(w: Array, nu: Array, nc: Array) -> tuple[Array, Array, Array]:
    """Drop zero weights, merge equal weights (dof and nc add); pad with 0."""
    keep = (w != 0) & (nu > 0)
    merged = []
    width = 1
    for i in range(w.shape[0]):
        wi, ni, ci = w[i, keep[i]], nu[i, keep[i]], nc[i, keep[i]]
        if wi.size:
            vals, inv = np.unique(wi, return_inverse=True)
            dofs = np.bincount(inv, weights=ni)
            ncs = np.bincount(inv, weights=ci)
        else:
            vals = dofs = ncs = np.zeros(0)
        merged.append((vals, dofs, ncs))
        width = max(width, vals.size)
    out = [np.zeros((w.shape[0], width)) for _ in range(3)]
    for i, group in enumerate(merged):
        for arr, v in zip(out, group, strict=True):
            arr[i, : v.size] = v
    return out[0], out[1], out[2]


# ---------------------------------------------------------------------------
# Tails of merged rows: the exact and mpmath routes, flags and warnings
# ---------------------------------------------------------------------------


def tails(
    lam: Array,
    nu: Array,
    nc: Array,
    sig: Array,
    x: Array,
    upper: bool,
    *,
    method: str = "exact",
    dps: int = DPS,
) -> dict[str, Any]:
    """Log P of each merged row by the exact (float64) or mpmath route.

    Adds ``accurate`` and ``nan`` (estimated error above 1 %: the value is
    replaced by NaN) and ``error`` (total relative error estimate).
    """
    if method == "exact":
        out = _contour.exact_tails(lam, nu, nc, sig, x, upper)
    else:
        out = mpmath_tails(lam, nu, nc, sig, x, upper, dps)
    log_p, err, err_exp = out["log"], out["err"], out["err_exp"]
    mag = np.where(np.isfinite(log_p), np.abs(log_p), 0.0)
    floor = _contour.FLOOR * mag
    exact_zero = log_p == -np.inf
    accurate = exact_zero | (
        np.isfinite(log_p)
        & (err <= _contour.TARGET)
        & (err_exp <= np.maximum(_contour.TARGET, floor))
    )
    nan = ~exact_zero & (
        ~np.isfinite(log_p)
        | ~(err <= NAN_LEVEL)
        | ~(err_exp <= np.maximum(NAN_LEVEL, floor))
    )
    out["accurate"] = accurate
    out["nan"] = nan
    out["error"] = np.where(exact_zero, 0.0, err + err_exp)
    out["log"] = np.where(nan, np.nan, np.minimum(log_p, 0.0))
    return out


def mpmath_tails(
    lam: Array, nu: Array, nc: Array, sig: Array, x: Array, upper: bool, dps: int
) -> dict[str, Any]:
    from ._mpcontour import mpmath_tail

    rows = lam.shape[0]
    out: dict[str, Any] = {
        "log": np.full(rows, np.nan),
        "err": np.zeros(rows),
        "err_exp": np.zeros(rows),
        "saddle": np.full(rows, np.nan),
        "nodes": np.zeros(rows, dtype=np.int64),
        "tail": np.full(rows, "upper" if upper else "lower", dtype=object),
    }
    deg = _contour.degenerate(lam, nu, sig, x, upper)
    for i in range(rows):
        if not np.isnan(deg[i]):
            out["log"][i] = -np.inf if deg[i] == 0 else 0.0
            out["tail"][i] = "none"
            continue
        out["log"][i], out["err"][i], out["saddle"][i] = mpmath_tail(
            lam[i], nu[i], nc[i], float(sig[i]), float(x[i]), upper, dps
        )
    return out


def warn_inaccurate(out: dict[str, Any], stacklevel: int) -> None:
    """One AccuracyWarning naming the rows, their estimates and why."""
    bad = np.flatnonzero(~out["accurate"])
    if not bad.size:
        return
    nans = np.flatnonzero(out["nan"])
    why = []
    if np.any(out["err"][bad] > _contour.TARGET):
        why.append("the quadrature did not converge to 1e-10")
    if np.any(out["err_exp"][bad] > _contour.TARGET):
        why.append(
            "float64 rounding of large cancelling terms of the exponent "
            "(e.g. huge degrees of freedom or weight ratios)"
        )
    if not why:
        why.append("the route failed (overflow or a non-positive integral)")
    msg = (
        f"{bad.size} tail probabilit{'y' if bad.size == 1 else 'ies'} "
        f"(rows {bad[:10].tolist()}) did not reach the relative accuracy 1e-10 "
        f"(estimates {out['error'][bad[:10]].tolist()}): {'; '.join(why)}. "
        "`.accurate` is False there"
    )
    if nans.size:
        msg += (
            f"; {nans.size} of them (rows {nans[:10].tolist()}) may be wrong by "
            "more than 1 % and are NaN"
        )
    msg += ". Try method='mpmath' (an independent oracle, slow)."
    warnings.warn(msg, AccuracyWarning, stacklevel=stacklevel + 1)
