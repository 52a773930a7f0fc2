"""The demo behind ``otbary demo``: exact W1 barycenters of 2D toys, with figures and a report.

Three cases on a regular grid of the unit square, cityblock metric, each a known answer:

``translates``
    Three translated copies ``rho + a_k`` of a Gaussian blob. A barycenter is ``rho`` shifted to
    the weighted coordinatewise median ``m`` of the shifts (the l1 Fermat-Weber point, theory
    fact 6), with optimum ``sum_k lambda_k ||a_k - m||_1``.
``mixtures``
    Three random Gaussian mixtures: no closed form, but the answer is certified by the dual bound
    and must beat every input used as a candidate.
``two-measures``
    Two measures with weights 0.6 / 0.4: the unique barycenter is the heavier input and the
    optimum is ``0.4 W1(nu_1, nu_2)`` (theory fact 5).

:func:`run_demo` writes ``report.md``, ``report.json`` and ``figures/<case>.png`` into a folder.

**Neural part** (needs torch: ``pip install otbary[neural]``): WGAN-GP barycenters of 2D toys
(three translates of a Gaussian blob, three Gaussian mixtures; euclidean metric) trained on the
CPU and certified by :func:`otbary.certify` from samples (:mod:`otbary.neural.demo`):
``report.json["neural"]`` holds each candidate's ``relative_gap`` and its interval, which
brackets the true gap of the continuous distributions with probability 95%, with the split of
the interval's width; ``figures/neural-*.png`` the inputs, exact and neural barycenters and the
gap along training. Checkpoints go to ``OUT/checkpoints/`` every ``--checkpoint-every`` steps;
``--resume`` continues from them; Ctrl-C keeps the last checkpoint and exits with code 130.
Without torch the exact part runs, the report says the neural part was skipped and the exit
code is 0 (the exact part is the library's core; torch is an optional extra).
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import numpy as np

from . import __version__
from .barycenter import barycenter
from .cli import writable_folder
from .exact import w1
from .geometry import Grid
from .measures import Measure
from .progress import progress_bar
from .results import BarycenterResult
from .toys import coordinatewise_median, gaussian, mixture, random_mixture, ring, translate

__all__ = [
    "add_arguments", "run_cli", "DemoError", "OutputError", "Case", "build_cases", "run_case", "run_demo",
    "CHECK_TOL",
]

#: Absolute tolerance of the known-answer checks (objectives are O(0.1) on the unit square).
CHECK_TOL = 1e-6
METRIC = "cityblock"


class DemoError(RuntimeError):
    """The demo could not run or a known-answer check failed (the message says which)."""


class OutputError(DemoError):
    """The output folder cannot be created or written."""


@dataclass
class Case:
    """One demo problem: inputs, weights and a function computing its known-answer checks."""

    name: str
    title: str
    measures: list[Measure]
    weights: list[float]
    labels: list[str]
    #: ``check(result) -> (numbers, extra panels)``; numbers go into the report.
    check: Callable[[BarycenterResult], tuple[dict[str, Any], list[tuple[str, Measure]]]]
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _unit_grid(n: int) -> Grid:
    return Grid((n, n), spacing=1.0 / (n - 1), origin=0.0)


def _case_translates(g: Grid) -> Case:
    n = g.shape[0]
    h = g.spacing[0]
    rho = gaussian(g, center=(0.2, 0.2), sigma=0.05, truncate=3.0)
    shifts_unit = np.array([[0.0, 0.05], [0.55, 0.0], [0.3, 0.6]])
    shifts = np.rint(shifts_unit * (n - 1)).astype(int)
    weights = [0.4, 0.35, 0.25]
    measures = [translate(rho, tuple(int(v) for v in s)) for s in shifts]
    med = coordinatewise_median(shifts, weights).astype(int)
    a = shifts * h
    optimum = float(sum(wk * np.abs(ak - med * h).sum() for wk, ak in zip(weights, a, strict=True)))
    expected = translate(rho, tuple(int(v) for v in med))

    def check(res: BarycenterResult) -> tuple[dict[str, Any], list[tuple[str, Measure]]]:
        d = w1(res.measure, expected, metric=METRIC)
        nums = {
            "shifts": (shifts * h).tolist(),
            "median_shift": (med * h).tolist(),
            "expected_optimum": optimum,
            "cost_minus_expected": res.cost - optimum,
            "w1_to_shifted_rho": d,
            "ok": bool(abs(res.cost - optimum) <= CHECK_TOL and abs(res.lower_bound - optimum) <= CHECK_TOL),
        }
        return nums, [("rho shifted to median", expected)]

    return Case(
        name="translates",
        title="Translates of a blob: the barycenter is the blob at the weighted median shift",
        measures=measures,
        weights=weights,
        labels=[f"nu_{k + 1} (w={w})" for k, w in enumerate(weights)],
        check=check,
        notes=(
            "For the cityblock metric the Fermat-Weber point of the shifts a_k is their weighted "
            "coordinatewise median m, so rho + m is a barycenter with objective "
            "sum_k lambda_k ||a_k - m||_1 (theory fact 6). The l1 barycenter is not unique, so the "
            "solver's measure may differ from rho + m (w1 to shifted rho > 0) while its objective is "
            "the same: compare objectives, not measures (theory fact 5)."
        ),
    )


def _case_mixtures(g: Grid) -> Case:
    measures = [random_mixture(g, n_components=3, seed=s, sigma_range=(0.05, 0.09)) for s in (1, 2, 3)]
    weights = [1 / 3, 1 / 3, 1 / 3]

    def check(res: BarycenterResult) -> tuple[dict[str, Any], list[tuple[str, Measure]]]:
        # every input is a candidate: the barycenter must do at least as well as the best one
        cand = [
            sum(wk * w1(m, nk, metric=METRIC) for wk, nk in zip(weights, measures, strict=True))
            for m in measures
        ]
        best = float(min(cand))
        nums = {
            "best_input_objective": best,
            "improvement_over_best_input": best - res.cost,
            "ok": bool(res.cost <= best + CHECK_TOL and res.gap <= CHECK_TOL),
        }
        return nums, []

    return Case(
        name="mixtures",
        title="Three Gaussian mixtures: a certified barycenter",
        measures=measures,
        weights=weights,
        labels=[f"nu_{k + 1} (w=1/3)" for k in range(3)],
        check=check,
        notes="No closed form; the dual lower bound certifies the objective (theory fact 3).",
    )


def _case_two(g: Grid) -> Case:
    nu1 = mixture(g, [[0.28, 0.3], [0.68, 0.7]], sigmas=0.07)
    nu2 = ring(g, center=(0.5, 0.5), radius=0.3, width=0.04)
    weights = [0.6, 0.4]
    dist = w1(nu1, nu2, metric=METRIC)

    def check(res: BarycenterResult) -> tuple[dict[str, Any], list[tuple[str, Measure]]]:
        d = w1(res.measure, nu1, metric=METRIC)
        nums = {
            "w1_nu1_nu2": dist,
            "expected_optimum": 0.4 * dist,
            "cost_minus_expected": res.cost - 0.4 * dist,
            "w1_to_heavier_input": d,
            "ok": bool(abs(res.cost - 0.4 * dist) <= CHECK_TOL and d <= 1e-5),
        }
        return nums, []

    return Case(
        name="two-measures",
        title="Two measures, weights 0.6 / 0.4: the barycenter is the heavier input",
        measures=[nu1, nu2],
        weights=weights,
        labels=["nu_1 (w=0.6)", "nu_2 (w=0.4)"],
        check=check,
        notes=(
            "With lambda_1 > lambda_2 the unique barycenter is nu_1, with optimum "
            "lambda_2 W1(nu_1, nu_2) (theory fact 5)."
        ),
    )


def build_cases(n: int) -> list[Case]:
    """The demo cases on an ``n x n`` grid of the unit square (``n >= 12``)."""
    if n < 12:
        raise ValueError(f"the demo grid needs at least 12 nodes per axis; got {n}")
    g = _unit_grid(n)
    return [_case_translates(g), _case_mixtures(g), _case_two(g)]


def _finite(x: float, what: str) -> float:
    v = float(x)
    if not math.isfinite(v):
        raise DemoError(f"{what} is not finite ({v}): the solver returned an invalid result")
    return v


def run_case(case: Case, figures: Optional[Path] = None) -> dict[str, Any]:
    """Solve one case, run its checks, optionally draw its figure; return the report entry."""
    t0 = time.perf_counter()
    res = barycenter(case.measures, weights=case.weights, metric=METRIC)
    elapsed = time.perf_counter() - t0
    checks, panels = case.check(res)
    entry: dict[str, Any] = {
        "name": case.name,
        "title": case.title,
        "metric": res.metric,
        "method": res.method,
        "solver": str(res.info.get("solver", "")),
        "support": str(res.info.get("support", "")),
        "grid_shape": list(case.measures[0].grid.shape) if case.measures[0].grid else None,
        "n_measures": len(case.measures),
        "weights": [float(w) for w in case.weights],
        "cost": _finite(res.cost, "cost"),
        "lower_bound": _finite(res.lower_bound, "lower bound"),
        "gap": _finite(res.gap, "gap"),
        "relative_gap": _finite(res.relative_gap, "relative gap"),
        "costs": [_finite(c, "W1 to an input") for c in np.asarray(res.costs).ravel()],
        "solve_time_s": elapsed,
        "checks": checks,
        "notes": case.notes,
    }
    if figures is not None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        from .plotting import plot_measures

        ms = [*case.measures, res.measure] + [m for _, m in panels]
        titles = [*case.labels, "barycenter (exact)"] + [t for t, _ in panels]
        fig = plot_measures(ms, titles, suptitle=case.title)
        path = figures / f"{case.name}.png"
        fig.savefig(path, dpi=90)
        plt.close(fig)
        entry["figure"] = f"figures/{path.name}"
    return entry


def _fmt(x: Any) -> str:
    if isinstance(x, bool):
        return "yes" if x else "NO"
    if isinstance(x, float):
        return f"{x:.6g}"
    if isinstance(x, list):
        return "(" + ", ".join(_fmt(v) for v in x) + ")"
    return str(x)


def _markdown(report: dict[str, Any]) -> str:
    lines = [
        "# otbary demo: exact W1 barycenters of 2D toys",
        "",
        f"otbary {report['otbary_version']}, Python {report['python']}, grid "
        f"{report['grid']} on the unit square, metric `{METRIC}`"
        + (" (quick mode)" if report["quick"] else "")
        + f". Total time {report['total_time_s']:.1f} s.",
        "",
        "`cost` is the objective sum_k lambda_k W1(mu, nu_k) of the returned barycenter mu; "
        "`lower bound` is certified by 1-Lipschitz dual potentials, so the optimum lies in "
        "[lower bound, cost].",
        "",
        "| case | method | solver | cost | lower bound | gap | relative gap | time (s) | check |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for c in report["cases"]:
        lines.append(
            f"| {c['name']} | {c['method']} | {c['solver']} | {c['cost']:.10g} | {c['lower_bound']:.10g} | "
            f"{c['gap']:.2e} | {c['relative_gap']:.2e} | {c['solve_time_s']:.2f} | "
            f"{'ok' if c['checks'].get('ok') else 'FAILED'} |"
        )
    for c in report["cases"]:
        lines += ["", f"## {c['name']}: {c['title']}", "", c["notes"], ""]
        lines += [f"- {k.replace('_', ' ')}: {_fmt(v)}" for k, v in c["checks"].items()]
        if "figure" in c:
            lines += ["", f"![{c['name']}]({c['figure']})"]
    return "\n".join(lines + _neural_markdown(report["neural"])) + "\n"


def _neural_markdown(nr: dict[str, Any]) -> list[str]:
    lines = ["", "# Neural barycenters (WGAN-GP), certified", ""]
    if nr.get("skipped"):
        return lines + [f"Skipped: {nr['reason']}."]
    lines += [
        f"torch {nr['torch_version']} on the CPU ({nr['threads']} threads), seed {nr['seed']}, "
        f"{nr['total_time_s']:.1f} s. Euclidean metric (the metric a WGAN-GP critic estimates). "
        "`relative gap` = (J(candidate) - J*) / J* from `otbary.certify` on samples of the candidate and "
        "the inputs. The 95% interval brackets the true gap of the continuous distributions: `gap_upper` "
        "is an upper confidence bound built from feasible couplings of the draws (upper bounds on costs) "
        "and a Lipschitz lower bound on J*, `gap_lower` a lower one built from Lipschitz potentials "
        "fitted on separate draws (lower bounds on costs) and an upper bound on J* (the exact barycenter "
        "of quantised draws); both hold at once with probability at least 95%. The grid the draws are "
        "quantised on makes the interval wider, never biased: a candidate whose interval lies above 0 is "
        "worse than the optimum with 95% confidence, and an interval containing 0 cannot rank it. `J "
        "(estimate)` and `J* (estimate)` are the midpoints of their bounds; `width mostly` names the "
        "largest part of the interval's width as certify splits it (sampling noise, or the resolution of "
        "the reference and of the fitted potentials). The exact barycenter itself (when known in closed "
        "form; its interval should contain 0) and, in full mode, the first input are controls.",
    ]
    for c in nr["cases"]:
        cc = c.get("certify", {})
        setting = (f" ({cc['n_samples']} draws per distribution x {cc['n_repeats']} repeats, "
                   f"grid {cc['grid']})" if cc else "")
        lines += ["", f"## neural {c['name']}: {c['title']}", "", c["notes"], "",
                  f"{c['steps']} generator steps ({c['steps_per_second']:.1f} steps/s"
                  + (f", resumed from step {c['resumed_from']}" if c.get("resumed_from") else "")
                  + f"), certify {c['certify_time_s']:.1f} s{setting}. Critics' objective estimate "
                  f"{c['critic_objective_estimate']:.5f}"
                  + (f"; closed-form optimum {c['exact_optimum']:.5f}"
                     if c["exact_optimum"] is not None else "")
                  + ".", "",
                  "| candidate | J (estimate) | J* (estimate) | relative gap | 95% interval | width mostly |",
                  "|---|---|---|---|---|---|"]
        for d in c["candidates"]:
            lo, hi = d["relative_interval"]
            lines.append(f"| {d['name']} | {d['cost']:.5f} | {d['optimum']:.5f} | {d['relative_gap']:+.2%} | "
                         f"[{lo:+.2%}, {hi:+.2%}] | {d.get('dominant', '-')} |")
        first = c["candidates"][0] if c["candidates"] else {}
        width = first.get("width")
        if width:
            total = sum(width.values())
            opt = max(abs(first["optimum"]), 1e-300)
            parts = ", ".join(f"{k.replace('_', ' ')} {v:.4f} ({v / opt:.1%} of J*)"
                              for k, v in width.items())
            lines += ["", f"Width of the {first['name']} interval: {total:.4f} in all, {parts}. Sampling "
                      "shrinks with more draws or repeats, the other parts with a finer grid "
                      "(certify's `resolution=`)."]
        if "figure" in c:
            lines += ["", f"![neural {c['name']}]({c['figure']})"]
    if "training_figure" in nr:
        lines += ["", f"![gap along training]({nr['training_figure']})"]
    return lines


#: Why the neural part was skipped, when torch is missing (also printed by the CLI).
NEURAL_SKIPPED = "torch is not installed (pip install otbary[neural]): the neural part was skipped"


def _neural_section(out: Path, quick: bool, progress: bool, figures: bool, seed: int, resume: bool,
                    checkpoint_every: int, steps: Optional[int],
                    log: Callable[[str], None]) -> dict[str, Any]:
    try:
        from .neural.demo import run_neural_demo
    except ImportError:
        return {"skipped": True, "reason": NEURAL_SKIPPED}
    return run_neural_demo(out, quick=quick, seed=seed, resume=resume, checkpoint_every=checkpoint_every,
                           steps=steps, progress=progress, figures=figures, log=log)


def run_demo(out: Path, quick: bool = False, progress: bool = True, figures: bool = True, *,
             neural: bool = True, seed: int = 0, resume: bool = False, checkpoint_every: int = 100,
             steps: Optional[int] = None) -> dict[str, Any]:
    """Run every case and write ``report.md``, ``report.json`` and ``figures/`` into ``out``.

    Parameters
    ----------
    out : Path
        Output folder (created if missing).
    quick : bool, default False
        Use a 16 x 16 grid instead of 48 x 48 (seconds instead of about a minute).
    progress : bool, default True
        Show a tqdm progress bar over the cases (on stderr).
    figures : bool, default True
        Draw the figures.
    neural : bool, default True
        Also train and certify the neural barycenters (skipped with a note when torch is missing).
    seed : int, default 0
        Seed of the neural part (weights, draws, certify): a seed makes a run reproducible.
    resume : bool, default False
        Continue the neural training from the checkpoints in ``out/checkpoints``.
    checkpoint_every : int, default 100
        Generator steps between checkpoints.
    steps : int, optional
        Generator steps per neural case (default 600, quick 20).

    Returns
    -------
    dict
        The report (as written to ``report.json``).

    Raises
    ------
    OutputError
        If ``out`` cannot be created or written.
    DemoError
        If a solver result is not finite or a known-answer check fails (the report is written
        first).
    KeyboardInterrupt
        On Ctrl-C; the last neural checkpoint is kept (``--resume`` continues from it).
    """

    out = Path(out)
    fig_dir = out / "figures"
    problem = writable_folder(out) or writable_folder(fig_dir)
    if problem is not None:
        raise OutputError(problem)
    n = 16 if quick else 48
    t0 = time.perf_counter()
    cases = build_cases(n)
    entries = []
    bar = progress_bar(progress, iterable=cases, desc="otbary demo", unit="case")
    for case in bar:
        bar.set_postfix_str(case.name)
        entry = run_case(case, fig_dir if figures else None)
        entries.append(entry)
        if progress:
            bar.write(
                f"  {case.name:<13} cost {entry['cost']:.8f}  lower bound {entry['lower_bound']:.8f}  "
                f"gap {entry['gap']:.1e}  ({entry['solve_time_s']:.1f} s)"
            )
    say = bar.write if progress else (lambda _msg: None)
    if neural:
        neural_part = _neural_section(out, quick, progress, figures, seed, resume, checkpoint_every, steps,
                                      say)
    else:
        neural_part = {"skipped": True, "reason": "--no-neural"}
    report: dict[str, Any] = {
        "otbary_version": __version__,
        "python": platform.python_version(),
        "quick": quick,
        "grid": f"{n}x{n}",
        "metric": METRIC,
        "total_time_s": time.perf_counter() - t0,
        "cases": entries,
        "all_checks_ok": all(e["checks"].get("ok") for e in entries),
        "neural": neural_part,
    }
    try:
        (out / "report.json").write_text(json.dumps(report, indent=2, allow_nan=False) + "\n")
        (out / "report.md").write_text(_markdown(report))
    except OSError as exc:
        raise OutputError(f"cannot write the report into {str(out)!r}: {exc.strerror or exc}") from exc
    if not report["all_checks_ok"]:
        bad = [e["name"] for e in entries if not e["checks"].get("ok")]
        raise DemoError(f"known-answer check failed for: {', '.join(bad)} (see {out / 'report.md'})")
    return report


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``otbary demo``."""
    p.add_argument("--out", required=True, type=Path, help="output folder (created if missing)")
    p.add_argument("--quick", action="store_true", help="16x16 grid instead of 48x48 (a few seconds)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--no-figures", action="store_true", help="write the report only")
    p.add_argument("--no-neural", action="store_true", help="skip the neural (torch) part")
    p.add_argument("--seed", type=int, default=0, help="seed of the neural part (default 0)")
    p.add_argument("--steps", type=int, default=None, help="generator steps per neural case (default 600)")
    p.add_argument("--checkpoint-every", type=int, default=100, metavar="N",
                   help="write a neural checkpoint every N steps (default 100)")
    p.add_argument("--resume", action="store_true",
                   help="continue the neural training from OUT/checkpoints (a case without one starts anew)")


def run_cli(args: argparse.Namespace) -> int:
    """Run ``otbary demo`` from parsed arguments; return the exit code (0, 1 or 2)."""
    import sys

    out: Path = args.out
    if out.exists() and not out.is_dir():
        print(f"otbary: error: --out {str(out)!r} exists and is not a folder", file=sys.stderr)
        return 2
    for name in ("steps", "checkpoint_every"):
        v = getattr(args, name)
        if v is not None and v < 1:
            print(f"otbary: error: --{name.replace('_', '-')} must be >= 1; got {v}", file=sys.stderr)
            return 2
    try:
        report = run_demo(out, quick=args.quick, progress=not args.no_progress, figures=not args.no_figures,
                          neural=not args.no_neural, seed=args.seed, resume=args.resume,
                          checkpoint_every=args.checkpoint_every, steps=args.steps)
    except KeyboardInterrupt:
        print(f"otbary: interrupted; the last checkpoint is kept in {out / 'checkpoints'} "
              "(rerun with --resume to continue)", file=sys.stderr)
        return 130
    except OutputError as exc:
        print(f"otbary: error: {exc}", file=sys.stderr)
        return 2
    except DemoError as exc:
        print(f"otbary: error: {exc}", file=sys.stderr)
        return 1
    print(f"otbary demo: {len(report['cases'])} cases, all known-answer checks passed, "
          f"{report['total_time_s']:.1f} s; wrote {out / 'report.md'}, {out / 'report.json'}"
          + ("" if args.no_figures else f" and {out / 'figures'}/"))
    nr = report["neural"]
    if nr.get("skipped"):
        print(f"otbary demo: {nr['reason']}")
    else:
        for c in nr["cases"]:
            d = c["candidates"][0]
            print(f"otbary demo: neural {c['name']}: relative gap {d['relative_gap']:+.2%} "
                  f"(95% interval [{d['relative_interval'][0]:+.2%}, {d['relative_interval'][1]:+.2%}])")
    return 0
