"""Saving and loading result objects (``.npz`` arrays beside ``.json`` metadata)."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from spheres_theory.sweeps import (
    BoundSweepResult,
    CheckpointSweepResult,
    MonteCarloResult,
)

_RESULT_TYPES: dict[str, type] = {
    cls.__name__: cls
    for cls in (BoundSweepResult, CheckpointSweepResult, MonteCarloResult)
}


class Result:
    """Mixin: every result is a frozen dataclass of arrays and JSON values."""

    __slots__ = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # The dataclass decorator (slots=True) builds the final class last.
        _RESULT_TYPES[cls.__name__] = cls


def _arrays_and_meta(result: Any) -> tuple[dict[str, NDArray[Any]], dict[str, Any]]:
    """Split a result dataclass into its arrays and its JSON values."""
    arrays: dict[str, NDArray[Any]] = {}
    meta: dict[str, Any] = {}
    for f in dataclasses.fields(result):
        value = getattr(result, f.name)
        if isinstance(value, np.ndarray):
            arrays[f.name] = value
        else:
            meta[f.name] = jsonable(value)
    return arrays, meta


def jsonable(value: Any) -> Any:
    """Turn numpy scalars, tuples and non-finite floats into JSON values."""
    if isinstance(value, tuple | list):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        value = float(value)
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    return value


def from_json(value: Any) -> Any:
    """Invert :func:`jsonable` (lists back to tuples)."""
    if isinstance(value, list):
        return tuple(from_json(v) for v in value)
    if isinstance(value, dict):
        return {k: from_json(v) for k, v in value.items()}
    if value in ("nan", "inf", "-inf"):
        return float(value)
    return value


def save_result(
    result: Any, path: str | Path, *, extra: Mapping[str, Any] | None = None
) -> None:
    """Save an experiment result as ``PATH.npz`` (arrays) and ``PATH.json``.

    Parameters
    ----------
    result : result object of this module
        What to save.
    path : str or path-like
        Base path without suffix.
    extra : mapping, optional
        Additional JSON-serialisable metadata stored under ``"extra"``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from spheres_theory.sweeps import bound_sweep
    >>> r = bound_sweep([500], [1e-2])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     save_result(r, pathlib.Path(tmp) / "sweep")
    ...     print(round(float(load_result(pathlib.Path(tmp) / "sweep").exact[0, 0]), 4))
    0.1042
    """
    path = Path(path)
    arrays, meta = _arrays_and_meta(result)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path.with_suffix(".npz"), **arrays)
    doc = {"type": type(result).__name__, "fields": meta, "extra": dict(extra or {})}
    path.with_suffix(".json").write_text(
        json.dumps(jsonable(doc), indent=1, sort_keys=True) + "\n"
    )


def load_result(path: str | Path) -> Any:
    """Load a result written by :func:`save_result`.

    Parameters
    ----------
    path : str or path-like
        Base path without suffix.

    Returns
    -------
    result object
        An instance of the saved class.

    Raises
    ------
    ValueError
        If the files do not hold a result of this module.
    OSError
        If a file cannot be read.

    Examples
    --------
    See :func:`save_result`.
    """
    path = Path(path)
    doc = json.loads(path.with_suffix(".json").read_text())
    from . import items as _items  # noqa: F401  (registers the result types)

    cls = _RESULT_TYPES.get(doc.get("type", ""))
    if cls is None:
        msg = f"`path` {str(path)!r} does not hold a spheres_theory experiment result."
        raise ValueError(msg)
    with np.load(path.with_suffix(".npz"), allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    kwargs = {k: from_json(v) for k, v in doc["fields"].items()}
    kwargs.update(arrays)
    return cls(**kwargs)
