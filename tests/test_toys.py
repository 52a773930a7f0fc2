"""Toy distributions: names, probability vectors, exact translates, the catalogue's three forms.

Sampler/histogram consistency (the issue's "done when"): for every toy, the exact cityblock W1
between its histogram on a grid with spacing ``h`` and ``n`` of its samples binned to the nearest
node is at most ``TOL = d h + 2 L / sqrt(n)``:

* ``d h``: by the triangle inequality through the toy itself -- moving each cell's mass to its
  node (the histogram) and moving each sample to its nearest node (the binning) each cost at
  most ``sum_a h_a / 2 = d h / 2`` in cityblock W1;
* ``2 L / sqrt(n)``: the sampling error of ``n`` i.i.d. points in a box of side ``L``; in 1D and
  2D the mean empirical W1 decays like ``n^{-1/2}`` (up to a log factor in 2D), and the constant
  2 is a margin over the typical value ``~ 0.5 L / sqrt(n)`` seen for these toys.

A negative control shows the test can fail: the same samples shifted by ``(TOL, TOL)`` are
further than ``TOL`` (cityblock W1 is at least the l1 norm of the mean difference).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import otbary as ob
from otbary import toys
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
    # theory fact 6: W1 between translates is the norm of the shift
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


# --------------------------------------------------------------------------- the catalogue

#: the toys that need parameters (no default) get these
PARAMS: dict[str, dict[str, object]] = {
    "mixture": {"centers": [[-0.4, -0.3], [0.4, 0.3]], "sigmas": [0.1, 0.2]},
}
N_SAMPLES = 20_000
GRID2 = ob.Grid((32, 32), spacing=2.4 / 31, origin=-1.2)
GRID1 = ob.Grid((128,), spacing=3.0 / 127, origin=-1.5)


def _toy(name: str) -> toys.Toy:
    return toys.get(name, **PARAMS.get(name, {}))


def _tol(grid: ob.Grid, n: int) -> float:
    h = max(grid.spacing)
    side = max(h * (s - 1) for s, h in zip(grid.shape, grid.spacing, strict=True))
    return grid.ndim * h + 2 * side / np.sqrt(n)


def test_catalogue_names_everything_the_issue_asks_for() -> None:
    names = set(list_toys())
    assert {"8gaussians", "25gaussians", "ring", "annulus", "moons", "swissroll", "checkerboard", "square",
            "disc", "triangle", "glyph", "bimodal", "uniform"} <= names
    assert set(list_toys(dim=1)) == {"bimodal", "uniform"}
    assert set(list_toys(dim=1)) | set(list_toys(dim=2)) == names
    assert all(describe_toys()[n] for n in names)


@pytest.mark.parametrize("name", list_toys())
def test_every_toy_renders_in_three_forms(name: str) -> None:
    toy = _toy(name)
    grid = GRID2 if toy.dim == 2 else GRID1
    x = toy.sample(50, seed=1)
    assert x.shape == (50, toy.dim) and np.all(np.isfinite(x))
    np.testing.assert_array_equal(x, toy.sample(50, seed=1))  # reproducible
    cloud = toy.points(50, seed=1)
    np.testing.assert_array_equal(cloud.points, x)
    np.testing.assert_allclose(cloud.weights, 1 / 50)
    hist = toy.histogram(grid)
    assert hist.grid == grid
    _is_probability(hist)


@pytest.mark.parametrize("name", list_toys())
def test_sampler_and_histogram_agree_in_w1(name: str) -> None:
    toy = _toy(name)
    grid = GRID2 if toy.dim == 2 else GRID1
    hist = toy.histogram(grid)
    x = toy.sample(N_SAMPLES, seed=0)
    tol = _tol(grid, N_SAMPLES)
    d = ob.w1(hist, toys.bin_samples(x, grid), metric="cityblock")
    assert d <= tol, f"{name}: W1(histogram, binned sample) = {d:.4f} > {tol:.4f}"
    # negative control: shifted samples are detectably far
    shifted = toys.bin_samples(x + tol, grid)
    assert ob.w1(hist, shifted, metric="cityblock") > tol


@pytest.mark.parametrize("name", list_toys(dim=1))
def test_1d_histogram_matches_raw_samples_scipy(name: str) -> None:
    # independent oracle, no binning: scipy's exact 1D W1 between the histogram and the raw samples
    from scipy.stats import wasserstein_distance

    toy = _toy(name)
    hist = toy.histogram(GRID1)
    x = toy.sample(N_SAMPLES, seed=3)[:, 0]
    d = wasserstein_distance(hist.points[:, 0], x, hist.weights)
    h = GRID1.spacing[0]
    assert d <= h / 2 + 2 * 3.0 / np.sqrt(N_SAMPLES)


def test_grid_w1_of_a_toy_matches_pot() -> None:
    # the number the consistency test relies on, checked against POT's exact LP
    import ot

    g = ob.Grid((12, 12), spacing=2.4 / 11, origin=-1.2)
    toy = toys.get("moons")
    a = toy.histogram(g)
    b = toys.bin_samples(toy.sample(500, seed=2), g)
    cost = ot.dist(g.points, g.points, metric="cityblock")
    assert ob.w1(a, b, metric="cityblock") == pytest.approx(ot.emd2(a.weights, b.weights, cost), abs=1e-9)


def test_transforms_compose_as_affine_maps_of_the_samples() -> None:
    base = toys.get("moons")
    t = base.scale((2.0, 0.5)).rotate(90).shift((1.0, -1.0))
    u = base.sample(100, seed=4)
    expected = (u * [2.0, 0.5]) @ np.array([[0.0, -1.0], [1.0, 0.0]]).T + [1.0, -1.0]
    np.testing.assert_allclose(t.sample(100, seed=4), expected, atol=1e-12)
    assert "rotate(90)" in repr(t) and repr(t).startswith("toys.get('moons')")
    # rotating about a center keeps the center fixed
    c = np.array([0.3, -0.2])
    r = base.shift(c).rotate(37, center=c)
    np.testing.assert_allclose(r.sample(10, seed=1) - c, base.rotate(37).sample(10, seed=1), atol=1e-12)


@given(st.floats(-0.5, 0.5), st.floats(-0.5, 0.5), st.floats(0.3, 1.5), st.floats(-180, 180))
def test_affine_equals_chained_transforms(dx: float, dy: float, s: float, deg: float) -> None:
    base = toys.get("triangle")
    a = np.radians(deg)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    chained = base.scale(s).rotate(deg).shift((dx, dy))
    direct = base.affine(rot * s, (dx, dy))
    np.testing.assert_allclose(chained.sample(20, seed=0), direct.sample(20, seed=0), atol=1e-12)
    lo, hi = chained.bounds()
    x = chained.sample(200, seed=1)
    assert np.all(x >= lo - 1e-9) and np.all(x <= hi + 1e-9)


def test_histogram_of_a_whole_node_shift_is_the_translate() -> None:
    g = ob.Grid((40, 40), spacing=0.05, origin=-1.0)
    toy = toys.get("glyph", text="A").scale(0.5)
    moved = toy.shift((5 * 0.05, -3 * 0.05)).histogram(g)
    np.testing.assert_allclose(moved.values(), translate(toy.histogram(g), (5, -3)).values(), atol=1e-12)


def test_histogram_of_a_quarter_turn_is_the_rotated_image() -> None:
    g = ob.Grid((33, 33), spacing=2.4 / 32, origin=-1.2)  # symmetric about 0
    toy = toys.get("moons")  # smooth: no node sits on a discontinuity of the density
    turned = toy.rotate(90).histogram(g).values()
    np.testing.assert_allclose(turned, np.rot90(toy.histogram(g).values()), atol=1e-12)


def test_fit_places_the_toy_inside_the_grid() -> None:
    g = ob.Grid((24, 24), spacing=1 / 23)
    for name in list_toys(dim=2):
        t = _toy(name).fit(g, margin=0.1)
        lo, hi = t.bounds()
        assert np.all(lo >= 0.1 - 1e-9) and np.all(hi <= 0.9 + 1e-9)
        _is_probability(t.histogram(g))


def test_glyph_has_holes() -> None:
    # the counter of an "O" is empty: even-odd rule over matplotlib's outlines
    g = ob.Grid((41, 41), spacing=0.05, origin=-1.0)
    v = toys.get("glyph", text="O").histogram(g, oversample=1).values()
    assert v[20, 20] == 0.0 and v.sum() == pytest.approx(1.0)


def test_toy_histogram_accepts_catalogue_names() -> None:
    m = toy_histogram("moons", GRID)
    assert m.grid == GRID
    _is_probability(m)


def test_bin_samples_moves_points_at_most_half_a_cell() -> None:
    import ot

    g = ob.Grid((10, 10), spacing=0.1)
    x = np.random.default_rng(0).uniform(0, 0.9, (300, 2))
    binned = toys.bin_samples(x, g)
    cost = ot.dist(x, g.points, metric="cityblock")
    d = ot.emd2(np.full(300, 1 / 300), binned.weights, cost)
    assert d <= 0.1 + 1e-12  # sum_a h_a / 2
    w = toys.bin_samples(x[:2], g, weights=[1.0, 3.0]).weights
    assert sorted(w[w > 0].tolist()) == pytest.approx([0.25, 0.75])


@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (lambda: toys.get("banana"), ValueError, "valid names: 25gaussians"),
        (lambda: toys.get("moons", radius=1), TypeError, "moons"),
        (lambda: toys.get("mixture"), TypeError, "mixture"),
        (lambda: toys.get("moons").sample(0), ValueError, "n must be a positive integer"),
        (lambda: toys.get("moons").sample(-3), ValueError, "n must be a positive integer"),
        (lambda: toys.get("moons").sample(2.5), TypeError, "n must be"),  # type: ignore[arg-type]
        (lambda: toys.get("moons").points(0), ValueError, "n must"),
        (lambda: toys.get("moons").histogram(GRID1), ValueError, "grid is 1D but the toy 'moons' is 2D"),
        (lambda: toys.get("bimodal").histogram(GRID2), ValueError, "grid is 2D"),
        (lambda: toys.get("moons").histogram("grid"), TypeError, "grid"),  # type: ignore[arg-type]
        (lambda: toys.get("moons").shift(5).histogram(GRID2), ValueError, "reaches outside the grid"),
        (lambda: toys.get("moons").scale(-1), ValueError, "factor"),
        (lambda: toys.get("moons").shift((1, 2, 3)), ValueError, "offset"),
        (lambda: toys.get("bimodal").rotate(10), ValueError, "2D"),
        (lambda: toys.get("moons").affine(np.zeros((2, 2))), ValueError, "invertible"),
        (lambda: toys.get("glyph", text=" "), ValueError, "text"),
        (lambda: toys.get("annulus", inner=1.0, outer=0.5), ValueError, "inner"),
        (lambda: toys.get("ring", width=0), ValueError, "width"),
        (lambda: toys.get("moons", noise=float("nan")), ValueError, "noise"),
        (lambda: toys.get("moons").sample(3, seed="x"), TypeError, "seed"),  # type: ignore[arg-type]
        (lambda: toys.bin_samples(np.zeros((3, 3)), GRID2), ValueError, "x must have shape"),
        (lambda: toys.get("moons").fit(GRID2, margin=0.7), ValueError, "margin"),
    ],
)
def test_bad_input_is_named(call: object, exc: type, match: str) -> None:
    with pytest.raises(exc, match=match):
        call()  # type: ignore[operator]


def test_clip_keeps_the_mass_on_the_grid() -> None:
    m = toys.get("square").shift((1.0, 0.0)).histogram(GRID2, clip=True)
    _is_probability(m)
    assert m.mean()[0] > 0.5
