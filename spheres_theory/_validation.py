"""Input validation shared by the public functions (private).

Validate once, at the public boundary: messages name the parameter, show its
``repr`` and state the rule.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray


def _fail(name: str, value: Any, rule: str) -> None:
    msg = f"`{name}` must be {rule}; got {value!r}."
    raise ValueError(msg)


def as_real_array(value: Any, name: str) -> NDArray[np.float64]:
    """Return ``value`` as a float64 array of real numbers (NaN/inf allowed).

    Refuses what numpy would silently convert: strings (``'0.5'``), bools,
    complex numbers (the imaginary part would be dropped) and objects.
    """
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError, OverflowError):
        raw = np.asarray(None)
    if raw.dtype.kind == "O" and raw.size and _all_ints(raw):
        raw = raw.astype(np.float64)  # Python ints beyond int64, e.g. 10**20
    if raw.dtype.kind not in "iuf":
        what = {"b": "bool", "c": "complex", "U": "str", "S": "bytes"}.get(
            raw.dtype.kind, f"dtype {raw.dtype}"
        )
        msg = (
            f"`{name}` must be a real number or array of real numbers "
            f"(not {what}); got {_short_repr(value)}."
        )
        raise ValueError(msg)
    return raw.astype(np.float64)


def _all_ints(raw: NDArray[Any]) -> bool:
    return all(isinstance(v, int) and not isinstance(v, bool) for v in raw.flat)


def _short_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def check_rng(rng: Any) -> np.random.Generator:
    """Return :func:`numpy.random.default_rng` of ``rng``, naming it on failure."""
    if isinstance(rng, bool | np.bool_) or isinstance(rng, str | bytes):
        _fail("rng", rng, "None, an int seed, a SeedSequence or a Generator")
    try:
        return np.random.default_rng(rng)
    except (TypeError, ValueError):
        _fail("rng", rng, "None, an int seed, a SeedSequence or a Generator")
    raise AssertionError  # pragma: no cover (unreachable)


def check_confidence(value: Any, name: str = "confidence") -> float:
    """Return a confidence level as a float in the open interval (0, 1)."""
    arr = as_real_array(value, name)
    if arr.ndim != 0 or not 0 < float(arr) < 1:
        _fail(name, value, "a number in the open interval (0, 1)")
    return float(arr)


def check_spheres(spheres: Any, dim: int, cls: type) -> Any:
    """Check that ``spheres`` is a ``cls`` (ConcentricSpheres) of dimension ``dim``.

    The class is passed in because this module ranks below ``sphere``.
    """
    if not isinstance(spheres, cls):
        msg = (
            f"`spheres` must be a {cls.__name__} instance; "
            f"got {type(spheres).__name__}."
        )
        raise ValueError(msg)
    if spheres.dim != dim:
        msg = f"`spheres.dim` must equal the rule's dim {dim}; got {spheres.dim}."
        raise ValueError(msg)
    return spheres


def check_finite_array(value: ArrayLike, name: str) -> NDArray[np.float64]:
    """Return ``value`` as a float64 array, rejecting NaN/inf and non-numbers."""
    arr = as_real_array(value, name)
    if not np.all(np.isfinite(arr)):
        _fail(name, value, "finite (no NaN or inf)")
    return arr


def check_dim(
    dim: ArrayLike, name: str = "dim", *, maximum: int | None = None
) -> NDArray[np.float64]:
    """Return ``dim`` as a float64 array of integers in ``[2, maximum]``.

    Integer input is compared with ``maximum`` exactly (``10**16 + 1`` rounds
    to ``1e16`` in float64).
    """
    arr = check_finite_array(dim, name)
    rule = "an integer >= 2" if maximum is None else f"an integer in [2, {maximum}]"
    if np.any(arr < 2) or np.any(arr != np.round(arr)):
        _fail(name, dim, rule)
    if maximum is not None:
        raw = np.asarray(dim)
        big = raw > maximum if raw.dtype.kind in "iu" else arr > maximum
        if np.any(big):
            _fail(name, dim, rule + " (float64 cannot resolve larger dimensions)")
    return arr


def check_int(value: Any, name: str, *, minimum: int = 0) -> int:
    """Return ``value`` as a Python ``int`` >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        if isinstance(value, float | np.floating) and np.isfinite(value):
            if value == int(value):
                value = int(value)
            else:
                _fail(name, value, f"an integer >= {minimum}")
        else:
            _fail(name, value, f"an integer >= {minimum}")
    if value < minimum:
        _fail(name, value, f"an integer >= {minimum}")
    return int(value)


def check_positive(value: ArrayLike, name: str) -> NDArray[np.float64]:
    """Return ``value`` as a float64 array of finite numbers > 0."""
    arr = check_finite_array(value, name)
    if np.any(arr <= 0):
        _fail(name, value, "a finite number > 0")
    return arr


def check_nonnegative(value: ArrayLike, name: str) -> NDArray[np.float64]:
    """Return ``value`` as a float64 array of finite numbers >= 0."""
    arr = check_finite_array(value, name)
    if np.any(arr < 0):
        _fail(name, value, "a finite number >= 0")
    return arr


def check_outer_radius(value: Any, name: str = "outer_radius") -> float:
    """Return ``value`` as a float, requiring a number > 1 with a finite square."""
    arr = check_finite_array(value, name)
    if arr.ndim != 0 or not arr > 1:
        _fail(name, value, "a finite number > 1")
    radius = float(arr)
    if not math.isfinite(radius * radius):  # Python floats: no overflow warning
        _fail(name, value, "a number > 1 whose square is finite in float64")
    return radius


def check_error_rate(value: ArrayLike, name: str = "error_rate") -> NDArray[np.float64]:
    """Return ``value`` as a float64 array with entries in the open interval (0, 1)."""
    arr = check_finite_array(value, name)
    if np.any(arr <= 0) or np.any(arr >= 1):
        _fail(name, value, "in the open interval (0, 1)")
    return arr


def check_log_error_rate(
    value: ArrayLike, name: str = "log_error_rate"
) -> NDArray[np.float64]:
    """Return a natural-log error rate as a float64 array, every entry < 0."""
    arr = check_finite_array(value, name)
    if np.any(arr >= 0):
        _fail(name, value, "a finite natural log of an error rate, i.e. < 0")
    return arr


def check_bool(value: Any, name: str) -> bool:
    """Return ``value`` as a ``bool``, accepting only ``bool`` and ``numpy.bool_``."""
    if not isinstance(value, bool | np.bool_):
        _fail(name, value, "True or False")
    return bool(value)


def check_points(value: ArrayLike, dim: int, name: str) -> NDArray[np.float64]:
    """Return ``value`` as a float64 array of shape ``(dim,)`` or ``(n, dim)``.

    Messages show the type and the shape, never the (possibly huge) array.
    """
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError, OverflowError):
        raw = np.asarray(None)
    if raw.dtype.kind not in "iuf":
        msg = (
            f"`{name}` must be a real array (not bool, complex, str or object); "
            f"got {type(value).__name__} of dtype {raw.dtype}."
        )
        raise ValueError(msg)
    arr = np.asarray(raw, dtype=np.float64)
    if arr.ndim not in (1, 2) or arr.shape[-1] != dim:
        msg = f"`{name}` must have shape ({dim},) or (n, {dim}); got {arr.shape}."
        raise ValueError(msg)
    return arr


def check_choice(value: Any, name: str, choices: Iterable[Any]) -> Any:
    """Return ``value`` if it is one of ``choices``, else raise listing them."""
    options = tuple(choices)
    if value not in options:
        listed = ", ".join(repr(c) for c in options)
        _fail(name, value, f"one of {listed}")
    return value


def check_method(method: Any, valid: Iterable[str | None]) -> Any:
    """Validate a ``method=`` keyword against the valid routes (``None`` = best)."""
    return check_choice(method, "method", valid)


def check_sphere(sphere: Any, *, allow_both: bool = False) -> str:
    """Validate ``sphere`` (``"inner"``, ``"outer"``, and ``"both"`` if allowed)."""
    options = ("inner", "outer", "both") if allow_both else ("inner", "outer")
    return check_choice(sphere, "sphere", options)
