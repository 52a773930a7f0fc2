"""Lipschitz envelopes and potentials (the certificates behind every bound)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import otbary as ob
from otbary.potentials import barycenter_lower_bound, lipschitz_envelope, w1_lower_bound
from otbary.testing import lipschitz_violation, mcshane
from otbary.testing import strategies as ots

lipschitz_constants = st.sampled_from([1.0, 0.5, 0.3, 2.0])


def _brute_envelope(values: np.ndarray, points: np.ndarray, metric: str, lip: float) -> np.ndarray:
    """``g_i = min_j v_j + L d(x_i, x_j)`` with an explicit double loop over the norm."""
    n = values.shape[0]
    out = np.empty(n)
    for i in range(n):
        diff = np.abs(points[i][None, :] - points)
        if metric == "cityblock":
            d = diff.sum(axis=1)
        elif metric == "chebyshev":
            d = diff.max(axis=1)
        else:
            d = np.sqrt((diff**2).sum(axis=1))
        out[i] = np.min(values + lip * d)
    return out


@st.composite
def cloud_and_values(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    mu = draw(ots.point_clouds(dim=draw(st.sampled_from([1, 2, 3])), max_size=10))
    v = draw(hnp.arrays(np.float64, (mu.size,), elements=st.floats(-5, 5, allow_subnormal=False)))
    return np.asarray(mu.points), v


@pytest.mark.parametrize("metric", ob.METRICS)
@given(pv=cloud_and_values(), lip=lipschitz_constants)
def test_envelope_is_lipschitz_minorant(metric: str, pv: tuple[np.ndarray, np.ndarray], lip: float) -> None:
    pts, v = pv
    g = lipschitz_envelope(v, pts, metric, lip)
    np.testing.assert_allclose(g, _brute_envelope(v, pts, metric, lip), rtol=0, atol=1e-12)
    assert np.all(g <= v + 1e-12)
    # duplicated points get the same (smallest) value, so the brute check applies
    assert lipschitz_violation(pts, g, metric, lip) <= 1e-9


@pytest.mark.parametrize("metric", ob.METRICS)
@given(pv=cloud_and_values(), lip=lipschitz_constants)
def test_envelope_is_identity_on_lipschitz_input(
    metric: str, pv: tuple[np.ndarray, np.ndarray], lip: float
) -> None:
    pts, v = pv
    g = _brute_envelope(v, pts, metric, lip)  # already L-Lipschitz
    np.testing.assert_allclose(lipschitz_envelope(g, pts, metric, lip), g, rtol=0, atol=1e-12)
    # a linear form of dual norm L is L-Lipschitz too
    phi = np.zeros(pts.shape[1])
    phi[0] = lip
    lin = pts @ phi
    np.testing.assert_allclose(lipschitz_envelope(lin, pts, metric, lip), lin, rtol=0, atol=1e-12)


@st.composite
def grid_and_values(draw: st.DrawFn, uniform: bool | None = None) -> tuple[ob.Grid, np.ndarray]:
    g = draw(ots.grids(max_side=6, max_size=60, uniform_spacing=uniform))
    v = draw(hnp.arrays(np.float64, (g.size,), elements=st.floats(-5, 5, allow_subnormal=False)))
    return g, v


@given(gv=grid_and_values(), lip=lipschitz_constants)
def test_cityblock_grid_fast_path_matches_quadratic_formula(
    gv: tuple[ob.Grid, np.ndarray], lip: float
) -> None:
    g, v = gv
    fast = lipschitz_envelope(v, g.points, "cityblock", lip, grid=g)
    np.testing.assert_allclose(fast, _brute_envelope(v, g.points, "cityblock", lip), rtol=0, atol=1e-10)


@given(gv=grid_and_values(uniform=True), lip=lipschitz_constants)
def test_chebyshev_grid_graph_path_matches_quadratic_formula(
    gv: tuple[ob.Grid, np.ndarray], lip: float
) -> None:
    g, v = gv
    fast = lipschitz_envelope(v, g.points, "chebyshev", lip, grid=g)
    np.testing.assert_allclose(fast, _brute_envelope(v, g.points, "chebyshev", lip), rtol=0, atol=1e-10)


@pytest.mark.parametrize("metric", ob.METRICS)
@given(gv=grid_and_values(), lip=lipschitz_constants)
def test_grid_envelope_any_spacing_matches_quadratic_formula(
    metric: str, gv: tuple[ob.Grid, np.ndarray], lip: float
) -> None:
    g, v = gv
    got = lipschitz_envelope(v, g.points, metric, lip, grid=g)
    np.testing.assert_allclose(got, _brute_envelope(v, g.points, metric, lip), rtol=0, atol=1e-10)


def _absolute_violation(p: np.ndarray, v: np.ndarray, metric: str, lip: float) -> float:
    """``max_{i,j} f_i - f_j - L d(p_i, p_j)``."""
    from scipy.spatial.distance import cdist

    return float(np.max(v[:, None] - v[None, :] - lip * cdist(p, p, metric=metric)))


@pytest.mark.parametrize("metric", ob.METRICS)
@given(
    pv=cloud_and_values(),
    lip=lipschitz_constants,
    x=hnp.arrays(np.float64, (6, 3), elements=st.floats(-6, 6, allow_subnormal=False)),
)
def test_potential_mcshane_extension(
    metric: str, pv: tuple[np.ndarray, np.ndarray], lip: float, x: np.ndarray
) -> None:
    pts, v = pv
    d = pts.shape[1]
    vals = _brute_envelope(v, pts, metric, lip)
    f = ob.Potential(pts, vals, metric, lipschitz=lip)
    # agrees with its values on its points
    np.testing.assert_allclose(f(pts), vals, rtol=0, atol=1e-12)
    assert f.max_violation() <= 1e-12
    # L-Lipschitz off them, and equal to the direct formula
    xs = x[:, :d]
    fx = f(xs)
    np.testing.assert_allclose(fx, mcshane(pts, vals, xs, metric, lip), rtol=0, atol=1e-12)
    allp = np.concatenate([pts, xs])
    allv = np.concatenate([vals, fx])
    # in absolute terms: a ratio over two points 1e-7 apart amplifies the rounding of the values
    assert _absolute_violation(allp, allv, metric, lip) <= 1e-12 * (1.0 + float(np.max(np.abs(allv))))


def test_potential_detects_violation_and_validates() -> None:
    f = ob.Potential([[0.0], [1.0]], [0.0, 2.0], "euclidean")
    assert f.max_violation() == pytest.approx(1.0)
    assert f.lipschitz == 1.0 and f.metric == "euclidean"
    assert "Potential(" in repr(f)
    with pytest.raises(ValueError, match="values"):
        ob.Potential([[0.0], [1.0]], [0.0], "euclidean")
    with pytest.raises(ValueError, match="metric"):
        ob.Potential([[0.0]], [0.0], "l2")


def test_lower_bound_formulas() -> None:
    assert w1_lower_bound([1.0, 2.0], [0.5, 0.5], [0.0], [1.0]) == pytest.approx(1.5)
    # g_1 = (0, 1) on the support and (0,) on nu_1; g_2 = (1, 0) and (2,) on nu_2
    lb = barycenter_lower_bound([[0.0, 1.0], [1.0, 0.0]], [[0.0], [2.0]], [[1.0], [1.0]])
    assert lb == pytest.approx(1.0 - 2.0)


@pytest.mark.parametrize("metric", ob.METRICS)
def test_lipschitz_violation_helper(metric: str) -> None:
    pts = np.array([[0.0, 0.0], [1.0, 1.0]])
    d = float(ob.geometry.norm(pts[1] - pts[0], metric))
    assert lipschitz_violation(pts, [0.0, d], metric) == pytest.approx(0.0, abs=1e-15)
    assert lipschitz_violation(pts, [0.0, 2 * d], metric) == pytest.approx(1.0)
    assert lipschitz_violation([[0.0, 0.0], [0.0, 0.0]], [0.0, 1.0], metric) == np.inf
