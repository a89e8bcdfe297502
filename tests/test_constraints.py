import subprocess
import sys
import textwrap
import warnings

import keras
import numpy as np
import pytest

import clipedu
from clipedu import WeightClip, clip_weights, constrain_all


def _values(model):
    return np.concatenate([keras.ops.convert_to_numpy(v).ravel() for v in model.trainable_variables])


def _fit_once(model, x, y, epochs=1):
    model.compile(optimizer="rmsprop", loss="mse")
    model.fit(x, y, epochs=epochs, batch_size=16, verbose=0)


def test_weight_clip_clips_into_the_interval():
    w = np.array([-3.0, -0.5, 0.0, 0.25, 7.0], np.float32)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(WeightClip(0.5)(w)), [-0.5, -0.5, 0.0, 0.25, 0.5])


def test_seed_example_rewritten_for_keras_3_holds_after_fit():
    """Dense(30) on 100 inputs with kernel_constraint=WeightClip(2), rmsprop on random data."""
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((256, 100)).astype(np.float32)
    y = (50 * rng.standard_normal((256, 30))).astype(np.float32)  # large targets push weights out
    model = keras.Sequential([keras.Input((100,)), keras.layers.Dense(30, kernel_constraint=WeightClip(2))])
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.5), loss="mse")
    model.fit(x, y, epochs=3, batch_size=32, verbose=0)
    kernel = keras.ops.convert_to_numpy(model.layers[0].kernel)
    assert np.all(np.abs(kernel) <= 2.0)
    assert np.any(np.abs(kernel) == 2.0), "the test must push some weights to the bound"
    # The constraint was on the kernel only: the bias was free to leave [-2, 2].
    assert np.any(np.abs(keras.ops.convert_to_numpy(model.layers[0].bias)) > 2.0)


def test_initial_weights_are_not_clipped_until_the_first_update():
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(64, kernel_initializer="ones")])
    constrain_all(model, WeightClip(0.1))
    assert np.all(keras.ops.convert_to_numpy(model.layers[0].kernel) == 1.0)
    _fit_once(model, np.ones((16, 4), np.float32), np.zeros((16, 64), np.float32))
    assert np.max(np.abs(_values(model))) <= 0.1


def _mixed_model():
    inputs = keras.Input((6, 3))
    h = keras.layers.LSTM(5, return_sequences=True)(inputs)
    h = keras.layers.SimpleRNN(4)(h)
    h = keras.layers.Dense(8, kernel_initializer=keras.initializers.RandomNormal(stddev=3.0))(h)
    h = keras.layers.BatchNormalization(gamma_initializer="ones")(h)
    h = keras.layers.LayerNormalization()(h)
    outputs = keras.layers.Dense(1, bias_initializer=keras.initializers.Constant(5.0))(h)
    return keras.Model(inputs, outputs)


def test_constrain_all_reaches_every_trainable_weight():
    keras.utils.set_random_seed(2)
    model = _mixed_model()
    assert constrain_all(model, WeightClip(0.05)) is model
    assert np.max(np.abs(_values(model))) > 0.05  # nothing clipped before training
    assert all(isinstance(v.constraint, WeightClip) for v in model.trainable_variables)
    rng = np.random.default_rng(2)
    _fit_once(model, rng.standard_normal((32, 6, 3)).astype(np.float32), np.ones((32, 1), np.float32))
    for variable in model.trainable_variables:
        values = keras.ops.convert_to_numpy(variable)
        assert np.max(np.abs(values)) <= 0.05, variable.path


def test_a_constraint_on_one_layer_leaves_the_others_free():
    """The per-layer answer: only the constrained layer is clipped."""
    keras.utils.set_random_seed(3)
    big = keras.initializers.Constant(1.0)
    model = keras.Sequential([
        keras.Input((3,)),
        keras.layers.Dense(4, kernel_initializer=big, kernel_constraint=WeightClip(0.1)),
        keras.layers.Dense(1, kernel_initializer=big),
    ])
    _fit_once(model, np.ones((16, 3), np.float32), np.zeros((16, 1), np.float32))
    assert np.max(np.abs(keras.ops.convert_to_numpy(model.layers[0].kernel))) <= 0.1
    assert np.max(np.abs(keras.ops.convert_to_numpy(model.layers[1].kernel))) > 0.1


def test_constrain_all_warns_about_a_layer_whose_constraint_cannot_be_saved():
    class Scale(keras.layers.Layer):
        def build(self, input_shape):
            self.scale = self.add_weight(shape=(), initializer="ones")

        def call(self, x):
            return x * self.scale

    model = keras.Sequential([keras.Input((2,)), Scale(name="scale")])
    with pytest.warns(UserWarning, match="'scale'"):
        constrain_all(model, WeightClip(0.5))
    assert model.layers[0].scale.constraint is not None


def test_constrain_all_does_not_warn_for_standard_layers():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        constrain_all(_mixed_model(), WeightClip(0.5))


def test_clip_weights_projects_now_and_counts_the_changed_values():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, kernel_initializer="ones")])
    model.layers[0].bias.assign(np.array([0.0, 0.05, -2.0], np.float32))
    # 6 kernel values at 1.0 and one bias value at -2.0 lie outside [-0.1, 0.1].
    assert clip_weights(model, 0.1) == 7
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(model.layers[0].bias), np.float32([0.0, 0.05, -0.1]))
    assert clip_weights(model.trainable_variables, 0.1) == 0
    assert np.max(np.abs(_values(model))) == pytest.approx(0.1)


def test_save_and_load_in_a_fresh_process_keeps_every_constraint(tmp_path):
    keras.utils.set_random_seed(4)
    model = constrain_all(_mixed_model(), WeightClip(0.02))
    path = tmp_path / "critic.keras"
    model.save(path)
    script = textwrap.dedent(f"""
        import clipedu.constraints, keras, numpy as np  # importing the module registers WeightClip
        model = keras.saving.load_model({str(path)!r})
        kinds = sorted({{type(v.constraint).__name__ for v in model.trainable_variables}})
        bounds = sorted({{v.constraint.c for v in model.trainable_variables}})
        model.compile(optimizer="rmsprop", loss="mse")
        rng = np.random.default_rng(0)
        model.fit(rng.standard_normal((32, 6, 3)), np.ones((32, 1)), verbose=0)
        worst = max(float(np.max(np.abs(keras.ops.convert_to_numpy(v)))) for v in model.trainable_variables)
        print(kinds, bounds, worst <= 0.02)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['WeightClip'] [0.02] True"


def test_config_round_trip():
    clip = WeightClip(0.3)
    assert clip.get_config() == {"c": 0.3}
    restored = keras.constraints.deserialize(keras.constraints.serialize(clip))
    assert isinstance(restored, WeightClip) and restored.c == 0.3


@pytest.mark.parametrize("bad, error", [(0, ValueError), (-0.01, ValueError), (float("nan"), ValueError),
                                         (float("inf"), ValueError), (True, TypeError), ("0.01", TypeError),
                                         (None, TypeError), (np.array([0.01]), TypeError)])
def test_invalid_c_names_c_and_the_value(bad, error):
    for call in (lambda: WeightClip(bad), lambda: clip_weights(keras.layers.Dense(2), bad)):
        with pytest.raises(error, match="c must be") as raised:
            call()
        assert repr(bad)[:3] in str(raised.value)


def test_invalid_models_and_constraints():
    with pytest.raises(TypeError, match="model"):
        constrain_all("critic", WeightClip())
    with pytest.raises(TypeError, match="constraint"):
        constrain_all(keras.layers.Dense(2), 0.01)
    with pytest.raises(TypeError, match="model_or_variables"):
        clip_weights([np.ones(3)], 0.1)


def test_scale_into_keeps_each_kernels_pattern_and_scales_the_function_only():
    model = clipedu.mlp(2, 1, depth=2, width=8, seed=0)
    before = [keras.ops.convert_to_numpy(layer.kernel) for layer in model.layers]
    x = np.random.default_rng(0).standard_normal((16, 2)).astype("float32")
    outputs = keras.ops.convert_to_numpy(model(x))
    assert clipedu.scale_into(model, 0.05) is model
    for layer, kernel in zip(model.layers, before):
        scaled = keras.ops.convert_to_numpy(layer.kernel)
        assert np.abs(scaled).max() == pytest.approx(0.05)
        np.testing.assert_allclose(scaled, kernel * (0.05 / np.abs(kernel).max()), rtol=1e-6)
    ratio = keras.ops.convert_to_numpy(model(x)) / outputs  # zero biases: one factor for every input
    np.testing.assert_allclose(ratio, ratio[0, 0], rtol=1e-4)
    with pytest.raises(ValueError, match="c must be a positive finite number, got 0"):
        clipedu.scale_into(model, 0)
    with pytest.raises(TypeError, match="model must be a keras Model or Layer"):
        clipedu.scale_into("critic", 0.1)
