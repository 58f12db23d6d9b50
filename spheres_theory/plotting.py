"""Plots of the library's objects (matplotlib imported lazily).

:func:`plot_bound_curve` draws a :class:`~spheres_theory.BoundCurve` (exact
Lévy bound and the paper's asymptotic form); :func:`plot_alpha_histogram` a
rule's coefficients against the perfect band [1/R², 1].  The reproduction's
figures (:mod:`spheres_theory.reproduce.figures`) are built on these.  Pass an
``Axes`` of a bare :class:`matplotlib.figure.Figure` to keep pyplot out.
The curves and the band are those of Gilmer et al., "Adversarial Spheres",
arXiv:1801.02774, 2018.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["plot_alpha_histogram", "plot_bound_curve"]

_BAND_COLOR = "tab:green"


def _axes(ax: Any) -> Any:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    return ax


def plot_bound_curve(curve: Any, ax: Any = None) -> Any:
    """Exact Lévy bound and its asymptotic form over a grid of error rates.

    Parameters
    ----------
    curve : BoundCurve
        From :func:`spheres_theory.bound_curve`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    matplotlib.axes.Axes
        The axes: log-scaled error rate on x; where some rates underflow
        (below 1e-308) the x axis shows ``log10`` of the rate, linearly.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from spheres_theory import bound_curve
    >>> ax = plot_bound_curve(bound_curve(500), Figure().subplots())
    >>> [line.get_label() for line in ax.get_lines()]
    ['exact d*(μ)', 'asymptotic Φ⁻¹(1−μ)/√d']
    """
    ax = _axes(ax)
    if np.all(curve.error_rates > 0):
        x = curve.error_rates
        ax.set_xscale("log")
        ax.set_xlabel("error rate $\\mu$")
    else:
        x = curve.log_error_rates / np.log(10.0)
        ax.set_xlabel("$\\log_{10}$ error rate $\\mu$")
    ax.plot(x, curve.exact, label="exact d*(μ)")
    ax.plot(x, curve.asymptotic, linestyle="--", label="asymptotic Φ⁻¹(1−μ)/√d")
    ax.set_ylabel(f"bound on mean {curve.metric} distance to nearest error")
    ax.set_title(f"Lévy bound, d = {curve.dim}")
    ax.legend()
    return ax


def plot_alpha_histogram(
    alphas: ArrayLike,
    alpha_low: float,
    alpha_high: float,
    *,
    ax: Any = None,
    bins: int = 60,
) -> Any:
    """Histogram of a rule's α (log count axis) against the band [1/R², 1].

    Parameters
    ----------
    alphas : array_like, shape (dim,)
        The coefficients.
    alpha_low, alpha_high : float
        The perfect band, ``spheres.alpha_range`` (1/R² and 1).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure by default.
    bins : int, default 60
        Histogram bins.

    Returns
    -------
    matplotlib.axes.Axes
        The axes: counts on a log axis (so a few large α stay visible), the
        band shaded, the number of α below, inside and above it in the legend.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = plot_alpha_histogram([0.5, 0.7, 0.8, 1.4], 1 / 1.69, 1.0,
    ...                           ax=Figure().subplots())
    >>> ax.get_yscale()
    'log'
    """
    ax = _axes(ax)
    a = np.asarray(alphas, dtype=np.float64).ravel()
    below = int(np.sum(a < alpha_low))
    above = int(np.sum(a > alpha_high))
    ax.axvspan(
        alpha_low,
        alpha_high,
        color=_BAND_COLOR,
        alpha=0.2,
        label=f"band [1/R², 1]: {a.size - below - above} inside",
    )
    ax.hist(a, bins=bins, color="C0", label=f"α ({below} below, {above} above)")
    ax.set_yscale("log")
    ax.set_xlabel("α (rule coefficient)")
    ax.set_ylabel("count (log scale)")
    ax.legend(fontsize="small", loc="upper left")
    return ax
