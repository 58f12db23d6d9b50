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
# The code lives in the private module _verify_cli (reading, model discovery,
# report); only the registration is here.


def _add_verify(sub: argparse._SubParsersAction) -> None:
    from . import _verify_cli

    p = sub.add_parser(
        "verify",
        help="certify a quadratic model (exact verdict, error rates)",
        description=_verify_cli.HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _verify_cli.add_arguments(p)
    p.set_defaults(func=_cmd_verify)


def _cmd_verify(args: argparse.Namespace) -> int:
    from . import _verify_cli

    return _verify_cli.run(args)


_REGISTRY.append(_add_verify)


# --- reproduce (experiments) -------------------------------------------------


def _add_reproduce(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "reproduce",
        help="reproduce the paper's experiments; write results, figures, report",
        description=(
            "Run every report item (bound curves; quad nets on a fixed set, "
            "online and on exact nearest errors; drift from a perfect start; "
            "a ReLU net; error rate vs distance; attack gap; decision slices; "
            "headline table), save the results and every trained quad net "
            "(OUT/nets/*.npz, readable by `verify`) under --out and write "
            "OUT/report.md and OUT/figures/*.png.  Saved items of the same "
            "configuration are reused unless --force."
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
        "--paper",
        dest="scale",
        action="store_const",
        const="paper",
        help="the paper's scale (many hours on 2 CPU cores; never in CI)",
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
        "--workers",
        type=int,
        default=2,
        metavar="N",
        help="worker processes for the independent items (default 2; 1: in-process)",
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
    from .reproduce import ReproduceConfig, run_reproduction
    from .reproduce.figures import save_figures

    make = {
        "quick": ReproduceConfig.quick,
        "paper": ReproduceConfig.paper,
        "tiny": ReproduceConfig.tiny,
    }[args.scale]
    if args.dim is not None and args.dim < 2:
        raise UsageError(f"--dim must be an integer >= 2; got {args.dim}")
    if args.seed < 0:
        raise UsageError(f"--seed must be >= 0; got {args.seed}")
    if args.blas_threads < 0:
        raise UsageError(f"--blas-threads must be >= 0; got {args.blas_threads}")
    if args.workers < 1:
        raise UsageError(f"--workers must be >= 1; got {args.workers}")
    if args.scheduler is not None:
        args.workers = 1
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
            workers=args.workers,
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
