"""
The Wasserstein-ball problem as the radii shrink
================================================

Top row: the target ``tau`` (a wide blob, upper left) and three ball centres ``nu_1..nu_3`` (the
"pre-trained models") on a 32 x 32 grid of the unit square, cityblock metric. Bottom row: the
solution ``mu`` of ``min W1(mu, tau) s.t. W1(mu, nu_k) <= eta_k`` (``ob.ball_problem``) for radii
``eta_k = f W1(tau, nu_k)`` with ``f = 1, 0.85, 0.75, 0.65`` and finally ``f = s*``, the certified
radius scale below which no ``mu`` exists (``f = 0.99 s*`` returns ``feasible=False`` with
``radius_scale = 1.0101``). Each panel gives ``f``, the objective ``W1(mu, tau)`` and the
multipliers ``lambda`` (the coalescence weights: ``mu`` is also a W1 barycenter of
``(tau, nu_1, nu_2, nu_3)`` with weights proportional to ``(1, lambda)``). At ``f = 1`` the balls
touch the target and ``mu = tau`` (objective 0, lambda = 0); as they shrink, only the farthest
ball binds (lambda = (0, 1, 0): moving mass towards ``nu_2`` costs exactly what it gains) and the
objective grows linearly, 0.1484, 0.2473, 0.3462; at ``s* = 0.6060`` all three balls are active,
``mu`` is squeezed into their intersection (objective 0.3897) and the multipliers are no longer
unique (the LP dual is unbounded along the direction that certifies ``s*``).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import otbary as ob  # noqa: E402
from otbary.plotting import finish_example, hide_ticks, plot_histogram, quick_mode  # noqa: E402

QUICK = quick_mode()
N = 16 if QUICK else 32
METRIC = "cityblock"
FACTORS = [1.0, 0.85, 0.75, 0.65]

grid = ob.Grid((N, N), spacing=1 / (N - 1))
x = grid.points


def blob(centre: tuple[float, float], width: tuple[float, float]) -> ob.Measure:
    z = (x - np.array(centre)) / np.array(width)
    return ob.Measure.on_grid(grid, np.exp(-0.5 * (z**2).sum(1)), normalize=True)


target = blob((0.2, 0.75), (0.12, 0.1))
centers = [blob((0.45, 0.25), (0.06, 0.06)), blob((0.8, 0.35), (0.05, 0.1)), blob((0.65, 0.8), (0.1, 0.05))]
d = np.array([ob.w1(target, c, METRIC) for c in centers])

results = [(f, ob.ball_problem(target, centers, f * d, metric=METRIC)) for f in FACTORS]
s_star = results[-1][1].radius_scale * FACTORS[-1]
results.append((s_star, ob.ball_problem(target, centers, s_star * d, metric=METRIC)))
below = ob.ball_problem(target, centers, 0.99 * s_star * d, metric=METRIC)

fig, axes = plt.subplots(2, 5, figsize=(15, 6.4))
plot_histogram(axes[0, 0], target, title="target τ")
for k, c in enumerate(centers):
    plot_histogram(axes[0, k + 1], c, title=f"centre ν{k + 1}, W1(τ, ν{k + 1}) = {d[k]:.3f}")
axes[0, 4].axis("off")
axes[0, 4].text(0.0, 0.5, f"radii η_k = f · W1(τ, ν_k)\nfeasible iff f ≥ s* = {s_star:.4f}\n"
                f"(f = 0.99 s*: feasible = {below.feasible},\n radius_scale = {below.radius_scale:.4f})",
                fontsize=10, va="center")
for ax, (f, res) in zip(axes[1], results, strict=True):
    assert res.feasible and res.measure is not None
    lam = ", ".join(f"{v:.2f}" if v < 10 else f"{v:.0f}" for v in res.multipliers)
    name = "s*" if f == s_star else f"{f:g}"
    plot_histogram(ax, res.measure, title=f"f = {name}: W1(μ, τ) = {res.cost:.4f}\nλ = ({lam})")
    print(f"f = {f:.4f}: objective {res.cost:.4f}, lambda {np.round(res.multipliers, 4)}, "
          f"active {res.active.tolist()}, radius scale {res.radius_scale:.4f}")
for ax in axes.ravel():
    hide_ticks(ax)
fig.suptitle("min W1(μ, τ) s.t. W1(μ, ν_k) ≤ η_k on a grid (ob.ball_problem): "
             "the solution as the radii shrink")
fig.tight_layout()
finish_example(fig, "plot_ball_radii")
