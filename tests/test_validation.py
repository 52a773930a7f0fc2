"""The ground-truth validation suite: its cases against independent oracles, the runner, the CLI."""

from __future__ import annotations

import concurrent.futures as cf
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import ot
import pytest
from numpy.typing import NDArray
from oracles import oracle_w1
from scipy.spatial.distance import cdist

import otbary as ob
from otbary.cli import main
from otbary.testing import mixture
from otbary.validation import cases as vc
from otbary.validation.runner import (
    CandidateError,
    call_candidate,
    load_candidate,
    run_case,
    run_validation,
    write_report,
)


def oracle_objective(c: ob.Measure, case: vc.Case) -> float:
    pairs = zip(case.weights, case.measures, strict=True)
    return float(sum(lk * oracle_w1(c, m, case.metric) for lk, m in pairs))


# Candidates used by the runner (module level: picklable for process pools).


def mixture_candidate(measures: list[ob.Measure], weights: NDArray[np.float64], metric: str) -> ob.Measure:
    out = measures[0]
    total = weights[0]
    for m, w in zip(measures[1:], weights[1:], strict=True):
        total += w
        out = mixture(out, m, float(w / total)) if total > 0 else out
    return out


def exact_samples_candidate(measures: list[ob.Measure], weights: NDArray[np.float64], metric: str) -> NDArray:
    res = ob.barycenter(measures, weights, metric)
    rng = np.random.default_rng(123)
    return res.measure.points[rng.choice(res.measure.size, 50, p=res.measure.weights)]


def mixture_samples_candidate(
    measures: list[ob.Measure], weights: NDArray[np.float64], metric: str
) -> NDArray:
    m = mixture_candidate(measures, weights, metric)
    return m.points[np.random.default_rng(123).choice(m.size, 50, p=m.weights)]


def wrong_dim_candidate(measures: list[ob.Measure], weights: NDArray[np.float64], metric: str) -> NDArray:
    return np.zeros((3, measures[0].dim + 1))


def empty_candidate(measures: list[ob.Measure], weights: NDArray[np.float64], metric: str) -> NDArray:
    return np.zeros((0, measures[0].dim))


def string_candidate(measures: list[ob.Measure], weights: NDArray[np.float64], metric: str) -> str:
    return "not a measure"


# ======================================================================================
# The cases are right (independently of otbary's solvers)
# ======================================================================================

BARY_CASES = [n for n in vc.case_names() if not n.startswith(("ball", "sampled"))]
SAMPLED_CASES = [n for n in vc.case_names() if n.startswith("sampled")]


@pytest.mark.parametrize("name", BARY_CASES)
def test_case_optimum_attained_by_its_barycenter(name: str) -> None:
    """J(mu*) computed by scipy / POT equals the stated optimum, and the inputs do no better."""
    case = vc.get_case(name, quick=True)
    assert case.barycenter is not None
    assert oracle_objective(case.barycenter, case) == pytest.approx(case.optimum, abs=1e-9, rel=1e-9)
    for m in case.measures:
        assert oracle_objective(m, case) >= case.optimum - 1e-9
    for _, (measure, known) in case.baselines.items():
        if known is not None:
            assert oracle_objective(measure, case) == pytest.approx(known, abs=1e-9, rel=1e-9)


def test_gaussian_cases_closed_forms() -> None:
    loc = vc.get_case("gauss1d-location", quick=True)
    assert loc.optimum == pytest.approx(0.2 * 2.5 + 0.3 * 2.5)
    scale = vc.get_case("gauss1d-scale", quick=True)
    z = vc.normal_atoms(200)
    assert scale.optimum == pytest.approx((0.3 * 0.5 + 0.4 * 1.0) * np.mean(np.abs(z)))
    two = vc.get_case("two-unequal", quick=True)
    assert two.optimum == pytest.approx(1.6) and two.recursive_cost == pytest.approx(1.92)


def test_sampled_translate_case_closed_forms() -> None:
    """P and Q = P + a: Q's sampler is P's shifted by a, and on one cloud X of P the exact (POT)
    objective of X, X + a, the even mixture (half of X moved by a) and X + s is the case's
    known optimum / baseline objective."""
    case = vc.get_case("sampled-translate", quick=True)
    assert case.kind == "sampled" and case.measures == [] and case.n_inputs == 2 and case.dim == 2
    assert case.metric == "euclidean" and case.unique and list(case.weights) == [0.6, 0.4]
    p, q = case.samplers
    assert case.barycenter_sampler is not None

    def shift_of(f: vc.Sampler) -> NDArray:
        """f's draws minus P's on the same seed: constant for a translate of P."""
        d = f(9, np.random.default_rng(1)) - p(9, np.random.default_rng(1))
        assert np.allclose(d, d[0])
        return d[0]

    a = shift_of(q)
    assert np.allclose(shift_of(case.barycenter_sampler), 0.0)
    n = 400
    x = p(n, np.random.default_rng(2))
    w = np.full(n, 1 / n)
    inputs = [x, x + a]

    def objective(c: NDArray) -> float:
        return float(sum(lk * ot.emd2(w, w, cdist(c, y)) for lk, y in zip(case.weights, inputs, strict=True)))

    assert case.optimum == pytest.approx(objective(x), rel=1e-9)
    assert case.optimum == pytest.approx(0.4 * np.linalg.norm(a), rel=1e-12)
    assert len(case.sampled_baselines) >= 2
    for name, (f, known) in case.sampled_baselines.items():
        draws = f(n, np.random.default_rng(3))
        if "mixture" in name:  # the even mixture of P and Q
            assert np.allclose(draws.mean(axis=0), a / 2 + x.mean(axis=0), atol=0.1)
            cloud = np.vstack([x[: n // 2], x[n // 2 :] + a])
        else:  # a translate of P
            cloud = x + shift_of(f)
        assert known > case.optimum + 0.05, name  # certifiably wrong
        assert objective(cloud) == pytest.approx(known, rel=1e-9), name


def test_get_case_unknown() -> None:
    with pytest.raises(ValueError, match="unknown case"):
        vc.get_case("nope")


# ======================================================================================
# run_case: each case alone
# ======================================================================================


@pytest.mark.parametrize("name", ["gauss1d-location", "gauss1d-scale", "two-unequal", "two-equal",
                                  "translates-2d", "grid-mixture", "ball-active", "ball-inactive"])
def test_run_case_passes(name: str) -> None:
    rec = run_case(name, quick=True)
    assert rec["status"] in ("pass", "skipped"), rec
    if rec["status"] == "pass":
        assert rec["checks"] and all(ch["ok"] for ch in rec["checks"])


@pytest.mark.parametrize("name", SAMPLED_CASES)
def test_run_case_sampled_brackets_the_known_gaps(name: str, tmp_path: Path) -> None:
    """Samplers as inputs: the barycenter's 95% interval contains 0 and is not above it; each
    wrong baseline's contains its known gap and lies above 0; the candidate is not run."""
    rec = run_case(name, quick=True, candidate=mixture_candidate, out=tmp_path)
    assert rec["status"] == "pass", rec
    assert rec["kind"] == "sampled" and rec["K"] == 2 and rec["dim"] == 2
    assert "candidate" not in rec and "samplers" in rec["candidate_skipped"]
    right = rec["certify_solver"]
    lo, hi = right["interval"]
    assert lo <= 0.0 <= hi and right["known_gap"] == 0.0
    assert rec["baselines"]
    for entry in rec["baselines"].values():
        lo, hi = entry["interval"]
        assert 0.0 < lo <= entry["known_gap"] <= hi
        assert set(entry["width"]) >= {"sampling"} and entry["dominant"] in entry["width"]
    assert rec["certify_settings"]["n_samples"] == 20_000 and rec["certify_settings"]["n_repeats"] == 4
    assert (tmp_path / rec["figure"]).is_file()
    summary = {"passed": 1, "failed": 0, "errors": 0, "skipped": 0, "total": 1, "quick": True,
               "candidate": None, "wall_s": rec["time_s"]}
    write_report({"summary": summary, "cases": [rec]}, tmp_path)
    md = (tmp_path / "report.md").read_text()
    assert "95% interval" in md and "Sample-based certify" in md and "interval [" in md
    data = json.loads((tmp_path / "report.json").read_text())
    assert data["cases"][0]["baselines"]["mixture"]["interval"] == rec["baselines"]["mixture"]["interval"]


def test_run_case_reports_wrong_candidates_with_their_gap() -> None:
    rec = run_case("two-unequal", quick=True, candidate=mixture_candidate)
    # mixture .6 nu_1 + .4 nu_2: objective 2 (.6)(.4) 4 = 1.92, optimum 1.6
    assert rec["candidate"]["gap"] == pytest.approx(0.32, abs=1e-9)
    assert rec["baselines"]["mixture"]["gap"] == pytest.approx(0.32, abs=1e-9)
    assert rec["baselines"]["recursive"]["gap"] == pytest.approx(0.32, abs=1e-9)
    assert rec["candidate"]["distance"] == pytest.approx(0.4 * 4.0, abs=1e-9)  # W1(mix, nu_1) = .4 W
    eq = run_case("two-equal", quick=True, candidate=mixture_candidate)
    assert eq["candidate"]["gap"] == pytest.approx(0.0, abs=1e-9)  # every mixture is optimal


def test_run_case_samples_candidates_like_with_like() -> None:
    """Samples are certified exactly as their empirical measure (gap > 0 even for exact samples),
    and compared with samples of the exact barycenter of the same size."""
    rec = run_case("gauss1d-location", quick=True, candidate=exact_samples_candidate)
    assert rec["status"] == "pass" and rec["candidate"]["gap"] > 0
    ref = rec["candidate"]["same_size_exact_samples"]
    assert ref["n"] == 50 and ref["range_95"][0] <= rec["candidate"]["cost"] <= ref["range_95"][1]
    assert abs(ref["gap"]) < rec["candidate"]["gap"]
    bad = run_case("gauss1d-location", quick=True, candidate=mixture_samples_candidate)
    ref_bad = bad["candidate"]["same_size_exact_samples"]
    assert ref_bad["percentile"] == 1.0 and ref_bad["gap"] > 0.2  # the mixture's exact gap is 0.41


def test_run_case_detects_a_wrong_known_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    original = vc.CASES["two-unequal"]

    def broken(quick: bool) -> vc.Case:
        c = original(quick)
        c.optimum = c.optimum + 0.01
        return c

    monkeypatch.setitem(vc.CASES, "two-unequal", broken)
    rec = run_case("two-unequal", quick=True)
    assert rec["status"] == "fail"
    assert not all(ch["ok"] for ch in rec["checks"])


# ======================================================================================
# Candidates: loading and bad returns
# ======================================================================================


def test_bad_candidates() -> None:
    case = vc.get_case("two-unequal", quick=True)
    with pytest.raises(CandidateError, match="dimension 2; the inputs have 1"):
        call_candidate(wrong_dim_candidate, case)
    with pytest.raises(CandidateError, match="empty"):
        call_candidate(empty_candidate, case)
    with pytest.raises(CandidateError, match="returned str"):
        call_candidate(string_candidate, case)
    with pytest.raises(CandidateError, match="cannot import"):
        load_candidate("no_such_module_xyz:f")
    with pytest.raises(CandidateError, match="MODULE:FUNC"):
        load_candidate("justaname")
    with pytest.raises(CandidateError, match="no function"):
        load_candidate("otbary.certify:nothing_here")
    assert load_candidate("otbary.certify:certify") is ob.certify


def test_candidate_from_a_file(tmp_path: Path) -> None:
    f = tmp_path / "my_solver.py"
    f.write_text("import otbary as ob\n\ndef first(measures, weights, metric):\n    return measures[0]\n")
    rec = run_case("two-unequal", quick=True, candidate=f"{f}:first")
    assert rec["candidate"]["gap"] == pytest.approx(0.0, abs=1e-9)  # nu_1 is the barycenter


# ======================================================================================
# run_validation: executors and the report
# ======================================================================================


def test_run_validation_with_any_executor(tmp_path: Path) -> None:
    names = ["two-unequal", "gauss1d-scale"]
    with cf.ThreadPoolExecutor(max_workers=2) as ex:
        rep = run_validation(names, quick=True, executor=ex, out=tmp_path, progress=False,
                             candidate=mixture_candidate)
    assert [r["name"] for r in rep["cases"]] == names
    assert rep["summary"]["passed"] == 2
    data = json.loads((tmp_path / "report.json").read_text())
    assert data["cases"][0]["candidate"]["gap"] == pytest.approx(0.32, abs=1e-9)
    md = (tmp_path / "report.md").read_text()
    assert "two-unequal" in md and "| pass |" in md
    assert (tmp_path / "figures" / "two-unequal.png").is_file()


def test_run_validation_serial_equals_pool() -> None:
    a = run_validation(["two-unequal"], quick=True, workers=0, progress=False)
    b = run_validation(["two-unequal"], quick=True, workers=1, progress=False)
    assert a["cases"][0]["solver"]["cost"] == b["cases"][0]["solver"]["cost"]


# ======================================================================================
# Command line
# ======================================================================================


def test_cli_subset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["validate", "--quick", "--cases", "two-unequal", "two-equal", "--workers", "0",
               "--no-progress", "--out", str(tmp_path)])
    assert rc == 0
    assert (tmp_path / "report.md").is_file() and (tmp_path / "report.json").is_file()
    assert "2 passed" in capsys.readouterr().out


def test_cli_bad_candidate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["validate", "--quick", "--cases", "two-unequal", "--workers", "0", "--no-progress",
               "--candidate", "no_such_module_xyz:f", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1 and "cannot import no_such_module_xyz" in err
    assert "Traceback" not in err
    rc = main(["validate", "--quick", "--cases", "two-unequal", "--workers", "0", "--no-progress",
               "--candidate", "tests.test_validation:wrong_dim_candidate", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert rc == 2 and "dimension 2; the inputs have 1" in err and "Traceback" not in err


def test_cli_failing_solver_exit_status(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = vc.CASES["gauss1d-scale"]

    def broken(quick: bool) -> vc.Case:
        c = original(quick)
        c.optimum = 2 * c.optimum
        return c

    monkeypatch.setitem(vc.CASES, "gauss1d-scale", broken)
    rc = main(["validate", "--quick", "--cases", "gauss1d-scale", "--workers", "0", "--no-progress",
               "--out", str(tmp_path)])
    assert rc == 1


def test_cli_max_gap(tmp_path: Path) -> None:
    args = ["validate", "--quick", "--cases", "two-unequal", "--workers", "0", "--no-progress",
            "--candidate", "tests.test_validation:mixture_candidate", "--out", str(tmp_path)]
    assert main(args + ["--max-gap", "0.1"]) == 1  # relative gap 0.2
    assert main(args + ["--max-gap", "0.3"]) == 0



def test_cases_build_without_hypothesis() -> None:
    # `otbary validate` must work from a plain install: hypothesis is a dev-only dependency
    code = (
        "import sys; sys.modules['hypothesis'] = None\n"
        "from otbary.validation.cases import CASES, get_case\n"
        "names = [get_case(name, quick=True).name for name in CASES]\n"
        "import otbary.testing\n"
        "try:\n"
        "    otbary.testing.strategies\n"
        "except ImportError:\n"
        "    print('strategies need hypothesis')\n"
        "print(len(names))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    out = run.stdout.split()
    assert out[-1] == str(len(vc.CASES)) and "strategies need hypothesis" in " ".join(out)
