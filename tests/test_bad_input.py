"""Bad input raises ValueError/TypeError naming the argument; garbage never yields NaN.

the public API contract: negative or NaN mass, empty measure, mismatched dimensions, unknown
metric, weights of the wrong length raise ``ValueError``/``TypeError`` naming the argument;
never return NaN silently.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import otbary as ob
from otbary.errors import SizeLimitError

BAD = (ValueError, TypeError)


def raises_naming(
    exc: type[BaseException] | tuple[type[BaseException], ...],
    name: str,
    fn: Callable[..., Any],
    *args: Any,
    **kwargs: Any,
) -> str:
    """Call ``fn`` and check it raises ``exc`` with ``name`` in its message."""
    with pytest.raises(exc) as info:
        fn(*args, **kwargs)
    msg = str(info.value)
    assert name in msg, f"message {msg!r} does not name the argument {name!r}"
    return msg


P2 = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
MU = ob.Measure(P2)
NU = ob.Measure(P2 + 0.5)
G = ob.Grid((3, 3))


# ---- measures ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "w",
    [
        [0.5, 0.7, -0.2],  # negative
        [0.5, np.nan, 0.5],  # NaN
        [0.5, np.inf, 0.5],  # infinite
        [-np.inf, 0.5, 0.5],
        [0.2, 0.2, 0.2],  # not summing to one
        [0.5, 0.5, 0.5],
        [0.0, 0.0, 0.0],  # zero total
        [0.5, 0.5],  # wrong length
        [[0.5, 0.5, 0.0]],  # wrong shape
    ],
)
def test_measure_bad_weights(w: list[Any]) -> None:
    raises_naming(ValueError, "weights", ob.Measure, P2, w)


def test_measure_non_numeric_weights() -> None:
    raises_naming(TypeError, "weights", ob.Measure, P2, ["a", "b", "c"])


@pytest.mark.parametrize(
    "pts",
    [
        [],  # empty
        np.zeros((0, 2)),
        np.zeros((3, 0)),
        [[0.0, np.nan]],
        [[np.inf, 0.0]],
        np.zeros((2, 2, 2)),  # wrong ndim
    ],
)
def test_measure_bad_points(pts: Any) -> None:
    raises_naming(ValueError, "points", ob.Measure, pts)


def test_measure_non_numeric_or_ragged_points() -> None:
    raises_naming(TypeError, "points", ob.Measure, [["a", "b"]])
    raises_naming((TypeError, ValueError), "points", ob.Measure, [[0.0, 1.0], [2.0]])


@pytest.mark.parametrize(
    "values",
    [
        -np.ones((3, 3)) / 9,
        np.full((3, 3), np.nan),
        np.full((3, 3), 0.2),  # not summing to one
        np.zeros((3, 3)),
        np.ones((2, 2)) / 4,  # wrong shape
        np.ones(10) / 10,
    ],
)
def test_on_grid_bad_values(values: np.ndarray) -> None:
    raises_naming(ValueError, "values", ob.Measure.on_grid, G, values)


def test_on_grid_needs_a_grid() -> None:
    raises_naming(TypeError, "grid", ob.Measure.on_grid, (3, 3), np.ones(9) / 9)


# ---- grids ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "name", "exc"),
    [
        ({"shape": ()}, "shape", ValueError),
        ({"shape": (2, 2, 2, 2)}, "shape", ValueError),
        ({"shape": (0, 3)}, "shape", ValueError),
        ({"shape": (-1,)}, "shape", ValueError),
        ({"shape": (2.5, 3)}, "shape", TypeError),
        ({"shape": "ab"}, "shape", (TypeError, ValueError)),
        ({"shape": None}, "shape", TypeError),
        ({"shape": (3, 3), "spacing": 0.0}, "spacing", ValueError),
        ({"shape": (3, 3), "spacing": -1.0}, "spacing", ValueError),
        ({"shape": (3, 3), "spacing": np.nan}, "spacing", ValueError),
        ({"shape": (3, 3), "spacing": np.inf}, "spacing", ValueError),
        ({"shape": (3, 3), "spacing": (1.0, 1.0, 1.0)}, "spacing", ValueError),
        ({"shape": (3, 3), "origin": (0.0, np.nan)}, "origin", ValueError),
        ({"shape": (3, 3), "origin": (0.0,) * 3}, "origin", ValueError),
    ],
)
def test_bad_grid(kwargs: dict[str, Any], name: str, exc: Any) -> None:
    raises_naming(exc, name, ob.Grid, **kwargs)


# ---- w1 ------------------------------------------------------------------------------


def test_arrays_are_uniform_empirical_measures() -> None:
    # POT's habit: an (n, d) array of points is (1/n) sum_i delta_{x_i}; 1D arrays are points on the line
    assert ob.w1(P2, P2 + 0.5, "cityblock") == ob.w1(MU, NU, "cityblock") == pytest.approx(1.0)
    assert ob.solve_w1(P2.tolist(), NU, "euclidean").cost == pytest.approx(ob.w1(MU, NU, "euclidean"))
    assert ob.w1([0.0, 1.0], [2.0, 3.0]) == pytest.approx(2.0)
    res = ob.barycenter([P2, P2 + 0.5], [0.7, 0.3], "cityblock")
    ref = ob.barycenter([MU, NU], [0.7, 0.3], "cityblock")
    assert res.cost == pytest.approx(ref.cost) == pytest.approx(0.3)


@pytest.mark.parametrize("fn", [ob.w1, ob.solve_w1])
def test_w1_bad_arguments(fn: Callable[..., Any]) -> None:
    nu3 = ob.Measure(np.zeros((2, 3)))
    raises_naming(ValueError, "dimension", fn, MU, nu3)
    raises_naming(ValueError, "metric", fn, MU, NU, "sqeuclidean")
    raises_naming(ValueError, "metric", fn, MU, NU, metric="l2")
    raises_naming(TypeError, "metric", fn, MU, NU, None)
    raises_naming(TypeError, "mu", fn, "P2", NU)
    raises_naming(TypeError, "nu", fn, MU, {"points": P2})
    raises_naming(ValueError, "nu", fn, MU, np.zeros((0, 2)))
    raises_naming(ValueError, "mu", fn, np.array([[0.0, np.nan]]), NU)


# ---- barycenter ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "w",
    [
        [0.5, 0.5, 0.0],  # wrong length
        [1.0],
        [[0.5, 0.5]],
        [1.5, -0.5],  # negative
        [0.3, 0.3],  # not summing to one
        [np.nan, 1.0],
        [np.inf, 0.0],
    ],
)
def test_barycenter_bad_weights(w: list[Any]) -> None:
    raises_naming(ValueError, "weights", ob.barycenter, [MU, NU], w)


def test_barycenter_non_numeric_weights() -> None:
    raises_naming(TypeError, "weights", ob.barycenter, [MU, NU], ["a", "b"])


def test_barycenter_bad_measures() -> None:
    raises_naming(ValueError, "measures", ob.barycenter, [])
    raises_naming(TypeError, "measures", ob.barycenter, MU)
    raises_naming(TypeError, "measures", ob.barycenter, [MU, "P2"])
    raises_naming(TypeError, "measures", ob.barycenter, None)
    raises_naming(TypeError, "measures", ob.barycenter, P2)
    raises_naming(ValueError, "dimension", ob.barycenter, [MU, ob.Measure(np.zeros((2, 3)))])


def test_barycenter_bad_options() -> None:
    raises_naming(ValueError, "metric", ob.barycenter, [MU, NU], metric="minkowski")
    raises_naming(TypeError, "metric", ob.barycenter, [MU, NU], metric=1)
    raises_naming(ValueError, "method", ob.barycenter, [MU, NU], method="sinkhorn-ish")
    raises_naming(ValueError, "method", ob.barycenter, [MU, NU], method=None)
    raises_naming(ValueError, "eps", ob.barycenter, [MU, NU], method="exact", eps=0.1)


def test_barycenter_bad_support() -> None:
    raises_naming(ValueError, "support", ob.barycenter, [MU, NU], support="everywhere")
    raises_naming(ValueError, "support", ob.barycenter, [MU, NU], support=np.zeros((3, 3)))
    raises_naming(ValueError, "support", ob.barycenter, [MU, NU], support=np.zeros((0, 2)))
    raises_naming(ValueError, "support", ob.barycenter, [MU, NU], support=[[0.0, np.nan]])
    raises_naming(ValueError, "support", ob.barycenter, [MU, NU], support=ob.Grid((2, 2, 2)))
    raises_naming(ValueError, "support", ob.barycenter, [MU, NU], support=ob.Measure(np.zeros((1, 3))))
    raises_naming(TypeError, "support", ob.barycenter, [MU, NU], support=[["a", "b"]])


def test_barycenter_grids_differ_without_support() -> None:
    a = ob.Measure.on_grid(ob.Grid((3, 3)), np.ones(9) / 9)
    b = ob.Measure.on_grid(ob.Grid((3, 3), spacing=0.5), np.ones(9) / 9)
    raises_naming(ValueError, "support", ob.barycenter, [a, b])


def test_size_limit_error_is_a_value_error() -> None:
    assert issubclass(SizeLimitError, ValueError)
    assert issubclass(ob.NotOptimalError, RuntimeError)


# ---- garbage in, never NaN out ---------------------------------------------------------

_garbage_floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5, 1e-300, 1e300, np.nan, np.inf, -np.inf]),
)
_garbage_arrays = st.one_of(
    hnp.arrays(
        np.float64, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4), elements=_garbage_floats
    ),
    st.lists(
        st.one_of(st.none(), st.text(max_size=2), st.floats(), st.lists(st.floats(), max_size=2)), max_size=3
    ),
    st.none(),
    st.text(max_size=3),
    st.integers(-3, 3),
)


def _maybe_measure(points: Any, weights: Any) -> ob.Measure | None:
    try:
        return ob.Measure(points, weights)
    except BAD:
        return None


@given(points=_garbage_arrays, weights=st.one_of(st.none(), _garbage_arrays))
def test_measure_garbage_only_value_or_type_errors(points: Any, weights: Any) -> None:
    mu = _maybe_measure(points, weights)
    if mu is not None:
        assert np.all(np.isfinite(mu.points)) and np.all(mu.weights >= 0)
        assert abs(float(mu.weights.sum()) - 1.0) <= 1e-8


_small_points = st.integers(1, 4).flatmap(
    lambda n: st.integers(1, 2).flatmap(
        lambda d: hnp.arrays(
            np.float64,
            (n, d),
            elements=st.one_of(
                st.floats(-1e6, 1e6, allow_subnormal=False), st.sampled_from([np.nan, np.inf, 0.0, 1e-300])
            ),
        )
    )
)
_small_weights = st.one_of(
    st.none(),
    hnp.arrays(
        np.float64,
        st.integers(0, 5),
        elements=st.one_of(st.floats(-1.0, 2.0), st.sampled_from([np.nan, 0.0, 1.0, 0.5, 0.25])),
    ),
)
_metric_garbage = st.one_of(st.sampled_from(ob.METRICS), st.sampled_from(["l1", "", "EUCLIDEAN", None, 2]))


@given(
    p1=_small_points,
    w1=_small_weights,
    p2=_small_points,
    w2=_small_weights,
    metric=_metric_garbage,
)
def test_w1_garbage_never_nan(p1: Any, w1: Any, p2: Any, w2: Any, metric: Any) -> None:
    mu, nu = _maybe_measure(p1, w1), _maybe_measure(p2, w2)
    if mu is None or nu is None:
        return
    try:
        value = ob.w1(mu, nu, metric)
    except BAD:
        return
    assert not math.isnan(value), f"W1 returned NaN for {mu.points.tolist()}, {nu.points.tolist()}"
    assert math.isfinite(value) and value >= 0.0


@given(
    pts=st.lists(_small_points, min_size=1, max_size=3),
    weights=st.one_of(st.none(), hnp.arrays(np.float64, st.integers(0, 4), elements=st.floats(-1.0, 2.0))),
    metric=_metric_garbage,
    method=st.sampled_from(["exact", "bogus", None, 3]),
    eps=st.sampled_from([None, None, 0.1, np.nan]),
)
def test_barycenter_garbage_never_nan(
    pts: list[Any], weights: Any, metric: Any, method: Any, eps: Any
) -> None:
    ms = [m for m in (_maybe_measure(p, None) for p in pts) if m is not None]
    if not ms:
        return
    try:
        res = ob.barycenter(ms, weights, metric=metric, method=method, eps=eps)
    except BAD:
        return
    assert math.isfinite(res.cost) and math.isfinite(res.lower_bound)
    assert np.all(np.isfinite(res.measure.weights)) and np.all(np.isfinite(res.measure.points))
