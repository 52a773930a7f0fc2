r"""The runner behind ``otbary validate``: every ground-truth case through the exact solvers.

For each case of :mod:`otbary.validation.cases` (known optimum ``J*``), :func:`run_case`

1. solves it with the exact solver (:func:`otbary.barycenter`, or :func:`otbary.ball_problem`
   for ball cases) and checks ``|cost - J*| <= tol``, ``lower_bound <= J* + tol`` and, where
   the optimum is unique, ``W1(solution, mu*) <= tol`` (``tol = RTOL * max(1, J*)``);
2. certifies the solver's answer with :func:`otbary.certify` (gap ``<= tol``) and the
   deliberately wrong *baselines* of the case (the mixture ``sum_k lambda_k nu_k``, the
   recursive barycenter), checking their objective against its closed form where known;
3. calls the *candidate*, if given, as ``func(measures, weights, metric)`` and certifies
   what it returns: a :class:`~otbary.Measure`, or an ``(n, d)`` array of samples read as
   the uniform empirical measure of its rows (samples are also scored against ``n`` samples
   of the exact barycenter, see :func:`_same_size_reference`);
4. draws a figure (1D: CDFs; 2D: atoms sized by mass).

Cases of kind ``"sampled"`` (continuous inputs given as samplers) have no exact solver to run:
:func:`otbary.certify` certifies, from samples (:mod:`otbary.sampled`), a sampler of the known
barycenter and samplers of the case's wrong baselines, reusing one reference
(``reference=res.info["reference"]``), and the runner checks the 95% intervals
``[gap_lower, gap_upper]`` against the known gaps: the barycenter's contains 0 (its lower end
is not above 0), each baseline's contains its known gap and lies above 0 (``gap_lower > 0``:
certified worse). The settings are :func:`sampled_settings` (quick: a few seconds per
certify). The candidate is not run on these cases (it takes Measures).

:func:`run_validation` runs the cases through a :mod:`concurrent.futures` executor (a process
pool by default; any object with ``submit`` returning :class:`concurrent.futures.Future`
works, e.g. ``distributed.Client(...).get_executor()`` to spread a sweep over a Dask cluster)
and writes ``report.md``, ``report.json`` and ``figures/<case>.png``.

Exit status of ``otbary validate``: 0 when every exact solver meets every known answer
(and the candidate's relative gap is within ``--max-gap`` if given), 1 otherwise, 2 for a
candidate that cannot be imported or returns something unusable (one ``otbary: error:``
line) or an unusable ``--out``.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import importlib
import importlib.util
import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable, Optional, Sequence, Union

import numpy as np

from ..measures import Measure
from ..progress import progress_bar
from .cases import Case, case_names, get_case

__all__ = [
    "ATOL",
    "RTOL",
    "CandidateError",
    "sampled_settings",
    "add_arguments",
    "call_candidate",
    "load_candidate",
    "run_case",
    "run_cli",
    "run_validation",
    "write_report",
]

#: Relative tolerance of the known-answer checks, on ``max(1, |J*|)``.
RTOL = 1e-6
#: Absolute floor of the known-answer checks.
ATOL = 1e-9

CandidateFunc = Callable[[list[Measure], np.ndarray, str], Any]
CandidateArg = Union[None, str, CandidateFunc]


class CandidateError(ValueError):
    """The candidate cannot be imported, or returned something that is not a barycenter."""


# --------------------------------------------------------------------------------------
# The candidate
# --------------------------------------------------------------------------------------


def load_candidate(spec: str) -> CandidateFunc:
    """Import ``MODULE:FUNC`` (a dotted module importable from the current folder, or a path
    ``file.py``) and return the function; raise :class:`CandidateError` with one clear line."""
    if not isinstance(spec, str) or spec.count(":") != 1:
        raise CandidateError(f"--candidate must look like MODULE:FUNC; got {spec!r}")
    mod_name, func_name = spec.split(":")
    if not mod_name or not func_name:
        raise CandidateError(f"--candidate must look like MODULE:FUNC; got {spec!r}")
    try:
        if mod_name.endswith(".py"):
            path = Path(mod_name)
            if not path.is_file():
                raise CandidateError(f"--candidate {spec!r}: no file {mod_name}")
            s = importlib.util.spec_from_file_location(path.stem, path)
            if s is None or s.loader is None:
                raise CandidateError(f"--candidate {spec!r}: cannot load {mod_name}")
            module = importlib.util.module_from_spec(s)
            s.loader.exec_module(module)
        else:
            if os.getcwd() not in sys.path:
                sys.path.insert(0, os.getcwd())
            module = importlib.import_module(mod_name)
    except CandidateError:
        raise
    except Exception as exc:
        raise CandidateError(
            f"--candidate {spec!r}: cannot import {mod_name}: {type(exc).__name__}: {exc}"
        ) from None
    func = getattr(module, func_name, None)
    if func is None or not callable(func):
        raise CandidateError(f"--candidate {spec!r}: {mod_name} has no function {func_name!r}")
    return func


def call_candidate(func: CandidateFunc, case: Case, label: str = "candidate") -> Measure:
    """``func(measures, weights, metric)`` as a Measure, or :class:`CandidateError`.

    Accepts a :class:`~otbary.Measure` of the inputs' dimension or an ``(n, d)`` array of
    samples (``n >= 1``, finite), read as the uniform empirical measure of its rows.
    """
    return _call_candidate(func, case, label)[0]


def _call_candidate(func: CandidateFunc, case: Case, label: str = "candidate") -> tuple[Measure, bool]:
    """The candidate's answer as a Measure, and whether it was an array of samples."""
    d = case.measures[0].dim
    where = f"{label} on case {case.name!r}"
    try:
        out = func(list(case.measures), np.array(case.weights), case.metric)
    except Exception as exc:
        raise CandidateError(f"{where} raised {type(exc).__name__}: {exc}") from None
    if isinstance(out, Measure):
        if out.dim != d:
            raise CandidateError(f"{where} returned a measure of dimension {out.dim}; the inputs have {d}")
        return out, False
    try:
        pts = np.asarray(out, dtype=float)
    except (TypeError, ValueError):
        raise CandidateError(
            f"{where} returned {type(out).__name__}; expected a Measure or an (n, {d}) array"
        ) from None
    if pts.size == 0:
        raise CandidateError(f"{where} returned an empty array; expected an (n, {d}) array with n >= 1")
    if pts.ndim == 1 and d == 1:
        pts = pts[:, None]
    if pts.ndim != 2:
        raise CandidateError(f"{where} returned an array of shape {pts.shape}; expected (n, {d})")
    if pts.shape[1] != d:
        raise CandidateError(f"{where} returned points of dimension {pts.shape[1]}; the inputs have {d}")
    if not np.all(np.isfinite(pts)):
        raise CandidateError(f"{where} returned NaN or infinite coordinates")
    return Measure(pts), True


# --------------------------------------------------------------------------------------
# One case
# --------------------------------------------------------------------------------------


def _check(checks: list[dict[str, Any]], what: str, value: float, expected: float, ok: bool,
           interval: Optional[Sequence[float]] = None) -> None:
    ch = {"what": what, "value": float(value), "expected": float(expected), "ok": bool(ok)}
    if interval is not None:
        ch["interval"] = [float(v) for v in interval]
    checks.append(ch)


def _certify_record(res: Any) -> dict[str, Any]:
    rec = {
        "cost": res.cost, "optimum": res.optimum, "gap": res.gap, "relative_gap": res.relative_gap,
        "lower_bound": res.lower_bound, "support": res.support, "distance": res.distance,
    }
    if res.interval is not None:  # sample-based: two-sided 95% bounds on the true gap
        info = res.info
        rec.update(
            interval=[float(v) for v in res.interval],
            relative_interval=[float(v) for v in res.relative_interval],
            cost_bounds=[float(v) for v in info["cost_bounds"]],
            optimum_bounds=[float(v) for v in info["optimum_bounds"]],
            width={k: float(v) for k, v in info["width"].items() if k != "dominant"},
            dominant=str(info["dominant"]),
        )
    return rec


def sampled_settings(quick: bool) -> dict[str, Any]:
    """Keyword arguments of :func:`otbary.certify` for the sampled cases.

    Quick: ``n_samples=20_000, n_repeats=4, resolution=24`` (a few seconds per certify); full:
    ``n_samples=50_000, n_repeats=8, resolution=48`` (the default grid of 2D, fewer draws than
    certify's default: the width is dominated by the grid, not by sampling).
    """
    if quick:
        return {"n_samples": 20_000, "n_repeats": 4, "resolution": 24}
    return {"n_samples": 50_000, "n_repeats": 8, "resolution": 48}


def _sampled_checks(case: Case, quick: bool, rec: dict[str, Any]) -> None:
    """Certify, from samples, the known barycenter and the wrong baselines of a sampled case."""
    import otbary as ob

    checks: list[dict[str, Any]] = rec["checks"]
    kw = sampled_settings(quick)
    assert case.barycenter_sampler is not None
    res = ob.certify(case.barycenter_sampler, case.samplers, case.weights, case.metric, seed=0, **kw)
    ref = res.info["reference"]
    rec["certify_settings"] = {**kw, "grid": str(ref.info.get("grid")), "confidence": 0.95}
    entry = _certify_record(res)
    entry.update(known_cost=case.optimum, known_gap=0.0)
    rec["certify_solver"] = entry
    lo, hi = entry["interval"]
    _check(checks, "certify(samples of the barycenter): gap_lower <= 0 (not certified worse)", lo, 0.0,
           lo <= 0.0, (lo, hi))
    _check(checks, "certify(samples of the barycenter): interval contains the known gap 0", res.gap, 0.0,
           lo <= 0.0 <= hi, (lo, hi))
    _check(checks, "certify: lower confidence bound on J* <= known optimum", res.lower_bound, case.optimum,
           res.lower_bound <= case.optimum)
    rec["baselines"] = {}
    for i, (name, (sampler, known)) in enumerate(case.sampled_baselines.items()):
        c = ob.certify(sampler, case.samplers, case.weights, case.metric, seed=1 + i, reference=ref, **kw)
        b = _certify_record(c)
        gap = known - case.optimum
        b.update(known_cost=known, known_gap=gap)
        rec["baselines"][name] = b
        lo, hi = b["interval"]
        _check(checks, f"certify({name}): interval contains the known gap", c.gap, gap, lo <= gap <= hi,
               (lo, hi))
        _check(checks, f"certify({name}): gap_lower > 0 (certified worse)", lo, 0.0, lo > 0.0, (lo, hi))


def _barycenter_checks(case: Case, tol: float, rec: dict[str, Any]) -> Measure:
    import otbary as ob

    checks: list[dict[str, Any]] = rec["checks"]
    res = ob.barycenter(case.measures, case.weights, case.metric, support=case.support)
    rec["solver"] = {"cost": res.cost, "lower_bound": res.lower_bound, "gap": res.gap,
                     "support": str(res.info.get("support", "")), "method": res.method}
    _check(checks, "exact barycenter: cost = known optimum", res.cost, case.optimum,
           abs(res.cost - case.optimum) <= tol)
    _check(checks, "exact barycenter: lower bound <= known optimum", res.lower_bound, case.optimum,
           res.lower_bound <= case.optimum + tol)
    if case.unique and case.barycenter is not None:
        dist = ob.w1(res.measure, case.barycenter, case.metric)
        _check(checks, "exact barycenter: W1 to the unique optimum = 0", dist, 0.0, dist <= tol)
    cert = ob.certify(res.measure, case.measures, case.weights, case.metric, case.support)
    rec["certify_solver"] = _certify_record(cert)
    _check(checks, "certify(exact barycenter): gap = 0", cert.gap, 0.0, abs(cert.gap) <= tol)
    _check(checks, "certify: optimum = known optimum", cert.optimum, case.optimum,
           abs(cert.optimum - case.optimum) <= tol)
    rec["baselines"] = {}
    for name, (measure, known) in case.baselines.items():
        c = ob.certify(measure, case.measures, case.weights, case.metric, case.support)
        entry = _certify_record(c)
        entry["known_cost"] = known
        if known is not None:
            entry["known_gap"] = known - case.optimum
            _check(checks, f"certify({name}): cost = its closed form", c.cost, known,
                   abs(c.cost - known) <= tol)
            _check(checks, f"certify({name}): gap = closed form - optimum", c.gap, known - case.optimum,
                   abs(c.gap - (known - case.optimum)) <= 2 * tol)
        rec["baselines"][name] = entry
    if case.recursive_cost is not None:
        _recursive_check(case, tol, rec)
    return res.measure


def _recursive_check(case: Case, tol: float, rec: dict[str, Any]) -> None:
    """``ob.recursive_barycenter`` against its known objective (skipped while it is unavailable)."""
    import otbary as ob

    assert case.recursive_cost is not None
    try:
        rb = ob.recursive_barycenter(case.measures, case.weights, case.metric)
    except NotImplementedError:
        rec["baselines"]["ob.recursive_barycenter"] = {"skipped": "not available"}
        return
    c = ob.certify(rb.measure, case.measures, case.weights, case.metric, case.support)
    entry = _certify_record(c)
    known = case.recursive_cost
    entry.update(known_cost=known, known_gap=known - case.optimum)
    rec["baselines"]["ob.recursive_barycenter"] = entry
    _check(rec["checks"], "certify(ob.recursive_barycenter): cost = closed form", c.cost, known,
           abs(c.cost - known) <= tol)
    _check(rec["checks"], "certify(ob.recursive_barycenter): gap = closed form - optimum", c.gap,
           known - case.optimum, abs(c.gap - (known - case.optimum)) <= 2 * tol)


def _ball_checks(case: Case, tol: float, rec: dict[str, Any]) -> Optional[Measure]:
    import otbary as ob

    checks: list[dict[str, Any]] = rec["checks"]
    target, *centers = case.measures
    try:
        assert case.radii is not None
        res = ob.ball_problem(target, centers, case.radii, case.metric)
    except NotImplementedError as exc:
        rec["status"] = "skipped"
        rec["message"] = f"ob.ball_problem is not available: {exc}"
        return None
    assert case.multipliers is not None
    rec["solver"] = {"cost": res.cost, "lower_bound": res.lower_bound,
                     "multipliers": np.asarray(res.multipliers).tolist(), "feasible": bool(res.feasible)}
    _check(checks, "ball problem: feasible", float(res.feasible), 1.0, bool(res.feasible))
    _check(checks, "ball problem: cost = known optimum", res.cost, case.optimum,
           abs(res.cost - case.optimum) <= tol)
    _check(checks, "ball problem: lower bound <= known optimum", res.lower_bound, case.optimum,
           res.lower_bound <= case.optimum + tol)
    err = float(np.max(np.abs(np.asarray(res.multipliers) - case.multipliers)))
    _check(checks, "ball problem: multipliers = known multipliers", err, 0.0, err <= 1e-6)
    return res.measure


def run_case(
    name: str,
    quick: bool = False,
    candidate: CandidateArg = None,
    out: Union[None, str, Path] = None,
) -> dict[str, Any]:
    """Run one named case; return its record (what :func:`write_report` stores in report.json).

    Parameters
    ----------
    name : str
        A case of :data:`otbary.validation.cases.CASES`.
    quick : bool
        Small sizes.
    candidate : str or callable, optional
        ``MODULE:FUNC`` or a function ``func(measures, weights, metric)`` returning a Measure or
        an ``(n, d)`` array of samples; certified on barycenter cases (not on ball cases, nor on
        sampled cases, whose inputs are not Measures).
    out : path, optional
        Folder where ``figures/<name>.png`` is written.

    Returns
    -------
    dict
        ``status`` is ``"pass"`` (every check holds), ``"fail"``, ``"error"`` (the exact solver
        raised; ``message`` says what) or ``"skipped"``; ``checks`` lists each check.

    Raises
    ------
    CandidateError
        The candidate cannot be imported or returned something unusable.
    """
    t0 = time.perf_counter()
    case = get_case(name, quick)
    tol = ATOL + RTOL * max(1.0, abs(case.optimum))
    rec: dict[str, Any] = {
        "name": case.name, "description": case.description, "kind": case.kind, "metric": case.metric,
        "K": case.n_inputs, "dim": case.dim, "weights": np.asarray(case.weights).tolist(),
        "known_optimum": case.optimum, "source": case.source, "unique": case.unique, "tolerance": tol,
        "checks": [], "status": "pass", "message": "",
    }
    func: Optional[CandidateFunc] = None
    if candidate is not None:
        func = load_candidate(candidate) if isinstance(candidate, str) else candidate
    solution: Optional[Measure] = None
    cand_measure: Optional[Measure] = None
    try:
        if case.kind == "ball":
            solution = _ball_checks(case, tol, rec)
        elif case.kind == "sampled":
            _sampled_checks(case, quick, rec)
        else:
            solution = _barycenter_checks(case, tol, rec)
    except Exception as exc:  # a solver failure is a failed case, reported with its message
        rec["status"] = "error"
        rec["message"] = f"{type(exc).__name__}: {exc}"
    if func is not None and case.kind == "sampled":
        rec["candidate_skipped"] = "the inputs are samplers: the candidate takes Measures"
    if func is not None and case.kind == "barycenter":
        import otbary as ob

        cand_measure, is_samples = _call_candidate(func, case)
        try:
            c = ob.certify(cand_measure, case.measures, case.weights, case.metric, case.support)
            rec["candidate"] = _certify_record(c)
            if is_samples and solution is not None:
                rec["candidate"]["same_size_exact_samples"] = _same_size_reference(case, solution, c.cost,
                                                                                   cand_measure.size)
        except Exception as exc:
            raise CandidateError(
                f"candidate on case {case.name!r} could not be certified: {type(exc).__name__}: {exc}"
            ) from None
    if rec["status"] == "pass" and not all(ch["ok"] for ch in rec["checks"]):
        rec["status"] = "fail"
    if out is not None:
        try:
            rec["figure"] = _figure(case, solution, cand_measure, Path(out))
        except Exception as exc:  # a figure is a convenience: record why it is missing
            rec["figure_error"] = f"{type(exc).__name__}: {exc}"
    rec["time_s"] = time.perf_counter() - t0
    return rec


def _same_size_reference(case: Case, solution: Measure, cost: float, n: int, repeats: int = 20,
                         ) -> dict[str, Any]:
    """Like with like for a candidate given as ``n`` samples: the exact objective ``J`` of ``n``
    samples of the exact barycenter, over ``repeats`` draws (seed 0).

    ``gap`` is ``J(candidate samples) - mean J(exact samples)``; ``percentile`` is the share of
    the exact draws scoring below the candidate (about uniform on [0, 1] for a candidate that
    samples an exact barycenter, near 1 for a worse one).
    """
    import otbary as ob
    from otbary.certify import sample_measure

    rng = np.random.default_rng(0)
    js = np.array([
        sum(float(lk) * ob.w1(Measure(sample_measure(solution, n, rng)), m, case.metric)
            for lk, m in zip(case.weights, case.measures, strict=True) if lk > 0)
        for _ in range(repeats)
    ])
    lo, hi = np.quantile(js, [0.025, 0.975])
    return {"n": n, "repeats": repeats, "mean": float(js.mean()), "range_95": [float(lo), float(hi)],
            "gap": cost - float(js.mean()), "percentile": float(np.mean(js < cost))}


def _figure(
    case: Case, solution: Optional[Measure], candidate: Optional[Measure], out: Path
) -> Optional[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    d = case.dim
    if d > 2:
        return None
    inputs = case.measures
    if case.kind == "sampled":  # draws of the continuous inputs and of the known barycenter
        rng = np.random.default_rng(0)
        inputs = [Measure(np.asarray(f(1500, rng), dtype=float)) for f in case.samplers]
        if case.barycenter_sampler is not None:
            solution = Measure(np.asarray(case.barycenter_sampler(300, rng), dtype=float))
    fig, ax = plt.subplots(figsize=(5.0, 4.0))
    colors = plt.get_cmap("tab10")
    named = [(f"input {k + 1}" if case.kind != "ball" else ("target" if k == 0 else f"center {k}"), m,
              colors(k % 10)) for k, m in enumerate(inputs)]
    extra = [(n, m, c) for n, m, c in (("exact", solution, "black"), ("candidate", candidate, "crimson"))
             if m is not None]
    if d == 1:
        for label, m, col in named + extra:
            order = np.argsort(m.points[:, 0])
            x, w = m.points[order, 0], np.cumsum(m.weights[order])
            lw = 2.0 if label in ("exact", "candidate") else 1.0
            ax.step(x, w, where="post", color=col, lw=lw, label=label,
                    ls="--" if label == "candidate" else "-")
        ax.set_ylabel("CDF")
    else:
        for label, m, col in named + extra:
            keep = m.weights > 1e-6 * float(m.weights.max())  # drop interior-point dust
            marker = "x" if label == "exact" else ("+" if label == "candidate" else "o")
            ax.scatter(m.points[keep, 0], m.points[keep, 1], s=600 * m.weights[keep] + 4, color=col,
                       alpha=0.45 if marker == "o" else 0.9, marker=marker, label=label)
        ax.set_aspect("equal")
    ax.set_title(f"{case.name}: known optimum {case.optimum:.4g}", fontsize=9)
    ax.legend(fontsize=7, loc="best")
    folder = out / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{case.name}.png"
    fig.savefig(path, dpi=90, bbox_inches="tight")
    plt.close(fig)
    return str(path.relative_to(out))


# --------------------------------------------------------------------------------------
# All cases
# --------------------------------------------------------------------------------------


def run_validation(
    cases: Optional[Sequence[str]] = None,
    *,
    quick: bool = False,
    candidate: CandidateArg = None,
    out: Union[None, str, Path] = None,
    executor: Optional[cf.Executor] = None,
    workers: Optional[int] = None,
    progress: bool = True,
) -> dict[str, Any]:
    """Run cases through an executor and (with ``out``) write the report.

    Parameters
    ----------
    cases : sequence of str, optional
        Case names (default: all of :func:`~otbary.validation.cases.case_names`).
    quick : bool
        Small sizes.
    candidate : str or callable, optional
        ``MODULE:FUNC`` or ``func(measures, weights, metric) -> Measure or (n, d) samples``
        (a callable must be picklable for a process pool: a module-level function).
    out : path, optional
        Folder for ``report.md``, ``report.json`` and ``figures/``.
    executor : concurrent.futures.Executor, optional
        Anything with ``submit(fn, *args) -> Future``, e.g. a Dask client's
        ``client.get_executor()``; default: a :class:`~concurrent.futures.ProcessPoolExecutor`
        with ``workers`` processes (``workers=0``: run in this process, one case at a time).
    workers : int, optional
        Default ``min(2, os.cpu_count())``.
    progress : bool
        A tqdm progress bar on stderr.

    Returns
    -------
    dict
        ``{"cases": [records in the order of cases], "summary": {...}}``.

    Raises
    ------
    CandidateError
        The candidate cannot be imported or returned something unusable (on any case).
    """

    names = case_names() if cases is None else list(cases)
    unknown = [n for n in names if n not in case_names()]
    if unknown:
        raise ValueError(f"unknown cases {unknown}; choose from {case_names()}")
    if isinstance(candidate, str):
        load_candidate(candidate)  # fail fast, before any worker starts
    if workers is not None and workers < 0:
        raise ValueError(f"workers must be >= 0; got {workers}")
    t0 = time.perf_counter()
    records: dict[str, dict[str, Any]] = {}
    bar = progress_bar(progress, total=len(names), desc="otbary validate", unit="case")
    try:
        if executor is None and workers == 0:
            for n in names:
                records[n] = run_case(n, quick, candidate, out)
                bar.set_postfix_str(f"{n}: {records[n]['status']}")
                bar.update()
        else:
            own = executor is None
            ex = executor if executor is not None else cf.ProcessPoolExecutor(
                max_workers=workers or min(2, os.cpu_count() or 1))
            try:
                futures = {ex.submit(run_case, n, quick, candidate, out): n for n in names}
                for fut in cf.as_completed(futures):
                    n = futures[fut]
                    records[n] = fut.result()
                    bar.set_postfix_str(f"{n}: {records[n]['status']}")
                    bar.update()
            finally:
                if own:
                    ex.shutdown(cancel_futures=True)
    finally:
        bar.close()
    ordered = [records[n] for n in names]
    statuses = [r["status"] for r in ordered]
    summary = {
        "passed": statuses.count("pass"), "failed": statuses.count("fail"), "errors": statuses.count("error"),
        "skipped": statuses.count("skipped"), "total": len(ordered), "quick": quick,
        "candidate": candidate if isinstance(candidate, str) else getattr(candidate, "__name__", None),
        "wall_s": time.perf_counter() - t0,
    }
    report = {"summary": summary, "cases": ordered}
    if out is not None:
        write_report(report, out)
    return report


def _fmt(x: Any) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return "nan" if math.isnan(x) else f"{x:.6g}"
    return str(x)


def _fmt_gap(entry: dict[str, Any]) -> str:
    """A certify record's gap, with its 95% interval when sample-based."""
    iv = entry.get("interval")
    g = _fmt(entry.get("gap"))
    return g if iv is None else f"{g} [{_fmt(iv[0])}, {_fmt(iv[1])}]"


def write_report(report: dict[str, Any], out: Union[str, Path]) -> None:
    """Write ``report.json`` and ``report.md`` into ``out`` (created if missing)."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)

    def default(o: Any) -> Any:
        if isinstance(o, np.ndarray):
            return o.tolist()
        if isinstance(o, (np.floating, np.integer, np.bool_)):
            return o.item()
        return str(o)

    (folder / "report.json").write_text(json.dumps(report, indent=2, default=default))
    s = report["summary"]
    lines = [
        "# otbary validate",
        "",
        f"{s['passed']} passed, {s['failed']} failed, {s['errors']} errors, {s['skipped']} skipped "
        f"of {s['total']} cases ({'quick' if s['quick'] else 'full'} sizes, {s['wall_s']:.1f} s)."
        + (f" Candidate: `{s['candidate']}`." if s.get("candidate") else ""),
        "",
        "Gaps are `J(x) - J*` with `J(x) = sum_k lambda_k W1(x, nu_k)` computed exactly by `ob.certify`. "
        "On sampled cases (continuous inputs given as samplers) `ob.certify` works from samples: the gap "
        "is a point estimate followed by its 95% interval `[gap_lower, gap_upper]`, which brackets the "
        "true gap of the continuous distributions with probability at least 95%.",
        "",
        "| case | metric | known optimum | exact solver | status | mixture gap | recursive gap "
        "| candidate gap (relative) | time (s) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in report["cases"]:
        base = r.get("baselines", {})
        cand = r.get("candidate")
        cand_s = f"{_fmt(cand['gap'])} ({_fmt(cand['relative_gap'])})" if cand else "-"
        rec_gap = base.get("recursive", base.get("ob.recursive_barycenter", {})).get("gap")
        lines.append(
            f"| {r['name']} | {r['metric']} | {_fmt(r['known_optimum'])} "
            f"| {_fmt(r.get('solver', {}).get('cost'))} | {r['status']} "
            f"| {_fmt_gap(base.get('mixture', {}))} | "
            f"{_fmt(rec_gap)} | {cand_s} | {_fmt(r.get('time_s'))} |"
        )
    lines += ["", "## Cases", ""]
    for r in report["cases"]:
        lines += [f"### {r['name']} ({r['status']})", "", r["description"], "",
                  f"Known answer: {r['source']}.", ""]
        if r.get("message"):
            lines += [f"**{r['message']}**", ""]
        for ch in r["checks"]:
            mark = "ok" if ch["ok"] else "FAILED"
            iv = (f", interval [{_fmt(ch['interval'][0])}, {_fmt(ch['interval'][1])}]"
                  if "interval" in ch else "")
            lines.append(f"- {mark}: {ch['what']}: {_fmt(ch['value'])} (expected {_fmt(ch['expected'])}{iv})")
        if r.get("kind") == "sampled" and r.get("certify_solver"):
            cs = r.get("certify_settings", {})
            lines += ["", f"Sample-based certify ({_fmt(cs.get('n_samples'))} draws per distribution x "
                      f"{_fmt(cs.get('n_repeats'))} repeats, grid {_fmt(cs.get('grid'))}; one reference "
                      "for all candidates):", ""]
            named = [("samples of the barycenter", r["certify_solver"]), *r.get("baselines", {}).items()]
            for label, e in named:
                if "interval" not in e:
                    continue
                width = ", ".join(f"{k.replace('_', ' ')} {_fmt(v)}" for k, v in e.get("width", {}).items())
                lines.append(f"- {label}: gap {_fmt_gap(e)} (known {_fmt(e.get('known_gap'))}), relative "
                             f"[{_fmt(e['relative_interval'][0])}, {_fmt(e['relative_interval'][1])}]; "
                             f"width mostly {e.get('dominant')} ({width})")
            lines.append("")
        if r.get("candidate_skipped"):
            lines.append(f"- candidate not run: {r['candidate_skipped']}")
        if r.get("candidate"):
            c = r["candidate"]
            lines.append(f"- candidate: cost {_fmt(c['cost'])}, gap {_fmt(c['gap'])}, relative gap "
                         f"{_fmt(c['relative_gap'])}, distance {_fmt(c['distance'])} "
                         f"(optimum over {c['support']})")
            ref = c.get("same_size_exact_samples")
            if ref:
                lines.append(f"- candidate given as {ref['n']} samples: {ref['repeats']} draws of "
                             f"{ref['n']} samples of the exact barycenter score J = {_fmt(ref['mean'])} "
                             f"on average (95% range "
                             f"{_fmt(ref['range_95'][0])} to {_fmt(ref['range_95'][1])}); like-with-like gap "
                             f"{_fmt(ref['gap'])}, percentile {_fmt(ref['percentile'])}")
        if r.get("figure"):
            lines += ["", f"![{r['name']}]({r['figure']})"]
        lines.append("")
    (folder / "report.md").write_text("\n".join(lines))


# --------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``otbary validate``."""
    p.add_argument("--out", required=True, type=Path, help="output folder (created if missing)")
    p.add_argument("--quick", action="store_true", help="small sizes (under 2 minutes)")
    p.add_argument("--candidate", default=None,
                   help="MODULE:FUNC (or file.py:FUNC), a function func(measures, weights, metric) returning "
                        "an otbary.Measure or an (n, d) array of samples")
    p.add_argument("--cases", nargs="+", default=None, metavar="NAME",
                   help=f"run only these cases (default: all of {', '.join(case_names())})")
    p.add_argument("--workers", type=int, default=None,
                   help="processes of the pool (default: min(2, CPUs); 0 runs in this process)")
    p.add_argument("--max-gap", type=float, default=None, metavar="REL",
                   help="exit 1 when the candidate's relative gap exceeds REL on some case")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def run_cli(args: argparse.Namespace) -> int:
    """Run ``otbary validate``; return the exit code (0 pass, 1 a check failed, 2 bad candidate/--out)."""
    from ..cli import writable_folder

    out = Path(args.out)
    problem = writable_folder(out)
    if problem is not None:
        print(f"otbary: error: {problem}", file=sys.stderr)
        return 2
    try:
        report = run_validation(args.cases, quick=args.quick, candidate=args.candidate, out=out,
                                workers=args.workers, progress=not args.no_progress)
    except CandidateError as exc:
        print(f"otbary: error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"otbary: error: {exc}", file=sys.stderr)
        return 2
    s = report["summary"]
    print(f"otbary validate: {s['passed']} passed, {s['failed']} failed, {s['errors']} errors, "
          f"{s['skipped']} skipped of {s['total']} in {s['wall_s']:.1f} s; report in {out / 'report.md'}")
    bad = [r["name"] for r in report["cases"] if r["status"] in ("fail", "error")]
    if bad:
        print(f"otbary validate: known answers missed on {', '.join(bad)}", file=sys.stderr)
        return 1
    if args.max_gap is not None:
        over = [r["name"] for r in report["cases"]
                if r.get("candidate") and r["candidate"]["relative_gap"] > args.max_gap]
        if over:
            print(f"otbary validate: candidate relative gap above {args.max_gap} on {', '.join(over)}",
                  file=sys.stderr)
            return 1
    return 0
