"""otbary.neural core: nets, gradient penalty, barycenter training, recursion, checkpoints, samplers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
ot = pytest.importorskip("ot")

from torch import Tensor, nn  # noqa: E402

from otbary import Measure  # noqa: E402
from otbary.neural.barycenter import (  # noqa: E402
    TrainingDivergedError,
    neural_barycenter,
    recursive_neural_barycenter,
    recursive_weights,
    train_generator,
)
from otbary.neural.checkpoint import CheckpointError, load_checkpoint, save_checkpoint  # noqa: E402
from otbary.neural.nets import (  # noqa: E402
    ConvCritic,
    ConvGenerator,
    MLPCritic,
    MLPGenerator,
    build_pair,
    count_parameters,
)
from otbary.neural.samplers import as_sampler, as_samplers, gaussian_sampler, synthetic_shapes  # noqa: E402
from otbary.neural.wgan import (  # noqa: E402
    WGANConfig,
    critic_loss,
    critic_step,
    generator_loss,
    gradient_penalty,
    make_optimizer,
    w1_estimate,
)

torch.set_num_threads(1)
pytestmark = pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad")
TINY = WGANConfig(lr=3e-3, critic_lr=None, batch_size=64, n_critic=2, ema_decay=0.0)


# --------------------------------------------------------------------------------------- nets
@pytest.mark.parametrize("d", [1, 2, 3])
def test_mlp_pair_shapes(d: int) -> None:
    gen, critic = build_pair((d,), hidden=(16, 16))
    x = gen.sample(7)
    assert isinstance(gen, MLPGenerator) and isinstance(critic, MLPCritic)
    assert x.shape == (7, d) and gen.sample_shape == (d,)
    assert critic(x).shape == (7,)
    assert gen.sample_latent(5).shape == (5, gen.latent_dim)


def test_generator_loc_scale_and_seeded_sampling() -> None:
    torch.manual_seed(0)
    gen = MLPGenerator(2, hidden=(8,), loc=[5.0, -5.0], scale=1e-6)
    x = gen.sample(100, torch.Generator().manual_seed(3))
    np.testing.assert_allclose(x.mean(0).detach().numpy(), [5.0, -5.0], atol=1e-3)
    y = gen.sample(100, torch.Generator().manual_seed(3))
    assert torch.equal(x, y)


def test_conv_pair_shapes() -> None:
    gen, critic = build_pair((1, 28, 28), width=4, latent_dim=8)
    assert isinstance(gen, ConvGenerator) and isinstance(critic, ConvCritic)
    x = gen.sample(3)
    x = x.detach()
    assert x.shape == (3, 1, 28, 28) and float(x.min()) >= 0 and float(x.max()) <= 1
    assert critic(x).shape == (3,)
    imgs = torch.as_tensor(synthetic_shapes(3, seed=0))
    assert imgs.shape == (3, 1, 28, 28) and critic(imgs).shape == (3,)
    assert count_parameters(critic) > 0


@pytest.mark.parametrize("bad, exc", [((2, 2), ValueError), ((28, 28), ValueError), ((0,), ValueError)])
def test_build_pair_bad_shape(bad: tuple[int, ...], exc: type) -> None:
    with pytest.raises(exc, match="sample_shape|must"):
        build_pair(bad)


def test_net_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="dim"):
        MLPGenerator(0)
    with pytest.raises(TypeError, match="latent_dim"):
        MLPGenerator(2, latent_dim=2.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="activation"):
        MLPCritic(2, activation="softmax")
    with pytest.raises(ValueError, match="scale"):
        MLPGenerator(2, scale=0.0)


# ---------------------------------------------------------------------------- gradient penalty
def _linear(w: list[float]) -> nn.Module:
    lin = torch.nn.Linear(len(w), 1, bias=True)
    with torch.no_grad():
        lin.weight[:] = torch.tensor([w])
        lin.bias.fill_(0.7)
    return lin


def test_gradient_penalty_of_a_linear_critic() -> None:
    # f(x) = w.x + b has gradient w everywhere: GP = (|w| - 1)^2 = (5 - 1)^2
    g = torch.Generator().manual_seed(0)
    real, fake = torch.randn(9, 3, generator=g), torch.randn(9, 3, generator=g) + 4
    gp = gradient_penalty(_linear([3.0, 0.0, 4.0]), real, fake)
    assert float(gp.detach()) == pytest.approx(16.0, rel=1e-6)
    assert float(gradient_penalty(_linear([0.6, 0.0, 0.8]), real, fake)) == pytest.approx(0.0, abs=1e-10)


def test_one_sided_gradient_penalty() -> None:
    # max(0, |w| - 1)^2: 16 for |w| = 5, 0 for |w| = 0.5 (the two-sided penalty gives 0.25)
    real, fake = torch.randn(9, 2), torch.randn(9, 2)
    assert float(gradient_penalty(_linear([3.0, 4.0]), real, fake, one_sided=True)) == pytest.approx(16.0)
    assert float(gradient_penalty(_linear([0.3, 0.4]), real, fake, one_sided=True)) == 0.0
    assert float(gradient_penalty(_linear([0.3, 0.4]), real, fake)) == pytest.approx(0.25)
    loss, _ = critic_loss(_linear([0.0, 0.0]), real, fake, one_sided=True)
    assert float(loss) == 0.0  # the flat critic is allowed


def test_gradient_penalty_norm_is_over_all_non_batch_dims() -> None:
    # images (B, 1, 2, 2) and a linear critic on the flattened pixels: norm of all 4 weights
    w = torch.tensor([1.0, 2.0, 2.0, 4.0])  # |w| = 5
    critic = torch.nn.Sequential(torch.nn.Flatten(), _linear(w.tolist()))
    x = torch.rand(6, 1, 2, 2)
    assert float(gradient_penalty(critic, x, torch.rand(6, 1, 2, 2))) == pytest.approx(16.0, rel=1e-6)


def test_gradient_penalty_is_per_sample() -> None:
    # f(x) = |x|^2 / 2 has gradient x: with real == fake, GP = mean_i (|x_i| - 1)^2 (per sample,
    # not the norm of the whole batch's gradient)
    class Half(nn.Module):
        def forward(self, x: Tensor) -> Tensor:
            return 0.5 * (x**2).sum(dim=(1, 2))

    x = torch.randn(8, 2, 3, dtype=torch.float64)
    expected = float(np.mean((np.linalg.norm(x.numpy().reshape(8, -1), axis=1) - 1) ** 2))
    assert float(gradient_penalty(Half(), x, x.clone())) == pytest.approx(expected, rel=1e-9)


def test_gradient_penalty_is_differentiable_in_the_critic() -> None:
    critic = _linear([3.0, 4.0])
    gp = gradient_penalty(critic, torch.randn(5, 2), torch.randn(5, 2))
    gp.backward()
    # d/dw (|w| - 1)^2 = 2 (|w| - 1) w / |w| = 2 * 4 * (0.6, 0.8)
    grad = critic.weight.grad
    assert isinstance(grad, Tensor)
    np.testing.assert_allclose(grad.numpy()[0], np.array([4.8, 6.4]), rtol=1e-5)


def test_losses_and_w1_estimate_of_a_unit_linear_critic() -> None:
    critic = _linear([0.6, 0.8])
    real, fake = torch.randn(50, 2), torch.randn(50, 2) + torch.tensor([1.0, 2.0])
    expected = float((real.mean(0) - fake.mean(0)) @ torch.tensor([0.6, 0.8]))
    assert w1_estimate(critic, real, fake) == pytest.approx(expected, rel=1e-5)
    loss, w1 = critic_loss(critic, real, fake, lambda_gp=10.0)
    assert float(w1) == pytest.approx(expected, rel=1e-5)
    assert float(loss) == pytest.approx(-expected, abs=1e-5)  # GP = 0 for |w| = 1
    assert float(generator_loss(critic, fake)) == pytest.approx(-float(critic(fake).mean()), rel=1e-6)
    with pytest.raises(ValueError, match="same shape"):
        critic_loss(critic, real, fake[:10])


def test_critic_learns_w1_between_shifted_gaussians() -> None:
    # W1(N(0,1), N(1.5,1)) = 1.5 (translates, theory fact 6); estimate on fresh samples
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(1)
    critic = MLPCritic(1, hidden=(32, 32))
    opt = make_optimizer(critic.parameters(), WGANConfig(lr=1e-2))
    for _ in range(150):
        critic_step(critic, opt, torch.randn(256, 1, generator=g) + 1.5, torch.randn(256, 1, generator=g),
                    10.0, g)
    est = w1_estimate(critic, torch.randn(4000, 1, generator=g) + 1.5, torch.randn(4000, 1, generator=g))
    assert est == pytest.approx(1.5, abs=0.15)


def test_config_defaults_and_validation() -> None:
    cfg = WGANConfig()
    assert (cfg.lambda_gp, cfg.n_critic, cfg.lr, cfg.betas) == (10.0, 5, 2e-4, (0.0, 0.9))
    assert cfg.critic_lr == 1e-3 and cfg.one_sided is True and cfg.batch_size == 256
    assert cfg.ema_decay == 0.995 and cfg.lr_schedule == "constant"
    opt = make_optimizer(MLPCritic(2).parameters())
    assert opt.defaults["lr"] == 2e-4 and opt.defaults["betas"] == (0.0, 0.9)
    assert make_optimizer(MLPCritic(2).parameters(), critic=True).defaults["lr"] == 1e-3
    assert make_optimizer(MLPCritic(2).parameters(), WGANConfig(critic_lr=1e-3), critic=True).defaults["lr"] \
        == 1e-3
    for bad in ({"lambda_gp": -1.0}, {"n_critic": 0}, {"lr": float("nan")}, {"betas": (0.0, 1.0)},
                {"batch_size": 1}, {"critic_lr": 0.0}):
        with pytest.raises(ValueError):
            WGANConfig(**bad)


# --------------------------------------------------------------------------- barycenter training
def test_training_moves_the_generator_to_a_single_target() -> None:
    # K = 1: the barycenter is the input itself; the exact W1 (ot.emd2) to it must drop
    target = gaussian_sampler([3.0, -2.0], 0.3)
    torch.manual_seed(0)
    gen = MLPGenerator(2, hidden=(32, 32))
    g = torch.Generator().manual_seed(0)
    y = target(400, g).numpy().astype(float)

    def w1_now() -> float:
        with torch.no_grad():
            x = gen.sample(400, torch.Generator().manual_seed(1)).numpy().astype(float)
        return float(ot.emd2([], [], ot.dist(x, y, metric="euclidean")))

    before = w1_now()
    res = train_generator(gen, [target], critics=[MLPCritic(2, hidden=(32, 32))], steps=150, config=TINY,
                          seed=0)
    after = w1_now()
    assert after < 0.5 * before
    assert len(res.history["objective"]) == 150 and res.steps == 150 and res.steps_per_second > 0
    assert np.isfinite(res.objective_estimate)


def test_neural_barycenter_of_identical_inputs() -> None:
    pts = np.random.default_rng(0).normal([1.0, 1.0], 0.2, size=(300, 2))
    cfg = WGANConfig(lr=1e-4, critic_lr=1e-3, batch_size=128, n_critic=2)
    res = neural_barycenter([pts, pts], steps=40, config=cfg, hidden=(32, 32), seed=1)
    x = res.sample(500, seed=0)
    assert x.shape == (500, 2) and np.all(np.isfinite(x))
    # the generator starts at the inputs' pooled mean and spread and must stay there: W1 to the
    # inputs (exact, ot.emd2) near the two-sample noise floor (about 0.05), far below the 1.4
    # of an unstandardised generator at the origin
    d = float(ot.emd2([], [], ot.dist(x, pts, metric="euclidean")))
    assert d < 0.15
    assert isinstance(res.to_measure(50, seed=0), Measure)
    assert res.sampler()(7, np.random.default_rng(0)).shape == (7, 2)


def test_image_barycenter_runs_with_the_conv_pair() -> None:
    imgs = synthetic_shapes(40, seed=0)
    cfg = WGANConfig(batch_size=8, n_critic=1)
    res = neural_barycenter([imgs[:20], imgs[20:]], steps=2, config=cfg, seed=0)
    x = res.sample(3, seed=0)
    assert x.shape == (3, 1, 28, 28) and np.all((x >= 0) & (x <= 1))
    assert isinstance(res.generator, ConvGenerator) and all(isinstance(c, ConvCritic) for c in res.critics)
    with pytest.raises(ValueError, match="vector samples"):
        res.to_measure(3)


def test_recursive_weights_fact7() -> None:
    assert recursive_weights([0.6, 0.4]) == pytest.approx([0.4])
    assert recursive_weights([1 / 3, 1 / 3, 1 / 3]) == pytest.approx([1 / 2, 1 / 3])
    assert recursive_weights([0.2, 0.3, 0.5]) == pytest.approx([0.6, 0.5])
    with pytest.raises(ValueError, match="two"):
        recursive_weights([1.0])


def test_recursive_configuration_is_a_chain(tmp_path: Path) -> None:
    ms = [gaussian_sampler([0.0], 0.1), gaussian_sampler([1.0], 0.1), gaussian_sampler([2.0], 0.1)]
    res = recursive_neural_barycenter(ms, steps=6, config=TINY, hidden=(8,), seed=0,
                                      checkpoint=tmp_path / "rec.pt", checkpoint_every=3)
    assert len(res.stages) == 2 and res.steps == 12
    assert [list(s.weights) for s in res.stages] == [pytest.approx([0.5, 0.5]),
                                                    pytest.approx([2 / 3, 1 / 3])]
    assert (tmp_path / "rec.stage2.pt").is_file() and (tmp_path / "rec.stage3.pt").is_file()
    assert res.generator is res.stages[-1].generator
    with pytest.raises(ValueError, match="t must have"):
        recursive_neural_barycenter(ms, t=[0.5], steps=1)
    with pytest.raises(ValueError, match="at least two"):
        recursive_neural_barycenter(ms[:1], steps=1)


def test_weights_of_the_wrong_length() -> None:
    with pytest.raises(ValueError, match="weights"):
        neural_barycenter([np.zeros((5, 1)), np.ones((5, 1))], weights=[0.2, 0.3, 0.5], steps=1)


# ---------------------------------------------------------------------------------- checkpoints
def _small_run(path: Path, steps: int, resume: bool = False) -> nn.Module:
    torch.manual_seed(0)
    gen, critic = build_pair((1,), hidden=(8,))
    data = np.linspace(-1, 1, 50)
    train_generator(gen, [data], critics=[critic], steps=steps, config=TINY, seed=4, checkpoint=path,
                    checkpoint_every=5, resume=resume)
    return gen


def test_checkpoint_resume_is_exact(tmp_path: Path) -> None:
    straight = _small_run(tmp_path / "a.pt", 14)
    _small_run(tmp_path / "b.pt", 10)
    assert load_checkpoint(tmp_path / "b.pt")["step"] == 10
    resumed = _small_run(tmp_path / "b.pt", 14, resume=True)
    for p, q in zip(straight.parameters(), resumed.parameters(), strict=True):
        assert torch.equal(p, q)
    state = load_checkpoint(tmp_path / "b.pt")
    assert state["step"] == 14 and len(state["history"]["objective"]) == 14


def test_checkpoint_round_trip_and_plain_values(tmp_path: Path) -> None:
    state = {"step": 3, "x": torch.arange(4.0), "nested": {"a": [1.5, None, "s"]}}
    save_checkpoint(tmp_path / "c.pt", state)
    back = load_checkpoint(tmp_path / "c.pt")
    assert back["step"] == 3 and torch.equal(back["x"], state["x"]) and back["nested"] == state["nested"]
    with pytest.raises(TypeError, match="plain values"):
        save_checkpoint(tmp_path / "d.pt", {"f": lambda: 0})


def test_missing_and_corrupt_checkpoints(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_checkpoint(tmp_path / "nope.pt")
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint at all")
    with pytest.raises(CheckpointError, match="corrupt"):
        load_checkpoint(bad)
    good = tmp_path / "good.pt"
    save_checkpoint(good, {"step": 1})
    (tmp_path / "trunc.pt").write_bytes(good.read_bytes()[:40])
    with pytest.raises(CheckpointError):
        load_checkpoint(tmp_path / "trunc.pt")
    with pytest.raises(FileNotFoundError):
        _small_run(tmp_path / "absent.pt", 3, resume=True)


def test_checkpoint_with_pickled_objects_is_refused(tmp_path: Path) -> None:
    # weights_only=True: a file holding an arbitrary object is not unpickled
    p = tmp_path / "evil.pt"
    torch.save({"format": "otbary.neural/1", "obj": Path("x")}, p)
    with pytest.raises(CheckpointError, match="safe"):
        load_checkpoint(p)


def test_checkpoint_for_another_problem(tmp_path: Path) -> None:
    _small_run(tmp_path / "one.pt", 5)
    gen, critic = build_pair((1,), hidden=(8,))
    with pytest.raises(CheckpointError, match="another problem"):
        train_generator(gen, [np.zeros(4), np.ones(4)], critics=[critic, build_pair((1,), hidden=(8,))[1]],
                        steps=6, config=TINY, checkpoint=tmp_path / "one.pt", resume=True)


def test_nan_stops_training_and_keeps_the_last_good_checkpoint(tmp_path: Path) -> None:
    torch.manual_seed(0)
    gen, critic = build_pair((1,), hidden=(8,))
    path = tmp_path / "nan.pt"

    def poison(step: int, info: dict) -> None:
        if step == 4:
            with torch.no_grad():
                next(gen.parameters()).fill_(float("nan"))

    with pytest.raises(TrainingDivergedError, match="diverged at step 4.*step 4"):
        train_generator(gen, [np.linspace(0, 1, 20)], critics=[critic], steps=20, config=TINY, seed=0,
                        checkpoint=path, checkpoint_every=2, callback=poison)
    state = load_checkpoint(path)
    assert state["step"] == 4
    assert all(torch.isfinite(v).all() for v in state["generator"].values())


# ------------------------------------------------------------------------------------ samplers
def test_samplers_from_every_kind_of_input() -> None:
    g = torch.Generator().manual_seed(0)
    arr = as_sampler(np.arange(6.0).reshape(3, 2), "a")
    assert arr(10, g).shape == (10, 2) and set(arr(50, g)[:, 0].tolist()) <= {0.0, 2.0, 4.0}
    meas = as_sampler(Measure([[0.0, 0.0], [1.0, 1.0]], [1.0, 0.0]), "m")
    assert torch.equal(meas(5, g), torch.zeros(5, 2))
    fn1 = as_sampler(lambda n: np.ones((n, 3)), "f")
    fn2 = as_sampler(lambda n, rng: rng.normal(size=(n, 3)), "f2", seed=0)
    assert fn1.sample_shape == fn2.sample_shape == (3,) and fn2(4).shape == (4, 3)
    gen = as_sampler(MLPGenerator(3, hidden=(4,)), "g")
    x = gen(6, g)
    assert x.shape == (6, 3) and not x.requires_grad
    assert as_sampler(arr) is arr
    line = as_sampler(np.arange(4.0), "line")
    assert line(3, g).shape == (3, 1)


@pytest.mark.parametrize(
    "source, match",
    [
        (lambda n: np.ones((n + 1, 2)), "returned shape"),
        (lambda n: np.ones(n), None),
        (np.zeros((0, 2)), "N >= 1"),
        (np.array([[0.0, np.nan]]), "NaN"),
        ("abc", "expected a sampler"),
        (torch.nn.Linear(2, 2), "sample"),
    ],
)
def test_sampler_validation(source: object, match: str | None) -> None:
    with pytest.raises((ValueError, TypeError), match=match):
        s = as_sampler(source, "measures[1]", sample_shape=(2,) if match is None else None)
        s(4)


def test_sampler_errors_name_the_input() -> None:
    calls = {"n": 0}

    def flaky(n: int) -> np.ndarray:
        calls["n"] += 1
        return np.full((n, 2), np.nan if calls["n"] > 1 else 0.0)

    s = as_sampler(flaky, "measures[2]")
    with pytest.raises(ValueError, match=r"measures\[2\].*NaN"):
        s(3)
    with pytest.raises(ValueError, match="one sample shape"):
        as_samplers([np.zeros((3, 2)), np.zeros((3, 1))])
    with pytest.raises(TypeError, match="sequence"):
        as_samplers(np.zeros((3, 2)))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="n must"):
        s(0)


def test_bad_generator_inputs_name_the_argument() -> None:
    with pytest.raises(TypeError, match="generator"):
        train_generator(torch.nn.Linear(2, 2), [np.zeros((3, 2))])
    with pytest.raises(ValueError, match="shape"):
        train_generator(MLPGenerator(3), [np.zeros((3, 2))], steps=1)
    with pytest.raises(ValueError, match="steps"):
        train_generator(MLPGenerator(2), [np.zeros((3, 2))], steps=0)


# ------------------------------------------------------------------------------------ imports
def test_import_otbary_does_not_import_torch() -> None:
    code = "import sys, otbary; assert 'torch' not in sys.modules, 'torch imported'"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_import_otbary_neural_without_torch_gives_the_install_hint() -> None:
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "try:\n    import otbary.neural\nexcept ImportError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, timeout=60)
    assert "pip install otbary[neural]" in out.stdout
