"""Item 9: 2-D slices of the ReLU net's decision region (paper's Fig. 1)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from spheres_theory.sphere import ConcentricSpheres

from ..config import AttackConfig, SliceConfig
from ..store import Result
from .relu import pgd_on_sphere

# The paper's three slices: the two directions spanning each plane.
KINDS = (
    ("random", "random"),
    ("random", "adversarial"),
    ("adversarial", "adversarial"),
)


@dataclass(frozen=True, slots=True, eq=False)
class DecisionSlicesResult(Result):
    """Item 9: 2-D slices of a ReLU net's decision region (paper's Fig. 1).

    Each slice is the plane through the origin spanned by two orthonormal
    directions e₁, e₂; both spheres are circles there.  An adversarial
    direction is that of an error point found by PGD on the inner sphere
    (orthogonalised against the first direction).

    Attributes
    ----------
    grid : ndarray of shape (m,)
        Coordinates along each axis.
    labels : ndarray of shape (3, m, m)
        Predicted labels, ``labels[s, i, j]`` at ``grid[j] e₁ + grid[i] e₂``.
    kinds : tuple of str
        ``"random × random"``, ``"random × adversarial"``,
        ``"adversarial × adversarial"``.
    adversarial_points : ndarray of shape (3, 2, 2)
        Plane coordinates of the error points behind each adversarial
        direction (NaN where the direction is random).
    outer_radius : float
        R, to draw the circles.
    """

    grid: NDArray[np.float64]
    labels: NDArray[np.int64]
    kinds: tuple[str, ...]
    adversarial_points: NDArray[np.float64]
    outer_radius: float


def decision_slices(
    spheres: ConcentricSpheres,
    model: Any,
    slices: SliceConfig,
    attacks: AttackConfig,
    rng: Any = None,
) -> DecisionSlicesResult:
    """Item 9: the paper's three slices of a ReLU net's decision region.

    Parameters
    ----------
    spheres : ConcentricSpheres
        The data distribution.
    model : ReLUNet
        The model to slice (item 6's final net).
    slices : SliceConfig
        Grid resolution and extent.
    attacks : AttackConfig
        PGD settings for the adversarial directions.
    rng : None, int or numpy.random.Generator, optional
        Source of randomness.

    Returns
    -------
    DecisionSlicesResult
        (random, random), (random, adversarial) and (adversarial, adversarial)
        slices.

    Notes
    -----
    A random plane shows the learned boundary close to the max-margin circle
    of radius (1 + R)/2; a plane containing the direction of an adversarial
    example shows the error region reaching in toward the inner circle [1]_.

    References
    ----------
    .. [1] J. Gilmer et al., "Adversarial Spheres", arXiv:1801.02774, 2018,
       Fig. 1.
    """
    gen = np.random.default_rng(rng)
    x0, _ = spheres.sample(max(attacks.n_samples, 8), sphere="inner", rng=gen)
    res = pgd_on_sphere(model, x0, attacks, gen)
    found = list(np.asarray(res.points)[np.asarray(res.success, dtype=bool)])
    rand = [gen.standard_normal(spheres.dim) for _ in range(6)]
    # Error points for the adversarial directions (p1; p2, p3); a random
    # direction stands in, and the slice's name says so, where PGD found too
    # few errors.
    adv = [found[k] if k < len(found) else None for k in range(3)]
    planes = (
        (rand[0], rand[1], (False, False)),
        (_or(adv[0], rand[2]), rand[3], (adv[0] is not None, False)),
        (
            _or(adv[1], rand[4]),
            _or(adv[2], rand[5]),
            (adv[1] is not None, adv[2] is not None),
        ),
    )
    grid = np.linspace(-slices.extent, slices.extent, slices.resolution)
    a, b = np.meshgrid(grid, grid)  # a[i, j] = grid[j] (e1), b[i, j] = grid[i] (e2)
    labels, points = [], np.full((3, 2, 2), np.nan)
    for s, (d1, d2, adversarial) in enumerate(planes):
        e1 = d1 / np.linalg.norm(d1)
        v = d2 - (d2 @ e1) * e1
        e2 = v / np.linalg.norm(v)
        for j, (d, is_adv) in enumerate(zip((d1, d2), adversarial, strict=True)):
            if is_adv:
                points[s, j] = (d @ e1, d @ e2)
        pts = a.reshape(-1, 1) * e1 + b.reshape(-1, 1) * e2
        labels.append(np.asarray(model.predict(pts)).reshape(a.shape))
    expected = ((False, False), (True, False), (True, True))
    kinds = tuple(
        f"{k1} × {k2}" + ("" if planes[s][2] == expected[s] else " (attack failed)")
        for s, (k1, k2) in enumerate(KINDS)
    )
    return DecisionSlicesResult(
        grid=grid,
        labels=np.array(labels, dtype=np.int64),
        kinds=tuple(kinds),
        adversarial_points=points,
        outer_radius=spheres.outer_radius,
    )


def _or(point: Any, fallback: NDArray[np.float64]) -> NDArray[np.float64]:
    return fallback if point is None else point
