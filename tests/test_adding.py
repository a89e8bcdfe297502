import keras
import numpy as np
import pytest

from clipedu import adding, datasets
from clipedu.recording import GradientNormHistory, LossHistory

STEPS = 30


def _keras_run(optimizer, seed, cell="SimpleRNN", length=20, steps=STEPS):
    keras.utils.set_random_seed(seed)
    x, y = datasets.adding_problem(64 * steps, length=length, seed=seed)
    model = keras.Sequential([keras.Input((length, 2)), getattr(keras.layers, cell)(32), keras.layers.Dense(1)])
    model.compile(optimizer=optimizer, loss="mse", steps_per_execution=steps)
    record, loss_log = GradientNormHistory(), LossHistory()
    model.fit(x, y, batch_size=64, steps_per_epoch=steps, shuffle=False, verbose=0, callbacks=[record, loss_log])
    return record, loss_log, model


def test_each_run_is_the_run_keras_fit_makes():
    runs = [{"seed": 1, "learning_rate": 3e-3, "global_clipnorm": 1.0}, {"seed": 2, "learning_rate": 0.05}]
    side = adding.train(keras.optimizers.Adam(), runs[:1], steps=STEPS, every=STEPS, chunk=STEPS)
    record, loss_log, _ = _keras_run(keras.optimizers.Adam(3e-3, global_clipnorm=1.0), 1)
    np.testing.assert_allclose(side["losses"][0], loss_log.losses, rtol=1e-4)
    np.testing.assert_allclose(side["norms"][0], record.norms, rtol=1e-4)
    np.testing.assert_allclose(side["update_norms"][0], record.update_norms, rtol=1e-4)
    assert side["clipped"][0].tolist() == record.clipped
    sgd = adding.train(keras.optimizers.SGD(), runs[1:], steps=STEPS, every=STEPS, chunk=STEPS)
    record, loss_log, _ = _keras_run(keras.optimizers.SGD(0.05), 2)
    np.testing.assert_allclose(sgd["losses"][0], loss_log.losses, rtol=1e-4)
    np.testing.assert_allclose(sgd["update_norms"][0], record.update_norms, rtol=1e-4)


@pytest.mark.parametrize("cell", ["LSTM", "GRU"])
def test_gated_cells_train_as_keras_fit_trains_them(cell):
    """LSTM and GRU runs, at length 30, against Keras' own layers fitted with the same optimizer, data and start."""
    steps = 10
    side = adding.train(keras.optimizers.Adam(), [{"seed": 3, "learning_rate": 3e-3, "global_clipnorm": 0.5}],
                        steps=steps, length=30, every=steps, chunk=steps, cell=cell)
    record, loss_log, model = _keras_run(keras.optimizers.Adam(3e-3, global_clipnorm=0.5), 3, cell, 30, steps)
    np.testing.assert_allclose(side["losses"][0], loss_log.losses, rtol=1e-4)
    np.testing.assert_allclose(side["norms"][0], record.norms, rtol=1e-4)
    assert side["clipped"][0].tolist() == record.clipped and any(record.clipped)
    assert [w.shape[1:] for w in side["weights"]] == [tuple(w.shape) for w in model.weights]
    for ours, theirs in zip(side["weights"], model.weights):
        np.testing.assert_allclose(ours[0], theirs.numpy(), atol=1e-5)


def test_runs_side_by_side_do_not_interact_and_clipping_is_per_run():
    alone = adding.train(keras.optimizers.SGD(), [{"seed": 0, "learning_rate": 0.3, "global_clipnorm": 0.1}], steps=20,
                         every=10, chunk=10)
    together = adding.train(keras.optimizers.SGD(), [{"seed": 0, "learning_rate": 0.3, "global_clipnorm": 0.1},
                                                     {"seed": 0, "learning_rate": 0.3}], steps=20, every=10, chunk=10)
    np.testing.assert_allclose(together["losses"][0], alone["losses"][0], rtol=1e-5)
    np.testing.assert_allclose(together["update_norms"][0], 0.3 * 0.1, rtol=1e-4)  # every step clipped
    assert together["clipped"][0].all() and not together["clipped"][1].any()
    assert together["test"].shape == (2, 2)


def test_a_diverged_run_stops_and_the_others_go_on():
    runs = [{"seed": 0, "learning_rate": 0.3}, {"seed": 0, "learning_rate": 0.01}]
    result = adding.train(keras.optimizers.SGD(), runs, steps=100, every=50, chunk=50)
    assert result["diverged"].tolist() == [True, False]
    first = int(np.argmax(np.isnan(result["losses"][0])))
    assert 0 < first < 100 and np.all(np.isnan(result["losses"][0, first:]))
    assert np.all(np.isfinite(result["losses"][1])) and np.isinf(result["test"][0]).all()


def test_adaptive_clipping_leaves_the_final_layer_unless_asked():
    runs = [{"seed": 0, "learning_rate": 0.1, "adaptive": 1e-6}, {"seed": 0, "learning_rate": 0.1, "adaptive": 1e-6,
                                                                   "clip_final_layer": True}]
    result = adding.train(keras.optimizers.SGD(), runs, steps=1, every=1, chunk=1)
    # With a tiny λ every clipped unit barely moves: the update is the final layer's gradient step, or nearly 0.
    assert result["update_norms"][0, 0] > 100 * result["update_norms"][1, 0]


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="no clip argument"):
        adding.train(keras.optimizers.SGD(global_clipnorm=1.0), [{"seed": 0, "learning_rate": 0.1}], steps=1)
    with pytest.raises(ValueError, match="learning_rate"):
        adding.train(keras.optimizers.SGD(), [{"seed": 0}], steps=1)
    with pytest.raises(ValueError, match="cell must be one of .* got 'RNN'"):
        adding.train(keras.optimizers.SGD(), [{"seed": 0, "learning_rate": 0.1}], steps=1, cell="RNN")
    with pytest.raises(ValueError, match="adaptive clipping is for cell='SimpleRNN' only, got cell='GRU'"):
        adding.train(keras.optimizers.SGD(), [{"seed": 0, "learning_rate": 0.1, "adaptive": 0.01}], steps=1, cell="GRU")


def test_adaptive_clipping_is_clipedu_gradients_adaptive_clip():
    """One SGD step of adding.train's adaptive clipping against gradients.adaptive_clip on Keras' own gradient."""
    import tensorflow as tf

    from clipedu import gradients

    rate, lam = 0.1, 0.01
    runs = [{"seed": 3, "learning_rate": rate, "adaptive": lam, "clip_final_layer": final} for final in (False, True)]
    result = adding.train(keras.optimizers.SGD(), runs, steps=1, every=1, chunk=1)
    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.Input((20, 2)), keras.layers.SimpleRNN(32), keras.layers.Dense(1)])
    x, y = datasets.adding_problem(64, length=20, seed=3)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x) - y))
    grads = [g.numpy() for g in tape.gradient(loss, model.trainable_weights)]
    weights = [w.numpy() for w in model.trainable_weights]
    for run, final in enumerate((False, True)):
        clipped = gradients.adaptive_clip(grads if final else grads[:3], weights if final else weights[:3], lam)
        clipped = list(clipped) + ([] if final else grads[3:])
        expected = rate * np.sqrt(sum(np.sum(np.square(g)) for g in clipped))
        np.testing.assert_allclose(result["update_norms"][run, 0], expected, rtol=1e-4)
        changed = [not np.allclose(c, g) for c, g in zip(clipped, grads)]
        assert result["clipped_variables"][run, 0].tolist() == changed
    assert result["clipped_variables"][0, 0, 3:].tolist() == [False, False]  # the final layer left alone


def test_leaving_out_the_probe_loss_changes_no_run():
    runs = [{"seed": 0, "learning_rate": 0.3, "global_clipnorm": 0.5}, {"seed": 1, "learning_rate": 0.05}]
    with_probe = adding.train(keras.optimizers.SGD(), runs, steps=20, every=10, chunk=10)
    without = adding.train(keras.optimizers.SGD(), runs, steps=20, every=10, chunk=10, probe=False)
    assert "probe" in with_probe and "probe" not in without
    for key, value in without.items():
        for ours, theirs in zip(value, with_probe[key]) if key == "weights" else [(value, with_probe[key])]:
            np.testing.assert_array_equal(ours, theirs)
    with pytest.raises(TypeError, match="probe must be True or False, got 'no'"):
        adding.train(keras.optimizers.SGD(), runs, steps=1, probe="no")


def test_snapshots_are_the_weights_after_each_recorded_step():
    """Each snapshot, put into Keras' own layers, gives the test loss recorded after the same steps."""
    runs = [{"seed": 0, "learning_rate": 3e-3, "global_clipnorm": 0.5}, {"seed": 1, "learning_rate": 3e-3}]
    result = adding.train(keras.optimizers.Adam(), runs, steps=20, length=8, every=10, chunk=10, probe=False,
                          snapshots=True)
    assert len(result["snapshots"]) == result["test"].shape[1] == 2
    test_x, test_y = datasets.adding_problem(1000, length=8, seed=adding.TEST_SEED)
    model = keras.Sequential([keras.Input((8, 2)), keras.layers.SimpleRNN(32), keras.layers.Dense(1)])
    for reading, weights in enumerate(result["snapshots"]):
        for run in range(2):
            model.set_weights([w[run] for w in weights])
            loss = np.mean((keras.ops.convert_to_numpy(model(test_x)) - test_y) ** 2)
            np.testing.assert_allclose(loss, result["test"][run, reading], rtol=1e-5)
    for first, last, final in zip(*result["snapshots"], result["weights"]):
        np.testing.assert_array_equal(last, final)
        assert not np.allclose(first, final)
    without = adding.train(keras.optimizers.SGD(), runs, steps=10, every=10, chunk=10, probe=False)
    assert "snapshots" not in without
    with pytest.raises(TypeError, match="snapshots must be True or False, got 1"):
        adding.train(keras.optimizers.SGD(), runs, steps=1, snapshots=1)


@pytest.mark.parametrize("cell", adding.CELLS)
def test_input_gradient_norms_are_keras_layers_gradients_with_respect_to_each_input(cell):
    """Two runs stacked (two seeds' initial weights), against Keras' own layer differentiated by a tape."""
    import tensorflow as tf

    x, y = datasets.adding_problem(16, length=12, seed=4)
    weights = [np.stack(ws) for ws in zip(*(adding.initial_weights(seed, 12, cell=cell) for seed in (2, 3)))]
    ours = adding.input_gradient_norms(weights, x, y, cell)
    assert ours.shape == (2, 12)
    for run, seed in enumerate((2, 3)):
        keras.utils.set_random_seed(seed)
        model = keras.Sequential([keras.Input((12, 2)), getattr(keras.layers, cell)(32), keras.layers.Dense(1)])
        inputs = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            loss = tf.reduce_mean(tf.square(model(inputs) - y))
        theirs = tf.sqrt(tf.reduce_sum(tf.square(tape.gradient(loss, inputs)), axis=[0, 2]))
        np.testing.assert_allclose(ours[run], theirs.numpy(), rtol=1e-4)
    assert not np.allclose(ours[0], ours[1])


def test_input_gradient_norms_name_bad_arguments():
    x, y = datasets.adding_problem(4, length=5, seed=0)
    weights = [w[None] for w in adding.initial_weights(0, 5)]
    with pytest.raises(ValueError, match="weights must be the five arrays train returns, got list of length 3"):
        adding.input_gradient_norms(weights[:3], x, y)
    with pytest.raises(ValueError, match=r"x must be \(batch, length, 2\) and y \(batch, 1\), got x \(4, 5\)"):
        adding.input_gradient_norms(weights, x[:, :, 0], y)
    with pytest.raises(ValueError, match="cell must be one of .* got 'rnn'"):
        adding.input_gradient_norms(weights, x, y, cell="rnn")


def test_runs_of_different_lengths_drawn_alike_see_the_same_batches():
    runs = [{"seed": 3, "learning_rate": 3e-3, "global_clipnorm": 0.5}]
    long = adding.train(keras.optimizers.Adam(), runs, steps=20, every=10, chunk=10, probe=False)
    short = adding.train(keras.optimizers.Adam(), runs, steps=10, every=10, chunk=10, probe=False, data_steps=20)
    alone = adding.train(keras.optimizers.Adam(), runs, steps=10, every=10, chunk=10, probe=False)
    np.testing.assert_array_equal(short["losses"][0], long["losses"][0, :10])
    assert not np.allclose(alone["losses"][0, 1:], long["losses"][0, 1:10])  # drawn for 10 steps: other batches
    with pytest.raises(ValueError, match="data_steps must be an integer of at least steps = 10, got 5"):
        adding.train(keras.optimizers.SGD(), runs, steps=10, data_steps=5)
