"""Critics trained against the fixed generator "real data plus noise" (clipedu.fixed_generator)."""

import keras
import numpy as np
import pytest

from clipedu import GradientPenalty, WeightClipping, datasets, mlp
from clipedu.fixed_generator import train_critics

REAL = datasets.eight_gaussians(512, seed=0)


def _critics(seeds, width=8):
    return [mlp(2, 1, depth=2, width=width, seed=seed) for seed in seeds]


def _adam(n):
    return [keras.optimizers.Adam(1e-3, beta_1=0.5, beta_2=0.9) for _ in range(n)]


@pytest.mark.parametrize("method", [WeightClipping(0.05), GradientPenalty(1.0), None])
def test_each_run_computes_what_it_computes_alone(method):
    together = _critics([1, 2])
    train_critics(together, _adam(2), REAL, steps=20, seeds=[1, 2], method=method, batch_size=32)
    alone = _critics([2])
    train_critics(alone, _adam(1), REAL, steps=20, seeds=[2], method=method, batch_size=32)
    for a, b in zip(together[1].get_weights(), alone[0].get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
    kernels = [(a, b) for a, b in zip(together[0].get_weights(), together[1].get_weights()) if a.ndim == 2]
    assert all(not np.allclose(a, b) for a, b in kernels)  # the runs' own seeds: no two kernels alike


def test_two_calls_continue_one_call():
    once, twice = _critics([3]), _critics([3])
    train_critics(once, _adam(1), REAL, steps=20, seeds=[3], batch_size=32)
    optimizers = _adam(1)
    train_critics(twice, optimizers, REAL, steps=10, seeds=[3], batch_size=32)
    train_critics(twice, optimizers, REAL, steps=10, seeds=[3], batch_size=32)
    for a, b in zip(once[0].get_weights(), twice[0].get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def test_clipping_keeps_every_weight_within_c_and_returns_one_gap_per_step():
    critics = _critics([0, 1, 2])
    values = train_critics(critics, _adam(3), REAL, steps=15, seeds=[0, 1, 2], method=WeightClipping(0.01),
                           batch_size=16)
    assert set(values) == {"wasserstein"} and values["wasserstein"].shape == (3, 15)
    for critic in critics:
        assert max(np.abs(w).max() for w in critic.get_weights()) <= 0.01


def test_the_penalty_of_a_critic_with_gradient_norm_5_is_16():
    # D(x) = 3 x0 + 4 x1: ‖∇D‖ = 5 at every interpolate, so (5 - 1)² = 16 at the first update.
    critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    critic.layers[0].set_weights([np.array([[3.0], [4.0]]), np.zeros(1)])
    values = train_critics([critic], [keras.optimizers.Adam(1e-9)], REAL, steps=1, seeds=[0],
                           method=GradientPenalty(10.0))
    assert values["gradient_penalty"][0, 0] == pytest.approx(16.0, rel=1e-5)


def test_the_penalty_is_the_formula_at_interpolates_of_each_real_row_and_its_noisy_copy():
    # D(x) = 2 relu(x0 + x1 - 1/2): ‖∇D‖ = 2√2 where x0 + x1 > 1/2, 0 elsewhere. The term at the first update, worked
    # out in numpy from the draws that train_critics documents (run r's draws from its seed and the update count:
    # rows, noise and ε with counters 0, 1 and 2 at update 0), must be the formula's: x̂ = ε real + (1 - ε) fake with one
    # ε per sample, fake = real + noise, and (‖∇D(x̂)‖ - 1)² averaged over the batch, both sides of 1 counted.
    import tensorflow as tf

    critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="relu"), keras.layers.Dense(1)])
    critic.set_weights([np.ones((2, 1)), np.array([-0.5]), np.array([[2.0]]), np.zeros(1)])
    seed, batch = 7, 256
    values = train_critics([critic], [keras.optimizers.Adam(1e-9)], REAL, steps=1, seeds=[seed], batch_size=batch,
                           method=GradientPenalty(10.0))
    rows = tf.random.stateless_uniform((batch,), [seed, 0], 0, len(REAL), dtype="int32").numpy()
    noise = tf.random.stateless_normal((batch, 2), [seed, 1]).numpy()
    epsilon = tf.random.stateless_uniform((batch, 1), [seed, 2]).numpy()
    real = REAL[rows].astype(np.float32)
    fake = real + noise

    def term(points, one_sided=False):
        norms = 2 * np.sqrt(2) * (points.sum(axis=1) > 0.5)
        gaps = norms - 1.0
        return np.mean(np.square(np.maximum(gaps, 0) if one_sided else gaps))

    formula = term(epsilon * real + (1 - epsilon) * fake)
    measured = values["gradient_penalty"][0, 0]
    assert measured == pytest.approx(formula, rel=1e-5)
    per_coordinate = tf.random.stateless_uniform((batch, 2), [seed, 2]).numpy()
    wrongs = [term(fake), term(real), term(epsilon * real + (1 - epsilon) * fake, one_sided=True),
              term(per_coordinate * real + (1 - per_coordinate) * fake), term(epsilon * fake + (1 - epsilon) * real)]
    for wrong in wrongs:
        assert abs(wrong - formula) > 1e-3  # each mistake gives another term on these draws


def test_the_fake_samples_are_the_real_ones_plus_noise():
    # D(x) = x0: E[D(real)] - E[D(real + noise)] = -mean(noise_0), about 0 with a spread of 1/√batch.
    critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    critic.layers[0].set_weights([np.array([[1.0], [0.0]]), np.zeros(1)])
    gaps = train_critics([critic], [keras.optimizers.Adam(1e-9)], REAL, steps=200, seeds=[0], batch_size=256,
                         noise_std=1.0)["wasserstein"][0]
    assert abs(gaps.mean()) < 0.02 and 0.04 < gaps.std() < 0.09  # std of a mean of 256 unit normals: 0.0625


def test_arguments_are_checked():
    critics = _critics([0])
    with pytest.raises(ValueError, match="steps"):
        train_critics(critics, _adam(1), REAL, steps=0, seeds=[0])
    with pytest.raises(ValueError, match="seeds"):
        train_critics(critics, _adam(1), REAL, steps=1, seeds=[0, 1])
    with pytest.raises(TypeError, match="method"):
        train_critics(critics, _adam(1), REAL, steps=1, seeds=[0], method="clip")
    with pytest.raises(ValueError, match="real"):
        train_critics(critics, _adam(1), np.zeros((10, 3)), steps=1, seeds=[0])
    with pytest.raises(TypeError, match="optimizers"):
        train_critics(critics, [keras.optimizers.SGD(0.1)], REAL, steps=1, seeds=[0])
    with pytest.raises(ValueError, match="optimizers"):
        train_critics(critics, [], REAL, steps=1, seeds=[0])
