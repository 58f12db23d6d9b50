"""Quadric rules with a linear term: "outer" iff xᵀAx + lᵀx + c > 0.

A quad net with a hidden bias, ŷ(x) = Σ_j w_j ((Wx + β)_j)² + b, a matrix rule
with a linear term, scikit-learn's ``QuadraticDiscriminantAnalysis`` and a
``PolynomialFeatures(degree=2)`` + linear classifier all label points by the
sign of such a quadric.  With l = 0 and c ≠ 0 it is a centred rule
(:class:`~spheres_theory.rules.QuadraticRule`) and keeps that class's exact
routes; otherwise

* the verdict is exact: the rule errs on the inner sphere iff
  max_{‖x‖=1} q(x) > 0 and on the outer one iff min_{‖x‖=R} q(x) ≤ 0 (up to
  null sets), and both extremes are trust-region problems solved by their
  secular equation, hard case included, with a dual upper and a primal lower
  bound (:class:`SphereExtremes`);
* the nearest error off the sphere is a point-to-quadric problem with a linear
  term, solved by its secular equation with certified bounds
  (:meth:`QuadricRule.nearest_error`);
* error rates have no known exact route: they are *estimated* (plain Monte
  Carlo, then importance sampling around the trust-region maximisers) with a
  confidence interval, and labelled so (:class:`QuadricErrorRate`).
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _quadric_sdp, _rare_events, _trust_region
from ._arrays import as_float_array, as_real_array, as_scalar, check_spheres
from ._validation import check_int, check_method, check_points, check_sphere
from .rules import QuadraticRule
from .sphere import ConcentricSpheres

__all__ = [
    "NearestQuadricError",
    "QuadricCertificate",
    "QuadricErrorRate",
    "QuadricRule",
    "SphereExtremes",
]

_ORTHO_TOL = 1e-8
_EPS = float(np.finfo(np.float64).eps)


@dataclass(frozen=True, slots=True)
class SphereExtremes:
    """Certified extreme value of q over a sphere: ``lower <= value <= upper``.

    Attributes
    ----------
    kind : {"max", "min"}
        Which extreme.
    radius : float
        Radius of the sphere.
    lower, upper : float
        Certified bounds (a point of the sphere and a Lagrangian dual bound).
    point : ndarray, shape (dim,)
        A point of the sphere attaining the primal bound.
    hard_case : bool
        Whether the trust-region hard case occurred.
    """

    kind: str
    radius: float
    lower: float
    upper: float
    point: NDArray[np.float64]
    hard_case: bool

    @property
    def value(self) -> float:
        """Midpoint of the certified interval."""
        return 0.5 * (self.lower + self.upper)


@dataclass(frozen=True, slots=True)
class QuadricErrorRate:
    """Error rate of a quadric rule on one sphere: exact or estimated.

    Attributes
    ----------
    value, log10_value : float
        The rate (exact, or the point estimate); NaN when the estimator saw
        no error at all (the rate is then too small for its sample size, and
        ``ci_high`` is NaN too: no bound is claimed).
    exact : bool
        True for a certified 0, and for centred rules' exact route.
    method : str
        ``"exact"``, ``"certified zero"``, ``"montecarlo"`` or
        ``"importance sampling"``.
    ci_low, ci_high : float
        Confidence interval (equal to ``value`` when exact; ``ci_high`` is NaN
        when importance sampling saw no hit).
    confidence : float
        Level of the interval (NaN when exact).
    n_samples : int
        Samples used (0 when exact).
    """

    value: float
    log10_value: float
    exact: bool
    method: str
    ci_low: float
    ci_high: float
    confidence: float = float("nan")
    n_samples: int = 0


@dataclass(frozen=True, slots=True)
class QuadricCertificate:
    """Verdict on a quadric rule over both spheres.

    Attributes
    ----------
    perfect : bool or None
        True: no error of positive measure on either sphere (certified);
        False: errors exist (certified); None: an extreme lies within its
        certified bounds of 0, so the verdict depends on rounding.
    centred : bool
        Whether the rule is centred (l = 0, c ≠ 0): then ``rule_certificate``
        holds the exact certificate of :class:`QuadraticRule`.
    inner_max : SphereExtremes
        max q over the unit sphere (> 0 means inner errors).
    outer_min : SphereExtremes
        min q over the sphere of radius R (<= 0 means outer errors).
    inner_errors, outer_errors : bool or None
        Per sphere: errors exist, none, or undecided.
    inner_error, outer_error : QuadricErrorRate
        The rates, exact or estimated (see ``.exact``).
    rule_certificate : RuleCertificate or None
        The centred rule's certificate.
    """

    perfect: bool | None
    centred: bool
    inner_max: SphereExtremes
    outer_min: SphereExtremes
    inner_errors: bool | None
    outer_errors: bool | None
    inner_error: QuadricErrorRate
    outer_error: QuadricErrorRate
    rule_certificate: Any = None

    def __bool__(self) -> bool:
        return bool(self.perfect)


@dataclass(frozen=True, slots=True)
class NearestQuadricError:
    """Nearest misclassified point off the sphere, with certified bounds.

    Attributes
    ----------
    point : ndarray, shape (dim,)
        A misclassified point at distance ``upper``.
    distance : float
        ``upper`` (attained by ``point``).
    lower, upper : float
        Certified bounds on the exact distance (Lagrangian dual / primal).
    exact : bool
        Off the sphere: True when the bounds agree to 1e-12 relative.  On the
        sphere: True when the SDP relaxation has rank one and the bounds
        agree to 1e-6 relative (the solver's tolerance).
    hard_case : bool
        Whether the secular equation's hard case occurred.
    method : str
        ``"secular"`` (off the sphere) or ``"sdp"`` (on the sphere).
    rank_one : bool or None
        The SDP's rank certificate (None off the sphere).
    """

    point: NDArray[np.float64]
    distance: float
    lower: float
    upper: float
    exact: bool
    hard_case: bool
    method: str = "secular"
    rank_one: bool | None = None


def _readonly(arr: NDArray[np.float64]) -> NDArray[np.float64]:
    out = np.array(arr, dtype=np.float64, copy=True)
    out.flags.writeable = False
    return out


@dataclass(frozen=True, slots=True, eq=False)
class QuadricRule:
    """The rule "outer iff Σ α_i z_i² + Σ b_i z_i + c > 0", z = basisᵀ x.

    Build it with :meth:`from_matrix`, :meth:`from_quad_net`,
    :meth:`from_qda` or :meth:`from_polynomial`.

    Parameters
    ----------
    alphas : array_like, shape (dim,)
        Eigenvalues of the quadratic part A.
    basis : array_like, shape (dim, dim), optional
        Orthonormal eigenvectors (columns); ``None`` = identity.
    linear : array_like, shape (dim,), optional
        b = basisᵀ l, the linear term in eigen-coordinates; ``None`` = 0.
    offset : float, default -1.0
        The constant c.

    Raises
    ------
    ValueError
        For non-finite, complex or boolean input, wrong shapes, dim < 2 or a
        basis that is not orthonormal (to 1e-8).

    Examples
    --------
    >>> import numpy as np
    >>> from spheres_theory import ConcentricSpheres
    >>> from spheres_theory.quadrics import QuadricRule
    >>> rule = QuadricRule.from_matrix(np.diag([0.8, 0.7]), [0.1, 0.0], -1.0)
    >>> rule.centred
    False
    >>> cert = rule.certify(ConcentricSpheres(2), rng=0)
    >>> cert.perfect, cert.inner_error.method
    (True, 'certified zero')
    """

    alphas: NDArray[np.float64]
    basis: NDArray[np.float64] | None = None
    linear: NDArray[np.float64] | None = None
    offset: float = -1.0
    _: KW_ONLY
    alpha_error: float = 0.0

    def __post_init__(self) -> None:
        alphas = as_float_array(self.alphas, "alphas", 1)
        dim = alphas.size
        if dim < 2:
            msg = f"`alphas` must have dim >= 2 entries; got shape {alphas.shape}."
            raise ValueError(msg)
        object.__setattr__(self, "alphas", _readonly(alphas))
        if self.basis is not None:
            basis = as_float_array(self.basis, "basis", 2)
            if basis.shape != (dim, dim):
                msg = f"`basis` must have shape ({dim}, {dim}); got {basis.shape}."
                raise ValueError(msg)
            err = float(np.max(np.abs(basis.T @ basis - np.eye(dim))))
            if err > _ORTHO_TOL:
                msg = (
                    f"`basis` must have orthonormal columns; max |BᵀB − I| = {err:.3g}."
                )
                raise ValueError(msg)
            object.__setattr__(self, "basis", _readonly(basis))
        lin = np.zeros(dim) if self.linear is None else self.linear
        lin = as_float_array(lin, "linear", 1)
        if lin.shape != (dim,):
            msg = f"`linear` must have shape ({dim},); got {lin.shape}."
            raise ValueError(msg)
        object.__setattr__(self, "linear", _readonly(lin))
        object.__setattr__(self, "offset", as_scalar(self.offset, "offset"))
        err = as_scalar(self.alpha_error, "alpha_error")
        if err < 0:
            msg = f"`alpha_error` must be >= 0; got {err!r}."
            raise ValueError(msg)
        object.__setattr__(self, "alpha_error", err)

    # --- construction ------------------------------------------------------

    @classmethod
    def from_matrix(
        cls, A: ArrayLike, linear: ArrayLike | None = None, offset: float = -1.0
    ) -> QuadricRule:
        """Build "outer iff xᵀAx + lᵀx + c > 0" from A, l and c.

        Parameters
        ----------
        A : array_like, shape (dim, dim)
            Symmetric (to 1e-10 relative); its symmetric part is used.
        linear : array_like, shape (dim,), optional
            l (default 0).
        offset : float, default -1.0
            c.

        Returns
        -------
        QuadricRule

        Raises
        ------
        ValueError
            For a non-square, asymmetric or non-finite A, or a wrong l.

        Examples
        --------
        >>> import numpy as np
        >>> rule = QuadricRule.from_matrix(np.eye(2), [0.0, 0.5], -1.0)
        >>> float(rule.decision_function([0.0, 1.0]))
        0.5
        """
        A = as_float_array(A, "A", 2)
        if A.shape[0] != A.shape[1]:
            msg = f"`A` must be a square matrix; got shape {A.shape}."
            raise ValueError(msg)
        half = 0.5 * A
        asym = 2.0 * float(np.max(np.abs(half - half.T)))
        if asym > 1e-10 * float(np.max(np.abs(A))):
            msg = f"`A` must be symmetric: max |A - A^T| = {asym:.3g}."
            raise ValueError(msg)
        dim = A.shape[0]
        lin = np.zeros(dim) if linear is None else as_float_array(linear, "linear", 1)
        if lin.shape != (dim,):
            msg = f"`linear` must have shape ({dim},); got {lin.shape}."
            raise ValueError(msg)
        with np.errstate(over="ignore", invalid="ignore"):
            alphas, basis = np.linalg.eigh(half + half.T)
        if not np.all(np.isfinite(alphas)):
            msg = "`A` has eigenvalues that overflow float64; rescale A."
            raise ValueError(msg)
        alphas, basis = alphas[::-1], basis[:, ::-1]
        err = 2.0 * dim * _EPS * float(np.max(np.abs(alphas)))
        return cls(alphas, basis, lin @ basis, offset, alpha_error=err)

    @classmethod
    def from_quad_net(
        cls,
        W: ArrayLike,
        w: ArrayLike,
        b: ArrayLike,
        *,
        hidden_bias: ArrayLike | None = None,
    ) -> QuadricRule:
        """Build the rule of ŷ(x) = Σ_j w_j ((W x + β)_j)² + b.

        Parameters
        ----------
        W : array_like, shape (hidden, dim)
            Hidden weights (PyTorch ``Linear`` layout).
        w : float or array_like of shape (hidden,) or (1, hidden)
            Readout weight(s).
        b : float
            Readout bias.
        hidden_bias : array_like, shape (hidden,), optional
            β (default 0: a centred rule).

        Returns
        -------
        QuadricRule
            A = Wᵀ diag(w) W, l = 2 Wᵀ (w ∘ β), c = Σ_j w_j β_j² + b.

        Raises
        ------
        ValueError
            For wrong shapes or non-finite, complex or boolean input.

        Examples
        --------
        >>> import numpy as np
        >>> rule = QuadricRule.from_quad_net(
        ...     np.eye(2), 1.0, -1.0, hidden_bias=[0.5, 0.0])
        >>> float(rule.decision_function([0.5, 0.0]))  # (0.5 + 0.5)**2 - 1
        0.0
        """
        W = as_float_array(W, "W", 2)
        hidden = W.shape[0]
        b_s = as_scalar(b, "b")
        w_arr = as_real_array(w, "w")
        if w_arr.size == 1:
            w_v = np.full(hidden, as_scalar(w_arr, "w"))
        elif w_arr.shape in ((hidden,), (1, hidden)):
            w_v = as_float_array(w_arr.reshape(-1), "w", 1)
        else:
            msg = (
                f"`w` must be a number or have shape ({hidden},) or (1, {hidden}); "
                f"got shape {w_arr.shape}."
            )
            raise ValueError(msg)
        beta = np.zeros(hidden)
        if hidden_bias is not None:
            beta = as_float_array(hidden_bias, "hidden_bias", 1)
            if beta.shape != (hidden,):
                msg = f"`hidden_bias` must have shape ({hidden},); got {beta.shape}."
                raise ValueError(msg)
        with np.errstate(over="ignore", invalid="ignore"):
            A = W.T @ (w_v[:, None] * W)
            lin = 2.0 * W.T @ (w_v * beta)
            c = float(np.sum(w_v * beta * beta) + b_s)
        if not (np.all(np.isfinite(A)) and np.all(np.isfinite(lin)) and np.isfinite(c)):
            msg = "`W`, `w`, `b` and `hidden_bias` overflow float64; rescale them."
            raise ValueError(msg)
        return cls.from_matrix(0.5 * (A + A.T), lin, c)

    @classmethod
    def from_qda(
        cls,
        means: ArrayLike,
        rotations: ArrayLike,
        scalings: ArrayLike,
        priors: ArrayLike,
    ) -> QuadricRule:
        """Build the rule of a two-class ``QuadraticDiscriminantAnalysis``.

        "Outer" is the second class (``classes_[1]``, where scikit-learn's
        ``decision_function`` is positive).

        Parameters
        ----------
        means : array_like, shape (2, dim)
            ``means_``.
        rotations : array_like, shape (2, dim, dim)
            ``rotations_`` (one square rotation per class; a class fitted with
            fewer samples than dimensions is refused).
        scalings : array_like, shape (2, dim)
            ``scalings_`` (variances along the rotations, > 0).
        priors : array_like, shape (2,)
            ``priors_`` (> 0).

        Returns
        -------
        QuadricRule
            q(x) = log p(class 1 | x) − log p(class 0 | x).

        Raises
        ------
        ValueError
            For wrong shapes or non-positive scalings/priors.
        """
        means = as_float_array(means, "means", 2)
        if means.shape[0] != 2:
            msg = f"`means` must have shape (2, dim) (two classes); got {means.shape}."
            raise ValueError(msg)
        dim = means.shape[1]
        rot = as_float_array(rotations, "rotations", 3)
        sc = as_float_array(scalings, "scalings", 2)
        pri = as_float_array(priors, "priors", 1)
        if rot.shape != (2, dim, dim) or sc.shape != (2, dim) or pri.shape != (2,):
            msg = (
                f"`rotations`, `scalings`, `priors` must have shapes (2, {dim}, {dim}),"
                f" (2, {dim}), (2,); got {rot.shape}, {sc.shape}, {pri.shape}."
            )
            raise ValueError(msg)
        if np.any(sc <= 0) or np.any(pri <= 0):
            msg = "`scalings` and `priors` must be > 0."
            raise ValueError(msg)
        mats = [rot[k] @ np.diag(1.0 / sc[k]) @ rot[k].T for k in range(2)]
        A = -0.5 * (mats[1] - mats[0])
        lin = mats[1] @ means[1] - mats[0] @ means[0]
        quad = [float(means[k] @ mats[k] @ means[k]) for k in range(2)]
        logdet = [float(np.sum(np.log(sc[k]))) for k in range(2)]
        c = -0.5 * (quad[1] - quad[0]) - 0.5 * (logdet[1] - logdet[0])
        c += float(np.log(pri[1]) - np.log(pri[0]))
        return cls.from_matrix(0.5 * (A + A.T), lin, c)

    @classmethod
    def from_polynomial(
        cls, powers: ArrayLike, coef: ArrayLike, intercept: ArrayLike
    ) -> QuadricRule:
        """Build the rule of ``PolynomialFeatures(degree=2)`` + a linear classifier.

        Parameters
        ----------
        powers : array_like of int, shape (n_features, dim)
            ``PolynomialFeatures.powers_`` (each row sums to at most 2).
        coef : array_like, shape (n_features,) or (1, n_features)
            The classifier's ``coef_``.
        intercept : float or array_like of size 1
            The classifier's ``intercept_``.

        Returns
        -------
        QuadricRule
            q(x) = Σ_k coef_k Π_i x_i^powers_ki + intercept.

        Raises
        ------
        ValueError
            For degrees above 2, negative powers or mismatched shapes.

        Examples
        --------
        >>> powers = [[0, 0], [1, 0], [0, 1], [2, 0], [1, 1], [0, 2]]
        >>> rule = QuadricRule.from_polynomial(powers, [0, 0, 0, 1, 0, 1], -1.0)
        >>> rule.centred, rule.alphas.tolist()
        (True, [1.0, 1.0])
        """
        P = as_float_array(powers, "powers", 2)
        if np.any(P < 0) or np.any(P != np.round(P)) or np.any(P.sum(1) > 2):
            msg = "`powers` must be non-negative integers of total degree <= 2."
            raise ValueError(msg)
        n, dim = P.shape
        coef_arr = as_real_array(coef, "coef")
        if coef_arr.shape not in ((n,), (1, n)):
            msg = f"`coef` must have shape ({n},) or (1, {n}); got {coef_arr.shape}."
            raise ValueError(msg)
        coef_v = as_float_array(coef_arr.reshape(-1), "coef", 1)
        c = as_scalar(intercept, "intercept")
        A = np.zeros((dim, dim))
        lin = np.zeros(dim)
        for row, k in zip(P.astype(int), coef_v, strict=True):
            nz = np.flatnonzero(row)
            if nz.size == 0:
                c += k
            elif row.sum() == 1:
                lin[nz[0]] += k
            elif nz.size == 1:
                A[nz[0], nz[0]] += k
            else:
                A[nz[0], nz[1]] += 0.5 * k
                A[nz[1], nz[0]] += 0.5 * k
        return cls.from_matrix(A, lin, c)

    # --- geometry ----------------------------------------------------------

    @property
    def dim(self) -> int:
        """Dimension of the input space."""
        return int(self.alphas.size)

    @property
    def centred(self) -> bool:
        """True iff l = 0 and c ≠ 0 (a :class:`QuadraticRule`)."""
        return not np.any(self.linear) and self.offset != 0

    def to_quadratic_rule(self) -> QuadraticRule:
        """Return the centred rule with its exact routes (l = 0, c ≠ 0 only).

        Returns
        -------
        QuadraticRule
            α / abs(c), threshold −sign(c).

        Raises
        ------
        ValueError
            If the rule is not centred.
        """
        if not self.centred:
            msg = "the rule has a linear term (or c = 0): it is not centred."
            raise ValueError(msg)
        c = abs(self.offset)
        return QuadraticRule(
            self.alphas / c,
            self.basis,
            threshold=-1.0 if self.offset > 0 else 1.0,
            alpha_error=self.alpha_error / c,
        )

    def to_eigen(self, x: ArrayLike) -> NDArray[np.float64]:
        """Coordinates z = basisᵀ x.

        Parameters
        ----------
        x : array_like, shape (dim,) or (n, dim)
            Points.

        Returns
        -------
        ndarray
            z.
        """
        x = check_points(as_real_array(x, "x"), self.dim, "x")
        if not np.all(np.isfinite(x)):
            msg = "`x` must be finite."
            raise ValueError(msg)
        return x.copy() if self.basis is None else x @ self.basis

    def decision_function(self, x: ArrayLike) -> NDArray[np.float64] | np.float64:
        """Q(x) = xᵀAx + lᵀx + c; positive means "outer".

        Parameters
        ----------
        x : array_like, shape (dim,) or (n, dim)
            Points.

        Returns
        -------
        float or ndarray of shape (n,)
        """
        z = self.to_eigen(x)
        return (np.sum(self.alphas * z * z + self.linear * z, axis=-1) + self.offset)[
            ()
        ]

    def predict(self, x: ArrayLike) -> NDArray[np.int64] | np.int64:
        """Labels: 1 ("outer") iff q(x) > 0, else 0.

        Parameters
        ----------
        x : array_like, shape (dim,) or (n, dim)
            Points.

        Returns
        -------
        int or ndarray of int
        """
        return (np.asarray(self.decision_function(x)) > 0).astype(np.int64)[()]

    def _to_x(self, z: NDArray) -> NDArray:
        return z.copy() if self.basis is None else self.basis @ z

    # --- certificates ------------------------------------------------------

    def extremes(
        self, spheres: ConcentricSpheres
    ) -> tuple[SphereExtremes, SphereExtremes]:
        """Certified max of q over the unit sphere and min over the R-sphere.

        Parameters
        ----------
        spheres : ConcentricSpheres
            The data set.

        Returns
        -------
        (SphereExtremes, SphereExtremes)
            max over ‖x‖ = 1 (inner errors iff > 0) and min over ‖x‖ = R
            (outer errors iff <= 0), both including the offset c.
        """
        check_spheres(spheres, self.dim)
        R = spheres.outer_radius
        hi = _trust_region.sphere_max(self.alphas, self.linear, 1.0)
        lo = _trust_region.sphere_min(self.alphas, self.linear, R)
        c = self.offset
        return (
            SphereExtremes(
                "max",
                1.0,
                float(hi.lower + c),
                float(hi.upper + c),
                self._to_x(hi.point),
                hi.hard_case,
            ),
            SphereExtremes(
                "min",
                R,
                float(lo.lower + c),
                float(lo.upper + c),
                self._to_x(lo.point),
                lo.hard_case,
            ),
        )

    def error_rate(
        self,
        spheres: ConcentricSpheres,
        *,
        sphere: Literal["inner", "outer"] = "inner",
        method: Literal["estimate"] | None = None,
        n_samples: int = 200_000,
        confidence: float = 0.95,
        rng: Any = None,
    ) -> QuadricErrorRate:
        """Error rate on one sphere: exact where possible, else estimated.

        Parameters
        ----------
        spheres : ConcentricSpheres
            The data set.
        sphere : {"inner", "outer"}, default "inner"
            Which sphere.
        method : {None, "estimate"}
            ``None``: the best route (exact where one exists); ``"estimate"``:
            always the estimator (to check it against exact rates).
        n_samples : int, default 200_000
            Samples of each estimation stage.
        confidence : float, default 0.95
            Level of the interval.
        rng : None, int or Generator
            Random source.

        Returns
        -------
        QuadricErrorRate
            Centred rules: the exact rate (:meth:`QuadraticRule.error_rate`).
            A sphere on which the trust-region bound certifies no error: 0,
            exact.  Otherwise a labelled estimate (``exact`` False).

        Examples
        --------
        >>> import numpy as np
        >>> from spheres_theory import ConcentricSpheres
        >>> rule = QuadricRule.from_matrix(np.zeros((3, 3)), [1.0, 0, 0], -0.5)
        >>> p = rule.error_rate(ConcentricSpheres(3), rng=1)  # cap x_1 > 0.5
        >>> p.exact, p.ci_low < 0.25 < p.ci_high
        (False, True)
        """
        check_spheres(spheres, self.dim)
        check_sphere(sphere)
        n = check_int(n_samples, "n_samples", minimum=100)
        conf = as_scalar(confidence, "confidence")
        if not 0 < conf < 1:
            msg = f"`confidence` must be in (0, 1); got {confidence!r}."
            raise ValueError(msg)
        check_method(method, (None, "estimate"))
        gen = np.random.default_rng(rng)
        if self.centred and method is None:
            p = self.to_quadratic_rule().error_rate(spheres, sphere=sphere)
            v = float(p.value)
            return QuadricErrorRate(
                v, float(p.log10_value), bool(p.accurate), "exact", v, v
            )
        inner_max, outer_min = self.extremes(spheres)
        ext = inner_max if sphere == "inner" else outer_min
        none = ext.upper <= 0 if sphere == "inner" else ext.lower > 0
        if none and method is None:
            return QuadricErrorRate(0.0, -np.inf, True, "certified zero", 0.0, 0.0)
        return self._estimate(spheres, sphere, ext, n, conf, gen)

    def _estimate(self, spheres, sphere, ext, n, conf, gen) -> QuadricErrorRate:
        sign = 1.0 if sphere == "inner" else -1.0
        radius = 1.0 if sphere == "inner" else spheres.outer_radius
        mode = ext.point / np.linalg.norm(ext.point)
        # second mode: the mirror image through the top (bottom) eigenvector
        idx = 0 if sphere == "inner" else self.dim - 1
        v = np.eye(self.dim)[:, idx] if self.basis is None else self.basis[:, idx]
        mirror = mode - 2.0 * (mode @ v) * v
        modes = (
            np.stack([mode, mirror])
            if np.linalg.norm(mirror - mode) > 1e-12
            else mode[None]
        )

        def score(x: NDArray) -> NDArray:
            return sign * np.asarray(self.decision_function(x))

        est = _rare_events.estimate_rate(
            score, self.dim, radius, modes, n_samples=n, confidence=conf, rng=gen
        )
        if est.n_hits == 0:  # too rare to see: no number, never a bare 0
            return QuadricErrorRate(
                np.nan, np.nan, False, est.method, 0.0, np.nan, conf, est.n_samples
            )
        return QuadricErrorRate(
            est.value,
            est.log10_value,
            False,
            est.method,
            est.ci_low,
            est.ci_high,
            conf,
            est.n_samples,
        )

    def certify(
        self,
        spheres: ConcentricSpheres,
        *,
        n_samples: int = 200_000,
        confidence: float = 0.95,
        rng: Any = None,
    ) -> QuadricCertificate:
        """Certify (or refute) that the rule is perfect on both spheres.

        Parameters
        ----------
        spheres : ConcentricSpheres
            The data set.
        n_samples, confidence, rng
            Estimation options for the rates (see :meth:`error_rate`).

        Returns
        -------
        QuadricCertificate
            Exact verdict from the trust-region extremes (``None`` where an
            extreme lies within its certified bounds of 0), rates exact or
            estimated.
        """
        inner_max, outer_min = self.extremes(spheres)
        inner_errors = _sign_verdict(inner_max.lower > 0, inner_max.upper <= 0)
        outer_errors = _sign_verdict(outer_min.upper <= 0, outer_min.lower > 0)
        rule_cert = None
        gen = np.random.default_rng(rng)
        if self.centred:
            rule_cert = self.to_quadratic_rule().certify(spheres)
            perfect: bool | None = rule_cert.perfect
            if rule_cert.rounding_sensitive:
                perfect = None
        elif inner_errors is None or outer_errors is None:
            perfect = None if not (inner_errors or outer_errors) else False
        else:
            perfect = not (inner_errors or outer_errors)
        rates = [
            self.error_rate(
                spheres, sphere=s, n_samples=n_samples, confidence=confidence, rng=gen
            )
            for s in ("inner", "outer")
        ]
        return QuadricCertificate(
            perfect,
            self.centred,
            inner_max,
            outer_min,
            inner_errors,
            outer_errors,
            rates[0],
            rates[1],
            rule_cert,
        )

    def nearest_error(
        self, x0: ArrayLike, *, on_manifold: bool = False
    ) -> NearestQuadricError | None:
        """Nearest point of the other label to ``x0``, with certified bounds.

        Parameters
        ----------
        x0 : array_like, shape (dim,)
            The start; its label is taken from the rule.
        on_manifold : bool, default False
            False: anywhere in R^dim (secular equation with a linear term,
            exact).  True: on the sphere of radius ‖x0‖ (two quadratic
            constraints: a Shor SDP with cvxpy + Clarabel; exact where its
            rank certificate holds, otherwise a certified interval).

        Returns
        -------
        NearestQuadricError or None
            Bounds on the distance (``lower`` <= exact <= ``upper``) and a
            point of the other label at ``upper``; None when no such point
            exists.

        Raises
        ------
        SolverError
            On the sphere, if Clarabel does not reach its optimum.

        Examples
        --------
        >>> import numpy as np
        >>> rule = QuadricRule.from_matrix(np.eye(2), [1.0, 0.0], -1.0)
        >>> res = rule.nearest_error([0.0, 0.0])  # circle centred (-1/2, 0)
        >>> round(res.distance, 12), res.exact
        (0.61803398875, True)
        """
        z0 = self.to_eigen(x0)
        if z0.ndim != 1:
            msg = f"`x0` must have shape ({self.dim},); got {z0.shape}."
            raise ValueError(msg)
        inner = float(self.decision_function(x0)) <= 0
        s = 1.0 if inner else -1.0
        args = (s * self.alphas, s * self.linear, s * self.offset, z0)
        if on_manifold:
            if not np.any(z0):
                msg = "`x0` must be nonzero with on_manifold=True."
                raise ValueError(msg)
            found = _quadric_sdp.nearest_on_sphere(*args)
            if found is None:
                return None
            res, rank_one = found
            tight = res.upper - res.lower <= 1e-6 * max(res.upper, 1e-300)
            return NearestQuadricError(
                self._to_x(res.point),
                res.upper,
                res.lower,
                res.upper,
                rank_one and tight,
                False,
                "sdp",
                rank_one,
            )
        res = _trust_region.nearest_superlevel(*args)
        if res is None:
            return None
        exact = res.upper - res.lower <= 1e-12 * max(res.upper, 1e-300)
        return NearestQuadricError(
            self._to_x(res.point), res.upper, res.lower, res.upper, exact, res.hard_case
        )


def _sign_verdict(errors: bool, none: bool) -> bool | None:
    if errors:
        return True
    if none:
        return False
    return None
