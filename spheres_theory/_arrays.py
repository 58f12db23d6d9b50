"""Array conversion and checks shared by the rule modules (private).

Weights come from numpy, PyTorch or JAX.  :func:`to_numpy` is the documented
conversion: an object with a ``detach`` method (a ``torch.Tensor``) is
detached, moved to the CPU and, for dtypes numpy lacks (``bfloat16``, float8),
cast to float32 by torch itself before ``.numpy()``; anything else goes through
``numpy.asarray`` (JAX arrays implement ``__array__``; their ``bfloat16`` comes
out as an ``ml_dtypes`` dtype that casts to float64).  Neither library is
imported here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from .sphere import ConcentricSpheres

__all__: list[str] = []

# numpy dtype kinds accepted as real numbers: float, signed and unsigned int.
_REAL_KINDS = "fiu"
_REAL = "a real number or array of real numbers"


def to_numpy(value: Any) -> Any:
    """Return ``value`` as something ``numpy.asarray`` reads without loss.

    Parameters
    ----------
    value : object
        A torch tensor (any device, with or without ``requires_grad``, any
        float dtype including bfloat16), a JAX array, a numpy array or a
        nested sequence of numbers.

    Returns
    -------
    object
        A numpy array for tensors; ``value`` itself otherwise.
    """
    if hasattr(value, "detach") and hasattr(value, "numpy"):
        t = value.detach()
        if hasattr(t, "cpu"):
            t = t.cpu()
        name = str(getattr(t, "dtype", ""))
        if "bfloat16" in name or "float8" in name:
            t = t.float()  # exact: every bfloat16/float8 value is a float32
        return t.numpy()
    return value


def input_eps(value: Any) -> float:
    """Return the unit roundoff of the stored dtype of ``value`` (0 for float64).

    Parameters
    ----------
    value : object
        An array or tensor as passed by the user.

    Returns
    -------
    float
        ``numpy.finfo(dtype).eps`` for floats narrower than float64
        (bfloat16: 2**-7), else 0.
    """
    name = str(getattr(value, "dtype", "")).removeprefix("torch.")
    if "bfloat16" in name:
        return 2.0**-7
    if "float8" in name:
        return 2.0**-3
    try:
        dtype = np.dtype(name)
    except TypeError:
        return 0.0
    if dtype.kind == "f" and dtype.itemsize < 8:
        return float(np.finfo(dtype).eps)
    return 0.0


def _refuse(name: str, what: str) -> None:
    msg = f"`{name}` must be {what}."
    raise ValueError(msg)


def as_real_array(value: Any, name: str) -> NDArray[np.float64]:
    """Convert to a float64 array, refusing None, strings, bools and complex.

    Parameters
    ----------
    value : object
        Numbers, an array, a tensor (see :func:`to_numpy`).
    name : str
        Parameter name for the error message.

    Returns
    -------
    ndarray of float64
        Not checked for finiteness or shape.

    Raises
    ------
    ValueError
        Naming ``name`` for None, strings, bools, complex or non-numeric data.
    """
    if value is None or isinstance(value, str | bytes):
        _refuse(
            name, f"a real number or array of real numbers; got {type(value).__name__}"
        )
    raw = to_numpy(value)
    try:
        arr = np.asarray(raw)
    except (TypeError, ValueError):
        _refuse(
            name, f"a real number or array of real numbers; got {type(value).__name__}"
        )
    kind = arr.dtype.kind
    if kind == "c":
        _refuse(name, f"real; got complex data ({arr.dtype})")
    if kind == "b":
        _refuse(name, f"{_REAL}, not booleans")
    if kind == "V":  # ml_dtypes (JAX bfloat16, float8): cast is exact
        try:
            return arr.astype(np.float64)
        except (TypeError, ValueError):
            _refuse(
                name, f"a real number or array of real numbers; got dtype {arr.dtype}"
            )
    if kind not in _REAL_KINDS:
        _refuse(
            name,
            f"{_REAL}; got {type(value).__name__} of dtype {arr.dtype}",
        )
    return arr.astype(np.float64)


def as_float_array(value: Any, name: str, ndim: int) -> NDArray[np.float64]:
    """Convert to a finite, non-empty float64 array of rank ``ndim``.

    Parameters
    ----------
    value : object
        See :func:`as_real_array`.
    name : str
        Parameter name for the error message.
    ndim : int
        Required rank.

    Returns
    -------
    ndarray of float64

    Raises
    ------
    ValueError
        For the wrong rank, empty or non-finite data, or what
        :func:`as_real_array` refuses.
    """
    arr = as_real_array(value, name)
    if arr.ndim != ndim:
        _refuse(name, f"a {ndim}-d array; got shape {arr.shape}")
    if arr.size == 0:
        msg = f"`{name}` must not be empty; got shape {arr.shape}."
        raise ValueError(msg)
    bad = int(np.count_nonzero(~np.isfinite(arr)))
    if bad:
        _refuse(name, f"finite; found {bad} NaN/inf entries")
    return arr


def as_scalar(value: Any, name: str) -> float:
    """Convert to a finite real number (a size-1 array is accepted).

    Parameters
    ----------
    value : object
        See :func:`as_real_array`.
    name : str
        Parameter name for the error message.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        For more than one number, non-finite values or what
        :func:`as_real_array` refuses.
    """
    arr = as_real_array(value, name)
    if arr.size != 1:
        _refuse(name, f"a single number; got shape {arr.shape}")
    out = float(arr.reshape(()))
    if not np.isfinite(out):
        _refuse(name, f"a finite number; got {out!r}")
    return out


def check_spheres(spheres: Any, dim: int) -> ConcentricSpheres:
    """Require a :class:`ConcentricSpheres` of dimension ``dim``.

    Parameters
    ----------
    spheres : object
        The data set.
    dim : int
        The rule's dimension.

    Returns
    -------
    ConcentricSpheres

    Raises
    ------
    ValueError
        For another type or another dimension.
    """
    if not isinstance(spheres, ConcentricSpheres):
        msg = (
            "`spheres` must be a ConcentricSpheres instance; "
            f"got {type(spheres).__name__}."
        )
        raise ValueError(msg)
    if spheres.dim != dim:
        msg = f"`spheres.dim` must equal the rule's dim {dim}; got {spheres.dim}."
        raise ValueError(msg)
    return spheres
