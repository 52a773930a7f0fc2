"""Time otbary's exact grid barycenter against POT's dense barycenter LP, in one process.

Inputs: K Gaussian blobs (different centres and widths) on the unit square, grid spacing
``1 / (n - 1)``, uniform weights. Where POT is run, both solvers get the same histograms
and the same cost matrix (``ot.dist`` with the same metric). Reported for POT: its LP
objective (``log["fun"]``) and, as a check, ``sum_k lam_k W1(b, nu_k)`` of its barycenter
``b`` (clipped and renormalised: HiGHS returns ``b`` with ``|sum b - 1|`` up to about 1e-6)
by POT's network simplex. otbary reports its certified cost (an upper bound) and the
relative gap to its certified lower bound. Each otbary call is timed after one warm-up
solve (loading MKL is a one-off cost of about 0.3 s).

Usage::

    python benchmarks/bench_grid_barycenter.py            # full run (minutes)
    python benchmarks/bench_grid_barycenter.py --quick    # smoke test (seconds)
"""

from __future__ import annotations

import argparse
import platform
import time
from dataclasses import dataclass
from typing import Optional

import numpy as np
import ot

import otbary as ob
from otbary.exact.grid import barycenter_grid

CENTRES = [(0.3, 0.3, 0.10), (0.7, 0.4, 0.15), (0.5, 0.75, 0.08), (0.25, 0.7, 0.12),
           (0.75, 0.75, 0.09), (0.5, 0.2, 0.11), (0.4, 0.5, 0.14), (0.65, 0.6, 0.07)]


@dataclass
class Row:
    """One line of the results table."""

    n: int
    k: int
    metric: str
    otbary_s: float
    otbary_cost: float
    gap: float
    iterations: int
    rounds: int
    pot_s: Optional[float] = None
    pot_cost: Optional[float] = None
    pot_eval: Optional[float] = None

    def markdown(self) -> str:
        pot = "" if self.pot_s is None else f"{self.pot_s:.2f}"
        ratio = "" if self.pot_s is None else f"{self.pot_s / self.otbary_s:.0f}x"
        rel = "" if self.pot_cost is None else f"{(self.pot_cost - self.otbary_cost) / self.otbary_cost:+.1e}"
        ev = "" if self.pot_eval is None else f"{self.pot_eval:.10f}"
        return (f"| {self.n}x{self.n} | {self.k} | {self.metric} | {self.n * self.n} | {self.otbary_s:.3f} | "
                f"{self.iterations} | {self.rounds} | {self.otbary_cost:.10f} | {self.gap:.1e} | {pot} | "
                f"{ratio} | {rel} | {ev} |")


HEADER = ("| grid | K | metric | N | otbary s | IPM its | rounds | otbary optimum | certified rel. gap "
          "| POT s | speed-up | POT LP value, rel. diff. | POT b evaluated |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|---|---|")


def blobs(grid: ob.Grid, k: int) -> list[ob.Measure]:
    """K Gaussian blobs on the grid, normalised to probability histograms."""
    pts = grid.points
    out = []
    for cx, cy, s in CENTRES[:k]:
        v = np.exp(-((pts[:, 0] - cx) ** 2 + (pts[:, 1] - cy) ** 2) / (2 * s * s))
        out.append(ob.Measure.on_grid(grid, v, normalize=True))
    return out


def run_otbary(n: int, k: int, metric: str) -> tuple[Row, list[ob.Measure]]:
    grid = ob.Grid((n, n), spacing=1.0 / (n - 1))
    ms = blobs(grid, k)
    lam = np.full(k, 1.0 / k)
    t0 = time.perf_counter()
    try:
        res = barycenter_grid(ms, lam, metric, grid)
    except ob.NotOptimalError as exc:  # report it as a row, keep benchmarking
        print(f"<!-- {n}x{n} K={k} {metric}: {exc} -->", flush=True)
        return Row(n, k, metric, time.perf_counter() - t0, float("nan"), float("nan"), -1, -1), ms
    elapsed = time.perf_counter() - t0
    row = Row(n, k, metric, elapsed, res.cost, res.relative_gap, int(res.info.get("iterations", 0)),
              int(res.info.get("rounds", 0)))
    return row, ms


def run_pot(row: Row, ms: list[ob.Measure], metric: str) -> None:
    """POT's dense LP on the same histograms and cost matrix; fills ``row.pot_*``."""
    pts = ms[0].points
    A = np.stack([np.asarray(m.weights) for m in ms], axis=1)
    M = ot.dist(pts, pts, metric=metric)
    lam = np.full(A.shape[1], 1.0 / A.shape[1])
    t0 = time.perf_counter()
    b, log = ot.lp.barycenter(A, M, lam, solver="highs", log=True)
    row.pot_s = time.perf_counter() - t0
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
    parser.add_argument("--euclidean", type=int, nargs="*", default=[16, 32],
                        help="grid sides for the euclidean rows (default: 16 32)")
    args = parser.parse_args()
    if args.quick:
        pot_sizes, sizes, ks, euclid = [8], [16], [3], [8]
    else:
        pot_sizes, sizes, ks, euclid = [16, 24], [64, 128, 256], [3, 8], args.euclidean
    print(f"# machine: {platform.processor() or platform.machine()}, python {platform.python_version()}, "
          f"POT {ot.__version__}, otbary {ob.__version__}")
    run_otbary(8, 3, "cityblock")  # warm-up: loads MKL PARDISO
    rows = []
    for n in pot_sizes:
        row, ms = run_otbary(n, 3, "cityblock")
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
