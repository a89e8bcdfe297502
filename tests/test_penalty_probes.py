import math

import keras
import numpy as np
import pytest

import clipedu
from clipedu import GradientPenalty, penalty_probes
from clipedu.penalty_probes import FORMULA, PROBES, probe_penalty


def _term(where, one_sided=False):
    """A penalty term computed in TensorFlow, its interpolates made by ``where(real, fake, draw)``."""
    import tensorflow as tf

    def term(critic, real, fake):
        x = tf.constant(where(real, fake, np.random.default_rng(0)), "float32")
        with tf.GradientTape() as tape:
            tape.watch(x)
            scores = critic(x)
        norms = tf.norm(tape.gradient(scores, x), axis=1)
        gaps = tf.maximum(norms - 1.0, 0.0) if one_sided else norms - 1.0
        return float(tf.reduce_mean(tf.square(gaps)))
    return term


def per_sample(real, fake, draw):
    epsilon = draw.uniform(size=(len(real), 1))
    return epsilon * real + (1 - epsilon) * fake


def per_coordinate(real, fake, draw):  # the bug: one ε per coordinate moves x̂ off the segment
    epsilon = draw.uniform(size=real.shape)
    return epsilon * real + (1 - epsilon) * fake


def test_the_formula_passes_every_probe():
    assert all(found["formula"] for found in probe_penalty(_term(per_sample)).values())


def test_one_epsilon_per_coordinate_is_caught_by_the_diagonal_probe_alone():
    """The horizontal probe (the check notebook 05 had) accepts it; the diagonal one does not."""
    found = probe_penalty(_term(per_coordinate))
    assert found["norm 5 everywhere"]["formula"] and found["horizontal"]["formula"]
    assert not found["diagonal"]["formula"] and found["diagonal"]["matches"]["one ε per coordinate"]


@pytest.mark.parametrize("where, one_sided, way", [
    (lambda real, fake, draw: fake, False, "at the fakes only"),
    (lambda real, fake, draw: real, False, "at the reals only"),
    (per_sample, True, "one-sided"),
])
def test_the_other_mistakes_are_caught_and_named(where, one_sided, way):
    found = probe_penalty(_term(where, one_sided))
    assert not all(f["formula"] for f in found.values())
    assert all(f["matches"][way] for f in found.values())


def test_the_expected_values_agree_with_a_simulation_of_each_way():
    """Each probe's values, worked by hand in the module, against numpy draws with the gradient written out."""
    draw = np.random.default_rng(1)
    n = 400_000
    gradients = {"horizontal": lambda x: np.where(x[:, :1] > 0, [[0.5, 0.0]], 0.0),
                 "diagonal": lambda x: np.where(x[:, :1] + x[:, 1:] - 1 > 0, [[1.0, 1.0]], 0.0)}
    for name, gradient in gradients.items():
        _, _, _, real_point, fake_point, expected = PROBES[name]
        real, fake = np.tile(real_point, (n, 1)), np.tile(fake_point, (n, 1))
        for way, where in [(FORMULA, per_sample), ("one ε per coordinate", per_coordinate)]:
            norms = np.linalg.norm(gradient(where(real, fake, draw)), axis=1)
            assert math.isclose(np.mean((norms - 1) ** 2), expected[way], abs_tol=0.005), (name, way)
    assert math.isclose(PROBES["diagonal"][5][FORMULA], 0.7929, abs_tol=1e-4)
    assert math.isclose(PROBES["diagonal"][5]["one ε per coordinate"], 0.8964, abs_tol=1e-4)


def test_wgans_penalty_passes_every_probe():
    def term(critic, real, fake):
        generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])
        generator.layers[0].kernel.assign(np.zeros((2, 2)))
        generator.layers[0].bias.assign(fake[0])
        results = clipedu.wgan_step(critic, generator, real, keras.optimizers.SGD(0.0), keras.optimizers.SGD(0.0),
                                    n_critic=1, method=GradientPenalty(10.0), seed=keras.random.SeedGenerator(0))
        return float(results["gradient_penalty"])

    assert all(found["formula"] for found in probe_penalty(term).values())


def test_arguments_are_checked():
    with pytest.raises(TypeError, match="term must be"):
        probe_penalty(0.625)
    with pytest.raises(ValueError, match="n must be"):
        probe_penalty(_term(per_sample), n=0)
    with pytest.raises(ValueError, match="tolerance must be"):
        probe_penalty(_term(per_sample), tolerance=-1.0)
    with pytest.raises(ValueError, match="probe must be one of"):
        penalty_probes.probe_critic("vertical")
    with pytest.raises(ValueError, match="must be a finite number"):
        probe_penalty(lambda critic, real, fake: float("nan"))
