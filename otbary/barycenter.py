"""``ob.barycenter``: the dispatcher above both solver families.

``method="exact"`` goes to :func:`otbary.exact.barycenter.exact_barycenter` (which picks the
exact path that fits the inputs and the support), ``method="entropic"`` to
:func:`otbary.entropic.entropic_barycenter`. Neither family imports this module.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence, Union

from numpy.typing import ArrayLike

from .exact.barycenter import exact_barycenter
from .geometry import check_metric
from .measures import Measure, check_measures, check_weights
from .results import BarycenterResult
from .support import SupportArg

__all__ = ["METHODS", "barycenter"]

#: The solver families of :func:`barycenter`.
METHODS = ("exact", "entropic")


def barycenter(
    measures: Sequence[Measure],
    weights: Optional[ArrayLike] = None,
    metric: str = "euclidean",
    method: str = "exact",
    support: SupportArg = None,
    eps: Optional[float] = None,
    *,
    tol: Optional[float] = None,
    max_iter: Optional[int] = None,
    on_max_iter: Optional[str] = None,
    debiased: Optional[bool] = None,
    eps_scaling: Union[bool, float, None] = None,
    exact_cost: Optional[bool] = None,
    certify: Optional[bool] = None,
    relaxation: Optional[float] = None,
) -> BarycenterResult:
    r"""Wasserstein-1 barycenter of ``nu_1..nu_K``.

    .. math::

        \min_{\mu} \; \sum_{k=1}^K \lambda_k W_1(\mu, \nu_k)

    over probability measures ``mu`` on the chosen support. With ``method="exact"`` the
    answer is certified: ``.lower_bound`` comes from ``lambda_k``-Lipschitz dual potentials
    ``g_k`` (theory fact 3), ``.cost`` is recomputed exactly and ``.gap`` is their
    difference (zero up to the solver tolerance).

    Paths:

    * ``support=None`` and 1D point clouds: closed form, the CDF of ``mu`` is the pointwise
      lower weighted median of the inputs' CDFs (optimal over *all* measures on the line);
    * ``support=None`` and all measures on one :class:`~otbary.Grid`: one min-cost flow per
      input sharing ``mu`` (fixed support = the grid);
    * ``support=None`` and point clouds: the LP on the union of the supports;
    * ``support`` a Grid, a Measure or an ``(n, d)`` array: the LP on those points;
    * ``support="free"``: the multi-marginal formulation (optimal over all measures),
      limited to small inputs.

    Parameters
    ----------
    measures : sequence of Measure or array_like
        The inputs ``nu_k``, all of one dimension; an ``(n, d)`` array of points stands for the
        uniform empirical measure of its rows.
    weights : array_like, optional
        ``lambda``: non-negative, summing to one, one per measure (POT convention);
        ``None`` gives ``1/K`` each. Anything else raises ``ValueError``.
    metric : {"euclidean", "cityblock", "chebyshev"}
    method : {"exact", "entropic"}
    support : None, "free", Grid, Measure or array_like
    eps : float, optional
        Entropic regularisation (``method="entropic"`` only, where it is required).
    tol, max_iter, on_max_iter, debiased, eps_scaling, exact_cost, certify, relaxation
        Keyword-only options of the entropic solver (``method="entropic"`` only; passing
        one with ``method="exact"`` raises ``ValueError``), forwarded to
        :func:`otbary.entropic.entropic_barycenter`: marginal tolerance, iteration cap,
        ``"warn"``/``"raise"`` at the cap, debiased barycenter (Janati et al. 2020),
        eps-annealing, exact ``.cost`` (default ``True``), ``certify=True`` for the exact
        optimum on the same support as ``.lower_bound``, over-relaxation. With ``method="entropic"``,
        ``.cost`` is still the *exact* objective of the returned measure; the entropic
        value is in ``.info["entropic_value"]``.

    Returns
    -------
    BarycenterResult
    """
    ms = check_measures(measures)
    lam = check_weights(weights, len(ms))
    metric = check_metric(metric)
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(f"method={method!r} is unknown; choose one of {METHODS}")
    entropic_options: dict[str, Any] = {
        "tol": tol, "max_iter": max_iter, "on_max_iter": on_max_iter, "debiased": debiased,
        "eps_scaling": eps_scaling, "exact_cost": exact_cost, "certify": certify, "relaxation": relaxation,
    }
    given = {k: v for k, v in entropic_options.items() if v is not None}
    if method == "entropic":
        from .entropic import entropic_barycenter

        if eps is None:
            raise ValueError("eps is required with method='entropic' (a finite number > 0)")
        return entropic_barycenter(ms, lam, metric, eps=eps, support=support, **given)
    if given:
        raise ValueError(f"{', '.join(sorted(given))}: only used with method='entropic'")
    if eps is not None:
        raise ValueError("eps is only used with method='entropic'")
    return exact_barycenter(ms, lam, metric, support)
