"""Time otbary's entropic W1 barycenter against POT's ``sinkhorn_log`` barycenter, in one process.

Inputs: K = 3 Gaussian blobs on the unit square, grid spacing ``1 / (n - 1)``, uniform
weights, cityblock cost ``d(x, y) = |x - y|_1`` (W1, not its square). otbary applies the
cityblock Gibbs kernel per axis in the log domain (``O(K N)`` memory); POT gets the same
histograms and the dense ``M = ot.dist(x, x, metric="cityblock")`` and runs
``ot.bregman.barycenter(A, M, eps, method="sinkhorn_log", stopThr=tol, numItermax=...)``.

What each stops on (both at the same number ``tol``):

* POT: ``sum_j std_k (P_k^T 1)_j < stopThr``, the spread of the K barycenter-side marginals
  (its input-side marginals are exact), checked every 10 iterations;
* otbary: ``max_k ||P_k^T 1 - nu_k||_1 <= tol`` on the input side (its barycenter-side
  marginals are all exactly ``mu``), checked every iteration.

To compare like with like the script also evaluates POT's criterion at otbary's answer
(one extra input-side projection of otbary's final scalings) and prints both. Both
barycenters are then scored by the exact objective ``sum_k lam_k W1(b, nu_k)``
(``ob.w1``, certified), and by their L1 distance.

Rows: 32x32 at eps = 1e-2 against POT (minutes for POT), then otbary alone at larger
grids, with the entropic solve and the exact-cost evaluation timed separately.

Usage::

    python benchmarks/bench_entropic.py            # full run (several minutes, POT dominates)
    python benchmarks/bench_entropic.py --quick    # smoke test (seconds)
    python benchmarks/bench_entropic.py --no-pot --sizes 256 --eps 1e-3 --relaxation 1.8 --scaling
"""

from __future__ import annotations

import argparse
import platform
import time
import warnings

import numpy as np
import ot

import otbary as ob
from otbary.entropic import entropic_barycenter
from otbary.entropic.kernels import GridLogKernel

BLOBS = [(0.3, 0.3, 0.10), (0.7, 0.4, 0.15), (0.5, 0.75, 0.08)]


def blobs(n: int) -> tuple[ob.Grid, list[ob.Measure]]:
    """Three Gaussian blobs on an ``n x n`` grid of the unit square."""
    grid = ob.Grid((n, n), spacing=1.0 / (n - 1))
    pts = grid.points
    ms = []
    for cx, cy, s in BLOBS:
        v = np.exp(-((pts[:, 0] - cx) ** 2 + (pts[:, 1] - cy) ** 2) / (2 * s * s))
        ms.append(ob.Measure.on_grid(grid, v, normalize=True))
    return grid, ms


def pot_criterion(res: ob.BarycenterResult, grid: ob.Grid, nus: list[ob.Measure]) -> float:
    """POT's stopping quantity ``sum_j std_k (P_k^T 1)_j`` at otbary's final scalings."""
    a, _ = res.info["log_scalings"]
    kern = GridLogKernel(grid, res.info["eps"])
    with np.errstate(divide="ignore"):
        lognu = np.log(np.stack([np.asarray(m.weights) for m in nus]))
    b = lognu - kern.apply(np.stack(a))  # input-side projection (what POT does first)
    marg = np.exp(np.stack(a) + kern.apply(b))
    return float(marg.std(axis=0).sum())


def exact_objective(grid: ob.Grid, b: np.ndarray, nus: list[ob.Measure]) -> float:
    mu = ob.Measure.on_grid(grid, np.maximum(b, 0.0), normalize=True)
    return float(np.mean([ob.w1(mu, m, "cityblock") for m in nus]))


def versus_pot(n: int, eps: float, tol: float, max_iter_pot: int) -> None:
    grid, nus = blobs(n)
    entropic_barycenter(nus, None, "cityblock", eps=eps, tol=tol, exact_cost=False)  # warm-up
    t = time.perf_counter()
    res = entropic_barycenter(nus, None, "cityblock", eps=eps, tol=tol, exact_cost=False)
    t_ob = time.perf_counter() - t
    A = np.stack([np.asarray(m.weights) for m in nus], axis=1)
    M = ot.dist(grid.points, grid.points, metric="cityblock")
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        b_pot, log = ot.bregman.barycenter(A, M, eps, method="sinkhorn_log", stopThr=tol,
                                           numItermax=max_iter_pot, log=True)
    t_pot = time.perf_counter() - t
    pot_err = float(log["err"][-1]) if log["err"] else float("nan")
    b_ob = np.asarray(res.measure.weights)
    print(f"\n### {n}x{n}, K = 3, cityblock, eps = {eps:g}, tol = stopThr = {tol:g}")
    print("| solver | s | iterations | own criterion at stop | POT's criterion at stop | exact objective |")
    print("|---|---|---|---|---|---|")
    print(f"| otbary (grid-separable) | {t_ob:.3f} | {res.info['n_iter']} | "
          f"{res.info['marginal_error']:.2e} (max_k L1) | {pot_criterion(res, grid, nus):.2e} | "
          f"{exact_objective(grid, b_ob, nus):.8f} |")
    print(f"| POT sinkhorn_log (dense) | {t_pot:.2f} | {log['niter']} | {pot_err:.2e} (sum std) | "
          f"{pot_err:.2e} | {exact_objective(grid, np.asarray(b_pot), nus):.8f} |")
    print(f"\nspeed-up {t_pot / t_ob:.0f}x; ||b_otbary - b_POT / sum b_POT||_1 = "
          f"{np.abs(b_ob - b_pot / b_pot.sum()).sum():.2e}")


def alone(n: int, eps: float, tol: float, scaling: bool, relaxation: float) -> str:
    _, nus = blobs(n)
    t, c = time.perf_counter(), time.process_time()
    res = entropic_barycenter(nus, None, "cityblock", eps=eps, tol=tol, eps_scaling=scaling,
                              relaxation=relaxation, on_max_iter="warn", max_iter=20000, exact_cost=False)
    ent_wall, ent_cpu = time.perf_counter() - t, time.process_time() - c
    t, c = time.perf_counter(), time.process_time()
    cost = float(np.mean([ob.w1(res.measure, m, "cityblock") for m in nus]))
    ex_wall, ex_cpu = time.perf_counter() - t, time.process_time() - c
    info = res.info
    return (f"| {n}x{n} | {eps:g} | {'yes' if scaling else 'no'} | {relaxation:g} | {res.status} | "
            f"{info['n_iter']} | "
            f"{info['marginal_error']:.1e} | {ent_wall:.1f} / {ent_cpu:.1f} | {ex_wall:.1f} / {ex_cpu:.1f} | "
            f"{cost:.8f} | {res.lower_bound:.8f} | {info['entropic_value']:.8f} |")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="small sizes, seconds")
    p.add_argument("--no-pot", action="store_true", help="skip the POT comparison")
    p.add_argument("--sizes", type=int, nargs="*", default=None, help="grid sides for the otbary-only rows")
    p.add_argument("--eps", type=float, nargs="*", default=None, help="eps values for the otbary-only rows")
    p.add_argument("--tol", type=float, default=1e-6)
    p.add_argument("--scaling", action="store_true", help="eps-scaling in the otbary-only rows")
    p.add_argument("--relaxation", type=float, nargs="*", default=None,
                   help="over-relaxation values for the otbary-only rows (default: 1 and 1.8)")
    args = p.parse_args()
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, POT {ot.__version__}, "
          f"numpy {np.__version__}")
    if not args.no_pot:
        if args.quick:
            versus_pot(12, 1e-2, args.tol, 1000)
        else:
            versus_pot(32, 1e-2, args.tol, 1000)
    sizes = args.sizes or ([16] if args.quick else [64, 128, 256])
    epss = args.eps or ([1e-2] if args.quick else [1e-3])
    relax = args.relaxation or [1.0, 1.8]
    print("\n| grid | eps | eps-scaling | relaxation | status | iterations | marginal error "
          "| entropic s (wall / CPU) | exact cost s (wall / CPU) | exact objective | lower bound "
          "| entropic value |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for n in sizes:
        for eps in epss:
            for w in relax:
                print(alone(n, eps, args.tol, args.scaling, w), flush=True)


if __name__ == "__main__":
    main()
