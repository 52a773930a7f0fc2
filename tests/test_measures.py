"""Measures: construction, validation, grids, POT round trip, compress; and the strategies."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import otbary as ob
from otbary.measures import MASS_TOL, check_measures, check_weights, common_grid
from otbary.testing import strategies as ots


def test_uniform_default_and_1d_points() -> None:
    mu = ob.Measure([0.0, 1.0, 3.0])
    assert mu.points.shape == (3, 1) and mu.dim == 1 and mu.size == 3
    np.testing.assert_array_equal(mu.weights, np.full(3, 1 / 3))
    assert mu.grid is None
    assert mu.mean() == pytest.approx([4 / 3])


def test_arrays_are_read_only() -> None:
    mu = ob.Measure(np.array([[0.0, 0.0], [1.0, 2.0]]), np.array([0.25, 0.75]))
    with pytest.raises(ValueError):
        mu.points[0, 0] = 1.0
    with pytest.raises(ValueError):
        mu.weights[0] = 1.0


def test_constructor_copies_and_leaves_caller_arrays_writable() -> None:
    pts = np.array([[0.0, 0.0], [1.0, 2.0]])
    w = np.array([0.25, 0.75])
    mu = ob.Measure(pts, w)
    assert pts.flags.writeable and w.flags.writeable, "Measure() froze the caller's arrays"
    pts[0, 0] = 99.0
    w[0] = 99.0
    assert mu.points[0, 0] == 0.0 and mu.weights[0] == 0.25


def test_normalize_flag() -> None:
    mu = ob.Measure([[0.0], [1.0]], [2.0, 6.0], normalize=True)
    np.testing.assert_allclose(mu.weights, [0.25, 0.75])
    with pytest.raises(ValueError, match="weights"):
        ob.Measure([[0.0], [1.0]], [2.0, 6.0])
    # within MASS_TOL is accepted (and renormalised)
    mu2 = ob.Measure([[0.0], [1.0]], [0.5, 0.5 + MASS_TOL / 2])
    assert abs(mu2.weights.sum() - 1.0) <= 1e-15


def test_zero_mass_atoms_are_kept() -> None:
    mu = ob.Measure([[0.0], [1.0], [2.0]], [0.5, 0.0, 0.5])
    assert mu.size == 3
    c = mu.compress()
    assert c.size == 2 and c.grid is None
    np.testing.assert_array_equal(c.points[:, 0], [0.0, 2.0])
    np.testing.assert_allclose(c.weights, [0.5, 0.5])


@given(ots.point_clouds(dim=2, max_size=8))
def test_pot_round_trip(mu: ob.Measure) -> None:
    x, a = mu.to_pot()
    assert x.shape == (mu.size, mu.dim) and a.shape == (mu.size,)
    x[...] = 123.0  # copies: the measure is not affected
    x, a = mu.to_pot()
    back = ob.Measure.from_pot(x, a)
    np.testing.assert_array_equal(back.points, mu.points)
    np.testing.assert_array_equal(back.weights, mu.weights)
    assert abs(float(a.sum()) - 1.0) <= 1e-12


@given(ots.point_clouds(dim=2, max_size=8), st.sampled_from([0.0, 0.05, 0.2]))
def test_compress(mu: ob.Measure, tol: float) -> None:
    keep = mu.weights > tol
    if not np.any(keep):
        with pytest.raises(ValueError):
            mu.compress(tol)
        return
    c = mu.compress(tol)
    assert c.size == int(keep.sum())
    np.testing.assert_array_equal(c.points, mu.points[keep])
    np.testing.assert_allclose(c.weights, mu.weights[keep] / mu.weights[keep].sum(), rtol=1e-14)
    assert np.all(c.weights > 0)


@given(ots.grids())
def test_on_grid_shapes(g: ob.Grid) -> None:
    rng = np.random.default_rng(0)
    v = rng.random(g.shape) + 0.01
    v /= v.sum()
    a = ob.Measure.on_grid(g, v)
    b = ob.Measure.on_grid(g, v.ravel())
    assert a.grid == g and b.grid == g
    np.testing.assert_array_equal(a.weights, b.weights)
    np.testing.assert_array_equal(a.points, g.points)
    np.testing.assert_allclose(a.values(), v, rtol=1e-14)
    assert a.values().shape == g.shape
    assert a.size == g.size and a.dim == g.ndim
    c = a.compress()
    assert c.grid is None


def test_on_grid_keeps_zero_nodes_and_values_needs_grid() -> None:
    g = ob.Grid((2, 2))
    mu = ob.Measure.on_grid(g, [[1.0, 0.0], [0.0, 0.0]])
    assert mu.size == 4
    np.testing.assert_array_equal(mu.weights, [1.0, 0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="grid"):
        ob.Measure([0.0, 1.0]).values()
    assert "grid" in repr(mu) and "n=2" in repr(ob.Measure([0.0, 1.0]))


def test_check_weights() -> None:
    np.testing.assert_array_equal(check_weights(None, 4), np.full(4, 0.25))
    np.testing.assert_allclose(check_weights([0.2, 0.8], 2), [0.2, 0.8])
    np.testing.assert_allclose(check_weights([0.0, 1.0], 2), [0.0, 1.0])


def test_check_measures_and_common_grid() -> None:
    g = ob.Grid((3,))
    a = ob.Measure.on_grid(g, [1.0, 0.0, 0.0])
    b = ob.Measure.on_grid(g, [0.0, 0.0, 1.0])
    c = ob.Measure.on_grid(ob.Grid((3,), spacing=2.0), [0.0, 0.0, 1.0])
    assert check_measures([a, b]) == [a, b]
    assert check_measures((a, b)) == [a, b]
    assert common_grid([a, b]) == g
    assert common_grid([a, c]) is None
    assert common_grid([a, ob.Measure([0.0])]) is None


# ---- the strategies themselves -------------------------------------------------------


@given(st.integers(1, 6).flatmap(lambda k: st.tuples(st.just(k), ots.weights(k))))
def test_weights_strategy_is_on_simplex(kw: tuple[int, np.ndarray]) -> None:
    k, w = kw
    assert w.shape == (k,)
    assert np.all(w >= 0) and np.all(np.isfinite(w))
    assert abs(float(w.sum()) - 1.0) <= ots.SUM_TOL
    np.testing.assert_array_equal(check_weights(w, k) > 0, w > 0)


@given(ots.weights(5, allow_zeros=False))
def test_weights_strategy_without_zeros(w: np.ndarray) -> None:
    assert np.all(w > 0)


@given(ots.point_clouds(dim=3, min_size=2, max_size=4, coord_range=(-1.0, 1.0)))
def test_point_cloud_strategy(mu: ob.Measure) -> None:
    assert mu.dim == 3 and 2 <= mu.size <= 4 and mu.grid is None
    assert np.all(np.abs(mu.points) <= 1.0)
    assert abs(float(mu.weights.sum()) - 1.0) <= ots.SUM_TOL


@given(ots.grids(dims=(2, 3), max_side=4, max_size=30))
def test_grid_strategy(g: ob.Grid) -> None:
    assert g.ndim in (2, 3) and g.size <= 30 and max(g.shape) <= 4


@given(ots.measure_lists(k=(2, 4)))
def test_measure_lists_share_dimension_or_grid(ms: list[ob.Measure]) -> None:
    assert 2 <= len(ms) <= 4
    assert len({m.dim for m in ms}) == 1
    grids = {m.grid for m in ms}
    assert len(grids) == 1  # all None (point clouds) or one shared grid
    assert check_measures(ms) == ms


@given(ots.grid_measures(ots.grids(dims=(2,)), sparse=True))
def test_sparse_grid_measures(mu: ob.Measure) -> None:
    assert mu.grid is not None
    assert 1 <= int(np.count_nonzero(mu.weights)) <= max(1, min(4, mu.size // 3))


def test_normalise_rejects_bad_input() -> None:
    for bad in ([], [0.0, 0.0], [1.0, -1.0], [np.nan, 1.0], [[1.0]]):
        with pytest.raises(ValueError):
            ots.normalise(bad)
    p = ots.normalise([1.0, 1.0, 1.0, 1e-17])
    assert abs(p.sum() - 1.0) <= ots.SUM_TOL


def test_weighted_median() -> None:
    assert ots.weighted_median([3.0, 1.0, 2.0], [1 / 3, 1 / 3, 1 / 3]) == 2.0
    assert ots.weighted_median([0.0, 10.0], [0.5, 0.5]) == 0.0  # lower median on a tie
    assert ots.weighted_median([0.0, 10.0], [0.4, 0.6]) == 10.0


def test_to_pot_matches_the_measures() -> None:
    from scipy.spatial.distance import cdist

    from otbary.measures import to_pot

    g = ob.Grid((3, 2), spacing=0.5)
    a, b = np.arange(1.0, 7.0), np.arange(6.0, 0.0, -1.0)
    ms = [ob.Measure.on_grid(g, a / a.sum()), ob.Measure.on_grid(g, b / b.sum())]
    A, M, pts = to_pot(ms, "euclidean")
    np.testing.assert_array_equal(pts, g.points)
    np.testing.assert_allclose(A[:, 1], b / b.sum())
    np.testing.assert_allclose(M, cdist(g.points, g.points))
    clouds = [ob.Measure([[0.0, 0.0], [1.0, 1.0]], [0.25, 0.75]), ob.Measure([[1.0, 1.0], [2.0, 0.0]])]
    A, M, pts = to_pot(clouds, "cityblock")
    assert pts.tolist() == [[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]]
    np.testing.assert_allclose(A, [[0.25, 0.0], [0.75, 0.5], [0.0, 0.5]])
    assert M[0, 2] == 2.0 and M[1, 2] == 2.0
    with pytest.raises(ValueError, match=r"measures\[1\] has an atom"):
        to_pot(clouds, "cityblock", support=[[0.0, 0.0], [1.0, 1.0]])
