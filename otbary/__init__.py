"""otbary: exact, fast and checkable Wasserstein-1 barycenters.

Quick tour::

    import otbary as ob
    g = ob.Grid(shape=(32, 32), spacing=1 / 31)
    mu = ob.Measure.on_grid(g, values)          # histogram on a grid
    ob.w1(mu, nu, metric="cityblock")           # exact W1
    res = ob.barycenter([mu, nu, rho], metric="cityblock")
    res.cost, res.lower_bound, res.gap          # certified

Docstrings cite the mathematical facts the code relies on as "theory fact N": they are stated
and proved, numbered, on the Theory page of the documentation (``docs/theory.md``).
"""

from . import toys
from .balls import ball_problem
from .barycenter import barycenter
from .certify import certify
from .entropic import sinkhorn_divergence, sinkhorn_w1
from .errors import NotOptimalError, SizeLimitError
from .exact import solve_w1, w1
from .geometry import METRICS, Grid
from .interpolation import geodesic, interpolate, recursive_barycenter
from .measures import Measure
from .potentials import Potential
from .results import BallResult, BarycenterResult, CertifyResult, SinkhornResult, W1Result

__version__ = "0.1.0"

__all__ = [
    "METRICS",
    "BallResult",
    "BarycenterResult",
    "CertifyResult",
    "SinkhornResult",
    "ball_problem",
    "certify",
    "geodesic",
    "interpolate",
    "recursive_barycenter",
    "sinkhorn_divergence",
    "sinkhorn_w1",
    "toys",
    "Grid",
    "Measure",
    "NotOptimalError",
    "Potential",
    "SizeLimitError",
    "W1Result",
    "barycenter",
    "solve_w1",
    "w1",
]
