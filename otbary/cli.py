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
from typing import Any, Optional, Sequence

__all__ = ["main", "build_parser", "writable_folder", "SUBCOMMANDS"]

#: Sub-commands implemented in their own modules: ``name -> (module, help, description)``.
#: Each module provides ``add_arguments(parser)`` and ``run_cli(args) -> int`` (the exit code).
SUBCOMMANDS: dict[str, tuple[str, str, str]] = {
    "demo": (
        "otbary.demo",
        "2D toy barycenters: exact, neural, certified; figures, report.md and report.json",
        "Solve 2D toy barycenter problems exactly, train a neural barycenter, certify it and write "
        "figures and a report.",
    ),
    "validate": (
        "otbary.validation.runner",
        "run the ground-truth validation cases (and a candidate) and write a report",
        "Run every named ground-truth case through the exact solvers (and a candidate barycenter "
        "function if given) and write report.md, report.json and figures.",
    ),
}


def writable_folder(out: Path) -> Optional[str]:
    """Create ``out`` if needed and check that files can be written there.

    Returns ``None`` when it is usable, else a one-line reason (for ``otbary: error: ...``).
    """
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".otbary-write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        return f"--out {str(out)!r} is not a writable folder: {exc.strerror or exc}"
    return None


def _load(module: str) -> Any:
    import importlib

    return importlib.import_module(module)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``otbary`` command."""
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="otbary", description="Exact, fast and checkable Wasserstein-1 barycenters."
    )
    parser.add_argument("--version", action="version", version=f"otbary {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    for name, (module, help_, description) in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=help_, description=description)
        _load(module).add_arguments(p)

    sub.add_parser("toys", help="list the toy distributions of otbary.toys")
    return parser


def _toys(args: argparse.Namespace) -> int:
    from .toys import describe_toys

    for name, doc in describe_toys().items():
        print(f"{name:<16} {doc}")
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command line; return the exit code (``argparse`` exits 2 itself on bad usage)."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "toys":
            return _toys(args)
        return int(_load(SUBCOMMANDS[args.command][0]).run_cli(args))
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
