"""The public API contract: names, signatures, result attributes, packaging."""

from __future__ import annotations

import dataclasses
import inspect
import subprocess
import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

import otbary as ob

ROOT = Path(__file__).resolve().parents[1]

#: Names of the contract that exist now.
CONTRACT_NOW = [
    "Grid",
    "Measure",
    "w1",
    "solve_w1",
    "barycenter",
    "BarycenterResult",
    "W1Result",
    "Potential",
    "METRICS",
    "NotOptimalError",
    "SizeLimitError",
    "testing",
    "interpolate",
    "recursive_barycenter",
    "ball_problem",
    "certify",
]


@pytest.mark.parametrize("name", CONTRACT_NOW)
def test_contract_name_exists(name: str) -> None:
    if name == "testing":
        import otbary.testing  # noqa: F401
    assert hasattr(ob, name), f"otbary.{name} is missing"


def test_all_is_accurate() -> None:
    for name in ob.__all__:
        assert hasattr(ob, name), f"otbary.__all__ lists {name!r}, which does not exist"
    assert ob.__version__


def _params(fn: object) -> dict[str, object]:
    return {p.name: p.default for p in inspect.signature(fn).parameters.values()}  # type: ignore[arg-type]


def test_signatures() -> None:
    empty = inspect.Parameter.empty
    assert _params(ob.Grid) == {"shape": empty, "spacing": 1.0, "origin": 0.0}
    assert list(_params(ob.Measure))[:2] == ["points", "weights"] and _params(ob.Measure)["weights"] is None
    assert list(_params(ob.Measure.on_grid))[:2] == ["grid", "values"]
    assert _params(ob.w1) == {"mu": empty, "nu": empty, "metric": "euclidean"}
    assert _params(ob.solve_w1) == {"mu": empty, "nu": empty, "metric": "euclidean"}
    contract = {
        "measures": empty,
        "weights": None,
        "metric": "euclidean",
        "method": "exact",
        "support": None,
        "eps": None,
    }
    params = _params(ob.barycenter)
    assert list(params)[: len(contract)] == list(contract)
    assert {k: params[k] for k in contract} == contract
    kinds = {p.name: p.kind for p in inspect.signature(ob.barycenter).parameters.values()}
    assert all(kinds[k] is inspect.Parameter.KEYWORD_ONLY for k in params if k not in contract)
    # The later parts of the contract: leading positional names and their defaults.
    later = {
        ob.interpolate: {"mu": empty, "nu": empty, "t": empty, "metric": "euclidean"},
        ob.recursive_barycenter: {"measures": empty, "weights": None, "metric": "euclidean"},
        ob.ball_problem: {"target": empty, "centers": empty, "radii": empty, "metric": "euclidean",
                          "support": None},
        ob.certify: {"candidate": empty, "measures": empty, "weights": None, "metric": "euclidean",
                     "support": None},
    }
    for fn, expected in later.items():
        got = _params(fn)
        assert {k: got.get(k, "missing") for k in expected} == expected, fn.__name__
        assert list(got)[: len(expected)] == list(expected), fn.__name__
    assert set(ob.METRICS) == {"cityblock", "chebyshev", "euclidean"}


def test_grid_and_measure_attributes() -> None:
    g = ob.Grid(shape=(4, 3), spacing=0.5, origin=1.0)
    assert g.points.shape == (12, 2) and g.size == 12
    mu = ob.Measure.on_grid(g, np.full(12, 1 / 12))
    assert mu.grid == g and mu.points.shape == (12, 2) and mu.weights.shape == (12,)
    pc = ob.Measure(np.zeros((2, 2)))
    np.testing.assert_array_equal(pc.weights, [0.5, 0.5])


def test_w1_result_attributes() -> None:
    mu = ob.Measure([[0.0, 0.0], [1.0, 0.0]])
    nu = ob.Measure([[0.0, 1.0]])
    assert isinstance(ob.w1(mu, nu), float)
    res = ob.solve_w1(mu, nu, metric="cityblock")
    assert isinstance(res, ob.W1Result)
    for attr in ("cost", "potential", "lower_bound", "gap", "metric", "method", "status", "info"):
        assert hasattr(res, attr), attr
    assert isinstance(res.potential, ob.Potential)
    assert res.cost == pytest.approx(1.5)
    assert dataclasses.is_dataclass(res)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.cost = 0.0  # type: ignore[misc]


def test_barycenter_result_attributes() -> None:
    mu = ob.Measure([[0.0, 0.0], [1.0, 0.0]])
    nu = ob.Measure([[0.0, 1.0]])
    res = ob.barycenter([mu, nu], [0.25, 0.75], metric="euclidean")
    assert isinstance(res, ob.BarycenterResult)
    for attr in (
        "measure",
        "cost",
        "lower_bound",
        "gap",
        "weights",
        "method",
        "info",
        "metric",
        "costs",
        "relative_gap",
        "status",
    ):
        assert hasattr(res, attr), attr
    assert isinstance(res.measure, ob.Measure)
    assert res.method == "exact"
    np.testing.assert_allclose(res.weights, [0.25, 0.75])
    assert "support" in res.info
    assert res.gap == pytest.approx(res.cost - res.lower_bound)
    assert dataclasses.is_dataclass(res)


def _run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_import_does_not_import_torch() -> None:
    code = (
        "import sys, otbary, otbary.testing, otbary.testing.identities\n"
        "bad = sorted(m for m in ('torch', 'hypothesis', 'matplotlib') if m in sys.modules)\n"
        "print(','.join(bad))\n"
    )
    heavy = set(filter(None, _run(code).strip().split(",")))
    assert "torch" not in heavy, "import otbary imported torch"
    assert "hypothesis" not in heavy, "import otbary.testing imported hypothesis (strategies must be lazy)"


def test_testing_strategies_are_reachable() -> None:
    import otbary.testing as ot_testing

    strategies = ot_testing.strategies
    for name in (
        "weights",
        "point_clouds",
        "grids",
        "grid_measures",
        "metrics",
        "measure_lists",
        "translates_case",
        "two_measures_case",
        "pushed_pair_case",
    ):
        assert callable(getattr(strategies, name)), name
    for name in ot_testing.__all__:
        assert hasattr(ot_testing, name), name


def test_ships_py_typed() -> None:
    assert resources.files("otbary").joinpath("py.typed").is_file()
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert "py.typed" in pyproject, "py.typed must be listed in the package data"


def test_contract_results_have_their_attributes() -> None:
    """The attribute names the API contract promises on the later results."""
    mu = ob.Measure([[0.0], [1.0]])
    nu = ob.Measure([[2.0]])
    rec = ob.recursive_barycenter([mu, nu], metric="euclidean")
    assert isinstance(rec, ob.BarycenterResult) and rec.method == "recursive"
    assert isinstance(ob.interpolate(mu, nu, 0.5), ob.Measure)
    ball = ob.ball_problem(mu, [nu], [1.5], metric="euclidean")
    assert isinstance(ball, ob.BallResult)
    for attr in ("measure", "cost", "multipliers", "feasible"):
        assert hasattr(ball, attr), attr
    cert = ob.certify(mu, [mu, nu], metric="euclidean")
    assert isinstance(cert, ob.CertifyResult)
    for attr in ("cost", "optimum", "gap", "relative_gap", "support"):
        assert hasattr(cert, attr), attr


def test_entry_points_are_not_stubs() -> None:
    """No public function is a placeholder that raises NotImplementedError."""
    import ast

    for name in ob.__all__:
        obj = getattr(ob, name)
        if not inspect.isfunction(obj):
            continue
        tree = ast.parse(inspect.getsource(obj).lstrip())
        raised = [n for n in ast.walk(tree) if isinstance(n, ast.Raise) and n.exc is not None]
        names = {getattr(getattr(r.exc, "func", r.exc), "id", None) for r in raised}
        assert "NotImplementedError" not in names, f"otbary.{name} is a stub"


def test_one_status_vocabulary() -> None:
    from otbary.results import STATUSES

    mu, nu, far = ob.Measure([[0.0], [1.0]]), ob.Measure([[2.0], [3.0]]), ob.Measure([[9.0]])
    assert ob.solve_w1(mu, nu).status == "optimal"
    assert ob.barycenter([mu, nu]).status == "optimal"
    assert ob.recursive_barycenter([mu, nu]).status == "feasible"
    assert ob.sinkhorn_w1(mu, nu, 0.5).status == "converged"
    with pytest.warns(RuntimeWarning):
        capped = ob.barycenter([mu, nu], method="entropic", eps=0.01, max_iter=2, on_max_iter="warn")
    assert capped.status == "max_iter"
    # two balls of radius 1 around measures 7 apart do not meet
    assert ob.ball_problem(mu, [nu, far], [1.0, 1.0]).status == "infeasible"
    assert {"optimal", "converged", "max_iter", "feasible", "infeasible"} == set(STATUSES)
    with pytest.raises(ValueError, match="status='done' is not one of"):
        ob.BarycenterResult(mu, 0.0, 0.0, np.ones(1), "exact", "euclidean", np.zeros(1), status="done")


def test_a_missing_extra_gives_a_one_line_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    from otbary.extras import require

    assert require("numpy", "otbary", "-").__name__ == "numpy"
    monkeypatch.setitem(sys.modules, "cvxpy", None)  # import cvxpy now raises ImportError
    with pytest.raises(ImportError, match=r"^otbary.cvx needs cvxpy, which is not installed: pip") as info:
        require("cvxpy", "otbary.cvx", "pip install 'otbary[cvx]'")
    assert "\n" not in str(info.value)
