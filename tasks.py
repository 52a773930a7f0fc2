#!/usr/bin/env python3
"""Project tasks: set up the virtual environment and run the demo or the test suite.

Only the standard library is used, so this runs on a fresh machine with Python 3.10+ and
access to the package registries::

    python3 tasks.py demo --out demo-out   # set up .venv, run `otbary demo --out demo-out`
    python3 tasks.py test                  # set up .venv with [dev], run ruff, mypy, pytest, mkdocs,
                                           # then install the wheel alone in .venv-plain and run it

Other sub-commands: ``setup`` (only install), ``lint``, ``typecheck``, ``pytest``, ``docs``
(each installs what it needs first) and ``plain`` (only the plain-install check). Run
``python3 tasks.py --help`` for the options.

Set-up is idempotent: after a successful install a stamp file in ``.venv`` records a hash of
``pyproject.toml``, the extras and the interpreter; when nothing changed the install step is
skipped (the package is installed in editable mode, so code changes need no reinstall).

Torch (the ``neural`` extra) is handled by ``OTBARY_TORCH``:

* ``auto`` (default): try ``pip install --no-index "$OTBARY_TORCH_SPEC"`` -- it succeeds only where
  a torch wheel lies on a local ``--find-links`` path (e.g. a CPU build provided by the machine);
  on success the ``neural`` extra is installed, otherwise it is skipped (and the neural tests
  skip themselves). Nothing multi-gigabyte is downloaded behind your back.
* ``install``: install the ``neural`` extra from the index the way pip resolves it (set
  ``PIP_INDEX_URL``/``PIP_EXTRA_INDEX_URL``, e.g. ``https://download.pytorch.org/whl/cpu``,
  to choose the build).
* ``skip``: never install torch.

``OTBARY_TORCH_SPEC`` (default ``torch>=2.1``) is the requirement tried from local wheels.
``OTBARY_VENV`` overrides the location of the virtual environment (default ``.venv``).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shlex
import subprocess
import sys
import time
import venv
from pathlib import Path
from typing import Callable, Optional, Sequence, Union

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("OTBARY_VENV", str(ROOT / ".venv")))
if not VENV.is_absolute():
    VENV = ROOT / VENV
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
MIN_PYTHON = (3, 10)

#: Extras each task needs (the ``neural`` extra is added by the torch policy, see the module doc).
TASK_EXTRAS: dict[str, tuple[str, ...]] = {
    "demo": (),
    "test": ("dev",),
}


class TaskError(RuntimeError):
    """A step failed; the message says which and how."""


def say(msg: str) -> None:
    """Print a progress line (flushed, so it interleaves with sub-process output)."""
    print(f"[tasks] {msg}", flush=True)


def run(
    cmd: Sequence[Union[str, Path]],
    *,
    check: bool = True,
    quiet: bool = False,
    env: Optional[dict[str, str]] = None,
    cwd: Optional[Path] = None,
) -> int:
    """Run ``cmd`` from the repository root (or ``cwd``), echoing it; raise :class:`TaskError` on failure.

    ``env`` adds variables to the environment; stdin is closed (CI has none).
    """
    shown = " ".join(f"{k}={shlex.quote(v)}" for k, v in (env or {}).items())
    say("$ " + (shown + " " if shown else "") + " ".join(shlex.quote(str(c)) for c in cmd))
    out = subprocess.DEVNULL if quiet else None
    full_env = {**os.environ, **(env or {})}
    try:
        rc = subprocess.call(
            [str(c) for c in cmd], cwd=cwd or ROOT, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
            env=full_env,
        )
    except OSError as exc:
        raise TaskError(f"could not run {cmd[0]}: {exc}") from exc
    if check and rc != 0:
        raise TaskError(f"command failed with exit code {rc}: {' '.join(map(str, cmd))}")
    return int(rc)


# --------------------------------------------------------------------------- environment


def _stamp_key(extras: Sequence[str]) -> str:
    h = hashlib.sha256()
    h.update((ROOT / "pyproject.toml").read_bytes())
    h.update(repr(sorted(extras)).encode())
    h.update(sys.version.encode())
    h.update(str(PY).encode())
    return h.hexdigest()[:16]


def _stamp_path(extras: Sequence[str]) -> Path:
    return VENV / f".otbary-installed-{'-'.join(sorted(extras)) or 'base'}"


def ensure_venv() -> None:
    """Create the virtual environment if it is missing (with pip)."""
    if PY.exists():
        return
    say(f"creating virtual environment {VENV}")
    try:
        venv.EnvBuilder(with_pip=True, clear=False, upgrade_deps=False).create(str(VENV))
    except (OSError, subprocess.CalledProcessError) as exc:
        raise TaskError(
            f"could not create {VENV} ({exc}). On Debian/Ubuntu install the venv module first: "
            "`sudo apt-get install python3-venv`."
        ) from exc
    if not PY.exists():
        raise TaskError(f"{VENV} was created but has no interpreter at {PY}")


def _torch_extra() -> tuple[str, ...]:
    """Apply the torch policy (``OTBARY_TORCH``); return ``("neural",)`` if torch is to be used."""
    policy = os.environ.get("OTBARY_TORCH", "auto").strip().lower()
    if policy not in ("auto", "install", "skip"):
        raise TaskError(f"OTBARY_TORCH={policy!r} is unknown; use auto, install or skip")
    if policy == "skip":
        say("OTBARY_TORCH=skip: not installing torch (the neural extra); neural tests will skip")
        return ()
    if policy == "install":
        say("OTBARY_TORCH=install: the neural extra is installed from the package index")
        return ("neural",)
    probe = "import importlib.util, sys; sys.exit(importlib.util.find_spec('torch') is None)"
    if run([PY, "-c", probe], check=False, quiet=True) == 0:
        say("torch is already installed in the venv: using the neural extra")
        return ("neural",)
    spec = os.environ.get("OTBARY_TORCH_SPEC", "torch>=2.1")
    say(f"looking for a local torch wheel ({spec!r} from --find-links only, no download)")
    # --no-deps: torch's own dependencies (filelock, sympy, ...) come from the index in the
    # editable install below; only the big torch wheel itself must be local.
    cmd: list[Union[str, Path]] = [PY, "-m", "pip", "install", "--no-index", "--no-deps", "--quiet", spec]
    rc = run(cmd, check=False, quiet=True)
    if rc == 0:
        say("installed torch from a local wheel: using the neural extra")
        return ("neural",)
    say(
        "no local torch wheel: skipping the neural extra (neural tests will skip). "
        "Set OTBARY_TORCH=install to install it from the index."
    )
    return ()


def ensure_installed(task: str, force: bool = False) -> None:
    """Make sure ``.venv`` exists and holds ``-e .[extras]`` for ``task``; skip when up to date."""
    ensure_venv()
    extras = TASK_EXTRAS[task]
    if task in ("test", "demo"):  # the demo trains the neural barycenter when torch is available
        extras = extras + _torch_extra()
    stamp = _stamp_path(extras)
    key = _stamp_key(extras)
    if not force and stamp.exists() and stamp.read_text().strip() == key:
        say(f"{VENV.name} is up to date for extras {list(extras) or '[]'} (stamp {stamp.name})")
        return
    target = f".[{','.join(extras)}]" if extras else "."
    say(f"installing the package in editable mode: pip install -e '{target}' (a minute or two when fresh)")
    try:
        run([PY, "-m", "pip", "install", "--quiet", "--progress-bar", "off", "-e", target])
    except TaskError as exc:
        raise TaskError(f"{exc}\n  (is the package index reachable? pip's output above says why)") from exc
    stamp.write_text(key + "\n")


# --------------------------------------------------------------------------- tasks


def task_demo(args: argparse.Namespace) -> None:
    """Set up the environment and run ``otbary demo``."""
    ensure_installed("demo", force=args.reinstall)
    cmd: list[str] = [str(PY), "-m", "otbary", "demo", "--out", args.out]
    if args.quick:
        cmd.append("--quick")
    run(cmd, env={"MPLBACKEND": "Agg"})
    say(f"demo written to {args.out}/ (open {args.out}/report.md)")


def _lint() -> None:
    run([PY, "-m", "ruff", "check", "."])


def _typecheck() -> None:
    run([PY, "-m", "mypy"])


#: Per-test limit (pytest-timeout) so that one hung test cannot eat the CI budget.
PYTEST_TIMEOUT_S = 300


def _pytest(extra: Sequence[str]) -> None:
    opts = ["--durations=15", f"--timeout={PYTEST_TIMEOUT_S}"]
    rc = run([PY, "-m", "pytest", *opts, *extra], check=False, env={"MPLBACKEND": "Agg"})
    if rc == 5:
        raise TaskError("pytest collected no tests (exit code 5): treating that as a failure")
    if rc != 0:
        raise TaskError(f"pytest failed with exit code {rc}")


def _docs() -> None:
    # NO_MKDOCS_2_WARNING: silence the theme's banner about MkDocs 2 (we pin mkdocs<2).
    # OTBARY_GALLERY=run: the gallery hook (examples/gallery.py) runs every examples/plot_*.py in
    # --quick mode and puts its figure on the Gallery page; a failing example fails the build.
    run([PY, "-m", "mkdocs", "build", "--strict", "--site-dir", str(ROOT / "site")],
        env={"NO_MKDOCS_2_WARNING": "1", "OTBARY_GALLERY": "run", "MPLBACKEND": "Agg"})


#: The virtual environment of the plain-install check (no extras, no dev tools).
PLAIN_VENV = ROOT / ".venv-plain"

#: Imports every module of the installed package except ``otbary.neural`` (torch) and the
#: hypothesis strategies (dev), and checks that those two fail with a one-line hint.
_IMPORT_ALL = """
import importlib, pkgutil, otbary
skip = ("otbary.__main__", "otbary.neural", "otbary.testing.strategies")
names = [m.name for m in pkgutil.walk_packages(otbary.__path__, "otbary.") if not m.name.startswith(skip)]
for name in names:
    importlib.import_module(name)
assert "site-packages" in otbary.__file__, otbary.__file__
hints = {"otbary.neural": "otbary[neural]", "otbary.testing.strategies": "pip install hypothesis"}
for name, hint in hints.items():
    try:
        importlib.import_module(name)
    except ImportError as exc:
        assert hint in str(exc), (name, str(exc))
print(f"imported {len(names)} modules of", otbary.__file__)
"""


def _plain_install() -> None:
    """Build the wheel, install it without extras into ``.venv-plain`` and run what it promises.

    A plain ``pip install otbary`` must import every module that does not need torch and run
    ``otbary validate --quick``, ``otbary demo --quick --no-neural`` and ``otbary toys``. The
    commands run outside the repository, so that ``import otbary`` finds the installed wheel.
    """
    import tempfile

    py = PLAIN_VENV / BIN.name / PY.name
    if not py.exists():
        say(f"creating virtual environment {PLAIN_VENV} (no extras)")
        venv.EnvBuilder(with_pip=True).create(str(PLAIN_VENV))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        pip = [py, "-m", "pip", "install", "--quiet", "--progress-bar", "off"]
        run([py, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", work, ROOT])
        wheel = next(work.glob("otbary-*.whl"))
        run([*pip, wheel])  # the dependencies (no extras)
        run([*pip, "--force-reinstall", "--no-deps", wheel])  # this very build
        env = {"MPLBACKEND": "Agg"}
        run([py, "-c", _IMPORT_ALL], cwd=work)
        run([py, "-m", "otbary", "toys"], cwd=work, quiet=True)
        run([py, "-m", "otbary", "validate", "--quick", "--no-progress", "--out", work / "validate"],
            cwd=work, env=env)
        run([py, "-m", "otbary", "demo", "--quick", "--no-neural", "--no-progress", "--out", work / "demo"],
            cwd=work, env=env)


def task_test(args: argparse.Namespace) -> None:
    """Set up ``.venv`` with ``[dev]`` and run ruff, mypy, pytest, the strict docs build and the
    plain-install check (:func:`_plain_install`).

    Every step runs even if an earlier one fails; the exit code is non-zero if any failed.
    """
    ensure_installed("test", force=args.reinstall)
    steps = [
        ("ruff", _lint),
        ("mypy", _typecheck),
        # the docs step runs every example (the gallery), so pytest does not run them again
        ("pytest", lambda: _pytest(["-m", "not gallery", *args.pytest_args])),
        ("mkdocs", _docs),
        ("plain-install", _plain_install),
    ]
    failed: list[str] = []
    times: list[str] = []
    for name, fn in steps:
        t0 = time.perf_counter()
        say(f"--- {name}")
        try:
            fn()
        except TaskError as exc:
            say(f"FAILED {name}: {exc}")
            failed.append(name)
        times.append(f"{name} {time.perf_counter() - t0:.1f}s")
    say("timings: " + ", ".join(times))
    if failed:
        raise TaskError(f"failed steps: {', '.join(failed)}")
    say("all checks passed")


def _then(fn: Callable[[], None]) -> Callable[[argparse.Namespace], None]:
    """A task that installs the dev environment, then runs ``fn``."""

    def task(args: argparse.Namespace) -> None:
        ensure_installed("test", force=args.reinstall)
        fn()

    return task


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point; returns the process exit code."""
    if sys.version_info < MIN_PYTHON:
        print(f"tasks.py needs Python {'.'.join(map(str, MIN_PYTHON))}+; this is {sys.version.split()[0]}")
        return 2
    parser = argparse.ArgumentParser(
        prog="tasks.py", description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--reinstall", action="store_true", help="reinstall even if the stamp is current")
    sub = parser.add_subparsers(dest="task", required=True, metavar="TASK")

    p = sub.add_parser("demo", help="set up .venv and run `otbary demo --out OUT`")
    p.add_argument("--out", default="demo-out", help="output folder (default: demo-out)")
    p.add_argument("--quick", action="store_true", help="small sizes (seconds)")
    p.set_defaults(func=task_demo)

    p = sub.add_parser("test", help="set up .venv[dev] and run ruff, mypy, pytest, mkdocs --strict")
    p.add_argument("pytest_args", nargs="*", help="extra arguments for pytest (after --)")
    p.set_defaults(func=task_test)

    p = sub.add_parser("setup", help="only create/update .venv with the dev extra")
    p.set_defaults(func=lambda a: ensure_installed("test", force=a.reinstall))
    for name, fn in (("lint", _lint), ("typecheck", _typecheck), ("docs", _docs)):
        p = sub.add_parser(name, help=f"set up .venv[dev] and run only {name}")
        p.set_defaults(func=_then(fn))
    p = sub.add_parser("plain", help="build the wheel, install it without extras in .venv-plain, run it")
    p.set_defaults(func=lambda a: _plain_install())
    p = sub.add_parser("pytest", help="set up .venv[dev] and run only pytest")
    p.add_argument("pytest_args", nargs="*", help="extra arguments for pytest (after --)")
    p.set_defaults(func=lambda a: _then(lambda: _pytest(a.pytest_args))(a))

    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    try:
        args.func(args)
    except TaskError as exc:
        say(f"ERROR: {exc}")
        say(f"finished with errors in {time.perf_counter() - t0:.1f}s")
        return 1
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    say(f"done in {time.perf_counter() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
