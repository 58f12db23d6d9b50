"""Item 1: the exact Lévy bound beside the paper's asymptotic form."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..config import BoundsConfig
from ..store import Result


@dataclass(frozen=True, slots=True, eq=False)
class BoundCurvesResult(Result):
    """Item 1: exact Lévy bound d*(μ; d) and the paper's asymptotic form.

    Attributes
    ----------
    dims : ndarray of shape (k,)
        Dimensions of the curves.
    error_rates : ndarray of shape (m,)
        Error rates μ (log-spaced).
    exact : ndarray of shape (k, m)
        Exact chordal bound d*(μ; d) on the unit sphere.
    asymptotic : ndarray of shape (k, m)
        Φ⁻¹(1 − μ)/√d, the paper's "Optimal (Estimated)" curve.
    table_dims, table_error_rates : ndarray of shape (p,)
        The (d, μ) pairs of the reference table.
    table_exact, table_asymptotic : ndarray of shape (p,)
        Our values at those pairs.
    table_reference : ndarray of shape (p,)
        Reference values of d*(μ; d), 4 digits, computed independently
        (mpmath quadrature at 50 digits of the cap-distance integral).
    cartoon_dims : ndarray of shape (q,)
        Dimensions of the paper's cartoon at μ = 0.01 (2, 100, 500, 2000).
    cartoon_paper : ndarray of shape (q,)
        The cartoon's printed values (1.4, 0.23, 0.104, 0.052).
    cartoon_exact : ndarray of shape (q,)
        Our exact d*(0.01; d).
    """

    dims: NDArray[np.int64]
    error_rates: NDArray[np.float64]
    exact: NDArray[np.float64]
    asymptotic: NDArray[np.float64]
    table_dims: NDArray[np.int64]
    table_error_rates: NDArray[np.float64]
    table_exact: NDArray[np.float64]
    table_asymptotic: NDArray[np.float64]
    table_reference: NDArray[np.float64]
    cartoon_dims: NDArray[np.int64]
    cartoon_paper: NDArray[np.float64]
    cartoon_exact: NDArray[np.float64]


# (d, μ, d*(μ; d)): 4-digit reference values computed independently with
# mpmath (50-digit quadrature of the mean distance to a cap).
_TABLE = (
    (100, 1e-2, 0.2328),
    (500, 0.5, 0.0179),
    (500, 1e-1, 0.0595),
    (500, 1e-2, 0.1042),
    (500, 1e-6, 0.2116),
    (500, 1e-7, 0.2312),
    (500, 1e-11, 0.2969),
    (500, 1e-20, 0.4060),
    (2000, 1e-2, 0.0521),
)


# The paper's cartoon at μ = 0.01 (d = 2 is not the cap formula).
_CARTOON = ((2, 1.4), (100, 0.23), (500, 0.104), (2000, 0.052))


def bound_curves(bounds: BoundsConfig) -> BoundCurvesResult:
    """Item 1: exact and asymptotic Lévy bound curves and the μ = 0.01 table.

    Parameters
    ----------
    bounds : BoundsConfig
        Uses ``dims`` and ``n_points``.

    Returns
    -------
    BoundCurvesResult
        Curves on a log grid 1e-20 … 0.5, the reference table and the paper's
        μ = 0.01 cartoon beside our exact values.

    Notes
    -----
    d*(μ; d) is the mean chordal distance from a uniform point of the unit
    sphere to the cap of measure μ, the largest possible mean distance to an
    error set of measure μ (Lévy); the paper's curve Φ⁻¹(1 − μ)/√d is its
    large-d form [1]_.

    References
    ----------
    .. [1] J. Gilmer et al., "Adversarial Spheres", arXiv:1801.02774, 2018, §5.

    Examples
    --------
    >>> r = bound_curves(BoundsConfig(dims=(500,), n_points=20))
    >>> round(float(r.cartoon_exact[2]), 4)
    0.1042
    """
    from spheres_theory.concentration import (
        asymptotic_mean_distance,
        bound_curve,
        optimal_mean_distance,
    )

    rates = np.geomspace(1e-20, 0.5, bounds.n_points)
    exact = []
    asym = []
    for d in bounds.dims:
        curve = bound_curve(d, rates)
        exact.append(np.asarray(curve.exact, dtype=np.float64))
        asym.append(np.asarray(curve.asymptotic, dtype=np.float64))
    t_dims = np.array([row[0] for row in _TABLE], dtype=np.int64)
    t_rates = np.array([row[1] for row in _TABLE])
    t_exact = np.array(
        [float(optimal_mean_distance(mu, d)) for d, mu, _ in _TABLE], dtype=np.float64
    )
    t_asym = np.array(
        [float(asymptotic_mean_distance(mu, d)) for d, mu, _ in _TABLE],
        dtype=np.float64,
    )
    c_exact = [float(optimal_mean_distance(1e-2, d)) for d, _ in _CARTOON]
    return BoundCurvesResult(
        dims=np.array(bounds.dims, dtype=np.int64),
        error_rates=rates,
        exact=np.array(exact),
        asymptotic=np.array(asym),
        table_dims=t_dims,
        table_error_rates=t_rates,
        table_exact=t_exact,
        table_asymptotic=t_asym,
        table_reference=np.array([row[2] for row in _TABLE]),
        cartoon_dims=np.array([row[0] for row in _CARTOON], dtype=np.int64),
        cartoon_paper=np.array([row[1] for row in _CARTOON]),
        cartoon_exact=np.array(c_exact),
    )
