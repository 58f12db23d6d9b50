"""Training of the small numpy networks: Adam, online or on fixed data.

:func:`train` runs Adam (Kingma & Ba 2015, PyTorch's placement of ``eps``) on
the sigmoid cross-entropy of a :class:`~spheres_theory.models.QuadNet` or
:class:`~spheres_theory.models.ReLUNet`, on fresh samples of the spheres at
every step (the paper's online training), on a fixed sample drawn once, or on
data given by the caller; it records :class:`Checkpoint` objects at chosen
steps, with the exact error rates of a quad net's rule.

References
----------
J. Gilmer et al., "Adversarial Spheres", arXiv:1801.02774, 2018, §4.
"""

from __future__ import annotations

import copy
import hashlib
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.linalg import blas

from ._persistence import (
    TrainingState,
    load_model,
    load_training_state,
    save_model,
    save_training_state,
)
from ._validation import check_int, check_positive
from .models import QuadNet, ReLUNet
from .sphere import ConcentricSpheres

__all__ = [
    "Checkpoint",
    "TrainingHistory",
    "TrainingState",
    "adam_update",
    "load_model",
    "load_training_state",
    "save_model",
    "save_training_state",
    "train",
]

BatchTransform = Callable[[Any, Any, Any], tuple[Any, Any]]
LearningRate = float | Callable[[int], float]


def adam_update(
    param: NDArray[np.floating],
    grad: NDArray[np.floating],
    m: NDArray[np.floating],
    v: NDArray[np.floating],
    step: int,
    *,
    lr: float = 1e-4,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    work: NDArray[np.floating] | None = None,
) -> None:
    """One Adam step, in place and without allocation.

    Parameters
    ----------
    param, grad : ndarray
        Parameters (updated in place) and their gradient.
    m, v : ndarray
        Moment buffers, same shape and dtype, zero before the first step and
        updated in place.  They hold the first and second moments divided by
        ``1 - beta1`` and ``1 - beta2`` (see Notes).
    step : int
        The 1-based step number (for the bias correction).
    lr : float, default 1e-4
        Learning rate (paper: 1e-4).
    betas : tuple of float, default (0.9, 0.999)
        Moment decay rates.
    eps : float, default 1e-8
        Denominator offset, applied to the bias-corrected second moment as in
        PyTorch: ``param -= lr * m̂ / (sqrt(v̂) + eps)``.
    work : ndarray, optional
        Scratch array of the same shape and dtype; allocated if omitted.

    Returns
    -------
    None

    Notes
    -----
    Kingma & Ba (2015), Algorithm 1, with PyTorch's placement of ``eps``.  With
    the rescaled buffers ``M = m / (1 - beta1)`` and ``V = v / (1 - beta2)``
    the recursions become ``M <- beta1 M + g`` and ``V <- beta2 V + g²``, and
    the step is ``param -= c M / (sqrt(V) + e)`` with scalars
    ``c = lr (1 - beta1) sqrt(bc2 / (1 - beta2)) / bc1`` and
    ``e = eps sqrt(bc2 / (1 - beta2))`` (``bc_k = 1 - beta_k**step``): exactly
    Adam, in 9 in-place elementwise passes and no temporary arrays (the last,
    ``param -= c * q``, is one BLAS ``axpy`` for contiguous float arrays).

    Examples
    --------
    >>> p, g = np.array([1.0, -1.0]), np.array([0.5, -2.0])
    >>> m, v = np.zeros(2), np.zeros(2)
    >>> adam_update(p, g, m, v, 1, lr=0.1)
    >>> p.round(6).tolist()  # the first step moves every coordinate by ~lr
    [0.9, -0.9]
    """
    beta1, beta2 = betas
    tmp = np.empty_like(param) if work is None else work
    bc1 = 1.0 - beta1**step
    bc2 = 1.0 - beta2**step
    # M <- beta1 M + g ;  V <- beta2 V + g^2
    m *= beta1
    m += grad
    np.multiply(grad, grad, out=tmp)
    v *= beta2
    v += tmp
    # param -= lr/bc1 (1-b1) M / (sqrt((1-b2) V / bc2) + eps)
    #        = c M / (sqrt(V) + e)
    k = math.sqrt(bc2 / (1.0 - beta2))
    np.sqrt(v, out=tmp)
    tmp += eps * k
    np.divide(m, tmp, out=tmp)
    _axpy(-lr * (1.0 - beta1) * k / bc1, tmp, param)


_AXPY = {np.dtype(np.float32): blas.saxpy, np.dtype(np.float64): blas.daxpy}


def _axpy(a: float, x: NDArray[np.floating], y: NDArray[np.floating]) -> None:
    """``y += a * x`` in place, in one pass (BLAS axpy) where the layout allows."""
    axpy = _AXPY.get(y.dtype)
    if (
        axpy is not None
        and x.dtype == y.dtype
        and y.flags.c_contiguous
        and x.flags.c_contiguous
        and y.size > 0
    ):
        axpy(x.reshape(-1), y.reshape(-1), a=a)
    else:
        x *= a
        y += x


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """One checkpoint of :func:`train`.

    Attributes
    ----------
    step : int
        Number of Adam steps done.
    loss : float
        Mean training batch loss over the steps since the previous checkpoint.
    accuracy : float
        Mean training batch accuracy over the same steps (for a ReLU net with
        batch norm, in training mode: batch statistics of ``batch_size``
        points make it lower than the evaluation-mode accuracy of
        :meth:`ReLUNet.predict`).
    log10_error_inner, log10_error_outer : float or None
        Quad nets only: exact log10 error rate of the net's rule on each sphere
        (``-inf`` for a rule without errors there).
    n_bad_alphas : int or None
        Quad nets only: number of rule coefficients outside ``[1/R², 1]``.
    worst_loss : float or None
        Quad nets only: the exact largest loss over both spheres (at the
        rule's extreme axes), ``softplus`` of the worst logit.
    """

    step: int
    loss: float
    accuracy: float
    log10_error_inner: float | None = None
    log10_error_outer: float | None = None
    n_bad_alphas: int | None = None
    worst_loss: float | None = None


@dataclass(frozen=True, slots=True, eq=False)
class TrainingHistory:
    """Result of :func:`train`.

    Attributes
    ----------
    loss : ndarray, shape (steps_done,)
        Training loss of every batch.
    accuracy : ndarray, shape (steps_done,)
        Training accuracy of every batch.
    checkpoints : tuple of Checkpoint
        Records at step 0 (if asked), at ``checkpoint_steps``, every
        ``checkpoint_every`` steps and at the end.
    steps_done : int
        Steps run in this call (fewer than asked if a callback stopped
        training); ``state.step`` counts the steps of earlier calls too.
    batch_size : int
    lr : float
        The learning rate of the last step.
    readout_lr : float
        The learning rate of the readout parameters at the last step.
    train_size : int or None
        Size of the fixed training set, None for online sampling.
    seconds : float
        Wall-clock training time.
    state : TrainingState
        Where training stands at the end: pass it to :func:`train` as
        ``state`` to continue, or save it with :func:`save_training_state`.
    """

    loss: NDArray[np.float64]
    accuracy: NDArray[np.float64]
    checkpoints: tuple[Checkpoint, ...]
    steps_done: int
    batch_size: int
    lr: float
    readout_lr: float
    train_size: int | None
    seconds: float
    state: TrainingState

    def table(self) -> dict[str, NDArray[np.float64]]:
        """Checkpoint fields as arrays (None becomes NaN).

        Returns
        -------
        dict of str to ndarray
            One array per :class:`Checkpoint` field, in checkpoint order.
        """
        names = [f.name for f in fields(Checkpoint)]
        return {
            name: np.array(
                [
                    np.nan if getattr(c, name) is None else getattr(c, name)
                    for c in self.checkpoints
                ],
                dtype=np.float64,
            )
            for name in names
        }


def _softplus(z: float) -> float:
    return max(z, 0.0) + math.log1p(math.exp(-abs(z)))


def _quad_checkpoint_fields(
    model: QuadNet, spheres: ConcentricSpheres
) -> dict[str, Any]:
    rule = model.to_rule()
    inner = rule.error_rate(spheres, sphere="inner").log10_value
    outer = rule.error_rate(spheres, sphere="outer").log10_value
    bad = rule.bad_alphas(spheres).n_bad
    # Exact worst logits: with alphas = w s²/|b| the logit on the sphere of
    # radius r is |b| r² sum(alphas z²) + b, sum(alphas z²) in [min, max] alpha.
    b = float(model.b)
    a_lo, a_hi = float(rule.alphas.min()), float(rule.alphas.max())
    r2 = spheres.outer_radius**2
    inner_max = abs(b) * a_hi + b
    outer_min = abs(b) * r2 * a_lo + b
    worst = float(max(_softplus(inner_max), _softplus(-outer_min)))
    return {
        "log10_error_inner": float(inner),
        "log10_error_outer": float(outer),
        "n_bad_alphas": bad,
        "worst_loss": worst,
    }


class _Batches:
    """Mini-batches: online samples, a fixed sample, or the caller's data.

    Points come from chunks: a chunk of about 4096 fresh samples (online) or a
    permutation of the fixed set.  :meth:`position` gives the generator state
    at the start of the current chunk and the number of its points used, which
    :meth:`resume` turns back into the same stream of batches.
    """

    def __init__(
        self,
        spheres: ConcentricSpheres,
        batch_size: int,
        dtype: np.dtype,
        gen: np.random.Generator,
        fixed: tuple[NDArray[np.floating], NDArray[np.floating]] | None,
    ) -> None:
        self.spheres, self.batch_size, self.dtype, self.gen = (
            spheres,
            batch_size,
            dtype,
            gen,
        )
        self.fixed = fixed
        self.chunk_points = max(1, 4096 // batch_size) * batch_size
        self.xb: NDArray[np.floating] | None = None
        self.yb: NDArray[np.floating] | None = None
        self.order = np.empty(0, dtype=np.int64)
        self.pos = 0
        self.chunk_state: dict[str, Any] = gen.bit_generator.state
        self.skip = 0
        self._digest: str | None = None

    def _new_chunk(self) -> None:
        self.chunk_state = self.gen.bit_generator.state
        if self.fixed is None:
            xb, yb = self.spheres.sample(self.chunk_points, rng=self.gen)
            self.xb, self.yb = xb.astype(self.dtype), yb.astype(self.dtype)
            self.order = np.arange(self.chunk_points)
        else:
            self.order = self.gen.permutation(self.fixed[0].shape[0])
        self.pos, self.skip = self.skip, 0

    def __call__(self) -> tuple[NDArray[np.floating], NDArray[np.floating]]:
        bs = self.batch_size
        if self.fixed is None:
            if self.pos >= self.order.size:
                self._new_chunk()
            k = self.pos
            self.pos += bs
            return self.xb[k : k + bs], self.yb[k : k + bs]  # type: ignore[index]
        idx = np.empty(0, dtype=np.int64)
        while idx.size < bs:
            if self.pos >= self.order.size:
                self._new_chunk()
            take = self.order[self.pos : self.pos + bs - idx.size]
            self.pos += take.size
            idx = np.concatenate([idx, take])
        return self.fixed[0][idx], self.fixed[1][idx]

    def position(self) -> tuple[dict[str, Any], int]:
        """Return the generator state at the chunk's start and the points used."""
        if self.order.size == 0:  # no chunk drawn yet: a pending resume, if any
            return copy.deepcopy(self.chunk_state), self.skip
        if self.pos >= self.order.size:  # used up: the next chunk starts afresh
            return self.gen.bit_generator.state, 0
        return copy.deepcopy(self.chunk_state), self.pos

    def resume(self, rng_state: dict[str, Any], position: int) -> None:
        """Continue a stream saved by :meth:`position`."""
        kind = type(self.gen.bit_generator).__name__
        if rng_state.get("bit_generator") != kind:
            msg = (
                f"`state` holds a {rng_state.get('bit_generator')!r} generator "
                f"state; `rng` gives a {kind!r} one."
            )
            raise ValueError(msg)
        self.gen.bit_generator.state = copy.deepcopy(rng_state)
        self.chunk_state = copy.deepcopy(rng_state)
        self.order = np.empty(0, dtype=np.int64)
        self.pos, self.skip = 0, position

    def digest(self) -> str:
        """Return the BLAKE2b digest of the fixed training set, ``""`` online."""
        if self.fixed is None:
            return ""
        if self._digest is None:
            h = hashlib.blake2b(digest_size=16)
            for arr in self.fixed:
                h.update(f"{arr.shape} {arr.dtype}".encode())
                h.update(np.ascontiguousarray(arr).reshape(-1).view(np.uint8))
            self._digest = h.hexdigest()
        return self._digest


def _check_data(
    data: Any, dim: int, dtype: np.dtype
) -> tuple[NDArray[np.floating], NDArray[np.floating]]:
    """Validate explicit training data ``(x, y)``."""
    try:
        x, y = data
    except (TypeError, ValueError):
        msg = f"`data` must be a pair (x, y) of arrays; got {type(data).__name__}."
        raise ValueError(msg) from None
    x = np.asarray(x)
    y = np.asarray(y)
    if x.ndim != 2 or x.shape[1] != dim or x.shape[0] == 0:
        msg = f"`data` x must have shape (n, {dim}) with n >= 1; got {x.shape}."
        raise ValueError(msg)
    if not np.issubdtype(x.dtype, np.number) or np.iscomplexobj(x):
        msg = f"`data` x must be real numbers; got dtype {x.dtype}."
        raise ValueError(msg)
    if y.shape != (x.shape[0],) or not np.all((y == 0) | (y == 1)):
        msg = f"`data` y must be {x.shape[0]} labels in {{0, 1}}; got shape {y.shape}."
        raise ValueError(msg)
    if not np.all(np.isfinite(x)):
        msg = "`data` x must be finite."
        raise ValueError(msg)
    return x.astype(dtype), y.astype(dtype)


def _check_lr(lr: Any, name: str = "lr") -> LearningRate:
    if callable(lr):
        return lr
    return float(check_positive(lr, name))


def _rate(lr: LearningRate, step: int, name: str) -> float:
    """Return the learning rate of the 1-based ``step``, validated."""
    if not callable(lr):
        return lr
    value = lr(step)
    try:
        rate = float(value)
    except (TypeError, ValueError):
        rate = math.nan
    if not (math.isfinite(rate) and rate > 0):
        msg = f"`{name}` must return a finite number > 0; got {value!r} at step {step}."
        raise ValueError(msg)
    return rate


def _check_adam(betas: Any, eps: Any) -> tuple[tuple[float, float], float]:
    try:
        b1, b2 = (float(b) for b in betas)
    except (TypeError, ValueError):
        b1 = b2 = math.nan
    if not (0.0 <= b1 < 1.0 and 0.0 <= b2 < 1.0):
        msg = f"`betas` must be two numbers in [0, 1); got {betas!r}."
        raise ValueError(msg)
    return (b1, b2), float(check_positive(eps, "eps"))


def _check_steps_list(values: Any, end: int) -> frozenset[int]:
    if values is None:
        return frozenset()
    try:
        out = frozenset(check_int(v, "checkpoint_steps", minimum=0) for v in values)
    except TypeError:
        msg = f"`checkpoint_steps` must be an iterable of integers; got {values!r}."
        raise ValueError(msg) from None
    if out and max(out) > end:
        msg = f"`checkpoint_steps` must be at most the last step {end}; got {max(out)}."
        raise ValueError(msg)
    return out


def _check_state(
    state: Any, model: QuadNet | ReLUNet, batch_size: int
) -> TrainingState | None:
    if state is None:
        return None
    if not isinstance(state, TrainingState):
        msg = f"`state` must be a TrainingState or None; got {state!r}."
        raise ValueError(msg)
    for name in ("m", "v"):
        arr = getattr(state, name)
        if arr.shape != model._flat.shape or arr.dtype != model.dtype:
            msg = (
                f"`state` {name} must have shape {model._flat.shape} and dtype "
                f"{model.dtype} (the model's); got {arr.shape}, {arr.dtype}."
            )
            raise ValueError(msg)
    if state.batch_size != batch_size:
        msg = (
            f"`batch_size` must be {state.batch_size} to continue `state`; "
            f"got {batch_size}."
        )
        raise ValueError(msg)
    return state


def _readout_start(model: QuadNet | ReLUNet) -> int:
    """Offset of the readout parameters, the tail of the flat buffer."""
    names = ("w", "b") if isinstance(model, QuadNet) else ("w_out", "b_out")
    offset = 0
    for name, arr in model._params.items():
        if name in names:
            break
        offset += arr.size
    tail = sum(model._params[n].size for n in names)
    if offset + tail != model._flat.size:  # pragma: no cover - layout invariant
        msg = "the readout parameters must close the parameter buffer."
        raise RuntimeError(msg)
    return offset


def _check_train_args(
    model: Any, spheres: Any, callbacks: Iterable[Any]
) -> tuple[Callable[..., Any], ...]:
    if not isinstance(model, QuadNet | ReLUNet):
        msg = f"`model` must be a QuadNet or ReLUNet; got {model!r}."
        raise ValueError(msg)
    if not isinstance(spheres, ConcentricSpheres):
        msg = f"`spheres` must be a ConcentricSpheres; got {spheres!r}."
        raise ValueError(msg)
    if spheres.dim != model.dim:
        msg = (
            f"`spheres` must have dim={model.dim} (the model's); got dim={spheres.dim}."
        )
        raise ValueError(msg)
    out = tuple(callbacks)
    for cb in out:
        if not callable(cb):
            msg = f"`callbacks` must contain callables; got {cb!r}."
            raise ValueError(msg)
    return out


class _Recorder:
    """Checkpoint bookkeeping of one :func:`train` call."""

    def __init__(
        self,
        model: QuadNet | ReLUNet,
        spheres: ConcentricSpheres,
        steps: int,
        callbacks: tuple[Callable[..., Any], ...],
        exact: bool,
        start: int = 0,
        *,
        saver: Callable[[], None] | None = None,
    ) -> None:
        self.model, self.spheres, self.callbacks = model, spheres, callbacks
        self.saver = saver
        self.exact = exact and isinstance(model, QuadNet)
        self.losses = np.empty(steps, dtype=np.float64)
        self.accs = np.empty(steps, dtype=np.float64)
        self.checkpoints: list[Checkpoint] = []
        self.start = self.last = start

    def record(self, step: int) -> bool:
        """Record a checkpoint at ``step``; True if a callback asks to stop."""
        window = slice(self.last - self.start, step - self.start)
        extra: dict[str, Any] = {}
        if self.exact:
            extra = _quad_checkpoint_fields(self.model, self.spheres)  # type: ignore[arg-type]
        seen = step > self.last
        ckpt = Checkpoint(
            step=step,
            loss=float(self.losses[window].mean()) if seen else math.nan,
            accuracy=float(self.accs[window].mean()) if seen else math.nan,
            **extra,
        )
        self.checkpoints.append(ckpt)
        self.last = step
        if self.saver is not None:
            self.saver()
        stop = False
        for cb in self.callbacks:
            stop = bool(cb(self.model, ckpt)) or stop
        return stop


def train(
    model: QuadNet | ReLUNet,
    spheres: ConcentricSpheres,
    *,
    steps: int,
    batch_size: int = 50,
    lr: LearningRate = 1e-4,
    readout_lr: LearningRate | None = None,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    readout_eps: float | None = None,
    train_size: int | None = None,
    data: tuple[ArrayLike, ArrayLike] | None = None,
    rng: ArrayLike | np.random.Generator | None = None,
    state: TrainingState | None = None,
    state_path: str | Path | None = None,
    checkpoint_steps: Iterable[int] | None = None,
    checkpoint_every: int | None = None,
    callbacks: Iterable[Callable[[QuadNet | ReLUNet, Checkpoint], bool | None]] = (),
    exact_checkpoints: bool = True,
    progress: bool = False,
    batch_transform: BatchTransform | None = None,
) -> TrainingHistory:
    """Train a model with Adam on sigmoid cross-entropy, in place.

    Parameters
    ----------
    model : QuadNet or ReLUNet
        Trained in place.
    spheres : ConcentricSpheres
        The data distribution (its ``dim`` must equal the model's).
    steps : int
        Number of Adam steps of this call (paper: up to 10⁶ online).
    batch_size : int, default 50
        Points per step (paper: 50).
    lr : float or callable, default 1e-4
        Adam learning rate (paper: 1e-4), or a schedule ``lr(step) -> float``
        called with the 1-based step number (counted over all calls when
        ``state`` continues a run).
    readout_lr : float or callable, optional
        Learning rate (or schedule, as ``lr``) of the readout parameters: ``w``
        and ``b`` of a :class:`QuadNet`, ``w_out`` and ``b_out`` of a
        :class:`ReLUNet`.  None (default) uses ``lr``.  At d = 500 a quad net
        trains W at about 1e-4 to 3e-4 and ``(w, b)`` at about 1e-2.
    betas : tuple of float, default (0.9, 0.999)
        Adam's moment decay rates, each in [0, 1).
    eps : float, default 1e-8
        Adam's denominator offset (> 0), placed as in PyTorch.
    readout_eps : float, optional
        Adam's offset for the readout parameters (default: ``eps``).  Once the
        loss is tiny the hidden layer's gradients reach ``eps``'s scale while
        the readout's do not, so the two may need different offsets.
    train_size : int, optional
        Size of a fixed training set sampled once (first draw from ``rng``)
        and visited in reshuffled epochs.  Without it and without ``data``,
        every batch is fresh: online sampling from ``spheres.sample``.
    data : (x, y), optional
        An explicit training set: points of shape (n, dim) and labels
        (0 = inner, 1 = outer), visited in reshuffled epochs.  Excludes
        ``train_size``.
    rng : None, int or numpy.random.Generator, optional
        Randomness for the data (normalised once).  With ``state`` it only
        draws the fixed training set again (pass the same seed); the stream of
        batches continues from ``state``.
    state : TrainingState, optional
        Continue a run from ``TrainingHistory.state`` or
        :func:`load_training_state`: Adam's moments and step count and the
        data stream resume where they stopped, so that k steps, then
        ``steps`` more from the state, give the parameters of one run of
        ``k + steps`` steps bit for bit.  The model must be the one the state
        belongs to (as saved with it), ``batch_size`` and the training set the
        same.  None (default) starts Adam from zero moments.
    state_path : str or pathlib.Path, optional
        Save the model and its :class:`TrainingState` there at every
        checkpoint (:func:`save_training_state`: atomically, so a run killed
        at any moment, even while saving, leaves the last complete file).  To
        resume: ``model, state = load_training_state(state_path)``, then
        ``train(model, ..., state=state, steps=total - state.step)``.
    checkpoint_steps : iterable of int, optional
        Steps at which to record a :class:`Checkpoint`, counted over all calls
        (the step the call starts from records the model before training;
        earlier steps are ignored).  Combined with ``checkpoint_every``.
    checkpoint_every : int, optional
        Record a :class:`Checkpoint` at every multiple of this many steps.  A
        checkpoint is always recorded at the end.
    callbacks : iterable of callable, optional
        Each is called as ``callback(model, checkpoint)`` at every checkpoint;
        training stops early if one returns True.
    exact_checkpoints : bool, default True
        For a :class:`QuadNet`, fill the checkpoints' exact error rates,
        bad-coefficient count and worst-case loss (tens of milliseconds each at
        d = 500); if False these fields are None.
    progress : bool, default False
        Show a tqdm progress bar with the running loss and accuracy.

    batch_transform : callable, optional
        ``batch_transform(model, x, y) -> (x, y)`` replaces each batch before
        its gradient step, e.g. by adversarial points of the current model
        (adversarial training).  It must keep the batch size and dtype; its
        own randomness and state are the caller's (a resumed run calls it
        afresh).

    Returns
    -------
    TrainingHistory
        With ``state``, the :class:`TrainingState` to continue from.

    Raises
    ------
    ValueError
        For invalid arguments, a model whose ``dim`` differs from the
        spheres', or a ``state`` that does not fit the model, the batch size or
        the training set.

    Notes
    -----
    Adam (Kingma & Ba 2015) with PyTorch's placement of ``eps``, restarting
    from zero moments unless ``state`` is given.  Online batches are drawn in
    chunks of about 4096 points to amortise the sampling overhead; each point
    is used once.

    For sweeps of many small runs in parallel processes, limit BLAS to one
    thread per process (``threadpoolctl.threadpool_limits(1)``).

    References
    ----------
    J. Gilmer et al., "Adversarial Spheres", arXiv:1801.02774, 2018, §4.

    Examples
    --------
    >>> from spheres_theory import ConcentricSpheres
    >>> from spheres_theory.models import QuadNet
    >>> sp = ConcentricSpheres(dim=5)
    >>> net = QuadNet(5, hidden=10, rng=0)
    >>> hist = train(net, sp, steps=300, lr=1e-2, rng=0, checkpoint_steps=[0, 100])
    >>> [c.step for c in hist.checkpoints]
    [0, 100, 300]
    >>> x, y = sp.sample(1000, rng=1)
    >>> bool(np.mean(net.predict(x) == y) > 0.95)
    True
    """
    callbacks = _check_train_args(model, spheres, callbacks)
    steps = check_int(steps, "steps", minimum=0)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    lr = _check_lr(lr)
    readout = lr if readout_lr is None else _check_lr(readout_lr, "readout_lr")
    betas, eps = _check_adam(betas, eps)
    if train_size is not None:
        if data is not None:
            msg = "`train_size` and `data` exclude each other; pass one."
            raise ValueError(msg)
        train_size = check_int(train_size, "train_size", minimum=1)
    if checkpoint_every is not None:
        checkpoint_every = check_int(checkpoint_every, "checkpoint_every", minimum=1)
    state = _check_state(state, model, batch_size)
    first = 0 if state is None else state.step
    wanted = _check_steps_list(checkpoint_steps, first + steps)
    gen = np.random.default_rng(rng)
    dtype = model.dtype
    fixed = None if data is None else _check_data(data, model.dim, dtype)
    if train_size is not None:
        xf, yf = spheres.sample(train_size, rng=gen)
        fixed = (xf.astype(dtype), yf.astype(dtype))
    batches = _Batches(spheres, batch_size, dtype, gen, fixed)
    if state is not None:
        if state.data_digest != batches.digest():
            msg = "`state` belongs to another training set (or online sampling)."
            raise ValueError(msg)
        batches.resume(state.rng_state, state.position)
    if readout_eps is not None:
        readout_eps = float(check_positive(readout_eps, "readout_eps"))
    adam = _Adam(model, state, lr, readout, betas, eps, readout_eps)
    saver = None
    if state_path is not None:
        path = Path(state_path)

        def saver() -> None:
            save_training_state(path, model, _current_state(adam, batches))

    rec = _Recorder(
        model, spheres, steps, callbacks, exact_checkpoints, first, saver=saver
    )
    start = time.perf_counter()
    source = batches
    if batch_transform is not None:
        if not callable(batch_transform):
            msg = f"`batch_transform` must be callable; got {batch_transform!r}."
            raise ValueError(msg)

        def source() -> tuple[NDArray[np.floating], NDArray[np.floating]]:
            x, y = batches()
            x, y = batch_transform(model, x, y)
            return np.asarray(x, dtype=dtype), np.asarray(y, dtype=dtype)

    done = _run_adam(adam, source, rec, steps, wanted, checkpoint_every, progress)
    last_lr, last_readout_lr = adam.last_rates()
    return TrainingHistory(
        loss=rec.losses[:done].copy(),
        accuracy=rec.accs[:done].copy(),
        checkpoints=tuple(rec.checkpoints),
        steps_done=done,
        batch_size=batch_size,
        lr=last_lr,
        readout_lr=last_readout_lr,
        train_size=None if fixed is None else int(fixed[0].shape[0]),
        seconds=time.perf_counter() - start,
        state=_current_state(adam, batches),
    )


def _current_state(adam: _Adam, batches: _Batches) -> TrainingState:
    rng_state, position = batches.position()
    return TrainingState(
        step=adam.step,
        m=_frozen(adam.m),
        v=_frozen(adam.v),
        rng_state=rng_state,
        position=position,
        batch_size=batches.batch_size,
        data_digest=batches.digest(),
    )


def _frozen(arr: NDArray[np.floating]) -> NDArray[np.floating]:
    out = arr.copy()
    out.flags.writeable = False
    return out


class _Adam:
    """Adam over a model's flat buffer, with one rate for the readout tail."""

    def __init__(
        self,
        model: QuadNet | ReLUNet,
        state: TrainingState | None,
        lr: LearningRate,
        readout_lr: LearningRate,
        betas: tuple[float, float],
        eps: float,
        readout_eps: float | None = None,
    ) -> None:
        self.model, self.lr, self.readout_lr = model, lr, readout_lr
        self.betas, self.eps = betas, eps
        self.readout_eps = eps if readout_eps is None else readout_eps
        same = lr is readout_lr and self.readout_eps == eps
        self.split = model._flat.size if same else _readout_start(model)
        if state is None:
            self.m = np.zeros_like(model._flat)
            self.v = np.zeros_like(model._flat)
            self.step = 0
        else:
            self.m, self.v = state.m.copy(), state.v.copy()
            self.step = state.step
        self.work = np.empty_like(model._flat)
        self.rates: tuple[float, float] | None = None
        self.scratch: dict[str, NDArray[np.floating]] = {}
        # (param, grad, m, v, work) views of each group, made once
        k = self.split
        bufs = (model._flat, model._grad_flat, self.m, self.v, self.work)
        self.groups = [tuple(b[:k] for b in bufs)]
        if k < model._flat.size:
            self.groups.append(tuple(b[k:] for b in bufs))

    def last_rates(self) -> tuple[float, float]:
        """Return the rates of the last step (of step 1 before any step)."""
        if self.rates is None:
            t = max(self.step, 1)
            return _rate(self.lr, t, "lr"), _rate(self.readout_lr, t, "readout_lr")
        return self.rates

    def __call__(
        self, x: NDArray[np.floating], y: NDArray[np.floating]
    ) -> tuple[float, float]:
        """One step on the batch ``(x, y)``; the batch loss and accuracy."""
        loss, acc = self.model._loss_and_grad(x, y, scratch=self.scratch)
        self.step = t = self.step + 1
        rate = readout = _rate(self.lr, t, "lr")
        if len(self.groups) > 1:
            readout = _rate(self.readout_lr, t, "readout_lr")
        offsets = (self.eps, self.readout_eps)
        for (p, g, m, v, w), r, e in zip(
            self.groups, (rate, readout), offsets, strict=False
        ):
            adam_update(p, g, m, v, t, lr=r, betas=self.betas, eps=e, work=w)
        self.rates = (rate, readout)
        return loss, acc


def _run_adam(
    adam: _Adam,
    batches: Callable[[], tuple[NDArray[np.floating], NDArray[np.floating]]],
    rec: _Recorder,
    steps: int,
    wanted: frozenset[int],
    every: int | None,
    progress: bool,
) -> int:
    """Run the Adam loop of :func:`train`; return the number of steps done."""
    first = adam.step
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(
            total=first + steps,
            initial=first,
            desc=type(adam.model).__name__,
            unit="step",
        )
    done = 0
    try:
        if first in wanted and rec.record(first):
            return 0
        for i in range(steps):
            loss, acc = adam(*batches())
            rec.losses[i] = loss
            rec.accs[i] = acc
            done = i + 1
            step = adam.step
            if bar is not None and (done % 50 == 0 or done == steps):
                lo = max(0, done - 50)
                bar.update(step - bar.n)
                bar.set_postfix(
                    loss=f"{rec.losses[lo:done].mean():.3g}",
                    acc=f"{rec.accs[lo:done].mean():.3f}",
                    refresh=False,
                )
            due = step in wanted or (every is not None and step % every == 0)
            if due and done < steps and rec.record(step):
                break
        if not rec.checkpoints or rec.checkpoints[-1].step != adam.step:
            rec.record(adam.step)
    finally:
        if bar is not None:
            bar.close()
    return done
