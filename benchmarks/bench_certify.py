"""Coverage, power and width of ``ob.certify``'s sample-based interval on known-answer cases.

For every case of :mod:`otbary.testing.continuous` (continuous inputs given as samplers, exact
``J*`` and exact gaps of right and wrong candidates from closed forms) and every seed, certify
each candidate and record whether its interval contains its exact gap (coverage), whether a
wrong candidate is flagged by ``gap_lower > 0`` (separation), the width relative to ``J*`` and
the time. The reference is built once per seed and reused for the candidates of that seed.

    python benchmarks/bench_certify.py --dims 1 2 --seeds 20
    python benchmarks/bench_certify.py --dims 2 --seeds 5 --n-samples 20000 --repeats 4 --resolution 24
    python benchmarks/bench_certify.py --dims 2 --cases translates-2d --seeds 10
    python benchmarks/bench_certify.py --tradeoff two-heavy-2d
    python benchmarks/bench_certify.py --dims 2 --seeds 100 --n-samples 20000 --workers 1   # coverage sweep

Prints one row per case and candidate: n (draws per repeat), seeds, coverage, separation rate
(wrong candidates), median width / J*, median seconds; ``--json FILE`` keeps every value.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import numpy as np

import otbary as ob
from otbary.sampled import DEFAULT_N_DRAWS
from otbary.testing.continuous import sampled_cases


def run(dims: tuple[int, ...], seeds: int, first_seed: int, n: int | None, repeats: int | None,
        resolution: int | None, metric: str, cases: list[str] | None = None,
        workers: int | None = None, progress_file: str | None = None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for case in sampled_cases(dims, metric):
        if cases and case.name not in cases:
            continue
        per: dict[str, dict[str, list[float]]] = {
            name: {"cover": [], "sep": [], "width": [], "sec": []} for name in case.candidates}
        for seed in range(first_seed, first_seed + seeds):
            ref = None
            for name, (cand, true_gap) in case.candidates.items():
                t0 = time.perf_counter()
                res = ob.certify(cand, case.inputs, case.weights, case.metric, seed=seed, reference=ref,
                                 n_samples=n, n_repeats=repeats, resolution=resolution, workers=workers)
                ref = res.info["reference"]
                lo, hi = res.interval or (np.nan, np.nan)
                rec = per[name]
                rec["cover"].append(float(lo <= true_gap <= hi))
                rec["sep"].append(float(lo > 0))
                rec["width"].append((hi - lo) / case.optimum)
                rec["sec"].append(time.perf_counter() - t0)
            if progress_file:  # every seed's values so far, so that a stopped sweep keeps them
                with open(progress_file, "w") as fh:
                    json.dump({"case": case.name, "seeds_done": seed - first_seed + 1, "per": per}, fh)
        for name, (_, true_gap) in case.candidates.items():
            rec = per[name]
            rows.append({
                "case": case.name, "candidate": name, "true_gap_rel": true_gap / case.optimum,
                "n": n or DEFAULT_N_DRAWS, "seeds": seeds, "coverage": float(np.mean(rec["cover"])),
                "separation": float(np.mean(rec["sep"])) if true_gap > 0 else None,
                "median_width_rel": float(np.median(rec["width"])),
                "median_seconds": float(np.median(rec["sec"])),
            })
            r = rows[-1]
            sep = "-" if r["separation"] is None else f"{r['separation']:.2f}"
            print(f"{r['case']:15s} {name:19s} gap/J* {r['true_gap_rel']:5.2f}  n {r['n']:7d}  "
                  f"seeds {seeds:3d}  coverage {r['coverage']:.2f}  separation {sep:>4s}  "
                  f"width/J* {r['median_width_rel']:.3f}  {r['median_seconds']:6.1f} s", flush=True)
    return rows


def tradeoff(case_name: str, seed: int, metric: str) -> None:
    """Width and time of one call (reference included) against ``resolution`` and ``n_samples``."""
    from otbary.testing.continuous import sampled_case

    case = sampled_case(case_name, metric)
    right, _ = case.candidates["barycenter"]
    print("| resolution | n_samples | width / J* | dominant | s |\n|---|---|---|---|---|")
    for res in (24, 32, 48, 64):
        for n in (50_000, 200_000):
            t0 = time.perf_counter()
            r = ob.certify(right, case.inputs, case.weights, case.metric, seed=seed, resolution=res,
                           n_samples=n)
            lo, hi = r.interval or (np.nan, np.nan)
            print(f"| {res} | {n:,} | {(hi - lo) / case.optimum:.1%} | {r.info['dominant']} | "
                  f"{time.perf_counter() - t0:.0f} |", flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dims", type=int, nargs="+", default=[1, 2])
    p.add_argument("--seeds", type=int, default=20)
    p.add_argument("--first-seed", type=int, default=1000)
    p.add_argument("--n-samples", type=int, default=None)
    p.add_argument("--repeats", type=int, default=None)
    p.add_argument("--resolution", type=int, default=None)
    p.add_argument("--metric", default="euclidean")
    p.add_argument("--cases", nargs="+", default=None, help="only these cases (e.g. translates-2d)")
    p.add_argument("--json", default=None)
    p.add_argument("--workers", type=int, default=None,
                   help="threads per certify call (default: all cores; 1 when running several benchmarks)")
    p.add_argument("--tradeoff", default=None, metavar="CASE",
                   help="instead: width and time against resolution and n_samples on CASE (seed 11)")
    a = p.parse_args()
    if a.tradeoff:
        tradeoff(a.tradeoff, 11, a.metric)
        return
    rows = run(tuple(a.dims), a.seeds, a.first_seed, a.n_samples, a.repeats, a.resolution, a.metric, a.cases,
               a.workers, a.json and a.json + ".partial")
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(rows, fh, indent=1)


if __name__ == "__main__":
    main()
