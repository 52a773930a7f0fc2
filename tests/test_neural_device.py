"""otbary.neural on a chosen device: the ``device`` option, its validation, portable checkpoints.

Every test runs on the CPU; the CUDA ones run only where ``torch.cuda.is_available()``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from otbary.neural.barycenter import (  # noqa: E402
    neural_barycenter,
    recursive_neural_barycenter,
    train_generator,
)
from otbary.neural.checkpoint import load_checkpoint  # noqa: E402
from otbary.neural.nets import as_device, build_pair  # noqa: E402
from otbary.neural.samplers import gaussian_sampler  # noqa: E402
from otbary.neural.wgan import WGANConfig  # noqa: E402

torch.set_num_threads(1)
pytestmark = pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad")
TINY = WGANConfig(lr=3e-3, critic_lr=None, batch_size=32, n_critic=2, ema_decay=0.0)
CUDA = torch.cuda.is_available()
needs_cuda = pytest.mark.skipif(not CUDA, reason="no CUDA device here")


def _inputs() -> list:
    # one of each kind whose draws travel to the device: a numpy callable, an array, a torch sampler
    return [lambda n, rng: rng.normal([0.0, 1.0], 0.3, size=(n, 2)),
            np.random.default_rng(1).normal([1.0, 0.0], 0.2, size=(200, 2)),
            gaussian_sampler([0.5, 0.5], 0.1)]


def _run(**kw: object):
    return neural_barycenter(_inputs(), steps=4, config=TINY, hidden=(16,), seed=3, **kw)


def test_explicit_cpu_is_the_default() -> None:
    a, b = _run(), _run(device="cpu")
    c = _run(device=torch.device("cpu"))
    assert a.device == b.device == c.device == "cpu"
    for r in (b, c):
        assert r.history["objective"] == a.history["objective"]
        for p, q in zip(a.generator.parameters(), r.generator.parameters(), strict=True):
            assert torch.equal(p, q)
        x = r.sample(50, seed=0)
        assert x.dtype == np.float64 and np.array_equal(x, a.sample(50, seed=0))


def test_recursive_explicit_cpu_is_the_default() -> None:
    ms = [gaussian_sampler([0.0], 0.1), gaussian_sampler([1.0], 0.1), gaussian_sampler([2.0], 0.1)]
    a = recursive_neural_barycenter(ms, steps=2, config=TINY, hidden=(8,), seed=0)
    b = recursive_neural_barycenter(ms, steps=2, config=TINY, hidden=(8,), seed=0, device="cpu")
    assert b.device == "cpu" and np.array_equal(a.sample(20, seed=1), b.sample(20, seed=1))


@pytest.mark.parametrize("bad", ["gpu", "CUDA", "", "cuda-0", "meta"])
def test_unknown_device_is_a_value_error_naming_it(bad: str) -> None:
    with pytest.raises(ValueError, match="device"):
        _run(device=bad)
    with pytest.raises(ValueError, match="device"):
        as_device(bad)


def test_device_of_the_wrong_type() -> None:
    with pytest.raises(TypeError, match="device"):
        _run(device=0)


@pytest.mark.skipif(CUDA, reason="CUDA is available here")
def test_cuda_without_cuda_is_a_value_error() -> None:
    for entry in (neural_barycenter, recursive_neural_barycenter):
        with pytest.raises(ValueError, match="device='cuda'.*not available"):
            entry(_inputs(), steps=1, config=TINY, hidden=(8,), device="cuda")
    gen, critic = build_pair((2,), hidden=(8,))
    with pytest.raises(ValueError, match="device='cuda:0'"):
        train_generator(gen, [_inputs()[1]], critics=[critic], steps=1, config=TINY, device="cuda:0")


def test_default_keeps_a_given_generator_where_it_is(tmp_path: Path) -> None:
    gen, critic = build_pair((2,), hidden=(8,))
    res = train_generator(gen, [_inputs()[1]], critics=[critic], steps=2, config=TINY, seed=0,
                          checkpoint=tmp_path / "g.pt")
    assert res.device == "cpu" and next(critic.parameters()).device.type == "cpu"
    assert load_checkpoint(tmp_path / "g.pt")["step"] == 2


def test_checkpoint_state_is_detached_and_keeps_its_structure() -> None:
    """``_on_cpu`` (what makes checkpoints portable) walks dicts, lists and tuples, detaches every
    tensor and leaves other values alone (its move to the CPU is checked on a GPU, below)."""
    from otbary.neural.barycenter import _on_cpu

    w = torch.ones(3, requires_grad=True)
    out = _on_cpu({"a": [w, (2, w * 2)], "b": "x", "c": 1.5})
    assert set(out) == {"a", "b", "c"} and out["b"] == "x" and out["c"] == 1.5
    assert isinstance(out["a"], list) and isinstance(out["a"][1], tuple) and out["a"][1][0] == 2
    for t in (out["a"][0], out["a"][1][1]):
        assert isinstance(t, torch.Tensor) and not t.requires_grad and t.device.type == "cpu"
    torch.testing.assert_close(out["a"][1][1], torch.full((3,), 2.0))


@needs_cuda
def test_a_short_cuda_run_returns_host_numpy(tmp_path: Path) -> None:
    ckpt = tmp_path / "cuda.pt"
    res = neural_barycenter(_inputs(), steps=3, config=TINY, hidden=(16,), seed=3, device="cuda",
                            checkpoint=ckpt)
    assert res.device is not None and res.device.startswith("cuda")
    assert all(p.device.type == "cuda" for p in res.generator.parameters())
    assert all(p.device.type == "cuda" for c in res.critics for p in c.parameters())
    x = res.sample(40, seed=0)
    assert isinstance(x, np.ndarray) and x.dtype == np.float64 and x.shape == (40, 2)
    y = res.sampler()(7, np.random.default_rng(0))
    assert isinstance(y, np.ndarray) and y.shape == (7, 2)
    # the checkpoint holds CPU tensors only, and a CUDA run resumes on the CPU
    # read raw (load_checkpoint maps to the CPU, which would hide CUDA tensors in the file)
    raw = torch.load(ckpt, weights_only=True)
    assert all(t.device.type == "cpu" for t in raw["generator"].values())
    more = neural_barycenter(_inputs(), steps=5, config=TINY, hidden=(16,), seed=3, device="cpu",
                             checkpoint=ckpt, resume=True)
    assert more.resumed_from == 3 and more.steps == 5 and more.device == "cpu"
    # pre-trained generators as inputs run on their own device: a CUDA one in a CPU run, a CPU
    # one in a CUDA run
    on_cpu = neural_barycenter([res.generator, _inputs()[1]], steps=2, config=TINY, hidden=(16,), seed=0)
    assert on_cpu.device == "cpu" and np.isfinite(on_cpu.sample(10, seed=0)).all()
    on_gpu = neural_barycenter([more.generator, _inputs()[1]], steps=2, config=TINY, hidden=(16,), seed=0,
                               device="cuda")
    assert on_gpu.device.startswith("cuda") and np.isfinite(on_gpu.sample(10, seed=0)).all()
