"""Neural (WGAN-GP) W1 barycenters against the exact answer; training speed by device.

Four parts, one process (``--parts`` picks some, default all):

A. Three translates of a 2D Gaussian, equal weights: train one generator against three critics
   for at most ``--budget`` seconds, then ``otbary.certify`` (sample-based, paired, 95% interval)
   gives the relative objective gap; the closed-form barycenter (theory fact 6) is certified the
   same way as a control. Target: gap under 5% within 180 s on 2 cores.
B. Two measures, weights 0.6 / 0.4 (theory fact 7: N(-2, 1), N(2, 1)): the neural barycenter,
   the recursive interpolation ``ob.recursive_barycenter`` and the exact optimum (``nu_1``,
   objective 0.4 W1 = 1.6) side by side with their objectives.
C. Steps per second on the CPU for a few batch sizes.
D. Generator steps per second on each of ``--devices`` (default ``cpu``, plus ``cuda`` when
   ``torch.cuda.is_available()``), each generator step with ``n_critic=5`` steps of every critic,
   through ``neural_barycenter(..., device=...)``: the 2D toy (three numpy-sampler inputs, MLPs
   64x64x64, batch 256) and the 28x28 conv pair (two arrays of synthetic images, batch 64).
   Warm-up steps first; the clock runs for ``--seconds`` per cell, read after
   ``torch.cuda.synchronize()``. Prints the table and the cuda/cpu ratio.

Usage::

    .venv/bin/python benchmarks/bench_neural.py --quick          # seconds (smoke test)
    .venv/bin/python benchmarks/bench_neural.py [--budget 180] [--threads 2] [--out DIR]
    .venv/bin/python benchmarks/bench_neural.py --parts D [--devices cpu,cuda] [--seconds 20]

``--out DIR`` also writes ``DIR/bench_neural.png``.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from scipy.stats import norm

import otbary as ob
from otbary.exact.free_support import fermat_weber
from otbary.neural.barycenter import neural_barycenter
from otbary.neural.nets import as_device
from otbary.neural.samplers import gaussian_sampler, synthetic_shapes
from otbary.neural.wgan import WGANConfig, preset


def _np_gauss(c: Any, s: float) -> Any:
    c = np.asarray(c, dtype=float)
    return lambda n, rng: rng.normal(c, s, size=(int(n), c.shape[0]))


def part_a(budget: float, quick: bool, seed: int) -> dict[str, Any]:
    rho, sigma = np.array([0.2, 0.25]), 0.05
    shifts = np.array([[0.0, 0.0], [0.55, -0.05], [0.3, 0.55]])
    w = np.full(3, 1 / 3)
    m, val, _ = fermat_weber(shifts[None], w, "euclidean")
    cfg = WGANConfig(lr=2e-4, critic_lr=1e-3, batch_size=64 if quick else 256, n_critic=5,
                     one_sided=True)
    hidden = (16, 16) if quick else (64, 64, 64)
    t0 = time.perf_counter()
    trace: list[tuple[int, float]] = []

    def stop(step: int, info: dict[str, Any]) -> bool:
        el = time.perf_counter() - t0
        trace.append((step, el))
        return el < budget

    res = neural_barycenter([gaussian_sampler(rho + a, sigma) for a in shifts], w, steps=100_000, config=cfg,
                            hidden=hidden, seed=seed, callback=stop)
    train_s = time.perf_counter() - t0
    inputs = [_np_gauss(rho + a, sigma) for a in shifts]
    n, r = (100, 3) if quick else (500, 10)
    t1 = time.perf_counter()
    cn = ob.certify(res.sampler(), inputs, w, metric="euclidean", n_samples=n, n_repeats=r, seed=seed)
    ce = ob.certify(_np_gauss(rho + m[0], sigma), inputs, w, metric="euclidean", n_samples=n, n_repeats=r,
                    seed=seed)
    cert_s = time.perf_counter() - t1
    x = res.sample(4000, seed)
    return {"steps": res.steps, "train_s": train_s, "steps_per_s": res.steps / train_s, "certify_s": cert_s,
            "neural": cn, "exact": ce, "closed_form_optimum": float(val[0]), "mean": x.mean(0),
            "std": x.std(0), "target_mean": rho + m[0], "samples": x, "inputs": inputs, "res": res}


def part_b(steps: int, quick: bool, seed: int) -> dict[str, Any]:
    n = 400
    q = norm.ppf((np.arange(n) + 0.5) / n)
    nu = [ob.Measure(q - 2.0), ob.Measure(q + 2.0)]
    w = [0.6, 0.4]
    t0 = time.perf_counter()
    exact = ob.barycenter(nu, weights=w, metric="euclidean")
    rec = ob.recursive_barycenter(nu, weights=w, metric="euclidean")
    exact_s = time.perf_counter() - t0
    cfg = WGANConfig(lr=2e-4, critic_lr=1e-3, batch_size=64 if quick else 256, n_critic=5,
                     one_sided=True)
    t1 = time.perf_counter()
    res = neural_barycenter(nu, w, steps=steps, config=cfg, hidden=(16, 16) if quick else (64, 64, 64),
                            seed=seed)
    train_s = time.perf_counter() - t1
    cn = ob.certify(res.sampler(), nu, w, metric="euclidean", n_samples=n, n_repeats=3 if quick else 10,
                    seed=seed)
    return {"exact": exact, "recursive": rec, "exact_s": exact_s, "neural": cn, "train_s": train_s,
            "steps": res.steps, "samples": res.sample(4000, seed)[:, 0], "nu": nu}


def part_c(quick: bool, seed: int) -> list[tuple[int, tuple[int, ...], float]]:
    rows: list[tuple[int, tuple[int, ...], float]] = []
    for b, hidden in ([(64, (16, 16))] if quick else [(64, (64, 64, 64)), (256, (64, 64, 64)),
                                                       (256, (128, 128, 128))]):
        cfg = dataclasses.replace(preset("published"), batch_size=b)
        steps = 5 if quick else 40
        res = neural_barycenter([np.random.default_rng(k).normal(k, 1, (1000, 2)) for k in range(3)],
                                steps=steps, config=cfg, hidden=hidden, seed=seed)
        rows.append((b, hidden, res.steps_per_second))
    return rows


def _sync(dev: torch.device) -> None:
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)


def _device_name(dev: torch.device) -> str:
    if dev.type == "cuda":
        return torch.cuda.get_device_name(dev)
    if dev.type == "cpu":
        try:
            with open("/proc/cpuinfo") as fh:
                for line in fh:
                    if line.startswith("model name"):
                        return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return platform.processor() or platform.machine()
    return str(dev)


class _Clock:
    """Callback: start the clock after ``warmup`` steps, stop after ``seconds`` (>= ``min_steps`` steps)."""

    def __init__(self, dev: torch.device, warmup: int, seconds: float, min_steps: int) -> None:
        self.dev, self.warmup, self.seconds, self.min_steps = dev, warmup, seconds, min_steps
        self.t0 = self.t1 = 0.0
        self.n = 0

    def __call__(self, step: int, info: dict[str, Any]) -> bool:
        if step == self.warmup:
            _sync(self.dev)
            self.t0 = time.perf_counter()
            return True
        if step < self.warmup:
            return True
        self.n = step - self.warmup
        if self.n >= self.min_steps and time.perf_counter() - self.t0 >= self.seconds:
            _sync(self.dev)                      # the clock is read only once the device is idle
            self.t1 = time.perf_counter()
            return False
        return True


DEVICE_SETTINGS = ("mlp2d", "conv28")


def part_d(devices: list[torch.device], seconds: float, warmup: int, min_steps: int,
           seed: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    shifts = np.array([[0.0, 0.0], [0.55, -0.05], [0.3, 0.55]]) + np.array([0.2, 0.25])
    imgs = synthetic_shapes(1024, seed=seed)
    for setting in DEVICE_SETTINGS:
        if setting == "mlp2d":
            inputs: list[Any] = [_np_gauss(c, 0.05) for c in shifts]
            cfg = WGANConfig(lr=2e-4, critic_lr=1e-3, batch_size=256, n_critic=5, one_sided=True)
            kw: dict[str, Any] = {"hidden": (64, 64, 64)}
            nets = "MLP 64x64x64, 2D toy"
        else:
            inputs = [imgs[:512], imgs[512:]]
            cfg = dataclasses.replace(preset("published"), batch_size=64)
            kw = {}
            nets = "conv pair w=32, 1x28x28"
        for dev in devices:
            clock = _Clock(dev, warmup, seconds, min_steps)
            res = neural_barycenter(inputs, steps=10**9, config=cfg, seed=seed, device=dev, callback=clock,
                                    **kw)
            if clock.t1 == 0.0:                  # training ended before the clock stopped it
                _sync(dev)
                clock.t1 = time.perf_counter()
            x = res.sample(8, seed=0)
            assert isinstance(x, np.ndarray) and x.dtype == np.float64 and np.isfinite(x).all()
            el = clock.t1 - clock.t0
            rows.append({"setting": setting, "nets": nets, "batch": cfg.batch_size, "k": len(inputs),
                         "n_critic": cfg.n_critic, "device": res.device, "steps": clock.n, "seconds": el,
                         "steps_per_s": clock.n / el})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--budget", type=float, default=180.0, help="training seconds for part A (default 180)")
    ap.add_argument("--steps-b", type=int, default=600, help="generator steps for part B (default 600)")
    ap.add_argument("--threads", type=int, default=1,
                    help="torch threads (default 1: small nets gain nothing, a shared machine loses a lot)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--parts", default="ABCD", help="which parts to run, e.g. D or ABC (default ABCD)")
    default_devices = "cpu,cuda" if torch.cuda.is_available() else "cpu"
    ap.add_argument("--devices", default=default_devices,
                    help=f"part D: comma-separated torch devices (default here: {default_devices})")
    ap.add_argument("--seconds", type=float, default=10.0,
                    help="part D: timed seconds per setting and device, after the warm-up (default 10)")
    ap.add_argument("--warmup", type=int, default=3, help="part D: untimed generator steps first (default 3)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    parts = set(args.parts.upper())
    if not parts <= set("ABCD"):
        ap.error(f"--parts takes letters among A, B, C, D; got {args.parts!r}")
    try:
        devices = [as_device(d.strip(), "--devices") for d in args.devices.split(",") if d.strip()]
    except (ValueError, TypeError) as exc:
        ap.error(str(exc))
    budget = 5.0 if args.quick else args.budget
    cuda = (f"CUDA {torch.version.cuda}, {torch.cuda.device_count()} device(s)" if torch.cuda.is_available()
            else "no CUDA device")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} CPU threads (os.cpu_count() "
          f"{os.cpu_count()}), {cuda}; load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    a = run_a(args, budget) if "A" in parts else None
    b = run_b(args) if "B" in parts else None
    if "C" in parts:
        print("\nC. CPU steps per second (one generator step = n_critic=5 steps on each of 3 critics)")
        for bs, hidden, sps in part_c(args.quick, args.seed):
            print(f"   batch {bs:>4}  hidden {hidden}  {sps:6.1f} steps/s")
    if "D" in parts:
        run_d(args, devices)
    if args.out is not None and a is not None and b is not None:
        plot_ab(args.out, a, b)


def run_d(args: argparse.Namespace, devices: list[torch.device]) -> None:
    print("\nD. generator steps per second by device (each: n_critic steps on each of K critics, then one "
          "generator step)")
    for dev in devices:
        extra = ""
        if dev.type == "cuda":
            extra = (f", cudnn {torch.backends.cudnn.version()}, TF32 matmul "
                     f"{torch.backends.cuda.matmul.allow_tf32} / conv {torch.backends.cudnn.allow_tf32}")
        elif dev.type == "cpu":
            extra = f", {torch.get_num_threads()} torch threads"
        print(f"   {dev}: {_device_name(dev)}{extra}")
    seconds, warmup, min_steps = (0.5, 1, 2) if args.quick else (args.seconds, args.warmup, 5)
    rows = part_d(devices, seconds, warmup, min_steps, args.seed)
    print(f"   warm-up {warmup} steps, then >= {seconds:g} s and >= {min_steps} steps per cell")
    print(f"   {'setting':<8} {'nets':<24} {'batch':>5} {'K':>2} {'n_critic':>8} {'device':<8} {'steps':>6} "
          f"{'seconds':>8} {'steps/s':>9}")
    for r in rows:
        print(f"   {r['setting']:<8} {r['nets']:<24} {r['batch']:>5} {r['k']:>2} {r['n_critic']:>8} "
              f"{r['device']:<8} {r['steps']:>6} {r['seconds']:>8.2f} {r['steps_per_s']:>9.2f}")
    for setting in DEVICE_SETTINGS:
        by = {r["device"]: r["steps_per_s"] for r in rows if r["setting"] == setting}
        cpu = by.get("cpu")
        for d, v in by.items():
            if d != "cpu" and cpu:
                print(f"   {setting}: {d}/cpu = {v / cpu:.2f}x")
        if cpu and len(by) == 1:
            print(f"   {setting}: no GPU in --devices, so no cuda/cpu ratio "
                  "(run with --devices cpu,cuda on a GPU machine)")
    print(f"   load average after part D: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


def run_a(args: argparse.Namespace, budget: float) -> dict[str, Any]:
    a = part_a(budget, args.quick, args.seed)
    cn, ce = a["neural"], a["exact"]
    print("\nA. three translates of N(c, 0.05^2 I), equal weights, euclidean")
    print(f"   trained {a['steps']} steps in {a['train_s']:.1f} s ({a['steps_per_s']:.1f} steps/s); "
          f"certify {a['certify_s']:.1f} s")
    print(f"   neural mean {np.round(a['mean'], 4)}, std {np.round(a['std'], 4)}; closed form mean "
          f"{np.round(a['target_mean'], 4)}, std 0.05; closed-form optimum {a['closed_form_optimum']:.5f}")
    for name, c in (("neural", cn), ("closed form (control)", ce)):
        lo, hi = c.relative_interval
        print(f"   {name:<22} J {c.cost:.5f}  J* {c.optimum:.5f}  relative gap {c.relative_gap:+.3%} "
              f"[{lo:+.3%}, {hi:+.3%}]")
    ok = cn.relative_interval[1] < 0.05
    print(f"   target: relative gap < 5% (upper end of the interval) after <= {budget:.0f} s: "
          f"{'MET' if ok else 'NOT MET'}")
    return a


def run_b(args: argparse.Namespace) -> dict[str, Any]:
    b = part_b(20 if args.quick else args.steps_b, args.quick, args.seed)
    ex, rec, nb = b["exact"], b["recursive"], b["neural"]
    print("\nB. N(-2,1), N(2,1), weights 0.6/0.4 (theory fact 7), euclidean, 400-point quantile measures")
    print(f"   exact optimum (nu_1)          J = {ex.cost:.4f}  (lower bound {ex.lower_bound:.4f})")
    print(f"   recursive interpolation       J = {rec.cost:.4f}  relative gap "
          f"{(rec.cost - ex.cost) / ex.cost:+.2%}")
    lo, hi = nb.relative_interval
    print(f"   neural ({b['steps']} steps, {b['train_s']:.0f} s)   J = {nb.cost:.4f}  (J* estimate "
          f"{nb.optimum:.4f}) relative gap {nb.relative_gap:+.2%} [{lo:+.2%}, {hi:+.2%}]; "
          f"neural mean {b['samples'].mean():+.3f}, std {b['samples'].std():.3f}")
    return b


def plot_ab(out: Path, a: dict[str, Any], b: dict[str, Any]) -> None:
    cn, ex, rec, nb = a["neural"], b["exact"], b["recursive"], b["neural"]
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(1, 2, figsize=(10, 4))
    rng = np.random.default_rng(0)
    for f, col in zip(a["inputs"], ["tab:blue", "tab:orange", "tab:green"], strict=True):
        x = f(1500, rng)
        ax[0].scatter(x[:, 0], x[:, 1], s=1, c=col, alpha=0.4)
    ax[0].scatter(a["samples"][:1500, 0], a["samples"][:1500, 1], s=1, c="k", alpha=0.5)
    ax[0].plot(*a["target_mean"], "r+", ms=14, label="Fermat-Weber point")
    ax[0].set_aspect("equal")
    ax[0].legend(fontsize=8)
    ax[0].set_title(f"A: neural barycenter (black), gap {cn.relative_gap:+.2%} "
                    f"[{cn.relative_interval[0]:+.2%}, {cn.relative_interval[1]:+.2%}]", fontsize=9)
    bins = np.linspace(-6, 6, 61)
    ax[1].hist(b["nu"][0].points[:, 0], bins, density=True, alpha=0.3,
               label=f"nu_1 = optimum, J={ex.cost:.3f}")
    ax[1].hist(b["nu"][1].points[:, 0], bins, density=True, alpha=0.3, label="nu_2")
    ax[1].hist(rec.measure.points[:, 0], bins, weights=rec.measure.weights / (bins[1] - bins[0]),
               histtype="step", lw=1.5, label=f"recursive, J={rec.cost:.3f}")
    ax[1].hist(b["samples"], bins, density=True, histtype="step", lw=1.5, color="k",
               label=f"neural, J~{nb.cost:.3f}")
    ax[1].legend(fontsize=8)
    ax[1].set_title("B: weights 0.6 / 0.4", fontsize=9)
    fig.tight_layout()
    fig.savefig(out / "bench_neural.png", dpi=90)
    print(f"\nwrote {out / 'bench_neural.png'}")


if __name__ == "__main__":
    main()
