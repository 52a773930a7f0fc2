"""
Exact, entropic, recursive and neural barycenters on the same inputs
====================================================================

Three inputs on a grid of the unit square -- a disc, a ring and a triangle from ``otbary.toys``,
weights 0.4 / 0.35 / 0.25 -- and their W1 barycenter by every method of the library: the exact
solver (``ob.barycenter``, cityblock metric, certified by dual potentials), the entropic one at
several ``eps`` (``method="entropic"``: blurrier as ``eps`` grows), the recursive pairwise
scheme (``ob.recursive_barycenter``, theory fact 7: not optimal for W1 in general) and a neural
WGAN-GP generator (``otbary.neural``, euclidean critics, its samples binned to the grid; the panel
is skipped with a note when torch is missing). Every panel is scored by the same *exact*
objective ``sum_k lambda_k W1(mu, nu_k)`` (cityblock), so the titles read directly as the gap to
the certified optimum of the exact panel; the script prints them. A method that is not available
in the installed version is shown as a note instead of a picture. Full mode: 32 x 32 grid, eps in
(0.05, 0.02, 0.01), 3000 neural steps; ``--quick``: 16 x 16, eps in (0.05, 0.02), 40 steps (a smoke run: the
neural panel is then far from converged).
"""

import importlib.util
import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

import otbary as ob
from otbary import toys
from otbary.plotting import finish_example, hide_ticks, objective_label, plot_histogram, quick_mode

QUICK = quick_mode()
N = 16 if QUICK else 32
EPS = (0.05, 0.02) if QUICK else (0.05, 0.02, 0.01)
NEURAL_STEPS = 40 if QUICK else 3000
METRIC = "cityblock"

grid = ob.Grid((N, N), spacing=1 / (N - 1))
placed = [
    toys.get("disc").scale(0.18).shift((0.28, 0.3)),
    toys.get("ring", radius=0.8, width=0.08).scale(0.22).shift((0.7, 0.32)),
    toys.get("triangle").scale(0.2).shift((0.5, 0.72)),
]
nus = [t.histogram(grid) for t in placed]
weights = [0.4, 0.35, 0.25]


def objective(mu: ob.Measure) -> float:
    """Exact sum_k lambda_k W1(mu, nu_k) on the grid (cityblock)."""
    return sum(w * ob.w1(mu, nu, metric=METRIC) for w, nu in zip(weights, nus, strict=True))


def neural() -> ob.Measure:
    from otbary.neural.barycenter import neural_barycenter

    clouds = [t.sample(4000, seed=k) for k, t in enumerate(placed)]
    res = neural_barycenter(clouds, weights, steps=NEURAL_STEPS, hidden=(64, 64), seed=0)
    return toys.bin_samples(res.sample(4000, seed=1), grid)


methods: list[tuple[str, object]] = [
    ("exact", lambda: ob.barycenter(nus, weights=weights, metric=METRIC).measure),
]
for eps in EPS:
    methods.append((f"entropic eps={eps:g}",
                    lambda eps=eps: ob.barycenter(nus, weights=weights, metric=METRIC, method="entropic",
                                                  eps=eps).measure))
methods.append(("recursive", lambda: ob.recursive_barycenter(nus, weights=weights, metric=METRIC).measure))
if importlib.util.find_spec("torch") is not None:
    methods.append((f"neural ({NEURAL_STEPS} steps)", neural))
else:
    methods.append(("neural", None))

panels: list[tuple[str, object]] = []
print(f"grid {N}x{N}, metric {METRIC}, weights {weights}")
for name, make in methods:
    if make is None:
        panels.append((name, "skipped:\ntorch is not installed\n(pip install otbary[neural])"))
        print(f"  {name:24s} skipped (torch missing)")
        continue
    t0 = time.perf_counter()
    try:
        mu = make()  # type: ignore[operator]
    except (NotImplementedError, ImportError) as exc:
        panels.append((name, f"not available:\n{str(exc)[:60]}"))
        print(f"  {name:24s} not available ({exc})")
        continue
    if mu.grid is None:  # a point cloud on the grid's nodes (e.g. the recursive scheme's support)
        mu = toys.bin_samples(mu.points, grid, mu.weights)
    obj = objective(mu)
    panels.append((name, (mu, obj)))
    print(f"  {name:24s} objective {obj:.6f}  ({time.perf_counter() - t0:.1f} s)")

cols = max(len(panels), len(nus))
fig, axes = plt.subplots(2, cols, figsize=(2.1 * cols, 4.9), squeeze=False)
vmax = max(float(m.weights.max()) for m in nus)
for ax, nu, w in zip(axes[0], nus, weights, strict=False):
    plot_histogram(ax, nu, vmax=vmax, title=f"input (λ={w:.2f})")
    hide_ticks(ax)
for ax in axes[0, len(nus):]:
    ax.axis("off")
for ax, (name, content) in zip(axes[1], panels, strict=False):
    if isinstance(content, str):
        ax.text(0.5, 0.5, content, ha="center", va="center", fontsize=8, wrap=True)
        ax.set_title(name, fontsize=9)
        ax.axis("off")
        continue
    mu, obj = content  # type: ignore[misc]
    plot_histogram(ax, mu, title=f"{name}\n{objective_label(obj)}")
    hide_ticks(ax)
for ax in axes[1, len(panels):]:
    ax.axis("off")
fig.suptitle(f"W1 barycenters of the same three inputs ({N}x{N} grid), scored by the exact "
             f"cityblock objective", fontsize=10)
fig.tight_layout()
finish_example(fig, "plot_compare_methods")
