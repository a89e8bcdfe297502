import keras
import numpy as np
import pytest

from clipedu import WGAN, mlp
from clipedu.recording import GradientNormHistory, LossHistory

STEPS = 8


def _data():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 3)).astype("float32")
    return x, (3 * x[:, :1] - x[:, 1:2] ** 2).astype("float32")


def _by_hand(clip, threshold):
    """norms and clip decisions of a plain GradientTape loop, measured in numpy with Keras' rules."""
    import tensorflow as tf

    x, y = _data()
    model = mlp(3, 1, depth=2, width=8, seed=0)
    optimizer = keras.optimizers.SGD(0.05, **({clip: threshold} if clip else {}))
    norms, clipped = [], []
    for _ in range(STEPS):
        with tf.GradientTape() as tape:
            loss = keras.losses.MeanSquaredError()(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        arrays = [g.numpy().astype(np.float64) for g in grads]
        norms.append(np.sqrt(sum(np.sum(a ** 2) for a in arrays)))
        clipped.append(_exceeds(clip, threshold, arrays, norms[-1]))
        optimizer.apply(grads, model.trainable_variables)
    return norms, clipped, model


def _exceeds(clip, threshold, arrays, norm):
    if clip == "clipnorm":
        return any(np.linalg.norm(a) > threshold for a in arrays)
    if clip == "global_clipnorm":
        return norm > threshold
    if clip == "clipvalue":
        return any(np.abs(a).max() > threshold for a in arrays)
    return False


@pytest.mark.parametrize("clip, threshold", [(None, None), ("global_clipnorm", 5.0), ("clipnorm", 3.0),
                                             ("clipvalue", 2.5)])
def test_gradient_norms_and_clip_decisions_match_a_gradient_tape_loop(clip, threshold):
    x, y = _data()
    model = mlp(3, 1, depth=2, width=8, seed=0)
    model.compile(optimizer=keras.optimizers.SGD(0.05, **({clip: threshold} if clip else {})), loss="mse")
    history = GradientNormHistory()
    model.fit(x, y, batch_size=len(x), epochs=STEPS, shuffle=False, verbose=0, callbacks=[history])
    norms, clipped, by_hand = _by_hand(clip, threshold)
    np.testing.assert_allclose(history.norms, norms, rtol=1e-5)
    assert history.clipped == clipped
    if clip:  # the thresholds are chosen so that some steps are clipped and some are not
        assert True in clipped and False in clipped, clipped
    for a, b in zip(model.get_weights(), by_hand.get_weights()):  # the wrapper left the updates alone
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_the_optimizer_is_restored_and_a_second_fit_records_on():
    x, y = _data()
    model = mlp(3, 1, depth=2, width=8, seed=0)
    model.compile(optimizer=keras.optimizers.Adam(1e-3, global_clipnorm=1.0), loss="mse")
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)  # a train function built before the recorder
    history = GradientNormHistory()
    model.fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[history])
    assert len(history.norms) == len(history.clipped) == 8 and all(n > 0 for n in history.norms)
    assert "apply" not in vars(model.optimizer)
    model.fit(x, y, batch_size=8, epochs=1, verbose=0, callbacks=[history])
    assert len(history.norms) == 12


def test_every_step_is_recorded_when_fit_runs_several_per_call():
    x, y = _data()
    records = {}
    for per_call in (1, 3):  # 4 steps an epoch: calls of 3 steps and of 1
        model = mlp(3, 1, depth=2, width=8, seed=0)
        model.compile(optimizer=keras.optimizers.SGD(0.05, global_clipnorm=6.0), loss="mse",
                      steps_per_execution=per_call)
        norms, losses = GradientNormHistory(), LossHistory()
        model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0, callbacks=[norms, losses])
        records[per_call] = (norms.norms, norms.clipped, norms.update_norms, losses.losses)
    for one, several in zip(records[1], records[3]):
        assert len(one) == len(several) == 8
        np.testing.assert_allclose(several, one, rtol=1e-6)
    assert True in records[1][1] and False in records[1][1]  # clipped and unclipped steps, in their order


def test_models_it_cannot_record_are_refused():
    wgan = WGAN(mlp(2, 1, depth=1, width=4), mlp(2, 2, depth=1, width=4), latent_dim=2)
    wgan.compile()
    with pytest.raises(ValueError, match="its optimizer was not used"):  # WGAN trains with two others
        wgan.fit(np.zeros((640, 2), "float32"), verbose=0, callbacks=[GradientNormHistory()])
    assert "apply" not in vars(wgan.optimizer)  # restored on the way out


@pytest.mark.parametrize("threshold", [None, 5.0])
def test_sgd_update_norms_are_the_learning_rate_times_the_clipped_gradient_norm(threshold):
    x, y = _data()
    model = mlp(3, 1, depth=2, width=8, seed=0)
    model.compile(optimizer=keras.optimizers.SGD(0.05, global_clipnorm=threshold), loss="mse")
    history = GradientNormHistory()
    model.fit(x, y, batch_size=len(x), epochs=STEPS, shuffle=False, verbose=0, callbacks=[history])
    norms, _, _ = _by_hand("global_clipnorm" if threshold else None, threshold)
    expected = 0.05 * np.minimum(norms, threshold or np.inf)
    np.testing.assert_allclose(history.update_norms, expected, rtol=1e-4)


def test_adam_first_update_has_about_the_same_length_clipped_or_not():
    # Keras' Adam makes its first step lr · g / (|g| + eps / sqrt(1 - beta_2)), element by element: about
    # lr · sign(g), whatever scale global_clipnorm gives g.
    import tensorflow as tf

    x, y = _data()
    with tf.GradientTape() as tape:
        model = mlp(3, 1, depth=2, width=8, seed=0)
        loss = keras.losses.MeanSquaredError()(y, model(x, training=True))
    grads = np.concatenate([g.numpy().ravel() for g in tape.gradient(loss, model.trainable_variables)]).astype(float)
    lengths, expected = [], []
    for threshold in (None, 0.01):
        model = mlp(3, 1, depth=2, width=8, seed=0)
        model.compile(optimizer=keras.optimizers.Adam(0.01, global_clipnorm=threshold), loss="mse")
        history = GradientNormHistory()
        model.fit(x, y, batch_size=len(x), epochs=1, shuffle=False, verbose=0, callbacks=[history])
        lengths.append(history.update_norms[0])
        g = grads * min(1.0, (threshold or np.inf) / np.linalg.norm(grads))
        expected.append(0.01 * np.linalg.norm(g / (np.abs(g) + 1e-7 / np.sqrt(1 - 0.999))))
    np.testing.assert_allclose(lengths, expected, rtol=1e-4)
    assert abs(lengths[1] / lengths[0] - 1) < 0.1  # the gradient clipped to norm 0.01: nearly the same step


def test_loss_history_holds_each_steps_loss_as_a_gradient_tape_loop_computes_it():
    import tensorflow as tf

    x, y = _data()
    model = mlp(3, 1, depth=2, width=8, seed=0)
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    history = LossHistory()
    logs = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0, callbacks=[history])
    by_hand, optimizer = mlp(3, 1, depth=2, width=8, seed=0), keras.optimizers.SGD(0.05)
    expected = []
    for _ in range(2):
        for start in range(0, len(x), 8):
            with tf.GradientTape() as tape:
                loss = keras.losses.MeanSquaredError()(y[start:start + 8], by_hand(x[start:start + 8], training=True))
            optimizer.apply(tape.gradient(loss, by_hand.trainable_variables), by_hand.trainable_variables)
            expected.append(float(loss))
    np.testing.assert_allclose(history.losses, expected, rtol=1e-5)
    # fit's own log is the mean over each epoch's four steps, which the per-step losses give back
    np.testing.assert_allclose(logs.history["loss"], np.mean(np.reshape(expected, (2, 4)), axis=1), rtol=1e-5)
    # the model is left as it was: a second fit records only its own steps, and evaluate is untouched
    model.fit(x, y, batch_size=32, epochs=1, verbose=0, callbacks=[history])
    assert len(history.losses) == 9
    assert "compute_loss" not in vars(model)


def _tape_gradients(model, x, y):
    """The gradients of the model's unscaled mean squared error, by a GradientTape of our own."""
    import tensorflow as tf

    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(tf.cast(model(x, training=True), tf.float32) - y))
    return tape.gradient(loss, model.trainable_variables)


def _linear(seed=0):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])


@pytest.mark.parametrize("policy", ["float32", "mixed_float16"])
def test_under_loss_scaling_the_norms_are_the_unscaled_gradients_the_clip_sees(policy):
    # LossScaleOptimizer multiplies the loss by its scale (2**15 at first) and divides the gradients by it
    # before its inner optimizer clips: the record must hold the unscaled norms, and the inner clip's decisions.
    import tensorflow as tf

    x, y = _data()
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(policy)
    try:
        model = _linear()
        if policy == "float32":  # wrapped by hand; under mixed_float16 compile wraps it
            optimizer = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(0.01, global_clipnorm=7.5))
        else:
            optimizer = keras.optimizers.SGD(0.01, global_clipnorm=7.5)
        model.compile(optimizer=optimizer, loss="mse")
        assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)
        history, expected = GradientNormHistory(), []
        for step in range(6):  # one batch per fit, so that each gradient is taken by hand at the weights Keras had
            batch = slice(8 * (step % 4), 8 * (step % 4) + 8)
            expected.append(float(tf.linalg.global_norm(_tape_gradients(model, x[batch], y[batch]))))
            model.fit(x[batch], y[batch], batch_size=8, epochs=1, shuffle=False, verbose=0, callbacks=[history])
    finally:
        keras.config.set_dtype_policy(previous)
    # Under mixed_float16 the first steps overflow float16 at the scale 2**15: LossScaleOptimizer skips them.
    assert sorted(history.steps + history.skipped) == list(range(6)) and len(history.steps) >= 3
    if policy == "float32":
        assert history.skipped == []
    expected = np.array(expected)[history.steps]
    np.testing.assert_allclose(history.norms, expected, rtol=1e-5 if policy == "float32" else 1e-2)
    assert history.clipped == [n > 7.5 for n in expected] and True in history.clipped and False in history.clipped
    np.testing.assert_allclose(history.update_norms, 0.01 * np.minimum(expected, 7.5),
                               rtol=1e-5 if policy == "float32" else 2e-2)


def test_a_step_loss_scaling_skips_is_counted_not_recorded():
    variable_model = _linear()
    optimizer = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(0.01, global_clipnorm=1.0))
    variable_model.compile(optimizer=optimizer, loss="mse")
    x, y = _data()
    y = y.copy()
    y[8:16] = np.inf  # the second batch's gradient is not finite
    history = GradientNormHistory()
    variable_model.fit(x[:24], y[:24], batch_size=8, epochs=1, shuffle=False, verbose=0, callbacks=[history])
    assert history.steps == [0, 2] and history.skipped == [1] and len(history.norms) == 2
    assert all(np.isfinite(history.norms))
    assert float(optimizer.dynamic_scale.numpy()) == 2.0**15 / 2  # Keras halved its scale on the skipped step


def test_with_gradient_accumulation_each_update_records_the_mean_gradient_keras_clips():
    # Keras adds up k micro-batch gradients and, on every k-th step, clips their mean and applies it.
    import tensorflow as tf

    x, y = _data()
    lr, tau, k = 0.01, 7.5, 2
    model = _linear()
    model.compile(optimizer=keras.optimizers.SGD(lr, global_clipnorm=tau, gradient_accumulation_steps=k), loss="mse")
    history = GradientNormHistory()
    model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0, callbacks=[history])  # 8 micro-batches
    by_hand, norms, clipped = _linear(), [], []
    for update in range(4):  # each update: the mean of two micro-batch gradients at the same weights
        grads = [_tape_gradients(by_hand, x[i * 4:i * 4 + 4], y[i * 4:i * 4 + 4]) for i in (2 * update, 2 * update + 1)]
        mean = [(a + b) / 2 for a, b in zip(*grads)]
        norms.append(float(tf.linalg.global_norm(mean)))
        clipped.append(norms[-1] > tau)
        factor = min(1.0, tau / norms[-1])
        for variable, g in zip(by_hand.trainable_variables, mean):
            variable.assign(variable - lr * factor * g)
    np.testing.assert_allclose(history.norms, norms, rtol=1e-5)
    assert history.clipped == clipped and True in clipped and False in clipped, (norms, clipped)
    np.testing.assert_allclose(history.update_norms, lr * np.minimum(norms, tau), rtol=1e-5)
    assert history.steps == [1, 3, 5, 7]
    for a, b in zip(model.get_weights(), by_hand.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
