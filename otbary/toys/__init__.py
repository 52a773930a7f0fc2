"""Toy distributions: the inputs of the demo, the examples and the tests.

The catalogue (:mod:`otbary.toys.catalogue`) holds named toys -- Gaussian mixtures with 8 and 25
modes, ring, annulus, two moons, swiss roll, checkerboard, uniform square / disc / triangle,
letters drawn with matplotlib's text rendering, and 1D toys -- each one :class:`Toy` with three
forms (samples, point cloud, histogram on a grid) and composable affine placement::

    import otbary as ob
    from otbary import toys

    toys.list_toys()                                      # ['25gaussians', '8gaussians', 'annulus', ...]
    t = toys.get("moons").rotate(30).scale(0.4).shift((0.5, 0.5))
    x = t.sample(500, seed=0)                             # (500, 2) array
    cloud = t.points(500, seed=0)                         # Measure, weights 1/500
    hist = t.histogram(ob.Grid((48, 48), spacing=1 / 47))  # Measure on the grid

The five original grid toys (:func:`gaussian`, :func:`disc`, :func:`ring`, :func:`mixture`,
:func:`random_mixture`, module :mod:`otbary.toys.grid`) take a grid first and parameters in the
grid's own units; :func:`translate` shifts a grid histogram by whole nodes (an exact translate)::

    g = ob.Grid((48, 48), spacing=1 / 47)
    rho = toys.toy_histogram("gaussian", g, center=(0.2, 0.2), sigma=0.05)
    nu = toys.translate(rho, (20, 5))
"""

from .catalogue import Toy, bin_samples, describe_toys, get, list_toys, toy_histogram
from .grid import coordinatewise_median, disc, gaussian, mixture, random_mixture, ring, translate

__all__ = [
    "Toy",
    "get",
    "list_toys",
    "describe_toys",
    "toy_histogram",
    "bin_samples",
    "gaussian",
    "disc",
    "ring",
    "mixture",
    "random_mixture",
    "translate",
    "coordinatewise_median",
]
