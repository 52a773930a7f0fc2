"""The ``otbary`` command line and the demo it runs."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from otbary.cli import main


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    return subprocess.run(
        [sys.executable, "-m", "otbary", *args], capture_output=True, text=True, cwd=cwd, env=env,
        stdin=subprocess.DEVNULL, timeout=120,
    )


@pytest.fixture(scope="module")
def quick_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    out = tmp_path_factory.mktemp("demo") / "nested" / "out"
    rc = main(["demo", "--quick", "--no-progress", "--out", str(out)])
    return out, rc


def test_quick_demo_writes_report_and_figures(quick_demo: tuple[Path, int]) -> None:
    out, rc = quick_demo
    assert rc == 0
    assert (out / "report.md").is_file()
    assert (out / "report.json").is_file()
    report: dict[str, Any] = json.loads((out / "report.json").read_text())
    names = [c["name"] for c in report["cases"]]
    assert names == ["translates", "mixtures", "two-measures"]
    assert report["all_checks_ok"] is True
    for case in report["cases"]:
        for key in ("cost", "lower_bound", "gap", "relative_gap", "solve_time_s"):
            assert math.isfinite(case[key]), (case["name"], key)
        assert case["metric"] == "cityblock"
        assert case["method"] == "exact"
        assert abs(case["gap"]) <= 1e-6
        assert case["lower_bound"] <= case["cost"] + 1e-9
        assert case["checks"]["ok"] is True
        fig = out / case["figure"]
        assert fig.is_file() and fig.stat().st_size > 1000
    md = (out / "report.md").read_text()
    for name in names:
        assert f"figures/{name}.png" in md


def test_demo_known_answers(quick_demo: tuple[Path, int]) -> None:
    out, _ = quick_demo
    cases = {c["name"]: c for c in json.loads((out / "report.json").read_text())["cases"]}
    t = cases["translates"]
    assert t["cost"] == pytest.approx(t["checks"]["expected_optimum"], abs=1e-7)
    two = cases["two-measures"]
    assert two["cost"] == pytest.approx(0.4 * two["checks"]["w1_nu1_nu2"], abs=1e-7)
    assert two["checks"]["w1_to_heavier_input"] <= 1e-6
    mix = cases["mixtures"]
    assert mix["cost"] <= mix["checks"]["best_input_objective"] + 1e-9


def test_bad_out_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    for out in (blocker, blocker / "below"):
        proc = _run("demo", "--quick", "--out", str(out), cwd=tmp_path)
        assert proc.returncode == 2, proc.stderr
        assert "otbary: error:" in proc.stderr
        assert "Traceback" not in proc.stderr


def test_missing_out_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["demo"])
    assert exc.value.code == 2
    assert "--out" in capsys.readouterr().err


def test_version_and_toys(tmp_path: Path) -> None:
    proc = _run("--version", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout.startswith("otbary ")
    proc = _run("toys", cwd=tmp_path)
    assert proc.returncode == 0
    assert "gaussian" in proc.stdout and "random_mixture" in proc.stdout


def test_unexpected_errors_are_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    import otbary.demo

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("solver exploded")

    monkeypatch.setattr(otbary.demo, "run_demo", boom)
    monkeypatch.delenv("OTBARY_DEBUG", raising=False)
    assert main(["demo", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "otbary: error: RuntimeError: solver exploded" in err
    assert "Traceback" not in err


REPO = Path(__file__).resolve().parents[1]


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = REPO / ".ci" / "run"
    assert os.access(ci, os.X_OK), ".ci/run must be executable"
    assert "python3 tasks.py test" in ci.read_text()
    readme = (REPO / "README.md").read_text()
    assert "python3 tasks.py test" in readme
    assert "python3 tasks.py demo --out demo-out" in readme


def test_tasks_help_needs_only_the_standard_library(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-I", "-S", str(REPO / "tasks.py"), "--help"], capture_output=True, text=True,
        cwd=tmp_path, stdin=subprocess.DEVNULL, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    for task in ("demo", "test", "docs"):
        assert task in proc.stdout


def test_failed_known_answer_check_exits_1(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    import otbary.demo

    monkeypatch.setattr(otbary.demo, "CHECK_TOL", -1.0)  # no answer can pass
    rc = main(["demo", "--quick", "--no-progress", "--no-figures", "--no-neural", "--out", str(tmp_path)])
    assert rc == 1
    assert "known-answer check failed" in capsys.readouterr().err
    report = json.loads((tmp_path / "report.json").read_text())  # written before failing
    assert report["all_checks_ok"] is False


# ----------------------------------------------------------------------- the demo's neural part
def test_quick_demo_neural_part(quick_demo: tuple[Path, int]) -> None:
    pytest.importorskip("torch")
    out, rc = quick_demo
    assert rc == 0
    nr = json.loads((out / "report.json").read_text())["neural"]
    assert nr["skipped"] is False and nr["device"] == "cpu"
    assert [c["name"] for c in nr["cases"]] == ["translates", "mixtures"]
    for case in nr["cases"]:
        assert case["metric"] == "euclidean"
        assert case["steps"] >= 1 and case["steps_per_second"] > 0
        assert (out / case["checkpoint"]).is_file()
        assert (out / case["figure"]).is_file()
        names = [d["name"] for d in case["candidates"]]
        assert names[0].startswith("neural")
        for d in case["candidates"]:
            lo, hi = d["relative_interval"]
            assert lo <= d["relative_gap"] <= hi
            assert all(math.isfinite(v) for v in (d["cost"], d["optimum"], d["gap"], lo, hi))
            assert d["relative_gap"] == pytest.approx(d["gap"] / d["optimum"], rel=1e-9)
    t = nr["cases"][0]
    # the closed-form optimum (theory fact 6) and certify's sampled optimum agree up to sampling
    assert t["exact_optimum"] == pytest.approx(t["candidates"][0]["optimum"], rel=0.25)
    assert (out / nr["training_figure"]).is_file()
    md = (out / "report.md").read_text()
    assert "Neural barycenters" in md and "figures/neural-translates.png" in md


def test_demo_without_torch_runs_the_exact_part(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "otbary.neural.demo", None)  # import fails as without torch
    rc = main(["demo", "--quick", "--no-progress", "--no-figures", "--out", str(tmp_path)])
    assert rc == 0
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["all_checks_ok"] is True
    assert report["neural"]["skipped"] is True
    assert "pip install otbary[neural]" in report["neural"]["reason"]
    assert "neural part was skipped" in capsys.readouterr().out
    assert "skipped" in (tmp_path / "report.md").read_text()


def test_demo_seed_is_reproducible(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    from otbary.neural.demo import neural_cases, run_neural_case

    case = neural_cases()[1]

    def once(out: Path) -> dict[str, Any]:
        (out / "figures").mkdir(parents=True)
        return run_neural_case(case, out, quick=True, seed=3, resume=False, checkpoint_every=2, steps=3,
                               progress=False, figures=False, log=lambda _m: None)

    a, b = once(tmp_path / "a"), once(tmp_path / "b")
    assert a["candidates"] == b["candidates"]
    assert a["critic_objective_estimate"] == b["critic_objective_estimate"]


def test_ctrl_c_keeps_the_checkpoint_and_resume_continues(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("torch")
    import otbary.neural.demo as nd

    real = nd.neural_barycenter

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        def cb(step: int, info: dict[str, Any]) -> None:
            if step == 3:
                raise KeyboardInterrupt

        kwargs["callback"] = cb
        return real(*args, **kwargs)

    monkeypatch.setattr(nd, "neural_barycenter", interrupted)
    args = ["demo", "--quick", "--no-progress", "--no-figures", "--checkpoint-every", "2", "--steps", "5",
            "--out", str(tmp_path)]
    assert main(args) == 130
    assert "--resume" in capsys.readouterr().err
    from otbary.neural.checkpoint import load_checkpoint

    assert load_checkpoint(tmp_path / "checkpoints" / "translates.pt")["step"] == 2  # the last one kept
    monkeypatch.setattr(nd, "neural_barycenter", real)
    assert main([*args, "--resume"]) == 0
    cases = json.loads((tmp_path / "report.json").read_text())["neural"]["cases"]
    assert cases[0]["resumed_from"] == 2 and cases[0]["steps"] == 5
    assert cases[1]["resumed_from"] is None


def test_demo_bad_neural_arguments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--quick", "--steps", "0", "--out", str(tmp_path)]) == 2
    assert "--steps must be >= 1" in capsys.readouterr().err
