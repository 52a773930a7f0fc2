"""Fast adaptation, ternarisation and model centrality of neural W1 barycenters, scored exactly.

Toy (2D, euclidean): three pre-trained "models" nu_k = N(a_k, 0.5^2 I), a_k = (0,0), (4,0), (0,4),
equal weights; a local distribution N((2, 1.5), 0.5^2 I) of which a node holds n_local samples.

1. Barycenter generator: ``neural_barycenter`` on the three inputs, certified by ``ob.certify``.
2. For each n_local and seed: ``fast_adapt`` (start from the barycenter generator, one critic on
   the local samples, one on barycenter samples; 100 warm-up + 100 steps) against the anchor
   ``train_local`` (a fresh generator trained on the local samples alone for 400 steps, about
   twice the compute), with ``LOCAL_CONFIG`` and with the adaptation's own ``ADAPT_CONFIG``. Scores: exact W1
   (``ob.w1``) from n model samples to n fresh samples of the true local distribution, with the
   same estimator's floor (two true samples), and ``ob.certify`` of the one-input problem.
3. Ternarisation of the barycenter generator (2-bit codes + one float per layer), fine-tuned
   with the WGAN loss on the three inputs: size before/after, certify before/after.
4. Model centrality of {nu_1, nu_2, nu_3, barycenter generator}: the exact-W1 medoid, the
   pairwise matrix against a brute-force POT ``ot.emd2`` matrix on the same samples.
5. Fusion by KL barycenters (``fit_fusion``: geometric mixture of KDEs of the three models,
   weights fitted to the same local samples), scored like the adapted generator.

Usage::

    python benchmarks/bench_neural_adaptation.py            # full run (a few minutes on 2 cores)
    python benchmarks/bench_neural_adaptation.py --quick    # seconds (smoke test)
    python benchmarks/bench_neural_adaptation.py --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np  # noqa: E402

CENTERS = [(0.0, 0.0), (4.0, 0.0), (0.0, 4.0)]
LOCAL_MEAN = (2.0, 1.5)
SIGMA = 0.5


def gaussian(mean: Any, sigma: float = SIGMA) -> Any:
    m = np.asarray(mean, dtype=float)

    def sampler(n: int, rng: np.random.Generator) -> np.ndarray:
        return m + sigma * rng.standard_normal((n, m.size))

    return sampler


def fmt_ci(v: float, ci: Any) -> str:
    return f"{v:.3f} [{ci[0]:.3f}, {ci[1]:.3f}]"


def main(argv: Any = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="tiny budgets: a few seconds")
    ap.add_argument("--seeds", type=int, default=None, help="seeds per n_local (default 2, quick 1)")
    ap.add_argument("--n-local", type=int, nargs="+", default=None,
                    help="local sample sizes (default 10 100)")
    ap.add_argument("--json", default=None, help="write the measured numbers to this JSON file")
    args = ap.parse_args(argv)

    import torch

    torch.set_num_threads(1)
    import ot

    import otbary as ob
    from otbary.neural.adaptation import (
        ADAPT_CONFIG,
        LOCAL_CONFIG,
        fast_adapt,
        generator_sampler,
        sample_w1_score,
        train_local,
    )
    from otbary.neural.barycenter import neural_barycenter
    from otbary.neural.centrality import model_centrality
    from otbary.neural.ternary import finetune_ternary

    q = args.quick
    seeds = list(range(args.seeds if args.seeds is not None else (1 if q else 2)))
    n_locals = args.n_local or ([10] if q else [10, 100])
    hidden = (32, 32) if q else (64, 64)
    bary_steps, adapt_steps, warmup, local_steps, tern_steps = (
        (30, 20, 10, 30, 10) if q else (300, 100, 100, 400, 150))
    n_eval, n_rep = (200, 2) if q else (500, 5)
    inputs = [gaussian(c) for c in CENTERS]
    true_local = gaussian(LOCAL_MEAN)
    out: dict[str, Any] = {"quick": q, "config": {
        "bary_steps": bary_steps, "adapt_steps": adapt_steps, "warmup": warmup, "local_steps": local_steps,
        "tern_steps": tern_steps, "hidden": list(hidden), "n_eval": n_eval, "n_repeats": n_rep,
        "adapt_config": ADAPT_CONFIG.to_dict(), "local_config": LOCAL_CONFIG.to_dict()}}
    t_all = time.perf_counter()
    print(f"torch {torch.__version__}, POT {ot.__version__}, threads 1; quick={q}")

    # 1. barycenter generator
    t0 = time.perf_counter()
    bary = neural_barycenter(inputs, steps=bary_steps, config=LOCAL_CONFIG, hidden=hidden, seed=0)
    t_bary = time.perf_counter() - t0
    cert_b = ob.certify(bary.sampler(), inputs, None, "euclidean", n_samples=n_eval, n_repeats=n_rep, seed=0)
    print(f"\n[1] barycenter generator: {bary_steps} steps in {t_bary:.1f} s; certify relative gap "
          f"{fmt_ci(cert_b.relative_gap, cert_b.relative_interval)} (support {cert_b.support})")
    out["barycenter"] = {"seconds": t_bary, "relative_gap": cert_b.relative_gap,
                         "relative_interval": list(cert_b.relative_interval or (np.nan, np.nan))}
    before = sample_w1_score(bary, true_local, n_samples=n_eval, n_repeats=n_rep, seed=100)
    print(f"    barycenter generator -> true local: exact W1 {fmt_ci(before.w1, before.interval)}, "
          f"floor {before.floor:.3f}")

    # 2. fast adaptation against local-only training
    print(f"\n[2] fast adaptation ({warmup} critic warm-up + {adapt_steps} steps) vs local-only training "
          f"({local_steps} steps); exact W1 to the true local distribution, n={n_eval}, {n_rep} repeats")
    rows = []
    hdr = ("| n_local | seed | barycenter W1 | adapted W1 | local-only W1 | local-only W1 (TTUR) | floor "
           "| adapted - local-only | adapted - local-only (TTUR) | certify gap adapted "
           "| certify gap local-only "
           "| adapt s | local s |")
    print(hdr)
    print("|" + "---|" * 13)
    for n_local in n_locals:
        for seed in seeds:
            rng = np.random.default_rng(1000 + 17 * n_local + seed)
            local = true_local(n_local, rng)
            t0 = time.perf_counter()
            ad = fast_adapt(bary, local, steps=adapt_steps, warmup=warmup, hidden=hidden, seed=seed)
            t_ad = time.perf_counter() - t0
            t0 = time.perf_counter()
            lo = train_local(local, steps=local_steps, hidden=hidden, seed=seed)
            t_lo = time.perf_counter() - t0
            # second anchor: local-only with the adaptation's own settings (two time scales)
            lo2 = train_local(local, steps=local_steps, config=ADAPT_CONFIG, hidden=hidden, seed=seed)
            sa = sample_w1_score(ad, true_local, n_samples=n_eval, n_repeats=n_rep, seed=200 + seed)
            sl = sample_w1_score(lo, true_local, n_samples=n_eval, n_repeats=n_rep, seed=200 + seed)
            sl2 = sample_w1_score(lo2, true_local, n_samples=n_eval, n_repeats=n_rep, seed=200 + seed)
            diff = sa.values - sl.values
            dm = float(diff.mean())
            dh = 1.96 * float(diff.std(ddof=1)) / np.sqrt(diff.size) if diff.size > 1 else 0.0
            diff2 = sa.values - sl2.values
            dm2 = float(diff2.mean())
            dh2 = 1.96 * float(diff2.std(ddof=1)) / np.sqrt(diff2.size) if diff2.size > 1 else 0.0
            ca = ob.certify(ad.sampler(), [true_local], [1.0], "euclidean", n_samples=n_eval,
                            n_repeats=n_rep, seed=300 + seed)
            cl = ob.certify(generator_sampler(lo.generator), [true_local], [1.0], "euclidean",
                            n_samples=n_eval, n_repeats=n_rep, seed=300 + seed)
            row = {"n_local": n_local, "seed": seed, "barycenter_w1": before.w1, "adapted_w1": sa.w1,
                   "adapted_interval": list(sa.interval), "local_w1": sl.w1,
                   "local_interval": list(sl.interval), "local_ttur_w1": sl2.w1,
                   "local_ttur_interval": list(sl2.interval),
                   "floor": sa.floor, "difference": dm, "difference_interval": [dm - dh, dm + dh],
                   "difference_ttur": dm2, "difference_ttur_interval": [dm2 - dh2, dm2 + dh2],
                   "certify_gap_adapted": ca.gap, "certify_interval_adapted": list(ca.interval or (0, 0)),
                   "certify_gap_local": cl.gap, "certify_interval_local": list(cl.interval or (0, 0)),
                   "adapt_seconds": t_ad, "local_seconds": t_lo}
            rows.append(row)
            print(f"| {n_local} | {seed} | {before.w1:.3f} | {fmt_ci(sa.w1, sa.interval)} | "
                  f"{fmt_ci(sl.w1, sl.interval)} | {fmt_ci(sl2.w1, sl2.interval)} | {sa.floor:.3f} | "
                  f"{dm:+.3f} [{dm - dh:+.3f}, {dm + dh:+.3f}] | "
                  f"{dm2:+.3f} [{dm2 - dh2:+.3f}, {dm2 + dh2:+.3f}] | "
                  f"{fmt_ci(ca.gap, ca.interval)} | {fmt_ci(cl.gap, cl.interval)} | "
                  f"{t_ad:.1f} | {t_lo:.1f} |",
                  flush=True)
    out["adaptation"] = rows
    for key, what in (("difference_interval", "LOCAL_CONFIG"), ("difference_ttur_interval", "ADAPT_CONFIG")):
        wins = sum(r[key][1] < 0 for r in rows)
        losses = sum(r[key][0] > 0 for r in rows)
        print(f"    adapted vs local-only ({what}): better in {wins}/{len(rows)} runs, worse in {losses} "
              f"(95% interval of the paired difference below / above 0)")

    # 3. ternarisation of the barycenter generator
    t0 = time.perf_counter()
    t0_res = finetune_ternary(bary.generator, steps=0)
    tf = finetune_ternary(bary.generator, inputs, steps=tern_steps, config=LOCAL_CONFIG, seed=0)
    t_tern = time.perf_counter() - t0
    cert_0 = ob.certify(generator_sampler(t0_res.generator), inputs, None, "euclidean", n_samples=n_eval,
                        n_repeats=n_rep, seed=0)
    cert_t = ob.certify(generator_sampler(tf.generator), inputs, None, "euclidean", n_samples=n_eval,
                        n_repeats=n_rep, seed=0)
    s = tf.size
    print(f"\n[3] ternarised barycenter generator: {s.n_layers} layers, {s.n_ternary} ternary weights, "
          f"{s.n_float} float parameters")
    print(f"    size {s.float_bits} bits -> {s.ternary_bits} bits ({s.ratio:.1f}x smaller); "
          f"fine-tuning {tern_steps} steps in {t_tern:.1f} s")
    print("| model | certify relative gap [95%] |")
    print("|---|---|")
    for name, c in (("float barycenter generator", cert_b), ("ternarised, no fine-tuning", cert_0),
                    (f"ternarised + {tern_steps} WGAN steps", cert_t)):
        print(f"| {name} | {fmt_ci(c.relative_gap, c.relative_interval)} |")
    for layer in tf.layers:
        print(f"    {layer.name}: shape {layer.shape}, a={layer.scale:.4f}, Delta={layer.threshold:.4f}, "
              f"zeros {100 * layer.zero_fraction:.0f}%, values {len(layer.values)}")
    out["ternary"] = {"float_bits": s.float_bits, "ternary_bits": s.ternary_bits, "ratio": s.ratio,
                      "gap_float": cert_b.relative_gap,
                      "gap_float_interval": list(cert_b.relative_interval or ()),
                      "gap_ternary_raw": cert_0.relative_gap,
                      "gap_ternary_raw_interval": list(cert_0.relative_interval or ()),
                      "gap_ternary": cert_t.relative_gap,
                      "gap_ternary_interval": list(cert_t.relative_interval or ()), "seconds": t_tern}

    # 4. model centrality, against brute-force POT on the same samples
    models = [*inputs, bary.generator]
    t0 = time.perf_counter()
    cen = model_centrality(models, n_samples=n_eval, n_repeats=n_rep, seed=0)
    t_cen = time.perf_counter() - t0
    rng = np.random.default_rng(5)
    clouds = [np.asarray(m(n_eval, rng)) for m in inputs] + [bary.sample(n_eval, seed=5)]
    t0 = time.perf_counter()
    w = np.full(n_eval, 1.0 / n_eval)
    brute = np.array([[ot.emd2(w, w, ot.dist(a, b, "euclidean")) for b in clouds] for a in clouds])
    t_pot = time.perf_counter() - t0
    t0 = time.perf_counter()
    from otbary.neural.centrality import pairwise_w1

    mine = pairwise_w1(clouds)
    t_mine = time.perf_counter() - t0
    names = ["nu_1", "nu_2", "nu_3", "barycenter G"]
    print(f"\n[4] model centrality of {names}: medoid = {names[cen.index]} "
          f"(selected in {100 * cen.selection_frequency[cen.index]:.0f}% of {n_rep} repeats)")
    assert cen.mean_distance_interval is not None or n_rep == 1
    for i, nm in enumerate(names):
        ci = cen.mean_distance_interval[i] if cen.mean_distance_interval is not None else (np.nan, np.nan)
        print(f"    {nm}: mean exact W1 to the others {fmt_ci(cen.mean_distance[i], ci)}")
    print(f"    pairwise matrix on one draw: otbary {t_mine:.2f} s, POT ot.emd2 {t_pot:.2f} s, "
          f"max |difference| {np.abs(mine - brute).max():.2e}; centrality with {n_rep} repeats {t_cen:.1f} s")
    out["centrality"] = {"names": names, "index": cen.index, "mean_distance": cen.mean_distance.tolist(),
                         "selection_frequency": cen.selection_frequency.tolist(),
                         "max_abs_diff_pot": float(np.abs(mine - brute).max())}
    # 5. fusion by KL barycenters: geometric mixture of KDEs of the models, fitted to the local samples
    from otbary.neural.fusion import fit_fusion, kde_log_density

    grid = ob.Grid(shape=(48, 48) if not q else (24, 24), spacing=(8.0 / 47 if not q else 8.0 / 23),
                   origin=(-2.0, -2.0))
    kde_rng = np.random.default_rng(77)
    kdes = [kde_log_density(np.asarray(m(2000, kde_rng))) for m in inputs]
    print("\n[5] fusion by KL barycenter (geometric mixture of KDEs of 2000 samples per model, weights by "
          "maximum likelihood on the same local samples, quadrature on a grid); exact W1 to the true local")
    print("| n_local | seed | fitted weights | fusion W1 | adapted W1 | fit s |")
    print("|---|---|---|---|---|---|")
    frows = []
    for row in rows:
        n_local, seed = row["n_local"], row["seed"]
        local = true_local(n_local, np.random.default_rng(1000 + 17 * n_local + seed))
        t0 = time.perf_counter()
        fu = fit_fusion(kdes, local, grid)
        t_fu = time.perf_counter() - t0
        sf = sample_w1_score(fu.measure, true_local, n_samples=n_eval, n_repeats=n_rep, seed=200 + seed)
        frows.append({"n_local": n_local, "seed": seed, "weights": fu.weights.tolist(), "fusion_w1": sf.w1,
                      "fusion_interval": list(sf.interval), "seconds": t_fu})
        print(f"| {n_local} | {seed} | {np.round(fu.weights, 3).tolist()} | {fmt_ci(sf.w1, sf.interval)} | "
              f"{fmt_ci(row['adapted_w1'], row['adapted_interval'])} | {t_fu:.2f} |", flush=True)
    out["fusion"] = frows

    total = time.perf_counter() - t_all
    out["total_seconds"] = total
    print(f"\ntotal {total:.1f} s")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
