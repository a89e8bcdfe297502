import math

import numpy as np
import pytest
from clipedu import gradients
from clipedu._keras import keras

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
