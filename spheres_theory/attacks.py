"""Gradient attacks on the numpy models: PGD on and off the sphere, attack gap.

An attack walks from a correctly classified point along the gradient of the
loss until the model errs.  The point it reaches is a genuine error, so its
distance from the start is an **upper bound** on the distance to the nearest
error — never the nearest distance itself.  For a quad net the exact nearest
distance is known (:func:`spheres_theory.nearest.nearest_error`), and
:func:`attack_gap` measures how far PGD's upper bound is from it.

References
----------
J. Gilmer et al., "Adversarial Spheres", arXiv:1801.02774, 2018, §3-§5
(the "manifold attack" and the estimates of d(E) it gives).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validation import check_choice, check_finite_array, check_int, check_positive
from .models import QuadNet, ReLUNet
from .nearest import nearest_error
from .sphere import ConcentricSpheres, chord_to_arc

__all__ = ["AttackGap", "AttackResult", "attack_gap", "pgd"]

# A point is on the inner (unit) sphere, label 0, iff its norm is <= 1 + this.
_INNER_TOL = 1e-6
_REFINE_ITERS = 40


@dataclass(frozen=True, slots=True, eq=False)
class AttackResult:
    """Outcome of :func:`pgd`, one entry per starting point.

    Attributes
    ----------
    points : ndarray, shape (n, dim)
        Final points (misclassified where ``success``).
    start : ndarray, shape (n, dim)
        Starting points.
    labels : ndarray of int, shape (n,)
        True labels used (0 inner, 1 outer).
    distance : ndarray, shape (n,)
        Euclidean (chordal) distance ``||points - start||``.  Where ``success``
        it is an **upper bound** on the distance to the nearest error.
    geodesic_distance : ndarray, shape (n,)
        On the manifold, the great-circle distance ``2 r arcsin(d / 2r)`` on the
        sphere of radius r = ``||start||`` (also an upper bound where
        ``success``); NaN off the manifold.
    success : ndarray of bool, shape (n,)
        Whether the final point is misclassified.
    steps : ndarray of int, shape (n,)
        Gradient steps taken from each point.
    on_manifold : bool
    stop : {"first", "local"}
    """

    points: NDArray[np.float64]
    start: NDArray[np.float64]
    labels: NDArray[np.int64]
    distance: NDArray[np.float64]
    geodesic_distance: NDArray[np.float64]
    success: NDArray[np.bool_]
    steps: NDArray[np.int64]
    on_manifold: bool
    stop: str

    @property
    def upper_bound(self) -> NDArray[np.float64]:
        """Distance where the attack succeeded, ``inf`` elsewhere.

        An upper bound on each point's distance to the nearest error (Euclidean;
        on the manifold, restricted to the sphere).
        """
        return np.where(self.success, self.distance, np.inf)

    @property
    def success_rate(self) -> float:
        """Fraction of points where an error was found."""
        return float(np.mean(self.success)) if self.success.size else math.nan

    def __repr__(self) -> str:
        return (
            f"AttackResult(n={self.success.size}, on_manifold={self.on_manifold}, "
            f"stop={self.stop!r}, success_rate={self.success_rate:.3g})"
        )


def _check_model(model: object) -> QuadNet | ReLUNet:
    if not isinstance(model, QuadNet | ReLUNet):
        msg = f"`model` must be a QuadNet or ReLUNet; got {model!r}."
        raise ValueError(msg)
    return model


def _wrong(model: QuadNet | ReLUNet, x: NDArray[np.float64], y: NDArray) -> NDArray:
    return (model.logit(x) > 0) != (y == 1)


def _project(x: NDArray[np.float64], r: NDArray[np.float64]) -> NDArray[np.float64]:
    return x * (r / np.linalg.norm(x, axis=1))[:, None]


def _check_labels(labels: ArrayLike | None, r: NDArray[np.float64]) -> NDArray:
    """Labels as given (0 or 1 each), or by radius when None."""
    if labels is None:
        return (r > 1.0 + _INNER_TOL).astype(np.int64)
    n = r.size
    y = np.asarray(labels)
    if y.shape != (n,) or not np.all((y == 0) | (y == 1)):
        msg = f"`labels` must be n={n} entries, each 0 or 1; got {labels!r}."
        raise ValueError(msg)
    return y.astype(np.int64)


def _direction(
    model: QuadNet | ReLUNet,
    xa: NDArray[np.float64],
    sign: NDArray[np.float64],
    r: NDArray[np.float64],
    on_manifold: bool,
    tangent: bool,
    gen: np.random.Generator,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Ascent directions of the loss (tangential if asked) and their norms.

    Where the gradient vanishes a random direction (tangential on the
    manifold) is used instead.
    """
    _, g = model.input_gradient(xa)
    d = sign[:, None] * np.asarray(g, dtype=np.float64)
    if on_manifold and tangent:
        d -= (np.einsum("ij,ij->i", d, xa) / r**2)[:, None] * xa
    norm = np.linalg.norm(d, axis=1)
    flat = ~(norm > 0)
    if np.any(flat):
        rnd = gen.standard_normal((int(flat.sum()), xa.shape[1]))
        if on_manifold:
            xf = xa[flat]
            rnd -= (np.einsum("ij,ij->i", rnd, xf) / r[flat] ** 2)[:, None] * xf
        d[flat] = rnd
        norm[flat] = np.linalg.norm(rnd, axis=1)
    return d, norm


def pgd(
    model: QuadNet | ReLUNet,
    x: ArrayLike,
    *,
    on_manifold: bool = True,
    step_size: float,
    steps: int,
    stop: Literal["first", "local"] = "first",
    rng: ArrayLike | np.random.Generator | None = None,
    labels: ArrayLike | None = None,
    tangent: bool = True,
    refine: bool = True,
) -> AttackResult:
    """Projected (normalised) gradient ascent on the loss, batched over points.

    Parameters
    ----------
    model : QuadNet or ReLUNet
        The attacked model (a ReLU net is evaluated in evaluation mode).
    x : array_like, shape (n, dim) or (dim,)
        Starting points (one point of shape (dim,) is a batch of one: the
        result always holds arrays over the batch).
    on_manifold : bool, default True
        After each step, project back onto the sphere of each point's own
        radius (the paper's manifold attack); otherwise plain ℓ2 steps.
    step_size : float
        Length of each step (> 0).
    steps : int
        Maximum number of steps.
    stop : {"first", "local"}, default "first"
        ``"first"`` ("nearest-stop") freezes each point at its first
        misclassification; ``"local"`` runs every step (towards a local
        maximum of the loss).
    rng : None, int or numpy.random.Generator, optional
        Used only to pick a random direction where the gradient vanishes.
    labels : array_like of int, shape (n,), optional
        True labels; by default 0 (inner) for points of norm ``<= 1 + 1e-6``,
        1 (outer) otherwise.
    tangent : bool, default True
        On the manifold, project the gradient onto the tangent space before
        normalising it.
    refine : bool, default True
        With ``stop="first"``, bisect the last step (along the sphere on the
        manifold) for the error point closest to the last correct one, which
        removes up to one step of overshoot.  The result is still a point the
        model misclassifies.

    Returns
    -------
    AttackResult
        ``distance`` where ``success`` is an **upper bound** on the distance to
        the nearest error.

    Notes
    -----
    A float32 model is attacked through its exact float64 copy
    (:meth:`~spheres_theory.models.QuadNet.astype`): a float32 forward pass
    flips labels within ~1e-7 (relative) of the decision boundary, which would
    let the attack report distances below the exact nearest-error distance.

    Each step moves ``step_size`` along ``s ∇_x z / ||∇_x z||`` (tangential
    component on the manifold) with z the logit and s = +1 for label 0, -1 for
    label 1: the direction of the sigmoid cross-entropy gradient, whose
    magnitude ``|sigmoid(z) - y|`` underflows far from the boundary while its
    sign does not.  Input gradients are hand-derived (:meth:`QuadNet.input_gradient`,
    :meth:`ReLUNet.input_gradient`).  An attack finds *an* error, not the
    nearest one: for a quad net compare with the exact
    :func:`spheres_theory.nearest.nearest_error` via :func:`attack_gap`.

    References
    ----------
    J. Gilmer et al., "Adversarial Spheres", arXiv:1801.02774, 2018, §3.

    Examples
    --------
    >>> from spheres_theory.models import QuadNet
    >>> net = QuadNet.from_alphas([1.2, 0.8, 0.8], hidden=3, basis=np.eye(3))
    >>> res = pgd(net, [[0.0, 1.0, 0.0]], step_size=0.05, steps=100)
    >>> bool(res.success[0]), bool(np.isclose(np.linalg.norm(res.points[0]), 1.0))
    (True, True)
    >>> bool(res.upper_bound[0] < 1.2)
    True
    """
    model = _check_model(model)
    if model.dtype != np.float64:
        # Attack the exact float64 twin: a float32 forward pass flips labels
        # within ~1e-7 (relative) of the boundary, which would let PGD report
        # distances below the exact nearest-error distance.
        model = model.astype(np.float64)
    x0 = check_finite_array(x, "x")
    if x0.ndim == 1:
        x0 = x0[None, :]
    if x0.ndim != 2 or x0.shape[1] != model.dim:
        msg = f"`x` must have shape (n, {model.dim}) or ({model.dim},); got {x0.shape}."
        raise ValueError(msg)
    step_size = float(check_positive(step_size, "step_size"))
    steps = check_int(steps, "steps", minimum=0)
    check_choice(stop, "stop", ("first", "local"))
    n = x0.shape[0]
    r = np.linalg.norm(x0, axis=1)
    y = _check_labels(labels, r)
    if on_manifold and np.any(r == 0):
        msg = "`x` must not contain the origin on the manifold (radius 0)."
        raise ValueError(msg)
    gen = np.random.default_rng(rng)
    sign = np.where(y == 0, 1.0, -1.0)

    pts = x0.copy()
    prev = x0.copy()
    used = np.zeros(n, dtype=np.int64)
    success = np.zeros(n, dtype=bool)
    active = np.arange(n)
    for k in range(steps + 1):
        if active.size == 0:
            break
        if stop == "first":
            wrong = _wrong(model, pts[active], y[active])
            success[active[wrong]] = True
            active = active[~wrong]
        if k == steps or active.size == 0:
            break
        xa = pts[active]
        d, norm = _direction(
            model, xa, sign[active], r[active], on_manifold, tangent, gen
        )
        xn = xa + (step_size / norm)[:, None] * d
        if on_manifold:
            xn = _project(xn, r[active])
        prev[active] = xa
        pts[active] = xn
        used[active] += 1
    if stop == "local":
        success = _wrong(model, pts, y)
    elif refine:
        idx = np.flatnonzero(success & (used > 0))
        if idx.size:
            pts[idx] = _bisect(model, prev[idx], pts[idx], y[idx], r[idx], on_manifold)
    diff = pts - x0
    dist = np.linalg.norm(diff, axis=1)
    if on_manifold:
        geo = chord_to_arc(dist, r)
    else:
        geo = np.full(n, np.nan)
    return AttackResult(
        points=pts,
        start=x0,
        labels=y,
        distance=dist,
        geodesic_distance=geo,
        success=success,
        steps=used,
        on_manifold=bool(on_manifold),
        stop=stop,
    )


def _bisect(
    model: QuadNet | ReLUNet,
    good: NDArray[np.float64],
    bad: NDArray[np.float64],
    y: NDArray[np.int64],
    r: NDArray[np.float64],
    on_manifold: bool,
) -> NDArray[np.float64]:
    """Shrink [good, bad] to its boundary crossing; return the wrong end."""
    good, bad = good.copy(), bad.copy()
    for _ in range(_REFINE_ITERS):
        mid = 0.5 * (good + bad)
        if on_manifold:
            mid = _project(mid, r)
        wrong = _wrong(model, mid, y)
        bad[wrong] = mid[wrong]
        good[~wrong] = mid[~wrong]
    return bad


@dataclass(frozen=True, slots=True, eq=False)
class AttackGap:
    """Per-point ratio of PGD's distance upper bound to the exact nearest distance.

    Attributes
    ----------
    ratios : ndarray, shape (n,)
        ``pgd_distance / exact_distance`` (>= 1 up to rounding); NaN where the
        start is misclassified, no error exists, or PGD found none.
    pgd_distance : ndarray, shape (n,)
        PGD nearest-stop distances (upper bounds); ``inf`` where PGD failed.
    exact_distance : ndarray, shape (n,)
        Exact nearest-error distances of the net's rule.
    attack : AttackResult
        The PGD run.
    quantiles : dict of float to float
        Quantiles 0.05, 0.25, 0.5, 0.75, 0.95 of the valid ratios.
    median, min, max : float
        Of the valid ratios (NaN if none).
    n_valid : int
        Number of points with a finite ratio.
    on_manifold : bool
    sphere : {"inner", "outer"}
    """

    ratios: NDArray[np.float64]
    pgd_distance: NDArray[np.float64]
    exact_distance: NDArray[np.float64]
    attack: AttackResult
    quantiles: dict[float, float]
    median: float
    min: float
    max: float
    n_valid: int
    on_manifold: bool
    sphere: str

    def __repr__(self) -> str:
        return (
            f"AttackGap(n_valid={self.n_valid}, median={self.median:.4g}, "
            f"min={self.min:.4g}, max={self.max:.4g}, "
            f"on_manifold={self.on_manifold}, sphere={self.sphere!r})"
        )


def attack_gap(
    model: QuadNet,
    spheres: ConcentricSpheres,
    *,
    n_samples: int,
    sphere: Literal["inner", "outer"] = "inner",
    on_manifold: bool = True,
    rng: ArrayLike | np.random.Generator | None = None,
    step_size: float | None = None,
    steps: int | None = None,
) -> AttackGap:
    """How far PGD's nearest-stop distance is from the exact nearest error.

    Parameters
    ----------
    model : QuadNet
        A quad net (its rule has exact nearest errors).
    spheres : ConcentricSpheres
        The data set.
    n_samples : int
        Number of uniform starting points on ``sphere``.
    sphere : {"inner", "outer"}, default "inner"
    on_manifold : bool, default True
        Attack and exact distance on the sphere, or in the ambient space.
    rng : None, int or numpy.random.Generator, optional
        Randomness for the starting points (and PGD).
    step_size : float, optional
        PGD step; default ``0.005 r`` (r the sphere's radius).
    steps : int, optional
        PGD step budget; default enough to travel ``3 r``.

    Returns
    -------
    AttackGap
        Ratios ``pgd / exact`` with summary statistics.

    Notes
    -----
    The exact distance comes from :func:`spheres_theory.nearest.nearest_error`
    on ``model.to_rule()``; PGD runs with ``stop="first"`` and refinement, so
    each ratio is >= 1 up to float rounding (PGD ends on an error point; the
    exact nearest error is the closest one).  The paper's d(E) estimates are
    such upper bounds.

    Examples
    --------
    >>> from spheres_theory.models import QuadNet
    >>> sp = ConcentricSpheres(dim=10)
    >>> net = QuadNet.from_alphas([1.1] + [0.8] * 9, hidden=10, rng=0)
    >>> gap = attack_gap(net, sp, n_samples=20, rng=1)
    >>> bool(gap.min >= 1 - 1e-6), bool(gap.median < 1.5)
    (True, True)
    """
    if not isinstance(model, QuadNet):
        msg = (
            f"`model` must be a QuadNet (exact distances need its rule); got {model!r}."
        )
        raise ValueError(msg)
    if not isinstance(spheres, ConcentricSpheres) or spheres.dim != model.dim:
        msg = (
            f"`spheres` must be a ConcentricSpheres with dim={model.dim}; "
            f"got {spheres!r}."
        )
        raise ValueError(msg)
    n_samples = check_int(n_samples, "n_samples", minimum=1)
    check_choice(sphere, "sphere", ("inner", "outer"))
    gen = np.random.default_rng(rng)
    radius = spheres.radius(sphere)
    if step_size is None:
        step_size = 0.005 * radius
    step_size = float(check_positive(step_size, "step_size"))
    if steps is None:
        steps = math.ceil(3.0 * radius / step_size)
    steps = check_int(steps, "steps", minimum=1)
    x0, y = spheres.sample(n_samples, sphere=sphere, rng=gen)
    rule = model.to_rule()
    exact = np.asarray(
        nearest_error(rule, x0, on_manifold=on_manifold, labels=y).distance,
        dtype=np.float64,
    ).reshape(n_samples)
    res = pgd(
        model,
        x0,
        on_manifold=on_manifold,
        step_size=step_size,
        steps=steps,
        stop="first",
        rng=gen,
        labels=y,
    )
    upper = res.upper_bound
    valid = res.success & np.isfinite(exact) & (exact > 0) & (res.steps > 0)
    ratio = np.full(n_samples, np.nan)
    ratio[valid] = upper[valid] / exact[valid]
    vals = ratio[valid]
    qs = (0.05, 0.25, 0.5, 0.75, 0.95)
    if vals.size:
        quant = dict(zip(qs, (float(q) for q in np.quantile(vals, qs)), strict=True))
        med, lo, hi = float(np.median(vals)), float(vals.min()), float(vals.max())
    else:
        quant = dict.fromkeys(qs, math.nan)
        med = lo = hi = math.nan
    return AttackGap(
        ratios=ratio,
        pgd_distance=upper,
        exact_distance=exact,
        attack=res,
        quantiles=quant,
        median=med,
        min=lo,
        max=hi,
        n_valid=int(vals.size),
        on_manifold=bool(on_manifold),
        sphere=sphere,
    )
