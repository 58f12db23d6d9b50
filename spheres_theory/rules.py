"""Quadratic (ellipsoidal) decision rules: coefficients, certificates, error rates.

A quadratic network (Gilmer et al. 2018 [1]_, §4) has one hidden layer of width h,
no hidden bias, activation u ↦ u² and readout ŷ(x) = w · Σ_j (W x)_j² + b; it
labels x "outer" iff ŷ > 0.  Since ŷ(x) = w xᵀWᵀWx + b, writing
WᵀW = V diag(s²) Vᵀ and z = Vᵀx turns the network into the rule

    "outer" iff Σ_i α_i z_i² > threshold,

with α_i = w s_i² / abs(b) and threshold = −sign(b) ∈ {+1, −1}.  For the usual
signs (w > 0 > b) the threshold is +1 and the inner region is the ellipsoid
Σ α_i z_i² ≤ 1.  Such a rule is perfect on the spheres of radii 1 and R iff
every α_i lies in [1/R², 1]; its exact error rates are generalized χ² tails
(:func:`spheres_theory.quadforms.quadform_sf`).

References
----------
.. [1] J. Gilmer, L. Metz, F. Faghri, S. S. Schoenholz, M. Raghu,
   M. Wattenberg, I. Goodfellow, "Adversarial Spheres", arXiv:1801.02774, 2018.
"""

from __future__ import annotations

import warnings
from dataclasses import KW_ONLY, dataclass, field, replace
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._arrays import (
    as_float_array,
    as_real_array,
    as_scalar,
    check_spheres,
    input_eps,
)
from ._rule_results import AlphaReport, RuleCertificate
from ._validation import check_points, check_sphere
from .errors import AccuracyWarning
from .quadforms import TailProbability, quadform_cdf, quadform_sf
from .sphere import ConcentricSpheres

__all__ = ["AlphaReport", "QuadraticRule", "RuleCertificate"]

# Tolerance on ||BᵀB − I||_max for a user-supplied basis.
_ORTHO_TOL = 1e-8
# |α| below this counts as "near 0" in summaries (the paper's collapsed α).
_NEAR_ZERO = 1e-2
_EPS = float(np.finfo(np.float64).eps)


def _reject_complex(value: Any, name: str) -> None:
    """Refuse complex input instead of silently dropping its imaginary part."""
    if np.iscomplexobj(value):
        kind = getattr(value, "dtype", type(value).__name__)
        msg = f"`{name}` must be real; got complex data ({kind})."
        raise ValueError(msg)


_as_float_array = as_float_array
_as_scalar = as_scalar
_check_spheres = check_spheres


def _check_finite_points(value: Any, dim: int, name: str) -> NDArray[np.float64]:
    """Points of shape (dim,) or (n, dim), real and finite (no NaN/inf)."""
    _reject_complex(value, name)
    arr = check_points(value, dim, name)
    bad = int(np.count_nonzero(~np.isfinite(arr)))
    if bad:
        msg = f"`{name}` must be finite; found {bad} NaN/inf entries."
        raise ValueError(msg)
    return arr


def _solver_error(alphas: NDArray[np.float64], n: int, eps_in: float) -> float:
    """Bound on |α̂ − α| for α from a backward-stable SVD/eigensolver."""
    scale = float(np.max(np.abs(alphas)))
    return scale * (2.0 * n * _EPS + 4.0 * eps_in)


def _route_options(
    method: str | None,
    n_samples: int | None,
    confidence: float | None,
    rng: Any,
    dps: int | None,
) -> dict[str, Any]:
    """Options for the tail route; refuse those the method does not take."""
    given = {"n_samples": n_samples, "confidence": confidence, "rng": rng}
    opts: dict[str, Any] = {}
    if method == "montecarlo":
        opts = {k: v for k, v in given.items() if v is not None}
    else:
        extra = [k for k, v in given.items() if v is not None]
        if extra:
            msg = f"`{extra[0]}` is an option of method='montecarlo' only."
            raise ValueError(msg)
    if method == "mpmath":
        opts["dps"] = 50 if dps is None else dps
    elif dps is not None:
        msg = f"`dps` is an option of method='mpmath' only; got method={method!r}."
        raise ValueError(msg)
    return opts


def _rounding_note(sphere: str, bounds: tuple[TailProbability, TailProbability]) -> str:
    low, high = (float(b.log10_value) for b in bounds)
    return (
        f"the {sphere} error rate depends on rounding: some alpha lie within "
        "their error bound of the band edge; the rate lies in "
        f"[10^{low:.4g}, 10^{high:.4g}]."
    )


def _overflow() -> None:
    msg = (
        "`W`, `w` and `b` give coefficients alpha = w s^2 / |b| that overflow "
        "float64; rescale the weights."
    )
    raise ValueError(msg)


def _readonly(arr: NDArray[np.float64]) -> NDArray[np.float64]:
    out = np.array(arr, dtype=np.float64, copy=True)
    out.flags.writeable = False
    return out


def _merge(weights: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray]:
    """Drop zero weights and merge equal ones into degrees of freedom."""
    values, counts = np.unique(weights[weights != 0], return_counts=True)
    if values.size == 0:  # Q ≡ 0: quadforms wants at least one weight
        return np.zeros(1), np.ones(1)
    return values, counts.astype(np.float64)


@dataclass(frozen=True, slots=True, eq=False)
class QuadraticRule:
    """The decision rule "outer iff Σ α_i z_i² > threshold", z = basisᵀ x.

    Parameters
    ----------
    alphas : array_like, shape (dim,)
        Coefficients α (finite).  Stored as a read-only float64 copy.
    basis : array_like, shape (dim, dim), optional
        Orthonormal columns (eigenvectors); z = basisᵀ x.  ``None`` means the
        identity (the rule is already in its eigenbasis).
    threshold : {1.0, -1.0}, default 1.0
        Keyword-only.  +1 is the usual ellipsoidal rule; −1 represents the
        other sign patterns of a quad net's readout exactly (see
        :meth:`from_quad_net`).
    alpha_error : float, default 0.0
        Keyword-only.  Bound on the absolute error of each α: 0 when the α
        are exact (given directly), the eigensolver's error bound (plus the
        rounding of narrow input dtypes) when :meth:`from_matrix` or
        :meth:`from_quad_net` computed them.  Where an α lies within
        ``alpha_error`` of a band edge, the verdict and the error rates
        depend on rounding: :meth:`certify` flags it and :meth:`error_rate`
        returns a flagged result with a certified interval, never "exact".

    Raises
    ------
    ValueError
        If ``alphas`` is not a finite real 1-d array with dim >= 2 entries,
        ``basis`` is not a finite real (dim, dim) matrix with orthonormal
        columns (to 1e-8), ``threshold`` is not the number ±1 or
        ``alpha_error`` not a finite number >= 0.  Complex, boolean and string
        input is refused, never cast.

    See Also
    --------
    spheres_theory.quadforms.quadform_sf : the generalized χ² tail behind
        :meth:`error_rate`.

    Notes
    -----
    Weights may be numpy arrays, nested sequences, PyTorch tensors (detached
    and moved to the CPU first; any float dtype, bfloat16 included) or JAX
    arrays: the conversion calls ``tensor.detach().cpu()`` (then ``.float()``
    for dtypes numpy lacks) and ``numpy.asarray``, and imports neither
    library.

    Points exactly on the boundary Σ α_i z_i² = threshold are labelled inner.
    On the spheres of radii 1 and R the rule with threshold +1 errs on a set
    of positive measure iff some α_i > 1 (inner errors) or α_i < 1/R² (outer
    errors), because max_{‖z‖=1} Σ α_i z_i² = max α and
    min_{‖z‖=R} Σ α_i z_i² = R² min α [1]_.

    References
    ----------
    .. [1] J. Gilmer et al., "Adversarial Spheres", arXiv:1801.02774, 2018, §4.

    Examples
    --------
    >>> import numpy as np
    >>> from spheres_theory import ConcentricSpheres, QuadraticRule
    >>> rule = QuadraticRule([0.8, 0.7, 0.9])
    >>> rule.kind
    'ellipsoid'
    >>> rule.predict(np.array([[1.0, 0.0, 0.0], [0.0, 1.3, 0.0]])).tolist()
    [0, 1]
    >>> rule.is_perfect(ConcentricSpheres(3, outer_radius=1.3))
    True
    """

    alphas: NDArray[np.float64]
    basis: NDArray[np.float64] | None = None
    _: KW_ONLY
    threshold: float = 1.0
    alpha_error: float = 0.0
    _kind: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        alphas = _as_float_array(self.alphas, "alphas", 1)
        dim = alphas.size
        if dim < 2:
            msg = (
                "`alphas` must have dim >= 2 entries (the spheres live in R^dim, "
                f"dim >= 2); got shape {alphas.shape}."
            )
            raise ValueError(msg)
        object.__setattr__(self, "alphas", _readonly(alphas))
        if self.basis is not None:
            basis = _as_float_array(self.basis, "basis", 2)
            if basis.shape != (dim, dim):
                msg = (
                    f"`basis` must have shape (dim, dim) = ({dim}, {dim}); "
                    f"got {basis.shape}."
                )
                raise ValueError(msg)
            err = float(np.max(np.abs(basis.T @ basis - np.eye(dim))))
            if err > _ORTHO_TOL:
                msg = (
                    "`basis` must have orthonormal columns "
                    f"(max |BᵀB − I| <= {_ORTHO_TOL:g}); got {err:.3g}."
                )
                raise ValueError(msg)
            object.__setattr__(self, "basis", _readonly(basis))
        thr = self.threshold
        real = isinstance(thr, int | float | np.integer | np.floating)
        if isinstance(thr, bool | np.bool_) or not real or thr not in (1, -1):
            msg = f"`threshold` must be 1.0 or -1.0 (a real number); got {thr!r}."
            raise ValueError(msg)
        object.__setattr__(self, "threshold", float(thr))
        err = self.alpha_error
        real = isinstance(err, int | float | np.integer | np.floating)
        if isinstance(err, bool | np.bool_) or not real or not 0 <= err < np.inf:
            msg = f"`alpha_error` must be a finite number >= 0; got {err!r}."
            raise ValueError(msg)
        object.__setattr__(self, "alpha_error", float(err))
        object.__setattr__(self, "_kind", _classify(alphas, float(thr)))

    # --- construction ------------------------------------------------------

    @classmethod
    def from_quad_net(cls, W: ArrayLike, w: ArrayLike, b: ArrayLike) -> QuadraticRule:
        """Build the rule of a quadratic network ŷ(x) = w · Σ_j (W x)_j² + b.

        Parameters
        ----------
        W : array_like, shape (hidden, dim)
            Hidden-layer weights (PyTorch ``Linear`` layout: hidden = W @ x).
        w : float or array_like of shape (hidden,)
            Readout weight.  A scalar (or any size-1 array) is the paper's
            quad net; a vector gives ŷ = Σ_j w_j (W x)_j² + b (handled by an
            eigendecomposition of Wᵀ diag(w) W); shape (1, hidden), as in a
            PyTorch ``Linear(hidden, 1)``, is accepted too.
        b : float
            Readout bias, nonzero.

        Returns
        -------
        QuadraticRule
            α_i = w s_i² / abs(b) (s: singular values of W, padded with dim − h
            zeros when hidden < dim), basis = right singular vectors completed
            to an orthonormal basis of R^dim, threshold = −sign(b).

        Raises
        ------
        ValueError
            For complex, non-finite or empty arrays, wrong shapes, dim < 2,
            coefficients α that overflow float64, or ``b == 0``: with b = 0 the
            rule w·xᵀWᵀWx > 0 is invariant under scaling x (a cone, not an
            ellipsoid), which this class does not represent.

        Notes
        -----
        "Outer" iff w Q + b > 0 with Q = Σ s_i² z_i².  Dividing by abs(b):

        * b < 0: outer iff Σ α_i z_i² > 1 with α = w s²/(−b).  For w > 0 this is
          the ellipsoidal rule; for w ≤ 0 every α ≤ 0 and every point is inner.
        * b > 0: outer iff Σ α_i z_i² > −1 with α = w s²/b.  For w < 0 the
          outer points form an ellipsoid (or cylinder) and the inner region is
          its complement; for w ≥ 0 every point is outer.

        The α come from the SVD of W (s² is accurate to relative rounding for
        every non-negligible singular value, unlike eigenvalues of the
        explicitly formed WᵀW).

        Examples
        --------
        >>> import numpy as np
        >>> W = np.diag([1.0, 2.0, 0.5])
        >>> rule = QuadraticRule.from_quad_net(W, w=0.25, b=-1.0)
        >>> np.sort(rule.alphas).tolist()
        [0.0625, 0.25, 1.0]
        >>> QuadraticRule.from_quad_net(W, w=-1.0, b=2.0).kind
        'complement of an ellipsoid'
        """
        eps_in = max(input_eps(W), input_eps(w), input_eps(b))
        W = _as_float_array(W, "W", 2)
        hidden, dim = W.shape
        b = _as_scalar(b, "b")
        if b == 0:
            msg = (
                "`b` must be nonzero; got 0.0 (with b = 0 the rule "
                "w * x^T W^T W x > 0 is scale-free: a cone, not an ellipsoidal "
                "rule)."
            )
            raise ValueError(msg)
        w_arr = as_real_array(w, "w")
        if w_arr.size <= 1:
            w_s = _as_scalar(w_arr, "w")
            _, s, vt = np.linalg.svd(W, full_matrices=hidden < dim)
            s2 = np.zeros(dim)
            with np.errstate(over="ignore", invalid="ignore"):
                s2[: s.size] = s * s
                alphas = w_s * s2 / abs(b)
            basis = vt.T
        else:
            if w_arr.shape not in ((hidden,), (1, hidden)):
                msg = (
                    "`w` must be a number or have shape (hidden,) = "
                    f"({hidden},) (or (1, {hidden}), a Linear(hidden, 1) "
                    f"weight); got shape {w_arr.shape}."
                )
                raise ValueError(msg)
            w_v = _as_float_array(w_arr.reshape(-1), "w", 1)
            with np.errstate(over="ignore", invalid="ignore"):
                M = W.T @ (w_v[:, None] * W)
            if not np.all(np.isfinite(M)):
                _overflow()
            alphas, basis = np.linalg.eigh(0.5 * M + 0.5 * M.T)
            with np.errstate(over="ignore"):
                alphas = alphas[::-1] / abs(b)
            basis = basis[:, ::-1]
        if not np.all(np.isfinite(alphas)):
            _overflow()
        # Backward-stable SVD/eigh: each α is within ~n·eps·max|α| of the α of
        # the stored weights; narrow dtypes add their own relative rounding.
        err = _solver_error(alphas, max(hidden, dim), eps_in)
        return cls(alphas, basis, threshold=-1.0 if b > 0 else 1.0, alpha_error=err)

    @classmethod
    def from_matrix(cls, A: ArrayLike, *, atol: float | None = None) -> QuadraticRule:
        """Build the rule "outer iff xᵀ A x > 1" for a symmetric matrix A.

        Parameters
        ----------
        A : array_like, shape (dim, dim)
            Symmetric, finite.
        atol : float, optional
            Largest accepted asymmetry max abs(A − Aᵀ).  Default
            ``1e-10 * max |A|`` (relative to the size of A).

        Returns
        -------
        QuadraticRule
            α = eigenvalues of (A + Aᵀ)/2 in descending order, basis = its
            eigenvectors (``numpy.linalg.eigh``; a diagonal A is read off
            exactly), threshold +1, ``alpha_error`` = the eigensolver's error
            bound 2·dim·ε·max abs(α) (plus 4·ε_in·max abs(α) for input
            stored in a dtype narrower than float64, ε_in its epsilon).

        Raises
        ------
        ValueError
            If A is not a finite real square matrix of size dim >= 2, is not
            symmetric within ``atol``, or has eigenvalues beyond float64.

        Examples
        --------
        >>> import numpy as np
        >>> A = np.array([[0.8, 0.1], [0.1, 0.8]])
        >>> QuadraticRule.from_matrix(A).alphas.round(12).tolist()
        [0.9, 0.7]
        """
        eps_in = input_eps(A)
        A = _as_float_array(A, "A", 2)
        if A.shape[0] != A.shape[1]:
            msg = f"`A` must be a square matrix; got shape {A.shape}."
            raise ValueError(msg)
        if atol is None:
            tol = 1e-10 * float(np.max(np.abs(A)))
        else:
            tol = _as_scalar(atol, "atol")
            if tol < 0:
                msg = f"`atol` must be >= 0; got {atol!r}."
                raise ValueError(msg)
        # Halves first: A - A.T and A + A.T may overflow for entries near 1e308.
        half = 0.5 * A
        asym = 2.0 * float(np.max(np.abs(half - half.T)))  # Python float: no warning
        if asym > tol:
            msg = (
                f"`A` must be symmetric: max |A - A^T| = {asym:.3g} exceeds "
                f"the tolerance {tol:.3g}."
            )
            raise ValueError(msg)
        sym = half + half.T
        off = sym - np.diag(np.diag(sym))
        if not np.any(off):  # diagonal: the α are the entries, exactly
            order = np.argsort(-np.diag(sym), kind="stable")
            alphas = np.diag(sym)[order]
            basis = np.eye(A.shape[0])[:, order]
            err = 4.0 * eps_in * float(np.max(np.abs(alphas)))
        else:
            with np.errstate(over="ignore", invalid="ignore"):
                alphas, basis = np.linalg.eigh(sym)
            alphas, basis = alphas[::-1], basis[:, ::-1]
            err = _solver_error(alphas, A.shape[0], eps_in)
        if not (np.all(np.isfinite(alphas)) and np.isfinite(err)):
            msg = (
                "`A` has eigenvalues that overflow float64 (max |A| = "
                f"{float(np.max(np.abs(A))):.3g}); rescale A."
            )
            raise ValueError(msg)
        return cls(alphas, basis, alpha_error=err)

    # --- geometry ----------------------------------------------------------

    @property
    def dim(self) -> int:
        """Dimension of the input space."""
        return int(self.alphas.size)

    @property
    def kind(self) -> str:
        """The shape of the inner region (points labelled 0).

        One of ``"ellipsoid"`` (threshold +1, every α > 0: the bounded region
        Σ α z² ≤ 1), ``"elliptic cylinder"`` (threshold +1, α ≥ 0 with zeros),
        ``"hyperboloid"`` (mixed signs), ``"complement of an ellipsoid"``
        (threshold −1, every α < 0: outer iff Σ abs(α) z² < 1),
        ``"complement of an elliptic cylinder"`` (threshold −1, α ≤ 0 with
        zeros), ``"everything inner"``, ``"everything outer"``.
        """
        return self._kind

    def describe(self) -> str:
        """Describe the rule and its region in one line.

        Returns
        -------
        str
            The kind of region, the rule and the range of α.

        Examples
        --------
        >>> QuadraticRule([0.8, 0.9]).describe()
        'ellipsoid: inner iff sum(alphas * z**2) <= 1; dim=2, alphas in [0.8, 0.9]'
        >>> QuadraticRule([-0.5, -2.0], threshold=-1.0).kind
        'complement of an ellipsoid'
        """
        thr = "1" if self.threshold > 0 else "-1"
        return (
            f"{self.kind}: inner iff sum(alphas * z**2) <= {thr}; dim={self.dim}, "
            f"alphas in [{self.alphas.min():.6g}, {self.alphas.max():.6g}]"
        )

    def to_eigen(self, x: ArrayLike) -> NDArray[np.float64]:
        """Coordinates in the eigenbasis, z = basisᵀ x.

        Parameters
        ----------
        x : array_like, shape (dim,) or (n, dim)
            Points.

        Returns
        -------
        ndarray, same shape as x
            z (a copy when ``basis`` is None).

        Raises
        ------
        ValueError
            If ``x`` is not a finite real array of shape (dim,) or (n, dim).
        """
        x = _check_finite_points(x, self.dim, "x")
        if self.basis is None:
            return x.copy()
        return x @ self.basis

    def from_eigen(self, z: ArrayLike) -> NDArray[np.float64]:
        """Inverse of :meth:`to_eigen`: x = basis z.

        Parameters
        ----------
        z : array_like, shape (dim,) or (n, dim)
            Eigen-coordinates.

        Returns
        -------
        ndarray, same shape as z
            x.

        Raises
        ------
        ValueError
            If ``z`` is not a real array of shape (dim,) or (n, dim).  NaN rows
            are mapped to NaN rows (they mark "no point" in nearest-error
            results).
        """
        z = check_points(z, self.dim, "z")  # NaN rows pass through (nearest.py)
        if self.basis is None:
            return z.copy()
        return z @ self.basis.T

    def decision_function(self, x: ArrayLike) -> NDArray[np.float64] | np.float64:
        """Σ α_i z_i² − threshold; positive means "outer".

        Parameters
        ----------
        x : array_like, shape (dim,) or (n, dim)
            Points.

        Returns
        -------
        float or ndarray of shape (n,)
            The signed score.

        Raises
        ------
        ValueError
            If ``x`` is not a finite real array of shape (dim,) or (n, dim).
        """
        z = self.to_eigen(x)
        return (np.sum(self.alphas * z * z, axis=-1) - self.threshold)[()]

    def predict(self, x: ArrayLike) -> NDArray[np.int64] | np.int64:
        """Labels: 1 ("outer") iff Σ α_i z_i² > threshold, else 0 ("inner").

        Parameters
        ----------
        x : array_like, shape (dim,) or (n, dim)
            Points.

        Returns
        -------
        int or ndarray of int of shape (n,)
            0 inner, 1 outer; boundary points are inner.

        Raises
        ------
        ValueError
            If ``x`` is not a finite real array of shape (dim,) or (n, dim):
            a NaN coordinate has no label, so it is refused rather than
            labelled inner.

        Examples
        --------
        >>> import numpy as np
        >>> from spheres_theory import QuadraticRule
        >>> rule = QuadraticRule([0.8, 0.5])
        >>> rule.predict(np.array([[1.0, 0.0], [0.0, 1.3], [1.0, 1.0]])).tolist()
        [0, 0, 1]
        >>> int(rule.predict([1.25, 0.0]))  # 0.8 * 1.25**2 = 1.25 > 1
        1
        >>> rule.predict([np.nan, 0.0])
        Traceback (most recent call last):
        ...
        ValueError: `x` must be finite; found 1 NaN/inf entries.
        """
        score = np.asarray(self.decision_function(x))
        return (score > 0).astype(np.int64)[()]

    # --- errors ------------------------------------------------------------

    def _band(self, spheres: ConcentricSpheres) -> tuple[float, float]:
        # lower = threshold / R**2 with the same rounding as
        # ConcentricSpheres.alpha_range, so that α >= lower exactly iff the
        # outer-error weight α - lower is >= 0 (float subtraction keeps sign).
        return self.threshold * spheres.alpha_range[0], self.threshold

    def _event_weights(
        self, spheres: ConcentricSpheres, sphere: str
    ) -> NDArray[np.float64]:
        lower, upper = self._band(spheres)
        return self.alphas - (upper if sphere == "inner" else lower)

    def error_rate(
        self,
        spheres: ConcentricSpheres,
        *,
        sphere: Literal["inner", "outer"] = "inner",
        method: str | None = None,
        n_samples: int | None = None,
        confidence: float | None = None,
        rng: Any = None,
        dps: int | None = None,
    ) -> TailProbability:
        """Exact probability that a uniform point of one sphere is misclassified.

        Parameters
        ----------
        spheres : ConcentricSpheres
            The data set; ``spheres.dim`` must equal ``self.dim``.
        sphere : {"inner", "outer"}, default "inner"
            Which sphere (the paper reports the inner one).
        method : str, optional
            Route of :func:`~spheres_theory.quadforms.quadform_sf`: ``None`` or
            ``"exact"`` (default), ``"mpmath"``, ``"clt"`` (the paper's normal
            approximation, corrected), ``"saddlepoint"``, ``"montecarlo"``.
        n_samples, confidence, rng : optional
            ``method="montecarlo"`` only: sample size (default 10**6), level of
            the Clopper–Pearson interval (default 0.95) and random generator.
        dps : int, optional
            ``method="mpmath"`` only: decimal digits (default 50).

        Returns
        -------
        TailProbability
            ``.value`` (may underflow to 0.0), ``.log10_value`` (finite whenever
            the probability is positive, −inf iff it is exactly 0), ``.method``.
            ``.accurate`` is False when some α lies within ``alpha_error`` of
            the band edge of this sphere (see Warns).

        Raises
        ------
        ValueError
            For a wrong ``spheres``/``sphere``/``method``, or an option the
            chosen method does not take.

        Warns
        -----
        AccuracyWarning
            When some α lies within ``alpha_error`` of the band edge of this
            sphere: the rate then depends on rounding.  The warning gives the
            certified interval [rate(α − alpha_error), rate(α + alpha_error)]
            (the rate is monotone in every α); the value is kept if that
            interval is narrower than 1 % and is NaN otherwise.

        Notes
        -----
        The event is scale-invariant, so with g ~ N(0, I_dim) [1]_:

        * inner error = P(Σ α_i x_i² > c | x ∈ S_1) = P(Σ (α_i − c) g_i² > 0);
        * outer error = P(Σ α_i x_i² ≤ c | x ∈ S_R) = P(Σ (α_i − c/R²) g_i² ≤ 0).

        Both are generalized χ² tails at 0; zero weights are dropped and equal
        weights merged into degrees of freedom before the call, so rules with
        few distinct α are fast.  If every weight has the harmless sign the
        answer is exactly 0.

        References
        ----------
        .. [1] J. Gilmer et al., "Adversarial Spheres", arXiv:1801.02774, 2018,
           §4 (whose CLT estimate is ``method="clt"``).

        Examples
        --------
        >>> from spheres_theory import ConcentricSpheres, QuadraticRule
        >>> sp = ConcentricSpheres(dim=500)
        >>> rule = QuadraticRule([1.5] * 10 + [0.9] * 490)
        >>> p = rule.error_rate(sp)
        >>> f"{p.value:.10e}"
        '5.2247773321e-15'
        >>> rule.error_rate(sp, sphere="outer").value
        0.0
        """
        _check_spheres(spheres, self.dim)
        check_sphere(sphere)
        opts = _route_options(method, n_samples, confidence, rng, dps)
        p, bounds = self._rate(spheres, sphere, method, opts)
        if bounds is not None:
            warnings.warn(_rounding_note(sphere, bounds), AccuracyWarning, stacklevel=2)
        return p

    def _rate(
        self,
        spheres: ConcentricSpheres,
        sphere: str,
        method: str | None,
        opts: dict[str, Any],
    ) -> tuple[TailProbability, tuple[TailProbability, TailProbability] | None]:
        """Compute the rate, and its certified bounds where rounding decides it."""
        weights = self._event_weights(spheres, sphere)
        tail = quadform_sf if sphere == "inner" else quadform_cdf

        def rate(wts: NDArray[np.float64]) -> TailProbability:
            values, dof = _merge(wts)
            return tail(values, 0.0, dof=dof, method=method, **opts)

        p = rate(weights)
        if method not in (None, "exact", "mpmath") or not self._near_edge(
            spheres, sphere
        ):
            return p, None
        # inner rate increases with every α, outer rate decreases
        err = self.alpha_error
        low, high = rate(weights - err), rate(weights + err)
        if sphere == "outer":
            low, high = high, low
        width = float(high.log10_value) - float(low.log10_value)
        narrow = np.isfinite(width) and width <= np.log10(1.01)
        value = p.value if narrow else np.nan
        log10 = p.log10_value if narrow else np.nan
        flagged = replace(
            p,
            value=value,
            log10_value=log10,
            accurate=False,
            error_estimate=float(10**width - 1) if narrow else np.inf,
        )
        return flagged, (low, high)

    def _near_edge(self, spheres: ConcentricSpheres, sphere: str) -> bool:
        """Tell whether some α lies within ``alpha_error`` of this edge."""
        if self.alpha_error == 0:
            return False
        lower, upper = self._band(spheres)
        edge = upper if sphere == "inner" else lower
        return bool(np.any(np.abs(self.alphas - edge) <= self.alpha_error))

    def is_perfect(self, spheres: ConcentricSpheres) -> bool:
        """Decide whether the rule classifies almost every point of both spheres right.

        Parameters
        ----------
        spheres : ConcentricSpheres
            The data set.

        Returns
        -------
        bool
            True iff threshold is +1, every α_i ∈ [1/R², 1] and not every
            α_i = 1/R²; equivalently both exact error rates are 0.

        Notes
        -----
        Points on the boundary Σ α_i z_i² = 1 are labelled inner.  If every
        α_i equals 1/R² the whole outer sphere is on the boundary and every
        outer point is misclassified; otherwise boundary points form a null
        set.

        Examples
        --------
        >>> from spheres_theory import ConcentricSpheres, QuadraticRule
        >>> sp = ConcentricSpheres(2, outer_radius=1.3)
        >>> QuadraticRule([0.6, 1.0]).is_perfect(sp)
        True
        >>> QuadraticRule([0.5, 1.0]).is_perfect(sp)
        False
        """
        return self.bad_alphas(spheres).perfect

    def bad_alphas(self, spheres: ConcentricSpheres) -> AlphaReport:
        """List the coefficients outside the perfect band, and by how much.

        Parameters
        ----------
        spheres : ConcentricSpheres
            The data set.

        Returns
        -------
        AlphaReport
            Indices, values and margins of α above the band (inner errors)
            and below it (outer errors), each sorted worst first.

        Examples
        --------
        >>> from spheres_theory import ConcentricSpheres, QuadraticRule
        >>> sp = ConcentricSpheres(4, outer_radius=1.3)
        >>> report = QuadraticRule([1.2, 0.8, 0.0, 1.05]).bad_alphas(sp)
        >>> report.above_indices.tolist(), report.above_margin.round(6).tolist()
        ([0, 3], [0.2, 0.05])
        >>> report.below_indices.tolist(), report.n_near_zero
        ([2], 1)
        """
        _check_spheres(spheres, self.dim)
        lower, upper = self._band(spheres)
        a = self.alphas
        above = np.flatnonzero(a > upper)
        above = above[np.argsort(-a[above], kind="stable")]
        below = np.flatnonzero(a < lower)
        below = below[np.argsort(a[below], kind="stable")]
        return AlphaReport(
            lower=lower,
            upper=upper,
            above_indices=above,
            above_values=a[above],
            above_margin=a[above] - upper,
            below_indices=below,
            below_values=a[below],
            below_margin=lower - a[below],
            near_zero_indices=np.flatnonzero(np.abs(a) < _NEAR_ZERO),
            outer_on_boundary=bool(np.all(a == lower)),
        )

    def certify(
        self,
        spheres: ConcentricSpheres,
        *,
        method: str | None = None,
        n_samples: int | None = None,
        confidence: float | None = None,
        rng: Any = None,
        dps: int | None = None,
    ) -> RuleCertificate:
        """Certify (or refute) that the rule is perfect on both spheres.

        Parameters
        ----------
        spheres : ConcentricSpheres
            The data set.
        method : str, optional
            Route for the two error rates (see :meth:`error_rate`).
        n_samples, confidence, rng, dps : optional
            Options of the route (see :meth:`error_rate`).

        Returns
        -------
        RuleCertificate
            Verdict, region kind, extreme α and margins, out-of-band α, and
            both error rates.  ``bool(certificate)`` is the verdict.
            ``rounding_sensitive`` is True when some α lies within
            ``alpha_error`` of a band edge: the verdict and the rates then
            depend on rounding and the certified rate intervals are recorded.

        Warns
        -----
        AccuracyWarning
            Once, when the certificate is ``rounding_sensitive``.

        Notes
        -----
        The verdict rests on the α (a finite check, exact in floating point):
        the margins 1 − max α and min α − 1/R² must both be ≥ 0 (and not every
        α may equal 1/R², see :meth:`is_perfect`).  With the default method
        both error rates are then exactly 0, and otherwise at least one is
        positive.

        Examples
        --------
        >>> from spheres_theory import ConcentricSpheres, QuadraticRule
        >>> sp = ConcentricSpheres(500)
        >>> cert = QuadraticRule([0.7] * 499 + [1.02]).certify(sp)
        >>> cert.perfect, round(cert.upper_margin, 12)
        (False, -0.02)
        >>> cert.outer_error.value
        0.0
        """
        report = self.bad_alphas(spheres)
        opts = _route_options(method, n_samples, confidence, rng, dps)
        inner, inner_bounds = self._rate(spheres, "inner", method, opts)
        outer, outer_bounds = self._rate(spheres, "outer", method, opts)
        max_a = float(self.alphas.max())
        min_a = float(self.alphas.min())
        sensitive = self._near_edge(spheres, "inner") or self._near_edge(
            spheres, "outer"
        )
        if sensitive:
            msg = (
                f"some alpha lie within the eigensolver's error bound "
                f"{self.alpha_error:.3g} of a band edge: the verdict and the "
                "error rates depend on rounding (see the certificate's bounds)."
            )
            warnings.warn(msg, AccuracyWarning, stacklevel=2)
        return RuleCertificate(
            perfect=report.perfect,
            kind=self.kind,
            dim=self.dim,
            outer_radius=spheres.outer_radius,
            threshold=self.threshold,
            max_alpha=max_a,
            min_alpha=min_a,
            upper_margin=report.upper - max_a,
            lower_margin=min_a - report.lower,
            alphas=report,
            inner_error=inner,
            outer_error=outer,
            alpha_error=self.alpha_error,
            rounding_sensitive=sensitive,
            inner_error_bounds=inner_bounds,
            outer_error_bounds=outer_bounds,
        )

    def adversarial_directions(
        self,
        spheres: ConcentricSpheres,
        *,
        sphere: Literal["inner", "outer"] = "inner",
    ) -> NDArray[np.float64]:
        """Eigenvectors along which the rule errs on one sphere, worst first.

        Parameters
        ----------
        spheres : ConcentricSpheres
            The data set.
        sphere : {"inner", "outer"}, default "inner"
            Inner: directions with α_i > threshold; outer: α_i < threshold/R².

        Returns
        -------
        ndarray, shape (dim, k)
            Unit columns in x coordinates; the point r·v of the sphere of
            radius r is misclassified for each column v.  k = 0 if the rule
            makes no error on that sphere.

        Examples
        --------
        >>> from spheres_theory import ConcentricSpheres, QuadraticRule
        >>> rule = QuadraticRule([0.8, 1.1, 0.5])
        >>> rule.adversarial_directions(ConcentricSpheres(3)).T.tolist()
        [[0.0, 1.0, 0.0]]
        """
        report = self.bad_alphas(spheres)
        check_sphere(sphere)
        idx = report.above_indices if sphere == "inner" else report.below_indices
        if self.basis is None:
            return np.eye(self.dim)[:, idx]
        return np.array(self.basis[:, idx])

    def __repr__(self) -> str:
        return (
            f"QuadraticRule(dim={self.dim}, kind={self.kind!r}, "
            f"threshold={self.threshold:g}, alphas in "
            f"[{self.alphas.min():.6g}, {self.alphas.max():.6g}])"
        )


def _classify(alphas: NDArray[np.float64], threshold: float) -> str:
    has_pos = bool(np.any(alphas > 0))
    has_neg = bool(np.any(alphas < 0))
    has_zero = bool(np.any(alphas == 0))
    if threshold > 0:
        if not has_pos:
            return "everything inner"
        if has_neg:
            return "hyperboloid"
        return "elliptic cylinder" if has_zero else "ellipsoid"
    if not has_neg:
        return "everything outer"
    if has_pos:
        return "hyperboloid"
    return (
        "complement of an elliptic cylinder"
        if has_zero
        else ("complement of an ellipsoid")
    )
