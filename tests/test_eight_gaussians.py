"""The eight-Gaussians runs that notebooks 07, 13 and 14 compare (clipedu.notebook.eight_gaussians)."""

import keras
import numpy as np
import pytest

from clipedu import GradientPenalty, WeightClipping, mlp
from clipedu.notebook import eight_gaussians
from clipedu.notebook.eight_gaussians import Row, build


def test_a_row_builds_the_wgan_it_names():
    wgan = build(Row(WeightClipping(0.3), "scaled", learning_rate=1e-3, beta_1=0.0), seed=4)
    critic = wgan.critic.get_weights()
    kernels = [w for w in critic if w.ndim == 2]
    assert max(np.max(np.abs(k)) for k in kernels) == pytest.approx(0.3)  # every kernel scaled into [-0.3, 0.3]
    glorot = mlp(2, 1, depth=3, width=64, seed=4).get_weights()  # the same draw, before scaling
    for k, g in zip(kernels, [w for w in glorot if w.ndim == 2]):
        np.testing.assert_allclose(k, g * (0.3 / np.max(np.abs(g))), rtol=1e-6)
    for a, b in zip(wgan.generator.get_weights(), mlp(2, 2, depth=3, width=64, seed=104).get_weights()):
        np.testing.assert_array_equal(a, b)  # the generator from seed + 100, as drawn
    for optimizer in (wgan.critic_optimizer, wgan.generator_optimizer):
        assert isinstance(optimizer, keras.optimizers.Adam)
        assert (float(optimizer.learning_rate), optimizer.beta_1, optimizer.beta_2) == pytest.approx((1e-3, 0.0, 0.9))
    assert wgan.method == WeightClipping(0.3) and wgan.n_critic == 5 and wgan.steps_per_execution == 100


def test_an_unconstrained_row_can_start_where_a_clipped_one_does():
    """The control for a clipped row: the same start, scaled into [-0.3, 0.3], and no constraint in training."""
    control, clipped = build(Row(None, "scaled", scale=0.3), seed=1), build(Row(WeightClipping(0.3), "scaled"), seed=1)
    for a, b in zip(control.critic.get_weights(), clipped.critic.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert control.method is None and clipped.method == WeightClipping(0.3)


def test_a_glorot_row_keeps_the_critic_as_drawn():
    wgan = build(Row(GradientPenalty(1.0)), seed=2)
    for a, b in zip(wgan.critic.get_weights(), mlp(2, 1, depth=3, width=64, seed=2).get_weights()):
        np.testing.assert_array_equal(a, b)
    assert float(wgan.critic_optimizer.learning_rate) == pytest.approx(5e-4) and wgan.critic_optimizer.beta_1 == 0.5


def test_the_data_is_one_fixed_set_of_ten_passes_of_100_iterations():
    real = eight_gaussians.data()
    assert real.shape == (32000, 2)
    np.testing.assert_array_equal(real, eight_gaussians.data())
    # the schedule makes 1 000 generator iterations, 100 critic updates at 26 of them
    assert sum(steps * epochs for _, steps, epochs in eight_gaussians.SCHEDULE) == eight_gaussians.ITERATIONS
    assert sum(steps * epochs for n, steps, epochs in eight_gaussians.SCHEDULE if n == 100) == 26


@pytest.mark.parametrize("arguments, error, match", [
    ({"method": "clip"}, TypeError, "method must be a WeightClipping, a GradientPenalty or None, got 'clip'"),
    ({"method": None, "start": "He"}, ValueError, r"start must be one of \('Glorot', 'scaled'\), got 'He'"),
    ({"method": None, "start": "scaled"}, ValueError, "start 'scaled' needs a WeightClipping method .its c. or a"),
    ({"method": None, "start": "scaled", "scale": -0.3}, ValueError, "scale must be a positive finite number, got -0"),
    ({"method": None, "scale": 0.3}, ValueError, "scale is the bound of a 'scaled' start, got start 'Glorot'"),
    ({"method": None, "learning_rate": 0.0}, ValueError, "learning_rate must be a positive finite number, got 0.0"),
    ({"method": None, "beta_1": 1.0}, ValueError, r"beta_1 must be a number in \[0, 1\), got 1.0"),
])
def test_a_row_refuses_what_it_cannot_build(arguments, error, match):
    with pytest.raises(error, match=match):
        Row(**arguments)


def test_build_and_train_check_their_arguments():
    with pytest.raises(TypeError, match="row must be a clipedu.notebook.eight_gaussians.Row, got 'clip 0.1'"):
        build("clip 0.1", 0)
    with pytest.raises(TypeError, match="rows must be a non-empty dict of labels to Rows, got {}"):
        eight_gaussians.train({}, [0], eight_gaussians.data())
    with pytest.raises(ValueError, match="every must be a positive integer, got 0"):
        eight_gaussians.train({"none": Row(None)}, [0], eight_gaussians.data(), every=0)
