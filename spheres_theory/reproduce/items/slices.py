"""Item 7: 2-D slices of the ReLU net's decision region (paper's Fig. 1)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._common import RNG, spheres_of
from ..config import ReproduceConfig
from ..store import Result
from .error_distance import _pgd_distances, _train_relu


@dataclass(frozen=True, slots=True, eq=False)
class DecisionSlicesResult(Result):
    """Item 7: 2-D slices of a ReLU net's decision region (paper's Fig. 1).

    Each slice is the plane through the origin spanned by a unit vector e₁ at
    an inner point x0 = e₁ and a unit vector e₂ ⟂ e₁ (random, or along the
    adversarial perturbation found by PGD); both spheres are circles there.

    Attributes
    ----------
    grid : ndarray of shape (m,)
        Coordinates along each axis.
    labels : ndarray of shape (k, m, m)
        Predicted labels, ``labels[s, i, j]`` at ``grid[j] e₁ + grid[i] e₂``.
    kinds : tuple of str
        ``"random"`` or ``"adversarial"`` per slice.
    adversarial_points : ndarray of shape (k, 2)
        Plane coordinates of the PGD point (NaN for random slices).
    outer_radius : float
        R, to draw the circles.
    """

    grid: NDArray[np.float64]
    labels: NDArray[np.int64]
    kinds: tuple[str, ...]
    adversarial_points: NDArray[np.float64]
    outer_radius: float


def decision_slices(
    config: ReproduceConfig,
    rng: RNG = None,
    *,
    model: Any = None,
    progress: bool = False,
) -> DecisionSlicesResult:
    """Item 7: 2-D slices of a ReLU net's decision region (paper's Fig. 1).

    Parameters
    ----------
    config : ReproduceConfig
        Uses ``slice_count``, ``slice_resolution``, ``slice_extent`` and the
        PGD settings (and the ReLU settings when ``model`` is None).
    rng : None, int or numpy.random.Generator, optional
        Source of randomness.
    model : ReLUNet, optional
        The model to slice; by default a ReLU net is trained online.
    progress : bool, default False
        Show a tqdm bar while training.

    Returns
    -------
    DecisionSlicesResult
        ``slice_count`` random slices followed by ``slice_count`` adversarial
        ones.

    Notes
    -----
    Each plane passes through the origin and an inner point x0, so both
    spheres appear as circles; a random second direction shows the learned
    boundary close to the max-margin circle, the adversarial one (along the
    PGD perturbation of x0) shows the nearby error [1]_.

    References
    ----------
    .. [1] J. Gilmer et al., "Adversarial Spheres", arXiv:1801.02774, 2018,
       Fig. 1.

    Examples
    --------
    >>> import dataclasses
    >>> cfg = dataclasses.replace(ReproduceConfig.tiny(dim=10), slice_resolution=5)
    >>> decision_slices(cfg, rng=0).labels.shape
    (2, 5, 5)
    """
    gen = np.random.default_rng(rng)
    sp = spheres_of(config)
    if model is None:
        model = _train_relu(config, gen, progress)
    ext = config.slice_extent
    grid = np.linspace(-ext, ext, config.slice_resolution)
    a, b = np.meshgrid(grid, grid)  # a[i, j] = grid[j] (along e1), b[i, j] = grid[i]
    k = config.slice_count
    x0, _ = sp.sample(2 * k, sphere="inner", rng=gen)
    _, ok, x_adv = _pgd_distances(model, x0[k:], config, gen)
    labels = []
    adv_points = np.full((2 * k, 2), np.nan)
    kinds: list[str] = []
    for s in range(2 * k):
        e1 = x0[s] / np.linalg.norm(x0[s])
        if s >= k and ok[s - k]:
            v = x_adv[s - k] - x0[s]
            kinds.append("adversarial")
        else:
            v = gen.standard_normal(config.dim)
            kinds.append("random" if s < k else "random (attack failed)")
        v = v - (v @ e1) * e1
        e2 = v / np.linalg.norm(v)
        if s >= k and ok[s - k]:
            adv_points[s] = (x_adv[s - k] @ e1, x_adv[s - k] @ e2)
        pts = a.reshape(-1, 1) * e1 + b.reshape(-1, 1) * e2
        labels.append(np.asarray(model.predict(pts)).reshape(a.shape))
    return DecisionSlicesResult(
        grid=grid,
        labels=np.array(labels, dtype=np.int64),
        kinds=tuple(kinds),
        adversarial_points=adv_points,
        outer_radius=config.outer_radius,
    )
