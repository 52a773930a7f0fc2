"""The shared plotting helpers: what each one draws, and its errors."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

import otbary as ob
from otbary import plotting, toys
from otbary.plotting import (
    finish_example,
    objective_label,
    plot_cdf,
    plot_geodesic_strip,
    plot_histogram,
    plot_measures,
    plot_points,
    plot_samples,
    plot_simplex_grid,
    quick_mode,
    weights_label,
)

G2 = ob.Grid((6, 5), spacing=(0.5, 0.25), origin=(1.0, -1.0))
G1 = ob.Grid((7,), spacing=0.5)


@pytest.fixture(autouse=True)
def _close() -> object:
    yield
    plt.close("all")


def _hist2() -> ob.Measure:
    return ob.Measure.on_grid(G2, np.arange(30.0).reshape(6, 5) + 1, normalize=True)


def test_histogram_image_is_the_values_with_x_horizontal() -> None:
    m = _hist2()
    fig, ax = plt.subplots()
    im = plot_histogram(ax, m, title="t")
    np.testing.assert_array_equal(im.get_array(), m.values().T)
    # extent = the cells around the nodes: x from 1 - 0.25 to 1 + 5 * 0.5 + 0.25
    np.testing.assert_allclose(im.get_extent(), [0.75, 3.75, -1.125, 0.125])
    assert im.get_clim() == (0.0, pytest.approx(m.weights.max()))
    assert ax.get_title() == "t"


def test_histogram_1d_bars_and_errors() -> None:
    m = ob.Measure.on_grid(G1, np.ones(7), normalize=True)
    fig, ax = plt.subplots()
    bars = plot_histogram(ax, m)
    assert [b.get_height() for b in bars] == pytest.approx([1 / 7] * 7)
    with pytest.raises(ValueError, match="point clouds"):
        plot_histogram(ax, ob.Measure([[0.0, 1.0]]))
    with pytest.raises(ValueError, match="3D"):
        plot_histogram(ax, ob.Measure.on_grid(ob.Grid((2, 2, 2)), np.ones((2, 2, 2)), normalize=True))


def test_points_area_is_proportional_to_mass() -> None:
    m = ob.Measure([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]], [0.5, 0.25, 0.25])
    fig, ax = plt.subplots()
    art = plot_points(ax, m, size=100)
    np.testing.assert_allclose(art.get_sizes(), [100, 50, 50])


def test_samples_accept_2d_and_1d_and_reject_3d() -> None:
    fig, ax = plt.subplots()
    x = toys.get("moons").sample(100, seed=0)
    assert plot_samples(ax, x).get_offsets().shape == (100, 2)
    assert plot_samples(ax, x[:, 0]).get_offsets().shape == (100, 2)
    with pytest.raises(ValueError, match="shape"):
        plot_samples(ax, np.zeros((4, 3)))


def test_cdf_steps_are_the_cumulative_masses() -> None:
    m = ob.Measure([[2.0], [0.0], [1.0]], [0.5, 0.2, 0.3])
    fig, ax = plt.subplots()
    (line,) = plot_cdf(ax, m, label="F")
    np.testing.assert_allclose(line.get_xdata(), [0.0, 0.0, 1.0, 2.0])
    np.testing.assert_allclose(line.get_ydata(), [0.0, 0.2, 0.5, 1.0])
    with pytest.raises(ValueError, match="1D"):
        plot_cdf(ax, _hist2())


def test_simplex_grid_shares_one_colour_scale_and_frames_highlights() -> None:
    a = _hist2()
    b = ob.Measure.on_grid(G2, np.ones((6, 5)), normalize=True)
    fig = plot_simplex_grid([[a, b], [b, a]], [["1", "2"], ["3", "4"]], highlight=[(0, 1)])
    axes = fig.axes
    assert len(axes) == 4
    assert [ax.images[0].get_clim()[1] for ax in axes] == pytest.approx([a.weights.max()] * 4)
    assert [ax.get_title() for ax in axes] == ["1", "2", "3", "4"]
    assert axes[1].spines["top"].get_linewidth() == 2.0 and axes[0].spines["top"].get_linewidth() != 2.0
    with pytest.raises(ValueError, match="rectangular"):
        plot_simplex_grid([[a, b], [a]])
    with pytest.raises(ValueError, match="titles"):
        plot_simplex_grid([[a, b]], [["1"]])


def test_geodesic_strip_titles_and_errors() -> None:
    a = _hist2()
    fig = plot_geodesic_strip([a, a, a], [0, 0.5, 1], extra=["x", "", "z"], suptitle="s")
    assert [ax.get_title() for ax in fig.axes] == ["t = 0.00\nx", "t = 0.50", "t = 1.00\nz"]
    with pytest.raises(ValueError, match="ts"):
        plot_geodesic_strip([a, a], [0.0])
    with pytest.raises(ValueError, match="extra"):
        plot_geodesic_strip([a], [0.0], extra=["a", "b"])
    with pytest.raises(ValueError, match="at least one"):
        plot_measures([])


def test_labels() -> None:
    assert objective_label(0.123456) == "objective 0.1235"
    assert objective_label(0.5, 0.49) == "objective 0.5000 (lb 0.4900)"
    assert weights_label([0.4, 0.35, 0.25]) == "λ = (0.40, 0.35, 0.25)"
    assert len(set(plotting.COLORS)) == len(plotting.COLORS) and plotting.BARY_COLOR not in plotting.COLORS


def test_quick_mode_from_argv_or_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(plotting.QUICK_ENV, raising=False)
    assert quick_mode(["--quick"]) and not quick_mode([])
    monkeypatch.setenv(plotting.QUICK_ENV, "1")
    assert quick_mode([])


def test_finish_example_saves_only_with_out(tmp_path: object) -> None:
    fig, _ = plt.subplots()
    assert finish_example(fig, "plot_x", []) is None
    path = finish_example(fig, "plot_x", ["--quick", "--out", str(tmp_path)])
    assert path is not None and path.endswith("plot_x.png")
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="--out"):
        finish_example(fig, "plot_x", ["--out"])
