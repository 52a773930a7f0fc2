"""Toy distributions: names, probability vectors, exact translates."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import otbary as ob
from otbary.toys import coordinatewise_median, describe_toys, list_toys, toy_histogram, translate

GRID = ob.Grid((24, 24), spacing=1 / 23)


def _is_probability(m: ob.Measure) -> None:
    w = m.weights
    assert np.all(np.isfinite(w))
    assert np.all(w >= 0)
    assert abs(w.sum() - 1.0) < 1e-12
    assert w.max() > 0


def test_list_toys_sorted_and_described() -> None:
    names = list_toys()
    assert names == sorted(names)
    assert {"gaussian", "disc", "ring", "mixture", "random_mixture"} <= set(names)
    assert set(describe_toys()) == set(names)
    assert all(describe_toys().values())


def test_unknown_toy_lists_valid_names() -> None:
    with pytest.raises(ValueError, match="unknown toy 'banana'") as exc:
        toy_histogram("banana", GRID)
    for name in list_toys():
        assert name in str(exc.value)


def test_unknown_parameter_names_the_toy() -> None:
    with pytest.raises(TypeError, match="gaussian"):
        toy_histogram("gaussian", GRID, radius=0.2)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("gaussian", {}),
        ("gaussian", {"center": (0.3, 0.7), "sigma": 0.05}),
        ("disc", {"radius": 0.2}),
        ("ring", {}),
        ("mixture", {"centers": [[0.2, 0.2], [0.7, 0.6]], "sigmas": [0.05, 0.1], "weights": [1, 3]}),
        ("random_mixture", {"n_components": 4, "seed": 7}),
    ],
)
def test_toys_are_probability_vectors_on_the_grid(name: str, params: dict[str, object]) -> None:
    m = toy_histogram(name, GRID, **params)
    assert m.grid == GRID
    assert m.values().shape == GRID.shape
    _is_probability(m)


@pytest.mark.parametrize("shape", [(30,), (12, 10), (6, 7, 8)])
def test_gaussian_in_every_dimension(shape: tuple[int, ...]) -> None:
    g = ob.Grid(shape, spacing=0.1)
    m = toy_histogram("gaussian", g, sigma=0.2)
    _is_probability(m)
    # centred by default: the mean is the middle of the grid
    np.testing.assert_allclose(m.mean(), [0.1 * (s - 1) / 2 for s in shape], atol=1e-9)


def test_mixture_weights_are_component_masses() -> None:
    centers = [[0.2, 0.2], [0.8, 0.8]]
    m = toy_histogram("mixture", GRID, centers=centers, sigmas=0.04, weights=[1, 3])
    v = m.values()
    assert v[:12, :12].sum() == pytest.approx(0.25, abs=1e-9)
    assert v[12:, 12:].sum() == pytest.approx(0.75, abs=1e-9)


def test_random_mixture_is_reproducible() -> None:
    a = toy_histogram("random_mixture", GRID, seed=3)
    b = toy_histogram("random_mixture", GRID, seed=3)
    c = toy_histogram("random_mixture", GRID, seed=4)
    np.testing.assert_array_equal(a.weights, b.weights)
    assert not np.array_equal(a.weights, c.weights)


@pytest.mark.parametrize(
    ("name", "params", "match"),
    [
        ("gaussian", {"sigma": 0.0}, "sigma"),
        ("gaussian", {"sigma": float("nan")}, "sigma"),
        ("gaussian", {"center": (0.5, 0.5, 0.5)}, "center"),
        ("disc", {"radius": -1.0}, "radius"),
        ("disc", {"center": (5.0, 5.0), "radius": 0.1}, "no mass"),
        ("mixture", {"centers": [[0.5, 0.5]], "sigmas": [0.1, 0.2]}, "sigmas"),
        ("mixture", {"centers": [[0.5, 0.5]], "weights": [-1.0]}, "weights"),
        ("random_mixture", {"n_components": 0}, "n_components"),
    ],
)
def test_bad_parameters_raise_value_error(name: str, params: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        toy_histogram(name, GRID, **params)


def test_grid_must_be_a_grid() -> None:
    with pytest.raises(TypeError, match="Grid"):
        toy_histogram("gaussian", np.zeros((3, 3)))  # type: ignore[arg-type]


@given(st.integers(-6, 6), st.integers(-6, 6))
def test_translate_moves_mass_exactly(dx: int, dy: int) -> None:
    rho = toy_histogram("gaussian", GRID, sigma=0.05, truncate=3.0)
    moved = translate(rho, (dx, dy))
    _is_probability(moved)
    np.testing.assert_allclose(moved.mean(), rho.mean() + np.array([dx, dy]) * GRID.spacing[0], atol=1e-12)
    np.testing.assert_allclose(np.sort(moved.weights), np.sort(rho.weights), atol=1e-15)


def test_translate_is_a_w1_translate() -> None:
    # DESIGN fact 6: W1 between translates is the norm of the shift
    rho = toy_histogram("disc", GRID, center=(0.3, 0.3), radius=0.1)
    moved = translate(rho, (5, -2))
    h = GRID.spacing[0]
    assert ob.w1(rho, moved, metric="cityblock") == pytest.approx(7 * h, abs=1e-9)
    assert ob.w1(rho, moved, metric="chebyshev") == pytest.approx(5 * h, abs=1e-9)


def test_translate_refuses_to_drop_mass() -> None:
    rho = toy_histogram("disc", GRID, center=(0.9, 0.5), radius=0.1)
    with pytest.raises(ValueError, match="off the grid"):
        translate(rho, (10, 0))
    with pytest.raises(ValueError, match="integers"):
        translate(rho, (0.5, 0))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="point cloud"):
        translate(ob.Measure([[0.0, 0.0]]), (1, 1))


def test_coordinatewise_median() -> None:
    pts = [[0.0, 0.0], [1.0, 5.0], [2.0, 1.0]]
    np.testing.assert_array_equal(coordinatewise_median(pts), [1.0, 1.0])
    np.testing.assert_array_equal(coordinatewise_median(pts, [0.6, 0.2, 0.2]), [0.0, 0.0])
    np.testing.assert_array_equal(coordinatewise_median(pts, [0.1, 0.1, 0.8]), [2.0, 1.0])
