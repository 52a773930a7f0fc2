"""The docs gallery: one section per ``examples/plot_*.py``, generated at ``mkdocs build`` time.

Used as an MkDocs hook (``hooks: [examples/gallery.py]`` in ``mkdocs.yml``). It writes the virtual
page ``gallery.md``: for every example, its title and caption (the module docstring), its figure,
the numbers it printed, the command that reproduces it, and its source.

Two modes:

* ``OTBARY_GALLERY=run`` (set by ``python3 tasks.py docs`` and so in CI): every example runs in
  ``--quick`` mode (``OTBARY_EXAMPLES_QUICK=1``, two at a time, 120 s each at most); its figure
  and printed numbers go into the page. An example that fails or times out is a build warning,
  hence an error under ``mkdocs build --strict``.
* otherwise (a plain ``mkdocs build`` / ``mkdocs serve``): nothing runs; the page shows the
  committed full-mode figure ``docs/figures/plot_<name>.png`` where there is one, else a note.

Also a script: ``python examples/gallery.py [--out DIR]`` runs every example in quick mode and
prints the time each took (the figures go into ``DIR``, default a temporary folder).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

EXAMPLES = Path(__file__).resolve().parent
ROOT = EXAMPLES.parent
#: Environment variable that makes the hook run the examples.
RUN_ENV = "OTBARY_GALLERY"
#: Seconds one example may take in quick mode before the build fails.
TIMEOUT_S = 120
#: Examples shown first, in this order; the others follow sorted by name.
FIRST = ("plot_toys", "plot_weight_simplex", "plot_non_uniqueness", "plot_cdf_median", "plot_compare_methods")


@dataclass
class Example:
    """One example script: its name, title, caption and (after :func:`run`) its outputs."""

    name: str
    path: Path
    title: str
    caption: str
    stdout: str = ""
    figure: Optional[Path] = None
    seconds: float = 0.0
    error: str = ""


def parse(path: Path) -> Example:
    """Title and caption of an example from its docstring (a title underlined with ``=``)."""
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    lines = doc.strip().splitlines()
    if len(lines) < 3 or not set(lines[1].strip()) <= {"="} or not lines[1].strip():
        raise ValueError(f"{path.name}: the docstring must start with a title underlined with '='")
    caption = " ".join(line.strip() for line in lines[2:]).strip()
    if not caption:
        raise ValueError(f"{path.name}: the docstring has no caption after the title")
    return Example(path.stem, path, lines[0].strip(), caption)


def discover() -> list[Example]:
    """Every ``examples/plot_*.py``, the :data:`FIRST` ones first."""
    paths = sorted(EXAMPLES.glob("plot_*.py"))
    rank = {n: i for i, n in enumerate(FIRST)}
    paths.sort(key=lambda p: (rank.get(p.stem, len(FIRST)), p.stem))
    return [parse(p) for p in paths]


def run(example: Example, out: Path, timeout: float = TIMEOUT_S) -> Example:
    """Run one example in quick mode with ``--out out``; record stdout, figure, time or error."""
    env = {**os.environ, "OTBARY_EXAMPLES_QUICK": "1", "MPLBACKEND": "Agg"}
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, str(example.path), "--quick", "--out", str(out)], cwd=ROOT, env=env,
            capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        example.error = f"timed out after {timeout:.0f} s in quick mode"
        return example
    example.seconds = time.perf_counter() - t0
    example.stdout = proc.stdout.strip()
    fig = out / f"{example.name}.png"
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-6:])
        example.error = f"exit code {proc.returncode}:\n{tail}"
    elif not fig.exists():
        example.error = f"it wrote no {fig.name} (does it end with finish_example(fig, {example.name!r})?)"
    else:
        example.figure = fig
    return example


def run_all(examples: list[Example], out: Path, workers: int = 2) -> list[Example]:
    """Run the examples, ``workers`` at a time."""
    out.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda e: run(e, out), examples))


def page(examples: list[Example], figure_uri: dict[str, str], ran: bool) -> str:
    """The markdown of the gallery page."""
    intro = (EXAMPLES / "README.md").read_text(encoding="utf-8").split("\n", 1)[1].strip()
    mode = (
        "The figures below were made by this build, each example in `--quick` mode (small sizes)."
        if ran else
        "Figures below are the committed full-mode ones where they exist; `python3 tasks.py docs` "
        "rebuilds this page running every example in `--quick` mode."
    )
    out = ["# Gallery", "", intro, "", mode, ""]
    for ex in examples:
        src = ex.path.relative_to(ROOT).as_posix()
        out += [f"## {ex.title}", "", ex.caption, ""]
        if ex.name in figure_uri:
            out += [f"![{ex.title}]({figure_uri[ex.name]})", ""]
        else:
            out += ['!!! note "Figure not built"',
                    f"    Run `python {src} --out docs/figures` or `python3 tasks.py docs`.", ""]
        if ex.stdout:
            out += [f"Numbers printed by `python {src} --quick` ({ex.seconds:.1f} s):", "", "```text",
                    ex.stdout, "```", ""]
        out += [f"Reproduce: `python {src} [--quick] --out DIR` writes `DIR/{ex.name}.png`.", ""]
        code = ex.path.read_text(encoding="utf-8").rstrip()
        out += [f'??? example "Source: {src}"', "    ```python"]
        out += [("    " + line) if line else "" for line in code.splitlines()]
        out += ["    ```", ""]
    return "\n".join(out)


# --------------------------------------------------------------------------- MkDocs hook

_state: dict[str, Any] = {}


def on_config(config: Any) -> Any:
    """Run the examples (in ``OTBARY_GALLERY=run`` mode) before the pages are collected."""
    import logging

    log = logging.getLogger("mkdocs.plugins.otbary_gallery")
    examples = discover()
    ran = os.environ.get(RUN_ENV, "") == "run"
    if ran:
        tmp = Path(tempfile.mkdtemp(prefix="otbary-gallery-"))
        t0 = time.perf_counter()
        examples = run_all(examples, tmp)
        for ex in examples:
            if ex.error:
                log.warning("gallery: examples/%s.py failed: %s", ex.name, ex.error)
        log.info("gallery: ran %d examples in quick mode in %.1f s", len(examples), time.perf_counter() - t0)
    _state.update(examples=examples, ran=ran)
    return config


def on_files(files: Any, config: Any) -> Any:
    """Add ``gallery.md`` and, in run mode, the figures ``gallery/<name>.png``."""
    from mkdocs.structure.files import File

    examples: list[Example] = _state.get("examples") or discover()
    ran = bool(_state.get("ran"))
    uris: dict[str, str] = {}
    for ex in examples:
        if ran and ex.figure is not None:
            uri = f"gallery/{ex.name}.png"
            files.append(File.generated(config, uri, abs_src_path=str(ex.figure)))
            uris[ex.name] = uri
        elif not ran and (ROOT / "docs" / "figures" / f"{ex.name}.png").exists():
            uris[ex.name] = f"figures/{ex.name}.png"
    files.append(File.generated(config, "gallery.md", content=page(examples, uris, ran)))
    return files


def main(argv: Optional[list[str]] = None) -> int:
    """Run every example in quick mode; print the time each took; exit 1 if one failed."""
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[args.index("--out") + 1]) if "--out" in args else Path(tempfile.mkdtemp())
    t0 = time.perf_counter()
    results = run_all(discover(), out)
    for ex in results:
        print(f"{ex.name:32s} {'FAILED: ' + ex.error if ex.error else f'{ex.seconds:6.1f} s'}")
    print(f"total {time.perf_counter() - t0:.1f} s; figures in {out}")
    return 1 if any(ex.error for ex in results) else 0


if __name__ == "__main__":
    sys.exit(main())
