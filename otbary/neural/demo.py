"""The neural part of ``otbary demo``: WGAN-GP barycenters of 2D toys, their gap to the optimum bracketed.

Two cases on the unit square, euclidean metric (the metric a WGAN-GP critic estimates):

``translates``
    Three translates ``rho + a_k`` of a Gaussian blob, equal weights. The barycenter is known in
    closed form (theory fact 6): ``rho`` shifted to the Fermat-Weber point ``m`` of the shifts,
    with optimum ``sum_k lambda_k ||a_k - m||_2``.
``mixtures``
    Three random Gaussian mixtures: no closed form; certify brackets ``J*`` from samples (the exact
    barycenter of quantised draws on a grid above, its dual potentials below).

For each case one generator is trained against three critics on the CPU, then
:func:`otbary.certify` (sample-based, :mod:`otbary.sampled`) scores the neural barycenter and
two controls: the exact barycenter itself, when known in closed form (its interval should
contain 0), and the first input (full mode). Every candidate gets two-sided bounds
``gap_lower <= J(candidate) - J* <= gap_upper`` on the gap of the *continuous* distributions,
valid jointly with probability 95%: feasible couplings of the draws bound costs from above, Lipschitz
potentials fitted on separate draws bound them from below, so the grid the draws are quantised
on widens the interval but biases neither end. Each entry records the interval, its relative
version (``/ J*``), the split of its width as certify reports it (``width``: sampling and the
resolution parts) and its ``dominant`` part. The reference (the grid, the barycenter of the
quantised input draws and its potentials) is built by the first certify of a case -- a control,
before training, where there is one -- and reused by every later one, the evaluations along
training included. Checkpoints go to ``OUT/checkpoints/<case>.pt`` every ``checkpoint_every``
steps.

:func:`run_neural_demo` returns the report section; :mod:`otbary.demo` writes it.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import numpy as np
import torch

from ..certify import certify
from ..exact.free_support import fermat_weber
from ..sampled import SampledReference
from ..toys import get as get_toy
from .adaptation import generator_sampler
from .barycenter import NeuralBarycenterResult, neural_barycenter
from .wgan import WGANConfig

__all__ = ["NeuralCase", "neural_cases", "run_neural_demo", "demo_config", "certify_config"]

NpSampler = Callable[[int, np.random.Generator], np.ndarray]
METRIC = "euclidean"


@dataclass
class NeuralCase:
    """One neural demo problem: input samplers, weights, the exact reference and notes."""

    name: str
    title: str
    samplers: list[NpSampler]
    weights: list[float]
    labels: list[str]
    #: exact barycenter as a sampler when known in closed form, else None
    exact_sampler: Optional[NpSampler]
    #: closed-form optimum when known
    exact_optimum: Optional[float]
    notes: str


def _gauss(center: np.ndarray, sigma: float) -> NpSampler:
    c = np.asarray(center, dtype=float)

    def f(n: int, rng: np.random.Generator) -> np.ndarray:
        return rng.normal(c, sigma, size=(int(n), c.shape[0]))

    return f


def _toy(seed: int) -> NpSampler:
    toy = get_toy("random_mixture", seed=seed).scale(0.5).shift((0.5, 0.5))

    def f(n: int, rng: np.random.Generator) -> np.ndarray:
        return np.asarray(toy.sample(int(n), seed=rng), dtype=float)

    return f


def neural_cases() -> list[NeuralCase]:
    """The two neural demo cases (see the module doc)."""
    rho_c = np.array([0.2, 0.25])
    sigma = 0.05
    shifts = np.array([[0.0, 0.0], [0.55, -0.05], [0.3, 0.55]])
    w = np.full(3, 1 / 3)
    m, value, _ = fermat_weber(shifts[None], w, METRIC)
    opt = float(value[0])
    translates = NeuralCase(
        name="translates",
        title="Translates of a Gaussian blob (euclidean): the blob at the Fermat-Weber point",
        samplers=[_gauss(rho_c + a, sigma) for a in shifts],
        weights=w.tolist(),
        labels=[f"nu_{k + 1}" for k in range(3)],
        exact_sampler=_gauss(rho_c + m[0], sigma),
        exact_optimum=opt,
        notes=(f"nu_k = N(c + a_k, {sigma}^2 I). The Fermat-Weber point of the shifts is m = "
               f"({m[0][0]:.4f}, {m[0][1]:.4f}); rho + m is a barycenter with objective "
               f"sum_k lambda_k ||a_k - m|| = {opt:.5f} (theory fact 6)."),
    )
    mixtures = NeuralCase(
        name="mixtures",
        title="Three random Gaussian mixtures (euclidean): no closed form, the gap bracketed from samples",
        samplers=[_toy(s) for s in (1, 2, 3)],
        weights=[1 / 3, 1 / 3, 1 / 3],
        labels=[f"nu_{k + 1}" for k in range(3)],
        exact_sampler=None,
        exact_optimum=None,
        notes="No closed form: J* is bracketed by the objective of the exact barycenter of the inputs' "
              "quantised draws on the certify grid (above) and by the Kantorovich-Rubinstein bound of its "
              "potentials (below), both evaluated on fresh draws (docs/theory.md fact 13).",
    )
    return [translates, mixtures]


def demo_config(quick: bool) -> tuple[WGANConfig, int, tuple[int, ...]]:
    """``(config, steps, hidden)`` of the demo's training: the library's defaults (quick: smaller
    batches and nets, seconds; full: about a minute per case)."""
    if quick:
        return WGANConfig(batch_size=64, n_critic=2), 20, (16, 16)
    return WGANConfig(), 600, (64, 64, 64)


def certify_config(quick: bool) -> dict[str, Any]:
    """Settings of the demo's sample-based :func:`otbary.certify` calls.

    ``resolution`` (grid nodes per axis, shared by every call of a case: the reference is
    reused), ``final`` and ``along_training``: ``(n_samples, n_repeats)``. Quick: a few seconds
    per call; full: at most about ten (the cost grows mostly with the grid and the repeats).
    """
    if quick:
        return {"resolution": 24, "final": (20_000, 4), "along_training": (20_000, 4)}
    return {"resolution": 40, "final": (100_000, 6), "along_training": (50_000, 4)}


def _cert_entry(name: str, res: Any) -> dict[str, Any]:
    def fl(x: float) -> float:
        v = float(x)
        if not math.isfinite(v):
            raise FloatingPointError(f"certify returned a non-finite value for {name}")
        return v

    if res.interval is None or res.relative_interval is None:
        raise ValueError(f"certify of {name} returned no interval (not a sample-based certificate)")
    lo, hi = res.interval
    rlo, rhi = res.relative_interval
    info = res.info
    return {
        "name": name, "cost": fl(res.cost), "optimum": fl(res.optimum), "gap": fl(res.gap),
        "interval": [fl(lo), fl(hi)], "relative_gap": fl(res.relative_gap),
        "relative_interval": [fl(rlo), fl(rhi)], "support": str(res.support),
        "cost_bounds": [fl(v) for v in info["cost_bounds"]],
        "optimum_bounds": [fl(v) for v in info["optimum_bounds"]],
        "width": {k: fl(v) for k, v in info["width"].items() if k != "dominant"},
        "dominant": str(info["dominant"]),
    }


def run_neural_case(case: NeuralCase, out: Path, *, quick: bool, seed: int, resume: bool,
                    checkpoint_every: int, steps: Optional[int], progress: bool, figures: bool,
                    log: Callable[[str], None]) -> dict[str, Any]:
    """Train, certify along training and at the end, draw the figures; return the report entry."""
    cfg, default_steps, hidden = demo_config(quick)
    n_steps = int(steps) if steps is not None else default_steps
    cc = certify_config(quick)
    n_eval, r_eval = cc["along_training"]
    n_fin, r_fin = cc["final"]
    #: the case's SampledReference: built by its first certify, reused by every later one
    shared: dict[str, SampledReference] = {}

    def cert(sampler: NpSampler, n: int, r: int, s: int) -> Any:
        res = certify(sampler, case.samplers, case.weights, metric=METRIC, n_samples=n, n_repeats=r, seed=s,
                      resolution=cc["resolution"], reference=shared.get("reference"))
        shared.setdefault("reference", res.info["reference"])
        return res

    # The controls first: the first certify builds the reference grid over the inputs' draws (and
    # a sensible candidate's), not over an untrained generator's.
    controls: list[tuple[str, NpSampler]] = []
    if case.exact_sampler is not None:
        controls.append(("exact (closed form)", case.exact_sampler))
    if not quick:
        controls.append(("input nu_1", case.samplers[0]))
    t1 = time.perf_counter()
    control_entries = [_cert_entry(name, cert(s, n_fin, r_fin, seed + 10_000)) for name, s in controls]
    cert_time = time.perf_counter() - t1

    ckpt = out / "checkpoints" / f"{case.name}.pt"
    t0 = time.perf_counter()
    # certified tracking (quick: only at the end): keep the generator with the best upper bound
    res = neural_barycenter(
        case.samplers, case.weights, steps=n_steps, config=cfg, hidden=hidden, seed=seed,
        checkpoint=ckpt, checkpoint_every=checkpoint_every, resume=resume and ckpt.is_file(),
        progress=progress, certify_every=n_steps if quick else max(1, n_steps // 4),
        certify_options={"n_samples": n_eval, "n_repeats": r_eval, "resolution": cc["resolution"],
                         "metric": METRIC, "seed": seed, "reference": shared.get("reference")},
    )
    train_time = time.perf_counter() - t0
    assert res.tracking is not None
    evals = [{"step": r["step"], "relative_gap": r["relative_gap"], "interval": r["interval"],
              "relative_interval": r["relative_interval"], "dominant": r["dominant"]}
             for r in res.tracking.records]
    t1 = time.perf_counter()
    neural = _cert_entry("neural (WGAN-GP, 3 critics)", cert(generator_sampler(res.generator), n_fin, r_fin,
                                                             seed + 10_000))
    cert_time += time.perf_counter() - t1
    cert_entries = [neural, *control_entries]
    ref = shared["reference"]
    entry: dict[str, Any] = {
        "name": case.name, "title": case.title, "metric": METRIC, "weights": case.weights,
        "steps": res.steps, "resumed_from": res.resumed_from, "steps_per_second": res.steps_per_second,
        "train_time_s": train_time, "certify_time_s": cert_time, "config": cfg.to_dict(),
        "hidden": list(hidden), "checkpoint": str(ckpt.relative_to(out)),
        "critic_objective_estimate": res.objective_estimate, "exact_optimum": case.exact_optimum,
        "certify": {"n_samples": n_fin, "n_repeats": r_fin, "resolution": cc["resolution"],
                    "grid": str(ref.info.get("grid")), "reference_time_s": float(ref.info.get("time", 0.0)),
                    "along_training": {"n_samples": n_eval, "n_repeats": r_eval}, "confidence": 0.95},
        "candidates": cert_entries, "gap_along_training": sorted(evals, key=lambda e: e["step"]),
        "kept_step": res.tracking.best_step,
        "notes": case.notes,
    }
    log(f"  neural {case.name:<10} {res.steps} steps ({res.steps_per_second:.1f}/s), relative gap "
        f"{neural['relative_gap']:+.2%} in [{neural['relative_interval'][0]:+.2%}, "
        f"{neural['relative_interval'][1]:+.2%}] (width mostly {neural['dominant']})")
    if figures:
        entry["figure"] = _figure(case, res, ref, out, seed)
    return entry


def _figure(case: NeuralCase, res: NeuralBarycenterResult, ref: SampledReference, out: Path,
            seed: int) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..plotting import plot_histogram, plot_samples

    rng = np.random.default_rng(seed)
    n = 3000
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.8))
    colors = ["tab:blue", "tab:orange", "tab:green"]
    for f, lab, c in zip(case.samplers, case.labels, colors, strict=False):
        plot_samples(axes[0], f(n, rng), color=c, size=1.0, label=lab)
    axes[0].set_title("inputs", fontsize=9)
    if case.exact_sampler is not None:
        plot_samples(axes[1], case.exact_sampler(n, rng), title="exact barycenter (closed form)")
    else:
        g = ref.grid
        plot_histogram(axes[1], ref.barycenter,
                       title=f"exact barycenter of quantised draws ({g.shape[0]}x{g.shape[1]} grid)")
    plot_samples(axes[2], res.sample(n, seed), title=f"neural barycenter ({res.steps} steps)")
    for ax in axes:
        ax.set_xlim(-0.05, 1.05)
        ax.set_ylim(-0.05, 1.05)
        ax.set_aspect("equal")
    fig.suptitle(case.title, fontsize=10)
    fig.tight_layout()
    path = out / "figures" / f"neural-{case.name}.png"
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return f"figures/{path.name}"


def _training_figure(entries: list[dict[str, Any]], out: Path) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.8))
    for e in entries:
        pts = e["gap_along_training"]
        s = np.array([p["step"] for p in pts])
        g = np.array([p["relative_gap"] for p in pts]) * 100
        lo = np.array([p["relative_interval"][0] for p in pts]) * 100
        hi = np.array([p["relative_interval"][1] for p in pts]) * 100
        ax.errorbar(s, g, yerr=[g - lo, hi - g], marker="o", capsize=3, label=e["name"])
    ax.axhline(0, color="k", lw=0.8)
    ax.axhline(5, color="tab:red", lw=0.8, ls="--", label="5% target")
    ax.set_xlabel("generator step")
    ax.set_ylabel("relative objective gap (%)")
    ax.set_title("certify: relative gap of the neural barycenter along training (95% bounds)", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path = out / "figures" / "neural-training.png"
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return f"figures/{path.name}"


def run_neural_demo(out: Path, *, quick: bool = False, seed: int = 0, resume: bool = False,
                    checkpoint_every: int = 100, steps: Optional[int] = None, progress: bool = True,
                    figures: bool = True, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Train and certify the neural barycenter of each case; return the report's ``neural`` section.

    Parameters
    ----------
    out : Path
        Output folder (``figures/`` and ``checkpoints/`` inside).
    quick : bool
        Tiny nets and 20 steps (seconds).
    seed : int
        Seeds initial weights, training draws and certify: the same seed gives the same numbers.
    resume : bool
        Continue each case from its checkpoint when present.
    checkpoint_every : int
        Steps between checkpoints.
    steps : int, optional
        Override the number of generator steps per case.
    """
    torch.set_num_threads(1)  # small nets gain nothing from threads; a busy machine loses a lot
    t0 = time.perf_counter()
    entries = [
        run_neural_case(c, out, quick=quick, seed=seed, resume=resume, checkpoint_every=checkpoint_every,
                        steps=steps, progress=progress, figures=figures, log=log)
        for c in neural_cases()
    ]
    section: dict[str, Any] = {
        "skipped": False, "torch_version": torch.__version__, "device": "cpu",
        "threads": torch.get_num_threads(), "seed": seed, "cases": entries,
        "total_time_s": time.perf_counter() - t0,
    }
    if figures:
        section["training_figure"] = _training_figure(entries, out)
    return section
