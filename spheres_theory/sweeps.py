"""Sweeps of many independent tasks, in this process or on a dask cluster.

:func:`bound_sweep` (exact d*(μ; d) over a grid of d and μ, one task per d),
:func:`checkpoint_sweep` (exact error rates and d(E) of many rule
checkpoints) and :func:`montecarlo_error_rate` (errors of a model on sampled
points, one task per chunk) give the same numbers in-process and on dask.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._parallel import map_tasks, seed_sequence
from ._stats import clopper_pearson, count_errors
from ._validation import (
    check_choice,
    check_error_rate,
    check_int,
    check_sphere,
)
from .sphere import ConcentricSpheres

__all__ = [
    "BoundSweepResult",
    "CheckpointSweepResult",
    "MonteCarloResult",
    "bound_sweep",
    "checkpoint_sweep",
    "montecarlo_error_rate",
]

_RNG = int | np.random.Generator | None


@dataclass(frozen=True, slots=True, eq=False)
class BoundSweepResult:
    """Exact Lévy bound d*(μ; d) over a grid of dimensions and error rates.

    Attributes
    ----------
    dims : ndarray of shape (k,)
        Dimensions d, one row each.
    error_rates : ndarray of shape (m,)
        Error rates μ, one column each.
    exact : ndarray of shape (k, m)
        Exact d*(μ; d) on the unit sphere,
        :func:`~spheres_theory.concentration.optimal_mean_distance`.
    asymptotic : ndarray of shape (k, m)
        The paper's Φ⁻¹(1 − μ)/√d,
        :func:`~spheres_theory.concentration.asymptotic_mean_distance`.
    metric : str
        Distance of ``exact``: ``"chordal"`` or ``"geodesic"``.
    """

    dims: NDArray[np.int64]
    error_rates: NDArray[np.float64]
    exact: NDArray[np.float64]
    asymptotic: NDArray[np.float64]
    metric: str


def _bound_row(
    dim: int, error_rates: NDArray[np.float64], metric: str
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """One task of :func:`bound_sweep`: the curves of one dimension."""
    from .concentration import bound_curve

    curve = bound_curve(dim, error_rates, metric=metric)  # type: ignore[arg-type]
    return np.array(curve.exact), np.array(curve.asymptotic)


def bound_sweep(
    dims: Iterable[int] | int,
    error_rates: ArrayLike,
    *,
    metric: str = "chordal",
    scheduler: Any = None,
) -> BoundSweepResult:
    """Return the exact and asymptotic Lévy bound on a (d, μ) grid, a task per d.

    Parameters
    ----------
    dims : sequence of int
        Dimensions d, integers in ``[2, 1e16]``.
    error_rates : array_like of shape (m,)
        Error rates μ in the open interval (0, 1).
    metric : {"chordal", "geodesic"}, default "chordal"
        Distance of the exact bound.
    scheduler : None, str or dask.distributed.Client, optional
        ``None`` (default) computes every dimension in this process, without
        dask.  ``"local"`` starts a :class:`dask.distributed.LocalCluster`
        for the call, ``"tcp://host:port"`` connects to a running scheduler
        and a ``Client`` is used as it is; each dimension is then one task.
        Needs the ``dask`` extra (``dask[distributed]``).

    Returns
    -------
    BoundSweepResult
        ``exact`` and ``asymptotic`` of shape ``(len(dims), m)``; the same
        numbers whichever ``scheduler`` computed them.

    Raises
    ------
    ValueError
        If ``dims`` is empty or holds a non-integer or an integer < 2, a rate
        is outside (0, 1), ``metric`` is unknown, or ``scheduler`` is not
        None, ``"local"``, a scheduler address or a ``Client`` (or dask is
        not installed).

    See Also
    --------
    spheres_theory.concentration.bound_curve : one row of the grid.
    bound_curves : item 1 of the reproduction.

    Notes
    -----
    Each row is :func:`spheres_theory.concentration.bound_curve` at one d (all
    rates at once by the vectorised Gauss-Legendre route, relative error
    ~1e-14); the asymptotic form is Φ⁻¹(1 − μ)/√d of Gilmer et al.,
    "Adversarial Spheres", arXiv:1801.02774 (2018), Thm. 5.1.

    Examples
    --------
    >>> r = bound_sweep([100, 500, 2000], [1e-2, 1e-6])
    >>> r.exact.shape
    (3, 2)
    >>> r.exact[:, 0].round(4)  # the Lévy bound at μ = 0.01
    array([0.2328, 0.1042, 0.0521])
    """
    if isinstance(dims, int | np.integer):
        dims = (dims,)
    dim_list = [check_int(d, "dims", minimum=2) for d in dims]
    if not dim_list:
        msg = f"`dims` must hold at least one integer >= 2; got {dims!r}."
        raise ValueError(msg)
    rates = np.atleast_1d(check_error_rate(error_rates, "error_rates"))
    if rates.ndim != 1 or rates.size == 0:
        msg = (
            "`error_rates` must be a non-empty 1-D array of rates; got shape "
            f"{rates.shape}."
        )
        raise ValueError(msg)
    check_choice(metric, "metric", ("chordal", "geodesic"))
    rows = map_tasks(_bound_row, [(d, rates, metric) for d in dim_list], scheduler)
    return BoundSweepResult(
        dims=np.array(dim_list, dtype=np.int64),
        error_rates=rates,
        exact=np.array([row[0] for row in rows]).reshape(len(dim_list), rates.size),
        asymptotic=np.array([row[1] for row in rows]).reshape(
            len(dim_list), rates.size
        ),
        metric=metric,
    )


@dataclass(frozen=True, slots=True, eq=False)
class MonteCarloResult:
    """A sampled error rate with its Clopper–Pearson interval.

    Attributes
    ----------
    errors : int
        Misclassified sampled points.
    n_samples : int
        Sampled points, all on ``sphere``.
    ci_low, ci_high : float
        Exact (Clopper–Pearson) 95 % interval of the error rate μ.
    sphere : str
        ``"inner"`` or ``"outer"``.
    chunk_size : int
        Points per chunk (the last one may be smaller).
    chunk_errors : ndarray of shape (n_chunks,)
        Misclassified points per chunk.
    """

    errors: int
    n_samples: int
    ci_low: float
    ci_high: float
    sphere: str
    chunk_size: int
    chunk_errors: NDArray[np.int64]

    @property
    def error_rate(self) -> float:
        """Sampled error rate μ̂ = errors / n_samples."""
        return self.errors / self.n_samples


@dataclass(frozen=True, slots=True, eq=False)
class CheckpointSweepResult:
    """Exact error rates and exact d(E) of many quadratic-rule checkpoints.

    Attributes
    ----------
    log10_error_inner, log10_error_outer : ndarray of shape (k,)
        Exact log10 error rates of each checkpoint's rule (``-inf`` = none).
    mean_distance, ci_low, ci_high : ndarray of shape (k,)
        Exact mean distance to the nearest error on ``sphere`` (a sample
        mean of exact per-point distances) and its 95 % interval; inf where
        the rule has no error there.
    bound : ndarray of shape (k,)
        The Lévy bound d*(μ) at each checkpoint's exact μ (NaN if μ = 0).
    n_samples : int
        Sampled points per checkpoint.
    sphere : str
        ``"inner"`` or ``"outer"``.
    """

    log10_error_inner: NDArray[np.float64]
    log10_error_outer: NDArray[np.float64]
    mean_distance: NDArray[np.float64]
    ci_low: NDArray[np.float64]
    ci_high: NDArray[np.float64]
    bound: NDArray[np.float64]
    n_samples: int
    sphere: str


def _checkpoint_row(
    spheres: ConcentricSpheres,
    rule: Any,
    n_samples: int,
    sphere: str,
    seed: np.random.SeedSequence,
) -> tuple[float, ...]:
    """One task of :func:`checkpoint_sweep`: exact μ on both spheres and d(E)."""
    from .nearest import mean_distance_to_error

    inner = float(rule.error_rate(spheres, sphere="inner").log10_value)
    outer = float(rule.error_rate(spheres, sphere="outer").log10_value)
    res = mean_distance_to_error(
        rule,
        spheres,
        n_samples=n_samples,
        sphere=sphere,
        rng=np.random.default_rng(seed),
    )
    low, high = res.ci_low, res.ci_high
    return (inner, outer, float(res.mean), float(low), float(high), float(res.bound))


def checkpoint_sweep(
    rules: Iterable[Any],
    spheres: ConcentricSpheres,
    *,
    n_samples: int,
    sphere: str = "inner",
    rng: _RNG = None,
    scheduler: Any = None,
) -> CheckpointSweepResult:
    """Exact μ and exact d(E) of many quadratic-rule checkpoints, a task each.

    Parameters
    ----------
    rules : iterable of QuadraticRule
        One rule per checkpoint (e.g. ``QuadNet.to_rule()`` at each step).
    spheres : ConcentricSpheres
        The data set.
    n_samples : int
        Points sampled per checkpoint for d(E) (>= 2).
    sphere : {"inner", "outer"}, default "inner"
        Sphere on which d(E) is measured.
    rng : None, int or numpy.random.Generator, optional
        Seed of the per-checkpoint streams (``SeedSequence.spawn``), so the
        numbers are the same whichever ``scheduler`` computes them.
    scheduler : None, str or dask.distributed.Client, optional
        As in :func:`bound_sweep`: ``None`` computes here without dask.

    Returns
    -------
    CheckpointSweepResult
        Arrays with one entry per checkpoint.

    Raises
    ------
    ValueError
        If ``rules`` is empty or holds something that is not a
        :class:`~spheres_theory.QuadraticRule`, ``n_samples`` < 2, ``sphere``
        is unknown, or ``scheduler`` is invalid.

    Notes
    -----
    Each checkpoint's error rates are exact (generalized χ² tails) and its
    d(E) is the mean of exact on-manifold nearest-error distances
    (:func:`spheres_theory.mean_distance_to_error`), as in Fig. 4 of Gilmer
    et al., "Adversarial Spheres", arXiv:1801.02774 (2018).

    Examples
    --------
    >>> import spheres_theory as st
    >>> sp = st.ConcentricSpheres(20)
    >>> rules = [st.QuadraticRule(np.r_[a, np.full(19, 0.8)]) for a in (1.5, 3.0)]
    >>> r = checkpoint_sweep(rules, sp, n_samples=50, rng=0)
    >>> bool(r.log10_error_inner[1] > r.log10_error_inner[0])
    True
    """
    from .rules import QuadraticRule

    rule_list = list(rules)
    if not rule_list or not all(isinstance(r, QuadraticRule) for r in rule_list):
        msg = f"`rules` must be a non-empty sequence of QuadraticRule; got {rules!r}."
        raise ValueError(msg)
    n_samples = check_int(n_samples, "n_samples", minimum=2)
    check_choice(sphere, "sphere", ("inner", "outer"))
    seeds = seed_sequence(rng).spawn(len(rule_list))
    rows = map_tasks(
        _checkpoint_row,
        [
            (rule, n_samples, sphere, seed)
            for rule, seed in zip(rule_list, seeds, strict=True)
        ],
        scheduler,
        shared=(spheres,),
    )
    cols = np.array(rows, dtype=np.float64).T
    return CheckpointSweepResult(
        log10_error_inner=cols[0],
        log10_error_outer=cols[1],
        mean_distance=cols[2],
        ci_low=cols[3],
        ci_high=cols[4],
        bound=cols[5],
        n_samples=n_samples,
        sphere=sphere,
    )


# Points sampled at once inside a chunk (bounds the memory of one task).
_MC_BATCH = 10_000


def _count_chunk(
    model: Any,
    spheres: ConcentricSpheres,
    sphere: str,
    n: int,
    seed: np.random.SeedSequence,
) -> int:
    """One task of :func:`montecarlo_error_rate`: errors among ``n`` points."""
    return count_errors(
        model.predict, spheres, n, sphere, np.random.default_rng(seed), chunk=_MC_BATCH
    )


def montecarlo_error_rate(
    model: Any,
    spheres: ConcentricSpheres,
    *,
    sphere: str = "inner",
    n_samples: int,
    chunk_size: int = 100_000,
    rng: _RNG | np.random.SeedSequence = None,
    scheduler: Any = None,
) -> MonteCarloResult:
    """Count the errors of a classifier on uniform points of one sphere, in chunks.

    Parameters
    ----------
    model : object with ``predict``
        A model (:class:`~spheres_theory.models.QuadNet`,
        :class:`~spheres_theory.models.ReLUNet`) or a
        :class:`~spheres_theory.rules.QuadraticRule`: ``predict(x)`` of an
        ``(n, dim)`` array returns labels, 0 inner and 1 outer.
    spheres : ConcentricSpheres
        The data set; its ``dim`` must equal the model's.
    sphere : {"inner", "outer"}, default "inner"
        The sphere sampled (the paper reports the inner one).
    n_samples : int
        Points sampled (>= 1).
    chunk_size : int, default 100_000
        Points per chunk; chunks are the independent tasks.  A chunk samples
        10 000 points at a time, so memory stays near 10 000 × dim floats
        per task.
    rng : None, int, numpy.random.SeedSequence or numpy.random.Generator
        Seed of the run.  Chunk ``i`` draws from
        ``default_rng(SeedSequence(rng).spawn(n_chunks)[i])`` (a Generator
        contributes one draw as the seed), so the counts depend on
        ``(rng, n_samples, chunk_size)`` and not on the scheduler.
    scheduler : None, str or dask.distributed.Client, optional
        ``None`` (default) counts every chunk in this process, without dask.
        ``"local"`` starts a :class:`dask.distributed.LocalCluster` for the
        call, ``"tcp://host:port"`` connects to a running scheduler and a
        ``Client`` is used as it is; the model is sent to every worker once
        and each chunk is one task.  Needs the ``dask`` extra.

    Returns
    -------
    MonteCarloResult
        ``errors``, ``n_samples``, the 95 % Clopper–Pearson interval
        ``ci_low``, ``ci_high`` and the per-chunk counts.

    Raises
    ------
    ValueError
        If ``model`` has no ``predict`` or a ``dim`` other than
        ``spheres.dim``, ``spheres`` is not a :class:`ConcentricSpheres`,
        ``sphere`` is unknown, ``n_samples`` or ``chunk_size`` is not an
        integer >= 1, ``rng`` is invalid, or ``scheduler`` is not None,
        ``"local"``, a scheduler address or a ``Client``.

    See Also
    --------
    spheres_theory.rules.QuadraticRule.error_rate : the exact error rate of a
        quadratic rule, which this only estimates.

    Notes
    -----
    The interval is exact (Clopper–Pearson: beta quantiles of the binomial
    count), not a normal approximation, so it stays valid for 0 errors; at
    0 errors its upper end is 1 − 0.025^(1/n) ≈ 3.7/n.  The paper estimates
    the ReLU net's error rate this way, from 10⁷ points (Gilmer et al.,
    "Adversarial Spheres", arXiv:1801.02774, 2018, §5).

    Examples
    --------
    A rule with one bad α (> 1) errs on the inner sphere where that
    coordinate is large; its exact rate lies in the sampled interval:

    >>> from spheres_theory import ConcentricSpheres, QuadraticRule
    >>> spheres = ConcentricSpheres(20, outer_radius=1.3)
    >>> rule = QuadraticRule(np.r_[np.full(19, 0.8), 3.0])
    >>> r = montecarlo_error_rate(rule, spheres, n_samples=20_000, rng=0)
    >>> exact = rule.error_rate(spheres).value
    >>> r.n_samples, bool(r.ci_low < exact < r.ci_high)
    (20000, True)
    """
    predict = getattr(model, "predict", None)
    if not callable(predict):
        msg = (
            "`model` must have a `predict` method (a model or a "
            f"QuadraticRule); got {type(model).__name__}."
        )
        raise ValueError(msg)
    if not isinstance(spheres, ConcentricSpheres):
        msg = f"`spheres` must be a ConcentricSpheres; got {spheres!r}."
        raise ValueError(msg)
    dim = getattr(model, "dim", spheres.dim)
    if dim != spheres.dim:
        msg = (
            f"`model` has dim {dim!r} but `spheres` has dim "
            f"{spheres.dim}; they must be equal."
        )
        raise ValueError(msg)
    check_sphere(sphere)
    n_samples = check_int(n_samples, "n_samples", minimum=1)
    chunk_size = check_int(chunk_size, "chunk_size", minimum=1)
    seeds = seed_sequence(rng).spawn(-(-n_samples // chunk_size))
    sizes = [min(chunk_size, n_samples - i * chunk_size) for i in range(len(seeds))]
    counts = map_tasks(
        _count_chunk,
        [(sphere, n, seed) for n, seed in zip(sizes, seeds, strict=True)],
        scheduler,
        shared=(model, spheres),
    )
    errors = int(sum(counts))
    low, high = clopper_pearson(errors, n_samples)
    return MonteCarloResult(
        errors=errors,
        n_samples=n_samples,
        ci_low=low,
        ci_high=high,
        sphere=sphere,
        chunk_size=chunk_size,
        chunk_errors=np.array(counts, dtype=np.int64),
    )
