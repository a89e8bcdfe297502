import keras
import numpy as np
import pytest

from clipedu import mlp


def _kernels(model):
    return [keras.ops.convert_to_numpy(layer.kernel) for layer in model.layers]


def test_one_initializer_instance_gives_every_layer_its_own_values():
    initializer = keras.initializers.RandomUniform(-0.01, 0.01)
    model = mlp(2, 1, depth=3, width=16, initializer=initializer)
    hidden = _kernels(model)[1:3]  # hidden_2 and hidden_3: both 16 × 16
    assert hidden[0].shape == hidden[1].shape
    assert not np.array_equal(hidden[0], hidden[1])
    assert all(np.abs(k).max() <= 0.01 for k in _kernels(model))
    assert initializer.get_config()["seed"] is None, "the caller's instance is left as it was"


@pytest.mark.parametrize("initializer", ["glorot_uniform", keras.initializers.HeNormal(seed=3)])
def test_a_seed_fixes_every_layer_and_another_seed_changes_them(initializer):
    first, again = (mlp(2, 1, depth=3, width=8, initializer=initializer, seed=7) for _ in range(2))
    other = mlp(2, 1, depth=3, width=8, initializer=initializer, seed=8)
    for a, b, c in zip(_kernels(first), _kernels(again), _kernels(other)):
        np.testing.assert_array_equal(a, b)
        assert not np.array_equal(a, c)
    assert not np.array_equal(_kernels(first)[1], _kernels(first)[2])


def test_without_a_seed_keras_global_seed_reproduces_the_model():
    initializer = keras.initializers.RandomUniform(-0.1, 0.1)
    keras.utils.set_random_seed(11)
    first = _kernels(mlp(2, 1, depth=2, width=8, initializer=initializer))
    keras.utils.set_random_seed(11)
    again = _kernels(mlp(2, 1, depth=2, width=8, initializer=initializer))
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)


def test_a_plain_function_is_used_as_it_is():
    def ones(shape, dtype=None):
        return keras.ops.ones(shape, dtype=dtype)

    assert all(np.all(k == 1) for k in _kernels(mlp(2, 1, depth=2, width=4, initializer=ones)))


def test_without_biases_scaling_every_kernel_scales_the_output_by_its_power():
    model = mlp(2, 1, depth=2, width=8, use_bias=False, seed=0)
    assert all(len(layer.weights) == 1 for layer in model.layers)
    x = np.random.default_rng(0).standard_normal((16, 2)).astype("float32")
    before = keras.ops.convert_to_numpy(model(x))
    for layer in model.layers:
        layer.kernel.assign(2.0 * layer.kernel)  # 2: exact in floating point
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(model(x)), 2.0 ** 3 * before)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"use_bias": 1}, TypeError, "use_bias must be True or False, got 1"),
    ({"seed": -1}, ValueError, "seed must be None or a non-negative integer, got -1"),
    ({"seed": 1.5}, TypeError, "seed must be None or a non-negative integer, got 1.5"),
    ({"initializer": "no_such_initializer"}, ValueError, "initializer 'no_such_initializer'"),
    ({"width": 0}, ValueError, "width must be a positive integer, got 0"),
])
def test_invalid_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        mlp(2, 1, **kwargs)
