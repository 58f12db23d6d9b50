"""Small numpy networks trained on the concentric spheres (Gilmer et al. 2018, §3-§4).

Two architectures of the paper, written in plain numpy with hand-derived
gradients so that the theory can be checked against a trained model without a
deep-learning framework:

* :class:`QuadNet` — one hidden layer of width ``hidden``, activation
  ``u -> u**2``, no hidden bias, a scalar readout: ``logit(x) = w * sum_j (W x)_j**2
  + b``.  Its decision rule is exactly an ellipsoid (:meth:`QuadNet.to_rule`).
* :class:`ReLUNet` — ``dim -> 1000 -> 1000 -> 1`` with ReLU and batch
  normalisation on both hidden layers.

The maths lives in pure functions on plain parameter arrays
(:func:`quadnet_logit`, :func:`quadnet_backward`, :func:`relunet_forward`,
:func:`relunet_backward`, :func:`sigmoid_cross_entropy`); the model classes
are thin shells holding those arrays.  Training, the Adam optimiser and model
files live in :mod:`spheres_theory.training`.

Parameters of a model live in one contiguous buffer (the named arrays are
views into it), so that the Adam update is a handful of in-place numpy
operations on a single array, with no allocation per step.

Notes
-----
The paper does not give an initialisation; the choices made here are
documented on each class.  Everything supports ``float32`` (fast) and
``float64`` (for gradient checks and exact post-processing).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray
from scipy import special

from ._validation import (
    check_choice,
    check_finite_array,
    check_int,
    check_positive,
)
from .rules import QuadraticRule

__all__ = [
    "QuadNet",
    "ReLUNet",
    "quadnet_backward",
    "quadnet_logit",
    "relunet_backward",
    "relunet_forward",
    "sigmoid_cross_entropy",
]

_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
_BN_EPS = 1e-5
_BN_MOMENTUM = 0.1


# ---------------------------------------------------------------------------
# validation helpers
# ---------------------------------------------------------------------------


def _check_dtype(dtype: DTypeLike) -> np.dtype:
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt not in _DTYPES:
        msg = f"`dtype` must be numpy.float32 or numpy.float64; got {dtype!r}."
        raise ValueError(msg)
    return dt


def _check_points(x: ArrayLike, dim: int, dtype: np.dtype) -> NDArray[np.floating]:
    arr = check_finite_array(x, "x")
    if arr.ndim not in (1, 2) or arr.shape[-1] != dim:
        msg = f"`x` must have shape (n, {dim}) or ({dim},); got shape {arr.shape}."
        raise ValueError(msg)
    return np.atleast_2d(arr).astype(dtype, copy=False)


def _check_labels(labels: ArrayLike, n: int) -> NDArray[np.int64]:
    arr = np.asarray(labels)
    if arr.shape != (n,) or not np.all((arr == 0) | (arr == 1)):
        msg = (
            f"`labels` must be an array of n={n} entries, each 0 or 1; got {labels!r}."
        )
        raise ValueError(msg)
    return arr.astype(np.int64)


def _scratch(
    scratch: dict[str, NDArray[np.floating]] | None,
    key: str,
    shape: tuple[int, ...],
    dtype: np.dtype,
) -> NDArray[np.floating]:
    """Return the work array ``key`` kept in ``scratch`` (a new one without it)."""
    if scratch is None:
        return np.empty(shape, dtype=dtype)
    arr = scratch.get(key)
    if arr is None or arr.shape != shape or arr.dtype != dtype:
        arr = scratch[key] = np.empty(shape, dtype=dtype)
    return arr


# ---------------------------------------------------------------------------
# pure functions: loss, quad net, ReLU+BN net, Adam
# ---------------------------------------------------------------------------


def sigmoid_cross_entropy(
    logits: ArrayLike, labels: ArrayLike
) -> tuple[float, NDArray[np.floating]]:
    """Mean sigmoid cross-entropy and its gradient with respect to the logits.

    Parameters
    ----------
    logits : array_like, shape (n,)
        Logits z; label 1 ("outer") is predicted with probability sigmoid(z).
    labels : array_like, shape (n,)
        Labels y in {0, 1}.

    Returns
    -------
    loss : float
        ``mean(max(z, 0) - z * y + log1p(exp(-|z|)))``.
    dlogits : ndarray, shape (n,)
        ``(sigmoid(z) - y) / n``, the gradient of the mean loss.

    Notes
    -----
    The ``log1p(exp(-|z|))`` form never overflows and keeps full relative
    accuracy for large ``|z|``; the gradient uses ``sigmoid(z) - 1 =
    -sigmoid(-z)`` for label 1, so it too is accurate to a few ulps
    (``sigmoid`` is :func:`scipy.special.expit`).

    Examples
    --------
    >>> loss, dz = sigmoid_cross_entropy([0.0, 0.0], [0, 1])
    >>> round(loss, 12) == round(float(np.log(2)), 12), dz.tolist()
    (True, [0.25, -0.25])
    >>> loss, _ = sigmoid_cross_entropy([-800.0], [0])  # no overflow
    >>> loss
    0.0
    """
    z = np.asarray(logits)
    if not np.issubdtype(z.dtype, np.floating):
        z = z.astype(np.float64)
    y = np.asarray(labels, dtype=z.dtype)
    n = z.shape[0]
    loss = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
    # sigmoid(z) - 1 = -sigmoid(-z): no cancellation for confident labels.
    dz = np.where(y > 0.5, -special.expit(-z), special.expit(z)) / n
    return float(loss.mean()), dz


def quadnet_logit(
    W: ArrayLike, w: ArrayLike, b: ArrayLike, x: ArrayLike
) -> NDArray[np.floating]:
    """Logit ``w * sum_j (W x)_j**2 + b`` of a quadratic network.

    Parameters
    ----------
    W : array_like, shape (hidden, dim)
        Hidden-layer weights (no hidden bias).
    w, b : float
        Scalar readout weight and bias.
    x : array_like, shape (n, dim)
        Points.

    Returns
    -------
    ndarray, shape (n,)
        Logits; label 1 ("outer") iff the logit is > 0.

    Examples
    --------
    >>> quadnet_logit(np.eye(2), 1.0, -1.0, [[2.0, 0.0], [0.5, 0.5]]).tolist()
    [3.0, -0.5]
    """
    W, x = np.asarray(W), np.asarray(x)
    h = x @ W.T
    return w * np.einsum("ij,ij->i", h, h) + b


def quadnet_backward(
    W: ArrayLike, w: ArrayLike, b: ArrayLike, x: ArrayLike, dlogits: ArrayLike
) -> tuple[NDArray[np.floating], float, float, NDArray[np.floating]]:
    """Gradients of a scalar loss through :func:`quadnet_logit`.

    Parameters
    ----------
    W : array_like, shape (hidden, dim)
    w, b : float
    x : array_like, shape (n, dim)
    dlogits : array_like, shape (n,)
        Gradient of the loss with respect to each logit.

    Returns
    -------
    dW : ndarray, shape (hidden, dim)
        ``2 w sum_n dz_n (W x_n) x_nᵀ``.
    dw : float
        ``sum_n dz_n ||W x_n||²``.
    db : float
        ``sum_n dz_n``.
    dx : ndarray, shape (n, dim)
        ``2 w dz_n Wᵀ W x_n``.

    Notes
    -----
    Hand-derived from ``z = w hᵀh + b`` with ``h = W x``; checked against
    central finite differences in the tests.

    Examples
    --------
    >>> dW, dw, db, dx = quadnet_backward(np.eye(2), 1.0, 0.0, [[1.0, 2.0]], [1.0])
    >>> dW.tolist(), dw, db, dx.tolist()
    ([[2.0, 4.0], [4.0, 8.0]], 5.0, 1.0, [[2.0, 4.0]])
    """
    W, x, dz = np.asarray(W), np.asarray(x), np.asarray(dlogits)
    h = x @ W.T
    s = np.einsum("ij,ij->i", h, h)
    gh = (2 * w * dz)[:, None] * h
    return gh.T @ x, float(dz @ s), float(dz.sum()), gh @ W


def _relu_layers(params: Mapping[str, Any]) -> int:
    n = 0
    while f"W{n + 1}" in params:
        n += 1
    return n


def relunet_forward(
    params: Mapping[str, NDArray[np.floating]],
    x: ArrayLike,
    *,
    training: bool = False,
    state: Mapping[str, NDArray[np.floating]] | None = None,
    eps: float = _BN_EPS,
) -> tuple[NDArray[np.floating], list[dict[str, Any]]]:
    """Forward pass of the ReLU network with optional batch normalisation.

    Parameters
    ----------
    params : mapping of str to ndarray
        ``W1 … WL`` (shape ``(h_i, h_{i-1})``), then per layer either
        ``gamma_i, beta_i`` (batch norm) or ``b_i`` (plain bias), and the readout
        ``w_out`` (shape ``(h_L,)``) and ``b_out`` (shape ``()``).
    x : array_like, shape (n, dim)
        Points.
    training : bool, default False
        Batch norm uses the batch's mean and (biased) variance if True, the
        running averages in ``state`` otherwise.
    state : mapping of str to ndarray, optional
        ``running_mean_i`` and ``running_var_i``; needed for batch norm in
        evaluation mode.
    eps : float, default 1e-5
        Added to the variance in batch normalisation.

    Returns
    -------
    logits : ndarray, shape (n,)
    cache : list of dict
        Per-layer intermediates for :func:`relunet_backward`; with batch norm
        in training mode each entry also holds the batch ``mean`` and
        unbiased ``var_unbiased`` used to update running averages.

    Notes
    -----
    Layer i: ``a = h W_iᵀ`` (``+ b_i`` without batch norm), then
    ``gamma_i (a - m) / sqrt(v + eps) + beta_i``, then ReLU; the logit is
    ``h_L · w_out + b_out``.  Batch-norm layers have no linear bias because the
    shift ``beta_i`` subsumes it.

    Examples
    --------
    >>> net = ReLUNet(3, hidden=(4, 4), rng=0)
    >>> z, _ = relunet_forward(net.params, np.ones((2, 3)), state=net.state)
    >>> z.shape
    (2,)
    """
    h = np.asarray(x)
    cache: list[dict[str, Any]] = []
    for i in range(1, _relu_layers(params) + 1):
        W = params[f"W{i}"]
        a = h @ W.T
        entry: dict[str, Any] = {"h_in": h}
        if f"gamma{i}" in params:
            if training:
                mean = a.mean(axis=0)
                centred = a - mean
                var = np.einsum("ij,ij->j", centred, centred) / a.shape[0]
                invstd = 1.0 / np.sqrt(var + eps)
                xhat = centred * invstd
                n = a.shape[0]
                entry["mean"] = mean
                entry["var_unbiased"] = var * (n / (n - 1)) if n > 1 else var
            else:
                if state is None:
                    msg = "`state` (running averages) is needed in evaluation mode."
                    raise ValueError(msg)
                invstd = 1.0 / np.sqrt(state[f"running_var{i}"] + eps)
                xhat = (a - state[f"running_mean{i}"]) * invstd
            out = xhat * params[f"gamma{i}"] + params[f"beta{i}"]
            entry.update(xhat=xhat, invstd=invstd, training=training)
        else:
            out = a + params[f"b{i}"]
        mask = out > 0
        h = out * mask
        entry["mask"] = mask
        cache.append(entry)
    logits = h @ params["w_out"] + params["b_out"]
    cache.append({"h_in": h})
    return logits, cache


def relunet_backward(
    params: Mapping[str, NDArray[np.floating]],
    cache: Sequence[Mapping[str, Any]],
    dlogits: ArrayLike,
    *,
    grads: dict[str, NDArray[np.floating]] | None = None,
    input_only: bool = False,
) -> dict[str, NDArray[np.floating]]:
    """Hand-derived backward pass of :func:`relunet_forward`.

    Parameters
    ----------
    params : mapping of str to ndarray
        As for :func:`relunet_forward`.
    cache : list of dict
        The cache returned by the forward pass on the same parameters.
    dlogits : array_like, shape (n,)
        Gradient of the loss with respect to each logit.
    grads : dict of str to ndarray, optional
        Preallocated output arrays (one per parameter) written in place.
    input_only : bool, default False
        Skip the parameter gradients (for attacks) and return only ``"x"``.

    Returns
    -------
    dict of str to ndarray
        The gradient for every parameter name and ``"x"`` for the input.

    Notes
    -----
    Batch norm in training mode couples the batch: with ``g = dL/dxhat``,
    ``dL/da = invstd * (g - mean(g) - xhat * mean(g * xhat))`` per feature.
    In evaluation mode it is the affine map ``dL/da = g * invstd``.

    Examples
    --------
    >>> net = ReLUNet(3, hidden=(4, 4), rng=0)
    >>> x = np.ones((5, 3))
    >>> z, cache = relunet_forward(net.params, x, training=True)
    >>> g = relunet_backward(net.params, cache, np.ones(5))
    >>> g["W1"].shape, g["x"].shape
    ((4, 3), (5, 3))
    """
    dz = np.asarray(dlogits)
    out = {} if grads is None else grads

    def _put(name: str, value: NDArray[np.floating]) -> None:
        if input_only:
            return
        if name in out and out[name].shape == np.shape(value):
            out[name][...] = value
        else:
            out[name] = np.asarray(value)

    h_last = cache[-1]["h_in"]
    _put("w_out", dz @ h_last)
    _put("b_out", np.asarray(dz.sum()))
    dh = dz[:, None] * params["w_out"]
    for i in range(len(cache) - 1, 0, -1):
        entry = cache[i - 1]
        dout = dh * entry["mask"]
        if f"gamma{i}" in params:
            xhat = entry["xhat"]
            _put(f"gamma{i}", np.einsum("ij,ij->j", dout, xhat))
            _put(f"beta{i}", dout.sum(axis=0))
            g = dout * params[f"gamma{i}"]
            if entry["training"]:
                n = g.shape[0]
                da = entry["invstd"] * (
                    g - g.sum(axis=0) / n - xhat * (np.einsum("ij,ij->j", g, xhat) / n)
                )
            else:
                da = g * entry["invstd"]
        else:
            _put(f"b{i}", dout.sum(axis=0))
            da = dout
        W = params[f"W{i}"]
        if input_only:
            pass
        elif f"W{i}" in out and out[f"W{i}"].shape == W.shape:
            np.matmul(da.T, entry["h_in"], out=out[f"W{i}"])
        else:
            out[f"W{i}"] = da.T @ entry["h_in"]
        dh = da @ W
    out["x"] = dh
    return out


# ---------------------------------------------------------------------------
# model shells
# ---------------------------------------------------------------------------


class _Net:
    """Parameters in one flat buffer; named arrays are views into it."""

    _flat: NDArray[np.floating]
    _grad_flat: NDArray[np.floating]
    _params: dict[str, NDArray[np.floating]]
    _grads: dict[str, NDArray[np.floating]]
    dim: int

    def _allocate(self, shapes: Mapping[str, tuple[int, ...]], dtype: np.dtype) -> None:
        total = sum(math.prod(s) for s in shapes.values())
        self._flat = np.zeros(total, dtype=dtype)
        self._grad_flat = np.zeros(total, dtype=dtype)
        self._params, self._grads = {}, {}
        offset = 0
        for name, shape in shapes.items():
            size = math.prod(shape)
            self._params[name] = self._flat[offset : offset + size].reshape(shape)
            self._grads[name] = self._grad_flat[offset : offset + size].reshape(shape)
            offset += size

    @property
    def dtype(self) -> np.dtype:
        """Floating-point type of the parameters."""
        return self._flat.dtype

    @property
    def params(self) -> dict[str, NDArray[np.floating]]:
        """The named parameter arrays (views: writing to them changes the model)."""
        return dict(self._params)

    @property
    def n_parameters(self) -> int:
        """Total number of trainable parameters."""
        return int(self._flat.size)

    def _set(self, name: str, value: ArrayLike) -> None:
        arr = check_finite_array(value, name)
        target = self._params[name]
        if arr.shape != target.shape:
            msg = f"`{name}` must have shape {target.shape}; got shape {arr.shape}."
            raise ValueError(msg)
        target[...] = arr

    def astype(self, dtype: DTypeLike) -> Any:
        """Return a copy of the model with parameters (and state) in ``dtype``.

        Parameters
        ----------
        dtype : {numpy.float32, numpy.float64}
            The new floating-point type.

        Returns
        -------
        QuadNet or ReLUNet
            An independent copy; float32 → float64 is exact.
        """
        dt = _check_dtype(dtype)
        new = copy.copy(self)
        shapes = {name: arr.shape for name, arr in self._params.items()}
        new._allocate(shapes, dt)
        new._flat[...] = self._flat
        state = getattr(self, "state", None)
        if state is not None:
            new.state = {k: v.astype(dt) for k, v in state.items()}  # type: ignore[attr-defined]
        return new

    def logit(self, x: ArrayLike) -> NDArray[np.floating]:  # pragma: no cover
        raise NotImplementedError

    def predict(self, x: ArrayLike) -> NDArray[np.int64] | np.int64:
        """Predicted labels: 1 ("outer") iff the logit is > 0, else 0 ("inner").

        Parameters
        ----------
        x : array_like, shape (n, dim) or (dim,)
            Points, or one point.

        Returns
        -------
        ndarray of int, shape (n,), or numpy.int64
            One label per point; a scalar for one point of shape (dim,), as
            :meth:`spheres_theory.QuadraticRule.predict` does.
        """
        one = np.ndim(x) == 1
        labels = (self.logit(np.atleast_2d(x) if one else x) > 0).astype(np.int64)
        return labels[0] if one else labels

    # -- training interface (private) -------------------------------------
    def _loss_and_grad(
        self,
        x: NDArray[np.floating],
        y: NDArray[np.floating],
        *,
        scratch: dict[str, NDArray[np.floating]] | None = None,
    ) -> tuple[float, float]:  # pragma: no cover
        """Mean batch loss and accuracy; the gradient goes to ``_grad_flat``.

        ``scratch`` is a dict the caller keeps between steps, in which the
        model keeps its work arrays (no allocation per step).
        """
        raise NotImplementedError

    def input_gradient(
        self, x: ArrayLike
    ) -> tuple[NDArray[np.floating], NDArray[np.floating]]:  # pragma: no cover
        raise NotImplementedError


class QuadNet(_Net):
    """Quadratic network ``logit(x) = w * sum_j (W x)_j**2 + b`` (paper §4).

    Parameters
    ----------
    dim : int
        Input dimension d (paper: 500).
    hidden : int, default 1000
        Hidden width h (paper: 1000).
    rng : None, int or numpy.random.Generator, optional
        Randomness for the initialisation.
    dtype : numpy.float32 or numpy.float64, default numpy.float64
        Type of the parameters and of the computation.

    Attributes
    ----------
    W : ndarray, shape (hidden, dim)
        Hidden weights (a view into the parameter buffer; assignable).
    w, b : float
        Readout weight and bias (assignable).

    Notes
    -----
    Initialisation (the paper gives none): ``W_ij ~ N(0, 1/dim)`` (LeCun
    normal), ``w = dim / hidden`` and ``b = -1``, so that ``w ||W x||² ≈
    ||x||²`` and the rule coefficients ``alpha_i = w s_i² / (-b)`` start
    Marchenko–Pastur distributed with mean 1, on both sides of the perfect band
    ``[1/R², 1]``.  Label 1 ("outer") iff the logit is > 0.

    References
    ----------
    J. Gilmer et al., "Adversarial Spheres", arXiv:1801.02774, 2018.

    Examples
    --------
    >>> net = QuadNet(dim=5, hidden=8, rng=0)
    >>> net.W.shape, net.w, net.b
    ((8, 5), 0.625, -1.0)
    >>> net.predict(np.zeros((1, 5))).tolist()
    [0]
    """

    def __init__(
        self,
        dim: int,
        hidden: int = 1000,
        *,
        rng: ArrayLike | np.random.Generator | None = None,
        dtype: DTypeLike = np.float64,
    ) -> None:
        self.dim = check_int(dim, "dim", minimum=1)
        self.hidden = check_int(hidden, "hidden", minimum=1)
        dt = _check_dtype(dtype)
        self._allocate({"W": (self.hidden, self.dim), "w": (), "b": ()}, dt)
        gen = np.random.default_rng(rng)
        self._params["W"][...] = gen.standard_normal((self.hidden, self.dim)) / (
            math.sqrt(self.dim)
        )
        self._params["w"][...] = self.dim / self.hidden
        self._params["b"][...] = -1.0

    @classmethod
    def from_alphas(
        cls,
        alphas: ArrayLike,
        hidden: int = 1000,
        *,
        basis: ArrayLike | None = None,
        rng: ArrayLike | np.random.Generator | None = None,
        dtype: DTypeLike = np.float64,
    ) -> QuadNet:
        """Build a quad net whose rule has the given coefficients.

        Parameters
        ----------
        alphas : array_like, shape (dim,)
            Nonnegative rule coefficients: the net says "outer" iff
            ``sum(alphas * (basisᵀ x)**2) > 1``.
        hidden : int, default 1000
            Hidden width; must be >= the number of nonzero ``alphas``.
        basis : array_like, shape (dim, dim), optional
            Orthogonal matrix whose columns are the rule's axes; a random
            rotation (Haar, from ``rng``) if omitted.
        rng : None, int or numpy.random.Generator, optional
            Randomness for the basis and the hidden mixing.
        dtype : numpy.float32 or numpy.float64, default numpy.float64

        Returns
        -------
        QuadNet

        Notes
        -----
        ``W = U diag(sqrt(alphas * hidden / dim)) basisᵀ`` with ``U`` (hidden ×
        dim) having orthonormal columns (random), ``w = dim / hidden`` and
        ``b = -1``, so ``WᵀW = basis diag(alphas hidden / dim) basisᵀ`` and
        every hidden unit is active.

        Examples
        --------
        >>> net = QuadNet.from_alphas([0.7, 0.8, 0.9], hidden=4, rng=0)
        >>> x = np.array([[1.0, 0.0, 0.0]])
        >>> bool(net.logit(x)[0] < 0)   # inner points are classified inner
        True
        """
        a = check_finite_array(alphas, "alphas")
        if a.ndim != 1 or a.size < 1 or np.any(a < 0):
            msg = f"`alphas` must be a 1-d array of numbers >= 0; got {alphas!r}."
            raise ValueError(msg)
        dim = a.size
        hidden = check_int(hidden, "hidden", minimum=1)
        if np.count_nonzero(a) > hidden:
            msg = (
                f"`hidden` must be >= the number of nonzero alphas "
                f"({np.count_nonzero(a)}); got {hidden!r}."
            )
            raise ValueError(msg)
        gen = np.random.default_rng(rng)
        if basis is None:
            q, r = np.linalg.qr(gen.standard_normal((dim, dim)))
            basis_arr = q * np.sign(np.diag(r))
        else:
            basis_arr = check_finite_array(basis, "basis")
            if basis_arr.shape != (dim, dim) or not np.allclose(
                basis_arr.T @ basis_arr, np.eye(dim), atol=1e-10
            ):
                msg = f"`basis` must be an orthogonal ({dim}, {dim}) matrix."
                raise ValueError(msg)
        order = np.argsort(-a)  # nonzero alphas first
        k = min(hidden, dim)
        mix, _ = np.linalg.qr(gen.standard_normal((hidden, k)))
        scales = np.sqrt(a[order[:k]] * hidden / dim)
        net = cls(dim, hidden, rng=gen, dtype=dtype)
        net._params["W"][...] = (mix * scales) @ basis_arr[:, order[:k]].T
        net._params["w"][...] = dim / hidden
        net._params["b"][...] = -1.0
        return net

    @classmethod
    def perfect(
        cls,
        dim: int,
        hidden: int = 1000,
        *,
        outer_radius: float = 1.3,
        rng: ArrayLike | np.random.Generator | None = None,
        dtype: DTypeLike = np.float64,
    ) -> QuadNet:
        """Build a perfect quad net: every rule coefficient inside ``[1/R², 1]``.

        Parameters
        ----------
        dim : int
            Input dimension (``hidden >= dim`` is required: a zero coefficient
            would misclassify outer points).
        hidden : int, default 1000
        outer_radius : float, default 1.3
            R; the coefficients are drawn uniformly from the middle half of the
            band ``[1/R², 1]``.
        rng : None, int or numpy.random.Generator, optional
        dtype : numpy.float32 or numpy.float64, default numpy.float64

        Returns
        -------
        QuadNet
            Built by :meth:`from_alphas` in a random basis.

        Notes
        -----
        The starting point of the drift experiment of Gilmer et al. (2018,
        §4): training from here lowers the average loss while coefficients
        leave the band.

        Examples
        --------
        >>> net = QuadNet.perfect(10, hidden=10, rng=0)
        >>> lo, hi = 1 / 1.3**2, 1.0
        >>> a = np.linalg.eigvalsh(net.w * net.W.T @ net.W / -net.b)
        >>> bool(np.all((a > lo) & (a < hi)))
        True
        """
        dim = check_int(dim, "dim", minimum=1)
        hidden = check_int(hidden, "hidden", minimum=1)
        if hidden < dim:
            msg = f"`hidden` must be >= dim={dim} for a perfect net; got {hidden!r}."
            raise ValueError(msg)
        lo = 1.0 / check_positive(outer_radius, "outer_radius") ** 2
        if not lo < 1:
            msg = f"`outer_radius` must be a finite number > 1; got {outer_radius!r}."
            raise ValueError(msg)
        gen = np.random.default_rng(rng)
        width = 1.0 - lo
        alphas = gen.uniform(lo + width / 4, 1.0 - width / 4, size=dim)
        return cls.from_alphas(alphas, hidden, rng=gen, dtype=dtype)

    # -- parameters ---------------------------------------------------------
    @property
    def W(self) -> NDArray[np.floating]:
        """Hidden weights, shape (hidden, dim)."""
        return self._params["W"]

    @W.setter
    def W(self, value: ArrayLike) -> None:
        self._set("W", value)

    @property
    def w(self) -> float:
        """Scalar readout weight."""
        return float(self._params["w"])

    @w.setter
    def w(self, value: float) -> None:
        self._set("w", value)

    @property
    def b(self) -> float:
        """Scalar readout bias."""
        return float(self._params["b"])

    @b.setter
    def b(self, value: float) -> None:
        self._set("b", value)

    # -- evaluation ---------------------------------------------------------
    def logit(self, x: ArrayLike) -> NDArray[np.floating]:
        """Logits ``w * ||W x||² + b``.

        Parameters
        ----------
        x : array_like, shape (n, dim)

        Returns
        -------
        ndarray, shape (n,)

        Examples
        --------
        >>> net = QuadNet.from_alphas([0.5, 2.0], hidden=2, basis=np.eye(2), rng=0)
        >>> net.logit([[1.0, 0.0]]).round(12).tolist()  # 0.5 x1² + 2 x2² - 1
        [-0.5]
        """
        xs = _check_points(x, self.dim, self.dtype)
        p = self._params
        return quadnet_logit(p["W"], p["w"], p["b"], xs)

    def input_gradient(
        self, x: ArrayLike
    ) -> tuple[NDArray[np.floating], NDArray[np.floating]]:
        """Logits and their gradients with respect to the inputs.

        Parameters
        ----------
        x : array_like, shape (n, dim)

        Returns
        -------
        logits : ndarray, shape (n,)
        grad : ndarray, shape (n, dim)
            ``d logit / dx = 2 w WᵀW x``.

        Examples
        --------
        >>> net = QuadNet.from_alphas([1.0, 1.0], hidden=2, rng=0)
        >>> z, g = net.input_gradient([[1.0, 0.0]])
        >>> g.round(12).tolist()
        [[2.0, 0.0]]
        """
        xs = _check_points(x, self.dim, self.dtype)
        p = self._params
        h = xs @ p["W"].T
        z = p["w"] * np.einsum("ij,ij->i", h, h) + p["b"]
        return z, (2 * p["w"]) * (h @ p["W"])

    def to_rule(self) -> QuadraticRule:
        """Return the ellipsoidal decision rule of this net (computed in float64).

        Returns
        -------
        spheres_theory.rules.QuadraticRule
            ``QuadraticRule.from_quad_net(W, w, b)``: "outer" iff
            ``sum(alphas * z**2) > 1`` with ``alphas = w s²/(-b)``.

        Examples
        --------
        >>> net = QuadNet.from_alphas([0.7, 0.8, 0.9], hidden=4, rng=0)
        >>> np.sort(net.to_rule().alphas).round(10).tolist()
        [0.7, 0.8, 0.9]
        """
        return QuadraticRule.from_quad_net(
            np.asarray(self.W, dtype=np.float64), float(self.w), float(self.b)
        )

    def _loss_and_grad(
        self,
        x: NDArray[np.floating],
        y: NDArray[np.floating],
        *,
        scratch: dict[str, NDArray[np.floating]] | None = None,
    ) -> tuple[float, float]:
        # The hot path of training: two GEMMs into preallocated arrays (the
        # hidden activations are kept transposed, (hidden, n), so that both
        # GEMMs read W and x in their stored order), no einsum over the big
        # arrays, no upcast of float32.
        p, g = self._params, self._grads
        hT = _scratch(scratch, "hT", (self.hidden, x.shape[0]), self.dtype)
        np.matmul(p["W"], x.T, out=hT)
        s = np.einsum("ij,ij->j", hT, hT)  # ||W x_n||², n = batch (small)
        z = p["w"] * s + p["b"]
        loss, dz = sigmoid_cross_entropy(z, y)
        g["w"][...] = dz @ s
        g["b"][...] = dz.sum()
        hT *= (2 * p["w"]) * dz  # column n scaled by 2 w dz_n
        np.matmul(hT, x, out=g["W"])  # dW = 2 w sum_n dz_n (W x_n) x_nᵀ
        correct = np.count_nonzero((z > 0) == (y > 0.5))
        return loss, correct / x.shape[0]

    def __repr__(self) -> str:
        return f"QuadNet(dim={self.dim}, hidden={self.hidden}, dtype={self.dtype})"


def _orthonormal_rows(
    rows: int, cols: int, gen: np.random.Generator
) -> NDArray[np.float64]:
    """``rows`` unit rows: stacked random orthogonal ``cols × cols`` matrices.

    Each block is Haar-distributed (QR of a Gaussian matrix with the signs of
    R's diagonal moved into Q); the last block is cut to the rows needed.
    """
    blocks = []
    need = rows
    while need > 0:
        q, r = np.linalg.qr(gen.standard_normal((cols, cols)))
        q *= np.sign(np.diag(r))
        blocks.append(q.T[: min(need, cols)])
        need -= cols
    return np.concatenate(blocks)


class ReLUNet(_Net):
    """ReLU network ``dim -> hidden[0] -> … -> 1`` with batch normalisation.

    Parameters
    ----------
    dim : int
        Input dimension d (paper: 500).
    hidden : tuple of int, default (1000, 1000)
        Hidden widths (paper: two layers of 1000).
    batch_norm : bool, default True
        Batch normalisation after each hidden linear map (before the ReLU), as
        in the paper; plain biases instead if False.
    rng : None, int or numpy.random.Generator, optional
        Randomness for the initialisation.
    dtype : numpy.float32 or numpy.float64, default numpy.float64
    init : {"normal", "orthogonal"}, default "normal"
        Hidden weights He-normal, or with orthonormal rows scaled by
        ``sqrt(2)`` (the He-normal rows' expected norm): each layer's rows
        are the rows of independent random orthogonal matrices of its fan-in,
        stacked when the layer is wider than its input, so ``W1ᵀ W1`` is
        exactly ``2 · h1 / dim`` times the identity when ``dim`` divides
        ``h1``.

    Attributes
    ----------
    params : dict of str to ndarray
        ``W1, gamma1, beta1, W2, gamma2, beta2, w_out, b_out`` (views).
    state : dict of str to ndarray
        Batch-norm running averages ``running_mean_i`` (start 0) and
        ``running_var_i`` (start 1), updated with momentum 0.1 from the
        unbiased batch variance (PyTorch's convention); ``eps = 1e-5``.

    Notes
    -----
    Initialisation (the paper gives none): hidden weights He-normal
    ``N(0, 2/fan_in)`` (or orthogonal, ``init="orthogonal"``), readout
    ``N(0, 1/fan_in)``, ``gamma = 1``, ``beta = 0``, biases 0.
    :meth:`logit` with ``training=True`` normalises with batch statistics
    and updates the running averages; evaluation mode
    (the default, used by :meth:`predict` and attacks) uses the running
    averages, so each point is classified independently.

    Examples
    --------
    >>> net = ReLUNet(4, hidden=(8, 8), rng=0)
    >>> sorted(net.params)
    ['W1', 'W2', 'b_out', 'beta1', 'beta2', 'gamma1', 'gamma2', 'w_out']
    >>> net.predict(np.ones((3, 4))).shape
    (3,)
    """

    def __init__(
        self,
        dim: int,
        hidden: Sequence[int] = (1000, 1000),
        *,
        batch_norm: bool = True,
        rng: ArrayLike | np.random.Generator | None = None,
        dtype: DTypeLike = np.float64,
        init: str = "normal",
    ) -> None:
        self.dim = check_int(dim, "dim", minimum=1)
        check_choice(init, "init", ("normal", "orthogonal"))
        widths = (hidden,) if isinstance(hidden, int | np.integer) else tuple(hidden)
        if len(widths) < 1:
            msg = f"`hidden` must list at least one width; got {hidden!r}."
            raise ValueError(msg)
        self.hidden = tuple(check_int(h, "hidden", minimum=1) for h in widths)
        self.batch_norm = bool(batch_norm)
        dt = _check_dtype(dtype)
        shapes: dict[str, tuple[int, ...]] = {}
        fan_in = self.dim
        for i, width in enumerate(self.hidden, start=1):
            shapes[f"W{i}"] = (width, fan_in)
            if self.batch_norm:
                shapes[f"gamma{i}"] = (width,)
                shapes[f"beta{i}"] = (width,)
            else:
                shapes[f"b{i}"] = (width,)
            fan_in = width
        shapes["w_out"] = (fan_in,)
        shapes["b_out"] = ()
        self._allocate(shapes, dt)
        gen = np.random.default_rng(rng)
        fan_in = self.dim
        self.state: dict[str, NDArray[np.floating]] = {}
        for i, width in enumerate(self.hidden, start=1):
            if init == "orthogonal":
                self._params[f"W{i}"][...] = _orthonormal_rows(width, fan_in, gen)
                self._params[f"W{i}"] *= math.sqrt(2.0)
            else:
                std = math.sqrt(2.0 / fan_in)
                self._params[f"W{i}"][...] = gen.standard_normal((width, fan_in)) * std
            if self.batch_norm:
                self._params[f"gamma{i}"][...] = 1.0
                self.state[f"running_mean{i}"] = np.zeros(width, dtype=dt)
                self.state[f"running_var{i}"] = np.ones(width, dtype=dt)
            fan_in = width
        self._params["w_out"][...] = gen.standard_normal(fan_in) / math.sqrt(fan_in)
        self.momentum = _BN_MOMENTUM
        self.eps = _BN_EPS

    def _update_running(self, cache: Sequence[Mapping[str, Any]]) -> None:
        m = self.momentum
        for i in range(1, len(self.hidden) + 1):
            entry = cache[i - 1]
            if "mean" in entry:
                rm, rv = self.state[f"running_mean{i}"], self.state[f"running_var{i}"]
                rm *= 1 - m
                rm += m * entry["mean"]
                rv *= 1 - m
                rv += m * entry["var_unbiased"]

    def logit(self, x: ArrayLike, *, training: bool = False) -> NDArray[np.floating]:
        """Logits of the points.

        Parameters
        ----------
        x : array_like, shape (n, dim)
        training : bool, default False
            Batch statistics (and an update of the running averages) if True;
            running averages otherwise.

        Returns
        -------
        ndarray, shape (n,)

        Examples
        --------
        >>> net = ReLUNet(3, hidden=(4,), rng=0)
        >>> net.logit(np.eye(3)).shape
        (3,)
        """
        xs = _check_points(x, self.dim, self.dtype)
        z, cache = relunet_forward(
            self._params, xs, training=training, state=self.state, eps=self.eps
        )
        if training:
            self._update_running(cache)
        return z

    def input_gradient(
        self, x: ArrayLike
    ) -> tuple[NDArray[np.floating], NDArray[np.floating]]:
        """Logits and their input gradients in evaluation mode.

        Parameters
        ----------
        x : array_like, shape (n, dim)

        Returns
        -------
        logits : ndarray, shape (n,)
        grad : ndarray, shape (n, dim)
            ``d logit_n / d x_n`` (points are independent in evaluation mode).

        Examples
        --------
        >>> net = ReLUNet(3, hidden=(4,), rng=0)
        >>> z, g = net.input_gradient(np.eye(3))
        >>> g.shape
        (3, 3)
        """
        xs = _check_points(x, self.dim, self.dtype)
        z, cache = relunet_forward(
            self._params, xs, training=False, state=self.state, eps=self.eps
        )
        grads = relunet_backward(self._params, cache, np.ones_like(z), input_only=True)
        return z, grads["x"]

    def _loss_and_grad(
        self,
        x: NDArray[np.floating],
        y: NDArray[np.floating],
        *,
        scratch: dict[str, NDArray[np.floating]] | None = None,
    ) -> tuple[float, float]:
        z, cache = relunet_forward(
            self._params, x, training=True, state=self.state, eps=self.eps
        )
        self._update_running(cache)
        loss, dz = sigmoid_cross_entropy(z, y)
        relunet_backward(self._params, cache, dz, grads=self._grads)
        self._grads.pop("x", None)
        correct = np.count_nonzero((z > 0) == (y > 0.5))
        return loss, correct / x.shape[0]

    def __repr__(self) -> str:
        return (
            f"ReLUNet(dim={self.dim}, hidden={self.hidden}, "
            f"batch_norm={self.batch_norm}, dtype={self.dtype})"
        )
