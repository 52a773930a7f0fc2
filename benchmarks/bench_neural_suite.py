"""Neural barycenters with the library's defaults and the published preset on the known-answer suite.

Every case of :data:`otbary.testing.continuous.NEURAL_SUITE` (two inputs with one weight above
1/2 in 2, 8 and 32 dimensions, translates of non-Gaussian shapes with K = 3 to 5 in 2D and 8D,
2D mixtures with unequal weights, and the 2D pair at scales 0.01 and 100) is trained with
``neural_barycenter(inputs, weights, steps=..., config=..., seed=...)`` and its gap measured:

* in 2D, by :func:`otbary.certify`'s two-sided interval (``gap_lower <= J(G) - J* <= gap_upper``
  at 95%), relative to ``J*``;
* where the answer is known (every case but the mixtures), also by the paired direct estimate
  :func:`otbary.testing.continuous.paired_gap` (exact empirical W1 against draws of the answer,
  4 repeats of 2000 draws) with its standard error.

    python benchmarks/bench_neural_suite.py --seeds 0 1 2
    python benchmarks/bench_neural_suite.py --cases two-heavy-2d translates-2d --configs default --seeds 0
    python benchmarks/bench_neural_suite.py --cases two-heavy-8d two-heavy-32d translates-8d-K4 --no-certify

Settings are chosen on seeds 100 and up (``--seeds 100 101``); report on 0, 1, 2. Prints one row
per case, configuration and seed: steps, seconds of training, the relative gap (interval).
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import numpy as np
import torch

import otbary as ob
from otbary.neural import neural_barycenter
from otbary.testing.continuous import NEURAL_SUITE, neural_suite, paired_gap


def run(cases: list[str], configs: list[str], seeds: list[int], steps: int, certify: bool,
        threads: int) -> list[dict[str, Any]]:
    torch.set_num_threads(threads)
    rows: list[dict[str, Any]] = []
    for case in neural_suite(cases):
        ref = None
        answer = case.candidates.get("barycenter", (None, 0.0))[0]
        for cfg in configs:
            for seed in seeds:
                t0 = time.perf_counter()
                res = neural_barycenter(case.inputs, case.weights, steps=steps,
                                        config=None if cfg == "default" else cfg, seed=seed)
                sec = time.perf_counter() - t0
                row: dict[str, Any] = {"case": case.name, "dim": case.dim, "config": cfg, "seed": seed,
                                       "steps": res.steps, "seconds": sec}
                gen = res.sampler()
                if answer is not None:
                    g, se = paired_gap(gen, answer, case.inputs, case.weights, case.metric, seed=seed + 1)
                    row["paired_rel"], row["paired_se_rel"] = g / case.optimum, se / case.optimum
                if certify and case.dim <= 3:
                    c = ob.certify(gen, case.inputs, case.weights, case.metric, seed=seed + 2, reference=ref)
                    ref = c.info["reference"]
                    assert c.relative_interval is not None and c.relative_gap is not None
                    row["certified_rel"] = float(c.relative_gap)
                    row["certified_interval_rel"] = [float(v) for v in c.relative_interval]
                rows.append(row)
                txt = f"{case.name:24s} {cfg:9s} seed {seed:3d} steps {res.steps:5d} {sec:6.0f} s"
                if "paired_rel" in row:
                    txt += f"  paired {row['paired_rel']:+7.2%} +- {row['paired_se_rel']:.2%}"
                if "certified_rel" in row:
                    lo, hi = row["certified_interval_rel"]
                    txt += f"  certified {row['certified_rel']:+7.2%} [{lo:+.2%}, {hi:+.2%}]"
                print(txt, flush=True)
    return rows


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cases", nargs="+", default=list(NEURAL_SUITE), choices=list(NEURAL_SUITE))
    p.add_argument("--configs", nargs="+", default=["default", "published"], choices=["default", "published"])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--no-certify", action="store_true", help="skip certify (2D cases)")
    p.add_argument("--threads", type=int, default=1, help="torch threads")
    p.add_argument("--json", default=None)
    a = p.parse_args()
    rows = run(a.cases, a.configs, a.seeds, a.steps, not a.no_certify, a.threads)
    for cfg in a.configs:
        two_d = [r for r in rows if r["config"] == cfg and r["dim"] == 2 and "paired_rel" in r]
        if two_d:
            print(f"{cfg}: largest 2D paired gap {max(r['paired_rel'] for r in two_d):+.2%}; "
                  f"median seconds {np.median([r['seconds'] for r in rows if r['config'] == cfg]):.0f}")
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(rows, fh, indent=1)


if __name__ == "__main__":
    main()
