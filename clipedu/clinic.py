"""The WGAN clinic: a short WGAN training loop whose critic update you pass in, and the instruments
read after every critic update.

``train`` runs Algorithm 1 of Arjovsky et al. (2017) on eight Gaussians, with the critic update
given as a function: ``clip_update`` (weight clipping), ``unclipped_update`` (the same without its
clip, a control) and ``penalty_update`` (the gradient penalty
of Gulrajani et al. 2017) are the correct ones, and a notebook plants a published bug in a copy of
one. After every critic update it records what the course's instruments read: the largest critic
weight in size and the share of weights on ±c, whether every weight is finite, the Wasserstein
estimate, the largest element of the critic loss's gradient, the penalty's value as the loop computed
it, the points the loop evaluated the critic at (its interpolates), each interpolate's weight α and
its distance from the segment between its pair, and the critic's gradient norm at interpolates drawn
correctly.

``check_loop`` grades a critic update by what it does, never by its text: it runs it for a few
seeded updates next to the correct update and measures the weights, the interpolates and the
gradient it applies; of a clipped loop's optimizer it also reads the settings no probe can show.

References:
    Arjovsky, Chintala & Bottou (2017), Wasserstein GAN, Algorithm 1.
    Gulrajani, Ahmed, Arjovsky, Dumoulin & Courville (2017), Improved Training of Wasserstein GANs,
    Algorithm 1.
"""

import dataclasses
import functools
import math

import keras
import numpy as np

from clipedu import checks, datasets, measures, networks
from clipedu.constraints import scale_into

C = 0.01  # the clip value, Arjovsky et al.'s
PENALTY_WEIGHT = 10.0  # λ, Gulrajani et al.'s
BATCH = 64  # m, both papers'
N_CRITIC = 5  # critic updates per generator update, both papers'
STEPS_PER_EPOCH = 10  # critic updates per pass over the data, for loops that do something once per epoch
LATENT_DIM = 2
WIDTH = 32  # critic and generator: 2 hidden ReLU layers of 32 units, small enough to train in seconds
METHODS = ("clip", "penalty")


def clip_optimizer():
    """The clipped loops' optimizer: RMSprop, as Algorithm 1, with a learning rate of 5e-4 (the paper's
    5e-5 is too slow to move weights onto ±c in a few dozen updates)."""
    return keras.optimizers.RMSprop(learning_rate=5e-4)


def penalty_optimizer():
    """The penalty loops' optimizer: Adam(1e-3, β1 = 0.5, β2 = 0.9); the paper's images used 1e-4 and
    β1 = 0, its toy code β1 = 0.5; 1e-3 lets a short run move the critic's slopes."""
    return keras.optimizers.Adam(learning_rate=1e-3, beta_1=0.5, beta_2=0.9)


def default_optimizer(method):
    """A fresh optimizer for the critic of a ``method`` loop: ``clip_optimizer()`` or ``penalty_optimizer()``."""
    return clip_optimizer() if _method(method) == "clip" else penalty_optimizer()


def clip_update(critic, optimizer, real, fake, step, seed):
    """One critic update of Algorithm 1: a step on E[D(fake)] - E[D(real)], then every critic weight
    clipped into [-c, c], after every update."""
    import tensorflow as tf

    with tf.GradientTape() as tape:
        loss = keras.ops.mean(critic(fake)) - keras.ops.mean(critic(real))
    variables = critic.trainable_variables
    optimizer.apply(tape.gradient(loss, variables), variables)
    for variable in variables:
        variable.assign(keras.ops.clip(variable, -C, C))
    return {"loss": loss}


def unclipped_update(critic, optimizer, real, fake, step, seed):
    """Algorithm 1's critic update without its clip: the control for a clipped loop, a step on
    E[D(fake)] - E[D(real)] and no clipping of any kind."""
    import tensorflow as tf

    with tf.GradientTape() as tape:
        loss = keras.ops.mean(critic(fake)) - keras.ops.mean(critic(real))
    variables = critic.trainable_variables
    optimizer.apply(tape.gradient(loss, variables), variables)
    return {"loss": loss}


def penalty_update(critic, optimizer, real, fake, step, seed):
    """One critic update of WGAN-GP: E[D(fake)] - E[D(real)] + λ E[(‖∇D(x̂)‖ - 1)²], with one
    α ~ U[0, 1] per example and x̂ = α real + (1 - α) fake, the norm taken per example."""
    import tensorflow as tf

    alpha = keras.random.uniform((real.shape[0], 1), 0.0, 1.0, seed=seed)
    interpolates = alpha * real + (1 - alpha) * fake
    with tf.GradientTape() as tape:
        with tf.GradientTape() as inner:
            inner.watch(interpolates)
            scores = critic(interpolates)
        grads = inner.gradient(scores, interpolates)
        norms = keras.ops.sqrt(keras.ops.sum(keras.ops.square(grads), axis=1) + 1e-12)  # no NaN gradient at 0
        penalty = keras.ops.mean(keras.ops.square(norms - 1.0))
        loss = keras.ops.mean(critic(fake)) - keras.ops.mean(critic(real)) + PENALTY_WEIGHT * penalty
    variables = critic.trainable_variables
    optimizer.apply(tape.gradient(loss, variables), variables)
    return {"loss": loss, "penalty": penalty}


class _Recorder:
    """A critic that records every batch it is called on, then calls the real critic."""

    def __init__(self, model):
        self.model, self.inputs = model, []

    def __call__(self, x, training=False):
        self.inputs.append(x)
        return self.model(x, training=training)

    def __getattr__(self, name):
        return getattr(self.model, name)


def _call_update(update, critic, optimizer, real, fake, step, draws):
    """One call of ``update`` on ``critic``, recorded: returns (its result, a dict, {} for None; the batches the
    critic was called on)."""
    recorder = _Recorder(critic)
    return update(recorder, optimizer, real, fake, step, draws) or {}, recorder.inputs


def _traced(function, *specs):
    """``function`` compiled as the clinic runs every critic update: a ``tf.function`` traced once, for
    arguments of ``specs`` (``tf.TensorSpec``). Its Python code runs once, when it is traced: a value it
    computes with numpy or Python, such as an α drawn by ``np.random``, is a constant of every call."""
    import tensorflow as tf

    return tf.function(function).get_concrete_function(*specs)


def compiled_update(update, critic, optimizer, draws, batch_size=BATCH):
    """``update`` compiled as ``train`` runs it (``_traced``), on ``critic`` with ``optimizer`` (built here
    if it is not) and the random draws ``draws`` (a ``keras.random.SeedGenerator``). Returns a function of
    (real, fake, step), numpy batches of ``batch_size`` × 2 and an int, that makes one update and returns the
    batches the critic was called on, as numpy arrays."""
    import tensorflow as tf

    if not optimizer.built:
        optimizer.build(critic.trainable_variables)
    matrix = tf.TensorSpec((batch_size, 2), "float32")
    compiled = _traced(lambda real, fake, step: _call_update(update, critic, optimizer, real, fake, step, draws)[1],
                       matrix, matrix, tf.TensorSpec((), "int32"))

    def run(real, fake, step):
        inputs = compiled(tf.constant(real, "float32"), tf.constant(fake, "float32"), tf.constant(step, "int32"))
        return [keras.ops.convert_to_numpy(x) for x in inputs]

    return run


def _method(method):
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    return method


def _weights(model):
    return measures.critic_weights(model)


def segment_position(points, real, fake):
    """Where each of ``points`` lies relative to the segment between the real and the fake sample of
    its row: returns (α, distance), α the position of its projection on the line (α = 1 at the real
    sample, 0 at the fake one) and distance its distance from that line."""
    points, real, fake = (np.asarray(a, dtype=np.float64) for a in (points, real, fake))
    direction = real - fake
    length2 = np.maximum(np.sum(direction ** 2, axis=1), 1e-30)
    alpha = np.sum((points - fake) * direction, axis=1) / length2
    distance = np.linalg.norm(points - fake - alpha[:, None] * direction, axis=1)
    return alpha, distance


def _beyond_segment(alpha):
    """Positions on the lines through each pair beyond its segment, made from ``alpha`` in [0, 1] (shape
    (m, 1)): 1 + α (beyond the real sample) for the first half of the rows, -α (beyond the generated
    one) for the rest."""
    half = alpha.shape[0] // 2
    return keras.ops.concatenate([1 + alpha[:half], -alpha[half:]])


def _interpolates(recorded, real, fake):
    """The rows the loop evaluated its critic at that are neither its real nor its fake samples, split in
    blocks of len(real): a list of arrays."""
    n = len(real)
    blocks = [block for batch in recorded for block in np.split(batch, range(n, len(batch), n))]
    return [b for b in blocks if len(b) == n and not (np.allclose(b, real) or np.allclose(b, fake))]


@dataclasses.dataclass
class Run:
    """One run's instruments, one entry per critic update (numpy arrays), and the run's settings.

    ``max_weight``, ``at_bound`` (share of critic weights on ±c), ``finite`` and ``wasserstein`` (the
    estimate E[D(real)] - E[D(fake)] before the update) are read after every critic update;
    ``largest_gradient`` is the largest element, in size, of the gradient of the critic loss
    E[D(fake)] - E[D(real)] with respect to the critic's weights, at the update's real and fake samples,
    before the update: the gradient a clipped loop's optimizer receives (a penalty loop's adds its
    penalty's); ``penalty`` is the value the loop returned (NaN if none); ``alphas`` and ``distances`` hold, for
    each update, α and the distance from its segment (over the segment's length) of every interpolate
    the loop used (empty arrays for loops without any); ``slopes`` holds ‖∇D(x̂)‖ after each update at interpolates drawn
    correctly (α ~ U[0, 1] per example) from the same real and fake samples, and ``slopes_beyond`` at
    points on the same lines beyond the segments (``_beyond_segment``: α' = 1 + α for the first half of the
    batch, -α for the second, within one segment length of an end); ``points`` holds the last update's
    real, fake and interpolates.
    """

    method: str
    seed: int
    max_weight: np.ndarray
    at_bound: np.ndarray
    finite: np.ndarray
    wasserstein: np.ndarray
    largest_gradient: np.ndarray
    penalty: np.ndarray
    alphas: list
    distances: list
    slopes: list
    slopes_beyond: list
    points: dict
    optimizer: object

    def first_nan(self):
        """The index of the first critic update after which a weight was not finite, or None."""
        bad = np.flatnonzero(~self.finite)
        return int(bad[0]) if len(bad) else None


def build(method, seed, zero_output=False):
    """The critic and generator of a clinic run: 2 × 32 ReLU MLPs, seeded by ``seed``.

    A clipped loop's critic starts with its kernels scaled into [-c, c] (notebook 04's way around the
    Glorot start); ``zero_output`` starts the critic's output kernel at 0, so that its input gradient
    is exactly 0 everywhere before the first update.
    """
    critic = networks.mlp(2, 1, depth=2, width=WIDTH, seed=seed)
    if _method(method) == "clip":
        scale_into(critic, C)
    if zero_output:
        critic.layers[-1].kernel.assign(np.zeros(critic.layers[-1].kernel.shape, dtype="float32"))
    generator = networks.mlp(LATENT_DIM, 2, depth=2, width=WIDTH, seed=seed + 10_000)
    return critic, generator


def _snapshot(variables):
    return [keras.ops.convert_to_numpy(v) for v in variables]


@functools.lru_cache(maxsize=256)
def _start(method, seed, zero_output):
    """The weights ``build`` gives, as numpy arrays (critic's, generator's): building two Keras models
    per seed costs more than a clipped run's training, and every loop of a notebook starts from them."""
    critic, generator = build(method, seed, zero_output)
    return tuple(_snapshot(critic.weights)), tuple(_snapshot(generator.weights))


def _restore(variables, values):
    for variable, value in zip(variables, values):
        variable.assign(value)


def train(update, method, seeds=(0,), iterations=10, make_optimizer=None, batch_size=BATCH, zero_output=False):
    """Trains a WGAN on eight Gaussians from each seed of ``seeds``, ``iterations`` generator iterations of
    ``N_CRITIC`` critic updates each made by ``update``, and reads the instruments after every critic
    update. Returns one ``Run`` per seed.

    ``update(critic, optimizer, real, fake, step, seed)`` makes one critic update (as ``clip_update``
    and ``penalty_update`` do); ``step`` counts critic updates from 0 and ``seed`` is a
    ``keras.random.SeedGenerator`` for the update's own random draws. It runs compiled (``tf.function``,
    traced once for all seeds), so its Python code runs once, when it is traced. The generator update
    is always the correct one: a step on -E[D(G(z))]. Each seed sets the weights, the data, the noise
    and the update's random draws: a run is repeatable.

    Args:
        update: the critic update.
        method: "clip" or "penalty", which loop it is (sets the critic's start and the optimizers).
        seeds: non-negative integers.
        iterations: generator iterations.
        make_optimizer: a function returning the critic's optimizer (default ``default_optimizer``).
        batch_size: m, the samples per critic update.
        zero_output: start the critic's output kernel at 0 (see ``build``).
    """
    import tensorflow as tf

    method = _method(method)
    seeds = [checks.seed(s) for s in seeds]
    iterations, batch_size = checks.positive_int("iterations", iterations), checks.positive_int("batch_size",
                                                                                                 batch_size)
    critic, generator = build(method, seeds[0], zero_output)
    optimizer = (make_optimizer or (lambda: default_optimizer(method)))()
    generator_optimizer = default_optimizer(method)
    optimizer.build(critic.trainable_variables)
    generator_optimizer.build(generator.trainable_variables)
    optimizer_start = _snapshot(optimizer.variables)
    generator_optimizer_start = _snapshot(generator_optimizer.variables)
    draws = keras.random.SeedGenerator(seeds[0])  # the loop's own random draws

    def critic_step(real, noise, alpha, step):
        fake = generator(noise)
        with tf.GradientTape() as loss_tape:
            scores = critic(keras.ops.concatenate([real, fake]))
            wasserstein = keras.ops.mean(scores[:batch_size]) - keras.ops.mean(scores[batch_size:])
        loss_gradient = loss_tape.gradient(wasserstein, critic.trainable_variables)  # the loss's, up to its sign
        largest_gradient = keras.ops.max(keras.ops.concatenate([keras.ops.reshape(keras.ops.abs(g), (-1,))
                                                                for g in loss_gradient]))
        result, inputs = _call_update(update, critic, optimizer, real, fake, step, draws)
        penalty = keras.ops.cast(result.get("penalty", float("nan")), "float32")
        weights = keras.ops.concatenate([keras.ops.reshape(v, (-1,)) for v in critic.trainable_variables])
        interpolates = alpha * real + (1 - alpha) * fake  # drawn correctly, for the slopes
        beyond = _beyond_segment(alpha)
        outside = beyond * real + (1 - beyond) * fake  # on the same lines, beyond the segments
        with tf.GradientTape() as tape:
            tape.watch(interpolates)
            tape.watch(outside)
            values = critic(interpolates)
            values_outside = critic(outside)
        inside_grad, outside_grad = tape.gradient([values, values_outside], [interpolates, outside])
        slopes = keras.ops.sqrt(keras.ops.sum(keras.ops.square(inside_grad), axis=1))
        slopes_beyond = keras.ops.sqrt(keras.ops.sum(keras.ops.square(outside_grad), axis=1))
        return fake, wasserstein, largest_gradient, penalty, weights, slopes, slopes_beyond, inputs

    def generator_step(noise):
        with tf.GradientTape() as tape:
            loss = -keras.ops.mean(critic(generator(noise)))
        generator_optimizer.apply(tape.gradient(loss, generator.trainable_variables), generator.trainable_variables)

    # One concrete function each, traced once: calling it skips tf.function's per-call argument matching,
    # which costs more than these small steps themselves.
    noise_spec = tf.TensorSpec((batch_size, LATENT_DIM), "float32")
    compiled_critic_step = _traced(critic_step, tf.TensorSpec((batch_size, 2), "float32"), noise_spec,
                                   tf.TensorSpec((batch_size, 1), "float32"), tf.TensorSpec((), "int32"))
    compiled_generator_step = _traced(generator_step, noise_spec)
    runs = []
    for seed in seeds:
        critic_start, generator_start = _start(method, seed, zero_output)
        _restore(critic.weights, critic_start)
        _restore(generator.weights, generator_start)
        _restore(optimizer.variables, optimizer_start)
        _restore(generator_optimizer.variables, generator_optimizer_start)
        draws.state.assign(keras.random.SeedGenerator(seed).state.value)
        rng = np.random.default_rng(seed + 20_000)  # the harness's noise and its own interpolates
        data = datasets.eight_gaussians(iterations * N_CRITIC * batch_size, seed=seed)
        readings = {name: [] for name in ("max_weight", "at_bound", "finite", "wasserstein", "largest_gradient",
                                          "penalty", "alphas", "distances", "slopes", "slopes_beyond")}
        points, step = {}, 0
        for _ in range(iterations):
            for _ in range(N_CRITIC):
                real = data[step * batch_size:(step + 1) * batch_size]
                noise = rng.standard_normal((batch_size, LATENT_DIM)).astype("float32")
                alpha = rng.uniform(size=(batch_size, 1)).astype("float32")
                (fake, wasserstein, largest_gradient, penalty, weights, slopes, slopes_beyond,
                 inputs) = compiled_critic_step(tf.constant(real), tf.constant(noise), tf.constant(alpha),
                                                tf.constant(step))
                fake, weights = keras.ops.convert_to_numpy(fake), keras.ops.convert_to_numpy(weights)
                finite = bool(np.all(np.isfinite(weights)))
                readings["wasserstein"].append(float(wasserstein))
                readings["largest_gradient"].append(float(largest_gradient))
                readings["finite"].append(finite)
                readings["max_weight"].append(float(np.max(np.abs(weights))) if finite else np.nan)
                readings["at_bound"].append(measures.fraction_at_bound(weights, C))
                readings["penalty"].append(float(penalty))
                found = _interpolates([keras.ops.convert_to_numpy(x).astype(np.float64) for x in inputs], real, fake)
                positions = [segment_position(block, real, fake) for block in found]
                length = np.maximum(np.linalg.norm(real - fake, axis=1), 1e-12)
                positions = [(a, d / length) for a, d in positions]
                readings["alphas"].append(np.concatenate([a for a, _ in positions]) if positions else np.zeros(0))
                readings["distances"].append(np.concatenate([d for _, d in positions]) if positions else np.zeros(0))
                if method == "penalty":
                    for key, value in (("slopes", slopes), ("slopes_beyond", slopes_beyond)):
                        readings[key].append(keras.ops.convert_to_numpy(value) if finite
                                             else np.full(batch_size, np.nan))
                points = {"real": real, "fake": fake, "interpolates": found[0] if found else None}
                step += 1
            compiled_generator_step(tf.constant(rng.standard_normal((batch_size, LATENT_DIM)).astype("float32")))
        arrays = {name: np.array(readings[name]) for name in ("max_weight", "at_bound", "finite", "wasserstein",
                                                              "largest_gradient", "penalty")}
        runs.append(Run(method=method, seed=seed, alphas=readings["alphas"], distances=readings["distances"],
                        slopes=readings["slopes"], slopes_beyond=readings["slopes_beyond"],
                        points=points, optimizer=optimizer, **arrays))
    return runs


@dataclasses.dataclass(frozen=True)
class Verdict:
    """One behaviour check: its name, whether the loop passed it, and what was measured."""

    name: str
    passed: bool
    measured: str

    def __repr__(self):
        return f"{'pass' if self.passed else 'FAIL'}  {self.name}: {self.measured}"


CLIP_CHECKS = ("weights within ±c after every update", "the update is Algorithm 1's", "finite weights",
               "the loop's RMSprop(5e-4), no gradient clipping")
PENALTY_CHECKS = ("interpolates on their segments", "α ~ U[0, 1]", "one α per example",
                  "the gradient is WGAN-GP's", "finite at a zero input gradient")
# Gradients whose elements (up to 6) and norms (up to 7.2) lie above any clip value of the course, and change
# from step to step: an optimizer that clips them makes other steps than plain RMSprop; their elements of 0.01
# and 0.02 are small enough that RMSprop's ε shows in the step.
PROBE_GRADIENTS = ((5.0, -3.0, 0.5, 0.02), (0.02, 4.0, -0.3, 6.0), (-2.0, 0.01, 3.0, -0.5))
ALPHA_UPDATES = 32  # updates the α probe watches: 32 × m = 2048 draws of α
KS_CRITICAL = 2.23  # × 1/√n: a U[0, 1] sample exceeds it with probability 2 exp(-2 · 2.23²) ≈ 1e-4 (large n)
SMALL_BATCH = 32  # the penalty's gradient is checked at m = 32 as well: a penalty whose strength depends on m fails
ALPHA_EDGE = 0.01  # smallest α below it, largest above 1 - it: 2048 U[0, 1] draws miss with probability 2e-9


def uniform_ks_statistic(values):
    """The Kolmogorov–Smirnov statistic of ``values`` against U[0, 1]: the largest distance between
    their empirical distribution function and U[0, 1]'s, F(x) = x on [0, 1] (0 below, 1 above)."""
    x = np.sort(np.asarray(values, dtype=np.float64).ravel())
    if x.size == 0:
        raise ValueError("values must not be empty")
    n = x.size
    cdf = np.clip(x, 0.0, 1.0)
    return float(max(np.max(np.arange(1, n + 1) / n - cdf), np.max(cdf - np.arange(n) / n)))


def rmsprop_difference(make_optimizer):
    """How far the steps of an optimizer from ``make_optimizer()`` land from those of the clipped loops'
    own, ``clip_optimizer()`` (plain RMSprop at 5e-4, Keras' defaults), on ``PROBE_GRADIENTS``, applied
    in turn to one weight vector from 0: the largest difference after each step, in the loop's learning
    rates.

    A behaviour, not a setting: ``clipvalue``, ``clipnorm`` and ``global_clipnorm`` change these
    gradients (their elements and norms lie above 0.01 and 1), so they move the steps; so do another
    learning rate, ρ, ε, momentum, ``centered`` and another optimizer. A clip too large to bind on
    these gradients does not: ``unseen_settings`` reads it.
    """
    optimizer = make_optimizer()
    reference = clip_optimizer()
    rate = float(keras.ops.convert_to_numpy(reference.learning_rate))
    tried, expected = (keras.Variable(np.zeros(4, dtype="float32")) for _ in range(2))
    differences = []
    for gradient in PROBE_GRADIENTS:
        gradient = np.array(gradient, dtype="float32")
        optimizer.apply([keras.ops.convert_to_tensor(gradient)], [tried])
        reference.apply([keras.ops.convert_to_tensor(gradient)], [expected])
        gap = keras.ops.convert_to_numpy(tried) - keras.ops.convert_to_numpy(expected)
        differences.append(float(np.max(np.abs(gap))) / rate)
    return np.array(differences)


# Settings that change an optimizer's steps too little, or only on gradients too large, for a probe to show,
# with the value at which each does nothing (Keras' default).
UNSEEN_SETTINGS = {"clipvalue": None, "clipnorm": None, "global_clipnorm": None, "weight_decay": None}


def unseen_settings(optimizer):
    """The settings of ``optimizer`` in ``UNSEEN_SETTINGS`` that it sets to something else (a weight decay
    of 0 counts as none): a dict {name: value}, empty for plain RMSprop.

    A clip of any size is a clip, though one larger than every gradient never binds, so no probe of
    finite gradients sees them all; a weight decay moves a weight by its learning rate times the decay
    times the weight, far less than a step. These are read, not measured.
    """
    found = {}
    for name, default in UNSEEN_SETTINGS.items():
        value = getattr(optimizer, name, default)
        if value is not default and not (name == "weight_decay" and value == 0):
            found[name] = value
    return found


def _push_biases_out(critic, seed):
    """Sets every bias of ``critic`` to 2c to 3c in size, random signs: beyond ±c, where a clip must bring
    them back (a fresh critic's biases are 0, which a clip of the kernels alone never reveals)."""
    rng = np.random.default_rng(seed + 30_000)
    for layer in critic.layers:
        if getattr(layer, "bias", None) is not None:
            size = rng.uniform(2 * C, 3 * C, layer.bias.shape) * rng.choice([-1.0, 1.0], layer.bias.shape)
            layer.bias.assign(size.astype("float32"))


def _lockstep_clip(update, seed, make_optimizer, steps, biases_out):
    """Runs ``update`` and ``clip_update`` side by side from the same critic on the same batches,
    ``clip_update`` with the loop's own optimizer, ``clip_optimizer()``. The critic starts
    as a clipped loop's does (every weight inside [-c, c]), or with its biases pushed beyond ±c
    (``biases_out``). Returns the largest weight difference after each update, the largest weight in
    size after each, and whether they are finite. Both run compiled, as ``train`` runs them
    (``compiled_update``)."""
    critic, _ = build("clip", seed)
    reference, _ = build("clip", seed)
    if biases_out:
        _push_biases_out(critic, seed)
        _push_biases_out(reference, seed)
    rng, draws = np.random.default_rng(seed), keras.random.SeedGenerator(seed)
    tried = compiled_update(update, critic, (make_optimizer or clip_optimizer)(), draws)
    expected_update = compiled_update(clip_update, reference, clip_optimizer(), draws)
    differences, largest, finite = [], [], []
    for step in range(steps):
        real = datasets.eight_gaussians(BATCH, seed=seed * 1000 + step)
        fake = rng.standard_normal((BATCH, 2)).astype("float32")
        tried(real, fake, step)
        expected_update(real, fake, step)
        weights, expected = _weights(critic), _weights(reference)
        finite.append(bool(np.all(np.isfinite(weights))))
        differences.append(float(np.max(np.abs(weights - expected))) if finite[-1] else np.inf)
        largest.append(float(np.max(np.abs(weights))) if finite[-1] else np.inf)
    return np.array(differences), np.array(largest), np.array(finite)


def coordinate_alphas(points, real, fake):
    """Each point's α read coordinate by coordinate, (x̂_j - fake_j) / (real_j - fake_j), for the
    coordinates where the pair differs by at least a quarter of the segment's length (elsewhere the
    ratio says little): returns, per row, the spread (largest minus smallest) of those α, 0 for a row
    with only one such coordinate. One α per example, broadcast over the coordinates, gives 0."""
    points, real, fake = (np.asarray(a, dtype=np.float64) for a in (points, real, fake))
    direction = real - fake
    usable = np.abs(direction) >= 0.25 * np.linalg.norm(direction, axis=1, keepdims=True)
    alphas = (points - fake) / np.where(usable, direction, 1.0)
    high = np.where(usable, alphas, -np.inf).max(axis=1)
    low = np.where(usable, alphas, np.inf).min(axis=1)
    return np.where(np.sum(usable, axis=1) > 1, high - low, 0.0)


def _alpha_probe(update, seed, updates=ALPHA_UPDATES):
    """Runs ``update`` ``updates`` times on a critic that does not move (SGD at learning rate 0), each on
    fresh real and fake samples, and reads every interpolate it uses: returns (α of every interpolate,
    the spread of α across the coordinates of each, the spread of α within each batch), or None if the
    critic was never called at interpolates. ``update`` runs compiled, as ``train`` runs it: α drawn outside
    TensorFlow (numpy) is drawn once, at tracing, and every update reuses it."""
    critic, _ = build("penalty", seed)
    rng, draws = np.random.default_rng(seed + 40_000), keras.random.SeedGenerator(seed + 40_000)
    run = compiled_update(update, critic, keras.optimizers.SGD(learning_rate=0.0), draws)
    alphas, across, within = [], [], []
    for step in range(updates):
        real = datasets.eight_gaussians(BATCH, seed=seed * 1000 + 500 + step)
        fake = (0.5 * rng.standard_normal((BATCH, 2))).astype("float32")
        found = _interpolates([x.astype(np.float64) for x in run(real, fake, step)], real, fake)
        if not found:
            return None
        for block in found:
            alpha, _ = segment_position(block, real, fake)
            alphas.append(alpha)
            within.append(float(np.std(alpha)))
            across.append(coordinate_alphas(block, real, fake))
    return np.concatenate(alphas), np.concatenate(across), np.array(within)


def _critic_gradient(critic, real, fake, interpolates):
    """The gradient of WGAN-GP's critic loss at the given interpolates, as one flat numpy vector."""
    import tensorflow as tf

    interpolates = tf.convert_to_tensor(interpolates, dtype="float32")
    with tf.GradientTape() as tape:
        with tf.GradientTape() as inner:
            inner.watch(interpolates)
            scores = critic(interpolates)
        grads = inner.gradient(scores, interpolates)
        norms = keras.ops.sqrt(keras.ops.sum(keras.ops.square(grads), axis=1) + 1e-12)
        loss = (keras.ops.mean(critic(fake)) - keras.ops.mean(critic(real))
                + PENALTY_WEIGHT * keras.ops.mean(keras.ops.square(norms - 1.0)))
    return np.concatenate([np.ravel(keras.ops.convert_to_numpy(g))
                           for g in tape.gradient(loss, critic.trainable_variables)])


def _lockstep_penalty(update, seed, steps, batch_size=BATCH, learning_rate=1e-2):
    """Runs ``update`` compiled (``compiled_update``) with plain SGD on batches of ``batch_size``; before
    each update, computes WGAN-GP's gradient at the interpolates the update then uses. Returns (relative
    gradient errors, distances of the interpolates from their segments, per segment length; empty if the
    critic was never called at interpolates)."""
    critic, _ = build("penalty", seed)
    rng, draws = np.random.default_rng(seed), keras.random.SeedGenerator(seed)
    run = compiled_update(update, critic, keras.optimizers.SGD(learning_rate=learning_rate), draws, batch_size)
    errors, distances = [], []
    for step in range(steps):
        real = datasets.eight_gaussians(batch_size, seed=seed * 1000 + step)
        fake = (0.5 * rng.standard_normal((batch_size, 2))).astype("float32")
        before = _weights(critic)
        state = [keras.ops.convert_to_numpy(v) for v in critic.trainable_variables]
        inputs = run(real, fake, step)
        applied = (before - _weights(critic)) / learning_rate
        found = _interpolates([x.astype(np.float64) for x in inputs], real, fake)
        if not found:
            return np.array([np.inf]), np.zeros(0)
        for block in found:
            _, distance = segment_position(block, real, fake)
            distances.append(distance / np.maximum(np.linalg.norm(real - fake, axis=1), 1e-12))
        after = [keras.ops.convert_to_numpy(v) for v in critic.trainable_variables]
        for variable, value in zip(critic.trainable_variables, state):
            variable.assign(value)
        expected = _critic_gradient(critic, real, fake, found[0])
        for variable, value in zip(critic.trainable_variables, after):
            variable.assign(value)
        error = (np.linalg.norm(applied - expected) / (np.linalg.norm(expected) + 1e-6)
                 if np.all(np.isfinite(applied)) else np.inf)
        errors.append(float(error))
    return np.array(errors), np.concatenate(distances)


def check_loop(update, method, seed=0, make_optimizer=None, steps=5):
    """Grades a critic update by its behaviour: a list of ``Verdict`` (see ``CLIP_CHECKS`` and
    ``PENALTY_CHECKS``).

    A clipped loop's ``update`` runs ``steps`` updates side by side with ``clip_update`` on the same
    batches, with its own optimizer (``make_optimizer``, default ``clip_optimizer()``) and the
    reference's (``clip_optimizer()``, plain RMSprop at 5e-4), twice: from a critic whose biases are pushed
    beyond ±c, where every weight must lie within ±c after every update (every variable must be
    clipped); and from a clipped loop's start, every weight inside [-c, c], where the weights must
    match the reference's (to 1e-6) after every update and stay finite. A start inside the box is
    Algorithm 1's own state after any clip, so an update that also clips before its step is not told
    from it. The optimizer must make ``clip_optimizer()``'s steps on gradients larger than any clip
    value (``rmsprop_difference``, to 1e-3 learning rates), so another learning rate, ρ, ε, momentum or
    ``centered`` fails, and set none of ``UNSEEN_SETTINGS`` (``unseen_settings``): a clip too large
    to bind on the probe is read from the optimizer, not measured.

    A penalty loop's ``update`` runs ``steps`` updates with plain SGD while the critic calls are
    recorded, at m = ``BATCH`` and again at m = ``SMALL_BATCH``: its interpolates must lie on the segments
    between their real and fake samples, and the gradient it applies must equal WGAN-GP's at those
    interpolates (to 0.1 %) at both batch sizes (a penalty divided by a fixed 64 fails). Then ``ALPHA_UPDATES``
    more updates of a critic that does not move give 2048 draws of α: their Kolmogorov–Smirnov
    statistic against U[0, 1] must stay below ``KS_CRITICAL`` / √n, the smallest and largest α must lie
    within ``ALPHA_EDGE`` of 0 and 1 (a range cut short, such as U[0.02, 0.98], fails), and α must be one per example
    (the same for every coordinate of an example, to 1e-3, and spread within each batch). Last, one
    update of a critic whose input gradient is exactly 0 must leave every weight finite. Seeded: the
    same ``update`` gets the same verdicts.

    Every probe runs ``update`` compiled, traced once, as ``train`` runs it (``compiled_update``): a value
    drawn with numpy is drawn once and reused by every update, and code that runs only eagerly (``.numpy()``,
    ``get_weights``) raises, as it would in ``train``.
    """
    method, seed = _method(method), checks.seed(seed)
    steps = checks.positive_int("steps", steps)
    keras.utils.set_random_seed(seed)
    if method == "clip":
        _, largest, _ = _lockstep_clip(update, seed, make_optimizer, steps, biases_out=True)
        differences, _, finite = _lockstep_clip(update, seed, make_optimizer, steps, biases_out=False)
        make_optimizer = make_optimizer or clip_optimizer
        probe, settings = rmsprop_difference(make_optimizer), unseen_settings(make_optimizer())
        return [Verdict(CLIP_CHECKS[0], bool(np.all(largest <= C * (1 + 1e-6))),
                        f"largest |w| after each of {steps} updates {_few(largest)}, c = {C:g}, biases started "
                        f"beyond ±c"),
                Verdict(CLIP_CHECKS[1], bool(np.all(differences <= 1e-6)),
                        f"largest difference from Algorithm 1's weights (with the loop's RMSprop(5e-4)), "
                        f"from a start inside [-c, c], after each update {_few(differences)}"),
                Verdict(CLIP_CHECKS[2], bool(np.all(finite)), f"{int(np.sum(finite))} of {steps} updates finite"),
                Verdict(CLIP_CHECKS[3], bool(np.all(probe <= 1e-3) and not settings),
                        f"largest difference from RMSprop(5e-4)'s steps on gradients of elements up to 6, in "
                        f"learning rates, after each of {len(probe)} steps {_few(probe)}; settings beyond plain "
                        f"RMSprop's: " + (", ".join(f"{k}={v!r}" for k, v in settings.items()) or "none"))]
    errors, distances = _lockstep_penalty(update, seed, steps)
    errors_small, distances_small = _lockstep_penalty(update, seed, steps, batch_size=SMALL_BATCH)
    distances = np.concatenate([distances, distances_small])
    probe = _alpha_probe(update, seed)
    verdicts = [
        Verdict(PENALTY_CHECKS[0], bool(len(distances) and np.all(distances <= 1e-4)),
                f"largest distance from its segment, per segment length: {_few([np.max(distances)])}"
                if len(distances) else "the critic was never called at interpolates")]
    if probe is None:
        verdicts += [Verdict(name, False, "the critic was never called at interpolates")
                     for name in PENALTY_CHECKS[1:3]]
    else:
        alphas, across, within = probe
        statistic, limit = uniform_ks_statistic(alphas), KS_CRITICAL / math.sqrt(len(alphas))
        verdicts += [
            Verdict(PENALTY_CHECKS[1], bool(statistic <= limit and np.min(alphas) < ALPHA_EDGE
                                            and np.max(alphas) > 1 - ALPHA_EDGE),
                    f"Kolmogorov–Smirnov statistic against U[0, 1] over {len(alphas)} draws {statistic:.3f} "
                    f"(at most {limit:.3f}); α from {np.min(alphas):.2f} to {np.max(alphas):.2f}"),
            Verdict(PENALTY_CHECKS[2], bool(np.max(across) <= 1e-3 and np.min(within) > 0.1),
                    f"largest spread of α across an example's coordinates {np.max(across):.2g}, smallest spread "
                    f"of α within a batch (std) {np.min(within):.2f}")]
    verdicts.append(Verdict(PENALTY_CHECKS[3], bool(np.all(errors <= 1e-3) and np.all(errors_small <= 1e-3)),
                            f"relative difference from WGAN-GP's gradient at m = {BATCH} {_few(errors)}, "
                            f"at m = {SMALL_BATCH} {_few(errors_small)}"))
    (finite,) = finite_at_zero_gradient(update, [seed])
    verdicts.append(Verdict(PENALTY_CHECKS[4], finite, "every weight finite" if finite else "NaN weights"))
    return verdicts


def nonfinite_at_zero_gradient(update, seeds=(0,)):
    """For each of ``seeds``: one ``update`` of a penalty critic whose input gradient is exactly 0
    everywhere (Glorot-uniform hidden kernels from the seed, zero biases, its output layer at 0), then
    how many of its kernel weights and of its biases are not finite. A norm computed as sqrt(sum(g²))
    has an infinite derivative at g = 0, and the chain rule multiplies it by 0: NaN. ``update`` runs
    compiled, as ``train`` runs it (``compiled_update``).

    Returns a list, one entry per seed, of ``{"kernels": (not finite, count), "biases": (not finite,
    count)}``.
    """
    seeds = [checks.seed(s) for s in seeds]
    critic, _ = build("penalty", seeds[0], zero_output=True)
    draws = keras.random.SeedGenerator(seeds[0])
    run = compiled_update(update, critic, keras.optimizers.SGD(learning_rate=1e-2), draws)
    results = []
    for seed in seeds:
        keras.utils.set_random_seed(seed)
        draws.state.assign(keras.random.SeedGenerator(seed).state.value)
        rng = np.random.default_rng(seed)
        for layer in critic.layers[:-1]:  # Glorot-uniform kernels from this seed, zero biases
            fan_in, fan_out = layer.kernel.shape
            limit = np.sqrt(6 / (fan_in + fan_out))
            layer.kernel.assign(rng.uniform(-limit, limit, (fan_in, fan_out)).astype("float32"))
            layer.bias.assign(np.zeros(fan_out, dtype="float32"))
        for variable in critic.layers[-1].weights:
            variable.assign(np.zeros(variable.shape, dtype="float32"))
        real = datasets.eight_gaussians(BATCH, seed=seed)
        fake = rng.standard_normal((BATCH, 2)).astype("float32")
        run(real, fake, 0)
        counts = {"kernels": [0, 0], "biases": [0, 0]}
        for layer in critic.layers:
            for key, variable in (("kernels", layer.kernel), ("biases", layer.bias)):
                values = keras.ops.convert_to_numpy(variable)
                counts[key][0] += int(np.sum(~np.isfinite(values)))
                counts[key][1] += values.size
        results.append({key: tuple(value) for key, value in counts.items()})
    return results


def finite_at_zero_gradient(update, seeds=(0,)):
    """For each of ``seeds``: whether one ``update`` at a zero input gradient (see
    ``nonfinite_at_zero_gradient``) leaves every critic weight finite. Returns a list of booleans."""
    return [counts["kernels"][0] + counts["biases"][0] == 0 for counts in nonfinite_at_zero_gradient(update, seeds)]


def _few(values):
    return "[" + ", ".join(f"{v:.4g}" for v in np.asarray(values, dtype=np.float64)[:5]) + "]"


def passed(verdicts):
    """Whether every one of ``verdicts`` passed."""
    return all(v.passed for v in verdicts)
