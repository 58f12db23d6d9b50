"""Exact nearest errors of a quadratic rule, on and off the sphere, certified.

For the rule "outer iff Σ α_i z_i² > c" (z = basisᵀx, c = ``rule.threshold``)
the nearest point of the other class to a point x0 solves a quadratically
constrained least-squares problem with one constraint (off the data manifold)
or two (on the sphere ‖x‖ = ‖x0‖).  Both reduce to a monotone scalar *secular
equation* in the eigenbasis [2]_ [3]_, solved here to full float64 accuracy for whole
batches at once; a convex reformulation solved by cvxpy/Clarabel and the Shor
semidefinite relaxation give independent certificates (Gilmer et al. 2018 [1]_
measured these distances with attacks, which only give upper bounds).

The exact mean distance to the nearest error d(E) of a rule on a sphere then
follows by averaging exact per-point distances over uniform samples
(:func:`mean_distance_to_error`), and is compared with the isoperimetric
(Lévy) bound d*(μ) of a cap with the rule's exact error rate μ.

References
----------
.. [1] J. Gilmer, L. Metz, F. Faghri, S. S. Schoenholz, M. Raghu,
   M. Wattenberg, I. Goodfellow, "Adversarial Spheres", arXiv:1801.02774, 2018.
.. [2] D. Eberly, "Distance from a point to an ellipse, an ellipsoid, or a
   hyperellipsoid", Geometric Tools, 2013.
.. [3] J. J. Moré, D. C. Sorensen, "Computing a trust region step",
   SIAM J. Sci. Stat. Comput. 4(3), 553-572, 1983.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from . import _conic, _secular, _secular_fast
from ._secular import HARD, MISCLASSIFIED, NO_ERROR, SOLVED
from ._validation import (
    check_bool,
    check_choice,
    check_confidence,
    check_int,
    check_method,
    check_points,
    check_rng,
    check_sphere,
    check_spheres,
)
from .concentration import optimal_mean_distance
from .rules import QuadraticRule
from .sphere import ConcentricSpheres, chord_to_arc

if TYPE_CHECKING:  # pragma: no cover
    from .quadforms import TailProbability

__all__ = [
    "MeanDistanceResult",
    "NearestCertificate",
    "NearestError",
    "mean_distance_to_error",
    "nearest_error",
]

# Norm above which a point counts as outer when ``labels`` is None (as in
# :func:`spheres_theory.attacks.pgd`).
_INNER_TOL = 1e-6
# Largest accepted coordinate of x0 (2**1000).
_MAX_COORD = 2.0**1000

# ---------------------------------------------------------------------------
# Result objects
# ---------------------------------------------------------------------------

_STATUS_NAMES = ("solved", "hard_case", "misclassified", "no_error")
_REASONS = (
    "",
    "hard case: x0 has no component on the extreme eigenspace; the mirror "
    "image of the point (sign flipped there) is equally near",
    "x0 already lies in the (closure of the) error region: distance 0",
    "the error region of the rule does not meet the admissible set "
    "(on the manifold: max alpha <= threshold / r**2 for class 0, "
    "min alpha >= threshold / r**2 for class 1): distance inf",
)


@dataclass(frozen=True, slots=True, eq=False)
class NearestCertificate:
    """How a nearest error was obtained and how well it satisfies optimality.

    For a batch every per-point field is an array of length n; for a single
    point it is a scalar.  Fields that do not apply to a route are NaN.

    Attributes
    ----------
    solver : str
        ``"secular"``, ``"CLARABEL"`` (cvxpy) or ``"SCS"``.
    status : str or ndarray of str
        ``"solved"``, ``"hard_case"``, ``"misclassified"`` (distance 0) or
        ``"no_error"`` (distance inf).
    reason : str or ndarray of str
        Human-readable explanation of a non-``"solved"`` status ("" otherwise).
    hard_case : bool or ndarray of bool
        Whether x0 had no component on the extreme eigenspace and the
        multiplier sits at the pole (the point then has an equally near mirror
        image).
    multiplier : float or ndarray
        Secular root in the convention of the reference files: ν of
        x = x0/(1 − ν α) off the manifold, τ of y = x0/(1 − τ β),
        β = α − c/r², on it (negative for class-1 points).
    sphere_multiplier : float or ndarray
        On the manifold, κ in x − x0 = κ x + λ ∇(Σ β x²) (0 off the manifold).
    constraint_residual : float or ndarray
        abs(Σ α x² − c) / max(Σ abs(α) x², abs(c)) at the returned point.
    sphere_residual : float or ndarray
        abs(‖x‖ − r) on the manifold (NaN off it).
    kkt_residual : float or ndarray
        Relative norm of the stationarity residual
        ‖x − x0 − λ ∇constraint − κ x‖ / max(‖x‖, ‖x0‖) with the multipliers.
    secular_residual : float or ndarray
        Relative residual of the secular equation (NaN for cvxpy/SDP).
    min_curvature : float or ndarray
        min_i (1 − ν a_i) (a = ±α or ±β): ≥ 0 is the S-lemma certificate of
        global optimality; 0 in the hard case.
    iterations : int or ndarray
        Iterations of the root finder or of the conic solver.
    objective : float or ndarray
        Squared distance reported by the solver (cvxpy/SDP; NaN for secular).
    dual_objective : float or ndarray
        A lower bound on the squared distance from the solver's Lagrange
        multipliers (weak duality; cvxpy route only, NaN otherwise).
    duality_gap : float or ndarray
        ``objective − dual_objective`` (≥ 0 up to solver tolerance).
    rank : int or ndarray
        SDP route: numerical rank of the moment matrix (1 = tight relaxation;
        2 in the hard case, whose optimum is a mix of the two mirror points).
        −1 for the other routes.
    eigen_gap : float or ndarray
        SDP route: ratio of the second to the first eigenvalue of the moment
        matrix (NaN otherwise).
    accurate : bool or ndarray of bool
        Whether the distance is certified to the route's accuracy: always
        True for the secular route (the solver raises otherwise); for cvxpy
        True iff the duality gap and Clarabel's tolerance bound the distance
        to 1e-6 relative (False for points near the decision boundary, whose
        squared distance is only known to ~1e-8 · ‖x0‖² absolute); for the
        SDP route False wherever a conic solve was needed (no dual bound).
    tolerance : float
        Accuracy the route aims at: secular 8 eps (relative); cvxpy/SDP the
        Clarabel gap/feasibility tolerance (its default 1e-8, absolute on
        the squared distance in units of ‖x0‖²); 1e-4 for SCS.
    """

    solver: str
    status: Any
    reason: Any
    hard_case: Any
    multiplier: Any
    sphere_multiplier: Any
    constraint_residual: Any
    sphere_residual: Any
    kkt_residual: Any
    secular_residual: Any
    min_curvature: Any
    iterations: Any
    objective: Any
    dual_objective: Any
    duality_gap: Any
    rank: Any
    eigen_gap: Any
    accurate: Any
    tolerance: float

    def __repr__(self) -> str:
        def worst(v: Any) -> float:
            arr = np.asarray(v, dtype=np.float64)
            ok = arr[np.isfinite(arr)]
            return float(np.max(ok)) if ok.size else float("nan")

        return (
            f"NearestCertificate(solver={self.solver!r}, "
            f"max constraint_residual={worst(self.constraint_residual):.2e}, "
            f"max kkt_residual={worst(self.kkt_residual):.2e}, "
            f"n_hard={int(np.sum(self.hard_case))})"
        )


@dataclass(frozen=True, slots=True, eq=False)
class NearestError:
    """The nearest point of the other class (a nearest "error") to x0.

    Attributes
    ----------
    point : ndarray, shape (dim,) or (n, dim)
        The minimiser in input coordinates (NaN where no error exists; x0
        itself where x0 is already misclassified).
    distance : float or ndarray
        Euclidean (chordal) distance ‖point − x0‖; 0 if misclassified, inf if
        no error exists.
    geodesic_distance : float or ndarray
        On the manifold, r · 2 asin(distance / (2r)) (arc length on the sphere
        of radius r = ‖x0‖); NaN off the manifold.
    labels : int or ndarray of int
        The class of x0 used (0 inner, 1 outer): scalar for one point, shape
        (n,) for a batch.
    on_manifold : bool
        Whether the point was constrained to the sphere ‖x‖ = ‖x0‖.
    method : str
        ``"secular"``, ``"cvxpy"`` or ``"sdp"``.
    certificate : NearestCertificate
        Residuals, multipliers and solver information.
    """

    point: NDArray[np.float64]
    distance: Any
    geodesic_distance: Any
    labels: Any
    on_manifold: bool
    method: str
    certificate: NearestCertificate

    def __repr__(self) -> str:
        dist = np.asarray(self.distance)
        if dist.ndim == 0:
            shown = f"distance={float(dist):.6g}"
        else:
            shown = f"n={dist.size}, mean distance={float(np.mean(dist)):.6g}"
        return (
            f"NearestError({shown}, method={self.method!r}, "
            f"on_manifold={self.on_manifold})"
        )


@dataclass(frozen=True, slots=True, eq=False)
class MeanDistanceResult:
    """Exact mean distance to the nearest error d(E), with its Lévy bound.

    Attributes
    ----------
    mean : float
        Sample mean of exact per-point distances (inf if the rule has no
        error on that sphere).
    std : float
        Sample standard deviation of the per-point distances.
    stderr : float
        ``std / sqrt(n_samples)``.
    ci_low, ci_high : float
        Normal-approximation interval ``mean ± z · stderr`` at level
        ``confidence``.
    confidence : float
        Its level (default 0.95).
    distances : ndarray, shape (n_samples,)
        Exact per-point distances (0 for misclassified points).
    n_samples : int
        Sample size.
    misclassified_fraction : float
        Fraction of sampled points the rule misclassifies (an unbiased
        estimate of ``error_rate.value``).
    error_rate : TailProbability
        The rule's exact error rate μ on that sphere.
    bound : float
        The isoperimetric bound d*(μ) of a cap with measure μ on the sphere
        (same metric and radius); inf if μ = 0, NaN if μ itself is NaN
        (flagged by the error-rate route).
    bound_ratio : float
        ``mean / bound`` (≤ 1 up to sampling error, by Lévy's inequality).
    sphere : str
        ``"inner"`` or ``"outer"``.
    radius : float
        Radius of that sphere.
    metric : str
        ``"chordal"`` or ``"geodesic"``.
    on_manifold : bool
        Whether errors were searched on the sphere (the paper's d(E)).
    dim : int
        Dimension.
    """

    mean: float
    std: float
    stderr: float
    ci_low: float
    ci_high: float
    confidence: float
    distances: NDArray[np.float64]
    n_samples: int
    misclassified_fraction: float
    error_rate: TailProbability
    bound: float
    bound_ratio: float
    sphere: str
    radius: float
    metric: str
    on_manifold: bool
    dim: int

    @property
    def within_bound(self) -> bool:
        """True if the interval's lower end does not exceed the Lévy bound.

        False when the bound (or the mean) is NaN: nothing is certified then.
        """
        return bool(self.ci_low <= self.bound)

    def __repr__(self) -> str:
        return (
            f"MeanDistanceResult(mean={self.mean:.6g}, "
            f"ci=({self.ci_low:.6g}, {self.ci_high:.6g}), "
            f"n_samples={self.n_samples}, "
            f"error_rate=10^{float(self.error_rate.log10_value):.4g}, "
            f"bound={self.bound:.6g}, bound_ratio={self.bound_ratio:.4g})"
        )


# ---------------------------------------------------------------------------
# Helpers shared by the routes
# ---------------------------------------------------------------------------


def _check_rule(rule: Any) -> QuadraticRule:
    if not isinstance(rule, QuadraticRule):
        msg = f"`rule` must be a QuadraticRule; got {type(rule).__name__}."
        raise ValueError(msg)
    return rule


def _check_x0(
    rule: QuadraticRule, x0: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Check x0; return it and its squared row norms (inf where they overflow)."""
    arr = check_points(x0, rule.dim, "x0")
    with np.errstate(over="ignore", invalid="ignore"):
        r2 = np.einsum("ij,ij->i", *(np.atleast_2d(arr),) * 2)
    # Finite sums of squares bound every coordinate by 2**512 and exclude
    # NaN and inf: the element-wise checks are then not needed.
    if np.all(r2 < np.inf):
        return arr, r2
    if not np.all(np.isfinite(arr)):
        msg = "`x0` must be finite (no NaN or inf)."
        raise ValueError(msg)
    if arr.size and np.max(np.abs(arr)) >= _MAX_COORD:
        msg = (
            "`x0` must have coordinates below 2**1000 (~1e301) in magnitude, "
            "so that its norm and rotations stay finite in float64; got "
            f"{float(np.max(np.abs(arr))):.3g}."
        )
        raise ValueError(msg)
    return arr, r2


def _check_labels(labels: Any, n: int) -> NDArray[np.int64] | None:
    if labels is None:
        return None
    try:
        arr = np.asarray(labels)
    except (TypeError, ValueError):
        arr = np.asarray([np.nan])
    ok = arr.ndim <= 1 and np.issubdtype(arr.dtype, np.number)
    ok = ok and arr.dtype != np.bool_ and (arr.ndim == 0 or arr.size == n)
    if ok:
        ok = bool(np.all((arr == 0) | (arr == 1)))
    if not ok:
        msg = (
            f"`labels` must be None, 0/1 or an array of 0/1 of length {n}; "
            f"got {labels!r}."
        )
        raise ValueError(msg)
    return np.broadcast_to(arr.astype(np.int64), (n,)).copy()


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------

_METHODS = (None, "secular", "cvxpy", "sdp")


def nearest_error(
    rule: QuadraticRule,
    x0: ArrayLike,
    *,
    on_manifold: bool = True,
    method: Literal["secular", "cvxpy", "sdp"] | None = None,
    labels: ArrayLike | None = None,
) -> NearestError:
    """Exact nearest point of the other class of a quadratic rule.

    For x0 of class 0 ("inner") the nearest error is the closest point of the
    closure of the region the rule labels 1, {Σ α_i z_i² ≥ c}; for class 1 the
    closest point of {Σ α_i z_i² ≤ c} (z = basisᵀx, c = ``rule.threshold``).
    On the manifold the search is restricted to the sphere ‖x‖ = ‖x0‖ (the
    paper's d(E) uses these distances); off it, to all of R^dim.

    Parameters
    ----------
    rule : QuadraticRule
        The rule "outer iff Σ α_i z_i² > threshold".
    x0 : array_like, shape (dim,) or (n, dim)
        One point or a batch of points (input coordinates).
    on_manifold : bool, default True
        Restrict the error to the sphere of radius ‖x0‖.
    method : {None, "secular", "cvxpy", "sdp"}, optional
        ``None``/``"secular"``: closed-form secular equation, vectorised over
        the batch (exact to rounding).  ``"cvxpy"``: the convex y = x²
        reformulation solved by Clarabel (an independent, slower
        certificate; the duality gap must certify the distance to 1e-6
        relative, else :class:`SolverError`).  ``"sdp"``: the Shor
        semidefinite relaxation (small dim only; reports its rank).
    labels : int or array_like of int, optional
        True class of x0 (0 inner, 1 outer), scalar or one per point.  If x0
        is already misclassified the distance is 0.  ``None`` (default): by
        the radius of the point, 0 (inner) for ‖x0‖ ≤ 1 + 1e-6 and 1 (outer)
        otherwise, the convention of :func:`spheres_theory.attacks.pgd`
        (right for points of :class:`ConcentricSpheres`).  For the distance
        to the decision boundary of any x0 pass ``labels=rule.predict(x0)``.

    Returns
    -------
    NearestError
        ``.point``, ``.distance`` (Euclidean/chordal), ``.geodesic_distance``
        (on the manifold: r · 2 asin(distance/(2r)); NaN off it), ``.labels``,
        ``.method`` and ``.certificate`` (:class:`NearestCertificate`).  For
        a batch the fields are arrays.  Where no error exists (e.g. on the
        sphere of radius r when max α ≤ c/r² for a class-0 point) the
        distance is inf, the point NaN and the certificate says why.

    Raises
    ------
    ValueError
        For a wrong ``rule``, ``x0`` (also complex, bool or str entries, or
        coordinates of magnitude ≥ 2**1000), ``labels`` or ``method``; off
        the manifold also for a point so far from the origin that
        ‖x0‖² · max|α| > 2**960 (the threshold underflows: the problem is
        not representable in float64).
    SolverError
        If the root finder does not converge or leaves a relative secular
        residual above 1e-8, or cvxpy does not return status ``OPTIMAL`` or
        its duality gap does not certify the distance (never an inaccurate
        number).

    See Also
    --------
    mean_distance_to_error : the exact d(E) of a rule on a sphere.

    Notes
    -----
    In the eigenbasis write the error region as Σ a_i x_i² ≥ b with a = ±α,
    b = ±c (sign + for class 0).

    *Off the manifold* the minimiser of ‖x − x0‖ is x_i = x0_i/(1 − ν a_i),
    with ν ∈ [0, 1/a_max) the root of the increasing secular function
    g(ν) = Σ a_i x0_i²/(1 − ν a_i)² − b; 1 − ν a_i ≥ 0 certifies global
    optimality (S-lemma) [2]_.  *On the manifold* ‖x‖ = r = ‖x0‖ the same
    holds for β_i = a_i − b/r² and b = 0: y_i = x0_i/(1 − τ β_i),
    x = r y/‖y‖, h(τ) = Σ β_i x0_i²/(1 − τ β_i)² = 0.  An error exists iff
    β_max > 0 (for class 0: α_max > c/r²).  In the *hard case* x0 has no
    component on the top eigenspace and g stays < 0 up to the pole; then
    ν = 1/a_max and the top component is fixed by the constraint (placed on
    the first top coordinate with sign +; its mirror image is equally near).

    The root is found by a vectorised safeguarded Newton iteration on
    ψ = P^(−1/2) − Q^(−1/2) (P: the terms with a pole, Q: the rest), nearly
    linear near the pole, with (geometric) bisection as the safeguard.  Both
    ν and δ = 1/a_max − ν are kept to relative accuracy, so 1 − ν a_i is
    never formed by cancellation (nearly hard cases keep full accuracy), and
    the distance is computed from x − x0 = ν a∘x (off the manifold) without
    subtracting nearby numbers.  Accuracy: ~1e-15 relative on well-conditioned cases.

    *Batches.*  The basis columns are sorted by a once per call, so the
    pole terms form a leading block; points are rotated into that basis and
    their nearest points back by one matrix product per chunk of 512
    points.  Regular points (a pole exists, no component below the flush
    level described under *Range*, not misclassified) take a fast path: the
    first Newton steps use float32 copies of the pole-free terms, only to
    choose where the float64 iteration starts (the bracket moves only where
    the float32 sign of g is certain), and every stopping test, residual
    and certificate is in float64.  Every other point, and any point whose
    fast iteration or certificate fails, is solved by the per-point
    safeguarded path above.

    *Range.*  Each point is first rescaled by exact powers of two so that
    ‖x0‖, max|α| and the threshold are of order one (far points, tiny or
    huge α are solved as accurately as unit ones).  In those units,
    components of x0 below 2**-500 ≈ 3e-151 are set to 0 (their squares
    would be subnormal): the distance to a fixed set is 1-Lipschitz in x0,
    so this changes the distance by at most √dim · 3e-151 · max(‖x0‖,
    1/√max|α|) in absolute terms, and makes a nearly hard case with such a
    tiny top component a hard case.

    The cvxpy route uses hidden convexity: with y_i = x_i² and signs matching
    x0 (c_i = abs(x0_i)), off the manifold min Σ (y_i − 2 c_i √y_i) s.t.
    aᵀy ≥ b, y ≥ 0; on it max Σ c_i √y_i s.t. Σ y_i = r², aᵀy ≥ b, y ≥ 0.
    Its certificate carries a weak-duality lower bound on the squared
    distance built from the solver's multipliers.

    References
    ----------
    .. [1] J. Gilmer et al., "Adversarial Spheres", arXiv:1801.02774, 2018
       (distances to errors measured by attacks, i.e. upper bounds).
    .. [2] J. J. Moré, D. C. Sorensen, "Computing a trust region step", SIAM
       J. Sci. Stat. Comput. 4(3), 1983.

    Examples
    --------
    The ellipse x²/4 + y² = 1 seen from inside, and the hard case at the
    centre (the nearest boundary points are (0, ±1)):

    >>> import numpy as np
    >>> from spheres_theory import QuadraticRule, nearest_error
    >>> rule = QuadraticRule([0.25, 1.0])
    >>> res = nearest_error(rule, [0.0, 0.0], on_manifold=False)
    >>> res.point.tolist(), float(res.distance), res.certificate.status
    ([0.0, 1.0], 1.0, 'hard_case')

    On the unit sphere of R³, a rule with one α > 1 errs near the poles:

    >>> rule = QuadraticRule([0.5, 0.9, 1.4])
    >>> res = nearest_error(rule, [0.8, 0.48, 0.36])
    >>> round(float(res.distance), 12), round(float(res.geodesic_distance), 12)
    (0.392857323383, 0.395428571625)
    """
    rule = _check_rule(rule)
    x, r2 = _check_x0(rule, x0)
    check_method(method, _METHODS)
    on_manifold = check_bool(on_manifold, "on_manifold")
    single = x.ndim == 1
    xb = np.atleast_2d(x)
    n = xb.shape[0]
    radius = _secular.safe_rownorm(xb, r2)
    lab = _check_labels(labels, n)
    if lab is None:  # by the radius of the point, as attacks.pgd
        lab = (radius > 1.0 + _INNER_TOL).astype(np.int64)
    alphas = np.asarray(rule.alphas, dtype=np.float64)
    sign = np.where(lab == 0, 1.0, -1.0)
    name = "secular" if method is None else method
    if n == 0:
        out = _empty_route(rule.dim, name)
    elif name == "secular":  # rotates into the (sorted) eigenbasis and back
        out = _secular_fast.secular_route(
            alphas, rule.threshold, xb, rule.basis, sign, on_manifold
        )
    else:
        # x is validated: rotate directly (z = basisᵀx per row).
        z = xb.copy() if rule.basis is None else xb @ rule.basis
        out = _conic_route(alphas, rule.threshold, z, sign, on_manifold, name)
        if rule.basis is not None:
            with np.errstate(invalid="ignore"):
                out["point"] = out["point"] @ rule.basis.T
    return _assemble(xb, radius, out, lab, on_manifold, name, single)


def _conic_route(
    alphas: NDArray[np.float64],
    threshold: float,
    z: NDArray[np.float64],
    sign: NDArray[np.float64],
    on_manifold: bool,
    method: str,
) -> dict[str, Any]:
    """Rescale, solve each point by cvxpy, form residuals and scale back."""
    sc = _secular.scale_rows(alphas, threshold, z)
    status = _secular.row_status(sc.alphas, sc.threshold, sc.z, sign, on_manifold)
    _secular.check_representable(sc, status, on_manifold)
    solve = (status == SOLVED) | (status == HARD)
    res = _conic.conic_solve(
        sc.alphas, sc.threshold, sc.z, sign, on_manifold, method, solve
    )
    mis = status == MISCLASSIFIED
    point = np.where(mis[:, None], sc.z, res["point"])
    dist = np.where(mis, 0.0, np.where(status == NO_ERROR, np.inf, res["distance"]))
    tau = np.where(solve, res["tau"], 0.0)
    kappa = np.where(solve, res["kappa"], 0.0)
    cons, sph, kkt, curv = _secular.residuals(
        sc.alphas, sc.threshold, sc.z, point, sign, tau, kappa, on_manifold
    )
    scale = np.ldexp(1.0, sc.exp_z)
    tau_x = np.ldexp(res["tau"], -sc.exp_alpha)
    nan = np.full(z.shape[0], np.nan)
    ok = solve & np.isfinite(tau)
    return {
        "point": point * scale[:, None],
        "distance": dist * scale,
        "status": status,
        "tau": tau_x,
        "multiplier": sign * tau_x,
        "sphere_mult": res["kappa"],
        "residual": nan,
        "min_curvature": np.where(ok, curv, nan),
        "iterations": res["iterations"],
        "constraint_residual": np.where(solve, cons, nan),
        "sphere_residual": sph * scale,
        "kkt_residual": np.where(ok, kkt, nan),
        "objective": res["objective"] * scale**2,
        "dual_objective": res["dual_objective"] * scale**2,
        "duality_gap": (res["objective"] - res["dual_objective"]) * scale**2,
        "rank": res["rank"],
        "eigen_gap": res["eigen_gap"],
        "accurate": ~solve | (res["accurate"] == 1.0),
        "solver": res["solver"],
        "tolerance": res["tolerance"],
    }


def _empty_route(dim: int, method: str) -> dict[str, Any]:
    e = np.zeros(0)
    keys = (
        "distance tau multiplier sphere_mult residual min_curvature "
        "constraint_residual sphere_residual kkt_residual objective "
        "dual_objective duality_gap eigen_gap"
    ).split()
    out: dict[str, Any] = dict.fromkeys(keys, e)
    out.update(
        point=np.zeros((0, dim)),
        status=np.zeros(0, dtype=np.int64),
        iterations=np.zeros(0, dtype=np.int64),
        rank=np.zeros(0, dtype=np.int64),
        accurate=np.zeros(0, dtype=bool),
        solver="secular" if method == "secular" else "CLARABEL",
        tolerance=float(8 * _secular.EPS),
    )
    return out


def _assemble(
    xb: NDArray[np.float64],
    radius: NDArray[np.float64],
    out: dict[str, Any],
    lab: NDArray[np.int64],
    on_manifold: bool,
    method: str,
    single: bool,
) -> NearestError:
    """Build the result object from a route's output (input coordinates)."""
    status = out["status"]
    dist = np.asarray(out["distance"], dtype=np.float64)
    if on_manifold:
        geo = chord_to_arc(dist, radius)
    else:
        geo = np.full(dist.shape, np.nan)
    point = out["point"]
    # Keep x0 bit-exact where it is returned unchanged.
    mis = status == MISCLASSIFIED
    point[mis] = xb[mis]
    names = np.array(_STATUS_NAMES, dtype=object)[status]
    reasons = np.array(_REASONS, dtype=object)[status]

    def pick(v: Any) -> Any:
        arr = np.asarray(v)
        if not single:
            return arr
        item = arr[0]
        return item.item() if hasattr(item, "item") else item

    cert = NearestCertificate(
        solver=out["solver"],
        status=pick(names.astype(str)),
        reason=pick(reasons.astype(str)),
        hard_case=pick(status == HARD),
        multiplier=pick(out["multiplier"]),
        sphere_multiplier=pick(out["sphere_mult"]),
        constraint_residual=pick(out["constraint_residual"]),
        sphere_residual=pick(out["sphere_residual"]),
        kkt_residual=pick(out["kkt_residual"]),
        secular_residual=pick(out["residual"]),
        min_curvature=pick(out["min_curvature"]),
        iterations=pick(out["iterations"]),
        objective=pick(out["objective"]),
        dual_objective=pick(out["dual_objective"]),
        duality_gap=pick(out["duality_gap"]),
        rank=pick(out["rank"]),
        eigen_gap=pick(out["eigen_gap"]),
        accurate=pick(np.asarray(out["accurate"], dtype=bool)),
        tolerance=float(out["tolerance"]),
    )
    return NearestError(
        point=point[0] if single else point,
        distance=pick(dist),
        geodesic_distance=pick(geo),
        labels=pick(lab),
        on_manifold=on_manifold,
        method=method,
        certificate=cert,
    )


def mean_distance_to_error(
    rule: QuadraticRule,
    spheres: ConcentricSpheres,
    *,
    n_samples: int,
    sphere: Literal["inner", "outer"] = "inner",
    on_manifold: bool = True,
    metric: Literal["chordal", "geodesic"] = "chordal",
    confidence: float = 0.95,
    rng: ArrayLike | np.random.Generator | None = None,
    progress: bool = False,
    batch_size: int = 8192,
) -> MeanDistanceResult:
    """Exact mean distance d(E) from a sphere to a quadratic rule's errors.

    d(E) = E_{x ∼ S}[min_{e ∈ E} ‖x − e‖] with E the points of the sphere S
    that the rule misclassifies (Gilmer et al. 2018, §3).  Every per-point
    distance is exact (:func:`nearest_error`, secular route); only the
    average over x is estimated, by sampling.

    Parameters
    ----------
    rule : QuadraticRule
        The rule.
    spheres : ConcentricSpheres
        The data set (``spheres.dim == rule.dim``).
    n_samples : int
        Number of uniform sample points (>= 2).
    sphere : {"inner", "outer"}, default "inner"
        The sphere sampled; its points have the true label 0 / 1.
    on_manifold : bool, default True
        Nearest errors on the sphere (the paper's d(E)); ``False`` searches
        all of R^dim (a smaller distance, still below the bound).
    metric : {"chordal", "geodesic"}, default "chordal"
        Distance averaged (geodesic needs ``on_manifold=True``).
    confidence : float, default 0.95
        Level of the normal confidence interval of the mean, in (0, 1).
    rng : None, int or numpy.random.Generator, optional
        Source of randomness, normalised by :func:`numpy.random.default_rng`.
    progress : bool, default False
        Show a tqdm progress bar over batches.
    batch_size : int, default 8192
        Points per batch (memory stays O(batch_size · dim)).

    Returns
    -------
    MeanDistanceResult
        ``.mean``, ``.ci_low``, ``.ci_high``, ``.distances`` (per point, 0 for
        misclassified points), ``.misclassified_fraction``, ``.error_rate``
        (exact μ on that sphere), ``.bound`` = d*(μ) (the cap's mean
        distance, :func:`spheres_theory.concentration.optimal_mean_distance`)
        and ``.bound_ratio`` = mean / bound.  If the rule makes no error on
        that sphere every distance is inf, and so is the mean (μ = 0, bound
        inf, ratio NaN).

    Raises
    ------
    ValueError
        For invalid arguments.

    Notes
    -----
    Points are drawn with ``spheres.sample(..., sphere=sphere, rng=rng)`` and
    used directly as eigen-coordinates z = basisᵀx: the uniform distribution
    on a sphere is rotation invariant, so this has the law of rotating them
    and saves a dim × dim product per point.

    Lévy's isoperimetric inequality gives d(E) ≤ d*(μ) for every error set
    of measure μ; ``bound_ratio`` ≤ 1 up to sampling error.  The interval is
    mean ± z·s/√n with the sample standard deviation s.

    References
    ----------
    .. [1] J. Gilmer et al., "Adversarial Spheres", arXiv:1801.02774, 2018,
       §3 and Fig. 4 (attack estimates of d(E) against the bound).

    Examples
    --------
    >>> from spheres_theory import ConcentricSpheres, QuadraticRule
    >>> from spheres_theory import mean_distance_to_error
    >>> sp = ConcentricSpheres(dim=100)
    >>> rule = QuadraticRule([1.2] + [0.9] * 99)
    >>> res = mean_distance_to_error(rule, sp, n_samples=2000, rng=0)
    >>> bool(0 < res.mean < res.bound), res.n_samples
    (True, 2000)
    """
    rule = _check_rule(rule)
    check_spheres(spheres, rule.dim, ConcentricSpheres)
    n_samples = check_int(n_samples, "n_samples", minimum=2)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    check_sphere(sphere)
    check_choice(metric, "metric", ("chordal", "geodesic"))
    check_bool(on_manifold, "on_manifold")
    check_bool(progress, "progress")
    if metric == "geodesic" and not on_manifold:
        msg = "`metric` must be 'chordal' when `on_manifold` is False; got 'geodesic'."
        raise ValueError(msg)
    level = check_confidence(confidence)
    gen = check_rng(rng)
    radius = spheres.radius(sphere)
    alphas = np.asarray(rule.alphas, dtype=np.float64)
    label_sign = 1.0 if sphere == "inner" else -1.0

    distances = np.empty(n_samples)
    n_mis = 0
    starts = range(0, n_samples, batch_size)
    if progress:
        from tqdm.auto import tqdm

        starts = tqdm(starts, desc="d(E)", unit="batch")
    for start in starts:
        m = min(batch_size, n_samples - start)
        z, _ = spheres.sample(m, sphere=sphere, rng=gen)
        sign = np.full(m, label_sign)
        for i in range(0, m, _secular.CHUNK):
            part = _secular_fast.solve_chunk(
                alphas,
                rule.threshold,
                z[i : i + _secular.CHUNK],
                sign[i : i + _secular.CHUNK],
                bool(on_manifold),
                with_residuals=False,
            )
            d = part["distance"]
            if metric == "geodesic":
                d = chord_to_arc(d, radius)
            distances[start + i : start + i + d.size] = d
            n_mis += int(np.sum(part["status"] == MISCLASSIFIED))

    if np.all(np.isfinite(distances)):
        mean = float(np.mean(distances))
        std = float(np.std(distances, ddof=1))
        stderr = std / np.sqrt(n_samples)
        half = float(special.ndtri(0.5 + 0.5 * level)) * stderr
        ci = (mean - half, mean + half)
    else:
        mean, std, stderr = np.inf, np.nan, np.nan
        ci = (np.inf, np.inf)
    error_rate = rule.error_rate(spheres, sphere=sphere)
    bound = _levy_bound(error_rate, rule.dim, metric, radius)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = float(mean / bound) if bound > 0 and np.isfinite(bound) else np.nan
    return MeanDistanceResult(
        mean=mean,
        std=std,
        stderr=float(stderr),
        ci_low=ci[0],
        ci_high=ci[1],
        confidence=level,
        distances=distances,
        n_samples=n_samples,
        misclassified_fraction=n_mis / n_samples,
        error_rate=error_rate,
        bound=bound,
        bound_ratio=ratio,
        sphere=sphere,
        radius=float(radius),
        metric=metric,
        on_manifold=bool(on_manifold),
        dim=rule.dim,
    )


def _levy_bound(
    error_rate: TailProbability, dim: int, metric: str, radius: float
) -> float:
    """d*(μ): mean distance to a cap of measure μ (inf if μ = 0, 0 if μ = 1)."""
    value = float(error_rate.value)
    log10 = float(error_rate.log10_value)
    if log10 == -np.inf:
        return np.inf
    if value >= 1.0:
        return 0.0
    if value > 0:
        out = optimal_mean_distance(value, dim, metric=metric, radius=radius)
    else:  # μ underflows float64: use its logarithm
        out = optimal_mean_distance(
            None, dim, metric=metric, radius=radius, log_error_rate=log10 * np.log(10)
        )
    return float(out)
