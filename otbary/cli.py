"""The ``otbary`` command line (also ``python -m otbary``).

Sub-commands::

    otbary demo --out DIR [--quick] [--no-progress]   exact barycenters of 2D toys, figures, report
    otbary toys                                        list the toy distributions
    otbary --version

Exit codes: 0 success, 1 a solver or known-answer check failed, 2 bad usage or an unusable
``--out`` folder. Errors are printed as one ``otbary: error: ...`` line, never as a traceback
(set ``OTBARY_DEBUG=1`` to see the traceback).
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path
from typing import Optional, Sequence

__all__ = ["main", "build_parser"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``otbary`` command."""
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="otbary", description="Exact, fast and checkable Wasserstein-1 barycenters."
    )
    parser.add_argument("--version", action="version", version=f"otbary {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser(
        "demo",
        help="exact W1 barycenters of 2D toys: figures, report.md and report.json",
        description="Solve three 2D toy barycenter problems with known answers (translates of a blob, "
        "Gaussian mixtures, two measures with weights 0.6/0.4) and write figures and a report.",
    )
    p.add_argument("--out", required=True, type=Path, help="output folder (created if missing)")
    p.add_argument("--quick", action="store_true", help="16x16 grid instead of 48x48 (a few seconds)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--no-figures", action="store_true", help="write the report only")

    sub.add_parser("toys", help="list the toy distributions of otbary.toys")
    return parser


def _demo(args: argparse.Namespace) -> int:
    from .demo import DemoError, OutputError, run_demo

    out: Path = args.out
    if out.exists() and not out.is_dir():
        print(f"otbary: error: --out {str(out)!r} exists and is not a folder", file=sys.stderr)
        return 2
    try:
        report = run_demo(out, quick=args.quick, progress=not args.no_progress, figures=not args.no_figures)
    except OutputError as exc:
        print(f"otbary: error: {exc}", file=sys.stderr)
        return 2
    except DemoError as exc:
        print(f"otbary: error: {exc}", file=sys.stderr)
        return 1
    print(f"otbary demo: {len(report['cases'])} cases, all known-answer checks passed, "
          f"{report['total_time_s']:.1f} s; wrote {out / 'report.md'}, {out / 'report.json'}"
          + ("" if args.no_figures else f" and {out / 'figures'}/"))
    return 0


def _toys(args: argparse.Namespace) -> int:
    from .toys import describe_toys

    for name, doc in describe_toys().items():
        print(f"{name:<16} {doc}")
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command line; return the exit code (``argparse`` exits 2 itself on bad usage)."""
    args = build_parser().parse_args(argv)
    handlers = {"demo": _demo, "toys": _toys}
    try:
        return handlers[args.command](args)
    except KeyboardInterrupt:
        print("otbary: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug or a solver failure: one clear line, traceback on request
        if os.environ.get("OTBARY_DEBUG"):
            traceback.print_exc()
        print(f"otbary: error: {type(exc).__name__}: {exc} (set OTBARY_DEBUG=1 for the traceback)",
              file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
