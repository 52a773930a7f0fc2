"""
Fast adaptation of a neural W1 barycenter to ten local samples
==============================================================

Three pre-trained "models" ``nu_k = N(a_k, 0.5^2 I)`` with ``a_k = (0,0), (4,0), (0,4)`` (grey) and
their neural barycenter (one generator against three WGAN-GP critics, green, first panel; W1
barycenters are not unique, and this crescent is one of them: ``ob.certify`` gives it a relative
gap of about 0.001). A node holds only ten samples (black crosses) of its local distribution
``N((2, 1.5), 0.5^2 I)`` (light orange, drawn for reference only). Second panel: the barycenter
generator before adaptation. Third: ``fast_adapt`` -- the barycenter generator shifted by a learnt
translation (100 steps against a critic on the ten samples), then refined for 100 steps with that
critic and one on the shifted barycenter (weights 0.6 / 0.4, one-sided gradient penalty). Fourth
and fifth: fresh generators trained on the ten samples alone for 400 steps, with ``LOCAL_CONFIG``
(it collapses onto part of them) and with the adaptation's own ``ADAPT_CONFIG`` (one-sided
penalty, slow generator: it stays near its initialisation, a Gaussian at the samples' mean and
spread). Each title gives the exact W1 (``ob.w1``) from 500 model samples to 500 fresh samples of
the true local distribution (mean of 5 repeats); a perfect model scores the floor (two true
samples). Full run: barycenter 1.125 [1.099, 1.151], adapted 0.211 [0.198, 0.224], local only
0.681 [0.665, 0.697] (``LOCAL_CONFIG``) and 0.214 [0.190, 0.239] (``ADAPT_CONFIG``), floor 0.098:
on this Gaussian toy adaptation ties with the second; see ``docs/neural-adaptation.md`` for the
benchmark over seeds, and a toy (rings) where the barycenter's shape is what the local data need.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

from otbary.neural.adaptation import ADAPT_CONFIG, LOCAL_CONFIG, fast_adapt, sample_w1_score, train_local  # noqa: E402
from otbary.neural.barycenter import neural_barycenter  # noqa: E402
from otbary.plotting import COLORS, finish_example, quick_mode  # noqa: E402

torch.set_num_threads(1)
QUICK = quick_mode()
BARY_STEPS, ALIGN_STEPS, ADAPT_STEPS, WARMUP, LOCAL_STEPS = (
    (40, 20, 20, 20, 50) if QUICK else (300, 100, 100, 100, 400))
HIDDEN = (32, 32) if QUICK else (64, 64)
N_EVAL, N_REP = (300, 2) if QUICK else (500, 5)
CENTERS = [(0.0, 0.0), (4.0, 0.0), (0.0, 4.0)]
LOCAL_MEAN = np.array([2.0, 1.5])


def gaussian(mean: tuple[float, float] | np.ndarray):  # noqa: ANN201
    m = np.asarray(mean, dtype=float)
    return lambda n, rng: m + 0.5 * rng.standard_normal((n, 2))


inputs = [gaussian(c) for c in CENTERS]
true_local = gaussian(LOCAL_MEAN)
local = true_local(10, np.random.default_rng(1010))

bary = neural_barycenter(inputs, steps=BARY_STEPS, config=LOCAL_CONFIG, hidden=HIDDEN, seed=0)
adapted = fast_adapt(bary, local, steps=ADAPT_STEPS, warmup=WARMUP, align_steps=ALIGN_STEPS,
                     config=ADAPT_CONFIG, hidden=HIDDEN, seed=0)
alone = train_local(local, steps=LOCAL_STEPS, config=LOCAL_CONFIG, hidden=HIDDEN, seed=0)
alone_ttur = train_local(local, steps=LOCAL_STEPS, config=ADAPT_CONFIG, hidden=HIDDEN, seed=0)

scores = {name: sample_w1_score(m, true_local, n_samples=N_EVAL, n_repeats=N_REP, seed=7)
          for name, m in (("barycenter", bary), ("adapted", adapted), ("local only", alone),
                          ("local only, ADAPT_CONFIG", alone_ttur))}
floor = scores["barycenter"].floor
for name, s in scores.items():
    print(f"{name:24s} exact W1 to the true local distribution {s.w1:.3f} "
          f"[{s.interval[0]:.3f}, {s.interval[1]:.3f}]")
print(f"floor (two true samples of n={N_EVAL}): {floor:.3f}")

rng = np.random.default_rng(3)
ref = true_local(600, rng)
fig, axes = plt.subplots(1, 5, figsize=(18.5, 4.2), sharex=True, sharey=True)
panels = [("inputs and barycenter", bary), ("before: barycenter", bary), ("fast adaptation", adapted),
          ("local samples only (LOCAL_CONFIG)", alone), ("local samples only (ADAPT_CONFIG)", alone_ttur)]
for i, (ax, (title, model)) in enumerate(zip(axes, panels, strict=True)):
    x = model.sample(600, seed=11)
    if i == 0:
        for s in inputs:
            y = s(400, rng)
            ax.scatter(y[:, 0], y[:, 1], s=3, color="0.6", alpha=0.5)
        ax.scatter(x[:, 0], x[:, 1], s=3, color=COLORS[0], alpha=0.6)
        ax.set_title(title, fontsize=10)
    else:
        ax.scatter(ref[:, 0], ref[:, 1], s=3, color=COLORS[1], alpha=0.25)
        ax.scatter(x[:, 0], x[:, 1], s=3, color=COLORS[0], alpha=0.6)
        ax.scatter(local[:, 0], local[:, 1], marker="x", s=40, color="black")
        key = ["barycenter", "adapted", "local only", "local only, ADAPT_CONFIG"][i - 1]
        ax.set_title(f"{title}\nexact W1 to local {scores[key].w1:.3f} (floor {floor:.3f})", fontsize=10)
    ax.set_aspect("equal")
axes[0].set_xlim(-1.8, 5.8)
axes[0].set_ylim(-1.8, 5.8)
fig.tight_layout()
finish_example(fig, "plot_adaptation")
