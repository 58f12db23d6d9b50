"""Figures of the reproduction: one function per figure of the report.

Each function takes an item's result and a matplotlib ``Axes`` (or array of
them) and returns what it drew on; :func:`save_figures` draws every figure on
bare :class:`matplotlib.figure.Figure` objects (Agg canvas), never touching the
pyplot state.  The figures are those of Gilmer et al. (2018), with the exact
theory added.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from spheres_theory.plotting import plot_alpha_histogram

__all__ = [
    "plot_attack_gap",
    "plot_bounds",
    "plot_drift",
    "plot_error_vs_distance",
    "plot_fixed_set",
    "plot_online",
    "plot_slices",
    "save_figures",
]

_SLICE_ALPHA = 0.6


def plot_bounds(result: Any, axes: Any) -> Any:
    """Item 1: exact Lévy bound (solid) and Φ⁻¹(1 − μ)/√d (dashed) per d."""
    ax = axes
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
            label="paper's Fig. 2 (μ = 0.01)",
        )
    ax.set_xscale("log")
    ax.set_xlabel("error rate μ")
    ax.set_ylabel("mean distance to the nearest error")
    ax.set_title("exact bound (solid) vs Φ⁻¹(1 − μ)/√d (dashed)")
    ax.legend(fontsize="small")
    return ax


def plot_fixed_set(result: Any, axes: Any) -> Any:
    """Item 2: histogram of the final α (log counts), band, exact and CLT errors."""
    ax = axes
    r = result
    text = (
        f"{int(r.n_bad_alphas[-1])} of {r.alphas.shape[1]} α outside the band\n"
        f"inner error: exact 10^{r.log10_error_inner[-1]:.2f}, "
        f"CLT 10^{r.log10_clt_inner[-1]:.2f}\n"
        f"sampled: {r.errors_inner} errors in {r.n_samples:.0e} per sphere"
    )
    plot_alpha_histogram(r.alphas[-1], r.alpha_low, r.alpha_high, ax=ax)
    ax.text(
        0.98,
        0.97,
        text,
        transform=ax.transAxes,
        ha="right",
        va="top",
        fontsize="small",
        bbox={"fc": "white", "alpha": 0.8, "ec": "0.7"},
    )
    ax.set_title("fixed-set quad net: many bad α, almost no error")
    return ax


def plot_online(online: Any, adversarial: Any | None, axes: Any) -> Any:
    """Items 3–4: bad-α count and exact log10 errors against the step."""
    ax_bad, ax_err = axes
    runs = [("online", online, "C0")]
    if adversarial is not None:
        runs.append(("exact adversarial", adversarial, "C3"))
    for label, r, color in runs:
        steps = np.maximum(r.steps, 1)
        ax_bad.plot(steps, r.n_bad_alphas, "o-", color=color, ms=3, label=label)
        for values, style, side in (
            (r.log10_error_inner, "-", "inner"),
            (r.log10_error_outer, ":", "outer"),
        ):
            finite = np.isfinite(values)
            ax_err.plot(
                steps[finite],
                values[finite],
                style,
                color=color,
                label=f"{label}, {side}",
            )
            if (~finite).any():  # exactly 0: mark at the bottom
                ax_err.plot(
                    steps[~finite],
                    np.full((~finite).sum(), ax_err.get_ylim()[0]),
                    "v",
                    color=color,
                    ms=5,
                )
    ax_bad.set_xscale("log")
    ax_bad.set_xlabel("Adam step")
    ax_bad.set_ylabel("α outside [1/R², 1]")
    ax_bad.set_title("bad α (0 = certified perfect)")
    ax_bad.legend(fontsize="small")
    ax_err.set_xscale("log")
    ax_err.set_xlabel("Adam step")
    ax_err.set_ylabel("log10 exact error rate (▼: exactly 0)")
    ax_err.set_title("exact error rates")
    ax_err.legend(fontsize="x-small")
    return axes


def plot_drift(result: Any, axes: Any) -> Any:
    """Item 5: average and worst-case loss (own axes), bad α, both errors."""
    ax_mean, ax_worst, ax_bad = axes
    r = result
    ax_mean.plot(r.steps, r.mean_loss, "o-", ms=3, color="C0")
    ax_mean.set_ylabel("average loss (linear)")
    ax_mean.set_title("average loss falls")
    ax_worst.plot(r.steps, r.worst_loss, "o-", ms=3, color="C3")
    ax_worst.set_yscale("log")
    ax_worst.set_ylabel("worst-case loss (exact)")
    ax_worst.set_title("worst-case loss rises")
    ax_bad.plot(r.steps, r.n_bad_alphas, "o-", ms=3, color="k", label="bad α")
    ax_bad.set_ylabel("α outside [1/R², 1]")
    twin = ax_bad.twinx()
    for values, style, label in (
        (r.log10_error_inner, "-", "inner"),
        (r.log10_error_outer, "--", "outer"),
    ):
        finite = np.isfinite(values)
        twin.plot(r.steps[finite], values[finite], style, color="C2", label=label)
    twin.set_ylabel("log10 exact error rate")
    ax_bad.set_title("bad α and exact errors (inner solid, outer dashed)")
    for ax in axes:
        ax.set_xlabel("Adam step")
    return axes


def plot_error_vs_distance(result: Any, axes: Any) -> Any:
    """Item 6: (log10 μ, d(E)) over the exact bound; axes fitted to the data.

    With two Axes the second zooms on μ ≥ 1e-14, the paper's range.
    """
    axes = np.ravel(np.asarray(axes, dtype=object))
    for k, ax in enumerate(axes):
        _error_distance_panel(result, ax, zoom=k == 1)
    return axes


def _error_distance_panel(result: Any, ax: Any, *, zoom: bool) -> Any:
    e = result
    ax.plot(e.curve_log10_error_rates, e.curve_exact, "k-", label="exact bound d*(μ)")
    ax.plot(
        e.curve_log10_error_rates,
        e.curve_asymptotic,
        "k--",
        lw=0.8,
        label="Φ⁻¹(1 − μ)/√d",
    )
    for k, run in enumerate(dict.fromkeys(e.quad_run)):
        sel = e.quad_run == run
        ax.errorbar(
            e.quad_log10_error[sel],
            e.quad_mean_distance[sel],
            yerr=[
                e.quad_mean_distance[sel] - e.quad_ci_low[sel],
                e.quad_ci_high[sel] - e.quad_mean_distance[sel],
            ],
            fmt="o",
            ms=4,
            color=f"C{k}",
            label=f"quad net, {run} (exact)",
        )
    found = np.isfinite(e.relu_mean_distance)
    zero = e.relu_errors == 0
    rate = np.where(zero, e.relu_ci_high, e.relu_errors / e.relu_samples)
    x = np.log10(rate)
    sel = found & ~zero
    ax.plot(
        x[sel],
        e.relu_mean_distance[sel],
        "s",
        color="C4",
        ms=5,
        label="ReLU net (sampled μ, PGD upper bound)",
    )
    sel = found & zero
    ax.plot(
        x[sel],
        e.relu_mean_distance[sel],
        "<",
        color="C4",
        ms=7,
        mfc="none",
        label="ReLU net, 0 sampled errors (at μ's upper bound)",
    )
    xs = np.concatenate([e.quad_log10_error, x[found]])
    ys = np.concatenate([e.quad_ci_high, e.relu_mean_distance[found]])
    low = np.floor(xs.min()) - 0.5 if xs.size else -20.0
    if zoom:
        low = max(low, -14.0)
        keep = np.concatenate([e.quad_log10_error >= low, x[found] >= low])
        ys = ys[keep]
    ax.set_xlim(low, 0.2)
    if ys.size:
        ax.set_ylim(0, 1.15 * max(float(np.nanmax(ys)), 1e-3))
    ax.set_xlabel("log10 error rate μ (inner sphere)")
    ax.set_ylabel("mean distance to the nearest error d(E)")
    title = "μ ≥ 1e-14 (the paper's range)" if zoom else "every checkpoint"
    ax.set_title(f"error rate vs distance, d = {e.dim}: {title}")
    if not zoom:
        ax.legend(fontsize="x-small")
    return ax


def plot_attack_gap(result: Any, axes: Any) -> Any:
    """Item 7: histograms of PGD ÷ exact distance for both nets."""
    ax = axes
    g = result
    for ratios, mu, color in (
        (g.ratios_low, g.log10_error_low, "C0"),
        (g.ratios_early, g.log10_error_early, "C1"),
    ):
        if ratios.size:
            ax.hist(
                ratios,
                bins=30,
                alpha=0.6,
                color=color,
                label=f"net with μ = 10^{mu:.1f}",
            )
    ax.axvline(1.0, color="k", lw=0.8)
    ax.set_xlabel("PGD distance ÷ exact nearest-error distance (≥ 1)")
    ax.set_ylabel("points")
    ax.legend(fontsize="small")
    return ax


def plot_slices(result: Any, axes: Any) -> Any:
    """Item 8: the three slices (predicted class, circles, error points)."""
    theta = np.linspace(0, 2 * np.pi, 400)
    R = result.outer_radius
    g = result.grid
    ext = (g[0], g[-1], g[0], g[-1])
    for s, ax in enumerate(np.ravel(axes)):
        ax.imshow(
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
            ax.plot(r * np.cos(theta), r * np.sin(theta), style, lw=0.8)
        pts = result.adversarial_points[s]
        ok = np.all(np.isfinite(pts), axis=1)
        if ok.any():
            ax.plot(
                pts[ok, 0], pts[ok, 1], "y*", ms=10, mec="k", label="error found by PGD"
            )
            ax.legend(fontsize="x-small", loc="lower right")
        kind = result.kinds[s]
        # An adversarial direction is always e₁ (its error point in the plane).
        first = "adversarial" if "adversarial" in kind else "random"
        second = "adversarial" if kind == "adversarial × adversarial" else "random"
        if "attack failed" in kind:
            first = second = "random: attack failed"
        ax.set_title(kind)
        ax.set_xlabel(f"e₁ ({first})")
        ax.set_ylabel(f"e₂ ({second}, orthogonalised)")
        ax.set_aspect("equal")
    return axes


def _figure(shape: tuple[int, int], size: tuple[float, float]) -> tuple[Any, Any]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(*shape, squeeze=False)
    return fig, axes[0, 0] if shape == (1, 1) else axes.ravel()


_PLOTS: dict[str, tuple[tuple[int, int], tuple[float, float]]] = {
    "bounds": ((1, 1), (6.4, 4.4)),
    "fixed_set": ((1, 1), (6.4, 4.4)),
    "online": ((1, 2), (11.0, 4.2)),
    "drift": ((1, 3), (14.0, 4.0)),
    "error_distance": ((1, 2), (13.0, 4.8)),
    "attack_gap": ((1, 1), (6.4, 4.0)),
    "slices": ((1, 3), (13.0, 4.6)),
}

_DRAW: dict[str, Callable[[Mapping[str, Any], Any], Any]] = {
    "bounds": lambda r, ax: plot_bounds(r["bounds"], ax),
    "fixed_set": lambda r, ax: plot_fixed_set(r["fixed_set"], ax),
    "online": lambda r, ax: plot_online(r["online"], r.get("adversarial"), ax),
    "drift": lambda r, ax: plot_drift(r["drift"], ax),
    "error_distance": lambda r, ax: plot_error_vs_distance(r["error_distance"], ax),
    "attack_gap": lambda r, ax: plot_attack_gap(r["attack_gap"], ax),
    "slices": lambda r, ax: plot_slices(r["slices"], ax),
}


def save_figures(results: Mapping[str, Any], out_dir: str | Path) -> list[Path]:
    """Draw every figure whose item is in ``results`` as ``out_dir/<item>.png``.

    Parameters
    ----------
    results : mapping
        Item results keyed by item name.
    out_dir : str or path-like
        Folder for the PNG files (created).

    Returns
    -------
    list of pathlib.Path
        The written files.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (shape, size) in _PLOTS.items():
        if name not in results:
            continue
        fig, axes = _figure(shape, size)
        _DRAW[name](results, axes)
        path = out / f"{name}.png"
        fig.savefig(path, dpi=110)
        written.append(path)
    return written
