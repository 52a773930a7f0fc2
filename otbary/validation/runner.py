"""The runner behind ``otbary validate`` (work in progress: see the certify issue)."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``otbary validate``."""
    p.add_argument("--out", required=True, type=Path, help="output folder (created if missing)")
    p.add_argument("--quick", action="store_true", help="small sizes (under 2 minutes)")
    p.add_argument("--candidate", default=None, help="MODULE:FUNC, a barycenter function to check")


def run_cli(args: argparse.Namespace) -> int:
    """Run ``otbary validate``; return the exit code."""
    raise NotImplementedError("otbary validate is not available yet")
