"""Progress bars draw on a terminal and stay silent in logs."""

from __future__ import annotations

import io

from otbary.progress import progress_bar


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _run(stream: io.StringIO, progress: bool) -> str:
    for _ in progress_bar(progress, iterable=range(50), file=stream, mininterval=0, desc="work"):
        pass
    return stream.getvalue()


def test_drawn_on_a_terminal_only() -> None:
    assert "work" in _run(_Terminal(), True) and "\r" in _run(_Terminal(), True)
    assert _run(io.StringIO(), True) == ""  # a log file or a pipe: not one redraw
    assert _run(_Terminal(), False) == ""  # --no-progress
