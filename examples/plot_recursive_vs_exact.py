"""
The recursive pairwise barycenter against the exact W1 barycenter
==================================================================

Three histograms on a 32 x 32 grid of the unit square (a disc, a ring and a Gaussian, weights
0.5 / 0.3 / 0.2, cityblock metric). Top: the inputs. Bottom left: the recursive pairwise
barycenter ``b_3`` (``ob.recursive_barycenter``, each ``b_k`` re-binned on the grid); bottom
middle: the exact barycenter on the grid (``ob.barycenter``), each titled with its exact
objective ``sum_k lambda_k W1(., nu_k)``. Bottom right: the recursion's objective for the six
orders of the inputs (re-binned at every step, and as exact point clouds), against the
certified optimum over grid measures. At full size the recursion is about 12% above the optimum
(0.329-0.334 against 0.295) and the order changes its objective by about 1.5%, with or without
re-binning.
"""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import otbary as ob  # noqa: E402
from otbary.plotting import finish_example, plot_histogram, quick_mode  # noqa: E402
from otbary.toys import disc, gaussian, ring  # noqa: E402

QUICK = quick_mode()
N = 14 if QUICK else 32
METRIC = "cityblock"
LAM = np.array([0.5, 0.3, 0.2])
NAMES = ["disc", "ring", "Gaussian"]

grid = ob.Grid((N, N), spacing=1 / (N - 1))
inputs = [disc(grid, center=(0.25, 0.25), radius=0.15),
          ring(grid, center=(0.7, 0.3), radius=0.2, width=0.06),
          gaussian(grid, center=(0.45, 0.75), sigma=0.08)]

exact = ob.barycenter(inputs, LAM, METRIC)
rec = ob.recursive_barycenter(inputs, LAM, METRIC, rebin=True, optimum=True)
orders = list(itertools.permutations(range(3)))
order_costs = [ob.recursive_barycenter([inputs[i] for i in p], LAM[list(p)], METRIC, rebin=True,
                                       bound=False).cost for p in orders]
# the same without re-binning (point clouds, objectives through the exact point-cloud path): the
# order dependence is the recursion's, not the re-binning's
cloud_costs = [ob.recursive_barycenter([inputs[i] for i in p], LAM[list(p)], METRIC, bound=False).cost
               for p in orders]

print(f"grid {N}x{N}, metric {METRIC}, weights {LAM.tolist()}")
print(f"exact barycenter: objective {exact.cost:.5f} (certified lower bound {exact.lower_bound:.5f})")
print(f"recursive (order 1,2,3): objective {rec.cost:.5f}, certified gap {rec.gap:.5f} "
      f"({100 * rec.gap / exact.cost:.1f}% of the optimum)")
for p, c, cc in zip(orders, order_costs, cloud_costs, strict=True):
    print(f"  order {tuple(i + 1 for i in p)}: objective {c:.5f} (re-binned), {cc:.5f} (point cloud)")

fig = plt.figure(figsize=(9.0, 6.2))
top = [fig.add_subplot(2, 3, i + 1) for i in range(3)]
bottom = [fig.add_subplot(2, 3, 4 + i) for i in range(3)]
vmax = max(float(m.weights.max()) for m in [*inputs, rec.measure, exact.measure])
for ax, m, name, lk in zip(top, inputs, NAMES, LAM, strict=True):
    plot_histogram(ax, m, title=f"nu: {name}, lambda = {lk:g}", vmax=vmax)
plot_histogram(bottom[0], rec.measure, vmax=vmax,
               title=f"recursive (order 1,2,3)\nobjective {rec.cost:.4f}")
plot_histogram(bottom[1], exact.measure, vmax=vmax, title=f"exact barycenter\nobjective {exact.cost:.4f}")
for ax in [*top, *bottom[:2]]:
    ax.set_xticks([])
    ax.set_yticks([])
ax = bottom[2]
labels = ["".join(str(i + 1) for i in p) for p in orders]
xs = np.arange(len(orders))
ax.bar(xs - 0.2, order_costs, width=0.4, color="#5b2a86", alpha=0.75, label="recursive, re-binned")
ax.bar(xs + 0.2, cloud_costs, width=0.4, color="#e08a2c", alpha=0.75, label="recursive, point cloud")
ax.set_xticks(xs, labels)
ax.axhline(exact.cost, color="k", lw=1.2, label="exact optimum (grid)")
hi, lo = max(order_costs + cloud_costs), min([exact.cost, *order_costs, *cloud_costs])
ax.set_ylim(lo - 0.25 * (hi - lo), hi + 0.6 * (hi - lo))
ax.set_title("objective by order of the inputs", fontsize=9)
ax.set_xlabel("order", fontsize=8)
ax.tick_params(labelsize=7)
ax.legend(fontsize=6.5, loc="upper left")
fig.suptitle(f"W1 barycenters of three shapes ({METRIC}, {N}x{N} grid)", fontsize=10)
fig.tight_layout()
assert exact.lower_bound <= min(order_costs) + 1e-9
finish_example(fig, "plot_recursive_vs_exact")
