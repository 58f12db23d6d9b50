"""Command line interface: ``spheres-theory <subcommand> ...``.

Every subcommand returns an exit code; bad arguments or unreadable input give a
one-line error on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
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

# --- verify (rules) ----------------------------------------------------------

# --- reproduce (experiments) -------------------------------------------------


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
        2 bad input.
    """
    parser = _build_parser()
    args = parser.parse_args(argv)
    func: _Command = args.func
    try:
        return func(args)
    except (UsageError, ValueError, OSError) as exc:
        sys.stderr.write(f"spheres-theory {args.command}: error: {exc}\n")
        return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
