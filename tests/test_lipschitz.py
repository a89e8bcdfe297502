import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest

import clipedu
from clipedu import WGAN, datasets, lipschitz, mlp


def _points(n=200, seed=0):
    return np.random.default_rng(seed).uniform(-3, 3, (n, 2)).astype(np.float32)


@pytest.mark.parametrize("seed", range(5))
def test_the_measured_constant_never_exceeds_the_bound(seed):
    critic = mlp(2, 1, depth=3, width=16, seed=seed)
    measured, bound = lipschitz.empirical(critic, _points(seed=seed)), lipschitz.upper_bound(critic)
    assert 0 < measured <= bound * (1 + 1e-5)


def test_both_are_exact_for_a_linear_critic():
    linear = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    linear.layers[0].kernel.assign([[3.0], [4.0]])
    assert lipschitz.empirical(linear, _points()) == pytest.approx(5.0, rel=1e-6)
    assert lipschitz.upper_bound(linear) == pytest.approx(5.0, rel=1e-6)
    np.testing.assert_allclose(lipschitz.largest_singular_values(linear), [5.0], rtol=1e-6)


def test_gradient_norms_of_a_relu_unit_by_hand():
    # D(x) = 2 relu(3 x0 - 4 x1): gradient 2 (3, -4) where 3 x0 > 4 x1, zero elsewhere.
    unit = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="relu"), keras.layers.Dense(1)])
    unit.layers[0].kernel.assign([[3.0], [-4.0]])
    unit.layers[1].kernel.assign([[2.0]])
    norms = lipschitz.gradient_norms(unit, [[1.0, 0.0], [0.0, 1.0], [2.0, 1.0]])
    np.testing.assert_allclose(norms, [10.0, 0.0, 10.0], rtol=1e-6)
    assert lipschitz.empirical(unit, [[0.0, 1.0]]) == 0.0


def test_spectral_normalize_wraps_a_copy_and_leaves_the_model_alone():
    critic = mlp(2, 1, depth=2, width=8, seed=3)
    before = [w.copy() for w in critic.get_weights()]
    normalized = lipschitz.spectral_normalize(critic)
    assert clipedu.spectral_normalize is lipschitz.spectral_normalize
    assert all(isinstance(layer, keras.layers.SpectralNormalization) for layer in normalized.layers)
    assert all(isinstance(layer, keras.layers.Dense) for layer in critic.layers)
    assert all(np.array_equal(a, b) for a, b in zip(before, critic.get_weights()))
    x = _points(5)
    np.testing.assert_allclose(normalized(x, training=False), critic(x), rtol=1e-6)  # the same start


def test_spectral_normalize_seed_fixes_the_power_iterations_start():
    def starts(seed):
        normalized = lipschitz.spectral_normalize(mlp(2, 1, depth=2, width=8, seed=3), seed=seed)
        return [keras.ops.convert_to_numpy(layer.vector_u) for layer in normalized.layers]

    first, again, other = starts(7), starts(7), starts(8)
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not any(np.allclose(a, b) for a, b in zip(first, other))
    assert len({float(u[0, 0]) for u in first}) == len(first)  # every layer its own start
    assert all(0 < np.abs(u).max() <= 0.04 for u in first)  # truncated at two standard deviations of 0.02


def test_a_spectrally_normalized_critic_trained_by_wgan_fit_is_1_lipschitz():
    keras.utils.set_random_seed(1)
    critic = lipschitz.spectral_normalize(mlp(2, 1, depth=3, width=32, seed=1))
    wgan = WGAN(critic, mlp(2, 2, depth=2, width=32, seed=2), latent_dim=2, method=None, seed=1)
    wgan.compile(critic_optimizer=keras.optimizers.Adam(1e-3), generator_optimizer=keras.optimizers.Adam(1e-3))
    wgan.fit(datasets.eight_gaussians(320 * 60, seed=1), verbose=0)
    for layer in critic.layers:  # numpy's SVD, not the layer's own power iteration
        sigma = np.linalg.svd(keras.ops.convert_to_numpy(layer.layer.kernel), compute_uv=False)[0]
        assert sigma == pytest.approx(1.0, abs=0.03), layer.name
    assert lipschitz.upper_bound(critic) <= 1.1
    assert lipschitz.empirical(critic, datasets.eight_gaussians(256, seed=2)) <= lipschitz.upper_bound(critic) * 1.00001


def test_a_spectrally_normalized_wgan_saves_and_loads_in_a_fresh_process(tmp_path):
    critic = lipschitz.spectral_normalize(mlp(2, 1, depth=2, width=8, seed=4))
    wgan = WGAN(critic, mlp(2, 2, depth=1, width=8, seed=5), latent_dim=2, method=None, seed=4)
    wgan.compile()
    wgan.fit(datasets.eight_gaussians(320 * 3, seed=4), verbose=0)
    wgan.save(tmp_path / "wgan.keras")
    expected = keras.ops.convert_to_numpy(critic(_points(4), training=False))
    script = textwrap.dedent(f"""
        import numpy as np
        import clipedu.wgan, keras  # importing the module registers WGAN
        wgan = keras.saving.load_model({str(tmp_path / "wgan.keras")!r})
        print(type(wgan.critic.layers[0]).__name__, wgan.method)
        points = np.random.default_rng(0).uniform(-3, 3, (4, 2)).astype(np.float32)
        np.save({str(tmp_path / "out.npy")!r}, keras.ops.convert_to_numpy(wgan.critic(points, training=False)))
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["SpectralNormalization", "None"]
    np.testing.assert_allclose(np.load(tmp_path / "out.npy"), expected, rtol=1e-6)


@pytest.mark.parametrize("call, error, match", [
    (lambda: lipschitz.empirical("critic", _points()), TypeError, "critic must be a keras Model"),
    (lambda: lipschitz.empirical(mlp(2, 1), np.zeros((0, 2))), ValueError, r"got shape \(0, 2\)"),
    (lambda: lipschitz.empirical(mlp(2, 1), [[0.0, np.nan]]), ValueError, "finite points"),
    (lambda: lipschitz.empirical(mlp(2, 3), _points()), ValueError, "one score per sample"),
    (lambda: lipschitz.upper_bound(mlp(2, 1, activation="sigmoid")), ValueError, "activation 'sigmoid'"),
    (lambda: lipschitz.upper_bound(keras.Sequential([keras.Input((2,)), keras.layers.BatchNormalization()])),
     ValueError, "Dense layers only"),
    (lambda: lipschitz.spectral_normalize("model"), TypeError, "model must be a keras Model"),
    (lambda: lipschitz.spectral_normalize(mlp(2, 1), power_iterations=0), ValueError, "power_iterations"),
    (lambda: lipschitz.spectral_normalize(mlp(2, 1), seed=-2), ValueError, "seed must be None or a non-negative"),
])
def test_invalid_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()
