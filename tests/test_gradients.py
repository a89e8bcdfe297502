import math

import keras
import numpy as np
import pytest

from clipedu import gradients

SHAPES = [(3, 4), (4,), (2, 2, 3)]


def _grads(seed, scale):
    rng = np.random.default_rng(seed)
    return [(scale * rng.standard_normal(shape)).astype(np.float32) for shape in SHAPES]


def _keras_update(grads, **clip_argument):
    """The change that SGD(learning_rate=1) with the clipping argument applies to each variable."""
    variables = [keras.Variable(np.zeros(g.shape, np.float32)) for g in grads]
    optimizer = keras.optimizers.SGD(learning_rate=1.0, **clip_argument)
    optimizer.apply_gradients(zip([keras.ops.convert_to_tensor(g) for g in grads], variables))
    return [-keras.ops.convert_to_numpy(v) for v in variables]


@pytest.mark.parametrize("scale", [0.01, 1.0, 30.0])
@pytest.mark.parametrize(
    "function, argument",
    [
        (gradients.clip_by_value, "clipvalue"),
        (gradients.clip_by_norm, "clipnorm"),
        (gradients.clip_by_global_norm, "global_clipnorm"),
    ],
)
def test_clipping_equals_what_keras_sgd_applies(function, argument, scale):
    grads = _grads(seed=7, scale=scale)
    threshold = 0.8
    ours = function(grads, threshold)
    theirs = _keras_update(grads, **{argument: threshold})
    assert len(ours) == len(theirs)
    for mine, keras_change in zip(ours, theirs):
        assert isinstance(mine, np.ndarray)
        np.testing.assert_allclose(mine, keras_change, rtol=1e-5, atol=1e-7)


def test_the_classic_worked_example():
    g = [0.1, 3.0]
    by_value = gradients.clip_by_value(np.array(g), 0.5)[0]
    by_norm = gradients.clip_by_norm(np.array(g), 0.5)[0]
    np.testing.assert_allclose(by_value, [0.1, 0.5])
    # Same direction as g, length 0.5.
    np.testing.assert_allclose(by_norm, np.array(g) * 0.5 / math.hypot(*g))
    assert gradients.angle_between(g, by_value) == pytest.approx(88.0908 - 78.6901, abs=1e-3)
    assert gradients.angle_between(g, by_norm) == pytest.approx(0.0, abs=1e-9)


def test_per_tensor_norm_turns_a_two_tensor_gradient_and_global_norm_does_not():
    grads = [np.array([3.0, 4.0]), np.array([0.3])]  # norms 5 and 0.3
    per_tensor = gradients.clip_by_norm(grads, 1.0)
    overall = gradients.clip_by_global_norm(grads, 1.0)
    np.testing.assert_allclose(per_tensor[0], [0.6, 0.8])
    np.testing.assert_allclose(per_tensor[1], [0.3])
    assert gradients.angle_between(grads, per_tensor) > 10
    assert gradients.angle_between(grads, overall) == pytest.approx(0.0, abs=1e-9)
    assert gradients.global_norm(overall) == pytest.approx(1.0)


def test_below_the_threshold_nothing_changes():
    grads = _grads(seed=1, scale=0.01)
    for clipped in (
        gradients.clip_by_norm(grads, 10.0),
        gradients.clip_by_global_norm(grads, 10.0),
        gradients.clip_by_value(grads, 10.0),
    ):
        for before, after in zip(grads, clipped):
            np.testing.assert_array_equal(before, after)


def test_zero_gradient_stays_zero():
    zero = [np.zeros(3), np.zeros((2, 2))]
    for clipped in (
        gradients.clip_by_norm(zero, 1.0),
        gradients.clip_by_global_norm(zero, 1.0),
        gradients.clip_by_value(zero, 1.0),
    ):
        assert all(np.all(c == 0) for c in clipped)


def test_accepts_tensors_lists_and_one_array_and_keeps_float32():
    as_tensor = gradients.clip_by_value([keras.ops.ones((2,)) * 3], 1.0)
    as_list = gradients.clip_by_value([3.0, -3.0], 1.0)
    one_array = gradients.clip_by_norm(np.full(4, 2.0, np.float32), 1.0)
    np.testing.assert_array_equal(as_tensor[0], [1.0, 1.0])
    np.testing.assert_array_equal(as_list[0], [1.0, -1.0])
    assert one_array[0].dtype == np.float32
    np.testing.assert_allclose(one_array[0], np.full(4, 0.5), rtol=1e-6)


def test_angle_between_known_angles():
    assert gradients.angle_between([1.0, 0.0], [0.0, 2.0]) == pytest.approx(90.0)
    assert gradients.angle_between([1.0, 0.0], [-1.0, 0.0]) == pytest.approx(180.0)
    # Tensors are flattened together: [1, 0] + [0] against [0, 0] + [1].
    assert gradients.angle_between([np.array([1.0, 0.0]), np.array([0.0])],
                                   [np.array([0.0, 0.0]), np.array([1.0])]) == pytest.approx(90.0)


@pytest.mark.parametrize(
    "function, name",
    [
        (gradients.clip_by_value, "clipvalue"),
        (gradients.clip_by_norm, "clipnorm"),
        (gradients.clip_by_global_norm, "global_clipnorm"),
    ],
)
@pytest.mark.parametrize("bad, error", [(0, ValueError), (-1.0, ValueError), (float("nan"), ValueError),
                                         (float("inf"), ValueError), (True, TypeError), ("1", TypeError),
                                         (None, TypeError), (np.ones(2), TypeError)])
def test_invalid_threshold_names_the_argument_and_value(function, name, bad, error):
    with pytest.raises(error, match=name) as raised:
        function([np.ones(2)], bad)
    assert repr(bad)[:3] in str(raised.value)


def test_invalid_gradients_and_angles():
    with pytest.raises(ValueError, match="grads"):
        gradients.clip_by_norm([], 1.0)
    with pytest.raises(TypeError, match="grads"):
        gradients.clip_by_norm(["a"], 1.0)
    with pytest.raises(ValueError, match="same number"):
        gradients.angle_between([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="zero"):
        gradients.angle_between([0.0, 0.0], [1.0, 2.0])


def test_adaptive_clip_by_hand():
    kernel = np.array([[3.0, 0.0], [4.0, 1.0]])  # unit (column) norms 5 and 1
    bias = np.zeros(2)  # norm 0: credited with eps
    grad_kernel = np.array([[6.0, 0.1], [8.0, 0.0]])  # unit gradient norms 10 and 0.1
    grad_bias = np.array([0.3, 0.4])  # norm 0.5
    clipped_kernel, clipped_bias = gradients.adaptive_clip([grad_kernel, grad_bias], [kernel, bias], 0.5, eps=1e-3)
    # Column 0: 10 > 0.5 · 5, rescaled to 2.5; column 1: 0.1 < 0.5 · 1, unchanged.
    np.testing.assert_allclose(clipped_kernel, [[1.5, 0.1], [2.0, 0.0]])
    # The bias: 0.5 > 0.5 · max(0, 1e-3), rescaled to 5e-4.
    np.testing.assert_allclose(clipped_bias, [3e-4, 4e-4])


def test_adaptive_clip_leaves_small_gradients_and_takes_units_over_all_but_the_last_axis():
    conv = np.random.default_rng(0).normal(size=(3, 3, 2, 4))
    grad = 1e-6 * conv
    np.testing.assert_array_equal(gradients.adaptive_clip([grad], [conv], 0.01)[0], grad)
    big = 100 * conv
    clipped = gradients.adaptive_clip([big], [conv], 0.01)[0]
    unit_norms = np.sqrt(np.sum(clipped ** 2, axis=(0, 1, 2)))
    np.testing.assert_allclose(unit_norms, 0.01 * np.sqrt(np.sum(conv ** 2, axis=(0, 1, 2))))


@pytest.mark.parametrize("kwargs, error, match", [
    ({"clipping": 0}, ValueError, "clipping must be a positive finite number, got 0"),
    ({"eps": -1.0}, ValueError, "eps must be a positive finite number, got -1.0"),
    ({"params": [np.zeros(3)]}, ValueError, "grads and params must have the same shapes"),
])
def test_adaptive_clip_invalid_arguments(kwargs, error, match):
    arguments = {"grads": [np.ones(2)], "params": [np.ones(2)], "clipping": 0.01} | kwargs
    with pytest.raises(error, match=match):
        gradients.adaptive_clip(**arguments)


def test_adaptive_clipping_trains_as_adaptive_clip_by_hand_step_by_step():
    from clipedu import mlp

    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 3)).astype("float32")
    y = (x @ np.array([[2.0], [-1.0], [0.5]]) + 1).astype("float32")
    model = mlp(3, 1, depth=1, width=8, seed=0)
    hand = mlp(3, 1, depth=1, width=8, seed=0)
    sgd = keras.optimizers.SGD(0.1)
    model.compile(optimizer=gradients.adaptive_clipping(sgd, clipping=0.05), loss="mse")
    assert type(model.optimizer).__name__ == "AdaptiveClippingSGD" and isinstance(model.optimizer, keras.optimizers.SGD)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.1) and "apply" not in vars(sgd)
    import tensorflow as tf

    changed = 0
    for _ in range(5):
        model.fit(x, y, batch_size=64, epochs=1, shuffle=False, verbose=0)
        with tf.GradientTape() as tape:
            loss = keras.losses.MeanSquaredError()(y, hand(x, training=True))
        grads = [g.numpy() for g in tape.gradient(loss, hand.trainable_variables)]
        weights = [v.numpy() for v in hand.trainable_variables]
        clipped = gradients.adaptive_clip(grads, weights, 0.05)
        changed += sum(not np.array_equal(g, c) for g, c in zip(grads, clipped))
        for variable, g in zip(hand.trainable_variables, clipped):
            variable.assign(variable - 0.1 * g)
        for a, b in zip(model.get_weights(), hand.get_weights()):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert changed > 0  # clipping acted: the comparison is not one of unclipped SGD


def test_adaptive_clipping_rejects_bad_arguments():
    with pytest.raises(TypeError, match="optimizer must be a Keras optimizer, got 'sgd'"):
        gradients.adaptive_clipping("sgd")
    with pytest.raises(ValueError, match="clipping must be a positive finite number, got 0"):
        gradients.adaptive_clipping(keras.optimizers.SGD(), clipping=0)
    with pytest.raises(ValueError, match="eps must be a positive finite number, got -1"):
        gradients.adaptive_clipping(keras.optimizers.SGD(), eps=-1)


def test_clip_per_example_clips_each_example_then_divides_the_sum_by_the_batch_size():
    grads = np.array([[3.0, 4.0], [0.3, 0.4], [0.0, -10.0]])  # norms 5, 0.5 and 10
    # by hand: (0.6, 0.8) + (0.3, 0.4) + (0, -1), divided by 3
    np.testing.assert_allclose(gradients.clip_per_example(grads, 1.0)[0], [0.3, 0.2 / 3], rtol=1e-12)
    np.testing.assert_allclose(gradients.clip_per_example(grads, 1.0, batch_size=4)[0], [0.225, 0.05], rtol=1e-12)
    # each example's gradient is one tensor, whatever its shape: a (2, 2) gradient of norm 5 becomes norm 1
    np.testing.assert_allclose(gradients.clip_per_example(np.full((1, 2, 2), 2.5), 1.0)[0], np.full((2, 2), 0.5))
    # leaving one example out, with the batch size kept, moves the result by at most C / B
    moved = gradients.clip_per_example(grads, 1.0, batch_size=3)[0] - gradients.clip_per_example(grads[:2], 1.0,
                                                                                                   batch_size=3)[0]
    assert np.linalg.norm(moved) == pytest.approx(1 / 3)


@pytest.mark.parametrize("grads, clipnorm, batch_size, error, match", [
    (np.ones(3), 1.0, None, ValueError, "one gradient per example"),
    (np.ones((0, 2)), 1.0, None, ValueError, "one gradient per example"),
    (np.ones((2, 2)), 0.0, None, ValueError, "clipnorm"),
    (np.ones((2, 2)), 1.0, 0, ValueError, "batch_size"),
    (np.ones((2, 2)), 1.0, 2.0, TypeError, "batch_size"),
    ("ab", 1.0, None, TypeError, "grads must"),
])
def test_clip_per_example_rejects_bad_arguments(grads, clipnorm, batch_size, error, match):
    with pytest.raises(error, match=match):
        gradients.clip_per_example(grads, clipnorm, batch_size=batch_size)
