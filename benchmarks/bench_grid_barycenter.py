"""Time otbary's exact grid barycenter against POT's dense barycenter LP, in one process.

Inputs: K Gaussian blobs (different centres and widths) on the unit square, grid spacing
``1 / (n - 1)``, uniform weights. Where POT is run, both solvers get the same histograms
and the same cost matrix (``ot.dist`` with the same metric). Reported for POT: its LP
objective (``log["fun"]``) and, as a check, ``sum_k lam_k W1(b, nu_k)`` of its barycenter
``b`` (clipped and renormalised: HiGHS returns ``b`` with ``|sum b - 1|`` up to about 1e-6)
by POT's network simplex. ``ot.lp.barycenter`` hands ``scipy.optimize.linprog`` only
``{"disp": verbose}``, so HiGHS would stop at its default feasibility tolerances (1e-7) and
its optimum would differ from the exact one by about 1e-6; the benchmark wraps ``linprog``
during POT's call to add ``primal_feasibility_tolerance = dual_feasibility_tolerance =
1e-10`` (:data:`POT_HIGHS_OPTIONS`), so that both optima agree to 1e-8. otbary reports its
certified cost (an upper bound) and the relative gap to its certified lower bound. Each
otbary call is timed after one warm-up solve (loading MKL is a one-off cost of about
0.3 s); the size compared with POT is timed as the best of :data:`REPEATS` calls.

Usage::

    python benchmarks/bench_grid_barycenter.py            # full run (minutes)
    python benchmarks/bench_grid_barycenter.py --quick    # smoke test (seconds)
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from dataclasses import dataclass
from typing import Any, Optional
from unittest import mock

import numpy as np
import ot
import scipy.optimize

import otbary as ob
from otbary.exact.grid import barycenter_grid

#: HiGHS options added to POT's ``linprog`` call (its defaults are 1e-7).
POT_HIGHS_OPTIONS = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}
#: otbary calls per size compared with POT (best time kept).
REPEATS = 5

CENTRES = [(0.3, 0.3, 0.10), (0.7, 0.4, 0.15), (0.5, 0.75, 0.08), (0.25, 0.7, 0.12),
           (0.75, 0.75, 0.09), (0.5, 0.2, 0.11), (0.4, 0.5, 0.14), (0.65, 0.6, 0.07)]


@dataclass
class Row:
    """One line of the results table."""

    n: int
    k: int
    metric: str
    otbary_s: float
    otbary_cpu: float
    otbary_cost: float
    gap: float
    iterations: int
    rounds: int
    pot_s: Optional[float] = None
    pot_cpu: Optional[float] = None
    pot_cost: Optional[float] = None
    pot_eval: Optional[float] = None

    def markdown(self) -> str:
        pot = "" if self.pot_s is None else f"{self.pot_s:.2f}"
        ratio = "" if self.pot_s is None else f"{self.pot_s / self.otbary_s:.0f}x"
        if self.pot_cpu is not None:
            ratio += f" ({self.pot_cpu / self.otbary_cpu:.0f}x)"
        rel = "" if self.pot_cost is None else f"{(self.pot_cost - self.otbary_cost) / self.otbary_cost:+.1e}"
        ev = "" if self.pot_eval is None else f"{self.pot_eval:.10f}"
        return (f"| {self.n}x{self.n} | {self.k} | {self.metric} | {self.n * self.n} | {self.otbary_s:.3f} | "
                f"{self.otbary_cpu:.3f} | "
                f"{self.iterations} | {self.rounds} | {self.otbary_cost:.10f} | {self.gap:.1e} | {pot} | "
                f"{ratio} | {rel} | {ev} |")


HEADER = ("| grid | K | metric | N | otbary s | otbary CPU s | its (IPM or simplex) | rounds "
          "| otbary optimum | certified rel. gap | POT s | speed-up (CPU) | POT LP value, rel. diff. "
          "| POT b evaluated |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")


def blobs(grid: ob.Grid, k: int) -> list[ob.Measure]:
    """K Gaussian blobs on the grid, normalised to probability histograms."""
    pts = grid.points
    out = []
    for cx, cy, s in CENTRES[:k]:
        v = np.exp(-((pts[:, 0] - cx) ** 2 + (pts[:, 1] - cy) ** 2) / (2 * s * s))
        out.append(ob.Measure.on_grid(grid, v, normalize=True))
    return out


def run_otbary(n: int, k: int, metric: str, repeats: int = 1) -> tuple[Row, list[ob.Measure]]:
    grid = ob.Grid((n, n), spacing=1.0 / (n - 1))
    ms = blobs(grid, k)
    lam = np.full(k, 1.0 / k)
    elapsed, cpu = np.inf, np.inf
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            res = barycenter_grid(ms, lam, metric, grid)
        except ob.NotOptimalError as exc:  # report it as a row, keep benchmarking
            print(f"<!-- {n}x{n} K={k} {metric}: {exc} -->", flush=True)
            return Row(n, k, metric, time.perf_counter() - t0, time.process_time() - c0, float("nan"),
                       float("nan"), -1, -1), ms
        elapsed, cpu = min(elapsed, time.perf_counter() - t0), min(cpu, time.process_time() - c0)
    row = Row(n, k, metric, elapsed, cpu, res.cost, res.relative_gap, int(res.info.get("iterations", 0)),
              int(res.info.get("rounds", 0)))
    return row, ms


def run_pot(row: Row, ms: list[ob.Measure], metric: str) -> None:
    """POT's dense LP on the same histograms and cost matrix; fills ``row.pot_*``."""
    pts = ms[0].points
    A = np.stack([np.asarray(m.weights) for m in ms], axis=1)
    M = ot.dist(pts, pts, metric=metric)
    lam = np.full(A.shape[1], 1.0 / A.shape[1])
    linprog = scipy.optimize.linprog

    def tight_linprog(*args: Any, **kwargs: Any) -> Any:
        kwargs["options"] = {**(kwargs.get("options") or {}), **POT_HIGHS_OPTIONS}
        return linprog(*args, **kwargs)

    with mock.patch("scipy.optimize.linprog", tight_linprog):
        t0, c0 = time.perf_counter(), time.process_time()
        b, log = ot.lp.barycenter(A, M, lam, solver="highs", log=True)
        row.pot_s, row.pot_cpu = time.perf_counter() - t0, time.process_time() - c0
    row.pot_cost = float(log["fun"])
    b = np.maximum(b, 0.0)
    b /= b.sum()
    row.pot_eval = float(sum(lk * ot.emd2(b, A[:, j], M) for j, lk in enumerate(lam)))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes only (smoke test)")
    parser.add_argument("--no-pot", action="store_true", help="skip the POT comparison")
    parser.add_argument("--euclidean", type=int, nargs="*", default=[16, 32, 64],
                        help="grid sides for the euclidean rows (default: 16 32 64)")
    parser.add_argument("--pot-sizes", type=int, nargs="*", default=[16, 24],
                        help="grid sides compared with POT (default: 16 24)")
    parser.add_argument("--sizes", type=int, nargs="*", default=[64, 128, 256],
                        help="grid sides for otbary alone, cityblock (default: 64 128 256)")
    parser.add_argument("--ks", type=int, nargs="*", default=[3, 8],
                        help="numbers of inputs for those rows (default: 3 8)")
    args = parser.parse_args()
    if args.quick:
        pot_sizes, sizes, ks, euclid = [8], [16], [3], [8]
    else:
        pot_sizes, sizes, ks, euclid = args.pot_sizes, args.sizes, args.ks, args.euclidean
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"# machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, load average "
          f"{load:.1f}, python {platform.python_version()}, POT {ot.__version__}, otbary {ob.__version__}")
    run_otbary(8, 3, "cityblock")  # warm-up: loads MKL PARDISO
    rows = []
    for n in pot_sizes:
        row, ms = run_otbary(n, 3, "cityblock", REPEATS)
        if not args.no_pot:
            run_pot(row, ms, "cityblock")
        rows.append(row)
        print(row.markdown(), flush=True)
    for k in ks:
        for n in sizes:
            row, _ = run_otbary(n, k, "cityblock")
            rows.append(row)
            print(row.markdown(), flush=True)
    for n in euclid:
        row, _ = run_otbary(n, 3, "euclidean")
        rows.append(row)
        print(row.markdown(), flush=True)
    print()
    print(HEADER)
    for row in rows:
        print(row.markdown())


if __name__ == "__main__":
    main()
