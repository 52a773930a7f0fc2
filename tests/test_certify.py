"""``ob.certify``: exact and sample-based certification against independent oracles.

Oracles: ``scipy.stats.wasserstein_distance`` (1D), POT's ``ot.emd2`` on ``cdist`` costs, and
the closed forms of theory facts 4-7 (via :mod:`otbary.testing.strategies`).
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pytest
import scipy.stats
from hypothesis import given
from hypothesis import strategies as st
from numpy.typing import NDArray
from oracles import pot_w1
from scipy.spatial.distance import cdist

import otbary as ob
from otbary.certify import empirical_w1, reference_barycenter, sample_measure
from otbary.potentials import lipschitz_envelope
from otbary.testing import check_barycenter_solver, check_certify_result, check_interpolation, mixture
from otbary.testing import strategies as ots
from otbary.testing.continuous import sampled_case
from otbary.validation.cases import normal_atoms


def line_w1(mu: ob.Measure, nu: ob.Measure) -> float:
    return float(scipy.stats.wasserstein_distance(mu.points[:, 0], nu.points[:, 0], mu.weights, nu.weights))


def objective(c: ob.Measure, ms: list[ob.Measure], lam: NDArray[np.float64], metric: str) -> float:
    return float(sum(lk * pot_w1(c, m, metric) for lk, m in zip(lam, ms, strict=True)))


def gaussians(means: list[float], n: int = 100, sd: float = 1.0) -> list[ob.Measure]:
    z = normal_atoms(n)
    return [ob.Measure(m + sd * z) for m in means]


def sampler_of(m: ob.Measure) -> Callable[[int, np.random.Generator], NDArray[np.float64]]:
    def draw(n: int, rng: np.random.Generator) -> NDArray[np.float64]:
        return sample_measure(m, n, rng)

    return draw


# ======================================================================================
# Exact certification
# ======================================================================================


def test_docstring_example() -> None:
    nus = [ob.Measure([[0.0], [1.0]]), ob.Measure([[2.0], [3.0]])]
    res = ob.certify(ob.Measure([[1.0], [2.0]]), nus, [0.7, 0.3])
    assert res.optimum == pytest.approx(0.3 * 2.0)
    assert res.cost == pytest.approx(0.7 * 1.0 + 0.3 * 1.0)
    assert res.gap == pytest.approx(0.4) and res.distance == pytest.approx(1.0)
    assert res.support.startswith("all measures") and res.estimator == "exact" and res.interval is None


def test_1d_location_family_against_scipy() -> None:
    ms = gaussians([-2.0, 0.5, 3.0])
    lam = np.array([0.2, 0.5, 0.3])
    cand = mixture(mixture(ms[0], ms[1], 0.5), ms[2], 0.3)
    res = ob.certify(cand, ms, lam)
    costs = np.array([line_w1(cand, m) for m in ms])
    assert np.allclose(res.costs, costs, atol=1e-10)
    assert res.cost == pytest.approx(float(lam @ costs), abs=1e-10)
    assert res.optimum == pytest.approx(0.2 * 2.5 + 0.3 * 2.5, abs=1e-10)  # translates: |m_k - median|
    assert res.lower_bound <= res.optimum + 1e-9
    assert res.relative_gap == pytest.approx(res.gap / res.optimum)
    # The weighted median .5 is unique: distance to N(.5, 1).
    assert res.distance == pytest.approx(line_w1(cand, gaussians([0.5])[0]), abs=1e-10)


def test_1d_non_unique_median_has_no_distance() -> None:
    ms = gaussians([-1.0, 1.0], n=50)
    res = ob.certify(ms[0], ms, [0.5, 0.5])
    assert res.distance is None and res.gap == pytest.approx(0.0, abs=1e-10)


def test_fact7_recursive_barycenter_gap() -> None:
    """N(-2, 1), N(2, 1), weights .6/.4: recursion N(-0.4, 1) has objective 1.92, optimum 1.6."""
    z = normal_atoms(200)
    ms = [ob.Measure(z - 2.0), ob.Measure(z + 2.0)]
    lam = [0.6, 0.4]
    rec = ob.Measure(0.6 * (z - 2.0) + 0.4 * (z + 2.0))  # quantile recursion (1D)
    res = ob.certify(rec, ms, lam)
    assert res.cost == pytest.approx(1.92, abs=1e-9) and res.optimum == pytest.approx(1.6, abs=1e-9)
    assert res.gap == pytest.approx(0.32, abs=1e-9) and res.relative_gap == pytest.approx(0.2, abs=1e-9)
    assert res.distance == pytest.approx(1.6, abs=1e-9)  # unique barycenter nu_1 at distance 1.6
    try:
        rb = ob.recursive_barycenter(ms, lam, "euclidean")
    except NotImplementedError:
        return
    assert ob.certify(rb.measure, ms, lam).gap == pytest.approx(0.32, abs=1e-7)


@given(ots.two_measures_case(dim=2, on_grid=False))
def test_two_unequal_unique_barycenter(case: ots.KnownCase) -> None:
    lam = case.weights
    m = case.metric
    res = ob.certify(case.measures[1 - int(np.argmax(lam))], case.measures, lam, m)
    assert res.optimum == pytest.approx(case.optimum, abs=1e-7)
    assert res.lower_bound <= case.optimum + 1e-7
    if lam.max() > 0.5:
        assert res.distance is not None
        assert res.distance == pytest.approx(pot_w1(res_candidate(case), case.barycenter, m), abs=1e-7)
        # J(mu) - J* >= (2 lambda_max - 1) W1(mu, mu*)
        assert res.gap >= (2 * lam.max() - 1) * res.distance - 1e-7


def res_candidate(case: ots.KnownCase) -> ob.Measure:
    return case.measures[1 - int(np.argmax(case.weights))]


@given(ots.two_measures_case(dim=2, on_grid=False), st.sampled_from([True, False]))
def test_mixture_gap_two_measures(case: ots.KnownCase, as_array: bool) -> None:
    """The mixture l1 nu_1 + l2 nu_2 has objective 2 l1 l2 W, the optimum is min(l) W."""
    lam = case.weights
    w = case.pairwise[0, 1]
    mix = mixture(case.measures[0], case.measures[1], float(lam[1]))
    res = ob.certify(mix, case.measures, lam, case.metric)
    assert res.cost == pytest.approx(2 * lam[0] * lam[1] * w, abs=1e-7)
    assert res.gap == pytest.approx(2 * lam[0] * lam[1] * w - lam.min() * w, abs=1e-7)
    assert res.cost == pytest.approx(objective(mix, case.measures, lam, case.metric), abs=1e-7)


def test_equal_weights_mixture_is_optimal() -> None:
    case = ots.make_pushed_pair([[0, 0], [1, 2]], [0.3, 0.7], [[2, 1], [1, 0]], "cityblock")
    mix = mixture(case.mu, case.nu, 0.3)
    res = ob.certify(mix, [case.mu, case.nu], [0.5, 0.5], "cityblock")
    assert res.optimum == pytest.approx(case.w1 / 2, abs=1e-9)
    assert res.gap == pytest.approx(0.0, abs=1e-9) and res.distance is None


def test_array_candidate_is_uniform_empirical_measure() -> None:
    rng = np.random.default_rng(0)
    ms = [ob.Measure(rng.normal(size=(4, 2)) + k) for k in range(3)]
    x = rng.normal(size=(5, 2))
    a = ob.certify(x, ms, metric="chebyshev")
    b = ob.certify(ob.Measure(x), ms, metric="chebyshev")
    assert a.cost == pytest.approx(b.cost) and a.optimum == pytest.approx(b.optimum)
    assert a.cost == pytest.approx(objective(ob.Measure(x), ms, np.full(3, 1 / 3), "chebyshev"), abs=1e-9)
    assert a.support == "all measures (free support)"


def test_grid_supports_are_labelled() -> None:
    g = ob.Grid((4, 4), spacing=0.25)
    rng = np.random.default_rng(1)
    ms = [ob.Measure.on_grid(g, rng.random(g.size), normalize=True) for _ in range(2)]
    city = ob.certify(ms[0], ms, [0.5, 0.5], "cityblock")
    assert city.support.startswith("all measures (cityblock")
    eu = ob.certify(ms[0], ms, [0.5, 0.5], "euclidean")
    assert eu.support == "grid 4x4"
    # Equal weights: nu_1 is optimal over all measures; on the grid too.
    assert eu.gap == pytest.approx(0.0, abs=1e-7) and city.gap == pytest.approx(0.0, abs=1e-7)
    assert city.optimum == pytest.approx(pot_w1(ms[0], ms[1], "cityblock") / 2, abs=1e-7)


def test_fixed_support_can_be_beaten() -> None:
    """Off a fixed support the candidate may beat the support's optimum: gap < 0, said by .support."""
    ms = [ob.Measure([[0.0, 0.0]]), ob.Measure([[2.0, 0.0]]), ob.Measure([[1.0, 2.0]])]
    support = np.array([[0.0, 0.0], [2.0, 0.0], [1.0, 2.0], [5.0, 5.0]])
    res = ob.certify(ob.Measure([[1.0, 0.5]]), ms, metric="euclidean", support=support)
    assert res.support.startswith("given points") and res.gap < 0
    free = ob.certify(ob.Measure([[1.0, 0.5]]), ms, metric="euclidean")
    assert free.support == "all measures (free support)" and free.gap >= -1e-7


def test_reference_barycenter_labels() -> None:
    ms = gaussians([0.0, 1.0], n=10)
    assert reference_barycenter(ms, None, "euclidean")[1] == "all measures (1D closed form)"


def test_empirical_w1_matches_pot() -> None:
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(30, 1)), rng.normal(size=(30, 1)) + 1
    assert empirical_w1(x, y, "euclidean") == pytest.approx(pot_w1(ob.Measure(x), ob.Measure(y), "euclidean"))
    x2, y2 = rng.normal(size=(20, 2)), rng.normal(size=(25, 2))
    ref = pot_w1(ob.Measure(x2), ob.Measure(y2), "cityblock")
    assert empirical_w1(x2, y2, "cityblock") == pytest.approx(ref)


# ======================================================================================
# Sample-based certification
# ======================================================================================


#: Small settings for the tests (the defaults are measured in benchmarks/bench_certify.py).
FAST = {"n_samples": 20_000, "n_repeats": 4, "resolution": 24}


def covers(res: ob.CertifyResult, true_gap: float) -> bool:
    assert res.interval is not None
    return res.interval[0] <= true_gap <= res.interval[1]


@pytest.mark.parametrize("seed", [0, 1])
def test_known_answer_1d_covers_and_separates(seed: int) -> None:
    """Continuous 1D inputs (fact 5): each interval holds its exact gap, wrong candidates are flagged."""
    case = sampled_case("two-heavy-1d")
    ref = None
    for name, (cand, true_gap) in case.candidates.items():
        res = ob.certify(cand, case.inputs, case.weights, case.metric, seed=seed, reference=ref,
                         n_samples=20_000, n_repeats=4, resolution=256)
        ref = res.info["reference"]
        assert covers(res, true_gap), (name, true_gap, res.interval)
        if true_gap > 0:
            assert res.interval is not None and res.interval[0] > 0, (name, res.interval)
        check_certify_result(res)


@pytest.mark.parametrize("seed", [0, 1])
def test_known_answer_2d_covers_and_separates(seed: int) -> None:
    """Continuous 2D inputs: P and P + a with weights .6/.4 -- the barycenter is P, J* = 0.4 |a|."""
    case = sampled_case("two-heavy-2d")
    right, _ = case.candidates["barycenter"]
    res = ob.certify(right, case.inputs, case.weights, case.metric, seed=seed, **FAST)
    assert covers(res, 0.0) and res.support.startswith("all measures (continuous inputs")
    lo_opt, hi_opt = res.info["optimum_bounds"]
    assert lo_opt <= case.optimum <= hi_opt
    wrong, gap = case.candidates["lighter input"]
    ref = res.info["reference"]
    bad = ob.certify(wrong, case.inputs, case.weights, case.metric, seed=seed, reference=ref, **FAST)
    assert covers(bad, gap) and bad.interval is not None and bad.interval[0] > 0
    # the right candidate is its own comparator; the wrong one is compared with the reference
    assert res.info["comparator"] == "candidate" and bad.info["comparator"] == "reference"
    assert set(res.info["width"]) >= {"sampling", "reference_resolution", "potential_fit"}
    assert res.info["dominant"] in res.info["width"]


def test_translates_2d_cityblock() -> None:
    """Translates of a skewed shape (fact 6), cityblock: the infimum is exact at the nodes."""
    case = sampled_case("translates-2d", metric="cityblock")
    cand, _ = case.candidates["barycenter"]
    res = ob.certify(cand, case.inputs, case.weights, case.metric, seed=4, **FAST)
    assert covers(res, 0.0)
    assert res.info["cell_infimum_loss"] == 0.0


def test_exact_barycenter_sampler_is_never_significantly_negative() -> None:
    """A generator of the exact answer: its upper bound is never below 0 (the issue's first row)."""
    case = sampled_case("two-heavy-2d")
    right, _ = case.candidates["barycenter"]
    ref = None
    for seed in range(3):
        res = ob.certify(right, case.inputs, case.weights, case.metric, seed=seed, reference=ref, **FAST)
        ref = res.info["reference"]
        assert res.interval is not None and res.interval[1] >= 0.0


def test_measure_inputs_with_a_sampler_candidate() -> None:
    """Measures are sampled from their atoms; the fact 7 recursion N(-0.4, 1) has gap 0.32."""
    ms = gaussians([-2.0, 2.0], n=400)
    rec = gaussians([-0.4], n=400)[0]
    res = ob.certify(sampler_of(rec), ms, [0.6, 0.4], seed=3, n_samples=20_000, n_repeats=4, resolution=256)
    exact = ob.certify(rec, ms, [0.6, 0.4]).gap
    assert covers(res, exact) and res.interval is not None and res.interval[0] > 0.15


def test_support_grid_and_bad_support() -> None:
    case = sampled_case("two-heavy-2d")
    right, _ = case.candidates["barycenter"]
    g = ob.Grid((16, 16), spacing=0.3, origin=(-1.6, -1.5))
    res = ob.certify(right, case.inputs, case.weights, case.metric, support=g, seed=0, n_samples=5_000,
                     n_repeats=3)
    assert res.info["grid"] == g and "grid 16x16" in res.support
    with pytest.raises(ValueError, match="support must be None or a Grid"):
        ob.certify(right, case.inputs, case.weights, support=np.zeros((3, 2)))
    with pytest.raises(ValueError, match="support grid has dimension 1"):
        ob.certify(right, case.inputs, case.weights, support=ob.Grid(5))
    with pytest.raises(ValueError, match="resolution"):
        ob.certify(right, case.inputs, case.weights, resolution=1)


def test_seed_reproducible() -> None:
    ms = gaussians([0.0, 1.0], n=50)
    a = ob.certify(sampler_of(ms[0]), ms, n_samples=500, n_repeats=3, seed=7, resolution=64)
    b = ob.certify(sampler_of(ms[0]), ms, n_samples=500, n_repeats=3, seed=7, resolution=64)
    assert a.gap == b.gap and a.interval == b.interval


def test_threads_do_not_change_the_bounds() -> None:
    # every coupling draws from its own child stream: the pool size cannot change a number
    case = sampled_case("translates-2d")
    cand, _ = case.candidates["shifted barycenter"]
    runs = [ob.certify(cand, case.inputs, case.weights, case.metric, seed=5, n_samples=3_000, n_repeats=3,
                       resolution=16, workers=w) for w in (1, 3)]
    assert runs[0].info["workers"] == 1 and runs[1].info["workers"] == 3
    assert runs[0].interval == runs[1].interval
    for key in ("U_c", "L_c", "U_opt", "L_opt"):
        np.testing.assert_array_equal(runs[0].info["values"][key], runs[1].info["values"][key])
    assert runs[0].info["pilot"] == runs[1].info["pilot"]


# ======================================================================================
# Bad input
# ======================================================================================


def test_bad_input() -> None:
    ms = [ob.Measure(np.zeros((2, 2))), ob.Measure(np.ones((2, 2)))]
    with pytest.raises(ValueError, match="candidate has dimension 3"):
        ob.certify(np.zeros((4, 3)), ms)
    with pytest.raises(ValueError, match="candidate has dimension 1"):
        ob.certify(ob.Measure([0.0, 1.0]), ms)
    with pytest.raises(ValueError, match="candidate is empty"):
        ob.certify(np.zeros((0, 2)), ms)
    with pytest.raises(ValueError, match="candidate contains NaN"):
        ob.certify(np.array([[np.nan, 0.0]]), ms)
    with pytest.raises(TypeError, match="candidate must be"):
        ob.certify(object(), ms)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="weights"):
        ob.certify(ms[0], ms, [0.5, 0.6])
    with pytest.raises(ValueError, match="metric"):
        ob.certify(ms[0], ms, metric="minkowski")
    with pytest.raises(ValueError, match="measures is empty"):
        ob.certify(ms[0], [])
    with pytest.raises(TypeError, match="measures"):
        ob.certify(ms[0], ms[0])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"measures\[1\]"):
        ob.certify(ms[0], [ms[0], "x"])  # type: ignore[list-item]


def test_bad_sampler_input() -> None:
    ms = [ob.Measure(np.zeros((2, 2))), ob.Measure(np.ones((2, 2)))]
    with pytest.raises(ValueError, match="candidate returned points of dimension 3"):
        ob.certify(lambda n, rng: np.zeros((n, 3)), ms, n_repeats=2, n_samples=5)
    with pytest.raises(ValueError, match=r"candidate was asked for \d+ samples and returned 3"):
        ob.certify(lambda n, rng: np.zeros((3, 2)), ms, n_repeats=2, n_samples=5)
    with pytest.raises(ValueError, match="n_repeats"):
        ob.certify(lambda n, rng: np.zeros((n, 2)), ms, n_repeats=1)
    with pytest.raises(ValueError, match="n_samples"):
        ob.certify(lambda n, rng: np.zeros((n, 2)), ms, n_samples=0)
    with pytest.raises(ValueError, match="confidence"):
        ob.certify(lambda n, rng: np.zeros((n, 2)), ms, confidence=1.5)
    with pytest.raises(ValueError, match="workers must be >= 1"):
        ob.certify(lambda n, rng: np.zeros((n, 2)), ms, workers=0)
    with pytest.raises(TypeError, match="workers must be a positive int"):
        ob.certify(lambda n, rng: np.zeros((n, 2)), ms, workers=1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"measures\[1\] returned points of dimension 1"):
        ob.certify(ms[0], [ms[0], lambda n, rng: np.zeros((n, 1))], n_repeats=2, n_samples=5)


# ======================================================================================
# otbary.testing: the known-answer strategies and checkers used on certify and solvers
# ======================================================================================


def free_barycenter(measures: list[ob.Measure], weights: NDArray[np.float64], metric: str) -> ob.Measure:
    if measures[0].dim == 1:
        return ob.barycenter(measures, weights, metric).measure
    return ob.barycenter(measures, weights, metric, support="free").measure


def mixture_solver(measures: list[ob.Measure], weights: NDArray[np.float64], metric: str) -> ob.Measure:
    pts = np.vstack([m.points for m in measures])
    w = np.concatenate([lk * m.weights for lk, m in zip(weights, measures, strict=True)])
    return ob.Measure(pts, w, normalize=True)


@given(ots.gaussian_case())
def test_gaussian_cases_against_scipy(case: ots.KnownCase) -> None:
    assert objective(case.barycenter, case.measures, case.weights, "euclidean") == pytest.approx(
        case.optimum, abs=1e-9)
    assert sum(lk * line_w1(case.barycenter, m) for lk, m in zip(case.weights, case.measures, strict=True)) \
        == pytest.approx(case.optimum, abs=1e-9)
    check_barycenter_solver(free_barycenter, case, pot_w1)
    res = ob.certify(case.barycenter, case.measures, case.weights)
    check_certify_result(res)
    assert res.gap == pytest.approx(0.0, abs=1e-9)
    assert (res.distance is not None) == case.unique


@given(ots.known_cases(dim=2, on_grid=False))
def test_known_cases_certify_and_free_support(case: ots.KnownCase) -> None:
    res = ob.certify(case.barycenter, case.measures, case.weights, case.metric)
    check_certify_result(res)
    assert res.support == "all measures (free support)"
    assert res.optimum == pytest.approx(case.optimum, abs=1e-7)
    assert res.gap == pytest.approx(0.0, abs=1e-7)
    check_barycenter_solver(free_barycenter, case, pot_w1, atol=1e-7)


def test_check_barycenter_solver_catches_a_naive_solver() -> None:
    pair = ots.make_pushed_pair([[0, 0], [1, 1]], [0.5, 0.5], [[3, 0], [2, 0]], "euclidean")
    case = ots.KnownCase([pair.mu, pair.nu], np.array([0.8, 0.2]), "euclidean", 0.2 * pair.w1, pair.mu,
                         True, np.array([[0, pair.w1], [pair.w1, 0]]))
    check_barycenter_solver(free_barycenter, case, pot_w1)
    with pytest.raises(AssertionError, match="exceeds the known optimum"):
        check_barycenter_solver(mixture_solver, case, pot_w1)


def test_check_certify_result_sample_based() -> None:
    ms = gaussians([0.0, 2.0], n=60)
    res = ob.certify(sampler_of(ms[0]), ms, [0.6, 0.4], n_samples=600, n_repeats=4, seed=0, resolution=64)
    check_certify_result(res)


@given(ots.pushed_pair_case(dim=2, on_grid=False), st.sampled_from([0.0, 0.3, 0.5, 1.0]))
def test_interpolation_geodesic_identities(pair: ots.KnownPair, t: float) -> None:
    try:
        check_interpolation(ob.interpolate, pot_w1, pair.mu, pair.nu, t, pair.metric, atol=1e-8)
    except NotImplementedError:
        pytest.skip("ob.interpolate is not available yet")


def test_reference_is_reused_and_checked() -> None:
    """A given exact reference gives the same answer as solving again, and a wrong one is refused."""
    nus = [ob.Measure([[0.0], [1.0]]), ob.Measure([[2.0], [3.0]]), ob.Measure([[5.0]])]
    lam = [0.5, 0.3, 0.2]
    cand = ob.Measure([[1.0], [2.0]])
    ref = ob.barycenter(nus, lam, metric="euclidean")
    a = ob.certify(cand, nus, lam, metric="euclidean")
    b = ob.certify(cand, nus, lam, metric="euclidean", reference=ref)
    assert b.optimum == pytest.approx(a.optimum, abs=1e-12) and b.gap == pytest.approx(a.gap, abs=1e-12)

    def sampler(n: int, rng: np.random.Generator) -> np.ndarray:
        return rng.choice([1.0, 2.0], size=(n, 1))

    s1 = ob.certify(sampler, nus, lam, metric="euclidean", n_samples=500, n_repeats=3, seed=3, resolution=64)
    s2 = ob.certify(sampler, nus, lam, metric="euclidean", n_samples=500, n_repeats=3, seed=3,
                    reference=s1.info["reference"])
    assert s2.info["reference"] is s1.info["reference"]
    with pytest.raises(TypeError, match="SampledReference"):
        ob.certify(sampler, nus, lam, metric="euclidean", n_samples=50, reference=ref)
    with pytest.raises(ValueError, match="weights"):
        ob.certify(sampler, nus, [0.2, 0.3, 0.5], metric="euclidean", reference=s1.info["reference"])
    with pytest.raises(TypeError, match="BarycenterResult"):
        ob.certify(cand, nus, lam, metric="euclidean", reference=s1.info["reference"])
    with pytest.raises(ValueError, match="weights"):
        ob.certify(cand, nus, [0.2, 0.3, 0.5], metric="euclidean", reference=ref)
    with pytest.raises(ValueError, match="metric"):
        ob.certify(cand, nus, lam, metric="cityblock", reference=ref)
    with pytest.raises(TypeError, match="reference"):
        ob.certify(cand, nus, lam, metric="euclidean", reference=cand)  # type: ignore[arg-type]
    rec = ob.recursive_barycenter(nus, lam, metric="euclidean")
    with pytest.raises(ValueError, match="exact"):
        ob.certify(cand, nus, lam, metric="euclidean", reference=rec)


def test_t_interval_matches_scipy() -> None:
    """certify's Student-t interval (also used by the adaptation benchmark) against scipy.stats.t.interval."""
    from scipy import stats

    from otbary.certify import t_interval

    v = np.random.default_rng(3).normal(size=7)
    m, (lo, hi) = t_interval(v, 0.9)
    ref = stats.t.interval(0.9, v.size - 1, loc=v.mean(), scale=stats.sem(v))
    assert m == pytest.approx(v.mean()) and (lo, hi) == pytest.approx(ref, rel=1e-12)
    assert t_interval(np.array([2.5])) == (2.5, (2.5, 2.5))


# ======================================================================================
# The pieces of the sample-based bounds (otbary.sampled)
# ======================================================================================


@pytest.mark.parametrize("metric", ["euclidean", "cityblock", "chebyshev"])
@pytest.mark.parametrize("d", [1, 2, 3])
def test_coupling_cost_is_a_coupling(metric: str, d: int) -> None:
    """The bijection's cost is at least the exact W1 between the two empirical measures (POT)."""
    from otbary.sampled import coupling_cost

    rng = np.random.default_rng(d)
    x = rng.normal(size=(300, d))
    y = rng.exponential(size=(300, d)) + 0.5
    g = ob.Grid((6,) * d, spacing=1.0, origin=-2.5)
    c = coupling_cost(x, y, g, metric, rng)
    exact = pot_w1(ob.Measure(x), ob.Measure(y), metric)
    assert exact - 1e-12 <= c <= 1.3 * exact
    # a sample against itself: every draw is paired with itself
    assert coupling_cost(x, x.copy(), g, metric, rng) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("metric", ["euclidean", "chebyshev"])
def test_infimum_bound_is_below_the_function(metric: str) -> None:
    """The tangent-plane bound on inf_x sum_k g_k(x) is below the McShane sum at many points."""
    from otbary.potentials import mcshane_extension
    from otbary.sampled import _infimum

    g = ob.Grid((7, 6), spacing=(0.5, 0.4))
    rng = np.random.default_rng(0)
    lam = np.array([0.5, 0.3, 0.2])
    pots = [lipschitz_envelope(rng.normal(size=g.size), g.points, metric, lk, grid=g) for lk in lam]
    low, node_min = _infimum(pots, lam, g, metric, 3)
    pts = g.origin + rng.random((20_000, 2)) * np.array([3.0, 2.0])
    values = sum(mcshane_extension(p, g.points, pts, metric, lk) for p, lk in zip(pots, lam, strict=True))
    assert low <= node_min and low <= float(values.min()) + 1e-12


@pytest.mark.parametrize("metric", ["euclidean", "cityblock", "chebyshev"])
def test_swap_pairs_keeps_the_draws_and_lowers_the_cost(metric: str) -> None:
    """Partner exchanges keep a bijection between the same draws and never raise its cost."""
    from otbary.geometry import norm
    from otbary.sampled import _swap_pairs

    rng = np.random.default_rng(3)
    px = rng.normal(size=(5_000, 2))
    py = px[rng.permutation(5_000)] + 0.05 * rng.normal(size=(5_000, 2))
    before = float(norm(px - py, metric).mean())
    qx, qy = _swap_pairs(px, py, metric, rng, 4)
    after = float(norm(qx - qy, metric).mean())
    assert after < 0.9 * before
    # the same rows on each side (a permutation of the pairs, then of the partners)
    np.testing.assert_array_equal(np.sort(qx, axis=0), np.sort(px, axis=0))
    np.testing.assert_array_equal(np.sort(qy, axis=0), np.sort(py, axis=0))
    assert _swap_pairs(px, py, metric, rng, 0)[1] is py


@pytest.mark.parametrize("metric", ["euclidean", "chebyshev"])
def test_tightened_potentials_keep_the_dual_and_their_infimum_bound(metric: str) -> None:
    """c-transforms lower every g_k, keep the node minimum, stay L_k-Lipschitz (L_k <= lambda_k),
    do not lower the dual value, and the infimum bound stays below the McShane sum."""
    from otbary.exact.grid import FlowGraph
    from otbary.potentials import mcshane_extension
    from otbary.sampled import _infimum, _tighten

    g = ob.Grid((9, 8), spacing=(0.5, 0.4), origin=(-2.0, -1.4))
    rng = np.random.default_rng(1)
    lam = np.array([0.5, 0.3, 0.2])
    hists = [rng.random(g.size) ** 4 for _ in lam]
    hists = [h / h.sum() for h in hists]
    _, pots = FlowGraph(g, metric).barycenter(hists, lam)
    tight, consts = _tighten(pots, lam, g, metric)
    total = np.sum(pots, axis=0)
    assert float(np.min(np.sum(tight, axis=0))) >= float(np.min(total)) - 1e-9

    def dual(ps: list[NDArray[np.float64]]) -> float:
        return float(np.min(np.sum(ps, axis=0)) - sum(p @ h for p, h in zip(ps, hists, strict=True)))

    assert dual(tight) >= dual(pots) - 1e-9
    dist = cdist(g.points, g.points, metric=metric)
    for p, q, c, lk in zip(pots, tight, consts, lam, strict=True):
        assert np.all(q <= p + 1e-9) and 0.0 <= c <= lk
        assert np.all(np.abs(q[:, None] - q[None, :]) <= c * dist + 1e-9)
    low, node_min = _infimum(tight, consts, g, metric, 2)
    pts = g.origin + rng.random((50_000, 2)) * np.array([4.0, 2.8])
    values = sum(mcshane_extension(p, g.points, pts, metric, c) for p, c in zip(tight, consts, strict=True))
    assert low <= node_min + 1e-12 and low <= float(values.min()) + 1e-12


def test_neural_suite_cases_and_paired_gap() -> None:
    """The suite's cases have the stated dimensions and closed-form optima; the paired estimate
    of a wrong candidate is positive and the answer's own is near 0."""
    from otbary.testing.continuous import NEURAL_SUITE, neural_suite, paired_gap

    cases = {c.name: c for c in neural_suite()}
    assert list(cases) == list(NEURAL_SUITE)
    assert cases["two-heavy-32d"].dim == 32 and cases["translates-8d-K4"].weights.size == 4
    assert cases["two-heavy-2d-scale100"].optimum == pytest.approx(100 * cases["two-heavy-2d"].optimum)
    assert np.isnan(cases["mixtures-2d"].optimum) and not cases["mixtures-2d"].candidates
    with pytest.raises(ValueError, match="names"):
        neural_suite(["two-heavy-4d"])
    c = cases["two-heavy-2d"]
    right, _ = c.candidates["barycenter"]
    wrong, gap = c.candidates["lighter input"]
    g0, se0 = paired_gap(right, right, c.inputs, c.weights, n=400, repeats=3, seed=0)
    g1, _ = paired_gap(wrong, right, c.inputs, c.weights, n=400, repeats=3, seed=0)
    assert abs(g0) < 4 * se0 + 1e-12 and g1 > 0.5 * gap
