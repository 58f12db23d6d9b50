"""Figures of the reproduction: one function per figure of the report.

The figures are those of Gilmer et al. (2018) [1]_.

Each function takes a result object of :mod:`spheres_theory.reproduce` and
an optional matplotlib ``Axes`` and returns the ``Axes`` it drew on (the
slices figure returns an array of them).  matplotlib is imported lazily inside
the functions, so ``import spheres_theory.plotting`` stays cheap;
:func:`save_figures` draws on bare :class:`matplotlib.figure.Figure` objects
(Agg canvas) and never touches the pyplot state.

References
----------
.. [1] J. Gilmer et al., "Adversarial Spheres", arXiv:1801.02774, 2018.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "plot_alpha_histogram",
    "plot_attack_gap",
    "plot_bound_curve",
    "plot_bound_curves",
    "plot_decision_slices",
    "plot_drift",
    "plot_error_vs_distance",
    "plot_online_alphas",
    "save_figures",
]

_BAND_COLOR = "tab:green"


def _band(span: Any, result: Any) -> None:
    """Shade the perfect band [1/R², 1] with ``ax.axvspan`` or ``ax.axhspan``."""
    span(
        result.alpha_low,
        result.alpha_high,
        color=_BAND_COLOR,
        alpha=0.2,
        label="perfect band [1/R², 1]",
    )


_SLICE_ALPHA = 0.6  # opacity of the predicted-class shading of the slices


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


def plot_bound_curves(result: Any, ax: Any = None) -> Any:
    """Exact Lévy bound d*(μ; d) and the paper's Φ⁻¹(1 − μ)/√d (item 1).

    Parameters
    ----------
    result : BoundCurvesResult
        From :func:`spheres_theory.reproduce.bound_curves`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    matplotlib.axes.Axes
        Log-x axes with one solid (exact) and one dashed (asymptotic) curve
        per dimension and the paper's μ = 0.01 cartoon values as crosses.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from spheres_theory.reproduce import BoundCurvesResult
    >>> mu = np.array([1e-4, 1e-2])
    >>> r = BoundCurvesResult(np.array([500]), mu, np.array([[0.17, 0.10]]),
    ...     np.array([[0.166, 0.104]]), *[np.zeros(1)] * 5,
    ...     np.array([500]), np.array([0.104]), np.array([0.1042]))
    >>> ax = plot_bound_curves(r, Figure().subplots())
    >>> len(ax.lines)
    3
    """
    ax = _axes(ax)
    for k, dim in enumerate(result.dims):
        color = f"C{k}"
        ax.plot(result.error_rates, result.exact[k], color=color, label=f"d = {dim}")
        ax.plot(result.error_rates, result.asymptotic[k], "--", color=color)
    ok = np.isin(result.cartoon_dims, result.dims)
    if ok.any():
        ax.plot(
            np.full(int(ok.sum()), 1e-2),
            result.cartoon_paper[ok],
            "kx",
            label="paper's cartoon (μ = 0.01)",
        )
    ax.set_xscale("log")
    ax.set_xlabel("error rate μ")
    ax.set_ylabel("mean distance to the nearest error")
    ax.set_title("exact bound (solid) vs Φ⁻¹(1 − μ)/√d (dashed)")
    ax.legend(fontsize="small")
    return ax


def plot_alpha_histogram(result: Any, ax: Any = None) -> Any:
    """Histogram of the fixed-set quad net's α with the band [1/R², 1] (item 2).

    Parameters
    ----------
    result : FixedSetQuadNetResult
        From :func:`spheres_theory.reproduce.fixed_set_quadnet`.
    ax : matplotlib.axes.Axes, optional
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes
        The histogram (paper's Fig. 3 left).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from spheres_theory.reproduce import FixedSetQuadNetResult
    >>> r = FixedSetQuadNetResult(np.linspace(0, 1.5, 10), 1 / 1.69, 1.0, 1.0,
    ...     3, 4, 1, -3.0, "exact", -5.0, -1.0, -20.0, 10, 0, 0, 1.0, 100, 10,
    ...     20, np.arange(2), np.ones(2))
    >>> ax = plot_alpha_histogram(r, Figure().subplots())
    >>> ax.get_xlabel()
    'α'
    """
    ax = _axes(ax)
    _band(ax.axvspan, result)
    ax.hist(result.alphas, bins=min(60, max(10, result.alphas.size // 5)), color="C0")
    ax.set_xlabel("α")
    ax.set_ylabel("count")
    ax.set_title(
        f"fixed set of {result.train_size}: {result.n_above} α > 1, "
        f"{result.n_below} α < 1/R²\nexact log10 inner error "
        f"{result.log10_error_inner:.2f}, CLT {result.log10_clt_inner:.2f}",
        fontsize="medium",
    )
    ax.legend(fontsize="small")
    return ax


def plot_online_alphas(result: Any, ax: Any = None) -> Any:
    """α of the online quad net per checkpoint, converging into the band (item 3).

    Parameters
    ----------
    result : OnlineQuadNetResult
        From :func:`spheres_theory.reproduce.online_quadnet`.
    ax : matplotlib.axes.Axes, optional
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes
        Min, max and the 5–95 % range of α against the step on a log axis;
        step 0 (the initialisation) is drawn as a column of its own at the
        left, behind a dotted line, with the tick "0".

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from spheres_theory.reproduce import OnlineQuadNetResult
    >>> two = np.ones(2)
    >>> r = OnlineQuadNetResult(np.array([0, 10]), np.array([[0.1, 2.0],
    ...     [0.7, 0.9]]), np.array([2, 0]), np.array([-1.0, -np.inf]),
    ...     np.array([-1.0, -np.inf]), 1 / 1.69, 1.0, 4, 0.1 * two, 0.09 * two,
    ...     0.11 * two, 0.2 * two, 100)
    >>> ax = plot_online_alphas(r, Figure().subplots())
    >>> ax.get_xscale(), [t.get_text() for t in ax.get_xticklabels()][0]
    ('log', '0')
    """
    ax = _axes(ax)
    a = np.asarray(result.alphas)
    steps = np.asarray(result.steps)
    _band(ax.axhspan, result)
    later = steps > 0
    x, b = steps[later], a[later]
    if x.size:
        lo, hi = np.quantile(b, [0.05, 0.95], axis=1)
        ax.fill_between(x, lo, hi, color="C0", alpha=0.3, label="5–95 % of α")
        ax.plot(x, b.min(axis=1), "C0.-", lw=1, label="min / max α")
        ax.plot(x, b.max(axis=1), "C0.-", lw=1)
    ax.set_xscale("log")
    first = float(x.min()) if x.size else 1.0
    right = (float(x.max()) if x.size else 1.0) * 10**0.15
    if (~later).any():
        # Step 0 has no place on a log axis: its own column at the left,
        # behind a dotted separator, with the tick "0".
        edge = first / 10**0.3
        x0 = first / 10**0.6
        a0 = a[~later][0]
        lo0, hi0 = np.quantile(a0, [0.05, 0.95])
        ax.vlines(x0, lo0, hi0, color="C0", alpha=0.3, lw=8)
        ax.plot([x0, x0], [a0.min(), a0.max()], "C0_", ms=10, mew=1.5)
        ax.axvline(edge, color="0.4", lw=0.8, ls=":")
        ax.set_xlim(first / 10**0.9, right)
        decades = 10.0 ** np.arange(np.ceil(np.log10(edge)), np.log10(right) + 1)
        major = decades[(decades >= edge) & (decades <= right)]
        minor = (np.arange(2, 10)[:, None] * decades[None, :] / 10).ravel()
        minor = np.sort(minor[(minor >= edge) & (minor <= right)])
        ax.set_xticks(
            [x0, *major], labels=["0", *(f"$10^{{{np.log10(m):.0f}}}$" for m in major)]
        )
        ax.set_xticks(minor, minor=True)
        ax.tick_params(axis="x", which="minor", labelbottom=False)
    else:
        ax.set_xlim(first / 10**0.15, right)
    ax.set_xlabel("Adam step (log scale; 0 = initialisation)")
    ax.set_ylabel("α")
    ax.set_title(f"online training: {int(result.n_bad[-1])} bad α at the end")
    ax.legend(fontsize="small")
    return ax


def _plot_online_demo(result: Any, ax: Any) -> Any:
    """Item 3's small-dimension demonstration: α range after each stage."""
    a = np.asarray(result.demo_alphas)
    steps = np.asarray(result.demo_steps)
    _band(ax.axhspan, result)
    x = np.arange(steps.size)
    lo, hi = np.quantile(a, [0.05, 0.95], axis=1)
    ax.fill_between(x, lo, hi, color="C1", alpha=0.3, label="5–95 % of α")
    ax.plot(x, a.min(axis=1), "C1.-", lw=1, label="min / max α")
    ax.plot(x, a.max(axis=1), "C1.-", lw=1)
    labels = [
        f"{int(s)}" if np.isnan(lr) else f"{int(s)}\nlr {lr:g}"
        for s, lr in zip(steps, np.asarray(result.demo_lr), strict=True)
    ]
    ax.set_xticks(x, labels=labels, fontsize="small")
    ax.set_xlabel("Adam step at the end of each stage")
    ax.set_ylabel("α")
    ax.set_title(
        f"demo d = {int(result.demo_dim)}, step-decay lr: "
        f"{int(result.demo_n_bad[-1])} bad α at the end",
        fontsize="medium",
    )
    ax.legend(fontsize="small")
    return ax


def plot_drift(result: Any, ax: Any = None) -> Any:
    """Average and worst-case loss and bad-α count from a perfect start (item 4).

    Parameters
    ----------
    result : DriftResult
        From :func:`spheres_theory.reproduce.perfect_init_drift`.
    ax : matplotlib.axes.Axes, optional
        Where to draw the losses; the bad-α count goes on a twin axis.

    Returns
    -------
    matplotlib.axes.Axes
        The loss axes (log-y) (paper's Fig. 3 right).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from spheres_theory.reproduce import DriftResult
    >>> r = DriftResult(np.array([0, 5]), np.array([0.03, 0.02]),
    ...     np.array([0.1, 2.0]), np.array([0, 3]), np.array([-np.inf, -5.0]),
    ...     np.array([-np.inf, -7.0]), 100, 0)
    >>> ax = plot_drift(r, Figure().subplots())
    >>> ax.get_yscale()
    'log'
    """
    ax = _axes(ax)
    ax.plot(result.steps, result.mean_loss, color="C0", label="average loss")
    ax.plot(
        result.steps, result.worst_loss, color="C3", label="worst-case loss (exact)"
    )
    ax.set_yscale("log")
    ax.set_xlabel("Adam step")
    ax.set_ylabel("cross-entropy")
    twin = ax.twinx()
    twin.plot(result.steps, result.n_bad, color="k", ls=":", label="bad α")
    twin.set_ylabel("number of α outside [1/R², 1]")
    handles = ax.get_legend_handles_labels()
    handles2 = twin.get_legend_handles_labels()
    ax.legend(handles[0] + handles2[0], handles[1] + handles2[1], fontsize="small")
    ax.set_title("training from a perfect initialisation")
    return ax


def plot_error_vs_distance(result: Any, ax: Any = None) -> Any:
    """(μ, d(E)) of model checkpoints over the exact bound curve (item 5, Fig. 4).

    Parameters
    ----------
    result : ErrorDistanceResult
        From :func:`spheres_theory.reproduce.error_vs_distance`.
    ax : matplotlib.axes.Axes, optional
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes
        Bound curves, quad-net checkpoints (exact μ, exact d(E) with its 95 %
        interval) and ReLU checkpoints (sampled μ with its interval, PGD
        upper bound on d(E); checkpoints without a sampled error are drawn at
        the interval's upper end with a "<" marker).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from spheres_theory.reproduce import ErrorDistanceResult
    >>> one = np.ones(1)
    >>> r = ErrorDistanceResult(np.array([0]), -2 * one, 0.09 * one, 0.08 * one,
    ...     0.1 * one, 0.104 * one, np.array([0]), np.array([3]),
    ...     np.array([100]), 0.01 * one, 0.08 * one, 0.2 * one, one,
    ...     np.array([1e-4, 1e-2]), np.array([0.17, 0.104]),
    ...     np.array([0.166, 0.104]), 500)
    >>> ax = plot_error_vs_distance(r, Figure().subplots())
    >>> ax.get_xscale()
    'log'
    >>> [t.get_text() for t in ax.get_legend().get_texts()][-1]
    'ReLU net (sampled μ, PGD d(E): upper bound)'
    """
    ax = _axes(ax)
    ax.plot(
        result.curve_error_rates, result.curve_exact, "k-", label="exact bound d*(μ)"
    )
    ax.plot(
        result.curve_error_rates,
        result.curve_asymptotic,
        "k--",
        label="Φ⁻¹(1 − μ)/√d (paper)",
    )
    lo_mu = float(np.min(result.curve_error_rates))
    mu = 10.0 ** np.asarray(result.quad_log10_error, dtype=np.float64)
    d = np.asarray(result.quad_mean_distance)
    ok = np.isfinite(d) & (mu >= lo_mu) & (mu < 1)
    if ok.any():
        lo, hi = np.asarray(result.quad_ci_low)[ok], np.asarray(result.quad_ci_high)[ok]
        err = np.abs(np.array([d[ok] - lo, hi - d[ok]]))
        ax.errorbar(
            mu[ok],
            d[ok],
            yerr=err,
            fmt="o",
            color="C0",
            ms=4,
            label="quad net (exact μ, exact d(E))",
        )
    k = np.asarray(result.relu_errors)
    n = np.maximum(np.asarray(result.relu_samples), 1)
    dist = np.asarray(result.relu_mean_distance)
    seen = (k > 0) & np.isfinite(dist)
    if seen.any():
        rate = k / n
        xerr = np.array([rate - result.relu_error_low, result.relu_error_high - rate])
        ax.errorbar(
            rate[seen],
            dist[seen],
            xerr=xerr[:, seen],
            fmt="s",
            color="C1",
            ms=4,
            label="ReLU net (sampled μ, PGD d(E): upper bound)",
        )
    unseen = (k == 0) & np.isfinite(dist)
    if unseen.any():
        ax.plot(
            result.relu_error_high[unseen],
            dist[unseen],
            "<",
            color="C1",
            label="ReLU net, no sampled error (μ < upper CI)",
        )
    ax.set_xscale("log")
    ax.set_xlabel("inner error rate μ")
    ax.set_ylabel("mean distance to the nearest error d(E)")
    ax.set_title(f"error rate vs distance, d = {result.dim}")
    ax.legend(fontsize="small")
    return ax


def plot_attack_gap(result: Any, ax: Any = None) -> Any:
    """Histogram of PGD distance ÷ exact nearest-error distance (item 6).

    Parameters
    ----------
    result : AttackGapResult
        From :func:`spheres_theory.reproduce.attack_gap_experiment`.
    ax : matplotlib.axes.Axes, optional
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes
        The histogram with a line at 1 (the exact distance).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from spheres_theory.reproduce import AttackGapResult
    >>> r = AttackGapResult(np.array([1.0, 1.2]), np.ones(2), np.array([1.0, 1.2]),
    ...     1.0, 2, -3.0)
    >>> ax = plot_attack_gap(r, Figure().subplots())
    >>> ax.get_xlabel()
    'PGD distance ÷ exact distance'
    """
    ax = _axes(ax)
    if result.ratios.size:
        ax.hist(
            result.ratios, bins=min(40, max(5, result.ratios.size // 3)), color="C2"
        )
        med = float(np.median(result.ratios))
        ax.set_title(f"attack gap: median {med:.3f} over {result.ratios.size} points")
    ax.axvline(1.0, color="k", lw=1)
    ax.set_xlabel("PGD distance ÷ exact distance")
    ax.set_ylabel("count")
    return ax


def plot_decision_slices(
    result: Any, ax: Any = None, *, index: int | None = None
) -> Any:
    """2-D slices of the ReLU net's decision region (item 7, paper's Fig. 1).

    Parameters
    ----------
    result : DecisionSlicesResult
        From :func:`spheres_theory.reproduce.decision_slices`.
    ax : matplotlib.axes.Axes or array of Axes, optional
        One Axes (with ``index``) or one per slice; a new figure by default.
    index : int, optional
        Draw only this slice.

    Returns
    -------
    matplotlib.axes.Axes or ndarray of Axes
        One Axes per drawn slice: predicted label (inner blue, outer red),
        the inner and outer circles, the max-margin circle (dashed), the
        starting point x0 = (1, 0) and, for adversarial slices, the PGD point;
        axes along e₁ = x0 and e₂ ⊥ x0.  A key for the colours, circles and
        markers goes below the slices: a figure legend when several slices
        are drawn on a figure with the constrained layout, else a legend
        under the last Axes.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from spheres_theory.reproduce import DecisionSlicesResult
    >>> g = np.linspace(-1.5, 1.5, 5)
    >>> r = DecisionSlicesResult(g, np.zeros((1, 5, 5), int), ("random",),
    ...     np.full((1, 2), np.nan), 1.3)
    >>> ax = plot_decision_slices(r, Figure().subplots(), index=0)
    >>> ax.get_aspect(), ax.get_xlabel(), ax.get_ylabel()
    (1.0, 'along e₁ = x0', 'along e₂ ⊥ x0 (random)')
    >>> [t.get_text() for t in ax.get_legend().get_texts()][:2]
    ['predicted inner (class 0)', 'predicted outer (class 1)']
    """
    indices = range(len(result.kinds)) if index is None else [index]
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(
            1,
            len(indices),
            figsize=(3.6 * len(indices), 4.6),
            squeeze=False,
            layout="constrained",
        )
    axes = np.atleast_1d(np.asarray(ax, dtype=object)).ravel()
    if axes.size < len(indices):
        msg = f"`ax` must hold one Axes per slice ({len(indices)}); got {axes.size}."
        raise ValueError(msg)
    theta = np.linspace(0, 2 * np.pi, 400)
    R = result.outer_radius
    ext = (result.grid[0], result.grid[-1], result.grid[0], result.grid[-1])
    image = None
    starred = False
    for a, s in zip(axes, indices, strict=False):
        image = a.imshow(
            result.labels[s],
            origin="lower",
            extent=ext,
            cmap="coolwarm",
            vmin=-0.5,
            vmax=1.5,
            alpha=_SLICE_ALPHA,
            interpolation="nearest",
        )
        for r, style in ((1.0, "k-"), (R, "k-"), ((1 + R) / 2, "k--")):
            a.plot(r * np.cos(theta), r * np.sin(theta), style, lw=0.8)
        a.plot([1.0], [0.0], "ko", ms=4)
        adv = result.adversarial_points[s]
        if np.all(np.isfinite(adv)):
            a.plot([adv[0]], [adv[1]], "y*", ms=10, mec="k")
            starred = True
        kind = result.kinds[s]
        a.set_title(kind)
        a.set_xlabel("along e₁ = x0")
        second = "adversarial" if kind == "adversarial" else "random"
        a.set_ylabel(f"along e₂ ⊥ x0 ({second})")
        a.set_aspect("equal")
    if image is not None:
        _slice_legend(axes[: len(indices)], image, R, starred)
    return axes[0] if index is not None else axes


def _slice_legend(axes: Any, image: Any, outer_radius: float, starred: bool) -> None:
    """One key for the slices: class colours, circles and markers."""
    from matplotlib.layout_engine import ConstrainedLayoutEngine
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    def shade(label: int) -> Any:
        return image.cmap(image.norm(label), alpha=_SLICE_ALPHA)

    handles = [
        Patch(color=shade(0), label="predicted inner (class 0)"),
        Patch(color=shade(1), label="predicted outer (class 1)"),
        Line2D(
            [], [], color="k", lw=0.8, label=f"spheres r = 1, r = R = {outer_radius:g}"
        ),
        Line2D(
            [], [], color="k", lw=0.8, ls="--", label="max-margin circle r = (1 + R)/2"
        ),
        Line2D([], [], color="k", marker="o", ms=4, ls="", label="x0 (inner point)"),
    ]
    if starred:
        handles.append(
            Line2D(
                [],
                [],
                color="y",
                marker="*",
                ms=10,
                mec="k",
                ls="",
                label="adversarial point (PGD from x0)",
            )
        )
    fig = axes[0].get_figure()
    if len(axes) > 1 and isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine):
        fig.legend(
            handles=handles,
            loc="outside lower center",
            ncols=min(len(handles), 3),
            fontsize="small",
        )
    else:
        axes[-1].legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.15),
            ncols=2,
            fontsize="x-small",
        )


_PLOTTERS: dict[str, Callable[[Any, Any], Any]] = {
    "bounds": plot_bound_curves,
    "fixed_set": plot_alpha_histogram,
    "online": plot_online_alphas,
    "drift": plot_drift,
    "error_distance": plot_error_vs_distance,
    "attack_gap": plot_attack_gap,
}


def save_figures(results: Mapping[str, Any], out_dir: str | Path) -> list[Path]:
    """Write one PNG per result that has a figure.

    Parameters
    ----------
    results : mapping of str to result object
        Keyed by the item names of :data:`spheres_theory.reproduce.ITEMS`
        (``"bounds"``, ``"fixed_set"``, ``"online"``, ``"drift"``,
        ``"error_distance"``, ``"attack_gap"``, ``"slices"``); other keys
        are ignored.
    out_dir : str or path-like
        Folder (created) for ``<item>.png``.

    Returns
    -------
    list of pathlib.Path
        The written files.  ``online.png`` has a second panel for item 3's
        small-dimension demonstration when the result holds one
        (``demo_dim > 0``).

    Examples
    --------
    >>> import tempfile
    >>> from spheres_theory.reproduce import AttackGapResult
    >>> r = AttackGapResult(np.ones(3), np.ones(3), np.ones(3), 1.0, 3, -3.0)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     [p.name for p in save_figures({"attack_gap": r}, tmp)]
    ['attack_gap.png']
    """
    from matplotlib.figure import Figure

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, result in results.items():
        if name == "online" and getattr(result, "demo_dim", 0) > 0:
            fig = Figure(figsize=(11.0, 4.8), layout="constrained")
            left, right = fig.subplots(1, 2)
            plot_online_alphas(result, left)
            _plot_online_demo(result, right)
        elif name in _PLOTTERS:
            fig = Figure(figsize=(6.4, 4.8), layout="constrained")
            _PLOTTERS[name](result, fig.subplots())
        elif name == "slices":
            k = len(result.kinds)
            fig = Figure(figsize=(3.6 * k, 4.8), layout="constrained")
            plot_decision_slices(result, fig.subplots(1, k, squeeze=False))
        else:
            continue
        path = out / f"{name}.png"
        fig.savefig(path, dpi=110)
        paths.append(path)
    return paths
