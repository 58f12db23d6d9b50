"""The Markdown report of a reproduction run: every number computed in the run."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .config import ReproduceConfig
from .items.headline import fmt, fmt_log10

FIGURE_CAPTIONS = {
    "bounds": "Exact Lévy bound vs the paper's asymptotic curve",
    "fixed_set": "α of the fixed-set quad net (Fig. 3 left)",
    "online": "Online and exact adversarial training toward the band [1/R², 1]",
    "drift": "Drift from a perfect initialisation (Fig. 3 right)",
    "error_distance": "Error rate vs mean distance to the nearest error (Fig. 4)",
    "attack_gap": "PGD distance ÷ exact nearest-error distance",
    "slices": "Decision-region slices of the ReLU net (Fig. 1)",
}


def _cell(value: Any) -> str:
    """Return a table cell: pipes escaped so the row keeps its columns."""
    return str(value).replace("|", "\\|").replace("\n", " ")


def table(header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[str]:
    """Return a Markdown table (each row with exactly ``len(header)`` cells)."""
    lines = [
        "| " + " | ".join(_cell(h) for h in header) + " |",
        "|" + "---|" * len(header),
    ]
    lines += ["| " + " | ".join(_cell(c) for c in r) + " |" for r in rows]
    return [*lines, ""]


def _log(x: float) -> str:
    return "-inf (0 exactly)" if x == -np.inf else f"{x:.2f}"


def _run_line(r: Any) -> str:
    data = f"a fixed set of {r.train_size} points" if r.train_size else "online"
    decay = f" decaying to {r.lr_final:g}" if r.lr_final != r.lr else ""
    return (
        f"Training: h = {r.hidden}, batch {r.batch_size}, {data}; Adam with "
        f"lr {r.lr:g}{decay} on W and {r.readout_lr:g} on the readout (w, b), "
        f"{int(r.steps[-1])} steps in {r.seconds:.0f} s (paper: Adam 1e-4 on "
        "every parameter, batch 50, h = 1000)."
    )


def _checkpoints(r: Any) -> list[str]:
    rows = [
        (
            int(s),
            int(n),
            f"{a.min():.3f} … {a.max():.3f}",
            _log(li),
            f"{lc:.2f}",
            _log(lo),
        )
        for s, n, a, li, lc, lo in zip(
            r.steps,
            r.n_bad_alphas,
            r.alphas,
            r.log10_error_inner,
            r.log10_clt_inner,
            r.log10_error_outer,
            strict=True,
        )
    ]
    return table(
        (
            "step",
            "bad α",
            "α range",
            "log10 inner error (exact)",
            "log10 inner (CLT approx.)",
            "log10 outer error (exact)",
        ),
        rows,
    )


def _bounds(b: Any) -> list[str]:
    rows = [
        (int(d), f"{mu:g}", f"{ex:.4f}", f"{ref:.4f}", f"{asym:.4f}")
        for d, mu, ex, ref, asym in zip(
            b.table_dims,
            b.table_error_rates,
            b.table_exact,
            b.table_reference,
            b.table_asymptotic,
            strict=True,
        )
    ]
    return [
        "Exact d*(μ; d) (largest possible mean distance to an error set of "
        "measure μ, Lévy's isoperimetric inequality) beside independently "
        "computed 4-digit reference values and the paper's asymptotic "
        "Φ⁻¹(1 − μ)/√d.",
        "",
        *table(("d", "μ", "exact d*", "reference", "asymptotic"), rows),
    ]


def _fixed_set(f: Any) -> list[str]:
    dim = f.alphas.shape[1]
    n = f.n_samples
    return [
        _run_line(f),
        "",
        *_checkpoints(f),
        f"Final net: {int(f.n_bad_alphas[-1])} of {dim} α outside "
        f"[{f.alpha_low:.4f}, {f.alpha_high:.4f}] ({f.n_above} above 1, "
        f"{f.n_below} below 1/R²); exact inner error "
        f"{fmt_log10(float(f.log10_error_inner[-1]))}, exact outer error "
        f"{fmt_log10(float(f.log10_error_outer[-1]))}; the paper's CLT estimate "
        f"(corrected) {fmt_log10(float(f.log10_clt_inner[-1]))} inner, "
        f"{fmt_log10(f.log10_clt_outer)} outer.  Sampled: {f.errors_inner} "
        f"inner and {f.errors_outer} outer errors among {n:,} uniform points "
        f"per sphere (95 % upper bounds {f.ci_high_inner:.2g} and "
        f"{f.ci_high_outer:.2g}); training accuracy {f.train_accuracy:.4f}.",
        "",
    ]


def _reach(r: Any, name: str) -> str:
    if r.perfect:
        return (
            f"{name}: every α inside the band at step {r.steps_to_perfect} "
            "(certified perfect: both exact error rates are 0)."
        )
    return (
        f"{name}: {int(r.n_bad_alphas[-1])} α still outside the band after "
        f"{int(r.steps[-1])} steps; not reached at this scale (the table shows "
        "the measured curve)."
    )


def _online(o: Any, a: Any | None) -> list[str]:
    lines = [_run_line(o), "", *_checkpoints(o), _reach(o, "Online"), ""]
    if a is not None:
        lines += [
            "**Exact adversarial training (not in the paper).**  Each batch "
            "point is replaced by its exact nearest error on its sphere "
            "(secular equation, no attack) under the net's rule "
            + (
                "at that step"
                if a.refresh == 1
                else f"of at most {a.refresh} steps before"
            )
            + ", keeping its true label; one Adam run.",
            "",
            _run_line(a),
            "",
            *_checkpoints(a),
            _reach(a, "Exact adversarial training"),
            "",
            f"Plain online: {int(o.steps[-1])} steps, {o.seconds:.0f} s; exact "
            f"adversarial: {int(a.steps[-1])} steps, {a.seconds:.0f} s.",
            "",
        ]
    return lines


def _drift(d: Any) -> list[str]:
    rows = [
        (int(s), f"{ml:.5f}", f"{wl:.3f}", int(n), _log(li), _log(lo))
        for s, ml, wl, n, li, lo in zip(
            d.steps,
            d.mean_loss,
            d.worst_loss,
            d.n_bad_alphas,
            d.log10_error_inner,
            d.log10_error_outer,
            strict=True,
        )
    ]
    return [
        "Start: every α in the middle half of the band, readout (w, b) scaled "
        f"by {d.init_scale:g}; trained online at lr {d.lr:g}.  Average loss on "
        f"{d.eval_points} fixed fresh points per sphere; worst-case loss exact "
        "(extreme eigenvalues).",
        "",
        *table(
            (
                "step",
                "average loss",
                "worst-case loss",
                "bad α",
                "log10 inner error",
                "log10 outer error",
            ),
            rows,
        ),
    ]


def _relu(r: Any) -> list[str]:
    rows = [
        (
            int(s),
            f"{int(ki)} / {int(ko)} of {int(n):,}",
            f"{lo:.2g} … {hi:.2g}",
            f"{100 * ok:.0f}%",
            fmt(float(dist), 4),
            fmt(float(b), 4),
        )
        for s, ki, ko, n, lo, hi, ok, dist, b in zip(
            r.steps,
            r.errors_inner,
            r.errors_outer,
            r.n_samples,
            r.ci_low,
            r.ci_high,
            r.attack_success,
            r.attack_mean_distance,
            r.bound_at_ci_high,
            strict=True,
        )
    ]
    init = "orthogonal" if r.init == "orthogonal" else "He-normal"
    return [
        f"Widths {r.hidden} with batch norm, {init} hidden weights, "
        f"Adam {r.lr:g} with cosine decay to {r.lr / 100:g}; "
        f"PGD on the sphere from {r.attack_points} random inner points "
        f"(≤ {r.attack_steps} steps).  The mean PGD distance counts a failed "
        "attack as the diameter 2: an upper bound on d(E).  d*(μ) is taken at "
        "the upper end of μ's interval.",
        "",
        *table(
            (
                "step",
                "sampled errors inner / outer",
                f"μ {100 * r.confidence:.0f}% CI",
                "attack success",
                "PGD d(E) (upper bound)",
                "d*(μ high)",
            ),
            rows,
        ),
    ]


def _error_distance(e: Any) -> list[str]:
    rows = [
        (
            run,
            int(s),
            f"{mu:.2f}",
            f"{m:.4f}",
            f"{lo:.4f} … {hi:.4f}",
            f"{b:.4f}",
            f"{m / b:.3f}",
        )
        for run, s, mu, m, lo, hi, b in zip(
            e.quad_run,
            e.quad_steps,
            e.quad_log10_error,
            e.quad_mean_distance,
            e.quad_ci_low,
            e.quad_ci_high,
            e.quad_bound,
            strict=True,
        )
    ]
    return [
        "Quad nets: exact μ and exact d(E) (mean of exact per-point "
        f"nearest-error distances over {e.distance_points} random inner points, "
        f"with its {100 * e.confidence:.0f} % interval) beside the Lévy bound "
        "d*(μ).  ReLU net: item 6's checkpoints (sampled μ, PGD upper bound; "
        "a sampled μ of 0 is plotted at its upper confidence bound).",
        "",
        *table(
            ("run", "step", "log10 μ", "d(E)", "interval", "d*(μ)", "ratio"),
            rows,
        ),
    ]


def _attack_gap(g: Any) -> list[str]:
    lines = []
    for label, ratios, ok, mu in (
        (
            "low-error net (item 2, final)",
            g.ratios_low,
            g.success_low,
            g.log10_error_low,
        ),
        (
            "early checkpoint (item 2)",
            g.ratios_early,
            g.success_early,
            g.log10_error_early,
        ),
    ):
        if ratios.size:
            q = np.quantile(ratios, [0.25, 0.5, 0.75])
            lines.append(
                f"- {label}, exact inner error {fmt_log10(mu)}: PGD ÷ exact over "
                f"{ratios.size} of {g.n_samples} points (PGD success "
                f"{100 * ok:.0f}%): min {ratios.min():.4f}, quartiles "
                f"{q[0]:.4f} / {q[1]:.4f} / {q[2]:.4f}, max {ratios.max():.4f}."
            )
        else:
            lines.append(f"- {label}: no point with both distances finite.")
    return [*lines, ""]


def _headline(h: Any) -> list[str]:
    rows = [
        (r["quantity"], r["where"], r["paper"], r["ours"], r["verdict"], r["reason"])
        for r in h.rows
    ]
    return table(
        ("quantity", "where in the paper", "paper", "this run", "verdict", "why"),
        rows,
    )


def write_report(
    config: ReproduceConfig,
    results: Mapping[str, Any],
    seconds: Mapping[str, float],
    reused: tuple[str, ...],
    figures: tuple[Path, ...],
    out: Path,
) -> str:
    """Return the Markdown report of a run (valid Markdown, every number computed)."""
    lines = [
        f'# Reproduction of "Adversarial Spheres" ({config.name} scale)',
        "",
        "J. Gilmer, L. Metz, F. Faghri, S. S. Schoenholz, M. Raghu, "
        "M. Wattenberg, I. Goodfellow, *Adversarial Spheres*, arXiv:1801.02774 "
        f"(2018).  d = {config.dim}, R = {config.outer_radius:g}, seed "
        f"{config.seed}.",
        "",
        "Every number below was computed in this run.  *Exact* numbers come "
        "from the closed forms of the project's theory (generalized χ² tails, "
        "the secular equation; see `docs/theory.md`); *sampled* ones from "
        "uniform points, with a Clopper–Pearson interval; *CLT* and *PGD* "
        "numbers are labelled approximations and upper bounds.  How the run "
        "differs from the paper's scale: `docs/reproduce.md`.",
        "",
    ]
    figure_of = {p.stem: p for p in figures}
    sections = (
        ("bounds", "1. The isoperimetric bound (§3, Fig. 2)", _bounds),
        (
            "fixed_set",
            "2. Quad net on a fixed training set (§4, Fig. 3 left)",
            _fixed_set,
        ),
        (
            "online",
            "3. Online and exact adversarial training (§4)",
            lambda o: _online(o, results.get("adversarial")),
        ),
        ("drift", "4. Drift from a perfect initialisation (§4, Fig. 3 right)", _drift),
        ("relu", "5. ReLU net: no sampled error, errors nearby (§5)", _relu),
        (
            "error_distance",
            "6. Error rate vs mean distance to the nearest error (§5, Fig. 4)",
            _error_distance,
        ),
        ("attack_gap", "7. Attack gap: PGD vs the exact nearest error", _attack_gap),
        (
            "slices",
            "8. Decision-region slices (Fig. 1)",
            lambda s: [f"Slices: {', '.join(s.kinds)}; grid {s.grid.size}².", ""],
        ),
        ("headline", "9. Headline numbers: the paper and this run", _headline),
    )
    for name, title, body in sections:
        if (result := results.get(name)) is None:
            continue
        lines += [f"## {title}", "", *body(result)]
        if (fig := figure_of.get(name)) is not None:
            rel = os.path.relpath(fig, out)
            lines += [f"![{FIGURE_CAPTIONS[name]}]({rel})", ""]
    lines += _nets_section(out, config.dim)
    lines += ["## Time per item", ""]
    lines += table(
        ("item", "seconds", "note"),
        [
            (
                n,
                f"{seconds.get(n, float('nan')):.1f}",
                "reused from an earlier run" if n in reused else "",
            )
            for n in results
        ],
    )
    return "\n".join(lines)


def _nets_section(out: Path, dim: int) -> list[str]:
    nets = sorted((out / "nets").glob("*.npz"))
    if not nets:
        return []
    lines = [
        "## Trained quad nets",
        "",
        "Each file holds `W`, `w`, `b` of a net of this run; check any claim "
        "above with the verifier, e.g. "
        f"`spheres-theory verify {os.path.relpath(nets[0], out)} --dim {dim}` "
        "(`--dim` tells the verifier which axis of W is the input):",
        "",
    ]
    lines += [f"- `{os.path.relpath(p, out)}`" for p in nets]
    return [*lines, ""]
