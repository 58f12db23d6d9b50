"""Spherical caps: exact measure, its logarithm and its inverse (the cap height).

The cap ``C_t = {x in S^(dim-1) : x_1 >= t}`` is the extremal set of Lévy's
isoperimetric inequality, used throughout Gilmer et al. (2018).  Its normalised
surface measure is a regularised incomplete beta function; this module evaluates
it without subtraction and, through a log-space continued fraction, far below
the float64 range (the kernels are in :mod:`spheres_theory._capmath`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from ._capmath import (
    broadcast_flat,
    cap_angle,
    check_cap_dim,
    check_rates,
    check_t,
    log_cap_signed,
    log_cap_upper,
    x_from_t_ld,
)

__all__ = ["cap_height", "cap_measure", "log_cap_measure"]


# --------------------------------------------------------------------------
# public functions


def cap_measure(t: ArrayLike, dim: ArrayLike) -> NDArray[np.float64] | np.float64:
    r"""Normalised surface measure of the spherical cap ``{x_1 >= t}``.

    Parameters
    ----------
    t : array_like
        Cap height(s) in ``[-1, 1]`` on the unit sphere ``S^(dim-1)``.
    dim : array_like of int
        Ambient dimension(s), integers in ``[2, 1e16]`` (larger ones raise:
        float64 cannot resolve them); broadcast against ``t``.

    Returns
    -------
    float or ndarray
        :math:`\sigma(C_t)`; a scalar for scalar inputs.  Underflows to 0.0
        below ~1e-308; use :func:`log_cap_measure` there.

    Raises
    ------
    ValueError
        If ``t`` is NaN or outside ``[-1, 1]``, or ``dim`` is not an integer
        in ``[2, 1e16]``.

    See Also
    --------
    log_cap_measure : the natural logarithm, finite far below float64.
    cap_height : the inverse.

    Notes
    -----
    With :math:`a = (d-1)/2` and no subtraction anywhere:

    .. math::

        \sigma(C_t) = \tfrac12 I_{1-t^2}(a, \tfrac12) \; (t \ge 0), \qquad
        \sigma(C_t) = \tfrac12 + \tfrac12 I_{t^2}(\tfrac12, a) \; (t < 0).

    For ``0 <= t <= 1/2`` the equivalent complement form
    :math:`\tfrac12 I^c_{t^2}(\tfrac12, a)` is used (exact for tiny ``t``), for
    ``t > 1/2`` the argument ``1 - t^2`` is formed as ``(1 - t)(1 + t)``.
    ``scipy.special.betainc`` (Boost) is accurate to a few ulp; below 1e-290
    the value is ``exp`` of the log-space continued fraction (relative error
    ~1e-16 times ``|log sigma|``).  ``t = 1`` gives exactly 0, ``t = -1``
    exactly 1.

    References
    ----------
    J. Gilmer et al., "Adversarial Spheres", arXiv:1801.02774 (2018), §4.

    Examples
    --------
    >>> print(cap_measure(0.5, dim=3))  # Archimedes: (1 - t) / 2
    0.25
    >>> cap_measure([-1.0, 0.0, 1.0], 500)
    array([1. , 0.5, 0. ])
    """
    t, dim, shape = broadcast_flat(check_t(t), check_cap_dim(dim), names=("t", "dim"))
    a = 0.5 * (dim - 1.0)
    ta = np.abs(t)
    upper = np.exp(log_cap_upper(ta, x_from_t_ld(t), a)).astype(np.float64)
    lower = 0.5 + 0.5 * special.betainc(0.5, a, t * t)
    out = np.where(t < 0, lower, upper)
    out = np.where(t <= -1.0, 1.0, out)
    return out.reshape(shape)[()]


def log_cap_measure(t: ArrayLike, dim: ArrayLike) -> NDArray[np.float64] | np.float64:
    r"""Natural logarithm of the cap measure, finite where it underflows.

    Parameters
    ----------
    t : array_like
        Cap height(s) in ``[-1, 1]``.
    dim : array_like of int
        Ambient dimension(s), integers in ``[2, 1e16]`` (larger ones raise:
        float64 cannot resolve them); broadcast against ``t``.

    Returns
    -------
    float or ndarray
        :math:`\log \sigma(C_t)`; ``-inf`` only at ``t = 1``, exactly 0 at
        ``t = -1``.

    Raises
    ------
    ValueError
        If ``t`` is NaN or outside ``[-1, 1]``, or ``dim`` is not an integer
        in ``[2, 1e16]``.

    See Also
    --------
    cap_measure

    Notes
    -----
    Where :func:`cap_measure` is at least 1e-290 this is its logarithm.  Below,
    :math:`\log \tfrac12 I_x(a, \tfrac12)` (``x = 1 - t^2``) is evaluated as

    .. math::

        a \log x + \log t - \log a - \log B(a, \tfrac12) + \log F - \log 2,

    with ``F`` the classical continued fraction of the incomplete beta function
    (modified Lentz, converging fast since ``x`` is far below
    ``(a+1)/(a+5/2)`` there) and ``log B`` from a Stirling-series difference of
    log-gamma functions (no cancellation for large ``d``).  The relative error
    of the logarithm is about 1e-15.  For ``dim >= 1e6`` moderate tails use
    the Student-t form ``stdtr(dim - 1, -t sqrt((dim - 1)/(1 - t²)))`` and
    deeper ones a log-domain Gauss-Laguerre rule (no ``1 - t²`` cancellation;
    tested against 40-digit quadrature up to ``dim = 1e16``).

    *Representation floor*: a probability handed over as a float64 logarithm
    cannot be more accurate than about ``|log P| · eps`` relative (1e-10
    holds down to about 10^-400000); beyond, the logarithm itself is what is
    accurate (to ~1e-15 relative).  For ``t < 0`` the result is
    ``log1p(-sigma(C_|t|))``, accurate also when it is tiny.

    Examples
    --------
    >>> print(log_cap_measure(0.5, 10_000))  # cap_measure underflows to 0.0
    -1443.0977575067454
    >>> print(round(float(log_cap_measure(0.9, 2000)), 8))
    -1664.51486266
    """
    t, dim, shape = broadcast_flat(check_t(t), check_cap_dim(dim), names=("t", "dim"))
    out = log_cap_signed(t, x_from_t_ld(t), 0.5 * (dim - 1.0))
    return out.astype(np.float64).reshape(shape)[()]


def cap_height(
    error_rate: ArrayLike | None = None,
    dim: ArrayLike | None = None,
    *,
    log_error_rate: ArrayLike | None = None,
) -> NDArray[np.float64] | np.float64:
    r"""Height ``t`` of the cap ``{x_1 >= t}`` whose measure is ``error_rate``.

    Parameters
    ----------
    error_rate : array_like, optional
        Cap measure(s) :math:`\mu` in the open interval (0, 1).  Omit it (or
        pass ``None``) and use ``log_error_rate`` to go below the float64
        range.
    dim : array_like of int
        Ambient dimension(s), integers in ``[2, 1e16]`` (larger ones raise);
        broadcast against the rates.  Required (it has a default only so that
        ``error_rate`` may be omitted when ``log_error_rate`` is given).
    log_error_rate : array_like, optional
        Natural logarithm(s) of the rates, each ``< 0``.  Give exactly one of
        ``error_rate`` and ``log_error_rate``.

    Returns
    -------
    float or ndarray
        ``t`` in (-1, 1) with :math:`\sigma(C_t) = \mu`: exactly 0 at
        :math:`\mu = 1/2`, negative for :math:`\mu > 1/2`.

    Raises
    ------
    ValueError
        If a rate is NaN, infinite or outside (0, 1) (a log rate ``>= 0``),
        ``dim`` is missing or not an integer in ``[2, 1e16]``, or not exactly
        one of the two rate arguments is given.

    See Also
    --------
    cap_measure

    Notes
    -----
    For :math:`\mu > 1/2` the height is :math:`-t(1-\mu)` (``1 - mu`` is exact
    in float64).  For :math:`10^{-3} < \mu \le 1/2`, Newton's method solves
    :math:`\tfrac12 I_{t^2}(\tfrac12, a) = \tfrac12 - \mu` for ``t`` itself
    (the right side is exact; the left side is concave, so the iterates
    converge monotonically once below the root).  Below, Newton's method in the
    angle :math:`\theta = \arccos t` is applied to
    :math:`\log\sigma(\theta) - \log\mu` (increasing and concave), started
    below the root (at Boost's inverse where ``mu`` is a normal float64, else
    at the larger of the lower bounds from :math:`\sin\theta \le \theta` and
    Ball's :math:`\sigma(C_t) \le e^{-dt^2/2}`), so it converges
    monotonically; the derivative is :math:`c_d\sin^{d-2}\theta/\sigma`.
    Heights below 1/2 then get two Newton steps in ``t`` (``cos`` of an angle
    near :math:`\pi/2` has only absolute accuracy).  ``dim = 2, 3`` use the
    closed forms :math:`t = \cos(\pi\mu)` and :math:`t = 1 - 2\mu`.
    Relative accuracy about 1e-15 for rates down to 1e-300 and, through
    ``log_error_rate``, far beyond.  The large-``d`` approximation is
    :math:`t \approx \Phi^{-1}(1-\mu)/\sqrt d`.

    Examples
    --------
    >>> print(cap_height(0.25, 3))  # Archimedes: mu = (1 - t) / 2
    0.5
    >>> print(round(float(cap_height(1e-6, 500)), 12))
    0.210508900889
    >>> t = cap_height(log_error_rate=-1664.5148626566079, dim=2000)
    >>> print(round(float(t), 12))  # a cap of measure ~1e-723
    0.9
    """
    log_rate, rate = check_rates(error_rate, log_error_rate)
    rate_name = "error_rate" if error_rate is not None else "log_error_rate"
    log_rate, rate, dim, shape = broadcast_flat(
        log_rate, rate, check_cap_dim(dim), names=(rate_name, rate_name, "dim")
    )
    t, _, _ = cap_angle(log_rate, dim, rate)
    return t.reshape(shape)[()]
