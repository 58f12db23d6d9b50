"""The data set: two concentric spheres in R^d.

Class 0 ("inner") is the unit sphere, class 1 ("outer") the sphere of radius
``outer_radius`` (the paper's R = 1.3); each class has probability 1/2 and each
point is uniform on its sphere (Gilmer et al. 2018, §2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validation import (
    as_real_array,
    check_choice,
    check_int,
    check_outer_radius,
    check_rng,
)

__all__ = ["ConcentricSpheres", "chord_to_arc", "uniform_sphere"]

Sphere = Literal["inner", "outer", "both"]

# Largest R with R**2 finite in float64 (about 1.34e154).
_MAX_OUTER_RADIUS = float(np.sqrt(np.finfo(np.float64).max))


def uniform_sphere(
    n_samples: int,
    dim: int,
    *,
    radius: float = 1.0,
    rng: ArrayLike | np.random.Generator | None = None,
) -> NDArray[np.float64]:
    """Draw points uniformly from the sphere of a given radius in R^dim.

    Parameters
    ----------
    n_samples : int
        Number of points (>= 0).
    dim : int
        Ambient dimension (>= 2).
    radius : float, default 1.0
        Radius of the sphere (> 0).
    rng : None, int or numpy.random.Generator, optional
        Source of randomness, normalised by :func:`numpy.random.default_rng`.

    Returns
    -------
    ndarray of shape (n_samples, dim)
        Points ``radius * g / ||g||`` with ``g ~ N(0, I_dim)``.

    Examples
    --------
    >>> x = uniform_sphere(3, 5, radius=2.0, rng=0)
    >>> np.allclose(np.linalg.norm(x, axis=1), 2.0)
    True
    """
    n_samples = check_int(n_samples, "n_samples", minimum=0)
    dim = check_int(dim, "dim", minimum=2)
    r = as_real_array(radius, "radius")
    if r.ndim != 0 or not np.isfinite(r) or r <= 0:
        msg = f"`radius` must be a finite number > 0; got {radius!r}."
        raise ValueError(msg)
    gen = check_rng(rng)
    return _uniform_sphere(gen, n_samples, dim, float(r))


def _uniform_sphere(
    gen: np.random.Generator, n: int, dim: int, radius: float
) -> NDArray[np.float64]:
    g = gen.standard_normal((n, dim))
    norms = np.linalg.norm(g, axis=1, keepdims=True)
    # A Gaussian vector is 0 with probability 0; guard anyway.
    while np.any(norms == 0):  # pragma: no cover
        bad = norms[:, 0] == 0
        g[bad] = gen.standard_normal((int(bad.sum()), dim))
        norms = np.linalg.norm(g, axis=1, keepdims=True)
    return radius * g / norms


def chord_to_arc(dist: ArrayLike, radius: ArrayLike) -> NDArray[np.float64]:
    """Arc length ``r · 2 asin(d / (2r))`` of chords ``d`` on spheres of radius ``r``.

    Parameters
    ----------
    dist : array_like
        Chord lengths (Euclidean distances between two points of the sphere),
        >= 0; inf stays inf (no error exists) and NaN stays NaN.
    radius : array_like
        Radius of the sphere, a scalar or one per chord (>= 0); a sphere of
        radius 0 gives 0.

    Returns
    -------
    ndarray
        Geodesic distances, the broadcast shape of the inputs (0-d for
        scalars).  Chords longer than the diameter are clipped to it (an arc
        of at most ``pi r``).

    Notes
    -----
    ``asin`` of the half chord, not ``acos`` of a dot product: accurate also
    for tiny distances.  Inputs are trusted (a private-use helper shared by
    :mod:`spheres_theory.nearest` and :mod:`spheres_theory.attacks`).

    Examples
    --------
    >>> print(round(float(chord_to_arc(np.sqrt(2.0), 1.0) / np.pi), 12))
    0.5
    """
    dist = np.asarray(dist, dtype=np.float64)
    radius = np.asarray(radius, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(
            radius > 0, dist / (2.0 * np.where(radius > 0, radius, 1.0)), 0.0
        )
        return np.where(
            np.isinf(dist), np.inf, 2.0 * radius * np.arcsin(np.minimum(ratio, 1.0))
        )


@dataclass(frozen=True, slots=True)
class ConcentricSpheres:
    """Two concentric spheres: radius 1 (label 0) and ``outer_radius`` (label 1).

    Parameters
    ----------
    dim : int
        Ambient dimension d >= 2 (paper: 500).
    outer_radius : float, default 1.3
        Keyword-only.  Radius R > 1 of the outer sphere (paper: 1.3), with
        R**2 finite in float64 (R <= 1.34e154), so that the band ``[1/R**2, 1]`` is
        representable.

    Raises
    ------
    ValueError
        If ``dim`` is not an integer >= 2, or ``outer_radius`` is not a finite
        number > 1 whose square is finite in float64.

    Notes
    -----
    The max-margin decision boundary is the sphere of radius ``(1 + R) / 2``.
    A quadratic rule ``sum(alphas * z**2) > 1`` is perfect iff every alpha lies
    in ``[1/R**2, 1]`` (Gilmer et al. 2018, §4).

    Examples
    --------
    >>> sp = ConcentricSpheres(dim=500)
    >>> x, y = sp.sample(4, sphere="outer", rng=0)
    >>> x.shape, y.tolist()
    ((4, 500), [1, 1, 1, 1])
    >>> float(np.linalg.norm(x[0]))
    1.3
    """

    dim: int
    outer_radius: float = field(default=1.3, kw_only=True)

    def __post_init__(self) -> None:
        object.__setattr__(self, "dim", check_int(self.dim, "dim", minimum=2))
        outer_radius = check_outer_radius(self.outer_radius)
        if not np.isfinite(outer_radius * outer_radius):  # Python float: no warning
            msg = (
                "`outer_radius` must be a number > 1 whose square is finite in "
                f"float64 (at most {_MAX_OUTER_RADIUS:.6g}); got {self.outer_radius!r}."
            )
            raise ValueError(msg)
        object.__setattr__(self, "outer_radius", outer_radius)

    @property
    def inner_radius(self) -> float:
        """Radius of the inner sphere (always 1)."""
        return 1.0

    @property
    def max_margin_radius(self) -> float:
        """Radius ``(1 + R) / 2`` of the max-margin separating sphere."""
        return 0.5 * (1.0 + self.outer_radius)

    @property
    def alpha_range(self) -> tuple[float, float]:
        """The interval ``[1/R**2, 1]`` of perfect quadratic-rule coefficients."""
        # R**2 is finite (checked at construction), so this cannot overflow.
        return (1.0 / self.outer_radius**2, 1.0)

    def radius(self, sphere: Literal["inner", "outer"]) -> float:
        """Radius of the named sphere.

        Parameters
        ----------
        sphere : {"inner", "outer"}
            Which sphere.

        Returns
        -------
        float
            1.0 for ``"inner"``, ``outer_radius`` for ``"outer"``.

        Examples
        --------
        >>> ConcentricSpheres(10).radius("outer")
        1.3
        """
        check_choice(sphere, "sphere", ("inner", "outer"))
        return 1.0 if sphere == "inner" else self.outer_radius

    def sample(
        self,
        n_samples: int,
        *,
        sphere: Sphere = "both",
        rng: ArrayLike | np.random.Generator | None = None,
    ) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
        """Draw labelled points.

        Parameters
        ----------
        n_samples : int
            Number of points (>= 0).
        sphere : {"both", "inner", "outer"}, default "both"
            ``"both"`` draws each label with probability 1/2 (the paper's data
            distribution); otherwise every point is on the named sphere.
        rng : None, int or numpy.random.Generator, optional
            Source of randomness, normalised by :func:`numpy.random.default_rng`.

        Returns
        -------
        x : ndarray of shape (n_samples, dim)
            The points.
        y : ndarray of shape (n_samples,)
            Labels, 0 = inner (radius 1), 1 = outer (radius ``outer_radius``).

        Examples
        --------
        >>> x, y = ConcentricSpheres(3).sample(1000, rng=1)
        >>> r = np.linalg.norm(x, axis=1)
        >>> bool(np.allclose(r, np.where(y == 1, 1.3, 1.0)))
        True
        """
        n_samples = check_int(n_samples, "n_samples", minimum=0)
        check_choice(sphere, "sphere", ("inner", "outer", "both"))
        gen = check_rng(rng)
        if sphere == "both":
            y = gen.integers(0, 2, size=n_samples)
        else:
            y = np.full(n_samples, 1 if sphere == "outer" else 0)
        y = y.astype(np.int64)
        x = _uniform_sphere(gen, n_samples, self.dim, 1.0)
        x *= np.where(y == 1, self.outer_radius, 1.0)[:, None]
        return x, y
