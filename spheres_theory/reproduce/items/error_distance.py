"""Item 5: error rate against mean distance to the nearest error (paper's Fig. 4)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from spheres_theory._stats import clopper_pearson, count_errors

from .._common import RNG, checkpoint_steps, child_generators, spheres_of, train_at
from ..config import ReproduceConfig
from ..store import Result
from .online import OnlineQuadNetResult, online_quadnet


@dataclass(frozen=True, slots=True, eq=False)
class ErrorDistanceResult(Result):
    """Item 5: error rate vs mean distance to the nearest error (Fig. 4).

    The quad-net columns are those of the online quad net of item 3
    (:class:`OnlineQuadNetResult`: same run, same checkpoints).

    Attributes
    ----------
    quad_steps : ndarray of shape (k,)
        Checkpoint steps of the quad net.
    quad_log10_error : ndarray of shape (k,)
        log10 of the exact inner error rate μ.
    quad_mean_distance, quad_ci_low, quad_ci_high : ndarray of shape (k,)
        Exact d(E) (mean of exact per-point distances) and its 95 % interval.
    quad_bound : ndarray of shape (k,)
        Exact Lévy bound d*(μ; d) at each checkpoint's μ.
    relu_steps : ndarray of shape (j,)
        Checkpoint steps of the ReLU net.
    relu_errors, relu_samples : ndarray of shape (j,)
        Misclassified / sampled inner points.
    relu_error_low, relu_error_high : ndarray of shape (j,)
        95 % Clopper–Pearson interval of μ.
    relu_mean_distance : ndarray of shape (j,)
        Mean PGD distance (an upper bound of d(E)) over successful attacks.
    relu_success : ndarray of shape (j,)
        Fraction of attacks that found an error.
    curve_error_rates, curve_exact, curve_asymptotic : ndarray
        The bound curves at this dimension, for the plot.
    dim : int
        Dimension.
    """

    quad_steps: NDArray[np.int64]
    quad_log10_error: NDArray[np.float64]
    quad_mean_distance: NDArray[np.float64]
    quad_ci_low: NDArray[np.float64]
    quad_ci_high: NDArray[np.float64]
    quad_bound: NDArray[np.float64]
    relu_steps: NDArray[np.int64]
    relu_errors: NDArray[np.int64]
    relu_samples: NDArray[np.int64]
    relu_error_low: NDArray[np.float64]
    relu_error_high: NDArray[np.float64]
    relu_mean_distance: NDArray[np.float64]
    relu_success: NDArray[np.float64]
    curve_error_rates: NDArray[np.float64]
    curve_exact: NDArray[np.float64]
    curve_asymptotic: NDArray[np.float64]
    dim: int

    @property
    def relu_error_rate(self) -> NDArray[np.float64]:
        """Sampled ReLU inner error rate (errors / samples)."""
        return self.relu_errors / np.maximum(self.relu_samples, 1)


def quad_columns(online: OnlineQuadNetResult) -> dict[str, NDArray[Any]]:
    """Return item 5's quad-net columns: item 3's checkpoints and their d(E)."""
    return {
        "quad_steps": np.asarray(online.steps, dtype=np.int64),
        "quad_log10_error": np.asarray(online.log10_error_inner, dtype=np.float64),
        "quad_mean_distance": np.asarray(online.mean_distance, dtype=np.float64),
        "quad_ci_low": np.asarray(online.distance_ci_low, dtype=np.float64),
        "quad_ci_high": np.asarray(online.distance_ci_high, dtype=np.float64),
        "quad_bound": np.asarray(online.distance_bound, dtype=np.float64),
    }


def _train_relu(
    config: ReproduceConfig,
    gen: np.random.Generator,
    progress: bool,
    on_checkpoint: Callable[[int, Any], None] | None = None,
    at: tuple[NDArray[np.int64], int] | None = None,
) -> Any:
    from spheres_theory.models import ReLUNet

    sp = spheres_of(config)
    model = ReLUNet(config.dim, config.relu_hidden, rng=gen)
    train_at(
        model,
        sp,
        steps=config.relu_steps,
        batch_size=config.batch_size,
        lr=config.relu_lr,
        train_size=None,
        rng=gen,
        at_steps=at,
        on_checkpoint=on_checkpoint,
        progress=progress,
    )
    return model


def _pgd_distances(
    model: Any,
    x: NDArray[np.float64],
    config: ReproduceConfig,
    gen: np.random.Generator,
) -> tuple[NDArray[np.float64], NDArray[np.bool_], NDArray[np.float64]]:
    """PGD nearest-stop on the manifold: (distances, success, final points)."""
    from spheres_theory.attacks import pgd

    res = pgd(
        model,
        x,
        on_manifold=True,
        step_size=config.pgd_step_size,
        steps=config.pgd_steps,
        stop="first",
        rng=gen,
    )
    points = np.asarray(res.points, dtype=np.float64)
    return (
        np.asarray(res.distance, dtype=np.float64),
        np.asarray(res.success, dtype=bool),
        points,
    )


def relu_checkpoints(
    config: ReproduceConfig, gen: np.random.Generator, progress: bool
) -> tuple[dict[str, NDArray[Any]], Any]:
    """Train the ReLU net; sampled μ and PGD distance at its checkpoints."""
    sp = spheres_of(config)
    at = checkpoint_steps(config.relu_steps, config.checkpoints, log=True)
    rows: dict[int, tuple[int, int, float, float, float, float]] = {}

    def record(step: int, m: Any) -> None:
        n = config.mc_samples
        k = count_errors(m.predict, sp, n, "inner", gen)
        low, high = clopper_pearson(k, n)
        x0, _ = sp.sample(config.pgd_points, sphere="inner", rng=gen)
        dist, ok, _ = _pgd_distances(m, x0, config, gen)
        # An upper bound on d(E) needs a bound for every start: a failed
        # attack counts as the sphere's diameter 2 (any error on the unit
        # sphere is at most that far); with no success at all, no error is
        # known and the bound is undefined.
        mean = float(np.where(ok, dist, 2.0).mean()) if ok.any() else math.nan
        rows[step] = (k, n, low, high, mean, float(ok.mean()))

    model = _train_relu(config, gen, progress, record, at)
    steps = np.array(sorted(rows), dtype=np.int64)
    col = [np.array([rows[s][k] for s in steps]) for k in range(6)]
    return {
        "relu_steps": steps,
        "relu_errors": col[0].astype(np.int64),
        "relu_samples": col[1].astype(np.int64),
        "relu_error_low": col[2],
        "relu_error_high": col[3],
        "relu_mean_distance": col[4],
        "relu_success": col[5],
    }, model


def item5_generators(rng: RNG) -> list[np.random.Generator]:
    """Item 5's streams: (online quad net if not given, ReLU net)."""
    return child_generators(np.random.default_rng(rng), 2)


def assemble_error_distance(
    config: ReproduceConfig,
    online: OnlineQuadNetResult,
    relu: Mapping[str, NDArray[Any]],
) -> ErrorDistanceResult:
    """Join item 3's quad-net checkpoints and the ReLU columns into item 5."""
    from spheres_theory.concentration import bound_curve

    curve = bound_curve(config.dim, np.geomspace(1e-20, 0.5, config.bound_points))
    return ErrorDistanceResult(
        **quad_columns(online),
        **relu,
        curve_error_rates=np.asarray(curve.error_rates, dtype=np.float64),
        curve_exact=np.asarray(curve.exact, dtype=np.float64),
        curve_asymptotic=np.asarray(curve.asymptotic, dtype=np.float64),
        dim=config.dim,
    )


def run_error_vs_distance(
    config: ReproduceConfig,
    rng: RNG,
    progress: bool,
    online: OnlineQuadNetResult | None = None,
) -> tuple[ErrorDistanceResult, Any]:
    """Item 5 with its trained ReLU net: (result, model)."""
    quad_gen, relu_gen = item5_generators(rng)
    if online is None:
        online = online_quadnet(config, quad_gen, progress=progress)
    relu, model = relu_checkpoints(config, relu_gen, progress)
    return assemble_error_distance(config, online, relu), model


def error_vs_distance(
    config: ReproduceConfig,
    rng: RNG = None,
    *,
    online: OnlineQuadNetResult | None = None,
    progress: bool = False,
) -> ErrorDistanceResult:
    """Item 5: (μ, d(E)) of model checkpoints over the exact bound (Fig. 4).

    Parameters
    ----------
    config : ReproduceConfig
        Uses the ReLU settings, ``mc_samples``, the PGD settings,
        ``checkpoints``, ``bound_points`` (and the settings of
        :func:`online_quadnet` when ``online`` is None).
    rng : None, int or numpy.random.Generator, optional
        Source of randomness.
    online : OnlineQuadNetResult, optional
        Item 3's result: its checkpoints, with their exact μ and exact d(E),
        are the quad-net points of the figure.  By default a quad net is
        trained online here with :func:`online_quadnet` (from a stream of
        ``rng``); :func:`run_reproduction` passes item 3's result instead of
        training the same net twice.  The ReLU part uses its own stream, so
        it is the same with or without ``online``.
    progress : bool, default False
        Show tqdm bars while training.

    Returns
    -------
    ErrorDistanceResult
        Quad-net checkpoints with exact μ and exact d(E) (95 % interval from
        the sampled starting points), ReLU checkpoints with a sampled μ (95 %
        Clopper–Pearson interval) and a PGD upper bound on d(E), and the
        exact bound curve.

    Notes
    -----
    Lévy's inequality puts every (μ, d(E)) on or under the curve d*(μ; d).
    The paper's architectures landed just under it (μ ≈ 1e-2: d ≈ 0.07–0.10
    vs 0.104; μ ≈ 1e-4: 0.10–0.14 vs 0.166) [1]_; its distances came from
    attacks, i.e. upper bounds, as the ReLU ones here do.

    The ReLU net is trained online; at each of its checkpoints
    ``mc_samples`` fresh inner points give the sampled μ and
    ``pgd_points`` of them are attacked (on the sphere, stopping at the first
    error).

    References
    ----------
    .. [1] J. Gilmer et al., "Adversarial Spheres", arXiv:1801.02774, 2018,
       Fig. 4.

    Examples
    --------
    >>> cfg = ReproduceConfig.tiny(dim=10)
    >>> r = error_vs_distance(cfg, rng=0)
    >>> r.curve_exact.shape == r.curve_error_rates.shape
    True
    >>> online = online_quadnet(cfg, rng=1)
    >>> r = error_vs_distance(cfg, rng=0, online=online)  # reuse item 3
    >>> bool(np.array_equal(r.quad_steps, online.steps))
    True
    """
    return run_error_vs_distance(config, rng, progress, online)[0]
