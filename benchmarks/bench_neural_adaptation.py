"""Fast adaptation, ternarisation and model centrality of neural W1 barycenters, scored exactly.

Toy (2D, euclidean): three pre-trained "models" nu_k = N(a_k, 0.5^2 I), a_k = (0,0), (4,0), (0,4),
equal weights; a local distribution N((2, 1.5), 0.5^2 I) of which a node holds n_local samples.

1. Barycenter generator: ``neural_barycenter`` on the three inputs, certified by ``ob.certify``
   (sample-based: two-sided 95% bounds on the true gap; ``CERTIFY`` settings: ``n_samples`` draws
   per distribution per repeat, quantised on a ``resolution``-node grid per axis).
2. For each n_local in {10, 30, 100} and seed: ``fast_adapt`` (start from the barycenter
   generator; align it by a learnt shift against a critic on the local samples, then refine every
   weight against that critic and one on the aligned barycenter, weights 0.6 / 0.4, one-sided
   penalty; 100 warm-up + 100 alignment steps, 100 warm-up + 100 refinement steps) against
   ``train_local`` (a fresh generator trained on the local samples alone for 400 steps, more
   critic and generator steps than the adaptation) with three settings: ``LOCAL_CONFIG``, the
   adaptation's own ``ADAPT_CONFIG``, and ``LOCAL_CONFIG`` with the one-sided penalty. Scores:
   exact W1 (``ob.w1``) from n model samples to n fresh samples of the true local distribution,
   with the same estimator's floor (two true samples), and ``ob.certify`` of the one-input
   problem (``J* = 0``: its interval brackets ``W1(model, true local)`` of the continuous
   distributions with probability 95%), for every model; one certify reference per study,
   built by certifying the true local sampler itself (a control: its interval contains 0).
   Per anchor: wins / losses per run (paired interval over repeats) and the pooled paired
   difference over runs with a Student-t 95% interval, overall and by n_local.
3. Ternarisation of the barycenter generator (2-bit codes + one float per layer), fine-tuned
   with the WGAN loss on the three inputs: size before/after, certify before/after (reusing the
   reference of step 1: the same problem).
4. Model centrality of {nu_1, nu_2, nu_3, barycenter generator}: the exact-W1 medoid, the
   pairwise matrix against a brute-force POT ``ot.emd2`` matrix on the same samples.
5. Fusion by KL barycenters (``fit_fusion``: geometric mixture of KDEs of the three models,
   weights fitted to the same local samples), scored like the adapted generator.

Usage::

    python benchmarks/bench_neural_adaptation.py            # full run, 3 seeds (about 5 minutes, 1 core)
    python benchmarks/bench_neural_adaptation.py --seeds 5  # the documented tables (about 8 minutes)
    python benchmarks/bench_neural_adaptation.py --quick    # seconds (smoke test)
    python benchmarks/bench_neural_adaptation.py --json out.json
"""

from __future__ import annotations

import argparse
import dataclasses
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
RING_RADIUS, RING_WIDTH = 1.0, 0.15
#: fast_adapt's defaults, spelled out (alignment steps, refinement steps, refinement weights).
ALIGN_STEPS, ADAPT_STEPS, ADAPT_WEIGHTS = 100, 100, (0.6, 0.4)
#: Settings of ``ob.certify`` (sample-based): draws per distribution per repeat, repeats, grid
#: nodes per axis; quick and full. The reference of a problem is built once and reused.
CERTIFY = {True: {"n_samples": 20_000, "n_repeats": 4, "resolution": 24},
           False: {"n_samples": 50_000, "n_repeats": 4, "resolution": 40}}
#: Generator steps of each local-only anchor: at least the adaptation's compute (critic steps:
#: adaptation 100 + 5 * 100 + 100 + 2 * 5 * 100 = 1700 with 200 generator steps, local only
#: 5 * 400 = 2000 with 400 generator steps; the wall-clock seconds are in the table).
LOCAL_STEPS = 400


def gaussian(mean: Any, sigma: float = SIGMA) -> Any:
    m = np.asarray(mean, dtype=float)

    def sampler(n: int, rng: np.random.Generator) -> np.ndarray:
        return m + sigma * rng.standard_normal((n, m.size))

    return sampler


def ring(center: Any, radius: float = 1.0, width: float = 0.15) -> Any:
    """Sampler of a ring: angle uniform, radius ``radius + width * N(0, 1)``, around ``center``."""
    c = np.asarray(center, dtype=float)

    def sampler(n: int, rng: np.random.Generator) -> np.ndarray:
        theta = rng.uniform(0.0, 2.0 * np.pi, n)
        r = radius + width * rng.standard_normal(n)
        return c + np.c_[r * np.cos(theta), r * np.sin(theta)]

    return sampler


def fmt_ci(v: float, ci: Any) -> str:
    return f"{v:.3f} [{ci[0]:.3f}, {ci[1]:.3f}]"


def fmt_d(v: float, ci: Any) -> str:
    return f"{v:+.3f} [{ci[0]:+.3f}, {ci[1]:+.3f}]"


def adaptation_study(title: str, bary: Any, before: Any, true_local: Any, rng_base: int,
                     n_locals: list[int], seeds: list[int], *, hidden: tuple[int, ...], align_steps: int,
                     adapt_steps: int, warmup: int, local_steps: int, n_eval: int,
                     n_rep: int, certify_kw: dict[str, Any]) -> dict[str, Any]:
    """Fast adaptation against local-only training on one toy; prints the tables, returns the numbers."""
    import otbary as ob
    from otbary.certify import t_interval
    from otbary.neural.adaptation import (  # _mean_interval: the normal interval of sample_w1_score
        ADAPT_CONFIG,
        LOCAL_CONFIG,
        _mean_interval,
        fast_adapt,
        generator_sampler,
        sample_w1_score,
        train_local,
    )

    out: dict[str, Any] = {}
    # one certify reference for the study's one-input problem [true_local], built by the control
    # certify(true_local): its interval brackets W1(true local, true local) = 0
    control = ob.certify(true_local, [true_local], [1.0], "euclidean", seed=300, **certify_kw)
    reference = control.info["reference"]
    assert control.interval is not None
    out["certify_control"] = {"gap": control.gap, "interval": list(control.interval),
                              "dominant": control.info["dominant"]}
    # (key, label, config, generator steps); the last is a reference, not an anchor: the local-only
    # generator before training (one step at lr 1e-4), about N(sample mean, sample spread^2 I)
    anchors = [("local", "LOCAL_CONFIG", LOCAL_CONFIG, local_steps),
               ("local_adapt", "ADAPT_CONFIG", ADAPT_CONFIG, local_steps),
               ("local_1s", "LOCAL_CONFIG one-sided", dataclasses.replace(LOCAL_CONFIG, one_sided=True),
                local_steps),
               ("local_init", "1 step: its initialisation", ADAPT_CONFIG, 1)]
    keys = [a[0] for a in anchors]
    out["anchors"] = {key: {**cfg.to_dict(), "steps": st} for key, _, cfg, st in anchors}
    print(f"\n[{title}] fast adaptation ({warmup} warm-up + {align_steps} alignment steps, {warmup} "
          f"warm-up + "
          f"{adapt_steps} refinement steps, weights {ADAPT_WEIGHTS}) vs local-only training "
          f"({local_steps} steps) with {', '.join(a[1] for a in anchors[:3])}, and the local-only generator "
          f"after 1 step (a reference); exact W1 to the "
          f"true local distribution, n={n_eval}, {n_rep} repeats (same target draws for every model)")
    rows = []
    names = " | ".join(f"local only ({a[1]})" for a in anchors)
    hdr = ("| n_local | seed | barycenter | adapted | " + names
           + " | floor | adapt s | " + " | ".join(f"{k} s" for k in keys[:3]) + " |")
    print(hdr)
    print("|" + "---|" * (hdr.count("|") - 1))
    for n_local in n_locals:
        for seed in seeds:
            rng = np.random.default_rng(rng_base + 17 * n_local + seed)
            local = true_local(n_local, rng)
            t0 = time.perf_counter()
            ad = fast_adapt(bary, local, weights=ADAPT_WEIGHTS, steps=adapt_steps, warmup=warmup,
                            align_steps=align_steps, hidden=hidden, seed=seed)
            t_ad = time.perf_counter() - t0
            models: dict[str, Any] = {"adapted": ad.generator}
            secs = {"adapted": t_ad}
            for key, _, cfg, st in anchors:
                t0 = time.perf_counter()
                lo = train_local(local, steps=st, config=cfg, hidden=hidden, seed=seed)
                models[key] = lo.generator
                secs[key] = time.perf_counter() - t0
            sc = {k: sample_w1_score(m, true_local, n_samples=n_eval, n_repeats=n_rep, seed=200 + seed)
                  for k, m in models.items()}
            ce = {k: ob.certify(generator_sampler(m), [true_local], [1.0], "euclidean", seed=300 + seed,
                                reference=reference, **certify_kw) for k, m in models.items()}
            row: dict[str, Any] = {"n_local": n_local, "seed": seed, "barycenter_w1": before.w1,
                                   "local_samples": local.tolist(),
                                   "floor": sc["adapted"].floor, "seconds": secs,
                                   "shift": np.asarray(ad.shift).tolist()}
            for k in models:
                row[k] = {"w1": sc[k].w1, "interval": list(sc[k].interval), "values": sc[k].values.tolist(),
                          "certify_gap": ce[k].gap,
                          "certify_interval": list(ce[k].interval or (np.nan, np.nan))}
            for key in keys:
                d = sc["adapted"].values - sc[key].values
                row[key]["difference"] = float(d.mean())
                row[key]["difference_interval"] = list(_mean_interval(d)[1])
                row[key]["certify_difference"] = ce["adapted"].gap - ce[key].gap
            rows.append(row)
            print(f"| {n_local} | {seed} | {before.w1:.3f} | " + " | ".join(
                fmt_ci(sc[k].w1, sc[k].interval) for k in models) + f" | {sc['adapted'].floor:.3f} | "
                + " | ".join(f"{secs[k]:.1f}" for k in ["adapted", *keys[:3]]) + " |", flush=True)
    out["adaptation"] = rows

    print("\n    paired differences adapted - local only, per run (exact W1; mean and normal 95% interval "
          "over the repeats, same target draws)")
    hdr = "| n_local | seed | " + " | ".join(f"adapted - local only ({a[1]})" for a in anchors) + " |"
    print(hdr)
    print("|" + "---|" * (hdr.count("|") - 1))
    for r in rows:
        print(f"| {r['n_local']} | {r['seed']} | " + " | ".join(
            fmt_d(r[k]["difference"], r[k]["difference_interval"]) for k in keys) + " |")

    print("\n    certify of the one-input problem (ob.certify(sampler, [true local], [1.0]), J* = 0): "
          "the gap is W1(model, true local) of the continuous distributions; midpoint and two-sided 95% "
          f"bounds ({certify_kw['n_samples']} draws x {certify_kw['n_repeats']} repeats, grid "
          f"{certify_kw['resolution']}^2; control certify(true local): "
          f"{fmt_ci(control.gap, control.interval)})")
    hdr = "| n_local | seed | adapted | " + names + " |"
    print(hdr)
    print("|" + "---|" * (hdr.count("|") - 1))
    for r in rows:
        print(f"| {r['n_local']} | {r['seed']} | " + " | ".join(
            fmt_ci(r[k]["certify_gap"], r[k]["certify_interval"]) for k in ("adapted", *keys)) + " |")

    print("\n    summary per anchor: runs where the per-run 95% interval of adapted - local only is below 0 "
          "(win) / above 0 (loss) / straddles 0 (tie); pooled mean over runs of the paired difference "
          "(exact W1, and certify gap midpoint), Student-t 95% interval over runs")
    print("| anchor | n_local | runs | wins / losses / ties | pooled W1 difference [95%] "
          "| pooled certify-gap difference [95%] |")
    print("|---|---|---|---|---|---|")
    summary = []
    for key, what, _, _ in anchors:
        for nl in [*n_locals, "all"]:
            sel = [r for r in rows if nl == "all" or r["n_local"] == nl]
            if not sel:
                continue
            wins = int(sum(r[key]["difference_interval"][1] < 0 for r in sel))
            losses = int(sum(r[key]["difference_interval"][0] > 0 for r in sel))
            dw = np.array([r[key]["difference"] for r in sel])
            dc = np.array([r[key]["certify_difference"] for r in sel])
            mw, iw = t_interval(dw)
            mc, ic = t_interval(dc)
            summary.append({"anchor": key, "n_local": nl, "runs": len(sel), "wins": wins, "losses": losses,
                            "difference": mw, "difference_interval": list(iw), "certify_difference": mc,
                            "certify_difference_interval": list(ic)})
            print(f"| {what} | {nl} | {len(sel)} | {wins} / {losses} / {len(sel) - wins - losses} | "
                  f"{fmt_d(mw, iw)} | {fmt_d(mc, ic)} |")
    out["adaptation_summary"] = summary

    return out


def main(argv: Any = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="tiny budgets: a few seconds")
    ap.add_argument("--seeds", type=int, default=None, help="seeds per n_local (default 3, quick 1)")
    ap.add_argument("--n-local", type=int, nargs="+", default=None,
                    help="local sample sizes (default 10 30 100)")
    ap.add_argument("--json", default=None, help="write the measured numbers to this JSON file")
    args = ap.parse_args(argv)

    import torch

    torch.set_num_threads(1)
    import ot

    import otbary as ob
    from otbary.neural.adaptation import (
        ADAPT_CONFIG,
        LOCAL_CONFIG,
        generator_sampler,
        sample_w1_score,
    )
    from otbary.neural.barycenter import neural_barycenter
    from otbary.neural.centrality import model_centrality
    from otbary.neural.ternary import finetune_ternary

    q = args.quick
    seeds = list(range(args.seeds if args.seeds is not None else (1 if q else 3)))
    n_locals = args.n_local or ([10] if q else [10, 30, 100])
    hidden = (32, 32) if q else (64, 64)
    bary_steps, align_steps, adapt_steps, warmup, local_steps, tern_steps = (
        (30, 10, 20, 10, 40, 10) if q else (300, ALIGN_STEPS, ADAPT_STEPS, 100, LOCAL_STEPS, 150))
    n_eval, n_rep = (200, 2) if q else (500, 5)
    cert_kw = CERTIFY[q]
    inputs = [gaussian(c) for c in CENTERS]
    true_local = gaussian(LOCAL_MEAN)
    out: dict[str, Any] = {"quick": q, "config": {
        "bary_steps": bary_steps, "align_steps": align_steps, "adapt_steps": adapt_steps,
        "adapt_weights": list(ADAPT_WEIGHTS), "warmup": warmup, "local_steps": local_steps,
        "tern_steps": tern_steps, "hidden": list(hidden), "n_eval": n_eval, "n_repeats": n_rep,
        "certify": cert_kw,
        "adapt_config": ADAPT_CONFIG.to_dict(), "local_config": LOCAL_CONFIG.to_dict()}}
    t_all = time.perf_counter()
    print(f"torch {torch.__version__}, POT {ot.__version__}, threads 1; quick={q}")

    # 1. barycenter generator
    t0 = time.perf_counter()
    bary = neural_barycenter(inputs, steps=bary_steps, config=LOCAL_CONFIG, hidden=hidden, seed=0)
    t_bary = time.perf_counter() - t0
    t0 = time.perf_counter()
    cert_b = ob.certify(bary.sampler(), inputs, None, "euclidean", seed=0, **cert_kw)
    t_cert = time.perf_counter() - t0
    bary_ref = cert_b.info["reference"]  # reused below for the same problem (the ternarised generators)
    print(f"\n[1] barycenter generator: {bary_steps} steps in {t_bary:.1f} s; certify relative gap "
          f"{fmt_ci(cert_b.relative_gap, cert_b.relative_interval)} (two-sided 95% bounds on the true gap, "
          f"width mostly {cert_b.info['dominant']}; {cert_kw['n_samples']} draws x {cert_kw['n_repeats']} "
          f"repeats, grid {cert_kw['resolution']}^2, {t_cert:.1f} s)")
    out["barycenter"] = {"seconds": t_bary, "relative_gap": cert_b.relative_gap,
                         "relative_interval": list(cert_b.relative_interval or (np.nan, np.nan)),
                         "interval": list(cert_b.interval or (np.nan, np.nan)),
                         "dominant": cert_b.info["dominant"], "certify_seconds": t_cert}
    before = sample_w1_score(bary, true_local, n_samples=n_eval, n_repeats=n_rep, seed=100)
    print(f"    barycenter generator -> true local: exact W1 {fmt_ci(before.w1, before.interval)}, "
          f"floor {before.floor:.3f}")

    # 2. fast adaptation against local-only training, on this toy and on rings
    settings = {"hidden": hidden, "align_steps": align_steps, "adapt_steps": adapt_steps, "warmup": warmup,
                "local_steps": local_steps, "n_eval": n_eval, "n_rep": n_rep, "certify_kw": cert_kw}
    study = adaptation_study("2a", bary, before, true_local, 1000, n_locals, seeds, **settings)
    out["adaptation"], out["adaptation_summary"] = study["adaptation"], study["adaptation_summary"]
    out["config"]["anchors"] = study["anchors"]
    rows = out["adaptation"]
    ring_inputs = [ring(c) for c in CENTERS]
    ring_local = ring(LOCAL_MEAN)
    t0 = time.perf_counter()
    ring_bary = neural_barycenter(ring_inputs, steps=bary_steps, config=LOCAL_CONFIG, hidden=hidden, seed=0)
    t_ring = time.perf_counter() - t0
    cert_r = ob.certify(ring_bary.sampler(), ring_inputs, None, "euclidean", seed=0, **cert_kw)
    ring_before = sample_w1_score(ring_bary, ring_local, n_samples=n_eval, n_repeats=n_rep, seed=100)
    print(f"\n[2b] the same on rings (radius {RING_RADIUS}, width {RING_WIDTH}) at the same centres; "
          f"barycenter generator: {bary_steps} steps in {t_ring:.1f} s, certify relative gap "
          f"{fmt_ci(cert_r.relative_gap, cert_r.relative_interval)}; exact W1 to the true local ring "
          f"{fmt_ci(ring_before.w1, ring_before.interval)}, floor {ring_before.floor:.3f}")
    study = adaptation_study("2b", ring_bary, ring_before, ring_local, 2000, n_locals, seeds, **settings)
    out["rings"] = {"barycenter_relative_gap": cert_r.relative_gap,
                    "barycenter_relative_interval": list(cert_r.relative_interval or (np.nan, np.nan)),
                    "barycenter_seconds": t_ring, **study}

    # 3. ternarisation of the barycenter generator
    t0 = time.perf_counter()
    t0_res = finetune_ternary(bary.generator, steps=0)
    tf = finetune_ternary(bary.generator, inputs, steps=tern_steps, config=LOCAL_CONFIG, seed=0)
    t_tern = time.perf_counter() - t0
    cert_0 = ob.certify(generator_sampler(t0_res.generator), inputs, None, "euclidean", seed=0,
                        reference=bary_ref, **cert_kw)
    cert_t = ob.certify(generator_sampler(tf.generator), inputs, None, "euclidean", seed=0,
                        reference=bary_ref, **cert_kw)
    s = tf.size
    print(f"\n[3] ternarised barycenter generator: {s.n_layers} layers, {s.n_ternary} ternary weights, "
          f"{s.n_float} float parameters")
    print(f"    size {s.float_bits} bits -> {s.ternary_bits} bits ({s.ratio:.1f}x smaller); "
          f"fine-tuning {tern_steps} steps in {t_tern:.1f} s")
    print("| model | certify relative gap [two-sided 95% bounds] |")
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
        ad_w1, ad_ci = row["adapted"]["w1"], row["adapted"]["interval"]
        local = np.asarray(row["local_samples"])
        t0 = time.perf_counter()
        fu = fit_fusion(kdes, local, grid)
        t_fu = time.perf_counter() - t0
        sf = sample_w1_score(fu.measure, true_local, n_samples=n_eval, n_repeats=n_rep, seed=200 + seed)
        frows.append({"n_local": n_local, "seed": seed, "weights": fu.weights.tolist(), "fusion_w1": sf.w1,
                      "fusion_interval": list(sf.interval), "seconds": t_fu})
        print(f"| {n_local} | {seed} | {np.round(fu.weights, 3).tolist()} | {fmt_ci(sf.w1, sf.interval)} | "
              f"{fmt_ci(ad_w1, ad_ci)} | {t_fu:.2f} |", flush=True)
    out["fusion"] = frows

    total = time.perf_counter() - t_all
    out["total_seconds"] = total
    print(f"\ntotal {total:.1f} s")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=1, default=float)
    return 0


if __name__ == "__main__":
    sys.exit(main())
