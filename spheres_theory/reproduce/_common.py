"""Helpers shared by the report items (training at chosen steps, losses)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from spheres_theory.sphere import ConcentricSpheres, uniform_sphere

from .config import ReproduceConfig

RNG = int | np.random.Generator | None


def spheres_of(config: ReproduceConfig) -> ConcentricSpheres:
    return ConcentricSpheres(config.dim, config.outer_radius)


def child_generators(gen: np.random.Generator, n: int) -> list[np.random.Generator]:
    """``n`` independent generators seeded from ``gen`` (one draw from it)."""
    seed = gen.integers(2**63)
    return [np.random.default_rng([seed, k]) for k in range(n)]


def checkpoint_steps(
    steps: int, count: int, *, log: bool = False
) -> tuple[NDArray[np.int64], int]:
    """Checkpoint steps (0, …, steps) on a multiple-of-``every`` grid.

    :func:`spheres_theory.models.train` calls back every ``every`` steps; the
    wanted steps are rounded to that grid (log-spaced with a resolution of
    ``every`` when ``log``).
    """
    if log:
        every = max(1, steps // (4 * count))
        raw = np.geomspace(every, steps, count - 1)
    else:
        every = max(1, steps // (count - 1))
        raw = np.linspace(every, steps, count - 1)
    grid = np.round(raw / every).astype(np.int64) * every
    grid = grid[(grid >= every) & (grid <= steps - every)]  # no near-duplicate
    return np.unique(np.concatenate([[0], grid, [steps]])), every


def log10_prob(tail: Any) -> float:
    return float(tail.log10_value)


def softplus(z: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.logaddexp(0.0, z)


def train_at(
    model: Any,
    spheres: ConcentricSpheres,
    *,
    steps: int,
    batch_size: int,
    lr: float,
    train_size: int | None,
    rng: np.random.Generator,
    at_steps: tuple[NDArray[np.int64], int] | None,
    on_checkpoint: Callable[[int, Any], None] | None,
    progress: bool,
) -> Any:
    """Train ``model``; call ``on_checkpoint(step, model)`` at the wanted steps.

    Step 0 (the initial model) is handled here, later steps by a callback of
    :func:`spheres_theory.models.train` (which calls back every ``every``
    steps and at the end).
    """
    from spheres_theory.training import train

    # The items compute what they need at their own checkpoints; the exact
    # fields of `train`'s checkpoints would be computed every `every` steps
    # and thrown away.
    if at_steps is None or on_checkpoint is None:
        return train(
            model,
            spheres,
            steps=steps,
            batch_size=batch_size,
            lr=lr,
            train_size=train_size,
            rng=rng,
            progress=progress,
            exact_checkpoints=False,
        )
    wanted_steps, every = at_steps
    wanted = {int(s) for s in wanted_steps}
    if 0 in wanted:
        on_checkpoint(0, model)

    def callback(model_: Any, checkpoint: Any) -> None:
        if int(checkpoint.step) in wanted:
            on_checkpoint(int(checkpoint.step), model_)

    return train(
        model,
        spheres,
        steps=steps,
        batch_size=batch_size,
        lr=lr,
        train_size=train_size,
        rng=rng,
        callbacks=(callback,),
        progress=progress,
        checkpoint_every=every,
        exact_checkpoints=False,
    )


def worst_case_loss(model: Any, spheres: ConcentricSpheres) -> float:
    """Exact max cross-entropy of a quad net over both spheres."""
    W = np.asarray(model.W, dtype=np.float64)
    w, b = float(model.w), float(model.b)
    s2 = np.linalg.svd(W, compute_uv=False) ** 2
    if W.shape[0] < W.shape[1]:
        s2 = np.append(s2, 0.0)
    lam = w * s2
    R2 = spheres.outer_radius**2
    inner_max_logit = b + lam.max()
    outer_min_logit = b + R2 * lam.min()
    return float(max(softplus(inner_max_logit), softplus(-outer_min_logit)))


def mean_loss(model: Any, x: NDArray[np.float64], y: NDArray[np.int64]) -> float:
    z = np.asarray(model.logit(x), dtype=np.float64)
    return float(np.mean(softplus(np.where(y == 1, -z, z))))


def nearest_pair(n: int, dim: int, rng: np.random.Generator) -> float:
    """Smallest distance among ``n`` uniform points of the unit sphere."""
    x = uniform_sphere(n, dim, rng=rng)
    best = math.inf
    chunk = 1000
    for i in range(0, n, chunk):
        block = x[i : i + chunk]
        g = block @ x[i:].T  # row r is point i + r, column c is point i + c
        g[np.tril_indices(block.shape[0], m=g.shape[1])] = -np.inf  # c <= r
        # On the unit sphere ‖a − b‖² = 2 − 2 a·b; the largest dot is nearest.
        best = min(best, float(np.sqrt(max(2.0 - 2.0 * g.max(), 0.0))))
    return best
