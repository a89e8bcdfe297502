"""Several WGAN runs trained as one model: the runs as a leading batch axis.

Runs whose networks are alike (Sequential stacks of Dense layers of the same sizes) and whose
optimizers are alike (Keras' RMSprop or Adam with the same settings) train together: layer l of run r
is row r of a kernel of shape (runs, in, out) and a bias of shape (runs, 1, out), and each run keeps
its own initial weights, real batches, noise, clip bound c or penalty weight λ, learning rate, ε and
RMSprop's ρ or Adam's β₁ and β₂.
One traced TensorFlow function runs many generator iterations of every run per call.
``ConcurrentWGANs`` trains several of them, each a share of the runs, at the same time, one thread each.

Nothing mixes the runs, which is why a batched run computes what the separate runs compute:

- run r's activations are multiplied by run r's kernel alone, in a matmul of their own (on one core
  TensorFlow's batched matmul multiplies such small matrices at about 60 % of the rate of separate ones);
- each run's mean loss is a mean of its own (``_each_mean``);
- the loss that is differentiated is the sum of the runs' losses, and run r's weights reach only its
  own term, so their gradient is the gradient of run r's loss alone;
- the penalty takes the gradient norm per sample and its mean per run;
- weight clipping and the RMSprop and Adam updates act element by element, with c (inf: no bound), λ,
  the learning rate, ε, ρ and the β's read per run;
- a run whose losses or weights stop being finite is stopped: its later updates are masked, and the
  other runs train on.

References:
    Arjovsky, Chintala & Bottou (2017), Wasserstein GAN, Algorithm 1.
    Gulrajani et al. (2017), Improved Training of Wasserstein GANs, Algorithm 1.
"""

import functools

import keras
import numpy as np

from clipedu import checks

# Keras' SeedGenerator keeps its state as int64; its random functions fold it into int32 this way.
_SEED_MODULUS = 2**31 - 2
# What a stacked optimizer leaves out: these settings must keep their defaults.
_PLAIN = {"RMSprop": {"momentum": 0.0, "centered": False}, "Adam": {"amsgrad": False}}
_NO_EXTRAS = {"weight_decay": None, "clipnorm": None, "global_clipnorm": None, "clipvalue": None,
              "use_ema": False, "loss_scale_factor": None, "gradient_accumulation_steps": None}


def why_not_stackable_network(network):
    """None if ``network`` can be a row of a ``StackedMLP``; otherwise the reason, as a sentence."""
    if not isinstance(network, keras.Sequential):
        return f"{network.name} is not a keras.Sequential"
    if not network.layers or any(type(layer) is not keras.layers.Dense for layer in network.layers):
        return f"{network.name} has layers other than Dense"
    shape = network.input_shape
    if shape is None or len(shape) != 2 or shape[-1] is None:
        return f"{network.name} does not take vectors of a known size"
    if any(v.constraint is not None for v in network.weights) or network.non_trainable_weights:
        return f"{network.name} has constrained or non-trainable weights"
    if any(v.dtype != "float32" for v in network.weights) or network.dtype_policy.compute_dtype != "float32":
        return f"{network.name} does not compute in float32"
    return None


def _stacked_weights(networks):
    return np.stack([np.concatenate([w.ravel() for w in network.get_weights()]) for network in networks]).astype(
        "float32")


def _shapes(network):
    return [tuple(w.shape) for w in network.weights], [layer.activation for layer in network.layers]


def why_not_stackable_optimizer(optimizer):
    """None if ``optimizer`` can be part of a ``StackedOptimizer``; otherwise the reason, as a sentence."""
    name = type(optimizer).__name__
    if type(optimizer) not in (keras.optimizers.RMSprop, keras.optimizers.Adam):
        return f"{name} is neither Keras' RMSprop nor its Adam"
    config = optimizer.get_config()
    if isinstance(config["learning_rate"], dict):
        return f"{name} has a learning-rate schedule"
    plain = {**_NO_EXTRAS, **_PLAIN[name]}
    for key, value in plain.items():
        if config.get(key, value) != value:
            return f"{name} has {key}={config[key]!r}"
    return None


# What each run of a stacked optimizer may set for itself, besides the learning rate and ε: element by element.
PER_RUN = {"RMSprop": ("rho",), "Adam": ("beta_1", "beta_2")}


def optimizer_settings(optimizer):
    """What optimizers must share to be stacked: type and settings, but neither the learning rate, ε nor
    RMSprop's ρ or Adam's β₁ and β₂, which a stack holds per run."""
    config, kind = optimizer.get_config(), type(optimizer).__name__
    per_run = ("name", "learning_rate", "epsilon") + PER_RUN.get(kind, ())
    return kind, {k: v for k, v in config.items() if k not in per_run}


class StackedMLP:
    """The Dense layers of several alike ``keras.Sequential`` networks, stacked along a leading run axis.

    All weights live in one variable ``params`` of shape (runs, parameters): row r holds run r's
    weights, flattened in the order of ``network.get_weights()``. One variable instead of one per
    layer keeps the optimizer, the clip and the finiteness check a few operations each.
    ``views()`` cuts ``params`` into (kernel (runs, in, out), bias (runs, 1, out) or None) per layer;
    calling the stack with (x, views) applies each run's network to its own rows of x (runs, rows, in).

    Each run's rows are multiplied by its own kernel in a matmul of their own; the bias and the
    activation then act on all the runs at once (fewer operations to trace and run: the same numbers,
    element by element). With ``per_run=True`` they act run by run too, as a stack for the gradient
    penalty does: the penalty's gradient of a gradient adds the contributions to each weight in an
    order that follows the traced graph, so the two ways round the penalty's runs differently, and the
    notebooks' penalty runs were computed run by run.
    """

    def __init__(self, networks, per_run=False):
        import tensorflow as tf

        if not isinstance(per_run, bool):
            raise TypeError(f"per_run must be True or False, got {per_run!r}")
        self.per_run = per_run
        self.runs = len(networks)
        self.activations = [layer.activation for layer in networks[0].layers]
        self.shapes = [tuple(w.shape) for w in networks[0].get_weights()]
        self.use_bias = [layer.use_bias for layer in networks[0].layers]
        self.params = tf.Variable(_stacked_weights(networks), name="stacked_params")

    def load(self, networks):
        """Sets ``params`` to these networks' weights, one network per run, alike those it was built from."""
        for network in networks:
            if ([tuple(w.shape) for w in network.get_weights()] != self.shapes
                    or [layer.activation for layer in network.layers] != self.activations
                    or [layer.use_bias for layer in network.layers] != self.use_bias):
                raise ValueError(f"networks must be alike those the stack was built from, got {network.name}, "
                                 f"whose layers differ")
        self.params.assign(_stacked_weights(networks))

    def views(self):
        """Each layer's (kernels (runs, in, out), biases (runs, 1, out) or None) cut from ``params``."""
        import tensorflow as tf

        sizes = [int(np.prod(shape)) for shape in self.shapes]
        pieces = iter(tf.reshape(piece, (self.runs,) + (shape if len(shape) == 2 else (1,) + shape))
                      for piece, shape in zip(tf.split(self.params.value(), sizes, axis=1), self.shapes))
        return [(next(pieces), next(pieces) if use_bias else None) for use_bias in self.use_bias]

    def flatten(self, grads):
        """Per-layer (kernel, bias) gradients as one (runs, parameters) tensor, ordered as ``params``."""
        import tensorflow as tf

        return tf.concat([tf.reshape(g, (self.runs, -1)) for pair in grads for g in pair if g is not None], axis=1)

    def __call__(self, x, views):
        import tensorflow as tf

        if not self.per_run:
            for (kernel, bias), activation in zip(views, self.activations):
                x = tf.stack([tf.matmul(a, k) for a, k in zip(tf.unstack(x), tf.unstack(kernel))])
                x = activation(x if bias is None else x + bias)
            return x
        xs = tf.unstack(x)
        for (kernel, bias), activation in zip(views, self.activations):
            xs = [tf.matmul(a, k) for a, k in zip(xs, tf.unstack(kernel))]
            if bias is not None:
                xs = [a + b for a, b in zip(xs, tf.unstack(bias))]
            xs = [activation(a) for a in xs]
        return tf.stack(xs)

    def weights(self, run, params=None):
        """Run ``run``'s weights as ``network.get_weights()`` orders them, from ``params`` (the value of
        ``params`` as a numpy array, read once for several runs) or the variable."""
        row, start, weights = (self.params.numpy() if params is None else params)[run], 0, []
        for shape in self.shapes:
            size = int(np.prod(shape))
            weights.append(row[start:start + size].reshape(shape))
            start += size
        return weights


class StackedOptimizer:
    """Keras' RMSprop or Adam update (without momentum, centering or AMSGrad), element by element,
    with a learning rate, an ε and RMSprop's ρ or Adam's β₁ and β₂ per run; the runs' other settings
    are shared.

    Its steps are those of ``keras.optimizers.RMSprop.update_step`` and ``Adam.update_step``, operation
    by operation, on all of a network's weights at once. A run whose entry of ``active`` is False
    keeps its weights and slots. The optimizers must be built for their networks' trainable
    variables (``WGAN.compile`` builds them); their state is the start.
    """

    def __init__(self, optimizers):
        import tensorflow as tf

        first = optimizers[0]
        self.kind = type(first).__name__
        self.config = first.get_config()
        self.settings = optimizer_settings(first)
        self.runs = len(optimizers)
        self.learning_rate = tf.constant([[keras.ops.convert_to_numpy(o.learning_rate)] for o in optimizers], "float32")
        self.epsilon = tf.constant([[o.epsilon] for o in optimizers], "float32")
        # Each per-run setting b as Keras' update uses it: b and 1 - b (taken in Python's doubles), as float32.
        self.decay = {name: (tf.constant([[getattr(o, name)] for o in optimizers], "float32"),
                             tf.constant([[1 - getattr(o, name)] for o in optimizers], "float32"))
                      for name in PER_RUN[self.kind]}
        self.iterations = tf.Variable(int(keras.ops.convert_to_numpy(first.iterations)), dtype="int64")
        # optimizer.variables: iterations, learning rate, then each weight's slots, in this order.
        self.names = ["velocity"] if self.kind == "RMSprop" else ["momentum", "velocity"]
        self.slots = {name: tf.Variable(np.stack([self._flat_slots(o, i) for o in optimizers]), name=f"stacked_{name}")
                      for i, name in enumerate(self.names)}

    def load(self, optimizers):
        """Sets the count of updates and the slots to these optimizers' (one per run, alike those it was built
        from, with the same learning rates, ε, ρ or β's; the count is the first one's)."""
        for run, optimizer in enumerate(optimizers):
            if (optimizer_settings(optimizer) != self.settings
                    or keras.ops.convert_to_numpy(optimizer.learning_rate) != self.learning_rate.numpy()[run, 0]
                    or np.float32(optimizer.epsilon) != self.epsilon.numpy()[run, 0]
                    or any(np.float32(getattr(optimizer, name)) != value.numpy()[run, 0]
                           for name, (value, _) in self.decay.items())):
                raise ValueError(f"optimizers must be alike those the stack was built from, with the same learning "
                                 f"rates, ε and {' and '.join(self.decay)}, got {optimizer.name} for run {run}: "
                                 f"{optimizer.get_config()}")
        self.iterations.assign(int(keras.ops.convert_to_numpy(optimizers[0].iterations)))
        for i, name in enumerate(self.names):
            self.slots[name].assign(np.stack([self._flat_slots(o, i) for o in optimizers]))

    def _flat_slots(self, optimizer, which):
        slots = optimizer.variables[2:][which::len(self.names)]
        return np.concatenate([keras.ops.convert_to_numpy(v).ravel() for v in slots]).astype("float32")

    def apply(self, gradient, params, active=None):
        """Updates the stacked weights ``params`` (runs, parameters) by ``gradient``, same shape; with
        ``active`` (a boolean per run), only the runs whose entry is True."""
        import tensorflow as tf

        def update(select):  # select(new, old): each run's new values, or its old ones if it is stopped
            if self.kind == "RMSprop":
                (rho, one_minus_rho), velocity = self.decay["rho"], self.slots["velocity"]
                velocity.assign(select(rho * velocity + one_minus_rho * tf.square(gradient), velocity))
                increment = self.learning_rate * gradient / tf.sqrt(velocity + self.epsilon)
            else:
                local_step = tf.cast(self.iterations + 1, "float32")
                one_minus_beta_1, one_minus_beta_2 = self.decay["beta_1"][1], self.decay["beta_2"][1]
                beta_1_power, beta_2_power = self._power("beta_1", local_step), self._power("beta_2", local_step)
                alpha = self.learning_rate * tf.sqrt(1 - beta_2_power) / (1 - beta_1_power)
                m, v = self.slots["momentum"], self.slots["velocity"]
                m.assign(select(m + (gradient - m) * one_minus_beta_1, m))
                v.assign(select(v + (tf.square(gradient) - v) * one_minus_beta_2, v))
                increment = m * alpha / (tf.sqrt(v) + self.epsilon)
            params.assign(select(params - increment, params))
            return tf.constant(True)  # tf.cond needs an output from each branch

        def every_run(new, old):
            return new

        def active_runs(new, old):
            return tf.where(active[:, None], new, old)

        # While every run trains, the usual case, the update skips the selects that keep a stopped run's values:
        # the same numbers, a few passes over all the weights fewer.
        if active is None:
            update(every_run)
        else:
            tf.cond(tf.reduce_all(active), lambda: update(every_run), lambda: update(active_runs))
        self.iterations.assign_add(1)

    def _power(self, name, exponent):
        """Each run's setting ``name`` to the power ``exponent``, (runs, 1): one scalar power per distinct
        value, as Keras' optimizer takes it (a power of many values at once may round otherwise)."""
        import tensorflow as tf

        values = self.decay[name][0].numpy()[:, 0]
        distinct, index = np.unique(values, return_inverse=True)
        powers = tf.stack([tf.pow(tf.constant(value, "float32"), exponent) for value in distinct])
        return tf.gather(powers, index.reshape(-1, 1))

    def write_to(self, optimizer, run, iterations):
        """Copies run ``run``'s slots, and ``iterations`` as its count of updates, into the Keras
        ``optimizer``."""
        optimizer.iterations.assign(iterations)
        slots = optimizer.variables[2:]
        for which, name in enumerate(self.names):
            row, start = self.slots[name].numpy()[run], 0
            for variable in slots[which::len(self.names)]:
                size = int(np.prod(variable.shape))
                variable.assign(row[start:start + size].reshape(variable.shape))
                start += size


def _each_mean(values):
    """Each run's mean of its values (runs, ...), each taken over that run's values alone, as Keras'
    ``ops.mean`` takes the mean of one run's scores in ``WGAN``."""
    import tensorflow as tf

    return tf.stack([tf.reduce_mean(v) for v in tf.unstack(values)])


def _checked_runs(critics, generators, critic_optimizers, generator_optimizers, clip, penalty, seeds):
    """The runs' networks and optimizers as lists, after checking that they can be stacked (see ``BatchedWGAN``)."""
    critics, generators = list(critics), list(generators)
    critic_optimizers, generator_optimizers = list(critic_optimizers), list(generator_optimizers)
    runs = len(critics)
    if runs == 0:
        raise ValueError("critics must hold at least one network, got none")
    for name, values in [("generators", generators), ("critic_optimizers", critic_optimizers),
                         ("generator_optimizers", generator_optimizers), ("seeds", list(seeds))] + \
            [(name, list(values)) for name, values in [("clip", clip), ("penalty", penalty)] if values is not None]:
        if len(values) != runs:
            raise ValueError(f"{name} must hold one entry per run ({runs} critics), got {len(values)}")
    if clip is not None and penalty is not None:
        raise ValueError(f"clip and penalty exclude each other, got clip={clip!r} and penalty={penalty!r}")
    for name, networks in [("critics", critics), ("generators", generators)]:
        for network in networks:
            reason = why_not_stackable_network(network) if isinstance(network, keras.Model) else \
                f"{network!r} is not a keras Model"
            if reason is None and _shapes(network) != _shapes(networks[0]):
                reason = f"{network.name}'s weights are not shaped as {networks[0].name}'s"
            if reason:
                raise TypeError(f"{name} must be alike Sequential stacks of Dense layers: {reason}")
    for name, optimizers in [("critic_optimizers", critic_optimizers),
                             ("generator_optimizers", generator_optimizers)]:
        for optimizer in optimizers:
            reason = why_not_stackable_optimizer(optimizer) if isinstance(optimizer, keras.optimizers.Optimizer) \
                else f"{optimizer!r} is not a Keras optimizer"
            if reason is None and optimizer_settings(optimizer) != optimizer_settings(optimizers[0]):
                reason = f"{optimizer.name} has other settings than {optimizers[0].name}"
            if reason:
                raise TypeError(f"{name} must be alike Keras RMSprop or Adam optimizers: {reason}")
    for name, values in [("clip", clip), ("penalty", penalty)]:
        for value in values if values is not None else []:
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or np.isnan(value) or \
                    (name == "clip" and value <= 0) or (name == "penalty" and (value < 0 or np.isinf(value))):
                wanted = "positive numbers (inf: no bound)" if name == "clip" else "non-negative finite numbers"
                raise ValueError(f"{name} must hold {wanted}, got {value!r}")
    return critics, generators, critic_optimizers, generator_optimizers


class BatchedWGAN:
    """Algorithm 1 (weight clipping), WGAN-GP or an unconstrained critic for several runs at once.

    Args:
        critics, generators: one alike ``keras.Sequential`` of Dense layers per run (see
            ``why_not_stackable_network``); their weights are the runs' start.
        critic_optimizers, generator_optimizers: one Keras RMSprop or Adam per run, alike but for the
            learning rate, ε, RMSprop's ρ and Adam's β₁ and β₂, built for the networks' trainable variables.
        n_critic: critic updates per generator iteration.
        clip: None, or one c per run: every critic parameter of run r is clipped into [-c_r, c_r]
            after each critic update; c_r = inf leaves run r unconstrained (clipping into
            [-inf, inf] changes no number), so that unconstrained runs train beside clipped ones.
        penalty: None, or one λ per run: run r's critic loss adds λ_r · E[(‖∇D(x̂)‖₂ - 1)²].
        batch_size: the rows of real samples each generator iteration takes, n_critic · m.
        seeds: each run's noise seed state, shape (runs, 2), as a ``keras.random.SeedGenerator``
            holds it: run r draws the noise that a WGAN whose seed generator is in that state draws.
        jit_compile: whether TensorFlow compiles the training call with XLA.
    """

    def __init__(self, critics, generators, critic_optimizers, generator_optimizers, *, n_critic, clip=None,
                 penalty=None, seeds, batch_size, jit_compile=False):
        import tensorflow as tf

        critics, generators, critic_optimizers, generator_optimizers = _checked_runs(
            critics, generators, critic_optimizers, generator_optimizers, clip, penalty, seeds)
        self.runs = len(critics)
        n_critic = checks.positive_int("n_critic", n_critic)
        batch_size = checks.positive_int("batch_size", batch_size)
        self.n_critic = n_critic
        self.latent_dim = int(generators[0].input_shape[-1])
        per_run = penalty is not None  # see StackedMLP
        self.critic, self.generator = StackedMLP(critics, per_run), StackedMLP(generators, per_run)
        self.critic_optimizer = StackedOptimizer(critic_optimizers)
        self.generator_optimizer = StackedOptimizer(generator_optimizers)
        self.clip = None if clip is None else tf.constant(clip, "float32")
        self.penalty = None if penalty is None else tf.constant(penalty, "float32")
        self.seeds = tf.Variable(np.asarray(seeds, "int64").reshape(self.runs, 2))
        self.active = tf.Variable(np.ones(self.runs, bool))
        self.iteration = tf.Variable(0, dtype="int64")  # generator iterations run since the start
        self.stopped_at = tf.Variable(np.full(self.runs, -1, "int64"))  # a stopped run's last iteration
        self.names = ["critic_loss", "generator_loss", "wasserstein"] + (["gradient_penalty"] if penalty is not None
                                                                          else [])
        if batch_size % n_critic:
            raise ValueError(f"batch_size must be a multiple of n_critic={n_critic} (n_critic · m), got {batch_size}")
        width = int(critics[0].input_shape[-1])
        signature = [tf.TensorSpec((None, width), "float32"), tf.TensorSpec((self.runs, None, batch_size), "int32")]
        # A partial, not the method: TensorFlow counts traces by a function's code, and would warn of
        # retracing when a notebook trains several batches one after another, each tracing its own step.
        self._train = tf.function(functools.partial(self._iterations), input_signature=signature,
                                  jit_compile=jit_compile, autograph=False)

    def restart(self, critics, generators, critic_optimizers, generator_optimizers, *, clip=None, penalty=None, seeds):
        """Starts again from these runs, as a new ``BatchedWGAN`` of them (with this one's ``n_critic``,
        ``batch_size`` and ``jit_compile``) would start, in this one's traced step: their weights, optimizer
        states and seeds; every run training, no iteration run. The runs must be as many as this one's and
        alike them, with the same c or λ, learning rates, ε, ρ or β's: the step holds these as constants.
        """
        import tensorflow as tf

        critics, generators, critic_optimizers, generator_optimizers = _checked_runs(
            critics, generators, critic_optimizers, generator_optimizers, clip, penalty, seeds)
        if len(critics) != self.runs:
            raise ValueError(f"critics must hold {self.runs} networks, one per run of this BatchedWGAN, "
                             f"got {len(critics)}")
        for name, values, held in [("clip", clip, self.clip), ("penalty", penalty, self.penalty)]:
            if (values is None) != (held is None) or (
                    values is not None and not np.array_equal(np.asarray(values, "float32"), held.numpy())):
                shown = None if held is None else f"[{', '.join(f'{v:g}' for v in held.numpy())}]"
                raise ValueError(f"{name} must be this BatchedWGAN's {shown}, got {values!r}")
        self.critic.load(critics)
        self.generator.load(generators)
        self.critic_optimizer.load(critic_optimizers)
        self.generator_optimizer.load(generator_optimizers)
        self.seeds.assign(np.asarray(seeds, "int64").reshape(self.runs, 2))
        self.active.assign(tf.ones(self.runs, bool))
        self.iteration.assign(0)
        self.stopped_at.assign(tf.fill([self.runs], tf.constant(-1, "int64")))

    def train(self, x, orders):
        """Runs ``orders.shape[1]`` generator iterations of every run.

        ``orders[r, i]`` holds the rows of ``x`` that run r's iteration i uses: n_critic · m of them,
        m for each critic update. Returns each run's losses at each iteration, a dict of arrays of shape
        (runs, iterations), named as ``names``; a stopped run's values after it stopped are NaN.
        """
        values = self._train(x, orders).numpy()
        return {name: values[:, :, i] for i, name in enumerate(self.names)}

    def stop(self, run):
        """Stops run ``run`` from the next iteration on (as a callback's ``stop_training`` asks)."""
        if self.active.numpy()[run]:
            self.active.scatter_nd_update([[run]], [False])
            self.stopped_at.scatter_nd_update([[run]], [self.iteration.numpy() - 1])

    def _iterations(self, x, orders):
        import tensorflow as tf

        steps = tf.shape(orders)[1]

        def body(i, out):
            results = self._iteration(tf.gather(x, orders[:, i]))
            values = tf.stack([results[name] for name in self.names], axis=-1)  # (runs, names)
            finite = tf.reduce_all(tf.math.is_finite(values), axis=1)
            for network in (self.critic, self.generator):
                finite = finite & tf.reduce_all(tf.math.is_finite(network.params), axis=1)
            active = self.active.value()
            self.stopped_at.assign(tf.where(active & ~finite, self.iteration, self.stopped_at))
            self.active.assign(active & finite)
            self.iteration.assign_add(1)
            return i + 1, out.write(i, tf.where(active[:, None], values, float("nan")))

        _, out = tf.while_loop(lambda i, out: i < steps, body,
                               (tf.constant(0), tf.TensorArray("float32", size=steps)))
        return tf.transpose(out.stack(), (1, 0, 2))

    def _iteration(self, real):
        import tensorflow as tf

        # The critic updates run in a loop of their own rather than unrolled: one traced update, not n_critic.
        m = real.shape[1] // self.n_critic
        batches = tf.reshape(real, (self.runs, self.n_critic, m, real.shape[2]))
        names = [name for name in self.names if name != "generator_loss"]

        def update(j, *_):
            results = self._critic_update(tf.gather(batches, j, axis=1))
            return (j + 1, *[results[name] for name in names])

        _, *values = tf.while_loop(lambda j, *_: j < self.n_critic, update,
                                   (tf.constant(0), *[tf.zeros(self.runs) for _ in names]))
        results = dict(zip(names, values))  # the last critic update's
        results["generator_loss"] = self._generator_update(m)
        return results

    def _draw(self, kind, shape):
        """One draw per run, each from the run's own seed, as Keras' ``random.normal`` or ``uniform``
        draws with a SeedGenerator in that state; then every run's seed moves on by one, as Keras'."""
        import tensorflow as tf

        seeds = tf.unstack(tf.cast(tf.math.floormod(self.seeds.value(), _SEED_MODULUS), "int32"))
        if kind == "normal":
            draws = [tf.random.stateless_normal(shape, mean=0.0, stddev=1.0, dtype="float32", seed=seed)
                     for seed in seeds]
        else:
            draws = [tf.random.stateless_uniform(shape, minval=tf.cast(0.0, "float32"), maxval=tf.cast(1.0, "float32"),
                                                 dtype="float32", seed=seed) for seed in seeds]
        self.seeds.assign(self.seeds.value() + tf.constant([[0, 1]], "int64"))
        return tf.stack(draws)

    def _critic_update(self, real):
        import tensorflow as tf

        m = real.shape[1]
        noise = self._draw("normal", (m, self.latent_dim))
        generator, critic = self.generator.views(), self.critic.views()
        watched = [w for pair in critic for w in pair if w is not None]
        results = {}
        with tf.GradientTape(watch_accessed_variables=False) as tape:
            tape.watch(watched)
            fake = self.generator(noise, generator)
            real_score = _each_mean(self.critic(real, critic))
            fake_score = _each_mean(self.critic(fake, critic))
            critic_loss = fake_score - real_score
            if self.penalty is not None:
                penalty = self._gradient_penalty(real, fake, critic)
                critic_loss = critic_loss + self.penalty * penalty
                results["gradient_penalty"] = penalty
            total = tf.reduce_sum(critic_loss)  # run r's weights reach only run r's term
        grads = iter(tape.gradient(total, watched))
        gradient = self.critic.flatten([(next(grads), next(grads) if b is not None else None) for _, b in critic])
        self.critic_optimizer.apply(gradient, self.critic.params, self.active.value())
        if self.clip is not None:
            high = self.clip[:, None]
            self.critic.params.assign(tf.clip_by_value(self.critic.params, -high, high))
        results["critic_loss"] = critic_loss
        results["wasserstein"] = real_score - fake_score
        return results

    def _generator_update(self, m):
        import tensorflow as tf

        noise = self._draw("normal", (m, self.latent_dim))
        generator, critic = self.generator.views(), self.critic.views()
        watched = [w for pair in generator for w in pair if w is not None]
        with tf.GradientTape(watch_accessed_variables=False) as tape:
            tape.watch(watched)
            generator_loss = -_each_mean(self.critic(self.generator(noise, generator), critic))
            total = tf.reduce_sum(generator_loss)
        grads = iter(tape.gradient(total, watched))
        gradient = self.generator.flatten([(next(grads), next(grads) if b is not None else None) for _, b in generator])
        self.generator_optimizer.apply(gradient, self.generator.params, self.active.value())
        return generator_loss

    def _gradient_penalty(self, real, fake, critic):
        """Each run's E[(‖∇D(x̂)‖₂ - 1)²] at x̂ = ε·real + (1 - ε)·fake, ε ~ U[0, 1] per sample and run."""
        import tensorflow as tf

        epsilon = self._draw("uniform", (real.shape[1], 1))
        interpolates = epsilon * real + (1 - epsilon) * fake
        with tf.GradientTape() as tape:
            tape.watch(interpolates)
            scores = self.critic(interpolates, critic)
        grads = tape.gradient(scores, interpolates)  # each sample's score depends on that sample alone
        norms = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=2))
        return _each_mean(tf.square(norms - 1.0))


# How many shares of its runs fit_seeds trains at the same time: the cores of a laptop or a free cloud CPU.
# Fixed, not the count of this machine's CPUs: how the runs are shared can change the last bits of their
# numbers (six runs in shares of 2, 2, 1 and 1 rounded a few weights otherwise than in one share of six: an
# operation on all of a share's weights takes its last few elements, the last run's, on a scalar path, and
# with RMSprop, whose division by a root TensorFlow turns into a multiplication by rsqrt, that path rounds
# otherwise), and every machine must compute the same numbers.
SHARES = 2


def cores():
    """The CPUs this process may run on: how many shares ``ConcurrentWGANs`` trains at once, at most."""
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class ConcurrentWGANs:
    """Several ``BatchedWGAN``s, each a share of the runs, trained at the same time, one thread each,
    and seen as one: run r of the whole is row r - start of the share that holds it.

    Each share's call into TensorFlow runs on a thread of its own, one per CPU this process may use
    (TensorFlow lets go of Python's lock while it computes), so two shares keep two cores busy, where
    one ``BatchedWGAN`` of all the runs keeps one core busy and another at times. Nothing in a
    ``BatchedWGAN`` mixes its runs, and the shares are the same on any machine, whatever its CPUs.
    """

    def __init__(self, engines):
        self.engines = list(engines)
        if not self.engines or any(not isinstance(e, BatchedWGAN) for e in self.engines):
            raise TypeError(f"engines must be a non-empty list of BatchedWGANs, got {self.engines!r}")
        if len({tuple(e.names) for e in self.engines}) > 1:
            raise ValueError("engines must all train with clipping, all with the penalty or all with neither")
        self.names = self.engines[0].names
        self.starts = np.cumsum([0] + [e.runs for e in self.engines])
        self.runs = int(self.starts[-1])

    def locate(self, run):
        """The share that holds run ``run``, and the run's row in it."""
        share = int(np.searchsorted(self.starts, run, side="right")) - 1
        return self.engines[share], run - int(self.starts[share])

    def train(self, x, orders):
        """``BatchedWGAN.train`` for every share at the same time; ``orders`` and the result hold every run."""
        from concurrent.futures import ThreadPoolExecutor

        parts = [orders[start:start + e.runs] for start, e in zip(self.starts, self.engines)]
        threads = min(len(self.engines), cores())
        if threads == 1:
            results = [e.train(x, part) for e, part in zip(self.engines, parts)]
        else:
            with ThreadPoolExecutor(threads) as pool:
                results = list(pool.map(lambda e, part: e.train(x, part), self.engines, parts))
        return {name: np.concatenate([r[name] for r in results]) for name in self.names}

    def stopped_at(self):
        """Each run's last iteration if it is stopped, else -1."""
        return np.concatenate([e.stopped_at.numpy() for e in self.engines])

    def iteration(self):
        """The generator iterations every share has run since its start."""
        return int(self.engines[0].iteration.numpy())

    def weights(self):
        """Every run's (critic weights, generator weights), as ``network.get_weights()`` orders them."""
        out = []
        for e in self.engines:
            critic, generator = e.critic.params.numpy(), e.generator.params.numpy()
            out += [(e.critic.weights(row, critic), e.generator.weights(row, generator)) for row in range(e.runs)]
        return out

    def stop(self, run):
        """Stops run ``run`` from the next iteration on."""
        engine, row = self.locate(run)
        engine.stop(row)
