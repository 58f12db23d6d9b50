"""Model files and resumable training states (``.npz``, no pickles).

:func:`save_model` / :func:`load_model` write and read a model's parameters;
:func:`save_training_state` / :func:`load_training_state` write and read a
model together with the :class:`TrainingState` that lets
:func:`spheres_theory.training.train` continue a run bit for bit.  These are
re-exported by :mod:`spheres_theory.training`, their public home.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .models import QuadNet, ReLUNet

__all__ = [
    "TrainingState",
    "load_model",
    "load_training_state",
    "save_model",
    "save_training_state",
]

_MODEL_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
_STATE_FORMAT = 1


@dataclass(frozen=True, slots=True, eq=False)
class TrainingState:
    """Where a :func:`train` run stands: what it needs to continue bit for bit.

    Pass it back as ``train(..., state=...)`` (with the same model, data
    arguments, ``rng`` and ``batch_size``) to continue; write it to disk with
    :func:`save_training_state`.

    Attributes
    ----------
    step : int
        Adam steps done so far, over all calls (the 1-based step of the next
        update is ``step + 1``).
    m, v : ndarray, shape (n_parameters,)
        Adam's moment buffers in the model's dtype, as :func:`adam_update`
        keeps them (first and second moments divided by ``1 - beta1`` and
        ``1 - beta2``); read-only.
    rng_state : dict
        State of the data generator's bit generator at the start of the
        current chunk of samples (online) or of the current permutation
        (fixed set).
    position : int
        Points already used from that chunk or permutation.
    batch_size : int
        The batch size of the run (a different one would change the stream
        of batches).
    data_digest : str
        BLAKE2b digest of the fixed training set (points and labels), ``""``
        for online sampling; a resumed run checks that it trains on the same
        set.

    Examples
    --------
    >>> from spheres_theory import ConcentricSpheres
    >>> from spheres_theory.models import QuadNet
    >>> from spheres_theory.training import train
    >>> sp, net = ConcentricSpheres(4), QuadNet(4, hidden=3, rng=0)
    >>> first = train(net, sp, steps=5, rng=0, exact_checkpoints=False)
    >>> first.state.step, first.state.m.shape
    (5, (14,))
    >>> second = train(net, sp, steps=5, state=first.state, exact_checkpoints=False)
    >>> second.state.step
    10
    """

    step: int
    m: NDArray[np.floating]
    v: NDArray[np.floating]
    rng_state: dict[str, Any]
    position: int
    batch_size: int
    data_digest: str


def _model_arrays(model: QuadNet | ReLUNet) -> dict[str, NDArray[Any]]:
    arrays: dict[str, NDArray[Any]] = {"kind": np.array(type(model).__name__)}
    if isinstance(model, QuadNet):
        arrays.update(W=np.array(model.W), w=np.array(model.w), b=np.array(model.b))
    elif isinstance(model, ReLUNet):
        arrays.update(
            hidden=np.array(model.hidden, dtype=np.int64),
            batch_norm=np.array(model.batch_norm),
            eps=np.array(model.eps),
            momentum=np.array(model.momentum),
        )
        arrays.update({k: np.array(v) for k, v in model._params.items()})
        arrays.update({k: np.array(v) for k, v in model.state.items()})
    else:
        msg = f"`model` must be a QuadNet or ReLUNet; got {model!r}."
        raise ValueError(msg)
    return arrays


def _npz_path(path: str | Path) -> Path:
    p = Path(path)
    return p if p.suffix == ".npz" else p.with_name(p.name + ".npz")


def save_model(model: QuadNet | ReLUNet, path: str | Path) -> Path:
    """Save a model's parameters to a ``.npz`` file.

    Parameters
    ----------
    model : QuadNet or ReLUNet
    path : str or pathlib.Path
        Destination; ``.npz`` is appended if missing.

    Returns
    -------
    pathlib.Path
        The file written.

    Notes
    -----
    A quad net's file holds arrays ``W`` (hidden × dim), ``w`` and ``b`` (0-d),
    which is all ``spheres-theory verify FILE.npz`` reads, plus ``kind``.  A
    ReLU net's file holds ``kind``, ``hidden``, ``batch_norm``, ``eps``,
    ``momentum``, every parameter and every running average.  No pickles.

    Examples
    --------
    >>> import tempfile, os
    >>> net = QuadNet(3, hidden=4, rng=0)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = save_model(net, os.path.join(tmp, "net"))
    ...     sorted(np.load(path).files)
    ['W', 'b', 'kind', 'w']
    """
    arrays = _model_arrays(model)
    p = _npz_path(path)
    np.savez(p, **arrays)  # type: ignore[arg-type]
    return p


def _read_npz(path: str | Path) -> dict[str, NDArray[Any]]:
    with np.load(Path(path), allow_pickle=False) as f:
        return {k: f[k] for k in f.files}


def load_model(path: str | Path) -> QuadNet | ReLUNet:
    """Load a model written by :func:`save_model`.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.npz`` file.  A file with arrays ``W``, ``w``, ``b`` and no ``kind``
        is read as a quad net.

    Returns
    -------
    QuadNet or ReLUNet
        With the dtype of the stored ``W`` / ``W1``.

    Raises
    ------
    ValueError
        If the file lacks the arrays of a known model.
    OSError
        If the file cannot be read.

    Examples
    --------
    >>> import tempfile, os
    >>> net = ReLUNet(3, hidden=(4, 4), rng=0)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     back = load_model(save_model(net, os.path.join(tmp, "relu.npz")))
    >>> bool(np.array_equal(back.params["W2"], net.params["W2"]))
    True
    """
    return _model_from_arrays(_read_npz(path), path)


def _quad_from_arrays(data: dict[str, NDArray[Any]], path: str | Path) -> QuadNet:
    missing = {"W", "w", "b"} - set(data)
    if missing:
        msg = f"`path` {str(path)!r} lacks the quad-net arrays {sorted(missing)}."
        raise ValueError(msg)
    W = np.asarray(data["W"])
    if W.ndim != 2 or np.size(data["w"]) != 1 or np.size(data["b"]) != 1:
        msg = f"`path` {str(path)!r}: `W` must be 2-d and `w`, `b` scalars."
        raise ValueError(msg)
    dtype = W.dtype if W.dtype in _MODEL_DTYPES else np.dtype(np.float64)
    net = QuadNet(W.shape[1], W.shape[0], rng=0, dtype=dtype)
    net.W = W
    net.w = float(np.ravel(data["w"])[0])
    net.b = float(np.ravel(data["b"])[0])
    return net


def _relu_from_arrays(data: dict[str, NDArray[Any]], path: str | Path) -> ReLUNet:
    try:
        hidden = tuple(int(h) for h in data["hidden"])
        relu = ReLUNet(
            int(data["W1"].shape[1]),
            hidden,
            batch_norm=bool(data["batch_norm"]),
            rng=0,
            dtype=data["W1"].dtype,
        )
        for name in relu._params:
            relu._set(name, data[name])
        for name, arr in relu.state.items():
            arr[...] = data[name]
        relu.eps = float(data["eps"])
        relu.momentum = float(data["momentum"])
    except KeyError as exc:
        msg = f"`path` {str(path)!r} lacks the ReLU-net array {exc.args[0]!r}."
        raise ValueError(msg) from None
    return relu


def _model_from_arrays(
    data: dict[str, NDArray[Any]], path: str | Path
) -> QuadNet | ReLUNet:
    kind = str(data["kind"]) if "kind" in data else "QuadNet"
    if kind == "QuadNet":
        return _quad_from_arrays(data, path)
    if kind == "ReLUNet":
        return _relu_from_arrays(data, path)
    msg = f"`path` {str(path)!r} holds an unknown model kind {kind!r}."
    raise ValueError(msg)


def _write_atomic(path: Path, arrays: dict[str, NDArray[Any]]) -> None:
    """Write ``arrays`` to ``path`` through a temporary file and a rename."""
    fd, tmp = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".partial"
    )
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)  # type: ignore[arg-type]
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_training_state(
    path: str | Path, model: QuadNet | ReLUNet, state: TrainingState
) -> Path:
    """Save a model and its :class:`TrainingState` to one ``.npz``, atomically.

    Parameters
    ----------
    path : str or pathlib.Path
        Destination; ``.npz`` is appended if missing.  Its folder must exist.
    model : QuadNet or ReLUNet
        The model being trained (its parameters and batch-norm averages).
    state : TrainingState
        ``TrainingHistory.state`` of the run that trained ``model``.

    Returns
    -------
    pathlib.Path
        The file written.

    Notes
    -----
    The file is written to a temporary file in the same folder, flushed to
    disk, then renamed over ``path`` (:func:`os.replace`): a run killed while
    saving leaves the previous complete file in place, never a half-written
    one.  The arrays are the model's (as :func:`save_model` writes them, so
    ``load_model`` and ``spheres-theory verify`` read the file too) and
    ``train_step``, ``train_m``, ``train_v``, ``train_rng_state`` (JSON),
    ``train_position``, ``train_batch_size``, ``train_data_digest`` and
    ``train_format``.  No pickles.

    Examples
    --------
    >>> import tempfile, os
    >>> from spheres_theory import ConcentricSpheres
    >>> from spheres_theory.training import train
    >>> sp, net = ConcentricSpheres(4), QuadNet(4, hidden=3, rng=0)
    >>> hist = train(net, sp, steps=7, rng=0, exact_checkpoints=False)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = save_training_state(os.path.join(tmp, "run"), net, hist.state)
    ...     back, state = load_training_state(path)
    >>> state.step, bool(np.array_equal(back.W, net.W))
    (7, True)
    """
    if not isinstance(state, TrainingState):
        msg = f"`state` must be a TrainingState; got {state!r}."
        raise ValueError(msg)
    arrays = _model_arrays(model)
    if state.m.shape != (model.n_parameters,) or state.m.dtype != model.dtype:
        msg = "`state` does not belong to `model` (moment buffers of another shape)."
        raise ValueError(msg)
    arrays.update(
        train_format=np.array(_STATE_FORMAT, dtype=np.int64),
        train_step=np.array(state.step, dtype=np.int64),
        train_m=np.asarray(state.m),
        train_v=np.asarray(state.v),
        train_rng_state=np.array(json.dumps(state.rng_state)),
        train_position=np.array(state.position, dtype=np.int64),
        train_batch_size=np.array(state.batch_size, dtype=np.int64),
        train_data_digest=np.array(state.data_digest),
    )
    p = _npz_path(path)
    _write_atomic(p, arrays)
    return p


def load_training_state(path: str | Path) -> tuple[QuadNet | ReLUNet, TrainingState]:
    """Load a model and its :class:`TrainingState` saved by :func:`save_training_state`.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.npz`` file written by :func:`save_training_state`.

    Returns
    -------
    model : QuadNet or ReLUNet
        A new model with the saved parameters (and batch-norm averages).
    state : TrainingState
        Pass it with ``model`` to :func:`spheres_theory.training.train` to
        continue the run.

    Raises
    ------
    ValueError
        If the file holds no training state (or a model without one).
    OSError
        If the file cannot be read.

    Examples
    --------
    See :func:`save_training_state`.
    """
    data = _read_npz(path)
    if "train_format" not in data:
        msg = f"`path` {str(path)!r} holds no training state."
        raise ValueError(msg)
    if int(data["train_format"]) != _STATE_FORMAT:
        msg = (
            f"`path` {str(path)!r} holds a training state of format "
            f"{int(data['train_format'])}; this version reads {_STATE_FORMAT}."
        )
        raise ValueError(msg)
    model = _model_from_arrays(data, path)
    m, v = np.array(data["train_m"]), np.array(data["train_v"])
    m.flags.writeable = False
    v.flags.writeable = False
    state = TrainingState(
        step=int(data["train_step"]),
        m=m,
        v=v,
        rng_state=json.loads(str(data["train_rng_state"])),
        position=int(data["train_position"]),
        batch_size=int(data["train_batch_size"]),
        data_digest=str(data["train_data_digest"]),
    )
    return model, state
