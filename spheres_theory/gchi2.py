"""The generalized χ² distribution as a frozen scipy.stats-style object.

``Q = Σ_j w_j χ²(ν_j, λ_j) + s Z + m``: independent noncentral χ² variables
with weights ``w_j`` (any sign), degrees of freedom ``ν_j > 0`` (real),
noncentralities ``λ_j >= 0``, a standard normal ``Z`` with scale ``s`` and an
offset ``m`` (the parametrisation of gx2).  Every quadratic form of a Gaussian
vector is such a variable (:meth:`gchi2.from_gaussian`).  Tails, log tails,
densities and quantiles are computed by inverting the moment generating
function along a contour through the saddlepoint, in float64, with relative
accuracy at any depth.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, ParamSpec, TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _contour
from ._forms import (
    NAN_LEVEL,
    check_form,
    merge_rows,
    suggest_keywords,
    tails,
    warn_inaccurate,
)
from ._validation import check_finite_array
from .errors import AccuracyWarning

__all__ = ["gchi2"]

Array = NDArray[np.float64]
P = ParamSpec("P")
R = TypeVar("R")

# ---------------------------------------------------------------------------
# The distribution object
# ---------------------------------------------------------------------------


def _shaped(values: Array, shape: tuple[int, ...]) -> Any:
    return values.reshape(shape)[()]


class gchi2:
    r"""Generalized χ² distribution ``Q = Σ_j w_j χ²(ν_j, λ_j) + s Z + m``.

    A frozen distribution in the style of ``scipy.stats`` (``sf``, ``cdf``,
    ``logsf``, ``logcdf``, ``pdf``, ``logpdf``, ``ppf``, ``isf``, ``mean``,
    ``var``, ``std``, ``rvs``), vectorised over ``x``; tails and log tails
    have relative accuracy at any depth (far below 1e-300 through the logs).

    Parameters
    ----------
    weights : array_like, shape (J,)
        Weights w_j (finite, any sign; zeros are dropped, equal weights merged:
        their dof and noncentralities add).
    dof : array_like, shape (J,) or scalar, optional
        Degrees of freedom ν_j >= 0, real (default 1 each).  ν_j = 0 drops the
        term (it must then have λ_j = 0).
    nc : array_like, shape (J,) or scalar, optional
        Noncentralities λ_j >= 0 (default 0): χ²(ν, λ) is the law of
        Σ_{i<=ν} (Z_i + μ_i)² with Σ μ_i² = λ.
    s : float, default 0
        Scale of the normal term s Z (s >= 0).
    m : float, default 0
        Offset.

    Raises
    ------
    ValueError
        For non-finite or empty ``weights``; negative ``dof``, ``nc`` or ``s``;
        ``dof`` 0 with ``nc`` > 0; shapes that do not broadcast.
    TypeError
        For an unsupported keyword (the message names the closest supported
        one, e.g. ``nc`` for ``delta``).

    Warns
    -----
    AccuracyWarning
        Where a tail misses the relative accuracy 1e-10 (rare: see Notes).
        A value whose estimated error exceeds 1 % is NaN.

    See Also
    --------
    spheres_theory.quadform_sf, spheres_theory.quadform_cdf : the same tails
        with a record of how they were obtained and other methods.

    Notes
    -----
    With K(t) = Σ_j [−(ν_j/2) log(1 − 2w_j t) + λ_j w_j t/(1 − 2w_j t)]
    + s²t²/2 + m t (the cumulant generating function),

        P(Q > x) = (1/2πi) ∫_{c−i∞}^{c+i∞} exp(K(t) − t x) dt / t

    for 0 < c < 1/(2 max w_j) and −P(Q <= x) for 1/(2 min w_j) < c < 0; each
    tail is integrated on its own side of the pole (never as one minus the
    other), on a contour that crosses the real axis at the saddle point of
    the whole integrand, with the magnitude factored out in log space (so
    nothing underflows) and a nested trapezoid rule that estimates its own
    error (see :func:`spheres_theory.quadform_sf`).  The density is the same
    integral without 1/t.  Closed forms are used for a normal variable
    (s > 0, no weight) and a single central weight (the incomplete gamma
    function; for ν > 2e5, where ``scipy.special.gammainc`` loses digits, a
    log-space integral).  Quantiles solve log P = log p by a safeguarded
    regula falsi (Illinois) on a bracket, so ``isf(1e-200)`` works.

    Accuracy.  The relative error is <= 1e-10 at any depth, down to where a
    probability carried through a float64 log cannot be more accurate than
    about 16 ε abs(ln P) (P below ~1e-100000); there the log is what is
    accurate (to ~ε relative), and that is what ``accurate`` then certifies.
    Where large terms of the exponent cancel (ν ~ 1e11 and beyond, or
    weights spanning ~1e150 with a threshold in between) the value is
    flagged with an :class:`~spheres_theory.errors.AccuracyWarning`, and
    NaN where it may be off by more than 1 %.

    References
    ----------
    .. [1] A. Das and W. S. Geisler, "A method to integrate and classify
       normal distributions", J. Vision 21(10):1, 2021 (the gx2
       parametrisation).
    .. [2] J. P. Imhof, "Computing the distribution of quadratic forms in
       normal variables", Biometrika 48 (1961) 419–426.

    Examples
    --------
    >>> from spheres_theory.gchi2 import gchi2
    >>> q = gchi2([1.0, -2.0], dof=[3, 2], nc=[1.5, 0.5], s=0.5, m=1.0)
    >>> print(f"{q.sf(5.0):.10e}", f"{q.mean():.2f}", f"{q.var():.2f}")
    1.8851898770e-01 0.50 36.25
    >>> print(round(float(q.ppf(q.cdf(2.5))), 10))
    2.5

    Deep tails keep their logarithm; quantiles invert them:

    >>> print(f"{q.logsf(4000.0):.6f}")  # P(Q > 4000) = e^-1925.1 underflows
    -1925.123283
    >>> print(f"{q.isf(1e-200):.6f}")
    993.107353
    """

    __slots__ = ("_lam", "_nc", "_nu", "_sig", "dof", "m", "nc", "s", "weights")

    weights: Array
    dof: Array
    nc: Array
    s: float
    m: float

    @suggest_keywords
    def __init__(
        self,
        weights: ArrayLike,
        dof: ArrayLike | None = None,
        nc: ArrayLike | None = None,
        s: float = 0.0,
        m: float = 0.0,
    ) -> None:
        w, nu, lam, sig, off, batch = check_form(weights, dof, nc, s, m)
        if batch:
            msg = (
                "`weights` must be 1-D for one distribution (for many forms use "
                f"quadform_sf/quadform_cdf); got shape {np.shape(weights)!r}."
            )
            raise ValueError(msg)
        for name, arr in (("weights", w[0]), ("dof", nu[0]), ("nc", lam[0])):
            arr = arr.copy()
            arr.flags.writeable = False
            object.__setattr__(self, name, arr)
        object.__setattr__(self, "s", float(sig[0]))
        object.__setattr__(self, "m", float(off[0]))
        ml, mn, mc = merge_rows(w, nu, lam)
        object.__setattr__(self, "_lam", ml)
        object.__setattr__(self, "_nu", mn)
        object.__setattr__(self, "_nc", mc)
        object.__setattr__(self, "_sig", float(sig[0]))

    def __setattr__(self, name: str, value: Any) -> None:
        msg = f"gchi2 is frozen; cannot set `{name}`."
        raise AttributeError(msg)

    def __repr__(self) -> str:
        return (
            f"gchi2(weights={self.weights.tolist()!r}, dof={self.dof.tolist()!r}, "
            f"nc={self.nc.tolist()!r}, s={self.s!r}, m={self.m!r})"
        )

    # --- construction from a Gaussian quadratic form -------------------------

    @classmethod
    @suggest_keywords
    def from_gaussian(
        cls,
        A: ArrayLike,
        b: ArrayLike | None = None,
        c: float = 0.0,
        *,
        mean: ArrayLike | None = None,
        cov: ArrayLike | None = None,
    ) -> gchi2:
        """Build the law of xᵀAx + bᵀx + c for x ~ N(mean, cov), exactly.

        Parameters
        ----------
        A : array_like, shape (n, n)
            Symmetric matrix (checked to 1e-12 relative; the symmetric part
            is used).
        b : array_like, shape (n,), optional
            Linear term (default 0).
        c : float, default 0
            Constant.
        mean : array_like, shape (n,), optional
            Mean μ of x (default 0).
        cov : array_like, shape (n, n), optional
            Covariance Σ, symmetric positive semi-definite (default identity).

        Returns
        -------
        gchi2
            With x = μ + S z (Σ = S Sᵀ, z standard normal of the rank of Σ)
            and SᵀAS = U diag(w) Uᵀ: for w_j ≠ 0 a term
            w_j χ²(1, (v_j/(2w_j))²), v = Uᵀ Sᵀ(2Aμ + b); the components of
            v on w_j = 0 form the normal term s = ‖v_0‖; the offset is
            m = μᵀAμ + bᵀμ + c − Σ_j v_j²/(4w_j).

        Raises
        ------
        ValueError
            For non-finite input, a non-square or non-symmetric ``A``, shapes
            that disagree, or a ``cov`` that is not symmetric PSD.

        Notes
        -----
        Completing the square in each eigen-direction:
        w z² + v z = w (z + v/(2w))² − v²/(4w).  Eigenvalues below
        1e-13·max|w| are treated as 0 (their directions go to the normal
        term), as are negative eigenvalues of ``cov`` within that tolerance.

        Examples
        --------
        P(x₁² − x₂² > 0) = 1/2 for a standard normal x; with a mean:

        >>> from spheres_theory.gchi2 import gchi2
        >>> q = gchi2.from_gaussian([[1, 0], [0, -1]], mean=[1.0, 0.0])
        >>> q.weights.tolist(), q.nc.tolist()
        ([-1.0, 1.0], [0.0, 1.0])
        >>> print(f"{q.sf(0.0):.12f}")
        0.635460061402
        """
        a_mat = check_finite_array(A, "A")
        if a_mat.ndim != 2 or a_mat.shape[0] != a_mat.shape[1] or a_mat.size == 0:
            msg = f"`A` must be a non-empty square matrix; got shape {a_mat.shape!r}."
            raise ValueError(msg)
        n = a_mat.shape[0]
        scale = max(float(np.max(np.abs(a_mat))), 1e-300)
        if np.max(np.abs(a_mat - a_mat.T)) > 1e-12 * scale:
            msg = "`A` must be symmetric (to 1e-12 relative)."
            raise ValueError(msg)
        a_mat = 0.5 * (a_mat + a_mat.T)
        bv = _vector(b, "b", n)
        mu = _vector(mean, "mean", n)
        cst = float(check_finite_array(c, "c"))
        root = _cov_root(cov, n)
        w, u = np.linalg.eigh(root.T @ a_mat @ root)
        v = u.T @ (root.T @ (2.0 * a_mat @ mu + bv))
        tol = 1e-13 * max(float(np.max(np.abs(w))), 1e-300)
        nz = np.abs(w) > tol
        s = float(np.linalg.norm(v[~nz]))
        shift = v[nz] / (2.0 * w[nz])
        m = float(mu @ a_mat @ mu + bv @ mu + cst - np.sum(w[nz] * shift**2))
        if not nz.any():
            return cls([0.0], s=s, m=m)
        return cls(w[nz], nc=shift**2, s=s, m=m)

    # --- moments and sampling -------------------------------------------------

    def mean(self) -> float:
        """Mean Σ w_j (ν_j + λ_j) + m."""
        return float(np.sum(self.weights * (self.dof + self.nc)) + self.m)

    def var(self) -> float:
        """Variance 2 Σ w_j² (ν_j + 2λ_j) + s²."""
        w2 = self.weights**2
        return float(2.0 * np.sum(w2 * (self.dof + 2.0 * self.nc)) + self.s**2)

    def std(self) -> float:
        """Return the standard deviation."""
        return math.sqrt(self.var())

    @suggest_keywords
    def rvs(self, size: int | tuple[int, ...] | None = None, *, rng: Any = None) -> Any:
        """Random variates (``rng``: None, seed or Generator).

        Examples
        --------
        >>> from spheres_theory.gchi2 import gchi2
        >>> gchi2([1.0, -1.0]).rvs(3, rng=0).shape
        (3,)
        """
        gen = np.random.default_rng(rng)
        shape = () if size is None else (size if isinstance(size, tuple) else (size,))
        out = np.full(shape, self.m, dtype=np.float64)
        for wj, nj, cj in zip(self._lam[0], self._nu[0], self._nc[0], strict=True):
            if nj <= 0:
                continue
            if cj > 0:
                out = out + wj * gen.noncentral_chisquare(nj, cj, size=shape)
            else:
                out = out + wj * gen.chisquare(nj, size=shape)
        if self.s > 0:
            out = out + self.s * gen.standard_normal(shape)
        return out[()] if size is None else out

    # --- tails -----------------------------------------------------------------

    def _rows(self, x: Array) -> tuple[Array, ...]:
        r = x.size
        shape = (r, self._lam.shape[1])
        return (
            np.broadcast_to(self._lam, shape),
            np.broadcast_to(self._nu, shape),
            np.broadcast_to(self._nc, shape),
            np.full(r, self._sig),
            x.ravel() - self.m,
        )

    def _log_tail(self, x: ArrayLike, upper: bool) -> Any:
        xa = check_finite_array(x, "x")
        lam, nu, nc, sig, xs = self._rows(xa)
        out = tails(lam, nu, nc, sig, xs, upper)
        warn_inaccurate(out, stacklevel=3)
        return _shaped(out["log"], xa.shape)

    def logsf(self, x: ArrayLike) -> Any:
        """Natural log of P(Q > x), finite far below 1e-300."""
        return self._log_tail(x, True)

    def logcdf(self, x: ArrayLike) -> Any:
        """Natural log of P(Q <= x), computed directly (not from the sf)."""
        return self._log_tail(x, False)

    def sf(self, x: ArrayLike) -> Any:
        """P(Q > x) (may underflow to 0: use :meth:`logsf`)."""
        with np.errstate(under="ignore"):
            return np.exp(self._log_tail(x, True))

    def cdf(self, x: ArrayLike) -> Any:
        """P(Q <= x), computed directly (not as 1 − sf)."""
        with np.errstate(under="ignore"):
            return np.exp(self._log_tail(x, False))

    def logpdf(self, x: ArrayLike) -> Any:
        """Natural log of the density (−inf outside the support)."""
        xa = check_finite_array(x, "x")
        lam, nu, nc, sig, xs = self._rows(xa)
        out = np.full(xs.size, np.nan)
        deg = _contour.degenerate(lam, nu, sig, xs, True)
        out[~np.isnan(deg)] = -np.inf
        has = (nu > 0).any(axis=1)
        normal = np.isnan(deg) & ~has
        if normal.any():
            z = xs[normal] / sig[normal]
            out[normal] = -0.5 * z * z - math.log(sig[0] * math.sqrt(2 * math.pi))
        todo = np.flatnonzero(np.isnan(deg) & has)
        if todo.size:
            mean = self.mean() - self.m
            upper = xs[todo] > mean
            for flag in (True, False):
                idx = todo[upper == flag]
                if not idx.size:
                    continue
                res = _contour.contour_rows(
                    lam[idx], nu[idx], nc[idx], sig[idx], xs[idx], flag, density=True
                )
                err = res["err"] + res["err_exp"]
                val = np.where(err <= NAN_LEVEL, res["log"], np.nan)
                out[idx] = val
                if np.any(~(err <= _contour.TARGET)):
                    bad = int(np.sum(~(err <= _contour.TARGET)))
                    msg = (
                        f"{bad} density value(s) did not reach the relative "
                        "accuracy 1e-10; those worse than 1 % are NaN."
                    )
                    warnings.warn(msg, AccuracyWarning, stacklevel=2)
        return _shaped(out, xa.shape)

    def pdf(self, x: ArrayLike) -> Any:
        """Density of Q at x."""
        with np.errstate(under="ignore"):
            return np.exp(self.logpdf(x))

    # --- quantiles -------------------------------------------------------------

    def isf(self, q: ArrayLike) -> Any:
        """Inverse of :meth:`sf`: x with P(Q > x) = q (any depth, e.g. 1e-200)."""
        return self._quantile(q, upper=True)

    def ppf(self, q: ArrayLike) -> Any:
        """Inverse of :meth:`cdf`: x with P(Q <= x) = q."""
        return self._quantile(q, upper=False)

    def _support(self) -> tuple[float, float]:
        if self._sig > 0:
            return -math.inf, math.inf
        has = self._nu[0] > 0
        lo = -math.inf if np.any(self._lam[0][has] < 0) else self.m
        hi = math.inf if np.any(self._lam[0][has] > 0) else self.m
        return lo, hi

    def _quantile(self, q: ArrayLike, upper: bool) -> Any:
        qa = check_finite_array(q, "q")
        if np.any((qa < 0) | (qa > 1)):
            msg = f"`q` must hold probabilities in [0, 1]; got {q!r}."
            raise ValueError(msg)
        flat = qa.ravel()
        lo_s, hi_s = self._support()
        out = np.full(flat.size, np.nan)
        # Solve on the smaller tail: P(Q > x) = q is P(Q <= x) = 1 − q.
        out[flat == 0] = hi_s if upper else lo_s
        out[flat == 1] = lo_s if upper else hi_s
        inner = np.flatnonzero((flat > 0) & (flat < 1))
        if inner.size:
            qi = flat[inner]
            small = qi <= 0.5
            with np.errstate(divide="ignore"):
                target = np.where(small, np.log(qi), np.log1p(-qi))
            use_up = small if upper else ~small
            out[inner] = self._solve(target, use_up, lo_s, hi_s)
        return _shaped(out, qa.shape)

    def _signed_log(self, x: Array, use_up: NDArray[np.bool_]) -> Array:
        """Log sf where use_up, −log cdf elsewhere: both decreasing in x."""
        val = np.empty(x.size)
        for flag, sign in ((True, 1.0), (False, -1.0)):
            idx = np.flatnonzero(use_up == flag)
            if idx.size:
                lam, nu, nc, sig, xs = self._rows(x[idx])
                out = tails(lam, nu, nc, sig, xs, flag)
                warn_inaccurate(out, stacklevel=4)
                val[idx] = sign * out["log"]
        return val

    def _solve(
        self, target: Array, use_up: NDArray[np.bool_], lo_s: float, hi_s: float
    ) -> Array:
        """Illinois regula falsi on f(x) = signed log tail − target (decreasing)."""
        goal = np.where(use_up, target, -target)
        sd = self.std()
        mid = np.full(goal.size, min(max(self.mean(), lo_s), hi_s))
        lo = mid.copy()
        hi = mid.copy()
        f_lo = self._signed_log(lo, use_up) - goal
        f_hi = f_lo.copy()
        step = np.full(goal.size, sd)
        # Expand a bracket f(lo) >= 0 >= f(hi); stay inside the support.
        for _ in range(2000):
            need_hi = f_hi > 0
            need_lo = f_lo < 0
            if not (need_hi.any() or need_lo.any()):
                break
            if need_hi.any():
                cand = np.where(need_hi, hi + step, hi)
                if math.isfinite(hi_s):
                    cand = np.minimum(cand, hi_s - 0.01 * (hi_s - hi))
                hi = np.where(need_hi, cand, hi)
            if need_lo.any():
                cand = np.where(need_lo, lo - step, lo)
                if math.isfinite(lo_s):
                    cand = np.maximum(cand, lo_s + 0.01 * (lo - lo_s))
                lo = np.where(need_lo, cand, lo)
            sel = need_hi | need_lo
            fx = self._signed_log(np.where(need_hi, hi, lo)[sel], use_up[sel])
            f_hi[sel & need_hi] = (fx - goal[sel])[need_hi[sel]]
            f_lo[sel & need_lo] = (fx - goal[sel])[need_lo[sel]]
            step *= 2.0
        side = np.zeros(goal.size)
        x = 0.5 * (lo + hi)
        for _ in range(200):
            width = np.abs(hi - lo)
            # relative to the distance from a finite end of the support
            ref = np.abs(lo) + np.abs(hi)
            if math.isfinite(lo_s):
                ref = (lo - lo_s) + (hi - lo_s)
            elif math.isfinite(hi_s):
                ref = (hi_s - lo) + (hi_s - hi)
            tol = 4e-15 * ref + 1e-300
            act = (width > tol) & (f_lo != 0) & (f_hi != 0)
            if not act.any():
                break
            with np.errstate(divide="ignore", invalid="ignore"):
                x = (lo * f_hi - hi * f_lo) / (f_hi - f_lo)
            bad = (
                ~np.isfinite(x) | (x <= np.minimum(lo, hi)) | (x >= np.maximum(lo, hi))
            )
            x = np.where(bad, 0.5 * (lo + hi), x)
            # Near a finite end of the support the tail is a power of the
            # distance to it: bisect geometrically while the bracket is wide.
            with np.errstate(invalid="ignore"):
                if math.isfinite(lo_s):
                    geo = lo_s + np.sqrt((lo - lo_s) * (hi - lo_s))
                    wide = ((hi - lo_s) > 4.0 * (lo - lo_s)) & (lo > lo_s)
                    x = np.where(wide, geo, x)
                elif math.isfinite(hi_s):
                    geo = hi_s - np.sqrt((hi_s - lo) * (hi_s - hi))
                    wide = ((hi_s - lo) > 4.0 * (hi_s - hi)) & (hi < hi_s)
                    x = np.where(wide, geo, x)
            fx = np.zeros(goal.size)
            fx[act] = self._signed_log(x[act], use_up[act]) - goal[act]
            pos = act & (fx >= 0)
            neg = act & (fx < 0)
            lo = np.where(pos, x, lo)
            f_lo = np.where(pos, fx, f_lo)
            hi = np.where(neg, x, hi)
            f_hi = np.where(neg, fx, f_hi)
            # Illinois: halve the stale end's value when the same side moves.
            f_hi = np.where(pos & (side > 0), 0.5 * f_hi, f_hi)
            f_lo = np.where(neg & (side < 0), 0.5 * f_lo, f_lo)
            side = np.where(pos, 1.0, np.where(neg, -1.0, side))
        res = np.where(f_lo == 0, lo, np.where(f_hi == 0, hi, 0.5 * (lo + hi)))
        # An infinite end is a support end the quantile cannot be told apart
        # from in float64 (e.g. 1 − 1e-125): return the finite neighbour.
        fin_lo, fin_hi = np.isfinite(f_lo), np.isfinite(f_hi)
        res = np.where(fin_lo & ~fin_hi, lo, np.where(fin_hi & ~fin_lo, hi, res))
        return np.where(fin_lo | fin_hi, res, np.nan)


def _vector(value: ArrayLike | None, name: str, n: int) -> Array:
    if value is None:
        return np.zeros(n)
    arr = check_finite_array(value, name)
    if arr.shape != (n,):
        msg = f"`{name}` must have shape ({n},) to match `A`; got {arr.shape!r}."
        raise ValueError(msg)
    return arr


def _cov_root(cov: ArrayLike | None, n: int) -> Array:
    """S with S Sᵀ = cov (eigen-decomposition; rank-deficient allowed)."""
    if cov is None:
        return np.eye(n)
    cm = check_finite_array(cov, "cov")
    if cm.shape != (n, n):
        msg = f"`cov` must have shape ({n}, {n}) to match `A`; got {cm.shape!r}."
        raise ValueError(msg)
    scale = max(float(np.max(np.abs(cm))), 1e-300)
    if np.max(np.abs(cm - cm.T)) > 1e-12 * scale:
        msg = "`cov` must be symmetric (to 1e-12 relative)."
        raise ValueError(msg)
    ev, vec = np.linalg.eigh(0.5 * (cm + cm.T))
    tol = 1e-13 * max(float(np.max(np.abs(ev))), 1e-300) * n
    if np.any(ev < -tol):
        msg = f"`cov` must be positive semi-definite; smallest eigenvalue {ev.min()!r}."
        raise ValueError(msg)
    keep = ev > tol
    return vec[:, keep] * np.sqrt(ev[keep])
