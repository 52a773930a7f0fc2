"""Progress bars: shown on a terminal, silent in logs and pipes.

Every long loop of otbary (the demo, ``otbary validate``, neural training) takes a
``progress`` flag and draws its bar with :func:`progress_bar`. A bar redraws itself with
carriage returns, which a terminal overwrites but a log file keeps (tens of kilobytes of
redraws per run), so the bar is drawn only when its stream is a terminal (or in a Jupyter
notebook, where ``tqdm.auto`` draws a widget instead).
"""

from __future__ import annotations

import sys
from typing import Any, Optional, TextIO

from tqdm.auto import tqdm

__all__ = ["progress_bar"]


def progress_bar(progress: bool, *, file: Optional[TextIO] = None, **kwargs: Any) -> tqdm:
    """A :class:`tqdm.tqdm` bar, drawn only if ``progress`` is true and ``file`` is a terminal
    (or a notebook widget).

    Parameters
    ----------
    progress : bool
        The caller's switch (``--no-progress`` turns it off).
    file : text stream, optional
        Where the bar goes (default ``sys.stderr``).
    **kwargs
        Passed to :class:`tqdm.tqdm` (``total``, ``desc``, ``unit``, an iterable, ...).
    """
    stream = sys.stderr if file is None else file
    tty = bool(getattr(stream, "isatty", lambda: False)())
    notebook = any(c.__module__ == "tqdm.notebook" for c in tqdm.__mro__)  # tqdm.auto in Jupyter
    return tqdm(file=stream, disable=not (progress and (tty or notebook)), **kwargs)
