"""The examples and the docs gallery built from them.

The fast tests check the conventions every ``examples/plot_*.py`` must follow (docstring title and
caption, ``quick_mode``, ``finish_example`` with its own name) and that the gallery page lists
them all. Running the examples is one ``gallery`` test: in CI the docs step (``python3 tasks.py docs``,
``OTBARY_GALLERY=run``) already runs every example in ``--quick`` mode and fails the build when
one fails, so ``python3 tasks.py test`` deselects it (``-m "not gallery"``) and each example runs
once per CI run; a pytest-only run keeps it.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("plot_*.py"))


def _gallery() -> ModuleType:
    """``examples/gallery.py`` (the docs hook) as a module."""
    if "otbary_gallery" not in sys.modules:
        spec = importlib.util.spec_from_file_location("otbary_gallery", ROOT / "examples" / "gallery.py")
        assert spec is not None and spec.loader is not None
        mod = importlib.util.module_from_spec(spec)
        sys.modules["otbary_gallery"] = mod  # dataclasses look their module up here
        spec.loader.exec_module(mod)
    return sys.modules["otbary_gallery"]


def test_there_are_examples() -> None:
    names = {p.stem for p in EXAMPLES}
    assert {"plot_toys", "plot_weight_simplex", "plot_non_uniqueness", "plot_cdf_median",
            "plot_compare_methods"} <= names


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_follows_the_convention(path: Path) -> None:
    ex = _gallery().parse(path)  # raises if the title / caption is missing
    assert ex.title and len(ex.caption) > 80, f"{path.name}: the caption must say what is shown, with numbers"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    calls = [(n.func.id, n) for n in nodes if isinstance(n.func, ast.Name)]
    names = {name for name, _ in calls}
    assert "quick_mode" in names, f"{path.name} must pick its size with quick_mode()"
    finish = [c for name, c in calls if name == "finish_example"]
    assert len(finish) == 1, f"{path.name} must end with one finish_example(fig, {path.stem!r})"
    arg = finish[0].args[1]
    assert isinstance(arg, ast.Constant) and arg.value == path.stem


def test_gallery_page_lists_every_example() -> None:
    g = _gallery()
    examples = g.discover()
    assert [e.name for e in examples][:2] == ["plot_toys", "plot_weight_simplex"]
    assert {e.name for e in examples} == {p.stem for p in EXAMPLES}
    md = g.page(examples, {examples[0].name: "gallery/x.png"}, ran=True)
    for e in examples:
        assert f"## {e.title}" in md
        assert f'??? example "Source: examples/{e.name}.py"' in md
    assert "![" + examples[0].title + "](gallery/x.png)" in md
    assert md.count('!!! note "Figure not built"') == len(examples) - 1


def test_gallery_rejects_a_bad_docstring(tmp_path: Path) -> None:
    bad = tmp_path / "plot_bad.py"
    bad.write_text('"""No title underline."""\n')
    with pytest.raises(ValueError, match="underlined"):
        _gallery().parse(bad)


@pytest.mark.gallery
def test_every_example_runs_in_quick_mode(tmp_path: Path) -> None:
    g = _gallery()
    results = g.run_all(g.discover(), tmp_path)
    failed = {e.name: e.error for e in results if e.error}
    assert not failed, failed
    for e in results:
        assert (tmp_path / f"{e.name}.png").stat().st_size > 1000
