"""
The toy catalogue: samples and histograms
=========================================

Every toy of ``otbary.toys.list_toys()`` in two of its three forms: the histogram on a grid
(``toy.histogram(grid)``, the image; 2D toys on ``[-1.2, 1.2]^2``, 1D toys on ``[-1.5, 1.5]``)
and i.i.d. samples (``toy.sample(n, seed)``, the dots; the third form, ``toy.points``, is the same
samples as a point cloud). Each title gives the exact cityblock ``W1`` between the histogram and
the ``n`` samples binned to the nearest node: it is small (sampling error ``~ n^{-1/2}`` plus the
discretisation) compared with the grid spacing ``h``, which is what ``tests/test_toys.py``
checks for every toy. Full mode: 64 x 64 grids and ``n = 20000``; ``--quick``: 24 x 24 and 2000.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

import otbary as ob
from otbary import toys
from otbary.plotting import BARY_COLOR, POINT_COLOR, finish_example, hide_ticks, plot_histogram, quick_mode

QUICK = quick_mode()
N = 24 if QUICK else 64
N_SAMPLES = 2000 if QUICK else 20000
SHOWN = 300  # dots drawn per panel

PARAMS: dict[str, dict[str, object]] = {
    "glyph": {"text": "W1"},
    "mixture": {"centers": [[-0.5, -0.4], [0.3, 0.4]], "sigmas": [0.12, 0.2]},
}
grid2 = ob.Grid((N, N), spacing=2.4 / (N - 1), origin=-1.2)
grid1 = ob.Grid((4 * N,), spacing=3.0 / (4 * N - 1), origin=-1.5)

names = toys.list_toys()
ncols = 4
nrows = -(-len(names) // ncols)
fig, axes = plt.subplots(nrows, ncols, figsize=(2.6 * ncols, 2.75 * nrows))
print(f"{'toy':15s} dim   W1(histogram, binned sample)   h     (n = {N_SAMPLES})")
for ax, name in zip(axes.ravel(), names, strict=False):
    toy = toys.get(name, **PARAMS.get(name, {}))
    grid = grid2 if toy.dim == 2 else grid1
    hist = toy.histogram(grid)
    x = toy.sample(N_SAMPLES, seed=0)
    d = ob.w1(hist, toys.bin_samples(x, grid), metric="cityblock")
    h = grid.spacing[0]
    print(f"{name:15s} {toy.dim}    {d:.4f}                         {h:.4f}")
    title = f"{name}\nW1 = {d:.3f} (h = {h:.3f})"
    if toy.dim == 2:
        plot_histogram(ax, hist, title=title)
        ax.scatter(x[:SHOWN, 0], x[:SHOWN, 1], s=1.5, c="#00bcd4", alpha=0.8, linewidths=0)
        ax.set_xlim(-1.2, 1.2)
        ax.set_ylim(-1.2, 1.2)
        hide_ticks(ax)
    else:
        ax.plot(grid.axes[0], hist.values() / h, color=POINT_COLOR, lw=1.2)
        ax.hist(x[:, 0], bins=40, range=(-1.5, 1.5), density=True, color=BARY_COLOR, alpha=0.4)
        ax.set_title(title, fontsize=9)
        ax.set_yticks([])
for ax in axes.ravel()[len(names):]:
    ax.axis("off")
fig.suptitle(f"otbary.toys: histogram (image/line) and {SHOWN} of {N_SAMPLES} samples (dots/bars)",
             fontsize=10)
fig.tight_layout()
finish_example(fig, "plot_toys")
