"""
Exact W1 barycenters across the weight simplex
==============================================

Four shapes sit at the corners of a square -- a square, a disc, a triangle and an annulus from
``otbary.toys``, each fitted into the same grid of the unit square -- and every other panel is the
exact W1 barycenter (cityblock metric, fixed support = the grid, certified by dual potentials)
for the bilinear weights ``lambda = ((1-s)(1-t), s(1-t), (1-s)t, st)`` at a 5 x 5 grid of
``(s, t)`` in ``[0, 1]^2``. Each panel's title is its objective
``sum_k lambda_k W1(mu, nu_k)``. Unlike the quadratic (W2) barycenter, the W1 barycenter does
not blend the shapes: along an edge, with two inputs and unequal weights, it is the heavier input
(theory fact 5); at an edge's middle (equal weights) it is one of many optimal answers; inside it
keeps large pieces of the heavier shapes. Full mode: 64 x 64 grid
(about a minute); ``--quick``: 16 x 16. The script prints each panel's weights, objective and
duality gap (all gaps below 1e-6).
"""

import time

import matplotlib

matplotlib.use("Agg")

import numpy as np

import otbary as ob
from otbary import toys
from otbary.plotting import finish_example, plot_simplex_grid, quick_mode

QUICK = quick_mode()
N = 16 if QUICK else 64
STEPS = 5

grid = ob.Grid((N, N), spacing=1 / (N - 1))
corners = [
    toys.get("square").fit(grid, margin=0.2),
    toys.get("disc").fit(grid, margin=0.12),
    toys.get("triangle").fit(grid, margin=0.12),
    toys.get("annulus", inner=0.55).fit(grid, margin=0.12),
]
inputs = [t.histogram(grid) for t in corners]

t0 = time.perf_counter()
cells, titles = [], []
print(f"grid {N}x{N}, metric cityblock; weights lambda = ((1-s)(1-t), s(1-t), (1-s)t, st)")
print("   s     t   objective     gap")
for t in np.linspace(0, 1, STEPS)[::-1]:  # top row: t = 1
    row, row_titles = [], []
    for s in np.linspace(0, 1, STEPS):
        lam = np.array([(1 - s) * (1 - t), s * (1 - t), (1 - s) * t, s * t])
        keep = lam > 1e-12  # a zero weight drops that input from the objective
        used = [m for m, k in zip(inputs, keep, strict=True) if k]
        if len(used) == 1:
            mu, cost, gap = used[0], 0.0, 0.0
        else:
            res = ob.barycenter(used, weights=lam[keep] / lam[keep].sum(), metric="cityblock")
            mu, cost, gap = res.measure, res.cost, res.gap
        row.append(mu)
        row_titles.append(f"{cost:.3f}")
        print(f"{s:5.2f} {t:5.2f}  {cost:10.6f}  {gap:.1e}")
    cells.append(row)
    titles.append(row_titles)
elapsed = time.perf_counter() - t0
print(f"{STEPS * STEPS} panels in {elapsed:.1f} s")

fig = plot_simplex_grid(
    cells, titles, highlight=[(0, 0), (0, STEPS - 1), (STEPS - 1, 0), (STEPS - 1, STEPS - 1)],
    suptitle=f"Exact W1 barycenters (cityblock, {N}x{N} grid) at bilinear weights; titles: objective",
)
finish_example(fig, "plot_weight_simplex")
