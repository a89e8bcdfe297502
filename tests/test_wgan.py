import subprocess
import sys
import textwrap
import warnings

import keras
import numpy as np
import pytest

import clipedu
from clipedu import WGAN, GradientPenalty, WeightClipping, datasets, mlp, wgan_step
from clipedu.measures import activation_gradient_norms, critic_surface, critic_weights
from clipedu.notebook.progress import progress_bar
from clipedu.recording import ActivationGradientHistory, SampleHistory, WeightHistory


def _nets(init="glorot_uniform", depth=2, width=16):
    return mlp(2, 1, depth=depth, width=width, initializer=init), mlp(3, 2, depth=depth, width=width)


class _AfterEveryBatch(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.largest = []

    def on_train_batch_end(self, batch, logs=None):
        self.largest.append(np.max(np.abs(critic_weights(self.model.critic))))


def test_clipping_holds_on_every_critic_parameter_after_every_step():
    keras.utils.set_random_seed(0)
    critic, generator = _nets(init=keras.initializers.RandomNormal(stddev=1.0))
    for layer in critic.layers:
        layer.bias.assign(np.full(layer.bias.shape, 0.5, np.float32))  # biases outside [-c, c] too
    assert np.max(np.abs(critic_weights(critic))) > 0.01
    wgan = WGAN(critic, generator, latent_dim=3, n_critic=2, method=WeightClipping(0.01), seed=0)
    wgan.compile()
    after = _AfterEveryBatch()
    wgan.fit(datasets.eight_gaussians(8 * 20, seed=0), batch_size=8 * 2, epochs=1, verbose=0, callbacks=[after])
    assert len(after.largest) == 10
    assert max(after.largest) <= 0.01 + 1e-9
    biases = np.concatenate([keras.ops.convert_to_numpy(layer.bias) for layer in critic.layers])
    assert np.all(np.abs(biases) <= 0.01)


def test_n_critic_critic_updates_per_generator_update():
    keras.utils.set_random_seed(1)
    wgan = WGAN(*_nets(), latent_dim=3, n_critic=4, seed=1)
    wgan.compile()
    wgan.fit(datasets.eight_gaussians(6 * 4 * 8, seed=1), batch_size=4 * 8, epochs=1, verbose=0)
    assert int(wgan.critic_optimizer.iterations) == 6 * 4
    assert int(wgan.generator_optimizer.iterations) == 6


def test_fit_defaults_to_the_papers_batch_of_n_critic_times_64():
    keras.utils.set_random_seed(1)
    wgan = WGAN(*_nets(), latent_dim=3, n_critic=5, seed=1)
    wgan.compile()
    wgan.fit(datasets.eight_gaussians(3 * 320 + 100, seed=1), verbose=0)  # 100 left over: no fourth batch
    assert int(wgan.generator_optimizer.iterations) == 3
    assert int(wgan.critic_optimizer.iterations) == 15


def test_fit_with_steps_per_epoch_runs_every_epoch_in_full():
    wgan = WGAN(*_nets(), latent_dim=3, n_critic=2, seed=1)
    wgan.compile()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Keras warns when its input runs out of data
        wgan.fit(datasets.eight_gaussians(3 * 16, seed=1), batch_size=16, steps_per_epoch=2, epochs=4, verbose=0)
    assert int(wgan.generator_optimizer.iterations) == 8


def _epochs(dataset, n):
    """The rows of n passes over the dataset, each checked to come in batches of 10 × 2."""
    epochs = [[batch.numpy() for batch in dataset] for _ in range(n)]
    assert all([batch.shape for batch in epoch] == [(10, 2), (10, 2)] for epoch in epochs)
    return [np.concatenate(epoch) for epoch in epochs]


def test_real_batches_are_a_new_order_of_distinct_rows_every_epoch():
    x = np.arange(2 * 23, dtype=np.float32).reshape(23, 2)  # row i is (2i, 2i + 1)
    batches = clipedu.wgan._real_batches(x, 10, 5, True, keras.random.SeedGenerator(0))
    first, second = _epochs(batches, 2)
    for epoch in (first, second):
        rows = epoch[:, 0] / 2
        assert len(set(rows)) == 20 and set(rows) <= set(range(23))
        np.testing.assert_array_equal(epoch[:, 1], epoch[:, 0] + 1)  # whole rows, not mixed columns
    assert not np.array_equal(first, second)
    again = clipedu.wgan._real_batches(x, 10, 5, True, keras.random.SeedGenerator(0))
    np.testing.assert_array_equal(_epochs(again, 1)[0], first)  # the same seed gives the same order
    in_order = clipedu.wgan._real_batches(x, 10, 5, False, keras.random.SeedGenerator(0))
    np.testing.assert_array_equal(_epochs(in_order, 1)[0], x[:20])


def _fit_orders(rows, batch_size, shuffle, seed, epochs, steps_per_epoch):
    """The row indices of every batch of ``epochs`` epochs as fit iterates its tf.data pipeline: a random
    dataset re-randomized per iterator, mapped to a shuffle; with steps_per_epoch one repeated iterator,
    without it a new iterator per epoch and the next epoch's made ahead of time (Keras' epoch iterator)."""
    import tensorflow as tf

    data_seed = int(keras.random.randint((), 0, 2**31 - 1, seed=keras.random.SeedGenerator(seed)))
    steps = rows // batch_size

    def order(epoch_seed):
        indices = tf.range(rows)
        if shuffle:
            indices = tf.random.experimental.stateless_shuffle(indices, seed=tf.stack([epoch_seed, 0]))
        return tf.reshape(indices[:steps * batch_size], (steps, batch_size))

    options = tf.data.Options()
    options.autotune.enabled = False
    options.experimental_optimization.apply_default_optimizations = False
    orders = tf.data.Dataset.random(seed=data_seed, rerandomize_each_iteration=True).take(1).map(order)
    orders = orders.with_options(options)
    if steps_per_epoch is not None:
        passes = iter(orders.repeat())
        needed = -(-epochs * steps_per_epoch // steps)
        return np.concatenate([next(passes).numpy() for _ in range(needed)])[:epochs * steps_per_epoch]
    batches = []
    for _ in range(epochs):
        batches.append(next(iter(orders)).numpy())
        iter(orders)  # the next epoch's iterator, made at this one's end
    return np.concatenate(batches)


@pytest.mark.parametrize("steps_per_epoch", [None, 3, 7])
def test_run_orders_are_the_batches_of_fits_data_pipeline(steps_per_epoch):
    x = np.zeros((23, 2), "float32")  # 4 batches of 5 a pass; 3 rows left out
    for seed in (0, 7, 12345):
        for shuffle in (True, False):
            expected = _fit_orders(23, 5, shuffle, seed, 4, steps_per_epoch)
            orders = clipedu.wgan._RunOrder(x, 5, 5, shuffle, keras.random.SeedGenerator(seed), steps_per_epoch)
            assert orders.steps_per_epoch == (steps_per_epoch or 4)
            got = np.concatenate([orders.next(k) for k in [3, 1, 2] * 10])[:len(expected)]  # calls of k batches
            np.testing.assert_array_equal(got, expected)
            passes = expected[:12].reshape(3, 20)  # the first three passes over x
            if shuffle:
                assert len({tuple(p) for p in passes}) == 3 and all(len(set(p)) == 20 for p in passes)
            else:
                assert (passes == np.arange(20)).all()


def test_fit_rejects_batches_that_cannot_be_split_into_n_critic_updates():
    wgan = WGAN(*_nets(), latent_dim=3, n_critic=4)
    wgan.compile()
    real = datasets.eight_gaussians(64, seed=0)
    for kwargs, error, match in [({"batch_size": 30}, ValueError, "batch_size must be a multiple of n_critic=4"),
                                 ({"batch_size": 128}, ValueError, "64 samples, fewer than batch_size=128"),
                                 ({"batch_size": 0}, ValueError, "batch_size"),
                                 ({"batch_size": 8.0}, TypeError, "batch_size"),
                                 ({"y": real}, ValueError, "real samples x only")]:
        with pytest.raises(error, match=match):
            wgan.fit(real, verbose=0, **kwargs)
    with pytest.raises(ValueError, match=r"one sample per row.*\(64,\)"):
        wgan.fit(real[:, 0], batch_size=8, verbose=0)


def test_default_optimizers_are_the_papers():
    clipping = WGAN(*_nets(), latent_dim=3)
    clipping.compile()
    penalty = WGAN(*_nets(), latent_dim=3, method=GradientPenalty(10))
    penalty.compile()
    assert clipping.method == WeightClipping(0.01) and penalty.method == GradientPenalty(10.0)
    assert isinstance(clipping.critic_optimizer, keras.optimizers.RMSprop)
    assert float(clipping.critic_optimizer.learning_rate) == pytest.approx(5e-5)
    assert isinstance(penalty.generator_optimizer, keras.optimizers.Adam)
    assert float(penalty.generator_optimizer.learning_rate) == pytest.approx(1e-4)
    assert penalty.generator_optimizer.beta_1 == 0.0 and penalty.generator_optimizer.beta_2 == 0.9


def test_gradient_penalty_mode_leaves_weights_unclipped_and_reports_the_penalty():
    keras.utils.set_random_seed(2)
    critic, generator = _nets(init=keras.initializers.RandomNormal(stddev=1.0))
    wgan = WGAN(critic, generator, latent_dim=3, n_critic=2, method=GradientPenalty(10.0), seed=2)
    wgan.compile()
    history = wgan.fit(datasets.eight_gaussians(64, seed=2), batch_size=16, epochs=2, verbose=0)
    assert np.max(np.abs(critic_weights(critic))) > 0.5
    assert set(history.history) == {"critic_loss", "generator_loss", "wasserstein", "gradient_penalty"}
    assert all(p > 0 for p in history.history["gradient_penalty"])


def test_unconstrained_critic_is_allowed():
    critic, generator = _nets(init=keras.initializers.RandomNormal(stddev=1.0))
    wgan = WGAN(critic, generator, latent_dim=3, n_critic=1, method=None)
    wgan.compile()
    wgan.fit(datasets.eight_gaussians(16, seed=0), batch_size=8, verbose=0)
    assert np.max(np.abs(critic_weights(critic))) > 0.5


def test_penalty_of_a_linear_critic_is_its_gradient_norm_minus_one_squared():
    # D(x) = 3 x0 + 4 x1: the gradient is (3, 4) everywhere, so the penalty is (5 - 1)² = 16.
    critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    critic.layers[0].kernel.assign(np.array([[3.0], [4.0]], np.float32))
    generator = mlp(3, 2, depth=1, width=4)
    frozen = keras.optimizers.SGD(learning_rate=1e-12)
    results = wgan_step(critic, generator, datasets.eight_gaussians(8, seed=0), frozen, keras.optimizers.SGD(),
                        n_critic=2, method=GradientPenalty(10.0), seed=keras.random.SeedGenerator(0))
    assert float(results["gradient_penalty"]) == pytest.approx(16.0, rel=1e-5)
    assert float(results["critic_loss"]) == pytest.approx(-float(results["wasserstein"]) + 160.0, rel=1e-5)


def test_penalty_at_interpolates_matches_a_hand_computation():
    # D(x) = (w·x + b)², so ∇D(x) = 2 (w·x + b) w and ‖∇D‖ = 2 |w·x + b| ‖w‖.
    from clipedu.wgan import _gradient_penalty

    w, b = np.array([0.5, -1.5]), 0.25
    critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation=keras.ops.square)])
    critic.layers[0].kernel.assign(w[:, None].astype(np.float32))
    critic.layers[0].bias.assign(np.float32([b]))
    real = datasets.eight_gaussians(6, seed=3).astype(np.float64)
    fake = datasets.swiss_roll(6, seed=3).astype(np.float64)
    penalty = float(_gradient_penalty(critic, real.astype(np.float32), fake.astype(np.float32),
                                      keras.random.SeedGenerator(7)))
    epsilon = keras.ops.convert_to_numpy(keras.random.uniform((6, 1), seed=keras.random.SeedGenerator(7)))
    x_hat = epsilon * real + (1 - epsilon) * fake
    norms = 2 * np.abs(x_hat @ w + b) * np.linalg.norm(w)
    assert penalty == pytest.approx(np.mean((norms - 1) ** 2), rel=1e-4)
    assert 0 < epsilon.min() and epsilon.max() < 1


def test_save_and_load_in_a_fresh_process(tmp_path):
    keras.utils.set_random_seed(3)
    wgan = WGAN(*_nets(), latent_dim=3, n_critic=2, method=WeightClipping(0.02), seed=3)
    wgan.compile(critic_optimizer=keras.optimizers.RMSprop(1e-3))
    wgan.fit(datasets.eight_gaussians(32, seed=3), batch_size=16, verbose=0)
    noise = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    expected = keras.ops.convert_to_numpy(wgan.generator(noise))
    path = tmp_path / "wgan.keras"
    wgan.save(path)
    np.save(tmp_path / "noise.npy", noise)
    script = textwrap.dedent(f"""
        import clipedu.wgan, keras, numpy as np  # importing the module registers WGAN
        wgan = keras.saving.load_model({str(path)!r})
        out = keras.ops.convert_to_numpy(wgan.generator(np.load({str(tmp_path / 'noise.npy')!r})))
        np.save({str(tmp_path / 'out.npy')!r}, out)
        print(type(wgan).__name__, wgan.n_critic, wgan.method.c, wgan.latent_dim,
              type(wgan.critic_optimizer).__name__, round(float(wgan.critic_optimizer.learning_rate), 6))
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["WGAN", "2", "0.02", "3", "RMSprop", "0.001"]
    np.testing.assert_allclose(np.load(tmp_path / "out.npy"), expected, rtol=1e-6)


def test_nan_loss_stops_training_and_keeps_the_history():
    keras.utils.set_random_seed(4)
    # An unconstrained critic with an absurd learning rate overflows float32 within a few steps.
    wgan = WGAN(*_nets(), latent_dim=3, n_critic=1, method=None)
    wgan.compile(critic_optimizer=keras.optimizers.SGD(learning_rate=1e30))
    counter = _AfterEveryBatch()
    with pytest.warns(RuntimeWarning, match="training stopped at batch"):
        history = wgan.fit(datasets.eight_gaussians(40, seed=4), batch_size=8, epochs=3, verbose=0,
                           callbacks=[counter])
    assert len(counter.largest) < 5, "stopped within the first epoch of five batches"
    assert list(history.history) and len(history.history["critic_loss"]) == 1


@pytest.mark.parametrize("kwargs, error, match", [
    ({"n_critic": 0}, ValueError, "n_critic"),
    ({"n_critic": 2.5}, TypeError, "n_critic"),
    ({"method": "clip"}, TypeError, r"method must be WeightClipping\(c\), GradientPenalty\(weight\) or None"),
    ({"method": WeightClipping}, TypeError, "method must be"),
    ({"latent_dim": 0}, ValueError, "latent_dim"),
    ({"latent_dim": 5}, ValueError, "latent_dim=5"),
])
def test_invalid_arguments_name_the_argument(kwargs, error, match):
    arguments = {"latent_dim": 3} | kwargs
    with pytest.raises(error, match=match):
        WGAN(*_nets(), **arguments)


def test_invalid_models_optimizers_and_batches():
    critic, generator = _nets()
    with pytest.raises(TypeError, match="critic"):
        WGAN("critic", generator, 3)
    wgan = WGAN(critic, generator, 3)
    with pytest.raises(TypeError, match="critic_optimizer"):
        wgan.compile(critic_optimizer="rmsprop")
    with pytest.raises(ValueError, match="n_critic · m"):
        wgan_step(critic, generator, np.zeros((7, 2), np.float32), keras.optimizers.SGD(), keras.optimizers.SGD(),
                  n_critic=2)


def test_recorders_follow_training():
    keras.utils.set_random_seed(5)
    critic, generator = _nets(init=keras.initializers.RandomUniform(-0.01, 0.01))
    wgan = WGAN(critic, generator, 3, n_critic=2, method=WeightClipping(0.01), seed=5)
    wgan.compile(critic_optimizer=keras.optimizers.RMSprop(1e-3))
    real = datasets.eight_gaussians(32, seed=5)
    weights, grads = WeightHistory(every=5), ActivationGradientHistory(real, every=5)
    samples = SampleHistory(n=7, every=5, seed=1)
    wgan.fit(datasets.eight_gaussians(16 * 10, seed=6), batch_size=16, verbose=0, callbacks=[weights, grads, samples])
    assert weights.iterations == grads.iterations == samples.iterations == [0, 5, 10]
    noise = np.random.default_rng(1).standard_normal((7, 3)).astype(np.float32)
    np.testing.assert_allclose(samples.samples[-1], keras.ops.convert_to_numpy(generator(noise)), rtol=1e-6)
    assert not np.allclose(samples.samples[0], samples.samples[-1])
    np.testing.assert_array_equal(weights.snapshots[-1], critic_weights(critic))
    at_bound = weights.fraction_at_bound(0.01)
    assert at_bound[0] < at_bound[-1]
    assert len(grads.norms) == 3 and grads.norms[0].shape == (3,)
    with pytest.raises(ValueError, match="every"):
        WeightHistory(every=0)


@pytest.mark.parametrize("steps_per_execution", [2, 3])
def test_recorders_count_iterations_when_fit_runs_several_per_call(steps_per_execution):
    # 10 iterations an epoch: with 3 per call, each epoch's last call runs only one.
    real = datasets.eight_gaussians(16 * 10, seed=6)
    runs = {}
    for per_call in (1, steps_per_execution):
        keras.utils.set_random_seed(5)
        critic, generator = _nets(init=keras.initializers.RandomUniform(-0.01, 0.01))
        wgan = WGAN(critic, generator, 3, n_critic=2, method=WeightClipping(0.01), seed=5)
        wgan.compile(critic_optimizer=keras.optimizers.RMSprop(1e-3), steps_per_execution=per_call)
        samples, bar = SampleHistory(n=7, every=6, seed=1), progress_bar(30)
        wgan.fit(real, batch_size=16, epochs=3, shuffle=False, verbose=0, callbacks=[samples, bar])
        runs[per_call] = samples
        assert bar.bar.n == 30
    assert runs[1].iterations == [0, 6, 12, 18, 24, 30]
    if steps_per_execution == 2:  # 6 is a multiple of 2: the records fall where they do one at a time
        assert runs[2].iterations == runs[1].iterations
        for a, b in zip(runs[1].samples, runs[2].samples):
            np.testing.assert_array_equal(a, b)
    else:  # calls end at 3, 6, 9, 10, 13, 16, 19, 20, 23, ...: a record at the call completing each 6
        assert runs[3].iterations == [0, 6, 13, 19, 26, 30]


def test_critic_surface_evaluates_the_critic_on_a_grid():
    linear = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    linear.layers[0].kernel.assign([[1.0], [10.0]])
    axis, values = critic_surface(linear, limits=(-1.0, 1.0), n=3)
    np.testing.assert_allclose(axis, [-1.0, 0.0, 1.0])
    # Rows follow y, columns follow x: D = x + 10 y.
    np.testing.assert_allclose(values, [[-11, -10, -9], [-1, 0, 1], [9, 10, 11]], atol=1e-6)
    with pytest.raises(ValueError, match="limits"):
        critic_surface(linear, limits=(1.0, -1.0))


def test_activation_gradient_norms_of_a_linear_chain():
    # D(x) = 2 · (3 x): the loss gradient w.r.t. the last output is ±1/n per sample.
    chain = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, use_bias=False),
                              keras.layers.Dense(1, use_bias=False)])
    chain.layers[0].kernel.assign([[3.0]])
    chain.layers[1].kernel.assign([[2.0]])
    real, fake = np.ones((4, 1), np.float32), np.zeros((4, 1), np.float32)
    norms = activation_gradient_norms(chain, real, fake)
    last = np.sqrt(8 * (1 / 4) ** 2)  # 8 samples, each ∂loss/∂D = ±1/4
    np.testing.assert_allclose(norms, [2 * last, last], rtol=1e-6)


def test_mlp_rejects_a_negative_depth_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="depth"):
            mlp(2, 1, depth=-1)


@pytest.mark.parametrize("bad, error, match", [
    (np.array([["a", "b"]] * 40), TypeError, r"x must hold numbers, got an array of dtype <U1"),
    (np.zeros((40, 2, 1), np.float32), ValueError, r"each of shape \(2,\) .*got an array of shape \(40, 2, 1\)"),
    (np.zeros((40, 3), np.float32), ValueError, r"each of shape \(2,\) .*got an array of shape \(40, 3\)"),
    (np.zeros(40, np.float32), ValueError, r"got an array of shape \(40,\)"),
    (np.where(np.arange(80).reshape(40, 2) == 27, np.nan, 0.5).astype(np.float32), ValueError,
     r"x must be finite: row 13 is \[0.5, nan\] \(1 of 40 rows are not finite\)"),
])
def test_fit_rejects_bad_data_before_any_weight_changes(bad, error, match):
    wgan = WGAN(*_nets(), latent_dim=3, n_critic=2)
    wgan.compile()
    before = [keras.ops.convert_to_numpy(v) for v in wgan.critic.weights + wgan.generator.weights]
    for x in (bad, keras.ops.convert_to_tensor(bad)) if bad.dtype.kind != "U" else (bad,):
        with pytest.raises(error, match=match):
            wgan.fit(x, batch_size=8, verbose=0)
    after = [keras.ops.convert_to_numpy(v) for v in wgan.critic.weights + wgan.generator.weights]
    assert all(np.array_equal(a, b) for a, b in zip(before, after))
    assert wgan.critic_optimizer.iterations.numpy() == 0


def test_fit_checks_a_datasets_element_shape_and_type():
    import tensorflow as tf

    wgan = WGAN(*_nets(), latent_dim=3, n_critic=2)
    wgan.compile()
    with pytest.raises(ValueError, match=r"samples of shape \(2,\) .*got batches of shape \(None, 3\)"):
        wgan.fit(tf.data.Dataset.from_tensor_slices(np.zeros((16, 3), np.float32)).batch(8), verbose=0)
    with pytest.raises(TypeError, match="x must yield batches of numbers"):
        wgan.fit(tf.data.Dataset.from_tensor_slices(np.array(["a"] * 16)).batch(8), verbose=0)


def _build(method):
    def build(seed):
        critic = mlp(2, 1, depth=2, width=16, seed=seed)
        if method == "spectral":
            critic = clipedu.spectral_normalize(critic, seed=seed)
        loss = {"clip": WeightClipping(0.05), "penalty": GradientPenalty(10.0), "spectral": None}[method]
        wgan = WGAN(critic, mlp(2, 2, depth=2, width=16, seed=seed + 100), 2, n_critic=2, seed=seed, method=loss)
        wgan.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3))
        return wgan
    return build


@pytest.mark.parametrize("method", ["clip", "penalty", "spectral"])
def test_fit_seeds_gives_what_a_fresh_model_per_seed_gives(method):
    real = datasets.eight_gaussians(128 * 6, seed=0)
    build = _build(method)
    reused, objects = {}, set()
    for seed, wgan, (samples,) in clipedu.fit_seeds(build, real, [3, 4, 5], batch_size=128, epochs=2, verbose=0,
                                                    callbacks=lambda: [SampleHistory(n=8, every=3)]):
        reused[seed] = (wgan.critic.get_weights() + wgan.generator.get_weights(), samples.iterations,
                        samples.samples[-1])
        objects.add(id(wgan))
    # MLP runs train as one batched model and come out as the WGANs build returned; spectral
    # normalization trains run after run in one model, traced once
    assert len(objects) == (1 if method == "spectral" else 3)
    for seed in (3, 4, 5) if method != "spectral" else (4, 5):  # 3 is the first and is trained as built
        fresh = build(seed)
        samples = SampleHistory(n=8, every=3)
        fresh.fit(real, batch_size=128, epochs=2, verbose=0, callbacks=[samples])
        weights, iterations, last = reused[seed]
        assert iterations == samples.iterations == [0, 3, 6, 9, 12]
        # The batched runs multiply with a batched matmul, whose rounding differs from Dense's: where a
        # ReLU unit sits at its kink, a gradient of rounding size becomes, through Adam's m / (√v + ε),
        # a step of up to the learning rate (1e-3). The runs trained one by one share Dense's kernels.
        atol = 1e-7 if method == "spectral" else 1e-4
        for a, b in zip(weights, fresh.critic.get_weights() + fresh.generator.get_weights()):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=atol)
        np.testing.assert_allclose(last, samples.samples[-1], rtol=1e-5, atol=10 * atol)
    assert not np.allclose(reused[4][2], reused[5][2])  # the seeds do give different runs


def test_fit_seeds_rejects_bad_arguments():
    real = datasets.eight_gaussians(256, seed=0)
    with pytest.raises(TypeError, match="build must be a function of the seed"):
        clipedu.fit_seeds("no", real, [0])
    with pytest.raises(ValueError, match="seed must be None or a non-negative integer, got -1"):
        clipedu.fit_seeds(_build("clip"), real, [-1])
    with pytest.raises(TypeError, match="callbacks must be a function"):
        clipedu.fit_seeds(_build("clip"), real, [0], callbacks=[SampleHistory()])
    with pytest.raises(TypeError, match=r"build\(0\) must return a compiled WGAN"):
        next(clipedu.fit_seeds(lambda seed: mlp(2, 1), real, [0]))


def _build_setting(setting, seed):
    method, value, *activation = setting
    critic = mlp(2, 1, depth=2, width=16, seed=seed, activation=activation[0] if activation else "relu")
    loss = {"clip": WeightClipping, "penalty": GradientPenalty}[method](value)
    wgan = WGAN(critic, mlp(2, 2, depth=2, width=16, seed=seed + 100), 2, n_critic=2, seed=seed, method=loss)
    wgan.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3))
    return wgan


def test_fit_seeds_trains_settings_that_differ_in_c_or_lambda_in_one_model():
    real = datasets.eight_gaussians(128 * 6, seed=0)
    settings = [("clip", 0.02), ("penalty", 10.0), ("clip", 0.2), ("penalty", 1.0), ("clip", 0.2, "tanh")]
    trained = {}
    for (setting, seed), wgan, _ in clipedu.fit_seeds(_build_setting, real, [0, 1], settings=settings,
                                                      batch_size=128, epochs=2, verbose=0):
        trained[setting, seed] = wgan.critic.get_weights() + wgan.generator.get_weights()
        assert wgan.method == {"clip": WeightClipping, "penalty": GradientPenalty}[setting[0]](setting[1])
    for setting in settings[2:]:  # trained beside an earlier setting, with its own c or λ
        fresh = _build_setting(setting, 1)
        fresh.fit(real, batch_size=128, epochs=2, verbose=0)
        for a, b in zip(trained[setting, 1], fresh.critic.get_weights() + fresh.generator.get_weights()):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-4)  # Adam(1e-3): see the test above
    assert max(np.abs(w).max() for w in trained[("clip", 0.2), 1][:6]) > 0.02  # c = 0.2 was used, not 0.02


def test_method_changes_between_fits_to_another_value_of_its_kind_only():
    real = datasets.eight_gaussians(128 * 2, seed=0)
    wgan = _build_setting(("clip", 0.3), 0)
    wgan.fit(real, batch_size=128, verbose=0)
    wgan.method = WeightClipping(0.01)
    wgan.fit(real, batch_size=128, verbose=0)  # the step traced with c = 0.3 clips to the new c
    assert max(np.abs(w).max() for w in wgan.critic.get_weights()) == pytest.approx(0.01)
    assert wgan.get_config()["method"] == {"class": "WeightClipping", "c": 0.01}
    with pytest.raises(ValueError, match=r"method can change to another WeightClipping, not from "
                                         r"WeightClipping\(c=0.01\) to None"):
        wgan.method = None
    with pytest.raises(ValueError, match="c must be a positive finite number, got -1"):
        wgan.method = WeightClipping(-1)
    with pytest.raises(ValueError, match="not from WeightClipping"):
        wgan.method = GradientPenalty(10)
    penalty = _build_setting(("penalty", 10.0), 0)
    penalty.method = GradientPenalty(1)
    assert penalty.method.weight == 1.0 and float(keras.ops.convert_to_numpy(penalty._penalty)) == 1.0


def test_methods_check_their_values():
    with pytest.raises(ValueError, match="weight must be a non-negative finite number, got -1.0"):
        GradientPenalty(-1.0)
    with pytest.raises(TypeError, match="weight must be a non-negative finite number, got '10'"):
        GradientPenalty("10")
    with pytest.raises(TypeError, match="c must be a positive finite number"):
        WeightClipping(None)


def test_the_nan_check_covers_weights_that_the_losses_do_not_show():
    wgan = WGAN(*_nets(), latent_dim=3, n_critic=1, method=None)
    wgan.compile()
    assert wgan.is_finite({"critic_loss": 0.5})
    assert not wgan.is_finite({"critic_loss": float("nan")})
    bias = wgan.generator.layers[0].bias
    bias.assign(np.full(bias.shape, -np.inf, np.float32))
    assert not wgan.is_finite({"critic_loss": 0.5})
    # The first layer's ReLU turns its -inf bias into zeros on every CPU (max(-inf, 0) = 0, where a NaN's fate depends
    # on the CPU's max), so the losses stay finite; fit still stops at once.
    with pytest.warns(RuntimeWarning, match=r"training stopped at batch 0: a weight not finite"):
        history = wgan.fit(datasets.eight_gaussians(40, seed=4), batch_size=8, epochs=3, verbose=0)
    assert len(history.history["critic_loss"]) == 1
