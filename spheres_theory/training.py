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

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validation import check_int, check_positive
from .models import QuadNet, ReLUNet
from .sphere import ConcentricSpheres

__all__ = [
    "Checkpoint",
    "TrainingHistory",
    "adam_update",
    "load_model",
    "save_model",
    "train",
]

LearningRate = float | Callable[[int], float]
_MODEL_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


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
    Adam, in 10 in-place elementwise passes and no temporary arrays.

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
    tmp *= lr * (1.0 - beta1) * k / bc1
    param -= tmp


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
        Steps run (fewer than asked if a callback stopped training).
    batch_size : int
    lr : float
        The learning rate of the last step.
    train_size : int or None
        Size of the fixed training set, None for online sampling.
    seconds : float
        Wall-clock training time.
    """

    loss: NDArray[np.float64]
    accuracy: NDArray[np.float64]
    checkpoints: tuple[Checkpoint, ...]
    steps_done: int
    batch_size: int
    lr: float
    train_size: int | None
    seconds: float

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
    """Mini-batches: online samples, a fixed sample, or the caller's data."""

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
        self.chunk_batches = max(1, 4096 // batch_size)
        self.buffer: list[tuple[NDArray[np.floating], NDArray[np.floating]]] = []
        self.order = np.empty(0, dtype=np.int64)
        self.pos = 0

    def __call__(self) -> tuple[NDArray[np.floating], NDArray[np.floating]]:
        if self.fixed is None:
            return self._online()
        idx = np.empty(0, dtype=np.int64)
        while idx.size < self.batch_size:
            if self.pos >= self.order.size:
                self.order, self.pos = self.gen.permutation(self.fixed[0].shape[0]), 0
            take = self.order[self.pos : self.pos + self.batch_size - idx.size]
            self.pos += take.size
            idx = np.concatenate([idx, take])
        return self.fixed[0][idx], self.fixed[1][idx]

    def _online(self) -> tuple[NDArray[np.floating], NDArray[np.floating]]:
        if not self.buffer:
            n = self.chunk_batches * self.batch_size
            xb, yb = self.spheres.sample(n, rng=self.gen)
            xb, yb = xb.astype(self.dtype), yb.astype(self.dtype)
            bs = self.batch_size
            self.buffer.extend(
                (xb[k : k + bs], yb[k : k + bs]) for k in range(len(xb) - bs, -1, -bs)
            )
        return self.buffer.pop()


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


def _check_lr(lr: Any) -> LearningRate:
    if callable(lr):
        return lr
    return float(check_positive(lr, "lr"))


def _check_steps_list(values: Any, steps: int) -> frozenset[int]:
    if values is None:
        return frozenset()
    try:
        out = frozenset(check_int(v, "checkpoint_steps", minimum=0) for v in values)
    except TypeError:
        msg = f"`checkpoint_steps` must be an iterable of integers; got {values!r}."
        raise ValueError(msg) from None
    if out and max(out) > steps:
        msg = f"`checkpoint_steps` must be at most `steps` = {steps}; got {max(out)}."
        raise ValueError(msg)
    return out


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
    ) -> None:
        self.model, self.spheres, self.callbacks = model, spheres, callbacks
        self.exact = exact and isinstance(model, QuadNet)
        self.losses = np.empty(steps, dtype=np.float64)
        self.accs = np.empty(steps, dtype=np.float64)
        self.checkpoints: list[Checkpoint] = []
        self.last = 0

    def record(self, step: int) -> bool:
        """Record a checkpoint at ``step``; True if a callback asks to stop."""
        window = slice(self.last, step)
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
    train_size: int | None = None,
    data: tuple[ArrayLike, ArrayLike] | None = None,
    rng: ArrayLike | np.random.Generator | None = None,
    checkpoint_steps: Iterable[int] | None = None,
    checkpoint_every: int | None = None,
    callbacks: Iterable[Callable[[QuadNet | ReLUNet, Checkpoint], bool | None]] = (),
    exact_checkpoints: bool = True,
    progress: bool = False,
) -> TrainingHistory:
    """Train a model with Adam on sigmoid cross-entropy, in place.

    Parameters
    ----------
    model : QuadNet or ReLUNet
        Trained in place.
    spheres : ConcentricSpheres
        The data distribution (its ``dim`` must equal the model's).
    steps : int
        Number of Adam steps (paper: up to 10⁶ online).
    batch_size : int, default 50
        Points per step (paper: 50).
    lr : float or callable, default 1e-4
        Adam learning rate (paper: 1e-4), or a schedule ``lr(step) -> float``
        called with the 1-based step number.
    train_size : int, optional
        Size of a fixed training set sampled once (first draw from ``rng``)
        and visited in reshuffled epochs.  Without it and without ``data``,
        every batch is fresh: online sampling from ``spheres.sample``.
    data : (x, y), optional
        An explicit training set: points of shape (n, dim) and labels
        (0 = inner, 1 = outer), visited in reshuffled epochs.  Excludes
        ``train_size``.
    rng : None, int or numpy.random.Generator, optional
        Randomness for the data (normalised once).
    checkpoint_steps : iterable of int, optional
        Steps at which to record a :class:`Checkpoint` (0 records the model
        before training).  Combined with ``checkpoint_every``.
    checkpoint_every : int, optional
        Record a :class:`Checkpoint` every this many steps.  A checkpoint is
        always recorded at the end.
    callbacks : iterable of callable, optional
        Each is called as ``callback(model, checkpoint)`` at every checkpoint;
        training stops early if one returns True.
    exact_checkpoints : bool, default True
        For a :class:`QuadNet`, fill the checkpoints' exact error rates,
        bad-coefficient count and worst-case loss (tens of milliseconds each at
        d = 500); if False these fields are None.
    progress : bool, default False
        Show a tqdm progress bar with the running loss and accuracy.

    Returns
    -------
    TrainingHistory

    Raises
    ------
    ValueError
        For invalid arguments or a model whose ``dim`` differs from the spheres'.

    Notes
    -----
    Adam (β = (0.9, 0.999), ε = 1e-8) restarts from zero moments on each call.
    Online batches are drawn in chunks of about 4096 points to amortise the
    sampling overhead; each point is used once.

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
    if train_size is not None:
        if data is not None:
            msg = "`train_size` and `data` exclude each other; pass one."
            raise ValueError(msg)
        train_size = check_int(train_size, "train_size", minimum=1)
    if checkpoint_every is not None:
        checkpoint_every = check_int(checkpoint_every, "checkpoint_every", minimum=1)
    wanted = _check_steps_list(checkpoint_steps, steps)
    gen = np.random.default_rng(rng)
    dtype = model.dtype
    fixed = None if data is None else _check_data(data, model.dim, dtype)
    if train_size is not None:
        xf, yf = spheres.sample(train_size, rng=gen)
        fixed = (xf.astype(dtype), yf.astype(dtype))
    batches = _Batches(spheres, batch_size, dtype, gen, fixed)
    rec = _Recorder(model, spheres, steps, callbacks, exact_checkpoints)
    start = time.perf_counter()
    done = _run_adam(model, batches, rec, steps, lr, wanted, checkpoint_every, progress)
    return TrainingHistory(
        loss=rec.losses[:done].copy(),
        accuracy=rec.accs[:done].copy(),
        checkpoints=tuple(rec.checkpoints),
        steps_done=done,
        batch_size=batch_size,
        lr=float(lr(max(done, 1)) if callable(lr) else lr),
        train_size=None if fixed is None else int(fixed[0].shape[0]),
        seconds=time.perf_counter() - start,
    )


def _run_adam(
    model: QuadNet | ReLUNet,
    batches: _Batches,
    rec: _Recorder,
    steps: int,
    lr: LearningRate,
    wanted: frozenset[int],
    every: int | None,
    progress: bool,
) -> int:
    """Run the Adam loop of :func:`train`; return the number of steps done."""
    m = np.zeros_like(model._flat)
    v = np.zeros_like(model._flat)
    work = np.empty_like(model._flat)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=steps, desc=type(model).__name__, unit="step")
    done = 0
    try:
        if 0 in wanted and rec.record(0):
            return 0
        for step in range(1, steps + 1):
            xb, yb = batches()
            loss, acc = model._loss_and_grad(xb, yb)
            rate = lr(step) if callable(lr) else lr
            adam_update(model._flat, model._grad_flat, m, v, step, lr=rate, work=work)
            rec.losses[step - 1] = loss
            rec.accs[step - 1] = acc
            done = step
            if bar is not None and (step % 50 == 0 or step == steps):
                lo = max(0, step - 50)
                bar.update(step - bar.n)
                bar.set_postfix(
                    loss=f"{rec.losses[lo:step].mean():.3g}",
                    acc=f"{rec.accs[lo:step].mean():.3f}",
                    refresh=False,
                )
            due = step in wanted or (every is not None and step % every == 0)
            if due and step < steps and rec.record(step):
                break
        if not rec.checkpoints or rec.checkpoints[-1].step != done:
            rec.record(done)
    finally:
        if bar is not None:
            bar.close()
    return done


# ---------------------------------------------------------------------------
# persistence
# ---------------------------------------------------------------------------


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
    p = Path(path)
    if p.suffix != ".npz":
        p = p.with_name(p.name + ".npz")
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
    np.savez(p, **arrays)  # type: ignore[arg-type]
    return p


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
    with np.load(Path(path), allow_pickle=False) as f:
        data = {k: f[k] for k in f.files}
    kind = str(data["kind"]) if "kind" in data else "QuadNet"
    if kind == "QuadNet":
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
    if kind == "ReLUNet":
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
    msg = f"`path` {str(path)!r} holds an unknown model kind {kind!r}."
    raise ValueError(msg)
