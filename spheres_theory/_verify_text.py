"""Text rendering of the ``verify`` report (private; see :mod:`._verify_cli`)."""

from __future__ import annotations

__all__: list[str] = []


def fmt_rate(p: dict) -> str:
    """Format an error-rate entry of the report for the text output.

    Parameters
    ----------
    p : dict
        Entry with value, log10_value and (for estimates) ci_low/ci_high.

    Returns
    -------
    str
    """
    if p.get("value") is None:
        if "ci_low" in p:
            return f"too rare to estimate (no error in {p['n_samples']} samples)"
        return "not computed"
    if p.get("log10_value") is None:
        return "0 (exactly)"
    v = p["value"]
    base = (
        f"{v:.10e} (log10 {p['log10_value']:.4f})"
        if v != 0.0
        else f"10^{p['log10_value']:.6f} (log10 {p['log10_value']:.4f})"
    )
    if "ci_low" in p and not p["exact"]:
        lo, hi = p.get("ci_low"), p.get("ci_high")
        ci = "?" if lo is None or hi is None else f"[{lo:.3e}, {hi:.3e}]"
        return f"{v:.4e} estimated, {p.get('confidence', 0.95):.0%} CI {ci}"
    return base


def text(r: dict) -> str:
    """Render the report as text.

    Parameters
    ----------
    r : dict
        The report.

    Returns
    -------
    str
    """
    lines = [
        f"model         {r['source']} ({r['model']})",
        f"rule          {r['rule']}  [{r['rule_kind']}]",
        f"dimension     {r['dim']}",
    ]
    used = ", ".join(f"{k}={v}" for k, v in r["arrays"]["used"].items())
    lines.append(f"arrays used   {used}")
    if r["arrays"]["unused_training_state"]:
        lines.append(
            "unused        "
            + ", ".join(r["arrays"]["unused_training_state"])[:200]
            + " (training state or metadata)"
        )
    if r["arrays"]["unused_model"]:
        lines.append("unused        " + ", ".join(r["arrays"]["unused_model"])[:200])
    lines += [f"note          {n}" for n in r["notes"]]
    if r["precision"]["dtype"] != "float64":
        lines.append(
            f"precision     {r['precision']['dtype']} weights: margins below "
            f"{r['precision']['bound']:.3g} depend on rounding"
        )
    a = r["alphas"]
    if r["rule_kind"] == "centred":
        lines += _centred_text(r)
    else:
        ex = r["extremes"]
        lines += [
            f"outer radius  {r['outer_radius']:g}",
            f"eigenvalues   of A in [{a['min']:.6g}, {a['max']:.6g}]; |l| = "
            f"{a['linear_norm']:.6g}, c = {a['offset']:.6g}",
            f"extremes      max on inner sphere in [{ex['inner_max'][0]:.10g}, "
            f"{ex['inner_max'][1]:.10g}] (exact, trust region)",
            f"              min on outer sphere in [{ex['outer_min'][0]:.10g}, "
            f"{ex['outer_min'][1]:.10g}] (exact, trust region)",
            "",
            "error rate    (estimated: no exact method for a rule with a linear term)",
        ]
        for s in ("inner", "outer"):
            lines.append(f"{s + ' sphere':<14}{fmt_rate(r['error_rates'][s])}")
    lines += ["", f"verdict       {r['verdict']}"]
    lines += [f"warning       {note}" for note in r["warnings"]]
    lines += [f"wrote         {f}" for f in r["alphas_written"]]
    return "\n".join(lines)


def _centred_text(r: dict) -> list[str]:
    a = r["alphas"]
    lo, hi = a["band"]
    e, c = r["error_rates"], r["clt"]
    width = 42
    if a["band_empty"]:
        band = (
            f"no band: alpha > {hi:g} cause inner errors, "
            f"alpha < -1/R^2 = {lo:.6g} outer errors"
        )
    else:
        band = f"band [threshold/R^2, threshold] = [{lo:.6g}, {hi:.6g}]"
    lines = [
        f"outer radius  {r['outer_radius']:g}   {band}",
        f"alphas        min {a['min']:.6g}, max {a['max']:.6g}",
        f"              {a['n_below']} below the band (cause outer errors)",
        f"              {a['n_above']} above the band (cause inner errors)",
        f"              {a['n_near_zero']} near 0 (|alpha| < 0.01)",
        f"margins       upper - max alpha = {r['margins']['upper']:.6g}, "
        f"min alpha - lower = {r['margins']['lower']:.6g}",
        "",
        f"error rate    {'exact':<{width}}CLT approximation (paper, corrected)",
    ]
    for s in ("inner", "outer"):
        lines.append(f"{s + ' sphere':<14}{fmt_rate(e[s]):<{width}}{fmt_rate(c[s])}")
        if not e[s]["accurate"]:
            err = e[s]["error_estimate"]
            shown = "unknown" if err is None else f"{err:.1e}"
            lines.append(f"{'':<14}(inaccurate: estimated relative error {shown})")
        if "bounds" in e[s]:
            b = e[s]["bounds"]
            lines.append(f"{'':<14}(depends on rounding: in [{b[0]}, {b[1]}])")
    return lines
