"""
Two measures: the heavier input, or many optimal answers
========================================================

The W1 barycenter of two measures ``nu_1`` (a disc) and ``nu_2`` (a triangle) on a grid of the
unit square, cityblock metric (theory fact 5). Top row, weights 0.7 / 0.3: the unique barycenter
is the heavier input ``nu_1``; the exact solver returns it (``W1(mu, nu_1)`` printed, ~ 0) with
objective ``0.3 W1(nu_1, nu_2)``, while ``nu_2`` costs ``0.7 W1(nu_1, nu_2)``. Bottom row, equal
weights: ``nu_1``, ``nu_2``, every mixture ``(1 - t) nu_1 + t nu_2`` and the solver's own answer
are all optimal, each with objective exactly ``W1(nu_1, nu_2) / 2`` (the titles show it): the
optimal *value* is unique, the measure is not, so candidates are compared by their objective.
Full mode: 40 x 40 grid; ``--quick``: 16 x 16.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

import otbary as ob
from otbary import toys
from otbary.plotting import finish_example, hide_ticks, objective_label, plot_histogram, quick_mode

QUICK = quick_mode()
N = 16 if QUICK else 40
METRIC = "cityblock"

grid = ob.Grid((N, N), spacing=1 / (N - 1))
nu1 = toys.get("disc").scale(0.2).shift((0.3, 0.32)).histogram(grid)
nu2 = toys.get("triangle").scale(0.22).shift((0.68, 0.66)).histogram(grid)
d12 = ob.w1(nu1, nu2, metric=METRIC)


def objective(mu: ob.Measure, lam: tuple[float, float]) -> float:
    """sum_k lambda_k W1(mu, nu_k), each W1 exact."""
    return lam[0] * ob.w1(mu, nu1, metric=METRIC) + lam[1] * ob.w1(mu, nu2, metric=METRIC)


def mix(t: float) -> ob.Measure:
    return ob.Measure.on_grid(grid, (1 - t) * nu1.values() + t * nu2.values())


print(f"grid {N}x{N}, metric {METRIC}: W1(nu_1, nu_2) = {d12:.6f}")
unequal = (0.7, 0.3)
res_u = ob.barycenter([nu1, nu2], weights=list(unequal), metric=METRIC)
top = [("nu_1 (w 0.7)", nu1), ("nu_2 (w 0.3)", nu2), ("solver", res_u.measure)]
print(f"weights 0.7/0.3: solver objective {res_u.cost:.6f}, 0.3 W1 = {0.3 * d12:.6f}, "
      f"W1(solver, nu_1) = {ob.w1(res_u.measure, nu1, metric=METRIC):.2e}")

equal = (0.5, 0.5)
res_e = ob.barycenter([nu1, nu2], weights=list(equal), metric=METRIC)
bottom = [("nu_1", nu1), ("mixture t=0.25", mix(0.25)), ("mixture t=0.5", mix(0.5)),
          ("mixture t=0.75", mix(0.75)), ("nu_2", nu2), ("solver", res_e.measure)]
print(f"weights 0.5/0.5: W1(nu_1, nu_2)/2 = {d12 / 2:.6f}")

fig, axes = plt.subplots(2, len(bottom), figsize=(2.0 * len(bottom), 4.8))
vmax = max(float(m.weights.max()) for _, m in top + bottom)
for ax in axes[0, len(top):]:
    ax.axis("off")
for row, (lam, panels) in enumerate([(unequal, top), (equal, bottom)]):
    for ax, (name, mu) in zip(axes[row], panels, strict=False):
        obj = objective(mu, lam)
        print(f"  {lam} {name:15s} objective {obj:.6f}")
        plot_histogram(ax, mu, vmax=vmax, title=f"{name}\n{objective_label(obj)}")
        hide_ticks(ax)
axes[0, 0].set_ylabel("weights 0.7 / 0.3")
axes[1, 0].set_ylabel("weights 0.5 / 0.5")
fig.suptitle(f"Two-measure W1 barycenters (cityblock, {N}x{N}); W1(nu_1, nu_2) = {d12:.4f}", fontsize=10)
fig.tight_layout()
finish_example(fig, "plot_non_uniqueness")
