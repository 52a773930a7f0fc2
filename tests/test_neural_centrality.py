"""Model centrality: the medoid of generative models under exact W1 (otbary.neural.centrality)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
ot = pytest.importorskip("ot")

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from scipy.stats import wasserstein_distance  # noqa: E402

from otbary.neural.centrality import model_centrality, pairwise_w1  # noqa: E402
from otbary.neural.nets import MLPGenerator  # noqa: E402


def _translate(c: float, dim: int = 1):  # noqa: ANN202
    def sampler(n: int, rng: np.random.Generator) -> np.ndarray:
        x = rng.standard_normal((n, dim))
        x[:, 0] += c
        return x

    return sampler


def test_translated_gaussians_on_a_line() -> None:
    """Means 0, 1, 2, 10: mean W1 to the others is 13/3, 11/3, 11/3, 27/3 (theory fact 6)."""
    res = model_centrality([_translate(c) for c in (0, 1, 2, 10)], n_samples=400, n_repeats=3, seed=0)
    assert res.index in (1, 2)
    exact = np.abs(np.subtract.outer([0, 1, 2, 10], [0, 1, 2, 10]).astype(float))
    # finite-sample W1 between translates: within a few 1/sqrt(n) of the closed form
    np.testing.assert_allclose(res.distances, exact, atol=0.25)
    np.testing.assert_allclose(res.mean_distance, exact.sum(1) / 3, atol=0.2)
    assert res.distances_se is not None and res.mean_distance_interval is not None
    assert np.all(res.mean_distance_interval[:, 0] <= res.mean_distance)
    assert np.all(res.mean_distance <= res.mean_distance_interval[:, 1])
    assert res.selection_frequency[0] == 0 and res.selection_frequency[3] == 0
    np.testing.assert_allclose(res.selection_frequency.sum(), 1.0)
    assert res.all_distances.shape == (3, 4, 4)


def test_matches_brute_force_ot_emd2_2d() -> None:
    rng = np.random.default_rng(1)
    clouds = [rng.normal(size=(60, 2)) + np.array(c) for c in ([0, 0], [3, 0], [0, 4], [1, 1])]
    res = model_centrality(clouds, n_samples=60, seed=0)
    brute = np.zeros((4, 4))
    for i in range(4):
        for j in range(4):
            m = ot.dist(clouds[i], clouds[j], "euclidean")
            brute[i, j] = ot.emd2(np.full(60, 1 / 60), np.full(60, 1 / 60), m)
    np.testing.assert_allclose(res.distances, brute, atol=1e-9)
    assert res.index == int(np.argmin(brute.sum(1)))
    assert res.index == 3  # the cloud near (1, 1) is the obvious medoid
    assert res.distances_se is None and res.mean_distance_interval is None


@given(st.lists(st.floats(-5, 5, allow_nan=False), min_size=2, max_size=5),
       st.integers(0, 2**31 - 1))
def test_pairwise_w1_matches_scipy_1d(shifts: list[float], seed: int) -> None:
    rng = np.random.default_rng(seed)
    clouds = [rng.normal(size=25) + s for s in shifts]
    d = pairwise_w1([c[:, None] for c in clouds])
    for i in range(len(clouds)):
        for j in range(len(clouds)):
            ref = 0.0 if i == j else wasserstein_distance(clouds[i], clouds[j])
            assert abs(d[i, j] - ref) <= 1e-9 * (1 + ref)
    np.testing.assert_array_equal(d, d.T)


def test_generators_and_subsampled_arrays_are_accepted() -> None:
    torch.manual_seed(0)
    gens = [MLPGenerator(2, hidden=(8,), loc=[float(c), 0.0]) for c in (0, 1, 6)]
    res = model_centrality(gens, n_samples=100, seed=3)
    assert res.index == 1
    again = model_centrality(gens, n_samples=100, seed=3)
    np.testing.assert_array_equal(res.distances, again.distances)  # the seed makes it reproducible
    big = [np.random.default_rng(k).normal(size=(500, 2)) + k for k in range(3)]
    res2 = model_centrality(big, n_samples=50, n_repeats=2, seed=0)
    assert res2.index == 1
    assert not np.allclose(res2.all_distances[0], res2.all_distances[1])  # fresh subsamples per repeat


def test_bad_input() -> None:
    good = _translate(0.0)
    with pytest.raises(ValueError, match="at least two"):
        model_centrality([good])
    with pytest.raises(TypeError, match="sequence"):
        model_centrality(good)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="n_samples"):
        model_centrality([good, good], n_samples=0)
    with pytest.raises(ValueError, match="n_repeats"):
        model_centrality([good, good], n_repeats=0)
    with pytest.raises(ValueError, match="metric|unknown"):
        model_centrality([good, good], metric="hamming")
    with pytest.raises(ValueError, match=r"models\[1\]"):  # wrong number of samples
        model_centrality([good, lambda n, rng: rng.normal(size=(n + 1, 1))], n_samples=10)
    with pytest.raises(ValueError, match=r"models\[1\]"):  # NaN samples
        model_centrality([good, lambda n, rng: np.full((n, 1), np.nan)], n_samples=10)
    with pytest.raises(ValueError, match="dimension"):
        model_centrality([good, _translate(0.0, dim=2)], n_samples=10)
    with pytest.raises(TypeError, match=r"models\[1\]"):
        model_centrality([good, "abc"], n_samples=10)
    with pytest.raises(ValueError, match=r"models\[0\]"):
        model_centrality([np.full((5, 2), np.inf), np.zeros((5, 2))])
