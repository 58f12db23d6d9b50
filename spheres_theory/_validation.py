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


def check_finite_array(value: ArrayLike, name: str) -> NDArray[np.float64]:
    """Return ``value`` as a float64 array, rejecting NaN/inf and non-numbers."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        _fail(name, value, "a real number or array of real numbers")
    if not np.all(np.isfinite(arr)):
        _fail(name, value, "finite (no NaN or inf)")
    return arr


def check_dim(dim: ArrayLike, name: str = "dim") -> NDArray[np.float64]:
    """Return ``dim`` as a float64 array of integers >= 2."""
    arr = check_finite_array(dim, name)
    if np.any(arr < 2) or np.any(arr != np.round(arr)):
        _fail(name, dim, "an integer >= 2")
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
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        msg = f"`{name}` must be a real array; got {type(value).__name__}."
        raise ValueError(msg) from None
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
