"""Time ``ob.ball_problem`` on grids against the plain dense plan LP, in one process.

Instance: on the unit square with an ``n x n`` grid (spacing ``1 / (n - 1)``), a target
Gaussian blob at (0.3, 0.35) and K = 4 ball centres (blobs near the corners), radii
``eta_k = 0.85 W1(target, nu_k) + 0.2 mean_j W1(target, nu_j)`` (feasible, some balls active).

* otbary: ``ob.ball_problem`` (flow formulation on the neighbour arcs, interior point, radius
  scale LP + ball LP, exact recomputation of every W1 and the certified gap), timed after one
  warm-up solve.
* anchor: the same problem as the dense plan LP (one ``N x N`` transport plan per measure with
  POT's cost matrix ``ot.dist``, ``N = n^2`` support points), assembled with SciPy sparse
  matrices and solved by HiGHS (``scipy.optimize.linprog``), at the sizes where it fits.
  The anchor solves the ball LP only (not the radius scale), so the ratio favours it.

Both wall-clock and process CPU times are printed: on a shared machine the CPU time is the
better measure of the work done (one thread: ``OMP_NUM_THREADS=1 MKL_NUM_THREADS=1``).

Usage::

    python benchmarks/bench_balls.py            # full run (about a minute)
    python benchmarks/bench_balls.py --quick    # smoke test (seconds)
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
import ot
import scipy.sparse as sp
from scipy.optimize import linprog

import otbary as ob

CENTRES = [(0.2, 0.2), (0.8, 0.25), (0.3, 0.8), (0.75, 0.8)]


def instance(n: int, k: int, metric: str) -> tuple[ob.Measure, list[ob.Measure], np.ndarray]:
    """Target, centres and radii of the module docstring."""
    g = ob.Grid((n, n), spacing=1 / (n - 1))
    x = g.points

    def blob(c: tuple[float, float], s: float) -> ob.Measure:
        return ob.Measure.on_grid(g, np.exp(-((x - np.array(c)) ** 2).sum(1) / (2 * s * s)), normalize=True)

    target = blob((0.3, 0.35), 0.1)
    centers = [blob(c, 0.08) for c in CENTRES[:k]]
    d = np.array([ob.w1(target, c, metric) for c in centers])
    return target, centers, 0.85 * d + 0.2 * d.mean()


def dense_ball_lp(target: ob.Measure, centers: list[ob.Measure], eta: np.ndarray, metric: str) -> float:
    """The ball LP with one dense plan per measure (POT cost matrices), solved by HiGHS."""
    S = target.points
    s = S.shape[0]
    ms = [target, *centers]
    M = ot.dist(S, S, metric=metric)
    blocks = len(ms)
    row_sum = sp.kron(sp.identity(s), np.ones((1, s)))  # pi 1 = mu
    col_sum = sp.kron(np.ones((1, s)), sp.identity(s))  # pi^T 1 = nu
    A_eq = sp.bmat([[sp.block_diag([row_sum] * blocks), -sp.vstack([sp.identity(s)] * blocks)],
                    [sp.block_diag([col_sum] * blocks), None]], format="csr")
    b_eq = np.concatenate([np.zeros(blocks * s)] + [np.asarray(m.weights) for m in ms])
    A_ub = sp.hstack([sp.csr_matrix((len(centers), s * s)),
                      sp.block_diag([M.ravel()[None, :]] * len(centers)),
                      sp.csr_matrix((len(centers), s))], format="csr")
    c = np.concatenate([M.ravel(), np.zeros((blocks - 1) * s * s + s)])
    # presolve off: on these inputs (masses down to 1e-18 in the blobs' tails) HiGHS's presolve
    # declares the 8x8 instance infeasible, although otbary's certified solution is feasible
    tol = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10, "presolve": False}
    res = linprog(c, A_ub=A_ub, b_ub=eta, A_eq=A_eq, b_eq=b_eq, method="highs", options=tol)
    if res.status != 0:
        raise RuntimeError(f"dense LP: {res.message}")
    return float(res.fun)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes only (smoke test)")
    args = parser.parse_args()
    k = 4
    dense_sides = [6, 8] if args.quick else [8, 12, 16]
    alone = [(16, "cityblock")] if args.quick else [(32, "cityblock"), (64, "cityblock"), (12, "euclidean")]
    print(f"# ob.ball_problem, K = {k}; {platform.processor() or platform.machine()}, "
          f"python {platform.python_version()}")
    print("| grid | metric | N | otbary s (cpu s) | cost | gap | multipliers | radius scale | "
          "dense LP s (cpu s) | dense optimum | rel. diff | ratio (cpu) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    warm = instance(5, k, "cityblock")
    ob.ball_problem(*warm, metric="cityblock")
    rows = [(n, "cityblock", True) for n in dense_sides] + [(n, m, False) for n, m in alone]
    for n, metric, dense in rows:
        target, centers, eta = instance(n, k, metric)
        t0, c0 = time.perf_counter(), time.process_time()
        res = ob.ball_problem(target, centers, eta, metric=metric)
        t_ob, c_ob = time.perf_counter() - t0, time.process_time() - c0
        lam = "(" + ", ".join(f"{v:.2f}" for v in res.multipliers) + ")"
        line = (f"| {n}x{n} | {metric} | {n * n} | {t_ob:.2f} ({c_ob:.2f}) | {res.cost:.10f} | "
                f"{res.gap:.1e} | {lam} | {res.radius_scale:.6f} |")
        if dense:
            t0, c0 = time.perf_counter(), time.process_time()
            opt = dense_ball_lp(target, centers, eta, metric)
            t_d, c_d = time.perf_counter() - t0, time.process_time() - c0
            line += (f" {t_d:.2f} ({c_d:.2f}) | {opt:.10f} | {(res.cost - opt) / opt:+.1e} | "
                     f"{t_d / t_ob:.1f}x ({c_d / c_ob:.1f}x) |")
        else:
            line += " | | | |"
        print(line, flush=True)


if __name__ == "__main__":
    main()
