"""Command line interface: ``spheres-theory <subcommand> ...``.

Every subcommand returns an exit code; bad arguments or unreadable input give a
one-line error on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Sequence

__all__ = ["UsageError", "main"]


class UsageError(Exception):
    """Bad command-line input: reported as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    """ArgumentParser that reports errors on one line with exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(2)


_Command = Callable[[argparse.Namespace], int]

# Functions that add one subcommand each; each sets ``func`` (an ``_Command``)
# with ``set_defaults`` and is appended here at the end of its section.
_REGISTRY: list[Callable[[argparse._SubParsersAction], None]] = []


# --- bound (geometry) --------------------------------------------------------

_BOUND_HELP = """\
Lévy's isoperimetric bound on the unit sphere S^(dim-1) (times --radius): every
error set of measure mu (error rate) has mean distance to the nearest error at
most d*(mu; dim), the mean distance to a spherical cap of measure mu ("exact").
The paper's large-dim form Phi^-1(1 - mu)/sqrt(dim) ("asymptotic") is printed
beside it; it is not a bound (it is 0 at mu = 1/2).  --error-rate accepts
decimal strings below the float64 range, e.g. 1e-400; --dim up to 1e16.
--plot writes the curve (exact and asymptotic) over 1e-20 .. 0.5 in the format
its suffix names: .png, .pdf or .svg.
"""


def _add_bound(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "bound",
        help="exact Lévy bound on the mean distance to the nearest error",
        description=_BOUND_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--dim", required=True, metavar="D", help="ambient dimension")
    p.add_argument("--error-rate", metavar="MU", help="error rate in (0, 1), e.g. 1e-6")
    p.add_argument(
        "--metric",
        choices=("chordal", "geodesic"),
        default="chordal",
        help="distance (default chordal, i.e. Euclidean)",
    )
    p.add_argument("--radius", default="1.0", metavar="R", help="sphere radius")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--plot",
        metavar="FILE",
        help="write the bound curve to FILE (.png, .pdf or .svg)",
    )
    p.set_defaults(func=_cmd_bound)


_PLOT_FORMATS = ("png", "pdf", "svg")


def _bound_number(text: str, name: str) -> float:
    try:
        return float(text)
    except ValueError:
        msg = f"{name} must be a number; got {text!r}."
        raise UsageError(msg) from None


def _bound_log_rate(text: str) -> tuple[float | None, float]:
    """Parse --error-rate: (rate or None if it underflows, natural log)."""
    import math
    from decimal import Decimal, InvalidOperation

    rate = _bound_number(text, "--error-rate")
    if rate == 0.0:
        try:
            exact = Decimal(text)
        except InvalidOperation:  # pragma: no cover - float() accepted it
            exact = Decimal(0)
        if exact > 0:  # below float64: keep its logarithm
            return None, float(exact.ln())
    if math.isfinite(rate) and 0 < rate < 1:
        return rate, math.log(rate)
    return rate, math.nan


def _cmd_bound(args: argparse.Namespace) -> int:
    import json
    import math

    import numpy as np

    import spheres_theory as st

    from ._validation import check_int

    dim_value = _bound_number(args.dim, "--dim")
    dim = check_int(dim_value, "dim", minimum=2)
    radius = _bound_number(args.radius, "--radius")
    if args.error_rate is None and args.plot is None:
        msg = "give --error-rate MU and/or --plot FILE."
        raise UsageError(msg)
    plot_format = None
    if args.plot is not None:
        from pathlib import Path

        plot_format = Path(args.plot).suffix.lower().lstrip(".")
        if plot_format not in _PLOT_FORMATS:
            msg = (
                "--plot must name a .png, .pdf or .svg file (the suffix picks "
                f"the format); got {args.plot!r}."
            )
            raise UsageError(msg)
    report: dict = {"dim": dim, "metric": args.metric, "radius": radius}
    lines = []
    if args.error_rate is not None:
        rate, log_rate = _bound_log_rate(args.error_rate)
        kw: dict = {"metric": args.metric, "radius": radius}
        if rate is not None:
            exact = st.optimal_mean_distance(rate, dim, **kw)
            asym = st.asymptotic_mean_distance(rate, dim, radius=radius)
            t = st.cap_height(rate, dim)
        else:
            exact = st.optimal_mean_distance(None, dim, log_error_rate=log_rate, **kw)
            asym = st.asymptotic_mean_distance(
                None, dim, radius=radius, log_error_rate=log_rate
            )
            t = st.cap_height(None, dim, log_error_rate=log_rate)
        report.update(
            error_rate=rate,  # null where it underflows float64
            log10_error_rate=log_rate / math.log(10.0),
            cap_height=float(t),
            exact=float(exact),
            asymptotic=float(asym),
        )
        mu = args.error_rate if rate is None else f"{rate:.6g}"
        lines = [
            f"Lévy bound on the sphere S^{dim - 1} in R^{dim} "
            f"({args.metric} distance, radius {radius:g})",
            f"  error rate mu                     {mu}",
            f"  cap height t (sigma(C_t) = mu)    {float(t):.12g}",
            f"  exact d*(mu)                      {float(exact):.12g}"
            "   (upper bound on the mean distance to the nearest error)",
            f"  asymptotic Φ⁻¹(1−μ)/√d            {float(asym):.12g}"
            "   (the paper's large-d estimate, not a bound)",
        ]
    if args.plot is not None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        from .plotting import plot_bound_curve

        lo = math.log(1e-20)
        if "log10_error_rate" in report:
            lo = min(lo, report["log10_error_rate"] * math.log(10.0))
        grid = np.linspace(lo, math.log(0.5), 200)
        curve = st.bound_curve(
            dim, metric=args.metric, radius=radius, log_error_rates=grid
        )
        fig = Figure(figsize=(6, 4))
        FigureCanvasAgg(fig)
        plot_bound_curve(curve, fig.add_subplot())
        fig.tight_layout()
        fig.savefig(args.plot, format=plot_format)
        report["plot"] = args.plot
        lines.append(f"wrote {args.plot}")
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print("\n".join(lines))
    return 0


_REGISTRY.append(_add_bound)

# --- verify (rules) ----------------------------------------------------------

_VERIFY_HELP = """\
Certify a quadratic model on the two spheres: its coefficients alpha, exact
error rates of both spheres (with the paper's CLT estimate beside them) and
the verdict.  WEIGHTS is

  * a .npz file with arrays W (hidden, dim), w (scalar or (hidden,)) and b
    (scalar): the quad net y(x) = w * sum_j (W x)_j**2 + b, "outer" iff y > 0;
    or with one array A (dim, dim): the rule x^T A x > 1;
  * a .npy file holding a symmetric matrix A (rule x^T A x > 1);
  * a PyTorch state dict (.pt/.pth) with tensors W, w, b (needs the torch
    extra; loaded with weights_only=True).

Arrays under other names are mapped with --keys, e.g.
--keys W=hidden.weight,w=readout.weight,b=readout.bias.  Files are read
without unpickling (allow_pickle=False).  With --json the report is one JSON
object; a log10 value is null when the probability is exactly 0.

Each error rate carries "accurate" and "error_estimate" (estimated relative
error, null where not estimated, e.g. for the CLT column).  An exact rate that
misses the target accuracy 1e-10 is printed with "(inaccurate: estimated
relative error X)" and has "accurate": false; one that could not be computed
at all has "value": null (text: "not computed").  The verdict and the exit
code rest on the alphas alone, a finite check exact in floating point, so an
inaccurate rate never changes them.  Numerical warnings of the computation are
listed under "warnings" (text: "warning" lines), never on stderr.

Exit code: 0 perfect, 1 imperfect, 2 unreadable or invalid input (one line on
stderr).
"""


def _add_verify(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "verify",
        help="certify a quadratic model (exact error rates, verdict)",
        description=_VERIFY_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("weights", nargs="?", metavar="WEIGHTS", help="model file")
    p.add_argument(
        "--example",
        action="store_true",
        help="verify the example quad net shipped with the package (d = 500)",
    )
    p.add_argument(
        "--outer-radius",
        type=float,
        default=1.3,
        metavar="R",
        help="radius of the outer sphere (default 1.3)",
    )
    p.add_argument(
        "--keys",
        default=None,
        metavar="MAP",
        help="array names, e.g. W=hidden.weight,w=readout,b=bias (keys W, w, b, A)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=_cmd_verify)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if isinstance(exc, KeyError) or not text:
        text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."


def _verify_keys(spec: str | None) -> dict[str, str]:
    keys = {"W": "W", "w": "w", "b": "b", "A": "A"}
    if spec is None:
        return keys
    seen: set[str] = set()
    for item in spec.split(","):
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or name not in keys or not value:
            msg = (
                f"--keys must look like W=NAME,w=NAME,b=NAME (keys W, w, b, A); "
                f"got {spec!r}."
            )
            raise UsageError(msg)
        if name in seen:
            msg = f"--keys must name each of W, w, b, A at most once; got {spec!r}."
            raise UsageError(msg)
        seen.add(name)
        keys[name] = value
    return keys


def _verify_arrays(arrays: dict, keys: dict[str, str], source: str):
    """Return ("quad net", (W, w, b)) or ("matrix", (A,)) from named arrays."""
    names = [keys["W"], keys["w"], keys["b"]]
    if all(n in arrays for n in names):
        return "quad net", tuple(arrays[n] for n in names)
    if keys["A"] in arrays:
        return "matrix", (arrays[keys["A"]],)
    found = ", ".join(sorted(map(str, arrays))) or "none"
    msg = (
        f"{source} has arrays [{found}]; expected {', '.join(names)} (a quad net) "
        f"or {keys['A']} (a matrix); map other names with --keys."
    )
    raise UsageError(msg)


def _verify_load_torch(path: str, keys: dict[str, str]):
    import warnings

    # torch's own warnings (e.g. about pickle protocols) are not ours to show:
    # whatever goes wrong is reported below in one line of our own.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import torch
        except ImportError:
            msg = "reading .pt/.pth files needs PyTorch: install the torch extra."
            raise UsageError(msg) from None
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
        except OSError as exc:
            msg = f"cannot read {path}: {_one_line(exc)}"
            raise UsageError(msg) from None
        except Exception:
            # torch's message advises weights_only=False, which would run
            # arbitrary code from the file: never suggest that.
            msg = (
                f"cannot read {path}: not a PyTorch state dict readable with "
                "weights_only=True (arbitrary pickles are never loaded)."
            )
            raise UsageError(msg) from None
    if not isinstance(state, dict):
        msg = f"{path} is not a state dict (got {type(state).__name__})."
        raise UsageError(msg)
    arrays = {}
    for name, value in state.items():
        if isinstance(value, torch.Tensor):
            value = value.detach().cpu()
            # keep complex tensors complex: the rules API refuses them
            value = value.numpy() if value.is_complex() else value.double().numpy()
        arrays[name] = value
    return _verify_arrays(arrays, keys, path)


def _verify_load(args: argparse.Namespace):
    """Return (source, kind, arrays) for the model named on the command line."""
    import numpy as np

    if args.example == (args.weights is not None):
        msg = "give exactly one of WEIGHTS and --example."
        raise UsageError(msg)
    keys = _verify_keys(args.keys)
    if args.example:
        from importlib import resources

        ref = resources.files("spheres_theory") / "data" / "example_quadnet.npz"
        with resources.as_file(ref) as path, np.load(path) as data:
            return "example_quadnet.npz", *_verify_arrays(
                {n: data[n] for n in data.files}, keys, "example_quadnet.npz"
            )
    path = str(args.weights)
    if path.lower().endswith((".pt", ".pth")):
        return path, *_verify_load_torch(path, keys)
    # Open the file ourselves: np.load leaks its handle when a zip is corrupt.
    try:
        with open(path, "rb") as fh:
            loaded = np.load(fh, allow_pickle=False)
            if isinstance(loaded, np.ndarray):
                return path, "matrix", (loaded,)
            with loaded as data:
                arrays = {n: data[n] for n in data.files}
    except Exception as exc:
        reason = _one_line(exc)
        if "pickled" in reason:
            reason = "not a NumPy .npy/.npz file (pickled data is never loaded)"
        msg = f"cannot read {path}: {reason}"
        raise UsageError(msg) from None
    return path, *_verify_arrays(arrays, keys, path)


def _verify_prob(p) -> dict:
    """Convert a TailProbability to JSON-ready numbers (non-finite become None)."""
    import math

    value, log10 = float(p.value), float(p.log10_value)
    err = float(p.error_estimate)
    return {
        "value": value if math.isfinite(value) else None,  # None: not computed
        "log10_value": log10 if math.isfinite(log10) else None,  # None: 0 or NaN
        "method": str(p.method),
        "accurate": bool(p.accurate) and math.isfinite(value),
        "error_estimate": err if math.isfinite(err) else None,
    }


def _verify_accuracy_note(p: dict) -> str:
    err = p["error_estimate"]
    shown = "unknown" if err is None else f"{err:.1e}"
    return f"(inaccurate: estimated relative error {shown})"


def _verify_fmt(p: dict) -> str:
    if p["value"] is None:
        return "not computed"
    if p["log10_value"] is None:
        return "0 (exactly)"
    if p["value"] == 0.0:
        return f"10^{p['log10_value']:.6f} (log10 {p['log10_value']:.4f})"
    return f"{p['value']:.10e} (log10 {p['log10_value']:.4f})"


def _verify_report(args: argparse.Namespace) -> dict:
    import warnings

    import numpy as np

    from ._validation import check_outer_radius
    from .errors import AccuracyWarning, InaccurateResultError, SolverError
    from .rules import QuadraticRule
    from .sphere import ConcentricSpheres

    outer_radius = check_outer_radius(args.outer_radius, "--outer-radius")
    try:  # the same rule as the API (R**2 must be finite), named as on the CLI
        ConcentricSpheres(2, outer_radius=outer_radius)
    except ValueError as exc:
        raise UsageError(str(exc).replace("`outer_radius`", "--outer-radius")) from None
    try:
        # Any warning while reading the model (a complex cast, an overflow)
        # means the input is not what it seems: refuse it in one line.
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            source, model, arrays = _verify_load(args)
            if model == "quad net":
                W, w, b = (np.asarray(a) for a in arrays)
                shape = f"W {W.shape}, w {w.shape or 'scalar'}, b {b.shape or 'scalar'}"
                rule = QuadraticRule.from_quad_net(W, w, b)
            else:
                (A,) = arrays
                shape = f"A {np.shape(A)}"
                rule = QuadraticRule.from_matrix(A)
            spheres = ConcentricSpheres(rule.dim, outer_radius=outer_radius)
    except UsageError:
        raise
    except Warning as exc:
        msg = f"numerical problem in the model ({type(exc).__name__}: {exc})"
        raise UsageError(_one_line(Exception(msg))) from None
    except Exception as exc:  # unreadable or invalid input: one line, exit 2
        raise UsageError(_one_line(exc)) from None
    # Inaccurate rates are flagged in the report (`accurate`), not warned
    # about; other warnings are listed in the report, never on stderr.
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            warnings.simplefilter("ignore", AccuracyWarning)
            cert = rule.certify(spheres)
            clt = {
                s: _verify_prob(rule.error_rate(spheres, sphere=s, method="clt"))
                for s in ("inner", "outer")
            }
    except (ArithmeticError, ValueError, InaccurateResultError, SolverError) as exc:
        msg = f"could not compute the error rates: {_one_line(exc)}"
        raise UsageError(msg) from None
    notes = list(
        dict.fromkeys(
            _one_line(Exception(f"{w.category.__name__}: {w.message}")) for w in caught
        )
    )
    report = cert.alphas
    if cert.perfect:
        verdict = "PERFECT: every alpha lies in the band; both exact error rates are 0"
    elif report.n_bad == 0:
        verdict = (
            "NOT PERFECT: every alpha equals the lower end of the band, so the "
            "whole outer sphere lies on the boundary (labelled inner)"
        )
    else:
        verdict = (
            f"NOT PERFECT: {report.n_above} alpha above the band (inner errors), "
            f"{report.n_below} below it (outer errors)"
        )
    return {
        "source": source,
        "model": f"{model}: {shape}",
        "dim": rule.dim,
        "outer_radius": outer_radius,
        "rule": f"{rule.kind}: inner iff sum(alpha_i z_i^2) <= {rule.threshold:g}",
        "kind": rule.kind,
        "threshold": rule.threshold,
        "alphas": {
            "min": cert.min_alpha,
            "max": cert.max_alpha,
            "band": [report.lower, report.upper],  # [threshold/R^2, threshold]
            "band_empty": report.lower > report.upper,  # threshold -1
            "n_below": report.n_below,
            "n_above": report.n_above,
            "n_near_zero": report.n_near_zero,
            "n_bad": report.n_bad,
        },
        "margins": {"upper": cert.upper_margin, "lower": cert.lower_margin},
        "error_rates": {
            "inner": _verify_prob(cert.inner_error),
            "outer": _verify_prob(cert.outer_error),
        },
        "clt": clt,
        "perfect": cert.perfect,
        "verdict": verdict,
        "warnings": notes,
    }


def _verify_text(r: dict) -> str:
    a = r["alphas"]
    lo, hi = a["band"]
    e, c = r["error_rates"], r["clt"]
    width = 42
    if a["band_empty"]:  # threshold -1: -1 < -1/R^2, every alpha is bad
        band = (
            f"no band: alpha > {hi:g} cause inner errors, "
            f"alpha < -1/R^2 = {lo:.6g} outer errors"
        )
    else:
        band = f"band [threshold/R^2, threshold] = [{lo:.6g}, {hi:.6g}]"
    lines = [
        f"model         {r['source']} ({r['model']})",
        f"rule          {r['rule']}",
        f"dimension     {r['dim']}",
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
        lines.append(
            f"{s + ' sphere':<14}{_verify_fmt(e[s]):<{width}}{_verify_fmt(c[s])}"
        )
        if not e[s]["accurate"]:
            lines.append(f"{'':<14}{_verify_accuracy_note(e[s])}")
    lines += ["", f"verdict       {r['verdict']}"]
    lines += [f"warning       {note}" for note in r["warnings"]]
    return "\n".join(lines)


def _cmd_verify(args: argparse.Namespace) -> int:
    import json

    report = _verify_report(args)
    if args.json:
        print(json.dumps(report, indent=2, allow_nan=False))
    else:
        print(_verify_text(report))
    return 0 if report["perfect"] else 1


_REGISTRY.append(_add_verify)


# --- reproduce (experiments) -------------------------------------------------


def _add_reproduce(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "reproduce",
        help="reproduce the paper's experiments; write results, figures, report",
        description=(
            "Run every report item (bound curves, quad nets on a fixed set and "
            "online, drift from a perfect start, error rate vs distance, attack "
            "gap, decision slices, headline table), save the results under "
            "--out and write OUT/report.md and OUT/figures/*.png.  Saved items "
            "of the same configuration are reused unless --force."
        ),
    )
    scale = p.add_mutually_exclusive_group()
    scale.add_argument(
        "--quick",
        dest="scale",
        action="store_const",
        const="quick",
        help="reduced scale, <= 10 minutes on 2 CPU cores at d = 500 (default)",
    )
    scale.add_argument(
        "--full",
        dest="scale",
        action="store_const",
        const="full",
        help="the paper's scale (≈ 15 hours on 2 CPU cores; never in CI)",
    )
    scale.add_argument(
        "--tiny",
        dest="scale",
        action="store_const",
        const="tiny",
        help=argparse.SUPPRESS,
    )
    p.set_defaults(scale="quick")
    p.add_argument("--out", default="reproduce_out", help="output folder")
    p.add_argument("--dim", type=int, default=None, help="dimension d (default 500)")
    p.add_argument("--seed", type=int, default=0, help="master seed (default 0)")
    p.add_argument("--force", action="store_true", help="recompute saved items")
    p.add_argument(
        "--no-progress", dest="progress", action="store_false", help="quiet run"
    )
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="local|tcp://HOST:PORT",
        help=(
            "run independent items in parallel on dask (needs the dask extra); "
            "default: one after the other in this process"
        ),
    )
    p.add_argument(
        "--blas-threads",
        type=int,
        default=1,
        metavar="N",
        help=(
            "BLAS threads while the items run (default 1: fastest for these "
            "small matrices on a shared machine; 0 leaves the library's setting)"
        ),
    )
    p.set_defaults(func=_cmd_reproduce)


def _stderr_line(line: str) -> None:
    print(line, file=sys.stderr)


def _cmd_reproduce(args: argparse.Namespace) -> int:
    import time

    from ._parallel import blas_thread_limit
    from .plotting import save_figures
    from .reproduce import ReproduceConfig, run_reproduction

    make = {
        "quick": ReproduceConfig.quick,
        "full": ReproduceConfig.full,
        "tiny": ReproduceConfig.tiny,
    }[args.scale]
    if args.dim is not None and args.dim < 2:
        raise UsageError(f"--dim must be an integer >= 2; got {args.dim}")
    if args.seed < 0:
        raise UsageError(f"--seed must be >= 0; got {args.seed}")
    if args.blas_threads < 0:
        raise UsageError(f"--blas-threads must be >= 0; got {args.blas_threads}")
    config = (
        make(seed=args.seed) if args.dim is None else make(args.dim, seed=args.seed)
    )
    start = time.perf_counter()
    # BLAS threads are limited for this command only (restored on exit).
    with blas_thread_limit(args.blas_threads or None):
        run = run_reproduction(
            config,
            args.out,
            progress=args.progress,
            force=args.force,
            plot=save_figures,
            log=_stderr_line,
            scheduler=args.scheduler,
        )
    print(
        f"{config.name} reproduction at d = {config.dim}: "
        f"{time.perf_counter() - start:.1f} s; report {run.report}"
    )
    return 0


_REGISTRY.append(_add_reproduce)


def _build_parser() -> _Parser:
    parser = _Parser(
        prog="spheres-theory",
        description="Exact numerics for the Adversarial Spheres problem.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for register in _REGISTRY:
        register(sub)
    return parser


# A negative number in exponent form ("-1e-3", "-inf"): argparse would take it
# for an option; joined to its option ("--error-rate=-1e-3") it reaches the
# option's own validation, which names the rule it breaks.
_NEGATIVE = re.compile(r"-(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?|-inf(inity)?|-nan", re.I)


def _join_negative_values(argv: Sequence[str]) -> list[str]:
    out: list[str] = []
    for token in argv:
        prev = out[-1] if out else ""
        if (
            _NEGATIVE.fullmatch(token)
            and prev.startswith("--")
            and "=" not in prev
            and prev != "--"
        ):
            out[-1] = f"{prev}={token}"
        else:
            out.append(token)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line interface.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; defaults to ``sys.argv[1:]``.

    Returns
    -------
    int
        Exit code: 0 success, 1 a negative verdict (e.g. an imperfect model),
        2 bad input, 141 when the reader of the output closed the pipe.
    """
    parser = _build_parser()
    args = parser.parse_args(
        _join_negative_values(sys.argv[1:] if argv is None else argv)
    )
    func: _Command = args.func
    try:
        return func(args)
    except BrokenPipeError:
        # The reader closed the pipe (``spheres-theory ... | head``): not an
        # error of this command.  Silence the final flush and exit as a shell
        # does for SIGPIPE.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except (UsageError, ValueError, OSError, ArithmeticError) as exc:
        text = str(exc)
        if isinstance(exc, ArithmeticError) or not text:  # e.g. OverflowError
            text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
        text = " ".join(text.split())  # always exactly one line
        sys.stderr.write(f"spheres-theory {args.command}: error: {text}\n")
        return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
