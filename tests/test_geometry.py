"""Grids and ground metrics: node order, indexing, norms and distances."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import otbary as ob
from otbary.geometry import check_metric, norm, pairwise_distances
from otbary.testing import strategies as ots

finite = st.floats(-10.0, 10.0, allow_nan=False, allow_subnormal=False)


def _brute_norm(v: np.ndarray, metric: str) -> float:
    a = [abs(float(x)) for x in v]
    if metric == "cityblock":
        return sum(a)
    if metric == "chebyshev":
        return max(a)
    return float(sum(x * x for x in a) ** 0.5)


@given(ots.grids())
def test_grid_points_c_order_and_index(g: ob.Grid) -> None:
    pts = g.points
    assert pts.shape == (g.size, g.ndim)
    assert g.size == int(np.prod(g.shape))
    for flat, mi in enumerate(itertools.product(*[range(s) for s in g.shape])):
        expected = np.asarray(g.origin) + np.asarray(g.spacing) * np.asarray(mi)
        np.testing.assert_allclose(pts[flat], expected, rtol=1e-14, atol=1e-14)
        assert int(g.index(np.asarray(mi))) == flat
    all_mi = np.array(list(itertools.product(*[range(s) for s in g.shape])), dtype=int)
    np.testing.assert_array_equal(g.index(all_mi), np.arange(g.size))


@given(ots.grids())
def test_grid_axes_match_points(g: ob.Grid) -> None:
    for ax, coords in enumerate(g.axes):
        assert coords.shape == (g.shape[ax],)
        np.testing.assert_allclose(np.unique(g.points[:, ax]), np.unique(coords))


def test_grid_defaults_and_broadcasting() -> None:
    g = ob.Grid(4)
    assert g.shape == (4,) and g.spacing == (1.0,) and g.origin == (0.0,) and g.ndim == 1
    np.testing.assert_array_equal(g.points[:, 0], [0.0, 1.0, 2.0, 3.0])
    g2 = ob.Grid((2, 3), spacing=(0.5, 2.0), origin=(1.0, -1.0))
    assert g2.size == 6 and g2.ndim == 2
    np.testing.assert_array_equal(g2.points[1], [1.0, 1.0])  # last axis varies fastest
    np.testing.assert_array_equal(g2.points[3], [1.5, -1.0])
    assert ob.Grid((2, 3)) == ob.Grid([2, 3], 1.0, 0.0)
    assert ob.Grid((2, 3)) != ob.Grid((3, 2))
    assert hash(ob.Grid((2, 3))) == hash(ob.Grid((2, 3), 1.0, (0.0, 0.0)))
    assert "Grid(" in repr(g2)


def test_grid_is_immutable() -> None:
    g = ob.Grid((2, 2))
    with pytest.raises(AttributeError):
        g.shape = (3, 3)  # type: ignore[misc]


@pytest.mark.parametrize("metric", ob.METRICS)
@given(v=hnp.arrays(np.float64, (4, 3), elements=finite))
def test_norm_matches_definition(metric: str, v: np.ndarray) -> None:
    got = norm(v, metric)
    for i in range(v.shape[0]):
        assert got[i] == pytest.approx(_brute_norm(v[i], metric), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("metric", ob.METRICS)
@given(
    x=hnp.arrays(np.float64, (3, 2), elements=finite),
    y=hnp.arrays(np.float64, (4, 2), elements=finite),
)
def test_pairwise_distances_is_norm_of_difference(metric: str, x: np.ndarray, y: np.ndarray) -> None:
    d = pairwise_distances(x, y, metric)
    assert d.shape == (3, 4)
    for i in range(3):
        for j in range(4):
            assert d[i, j] == pytest.approx(_brute_norm(x[i] - y[j], metric), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("metric", ob.METRICS)
@given(
    a=hnp.arrays(np.float64, (2,), elements=finite),
    b=hnp.arrays(np.float64, (2,), elements=finite),
    s=finite,
)
def test_norm_axioms(metric: str, a: np.ndarray, b: np.ndarray, s: float) -> None:
    assert norm(a + b, metric) <= norm(a, metric) + norm(b, metric) + 1e-12
    assert norm(s * a, metric) == pytest.approx(abs(s) * norm(a, metric), rel=1e-12, abs=1e-12)
    # the three norms are ordered: chebyshev <= euclidean <= cityblock
    assert norm(a, "chebyshev") <= norm(a, "euclidean") + 1e-12 <= norm(a, "cityblock") + 2e-12


def test_check_metric() -> None:
    for m in ob.METRICS:
        assert check_metric(m) == m
    assert set(ob.METRICS) == {"cityblock", "chebyshev", "euclidean"}
    with pytest.raises(ValueError, match="metric"):
        check_metric("sqeuclidean")
    with pytest.raises(TypeError, match="metric"):
        check_metric(2)


def test_pairwise_distances_dimension_mismatch() -> None:
    with pytest.raises(ValueError, match="dimension"):
        pairwise_distances(np.zeros((2, 2)), np.zeros((2, 3)), "euclidean")


@pytest.mark.parametrize("metric", ["cityblock", "chebyshev", "euclidean"])
def test_grid_nearest_matches_brute_force(metric: str) -> None:
    """Grid.nearest is the brute-force nearest node (points inside and outside the grid)."""
    from scipy.spatial.distance import cdist

    g = ob.Grid((7, 5), spacing=(0.3, 0.5), origin=(-1.0, 2.0))
    rng = np.random.default_rng(0)
    x = rng.uniform([-1.5, 1.5], [1.3, 4.5], size=(400, 2))
    d = cdist(x, g.points, metric={"cityblock": "cityblock", "chebyshev": "chebyshev",
                                   "euclidean": "euclidean"}[metric])
    got = g.nearest(x)
    np.testing.assert_allclose(d[np.arange(len(x)), got], d.min(axis=1), rtol=0, atol=1e-12)
