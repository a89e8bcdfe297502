"""Several WGAN runs trained as one batched model (clipedu.batched, and fit_seeds through it)."""

import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

import clipedu
from clipedu import WGAN, GradientPenalty, WeightClipping, datasets, lipschitz, mlp
from clipedu.batched import BatchedWGAN
from clipedu.measures import activation_gradient_norms, critic_surface, critic_weights
from clipedu.notebook.progress import progress_bar
from clipedu.recording import SampleHistory, WeightHistory

N_CRITIC, M, ITERATIONS = 2, 16, 50
X = datasets.eight_gaussians(N_CRITIC * M * 10, seed=0)


def _wgan(seed, method, learning_rate=1e-3):
    critic = mlp(2, 1, depth=2, width=16, seed=seed)
    generator = mlp(2, 2, depth=2, width=16, seed=seed + 100)
    wgan = WGAN(critic, generator, 2, n_critic=N_CRITIC, method=method, seed=seed)
    if isinstance(method, GradientPenalty):  # the penalty's paper: Adam with β1 = 0, β2 = 0.9
        optimizers = [keras.optimizers.Adam(learning_rate, beta_1=0.0, beta_2=0.9) for _ in range(2)]
    else:  # Algorithm 1's RMSprop
        optimizers = [keras.optimizers.RMSprop(learning_rate) for _ in range(2)]
    wgan.compile(*optimizers)
    return wgan


def _engine(wgans):
    method = wgans[0].method
    return BatchedWGAN([w.critic for w in wgans], [w.generator for w in wgans], [w.critic_optimizer for w in wgans],
                       [w.generator_optimizer for w in wgans], n_critic=N_CRITIC, batch_size=N_CRITIC * M,
                       clip=[w.method.c for w in wgans] if isinstance(method, WeightClipping) else None,
                       penalty=[w.method.weight for w in wgans] if isinstance(method, GradientPenalty) else None,
                       seeds=[w.seed_generator.state.numpy() for w in wgans])


def _orders(runs, seed=0):
    return np.random.default_rng(seed).integers(0, len(X), (runs, ITERATIONS, N_CRITIC * M)).astype("int32")


METHODS = {"clipping": [WeightClipping(c) for c in (0.01, 0.05, 0.2)],
           "penalty": [GradientPenalty(weight) for weight in (10.0, 1.0, 0.1)],
           "none": [None, None, None]}


@pytest.mark.parametrize("kind", METHODS)
def test_each_batched_run_equals_its_separate_twin_after_50_iterations(kind):
    # Three runs with their own seeds (initial weights, noise), c or λ, learning rate and batches.
    methods, rates = METHODS[kind], (1e-3, 5e-4, 2e-3)
    orders = _orders(3)
    engine = _engine([_wgan(seed, method, rate) for seed, method, rate in zip((3, 4, 5), methods, rates)])
    losses = engine.train(tf.constant(X), tf.constant(orders))
    for run, (seed, method, rate) in enumerate(zip((3, 4, 5), methods, rates)):
        twin = _wgan(seed, method, rate)  # the same initial weights and noise seed, trained alone by WGAN
        start = twin.critic.get_weights()
        step = tf.function(twin.generator_iteration)
        for i in range(ITERATIONS):
            results = step(tf.constant(X[orders[run, i]]))
        weights = engine.critic.weights(run) + engine.generator.weights(run)
        for a, b in zip(weights, twin.critic.get_weights() + twin.generator.get_weights()):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
        assert max(np.max(np.abs(a - b)) for a, b in zip(weights, start)) > 1e-3  # it did train
        assert losses["generator_loss"][run, -1] == pytest.approx(float(results["generator_loss"]), rel=1e-4, abs=1e-6)
        if kind == "clipping":
            assert max(np.max(np.abs(w)) for w in weights[:6]) <= method.c + 1e-9


@pytest.mark.parametrize("kind", ["clipping", "penalty"])
def test_changing_one_runs_bound_and_data_leaves_the_others_bit_identical(kind):
    methods = METHODS[kind]
    changed = [methods[0], WeightClipping(0.5) if kind == "clipping" else GradientPenalty(100.0), methods[2]]
    results = []
    for run_methods, data_seed in [(methods, 0), (changed, 1)]:
        orders = _orders(3)
        orders[1] = _orders(3, seed=data_seed)[1]  # run 1 also gets other batches
        engine = _engine([_wgan(seed, method) for seed, method in zip((3, 4, 5), run_methods)])
        engine.train(tf.constant(X), tf.constant(orders))
        results.append([engine.critic.weights(run) + engine.generator.weights(run) for run in range(3)])
    for run in (0, 2):
        assert all(np.array_equal(a, b) for a, b in zip(results[0][run], results[1][run]))
    assert not all(np.array_equal(a, b) for a, b in zip(results[0][1], results[1][1]))


def test_a_run_that_diverges_is_stopped_alone():
    rates = [1e-3, 1e30, 1e-3]  # run 1's RMSprop steps overflow float32 within a few iterations
    wgans = [_wgan(seed, None, rate) for seed, rate in zip((3, 4, 5), rates)]
    healthy = [_wgan(seed, None, 1e-3) for seed in (3, 4, 5)]
    orders = _orders(3)
    engines = [_engine(wgans), _engine(healthy)]
    losses = [engine.train(tf.constant(X), tf.constant(orders)) for engine in engines]
    stopped = engines[0].stopped_at.numpy()
    assert stopped[0] == stopped[2] == -1 and 0 <= stopped[1] < 10
    assert np.all(np.isnan(losses[0]["critic_loss"][1, stopped[1] + 1:]))  # nothing reported after the stop
    for run in (0, 2):  # the others trained on as if run 1 had been healthy
        for a, b in zip(engines[0].critic.weights(run), engines[1].critic.weights(run)):
            np.testing.assert_array_equal(a, b)
        assert np.all(np.isfinite(losses[0]["critic_loss"][run]))
    frozen = engines[0].critic.weights(1)
    engines[0].train(tf.constant(X), tf.constant(orders[:, :5]))  # its updates stay masked
    assert all(np.array_equal(a, b, equal_nan=True) for a, b in zip(frozen, engines[0].critic.weights(1)))


@pytest.mark.parametrize("kind", ["none", "penalty"])  # RMSprop, and Adam
def test_a_stopped_run_keeps_its_weights_and_slots_and_the_others_train_as_if_it_trained(kind):
    # The update takes one path while every run trains and another (masking) once one is stopped. (Not with
    # clipping: the clip still puts a run stopped before its first update inside [-c, c].)
    orders = _orders(3)
    engines = [_engine([_wgan(seed, method) for seed, method in zip((3, 4, 5), METHODS[kind])]) for _ in range(2)]
    engines[0].stop(1)

    def state(engine):
        return [engine.critic.params.numpy(), engine.generator.params.numpy()] + [
            slot.numpy() for optimizer in (engine.critic_optimizer, engine.generator_optimizer)
            for slot in optimizer.slots.values()]

    before = state(engines[0])
    for engine in engines:
        engine.train(tf.constant(X), tf.constant(orders))
    stopped, every_run = state(engines[0]), state(engines[1])
    for start, masked, unmasked in zip(before, stopped, every_run):
        np.testing.assert_array_equal(masked[1], start[1])  # run 1: weights and slots as they were
        assert not np.array_equal(unmasked[1], start[1])  # ... which training would have changed
        np.testing.assert_array_equal(masked[[0, 2]], unmasked[[0, 2]])  # runs 0 and 2: the same numbers


def test_fit_seeds_reports_a_diverging_run_by_seed_and_iteration_and_trains_the_others():
    def build(seed):
        return _wgan(seed, None, 1e30 if seed == 4 else 1e-3)

    with pytest.warns(RuntimeWarning, match=r"run 4 stopped at generator iteration \d+ of its fit"):
        runs = {seed: (wgan, wgan.history.history) for seed, wgan, _ in
                clipedu.fit_seeds(build, X, [3, 4, 5], batch_size=N_CRITIC * M, epochs=3, verbose=0)}
    assert len(runs[3][1]["critic_loss"]) == len(runs[5][1]["critic_loss"]) == 3
    assert len(runs[4][1]["critic_loss"]) == 1 and not np.isfinite(runs[4][1]["critic_loss"][0])
    assert runs[3][0].is_finite() and runs[5][0].is_finite() and not runs[4][0].is_finite()


def test_fit_seeds_yields_ordinary_keras_models_with_their_histories_and_callbacks():
    bar = progress_bar(2 * 3 * 10, "iterations")

    def build(c, seed):
        wgan = _wgan(seed, WeightClipping(c))
        wgan.compile(keras.optimizers.RMSprop(1e-3), keras.optimizers.RMSprop(1e-3), steps_per_execution=3)
        return wgan

    yielded = list(clipedu.fit_seeds(build, X, [0, 1, 2], settings=[0.01, 0.1], batch_size=N_CRITIC * M,
                                     epochs=1, steps_per_epoch=10, verbose=0,
                                     callbacks=lambda: [WeightHistory(every=5), SampleHistory(n=4, every=5), bar]))
    assert [run for run, _, _ in yielded] == [(c, seed) for c in (0.01, 0.1) for seed in (0, 1, 2)]
    assert bar.bar.n == 60  # one progress bar shared by six runs counts every iteration once
    assert len({id(wgan) for _, wgan, _ in yielded}) == 6
    probe = datasets.eight_gaussians(32, seed=9)
    for (c, _), wgan, (weights, samples, _) in yielded:
        assert type(wgan.critic) is keras.Sequential and wgan.critic.count_params() == 337
        assert weights.iterations == samples.iterations == [0, 6, 10]  # calls of 3 end at 3, 6, 9, 10
        np.testing.assert_array_equal(weights.snapshots[-1], critic_weights(wgan.critic))
        assert np.max(np.abs(weights.snapshots[-1])) <= c + 1e-9
        assert set(wgan.history.history) == {"critic_loss", "generator_loss", "wasserstein"}
        assert int(wgan.generator_optimizer.iterations) == 10 and int(wgan.critic_optimizer.iterations) == 20
        fake = wgan.generator(probe)
        assert critic_surface(wgan.critic, (-2, 2), 5)[1].shape == (5, 5)
        assert activation_gradient_norms(wgan.critic, probe, fake).shape == (3,)
        assert lipschitz.gradient_norms(wgan.critic, probe).shape == (32,)


def test_fit_seeds_gives_each_run_the_batches_and_noise_fit_gives_it():
    # RMSprop (Algorithm 1's optimizer) keeps rounding differences at their size: the batched runs
    # match fresh fits closely, over several epochs and with steps_per_epoch running on across them.
    def build(seed):
        return _wgan(seed, WeightClipping(0.05))

    for kwargs in ({"epochs": 3}, {"epochs": 2, "steps_per_epoch": 7}):
        batched = {seed: wgan.critic.get_weights() + wgan.generator.get_weights() for seed, wgan, _ in
                   clipedu.fit_seeds(build, X, [3, 4], batch_size=N_CRITIC * M, verbose=0, **kwargs)}
        for seed in (3, 4):
            fresh = build(seed)
            fresh.fit(X, batch_size=N_CRITIC * M, verbose=0, **kwargs)
            for a, b in zip(batched[seed], fresh.critic.get_weights() + fresh.generator.get_weights()):
                np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def test_fit_seeds_falls_back_to_run_after_run_for_what_cannot_be_stacked():
    def build(seed):
        wgan = _wgan(seed, None)
        wgan.compile(keras.optimizers.SGD(1e-2), keras.optimizers.SGD(1e-2))
        return wgan

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        ids = {id(wgan) for _, wgan, _ in clipedu.fit_seeds(build, X, [0, 1], batch_size=N_CRITIC * M, verbose=0)}
    assert len(ids) == 1  # SGD is not stacked: one model trained run after run


@pytest.mark.parametrize("change, error, match", [
    ({"critics": []}, ValueError, "at least one"),
    ({"generators": "one"}, ValueError, r"generators must hold one entry per run \(2 critics\), got 3"),
    ({"clip": [0.01]}, ValueError, r"clip must hold one entry per run \(2 critics\), got 1"),
    ({"clip": [0.01, -1.0]}, ValueError, r"clip must hold positive numbers \(inf: no bound\), got -1.0"),
    ({"clip": [0.01, float("nan")]}, ValueError, r"clip must hold positive numbers \(inf: no bound\), got nan"),
    ({"penalty": [1.0, 1.0]}, ValueError, "clip and penalty exclude each other"),
    ({"n_critic": 0}, ValueError, "n_critic must be a positive integer, got 0"),
    ({"batch_size": 33}, ValueError, r"batch_size must be a multiple of n_critic=2 \(n_critic · m\), got 33"),
    ({"critics": "conv"}, TypeError, "critics must be alike Sequential stacks of Dense layers: .* other than Dense"),
    ({"critics": "wide"}, TypeError, "weights are not shaped as"),
    ({"critic_optimizers": "sgd"}, TypeError, "critic_optimizers must be alike .*SGD is neither"),
    ({"critic_optimizers": "momentum"}, TypeError, "RMSprop has momentum=0.5"),
])
def test_invalid_arguments_name_the_argument_and_the_value(change, error, match):
    wgans = [_wgan(seed, WeightClipping(0.01)) for seed in (0, 1)]
    arguments = {"critics": [w.critic for w in wgans], "generators": [w.generator for w in wgans],
                 "critic_optimizers": [w.critic_optimizer for w in wgans],
                 "generator_optimizers": [w.generator_optimizer for w in wgans], "n_critic": N_CRITIC,
                 "batch_size": N_CRITIC * M, "clip": [0.01, 0.01], "seeds": [[0, 0], [1, 0]]}
    replacements = {"one": lambda: [wgans[0].generator] * 3,
                    "conv": lambda: [keras.Sequential([keras.Input((2,)), keras.layers.Dense(4),
                                                       keras.layers.Dropout(0.1), keras.layers.Dense(1)])] * 2,
                    "wide": lambda: [wgans[0].critic, mlp(2, 1, depth=2, width=32)],
                    "sgd": lambda: [keras.optimizers.SGD()] * 2,
                    "momentum": lambda: [keras.optimizers.RMSprop(momentum=0.5)] * 2}
    for key, value in change.items():
        arguments[key] = replacements[value]() if isinstance(value, str) else value
    with pytest.raises(error, match=match):
        BatchedWGAN(**arguments)


DECAYS = {"Adam": [{"beta_1": 0.5, "beta_2": 0.9}, {"beta_1": 0.0, "beta_2": 0.99}, {"beta_1": 0.9, "beta_2": 0.999}],
          "RMSprop": [{"rho": 0.9}, {"rho": 0.5}, {"rho": 0.99}]}


def _decayed_wgan(seed, method, optimizer, decay):
    wgan = WGAN(mlp(2, 1, depth=2, width=16, seed=seed), mlp(2, 2, depth=2, width=16, seed=seed + 100), 2,
                n_critic=N_CRITIC, method=method, seed=seed)
    wgan.compile(*(getattr(keras.optimizers, optimizer)(1e-3, **decay) for _ in range(2)))
    return wgan


@pytest.mark.parametrize("optimizer", DECAYS)
def test_an_unconstrained_run_and_runs_with_their_own_decay_rates_train_beside_clipped_ones_as_alone(optimizer):
    # Three runs, each with its own β₁ and β₂ (Adam) or ρ (RMSprop); the middle one unconstrained, c = inf.
    methods, bounds = [WeightClipping(0.05), None, WeightClipping(0.2)], [0.05, float("inf"), 0.2]
    wgans = [_decayed_wgan(seed, method, optimizer, decay)
             for seed, method, decay in zip((3, 4, 5), methods, DECAYS[optimizer])]
    engine = BatchedWGAN([w.critic for w in wgans], [w.generator for w in wgans], [w.critic_optimizer for w in wgans],
                         [w.generator_optimizer for w in wgans], n_critic=N_CRITIC, batch_size=N_CRITIC * M,
                         clip=bounds, seeds=[w.seed_generator.state.numpy() for w in wgans])
    orders = _orders(3)
    engine.train(tf.constant(X), tf.constant(orders))
    for run, (seed, method, decay) in enumerate(zip((3, 4, 5), methods, DECAYS[optimizer])):
        twin = _decayed_wgan(seed, method, optimizer, decay)  # trained alone by WGAN, its own optimizer's settings
        step = tf.function(twin.generator_iteration)
        for i in range(ITERATIONS):
            step(tf.constant(X[orders[run, i]]))
        weights = engine.critic.weights(run) + engine.generator.weights(run)
        for a, b in zip(weights, twin.critic.get_weights() + twin.generator.get_weights()):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
        largest = max(np.max(np.abs(w)) for w in weights[:6])
        assert largest > 0.2 if method is None else largest <= bounds[run] + 1e-9  # c = inf clipped nothing


def test_fit_seeds_trains_unconstrained_clipped_and_other_beta_runs_in_one_batch_and_with_adam_changes_no_number():
    # With Adam, bit for bit. (With RMSprop a run's last few weights may round otherwise in another batch: TensorFlow
    # turns its division by a root into a multiplication by rsqrt, whose vector and scalar paths round differently, and
    # the last elements of a batch's weights take the scalar path. The test above holds RMSprop to float rounding.)
    settings = [(WeightClipping(0.05), DECAYS["Adam"][0]), (None, DECAYS["Adam"][0]),
                (WeightClipping(0.05), DECAYS["Adam"][1])]

    def train(settings):
        return {(repr(method), repr(decay), seed): [wgan.history.history, wgan.critic.get_weights(),
                                                    wgan.generator.get_weights()]
                for ((method, decay), seed), wgan, _ in clipedu.fit_seeds(
                    lambda setting, seed: _decayed_wgan(seed, setting[0], "Adam", setting[1]), X, [3, 4],
                    settings=settings, batch_size=N_CRITIC * M, epochs=2, verbose=0)}

    clipedu.wgan._ENGINES.clear()
    together = train(settings)
    assert sorted(engine.runs for engine in clipedu.wgan._ENGINES.values()) == [3, 3]  # six runs, one batch, two shares
    for setting in settings:  # each setting in a batch of its own: the same numbers, bit for bit
        for run, alone in train([setting]).items():
            assert together[run][0] == alone[0]
            for a, b in zip(together[run][1] + together[run][2], alone[1] + alone[2]):
                np.testing.assert_array_equal(a, b)


def test_a_callback_that_stops_its_run_stops_that_run_alone():
    class StopAtEpoch(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.model.stop_training = True

    stops = iter([[], [StopAtEpoch()], []])
    runs = {seed: wgan for seed, wgan, _ in clipedu.fit_seeds(
        lambda seed: _wgan(seed, WeightClipping(0.05)), X, [3, 4, 5], batch_size=N_CRITIC * M, epochs=4, verbose=0,
        callbacks=lambda: next(stops))}
    assert [len(runs[seed].history.history["critic_loss"]) for seed in (3, 4, 5)] == [4, 2, 4]
    assert [int(runs[seed].generator_optimizer.iterations) for seed in (3, 4, 5)] == [40, 20, 40]


# The notebooks' clipping regimes, on small networks (2 × 16), each batched run against the same WGAN trained alone
# by WGAN.fit: notebook 04's c = 0.001 critic started inside ±c, its RMSprop at ε = 1e-20 (an ε too small to shorten
# the steps: a weight moves by more than c / 2) and at Keras' ε = 1e-7 (the steps shortened: every weight moves less
# than a tenth of c); notebook 06's section 2, a bias-free critic at c = 0.01 with ε = 1e-30 in both RMSprops; and
# its matched row, clipping at c = 0.01 with Adam(1e-4, β1 = 0.5, β2 = 0.9) for both players.
# Tolerances: the critic's weights within a ten-thousandth of c of fit's, the generator's within float rounding; at
# ε = 1e-30 in both RMSprops, the critic's within a tenth of c and the generator's within ten steps of the learning
# rate: there WGAN.fit's own weights differ from one run of it to the next (up to 3.5 % of c in 28 fits, seven
# processes of four, and 6.7 % once in the whole file under xdist) with TensorFlow's two inter-op threads, not with
# one. A last-bit difference flips a step of the learning rate's size. The batched run's own move is then checked
# to be in the regime too.
STRICT, LOOSE = (1e-4, 1e-6), (0.1, 10 * 5e-5)
REGIMES = {  # c, the critic's optimizer, the generator's, biases or not, the range of the largest move over c,
    # the tolerances (the critic's in units of c, the generator's)
    "04, c = 0.001, RMSprop eps = 1e-20": (0.001, lambda: keras.optimizers.RMSprop(5e-5, epsilon=1e-20),
                                           lambda: keras.optimizers.RMSprop(5e-5), True, (0.5, np.inf), STRICT),
    "04, c = 0.001, RMSprop eps = 1e-7": (0.001, lambda: keras.optimizers.RMSprop(5e-5),
                                          lambda: keras.optimizers.RMSprop(5e-5), True, (0, 0.1), STRICT),
    "06, bias-free, c = 0.01, RMSprop eps = 1e-30": (0.01, lambda: keras.optimizers.RMSprop(5e-5, epsilon=1e-30),
                                                     lambda: keras.optimizers.RMSprop(5e-5, epsilon=1e-30), False,
                                                     (0.1, np.inf), LOOSE),
    "06, c = 0.01, Adam beta1 = 0.5": (0.01, lambda: keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9),
                                       lambda: keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9), True,
                                       (0.5, np.inf), STRICT),
}


@pytest.mark.parametrize("regime", REGIMES)
def test_fit_seeds_equals_fit_in_the_notebooks_clipping_regimes(regime):
    c, critic_optimizer, generator_optimizer, use_bias, (low, high), (critic_in_c, generator_atol) = REGIMES[regime]
    # fit's batch order is drawn by tf.data, whose op seeds combine with the global seed: fixed here, so that the
    # runs do not depend on the tests before. Under some orders, at ε = 1e-20 a gradient element near 0 takes the
    # other sign in the batched run (a last-bit difference) and the weight moves by 2 · lr the other way.
    keras.utils.set_random_seed(0)

    def build(seed):
        critic = mlp(2, 1, depth=2, width=16, initializer=keras.initializers.RandomUniform(-c, c), use_bias=use_bias,
                     seed=seed)
        wgan = WGAN(critic, mlp(2, 2, depth=2, width=16, seed=seed + 100), 2, n_critic=N_CRITIC,
                    method=WeightClipping(c), seed=seed)
        wgan.compile(critic_optimizer(), generator_optimizer())
        return wgan

    yielded = list(clipedu.fit_seeds(build, X, [3, 4], batch_size=N_CRITIC * M, epochs=5, verbose=0))
    assert len({id(wgan) for _, wgan, _ in yielded}) == 2  # stacked: each yielded WGAN is the one build returned
    batched = {seed: (wgan.critic.get_weights(), wgan.generator.get_weights()) for seed, wgan, _ in yielded}
    for seed in (3, 4):
        fresh = build(seed)
        start = fresh.critic.get_weights()
        fresh.fit(X, batch_size=N_CRITIC * M, epochs=5, verbose=0)  # 50 generator iterations, WGAN's own step
        critic, generator = batched[seed]
        for a, b in zip(critic, fresh.critic.get_weights()):
            np.testing.assert_allclose(a, b, rtol=0, atol=critic_in_c * c)
        for a, b in zip(generator, fresh.generator.get_weights()):
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=generator_atol)
        for weights in (fresh.critic.get_weights(), critic):  # the regime named: steps of about lr, or shortened
            moved = max(np.max(np.abs(a - b)) for a, b in zip(weights, start)) / c
            assert low < moved < high


@pytest.mark.parametrize("method", [WeightClipping(0.05), GradientPenalty(1.0)])  # RMSprop, and Adam
def test_a_later_fit_seeds_of_the_same_kind_reuses_the_traced_step_and_computes_what_a_new_one_computes(method):
    class StopAtEpoch(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.stop_training = True

    def train(stop=False):
        stops = iter([[], [StopAtEpoch()] if stop else []])  # a stopped run leaves its flags and counters behind
        return {seed: [wgan.history.history, wgan.critic.get_weights(), wgan.generator.get_weights(),
                       [v.numpy() for v in wgan.critic_optimizer.variables + wgan.generator_optimizer.variables],
                       wgan.seed_generator.state.numpy()]
                for seed, wgan, _ in clipedu.fit_seeds(lambda seed: _wgan(seed, method), X, [3, 4],
                                                       batch_size=N_CRITIC * M, epochs=3, verbose=0,
                                                       callbacks=lambda: next(stops))}

    clipedu.wgan._ENGINES.clear()
    fresh = train()  # a new BatchedWGAN
    train(stop=True)  # the same kind: one engine a share, one trace each, its state left as the stopped run left it
    engines = list(clipedu.wgan._ENGINES.values())
    assert len(engines) == 2  # the two runs: a share each
    again = train()
    assert list(clipedu.wgan._ENGINES.values()) == engines
    assert all(engine._train.experimental_get_tracing_count() == 1 for engine in engines)
    for seed in (3, 4):
        assert again[seed][0] == fresh[seed][0] and len(fresh[seed][0]["critic_loss"]) == 3  # histories, exactly
        for a, b in zip(again[seed][1:], fresh[seed][1:]):  # weights, optimizer variables, noise seed: bit for bit
            for u, v in zip(*(x if isinstance(x, list) else [x] for x in (a, b))):
                np.testing.assert_array_equal(u, v)


@pytest.mark.parametrize("kind", ["clipping", "penalty"])
def test_fit_seeds_computes_the_same_numbers_however_many_cpus_train_the_shares(kind, monkeypatch):
    def train(cpus):
        monkeypatch.setattr(clipedu.batched, "cores", lambda: cpus)
        clipedu.wgan._ENGINES.clear()
        trained = {(repr(method), seed): [wgan.history.history, wgan.critic.get_weights(), wgan.generator.get_weights(),
                                          [v.numpy() for v in wgan.critic_optimizer.variables]]
                   for (method, seed), wgan, _ in clipedu.fit_seeds(lambda method, seed: _wgan(seed, method), X,
                                                                    [3, 4], settings=METHODS[kind],
                                                                    batch_size=N_CRITIC * M, epochs=3, verbose=0)}
        return trained, sorted(engine.runs for engine in clipedu.wgan._ENGINES.values())

    one, shares = train(1)  # the two shares one after the other
    assert shares == [3, 3]  # six runs, two shares, on any machine
    for cpus in (2, 4):  # the two shares at the same time
        other, shares = train(cpus)
        assert shares == [3, 3]
        for run in one:
            assert other[run][0] == one[run][0]  # histories, exactly
            for a, b in zip(other[run][1:], one[run][1:]):  # weights and the critic's optimizer state: bit for bit
                for u, v in zip(a, b):
                    np.testing.assert_array_equal(u, v)


def test_concurrent_wgans_checks_its_engines():
    with pytest.raises(TypeError, match=r"engines must be a non-empty list of BatchedWGANs, got \[\]"):
        clipedu.batched.ConcurrentWGANs([])
    with pytest.raises(TypeError, match="engines must be a non-empty list of BatchedWGANs, got \\['engine'\\]"):
        clipedu.batched.ConcurrentWGANs(["engine"])
    clipping, penalty = (_engine([_wgan(seed, METHODS[kind][0]) for seed in (0, 1)])
                         for kind in ("clipping", "penalty"))
    with pytest.raises(ValueError, match="engines must all train with clipping, all with the penalty"):
        clipedu.batched.ConcurrentWGANs([clipping, penalty])


def test_restart_takes_runs_alike_the_engines_only():
    wgans = [_wgan(seed, WeightClipping(0.01)) for seed in (0, 1)]
    runs = {"critics": [w.critic for w in wgans], "generators": [w.generator for w in wgans],
            "critic_optimizers": [w.critic_optimizer for w in wgans],
            "generator_optimizers": [w.generator_optimizer for w in wgans], "clip": [0.01, 0.01],
            "seeds": [[0, 0], [1, 0]]}
    engine = BatchedWGAN(**runs, n_critic=N_CRITIC, batch_size=N_CRITIC * M)
    for change, match in [({"clip": [0.01, 0.02]}, r"clip must be this BatchedWGAN's \[0.01"),
                          ({"clip": None, "penalty": [1.0, 1.0]}, "clip must be"),
                          ({name: value[:1] for name, value in runs.items()}, "critics must hold 2 networks"),
                          ({"critics": [mlp(2, 1, depth=3, width=16)] * 2}, "networks must be alike"),
                          ({"critic_optimizers": [keras.optimizers.RMSprop(2e-3)] * 2}, "the same learning rates"),
                          ({"critic_optimizers": [keras.optimizers.RMSprop(1e-3, rho=0.5)] * 2}, "ε and rho")]:
        if "critic_optimizers" in change:
            change["critic_optimizers"][0].build(wgans[0].critic.trainable_variables)
        with pytest.raises(ValueError, match=match):
            engine.restart(**{**runs, **change})


def test_a_stack_applies_each_runs_network_the_same_both_ways_and_the_penalty_runs_run_by_run():
    networks = [mlp(2, 1, depth=2, width=16, seed=seed) for seed in range(3)]
    x = tf.constant(np.random.default_rng(0).standard_normal((3, 7, 2)).astype("float32"))
    together, by_run = clipedu.batched.StackedMLP(networks), clipedu.batched.StackedMLP(networks, per_run=True)
    out = together(x, together.views()).numpy()
    np.testing.assert_array_equal(out, by_run(x, by_run.views()).numpy())  # element by element: the same numbers
    for run, network in enumerate(networks):
        np.testing.assert_allclose(out[run], keras.ops.convert_to_numpy(network(x[run])), rtol=1e-6, atol=1e-7)
    with pytest.raises(TypeError, match="per_run must"):
        clipedu.batched.StackedMLP(networks, per_run=1)
    for kind, per_run in [("penalty", True), ("clipping", False), ("none", False)]:
        engine = _engine([_wgan(seed, method) for seed, method in zip((3, 4, 5), METHODS[kind])])
        assert engine.critic.per_run is per_run and engine.generator.per_run is per_run
