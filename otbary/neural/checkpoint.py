"""Safe checkpoints: state dicts and plain values only, loaded with ``torch.load(weights_only=True)``.

A checkpoint is a ``dict`` whose leaves are tensors, ints, floats, bools, strings or ``None``
(inside dicts, lists and tuples): model and optimiser ``state_dict()``, the step, the RNG state
as a byte tensor, the loss history as lists of floats. No pickled objects, so loading never runs
code: :func:`load_checkpoint` uses ``torch.load(path, weights_only=True)``.

:func:`save_checkpoint` writes to a temporary file and renames it over the target, so an
interrupted save (Ctrl-C, a full disk) leaves the previous checkpoint intact.
"""

from __future__ import annotations

import os
import pickle
import zipfile
from pathlib import Path
from typing import Any, Union

import torch

__all__ = ["CheckpointError", "save_checkpoint", "load_checkpoint", "check_plain"]

PathLike = Union[str, "os.PathLike[str]"]
FORMAT = "otbary.neural/1"


class CheckpointError(ValueError):
    """A checkpoint file is corrupt, not an otbary checkpoint, or does not match the run."""


def check_plain(obj: Any, where: str = "state") -> None:
    """Raise ``TypeError`` unless ``obj`` holds only tensors and plain values (see the module doc)."""
    if obj is None or isinstance(obj, (bool, int, float, str, torch.Tensor)):
        return
    if isinstance(obj, dict):
        for k, v in obj.items():
            if not isinstance(k, (str, int)):
                raise TypeError(f"{where}: dict keys must be str or int; got {type(k).__name__}")
            check_plain(v, f"{where}[{k!r}]")
        return
    if isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            check_plain(v, f"{where}[{i}]")
        return
    raise TypeError(f"{where}: checkpoints hold tensors and plain values only; got {type(obj).__name__}")


def save_checkpoint(path: PathLike, state: dict[str, Any]) -> Path:
    """Write ``state`` (plain values and tensors only) atomically to ``path``; return the path.

    Raises
    ------
    TypeError
        ``state`` holds something other than tensors and plain values.
    OSError
        The file cannot be written (the previous checkpoint, if any, is kept).
    """
    if not isinstance(state, dict):
        raise TypeError(f"state must be a dict; got {type(state).__name__}")
    check_plain(state)
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(p.name + ".tmp")
    torch.save({"format": FORMAT, **state}, tmp)
    os.replace(tmp, p)
    return p


def load_checkpoint(path: PathLike) -> dict[str, Any]:
    """Load a checkpoint written by :func:`save_checkpoint` (``weights_only=True``, on the CPU).

    Raises
    ------
    FileNotFoundError
        No file at ``path``.
    CheckpointError
        The file is corrupt, truncated, holds pickled objects, or is not an otbary checkpoint.
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"checkpoint {str(p)!r} does not exist")
    try:
        state = torch.load(p, map_location="cpu", weights_only=True)
    except (RuntimeError, pickle.UnpicklingError, EOFError, zipfile.BadZipFile, ValueError, KeyError,
            AttributeError, OSError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else ""
        raise CheckpointError(f"checkpoint {str(p)!r} is corrupt or not a safe otbary checkpoint "
                              f"({type(exc).__name__}: {first})") from exc
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise CheckpointError(f"checkpoint {str(p)!r} is not an otbary.neural checkpoint")
    return state
