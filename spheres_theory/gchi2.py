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


def _plain(value: float | Array) -> Any:
    return value.tolist() if isinstance(value, np.ndarray) else value


class gchi2:
    r"""Generalized χ² distribution ``Q = Σ_j w_j χ²(ν_j, λ_j) + s Z + m``.

    A frozen distribution in the style of ``scipy.stats`` (``sf``, ``cdf``,
    ``logsf``, ``logcdf``, ``pdf``, ``logpdf``, ``ppf``, ``isf``, ``mean``,
    ``var``, ``std``, ``rvs``), vectorised over ``x`` and over forms; tails
    and log tails have relative accuracy at any depth (far below 1e-300
    through the logs).

    A 2-D ``weights`` of shape (n, J) is a batch of n forms (one per row),
    like a ``scipy.stats`` distribution with array parameters: the
    parameters have the batch shape (n,), against which ``x`` (or ``q``)
    broadcasts on its last axis.  A scalar evaluates every form, shape (n,)
    evaluates form i at ``x[i]``, shape (..., n) does so along the last
    axis; ``mean``, ``var`` and ``std`` return shape (n,) and
    ``rvs(size)`` shape ``size + (n,)``.

    Parameters
    ----------
    weights : array_like, shape (J,) or (n, J)
        Weights w_j (finite, any sign; zeros are dropped, equal weights merged:
        their dof and noncentralities add); one form per row for a batch.
    dof : array_like, broadcastable to the shape of ``weights``, optional
        Degrees of freedom ν_j >= 0, real (default 1 each).  ν_j = 0 drops the
        term (it must then have λ_j = 0).
    nc : array_like, broadcastable to the shape of ``weights``, optional
        Noncentralities λ_j >= 0 (default 0): χ²(ν, λ) is the law of
        Σ_{i<=ν} (Z_i + μ_i)² with Σ μ_i² = λ.
    s : float or array_like of shape (n,), default 0
        Scale of the normal term s Z (s >= 0), per form for a batch.
    m : float or array_like of shape (n,), default 0
        Offset, per form for a batch.

    Raises
    ------
    ValueError
        For non-finite or empty ``weights``; negative ``dof``, ``nc`` or ``s``;
        ``dof`` 0 with ``nc`` > 0; shapes that do not broadcast (the
        message names the parameter, ``x`` or ``q`` included).
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

    A batch of forms; ``x`` of shape (n,) evaluates form i at ``x[i]``:

    >>> b = gchi2([[1.0, -2.0], [1.0, 3.0]], dof=[[3, 2], [1, 1]], s=[0.5, 0.0])
    >>> b.mean().tolist(), b.var().tolist()
    ([-1.0, 4.0], [22.25, 20.0])
    >>> print(b.sf([5.0, 2.0]).round(6), b.isf(1e-200).shape)
    [0.063887 0.575323] (2,)
    """

    __slots__ = (
        "_batch",
        "_lam",
        "_nc",
        "_nu",
        "_off",
        "_sig",
        "dof",
        "m",
        "nc",
        "s",
        "weights",
    )

    weights: Array
    dof: Array
    nc: Array
    s: float | Array
    m: float | Array

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
        one = (lambda a: a[0]) if not batch else (lambda a: a)
        for name, arr in (("weights", w), ("dof", nu), ("nc", lam)):
            arr = one(arr).copy()
            arr.flags.writeable = False
            object.__setattr__(self, name, arr)
        for name, arr in (("s", sig), ("m", off)):
            if batch:
                arr = arr.copy()
                arr.flags.writeable = False
                object.__setattr__(self, name, arr)
            else:
                object.__setattr__(self, name, float(arr[0]))
        ml, mn, mc = merge_rows(w, nu, lam)
        object.__setattr__(self, "_lam", ml)
        object.__setattr__(self, "_nu", mn)
        object.__setattr__(self, "_nc", mc)
        object.__setattr__(self, "_sig", sig.copy())
        object.__setattr__(self, "_off", off.copy())
        object.__setattr__(self, "_batch", batch)

    def __setattr__(self, name: str, value: Any) -> None:
        msg = f"gchi2 is frozen; cannot set `{name}`."
        raise AttributeError(msg)

    def __repr__(self) -> str:
        return (
            f"gchi2(weights={self.weights.tolist()!r}, dof={self.dof.tolist()!r}, "
            f"nc={self.nc.tolist()!r}, s={_plain(self.s)!r}, m={_plain(self.m)!r})"
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

    def _form_means(self) -> Array:
        """Mean of each form, shape (n_forms,)."""
        w, nu, nc = (np.atleast_2d(a) for a in (self.weights, self.dof, self.nc))
        return np.sum(w * (nu + nc), axis=1) + self._off

    def _form_vars(self) -> Array:
        w, nu, nc = (np.atleast_2d(a) for a in (self.weights, self.dof, self.nc))
        return 2.0 * np.sum(w**2 * (nu + 2.0 * nc), axis=1) + self._sig**2

    def mean(self) -> float | Array:
        """Mean Σ w_j (ν_j + λ_j) + m (shape (n_forms,) for a batch)."""
        means = self._form_means()
        return means if self._batch else float(means[0])

    def var(self) -> float | Array:
        """Variance 2 Σ w_j² (ν_j + 2λ_j) + s² (shape (n_forms,) for a batch)."""
        var = self._form_vars()
        return var if self._batch else float(var[0])

    def std(self) -> float | Array:
        """Return the standard deviation (shape (n_forms,) for a batch)."""
        sd = np.sqrt(self._form_vars())
        return sd if self._batch else float(sd[0])

    @suggest_keywords
    def rvs(self, size: int | tuple[int, ...] | None = None, *, rng: Any = None) -> Any:
        """Random variates (``rng``: None, seed or Generator).

        For a batch of forms the result has shape ``size + (n_forms,)``.

        Examples
        --------
        >>> from spheres_theory.gchi2 import gchi2
        >>> gchi2([1.0, -1.0]).rvs(3, rng=0).shape
        (3,)
        >>> gchi2([[1.0, -1.0], [2.0, 0.5]]).rvs((4, 3), rng=0).shape
        (4, 3, 2)
        """
        gen = np.random.default_rng(rng)
        shape = () if size is None else (size if isinstance(size, tuple) else (size,))
        draws = []
        for i in range(self._lam.shape[0]):
            out = np.full(shape, self._off[i], dtype=np.float64)
            for wj, nj, cj in zip(self._lam[i], self._nu[i], self._nc[i], strict=True):
                if nj <= 0:
                    continue
                if cj > 0:
                    out = out + wj * gen.noncentral_chisquare(nj, cj, size=shape)
                else:
                    out = out + wj * gen.chisquare(nj, size=shape)
            if self._sig[i] > 0:
                out = out + self._sig[i] * gen.standard_normal(shape)
            draws.append(out)
        if self._batch:
            return np.stack(draws, axis=-1)
        return draws[0][()] if size is None else draws[0]

    # --- tails -----------------------------------------------------------------

    def _spread(self, value: ArrayLike, name: str) -> tuple[Array, Array, tuple]:
        """Broadcast ``value`` against the forms: (flat values, form index, shape).

        One form: any shape, every entry evaluates that form.  A batch of
        ``n`` forms: the shape broadcasts against ``(n,)`` (the last axis
        runs over the forms).
        """
        va = check_finite_array(value, name)
        if not self._batch:
            return va.ravel(), np.zeros(va.size, dtype=np.intp), va.shape
        n = self._lam.shape[0]
        try:
            shape = np.broadcast_shapes(va.shape, (n,))
        except ValueError:
            msg = (
                f"`{name}` must broadcast against the {n} forms (a scalar, shape "
                f"({n},) or (..., {n})); got shape {va.shape!r}."
            )
            raise ValueError(msg) from None
        form = np.broadcast_to(np.arange(n), shape).ravel()
        return np.broadcast_to(va, shape).ravel(), form, shape

    def _rows(self, x: Array, form: Array) -> tuple[Array, ...]:
        """Return the merged rows of ``form`` and the thresholds less the offsets.

        One form: read-only broadcast views of its row (no copy per value of x).
        """
        if not self._batch:
            shape = (x.size, self._lam.shape[1])
            return (
                np.broadcast_to(self._lam[0], shape),
                np.broadcast_to(self._nu[0], shape),
                np.broadcast_to(self._nc[0], shape),
                np.full(x.size, self._sig[0]),
                x - self._off[0],
            )
        return (
            self._lam[form],
            self._nu[form],
            self._nc[form],
            self._sig[form],
            x - self._off[form],
        )

    def _log_tail(self, x: ArrayLike, upper: bool) -> Any:
        xs, form, shape = self._spread(x, "x")
        lam, nu, nc, sig, xm = self._rows(xs, form)
        out = tails(lam, nu, nc, sig, xm, upper)
        warn_inaccurate(out, stacklevel=3)
        return _shaped(out["log"], shape)

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
        xv, form, shape = self._spread(x, "x")
        lam, nu, nc, sig, xs = self._rows(xv, form)
        out = np.full(xs.size, np.nan)
        deg = _contour.degenerate(lam, nu, sig, xs, True)
        out[~np.isnan(deg)] = -np.inf
        has = (nu > 0).any(axis=1)
        normal = np.isnan(deg) & ~has
        if normal.any():
            z = xs[normal] / sig[normal]
            out[normal] = -0.5 * z * z - np.log(sig[normal] * math.sqrt(2 * math.pi))
        todo = np.flatnonzero(np.isnan(deg) & has)
        if todo.size:
            mean = (self._form_means() - self._off)[form[todo]]
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
        return _shaped(out, shape)

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

    def _support(self) -> tuple[Array, Array]:
        """Lower and upper end of the support of each form, shape (n_forms,)."""
        has = self._nu > 0
        neg = np.any(has & (self._lam < 0), axis=1) | (self._sig > 0)
        pos = np.any(has & (self._lam > 0), axis=1) | (self._sig > 0)
        return np.where(neg, -np.inf, self._off), np.where(pos, np.inf, self._off)

    def _quantile(self, q: ArrayLike, upper: bool) -> Any:
        flat, form, shape = self._spread(q, "q")
        if np.any((flat < 0) | (flat > 1)):
            msg = f"`q` must hold probabilities in [0, 1]; got {q!r}."
            raise ValueError(msg)
        lo_f, hi_f = self._support()
        lo_s, hi_s = lo_f[form], hi_f[form]
        out = np.full(flat.size, np.nan)
        # Solve on the smaller tail: P(Q > x) = q is P(Q <= x) = 1 − q.
        zero, one = flat == 0, flat == 1
        out[zero] = (hi_s if upper else lo_s)[zero]
        out[one] = (lo_s if upper else hi_s)[one]
        inner = np.flatnonzero((flat > 0) & (flat < 1))
        if inner.size:
            qi = flat[inner]
            small = qi <= 0.5
            with np.errstate(divide="ignore"):
                target = np.where(small, np.log(qi), np.log1p(-qi))
            use_up = small if upper else ~small
            out[inner] = self._solve(
                target, use_up, form[inner], lo_s[inner], hi_s[inner]
            )
        return _shaped(out, shape)

    def _signed_log(self, x: Array, use_up: NDArray[np.bool_], form: Array) -> Array:
        """Log sf where use_up, −log cdf elsewhere: both decreasing in x."""
        val = np.empty(x.size)
        for flag, sign in ((True, 1.0), (False, -1.0)):
            idx = np.flatnonzero(use_up == flag)
            if idx.size:
                lam, nu, nc, sig, xs = self._rows(x[idx], form[idx])
                out = tails(lam, nu, nc, sig, xs, flag)
                warn_inaccurate(out, stacklevel=4)
                val[idx] = sign * out["log"]
        return val

    def _bracket(
        self,
        goal: Array,
        use_up: NDArray[np.bool_],
        form: Array,
        lo_s: Array,
        hi_s: Array,
    ) -> tuple[Array, Array, Array, Array]:
        """Expand a bracket f(lo) >= 0 >= f(hi) from the mean, inside the support."""
        mid = np.minimum(np.maximum(self._form_means()[form], lo_s), hi_s)
        lo = mid.copy()
        hi = mid.copy()
        f_lo = self._signed_log(lo, use_up, form) - goal
        f_hi = f_lo.copy()
        step = np.sqrt(self._form_vars())[form]
        fin_lo, fin_hi = np.isfinite(lo_s), np.isfinite(hi_s)
        for _ in range(2000):
            need_hi = f_hi > 0
            need_lo = f_lo < 0
            if not (need_hi.any() or need_lo.any()):
                break
            with np.errstate(invalid="ignore"):
                if need_hi.any():
                    cand = np.where(need_hi, hi + step, hi)
                    cap = np.minimum(cand, hi_s - 0.01 * (hi_s - hi))
                    hi = np.where(need_hi, np.where(fin_hi, cap, cand), hi)
                if need_lo.any():
                    cand = np.where(need_lo, lo - step, lo)
                    cap = np.maximum(cand, lo_s + 0.01 * (lo - lo_s))
                    lo = np.where(need_lo, np.where(fin_lo, cap, cand), lo)
            sel = need_hi | need_lo
            fx = self._signed_log(
                np.where(need_hi, hi, lo)[sel], use_up[sel], form[sel]
            )
            f_hi[sel & need_hi] = (fx - goal[sel])[need_hi[sel]]
            f_lo[sel & need_lo] = (fx - goal[sel])[need_lo[sel]]
            step *= 2.0
        return lo, hi, f_lo, f_hi

    def _solve(
        self,
        target: Array,
        use_up: NDArray[np.bool_],
        form: Array,
        lo_s: Array,
        hi_s: Array,
    ) -> Array:
        """Illinois regula falsi on f(x) = signed log tail − target (decreasing)."""
        goal = np.where(use_up, target, -target)
        lo, hi, f_lo, f_hi = self._bracket(goal, use_up, form, lo_s, hi_s)
        fin_ls, fin_hs = np.isfinite(lo_s), np.isfinite(hi_s)
        from_hi = fin_hs & ~fin_ls
        side = np.zeros(goal.size)
        x = 0.5 * (lo + hi)
        for _ in range(200):
            width = np.abs(hi - lo)
            # relative to the distance from a finite end of the support
            with np.errstate(invalid="ignore"):
                ref = np.where(
                    fin_ls,
                    (lo - lo_s) + (hi - lo_s),
                    np.where(
                        from_hi, (hi_s - lo) + (hi_s - hi), np.abs(lo) + np.abs(hi)
                    ),
                )
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
                geo = lo_s + np.sqrt((lo - lo_s) * (hi - lo_s))
                wide = fin_ls & ((hi - lo_s) > 4.0 * (lo - lo_s)) & (lo > lo_s)
                x = np.where(wide, geo, x)
                geo = hi_s - np.sqrt((hi_s - lo) * (hi_s - hi))
                wide = from_hi & ((hi_s - lo) > 4.0 * (hi_s - hi)) & (hi < hi_s)
                x = np.where(wide, geo, x)
            fx = np.zeros(goal.size)
            fx[act] = self._signed_log(x[act], use_up[act], form[act]) - goal[act]
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
