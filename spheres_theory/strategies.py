"""Hypothesis strategies for property-testing geometry on concentric spheres.

These are public: use them to property-test your own code that works with
spheres, caps, error rates and quadratic rules.

Examples
--------
>>> from hypothesis import given
>>> from spheres_theory import strategies as sst
>>> @given(sst.dims())
... def test_dim_is_valid(dim):
...     assert dim >= 2
>>> test_dim_is_valid()
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import hypothesis.strategies as _hst
import numpy as _np

from ._validation import check_int, check_positive
from .rules import QuadraticRule
from .sphere import ConcentricSpheres

if TYPE_CHECKING:  # pragma: no cover
    from hypothesis.strategies import SearchStrategy


__all__ = [
    "cap_heights",
    "dims",
    "error_rates",
    "nearly_perfect_rules",
    "outer_radii",
    "perfect_rules",
    "points_on_sphere",
    "radii",
    "random_rules",
    "two_level_rules",
]

# --- geometry strategies (dims, radii, points, cap heights, error rates) ----


def _geom_bounds(lo: float, hi: float, name_lo: str, name_hi: str) -> None:
    """Check that ``lo <= hi`` are finite numbers (strategy arguments)."""
    for name, value in ((name_lo, lo), (name_hi, hi)):
        if not (isinstance(value, int | float) and math.isfinite(value)):
            msg = f"`{name}` must be a finite number; got {value!r}."
            raise ValueError(msg)
    if lo > hi:
        msg = f"`{name_lo}` must be <= `{name_hi}`; got {lo!r} > {hi!r}."
        raise ValueError(msg)


def dims(min_dim: int = 2, max_dim: int = 1000) -> _hst.SearchStrategy[int]:
    """Ambient dimensions ``dim`` (integers ``>= 2``).

    Parameters
    ----------
    min_dim : int, default 2
        Smallest dimension (>= 2).
    max_dim : int, default 1000
        Largest dimension (>= ``min_dim``).

    Returns
    -------
    hypothesis.strategies.SearchStrategy of int
        Integers in ``[min_dim, max_dim]``, shrinking towards ``min_dim``.

    Raises
    ------
    ValueError
        If ``min_dim < 2`` or ``max_dim < min_dim``.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from spheres_theory import cap_measure
    >>> @settings(max_examples=20)
    ... @given(dims(max_dim=10_000))
    ... def check(dim):
    ...     assert cap_measure(0.0, dim) == 0.5
    >>> check()
    """
    lo = check_int(min_dim, "min_dim", minimum=2)
    hi = check_int(max_dim, "max_dim", minimum=lo)
    return _hst.integers(lo, hi)


def radii(
    min_value: float = 1e-3, max_value: float = 1e3
) -> _hst.SearchStrategy[float]:
    """Sphere radii: finite floats ``> 0``.

    Parameters
    ----------
    min_value : float, default 1e-3
        Smallest radius (> 0).
    max_value : float, default 1e3
        Largest radius.

    Returns
    -------
    hypothesis.strategies.SearchStrategy of float
        Radii in ``[min_value, max_value]``, log-uniform half of the time so
        that every scale occurs.

    Raises
    ------
    ValueError
        If the bounds are not finite, ``min_value <= 0`` or
        ``min_value > max_value``.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from spheres_theory import optimal_mean_distance
    >>> @settings(max_examples=20)
    ... @given(radii())
    ... def check(r):
    ...     assert optimal_mean_distance(0.01, 100, radius=r) <= 2 * r
    >>> check()
    """
    _geom_bounds(min_value, max_value, "min_value", "max_value")
    if min_value <= 0:
        msg = f"`min_value` must be > 0; got {min_value!r}."
        raise ValueError(msg)
    return _log_uniform(float(min_value), float(max_value))


def _log_uniform(lo: float, hi: float) -> _hst.SearchStrategy[float]:
    """Floats in [lo, hi] (0 < lo), half uniform in value, half in log."""
    plain = _hst.floats(lo, hi, allow_nan=False, allow_infinity=False)
    if lo == hi:
        return plain
    logs = _hst.floats(math.log(lo), math.log(hi)).map(
        lambda z: min(max(math.exp(z), lo), hi)
    )
    return _hst.one_of(plain, logs)


def outer_radii(
    min_value: float = 1.0, max_value: float = 10.0
) -> _hst.SearchStrategy[float]:
    """Outer-sphere radii ``R > 1`` (the paper uses 1.3).

    Parameters
    ----------
    min_value : float, default 1.0
        Lower end, excluded (>= 1).
    max_value : float, default 10.0
        Upper end (> ``min_value``).

    Returns
    -------
    hypothesis.strategies.SearchStrategy of float
        Floats in ``(min_value, max_value]``, valid for
        :class:`~spheres_theory.ConcentricSpheres`.

    Raises
    ------
    ValueError
        If the bounds are not finite, ``min_value < 1`` or
        ``min_value >= max_value``.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from spheres_theory import ConcentricSpheres
    >>> @settings(max_examples=20)
    ... @given(outer_radii())
    ... def check(r):
    ...     lo, hi = ConcentricSpheres(5, outer_radius=r).alpha_range
    ...     assert lo < hi == 1.0
    >>> check()
    """
    _geom_bounds(min_value, max_value, "min_value", "max_value")
    if min_value < 1 or min_value >= max_value:
        msg = (
            "`min_value` must be >= 1 and < `max_value`; got "
            f"min_value={min_value!r}, max_value={max_value!r}."
        )
        raise ValueError(msg)
    return _hst.floats(
        float(min_value),
        float(max_value),
        exclude_min=True,
        allow_nan=False,
        allow_infinity=False,
    )


def points_on_sphere(
    dim: int | _hst.SearchStrategy[int],
    radius: float = 1.0,
) -> _hst.SearchStrategy[_np.ndarray]:
    """Points on the sphere of a given radius in ``R^dim``, as float64 arrays.

    Built from hypothesis floats (so that shrinking gives simple points such
    as poles), normalised to norm ``radius``; the zero vector and vectors
    too small to normalise accurately are rejected.

    Parameters
    ----------
    dim : int or hypothesis strategy of int
        Ambient dimension (>= 2), e.g. ``dims(max_dim=50)``.
    radius : float, default 1.0
        Radius of the sphere (> 0).

    Returns
    -------
    hypothesis.strategies.SearchStrategy of ndarray of shape (dim,)
        Points ``x`` with ``||x|| = radius`` up to rounding.

    Raises
    ------
    ValueError
        If ``dim`` (an int) is < 2 or ``radius`` is not a finite number > 0.

    Examples
    --------
    >>> import numpy as np
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=20)
    ... @given(points_on_sphere(dims(max_dim=20), radius=1.3))
    ... def check(x):
    ...     assert abs(np.linalg.norm(x) - 1.3) < 1e-12
    >>> check()
    """
    r = float(check_positive(radius, "radius"))
    if isinstance(dim, _hst.SearchStrategy):
        return dim.flatmap(lambda d: _points(check_int(d, "dim", minimum=2), r))
    return _points(check_int(dim, "dim", minimum=2), r)


def _points(dim: int, radius: float) -> _hst.SearchStrategy[_np.ndarray]:
    coords = _hst.floats(-1.0, 1.0, allow_nan=False, allow_subnormal=False)

    def normalise(v: list[float]) -> _np.ndarray:
        x = _np.asarray(v, dtype=_np.float64)
        return radius * (x / _np.linalg.norm(x))

    vectors = _hst.lists(coords, min_size=dim, max_size=dim)
    return vectors.filter(lambda v: max(map(abs, v)) > 1e-100).map(normalise)


def cap_heights(
    min_value: float = -1.0, max_value: float = 1.0
) -> _hst.SearchStrategy[float]:
    """Cap heights ``t`` in ``[-1, 1]`` (the cap is ``{x_1 >= t}``).

    Parameters
    ----------
    min_value : float, default -1.0
        Lower end (>= -1).
    max_value : float, default 1.0
        Upper end (<= 1).

    Returns
    -------
    hypothesis.strategies.SearchStrategy of float
        Floats in ``[min_value, max_value]``; values near the poles and the
        equator are generated too.

    Raises
    ------
    ValueError
        If the bounds are outside ``[-1, 1]`` or in the wrong order.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from spheres_theory import cap_measure
    >>> @settings(max_examples=20)
    ... @given(cap_heights())
    ... def check(t):
    ...     assert 0.0 <= cap_measure(t, 50) <= 1.0
    >>> check()
    """
    _geom_bounds(min_value, max_value, "min_value", "max_value")
    if min_value < -1 or max_value > 1:
        msg = (
            "cap heights must lie in [-1, 1]; got "
            f"min_value={min_value!r}, max_value={max_value!r}."
        )
        raise ValueError(msg)
    lo, hi = float(min_value), float(max_value)
    near = _hst.sampled_from([v for v in (-1.0, 0.0, 1.0) if lo <= v <= hi] or [lo])
    return _hst.one_of(_hst.floats(lo, hi, allow_nan=False), near)


def error_rates(
    min_value: float = 1e-300, max_value: float = 0.5
) -> _hst.SearchStrategy[float]:
    """Error rates (measures of error sets) in the open interval (0, 1).

    Half of the draws are log-uniform between the bounds, so that deep tails
    such as 1e-200 occur as often as rates near ``max_value``.

    Parameters
    ----------
    min_value : float, default 1e-300
        Smallest rate (> 0).
    max_value : float, default 0.5
        Largest rate (< 1); rates above 1/2 (a cap larger than a hemisphere)
        are allowed with ``max_value`` up to ``1 - 2**-53``.

    Returns
    -------
    hypothesis.strategies.SearchStrategy of float
        Floats in ``[min_value, max_value]``.

    Raises
    ------
    ValueError
        If ``min_value <= 0``, ``max_value >= 1`` or ``min_value > max_value``.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from spheres_theory import cap_height
    >>> @settings(max_examples=20)
    ... @given(error_rates())
    ... def check(mu):
    ...     assert 0.0 <= cap_height(mu, 500) < 1.0
    >>> check()
    """
    _geom_bounds(min_value, max_value, "min_value", "max_value")
    if min_value <= 0 or max_value >= 1:
        msg = (
            "error rates must lie in (0, 1); got "
            f"min_value={min_value!r}, max_value={max_value!r}."
        )
        raise ValueError(msg)
    return _log_uniform(float(min_value), float(max_value))


# --- rule strategies (perfect, nearly perfect, two-level, random) -----------


def _rule_dims(dim: int | SearchStrategy[int]) -> SearchStrategy[int]:
    """Turn an int or a strategy of ints into a strategy of dims >= 2."""
    from hypothesis import strategies as st

    if isinstance(dim, st.SearchStrategy):
        return dim

    return st.just(check_int(dim, "dim", minimum=2))


def _rule_basis(draw: Any, dim: int, rotate: bool) -> Any:
    """Draw a random orthogonal basis (from a drawn seed) or None."""
    if not rotate:
        return None
    import numpy as np
    from hypothesis import strategies as st

    seed = draw(st.integers(0, 2**32 - 1))
    g = np.random.default_rng(seed).standard_normal((dim, dim))
    q, r = np.linalg.qr(g)
    return q * np.where(np.diag(r) < 0, -1.0, 1.0)


def _alpha_floats(lo: float, hi: float) -> SearchStrategy[float]:
    from hypothesis import strategies as st

    return st.floats(
        lo, hi, allow_nan=False, allow_infinity=False, allow_subnormal=False
    )


def perfect_rules(
    dim: int | SearchStrategy[int],
    outer_radius: float = 1.3,
    *,
    margin: float = 0.0,
    rotate: bool = False,
) -> SearchStrategy[QuadraticRule]:
    """Quadratic rules with every α in the perfect band [1/R², 1].

    Parameters
    ----------
    dim : int or hypothesis strategy of int
        Dimension (>= 2).
    outer_radius : float, default 1.3
        R; the band's lower end is
        ``ConcentricSpheres(dim, outer_radius=R).alpha_range[0]``
        (the same float that :meth:`QuadraticRule.is_perfect` compares with,
        so boundary values are included exactly).
    margin : float, default 0.0
        Keep α in ``[1/R² + margin, 1 − margin]`` (e.g. 1e-9 to stay clear of
        rounding when sampling points near the boundary).
    rotate : bool, default False
        Draw a random orthogonal ``basis`` instead of the identity.

    Returns
    -------
    hypothesis.strategies.SearchStrategy of QuadraticRule
        Rules with threshold +1 and zero error on both spheres (never every
        α = 1/R², which puts the outer sphere on the boundary).

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from spheres_theory import ConcentricSpheres
    >>> @settings(max_examples=5)
    ... @given(perfect_rules(5))
    ... def test(rule):
    ...     assert rule.is_perfect(ConcentricSpheres(5))
    >>> test()
    """
    from hypothesis import strategies as st

    @st.composite
    def rules(draw: Any) -> QuadraticRule:
        d = draw(_rule_dims(dim))
        lo, hi = ConcentricSpheres(d, outer_radius=outer_radius).alpha_range
        alphas = draw(
            st.lists(_alpha_floats(lo + margin, hi - margin), min_size=d, max_size=d)
        )
        if all(a == lo for a in alphas):
            # every α = 1/R² puts the whole outer sphere on the boundary
            alphas[-1] = hi - margin
        return QuadraticRule(alphas, _rule_basis(draw, d, rotate))

    return rules()


def nearly_perfect_rules(
    dim: int | SearchStrategy[int],
    outer_radius: float = 1.3,
    *,
    n_bad: int = 1,
    min_excess: float = 1e-3,
    max_excess: float = 0.1,
    rotate: bool = False,
) -> SearchStrategy[QuadraticRule]:
    """Perfect rules with ``n_bad`` coefficients moved just outside the band.

    Parameters
    ----------
    dim : int or hypothesis strategy of int
        Dimension (>= 2, and >= ``n_bad``).
    outer_radius : float, default 1.3
        R.
    n_bad : int, default 1
        How many α leave the band [1/R², 1]; each goes above 1 or below 1/R²
        (drawn) by an amount in ``[min_excess, max_excess]``.
    min_excess, max_excess : float
        Range of the distance to the band.
    rotate : bool, default False
        Draw a random orthogonal ``basis``.

    Returns
    -------
    hypothesis.strategies.SearchStrategy of QuadraticRule
        Rules with exactly ``n_bad`` α outside the band (positive error rate on
        at least one sphere).

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from spheres_theory import ConcentricSpheres
    >>> @settings(max_examples=5)
    ... @given(nearly_perfect_rules(6, n_bad=2))
    ... def test(rule):
    ...     assert rule.bad_alphas(ConcentricSpheres(6)).n_bad == 2
    >>> test()
    """
    from hypothesis import strategies as st

    @st.composite
    def rules(draw: Any) -> QuadraticRule:
        d = draw(_rule_dims(dim))
        lo, hi = ConcentricSpheres(d, outer_radius=outer_radius).alpha_range
        alphas = draw(st.lists(_alpha_floats(lo, hi), min_size=d, max_size=d))
        bad = draw(
            st.lists(st.integers(0, d - 1), min_size=n_bad, max_size=n_bad, unique=True)
        )
        for i in bad:
            delta = draw(_alpha_floats(min_excess, max_excess))
            alphas[i] = hi + delta if draw(st.booleans()) else lo - delta
        return QuadraticRule(alphas, _rule_basis(draw, d, rotate))

    return rules()


def two_level_rules(
    dim: int | SearchStrategy[int],
    *,
    min_alpha: float = 0.0,
    max_alpha: float = 2.0,
    rotate: bool = False,
) -> SearchStrategy[QuadraticRule]:
    """Rules with k coefficients equal to a and dim − k equal to b ≠ a.

    Their error rates have closed forms (Beta tails, docs/theory.md): with a > 1 > b
    the inner error is ``betaincc(k/2, (dim-k)/2, (1-b)/(a-b))``.

    Parameters
    ----------
    dim : int or hypothesis strategy of int
        Dimension (>= 2).
    min_alpha, max_alpha : float
        Range of the two levels.
    rotate : bool, default False
        Draw a random orthogonal ``basis``.

    Returns
    -------
    hypothesis.strategies.SearchStrategy of QuadraticRule
        Rules with threshold +1, alphas ``[a] * k + [b] * (dim - k)``,
        1 <= k < dim.

    Examples
    --------
    >>> import numpy as np
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(two_level_rules(4))
    ... def test(rule):
    ...     assert np.unique(rule.alphas).size == 2
    >>> test()
    """
    from hypothesis import strategies as st

    @st.composite
    def rules(draw: Any) -> QuadraticRule:
        d = draw(_rule_dims(dim))
        k = draw(st.integers(1, d - 1))
        a = draw(_alpha_floats(min_alpha, max_alpha))
        b = draw(_alpha_floats(min_alpha, max_alpha).filter(lambda v: v != a))
        return QuadraticRule([a] * k + [b] * (d - k), _rule_basis(draw, d, rotate))

    return rules()


def random_rules(
    dim: int | SearchStrategy[int],
    *,
    min_alpha: float = -2.0,
    max_alpha: float = 2.0,
    thresholds: tuple[float, ...] = (1.0, -1.0),
    rotate: bool = False,
) -> SearchStrategy[QuadraticRule]:
    """Arbitrary quadratic rules: mixed-sign α (zeros included), either threshold.

    Parameters
    ----------
    dim : int or hypothesis strategy of int
        Dimension (>= 2).
    min_alpha, max_alpha : float
        Range of α (0.0 is drawn often as well).
    thresholds : tuple of float, default (1.0, -1.0)
        Thresholds to draw from.
    rotate : bool, default False
        Draw a random orthogonal ``basis``.

    Returns
    -------
    hypothesis.strategies.SearchStrategy of QuadraticRule
        Rules of every kind (ellipsoid, cylinder, hyperboloid, complements,
        constant rules).

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(random_rules(3))
    ... def test(rule):
    ...     assert rule.dim == 3
    >>> test()
    """
    from hypothesis import strategies as st

    @st.composite
    def rules(draw: Any) -> QuadraticRule:
        d = draw(_rule_dims(dim))
        element = st.one_of(st.just(0.0), _alpha_floats(min_alpha, max_alpha))
        alphas = draw(st.lists(element, min_size=d, max_size=d))
        threshold = draw(st.sampled_from(thresholds))
        return QuadraticRule(alphas, _rule_basis(draw, d, rotate), threshold=threshold)

    return rules()
