"""Wasserstein GAN: Algorithm 1 with weight clipping, or the gradient penalty, as a Keras model.

References:
    Arjovsky, Chintala & Bottou (2017), Wasserstein GAN, Algorithm 1.
    Gulrajani, Ahmed, Arjovsky, Dumoulin & Courville (2017), Improved Training of Wasserstein GANs,
    Algorithm 1.
"""

import dataclasses
import math
import warnings

import keras
import numpy as np

from clipedu import batched, checks


@dataclasses.dataclass(frozen=True)
class WeightClipping:
    """Arjovsky et al.'s way to keep the critic Lipschitz: every critic parameter clipped into
    [-c, c] right after every critic update (their c = 0.01)."""

    c: float = 0.01

    def __post_init__(self):
        object.__setattr__(self, "c", checks.positive_finite("c", self.c))


@dataclasses.dataclass(frozen=True)
class GradientPenalty:
    """Gulrajani et al.'s way: the critic loss adds weight · E[(‖∇D(x̂)‖₂ - 1)²] at random interpolates
    x̂ of real and generated samples (their weight λ = 10)."""

    weight: float = 10.0

    def __post_init__(self):
        weight = self.weight
        if isinstance(weight, bool) or not isinstance(weight, (int, float, np.floating, np.integer)):
            raise TypeError(f"weight must be a non-negative finite number, got {weight!r} ({type(weight).__name__})")
        if not math.isfinite(weight) or weight < 0:
            raise ValueError(f"weight must be a non-negative finite number, got {weight!r}")
        object.__setattr__(self, "weight", float(weight))


def _checked_method(method):
    if method is None or isinstance(method, (WeightClipping, GradientPenalty)):
        return method
    raise TypeError(f"method must be WeightClipping(c), GradientPenalty(weight) or None (an unconstrained critic), "
                    f"got {method!r}")


def _latent_dim(generator):
    shape = getattr(generator, "input_shape", None)
    if not isinstance(generator, keras.Model) or shape is None or shape[-1] is None:
        raise TypeError(f"generator must be a built keras Model with a known input size, got {generator!r}")
    return int(shape[-1])


@dataclasses.dataclass
class _Parts:
    """What a generator iteration works on. ``clip`` and ``penalty`` are c and λ, as numbers or as
    variables (``WGAN`` passes its own, so that a new value needs no new trace), or None."""

    critic: keras.Model
    generator: keras.Model
    critic_optimizer: keras.optimizers.Optimizer
    generator_optimizer: keras.optimizers.Optimizer
    latent_dim: int
    clip: object
    penalty: object
    seed: object


def wgan_step(critic, generator, real, critic_optimizer, generator_optimizer, n_critic=5, method=WeightClipping(),
              seed=None):
    """One generator iteration of Algorithm 1: ``n_critic`` critic updates, then one generator update.

    Critic update i uses rows i·m to (i+1)·m of ``real`` (m = len(real) / n_critic) and fresh noise.
    With ``WeightClipping(c)`` every critic parameter is clipped into [-c, c] right after each critic
    update, as in the paper; with ``GradientPenalty(weight)`` (WGAN-GP) nothing is clipped and the
    critic loss adds weight · E[(‖∇D(x̂)‖ - 1)²] at random interpolates x̂ of real and fake samples;
    with None the critic is unconstrained. Call it eagerly or inside ``tf.function``; ``WGAN.fit``
    runs the same iteration, compiled.

    Args:
        critic, generator: Keras models; the generator's input size is the latent dimension.
        real: n_critic · m real samples.
        critic_optimizer, generator_optimizer: Keras optimizers.
        n_critic: critic updates per generator update.
        method: ``WeightClipping(c)`` (default c = 0.01, the paper's), ``GradientPenalty(weight)`` or None.
        seed: a ``keras.random.SeedGenerator`` for the noise, or None for Keras' global one.

    Returns:
        A dict of scalar tensors from the last critic update: ``critic_loss``, ``wasserstein``
        (E[D(real)] - E[D(fake)]) and, with the penalty, ``gradient_penalty``; and
        ``generator_loss`` (-E[D(fake)]) from the generator update.
    """
    n_critic = checks.positive_int("n_critic", n_critic)
    method = _checked_method(method)
    parts = _Parts(critic, generator, critic_optimizer, generator_optimizer, _latent_dim(generator),
                   clip=method.c if isinstance(method, WeightClipping) else None,
                   penalty=method.weight if isinstance(method, GradientPenalty) else None, seed=seed)
    return _iteration(parts, real, n_critic)


def _iteration(parts, real, n_critic):
    """One generator iteration of Algorithm 1, as ``wgan_step`` describes it, its settings checked already."""
    batch = keras.ops.shape(real)[0]
    if isinstance(batch, int) and batch % n_critic:
        raise ValueError(f"real must hold n_critic · m samples; got {batch} samples for n_critic={n_critic}")
    import tensorflow as tf

    m = batch // n_critic
    batches = keras.ops.reshape(real, (n_critic, -1) + tuple(real.shape[1:]))
    names = ["critic_loss", "wasserstein"] + (["gradient_penalty"] if parts.penalty is not None else [])

    # The critic updates run in a loop of their own rather than unrolled: compiled, one traced update
    # instead of n_critic (eagerly, the loop is Python's).
    def update(i, *_):
        results = _critic_update(parts, tf.gather(batches, i))
        return (i + 1, *[results[name] for name in names])

    dtype = keras.backend.standardize_dtype(parts.critic.compute_dtype)
    _, *values = tf.while_loop(lambda i, *_: i < n_critic, update,
                               (tf.constant(0), *[tf.zeros((), dtype) for _ in names]))
    results = dict(zip(names, values))  # the last critic update's
    results["generator_loss"] = _generator_update(parts, m)
    return results


def _critic_update(parts, real):
    """One critic update on the m samples ``real``: its loss, the clip or the penalty.

    Returns ``critic_loss``, ``wasserstein`` and, with the penalty, ``gradient_penalty``.
    """
    import tensorflow as tf

    critic = parts.critic
    noise = keras.random.normal((keras.ops.shape(real)[0], parts.latent_dim), seed=parts.seed)
    results = {}
    with tf.GradientTape() as tape:
        fake = parts.generator(noise, training=True)
        real_score = keras.ops.mean(critic(real, training=True))
        fake_score = keras.ops.mean(critic(fake, training=True))
        critic_loss = fake_score - real_score
        if parts.penalty is not None:
            penalty = _gradient_penalty(critic, real, fake, parts.seed)
            critic_loss = critic_loss + parts.penalty * penalty
            results["gradient_penalty"] = penalty
    variables = critic.trainable_variables
    parts.critic_optimizer.apply(tape.gradient(critic_loss, variables), variables)
    if parts.clip is not None:
        high = keras.ops.convert_to_tensor(parts.clip)  # c, read once if it is a variable
        low = -high
        for variable in variables:
            variable.assign(keras.ops.clip(variable, low, high))
    results["critic_loss"] = critic_loss
    results["wasserstein"] = real_score - fake_score
    return results


def _generator_update(parts, m):
    """The generator update on m fresh noise samples; returns the generator loss."""
    import tensorflow as tf

    noise = keras.random.normal((m, parts.latent_dim), seed=parts.seed)
    with tf.GradientTape() as tape:
        generator_loss = -keras.ops.mean(parts.critic(parts.generator(noise, training=True), training=True))
    variables = parts.generator.trainable_variables
    parts.generator_optimizer.apply(tape.gradient(generator_loss, variables), variables)
    return generator_loss


def _gradient_penalty(critic, real, fake, seed):
    """E[(‖∇D(x̂)‖₂ - 1)²] at x̂ = ε·real + (1 - ε)·fake, ε ~ U[0, 1] per sample."""
    import tensorflow as tf

    epsilon = keras.random.uniform((keras.ops.shape(real)[0],) + (1,) * (len(real.shape) - 1), seed=seed)
    interpolates = epsilon * real + (1 - epsilon) * fake
    with tf.GradientTape() as tape:
        tape.watch(interpolates)
        scores = critic(interpolates, training=True)
    grads = tape.gradient(scores, interpolates)
    norms = keras.ops.sqrt(keras.ops.sum(keras.ops.square(grads), axis=tuple(range(1, len(grads.shape)))))
    return keras.ops.mean(keras.ops.square(norms - 1.0))


@keras.saving.register_keras_serializable(package="clipedu")
class WGAN(keras.Model):
    """A Wasserstein GAN whose ``fit`` runs Algorithm 1 (weight clipping), WGAN-GP, or neither.

    One batch of ``fit`` is one generator iteration: ``fit(x, batch_size=n_critic * m)`` gives each
    of the ``n_critic`` critic updates its own m real samples (the paper: m = 64, n_critic = 5, so
    ``batch_size=320``, the default). Metrics: ``critic_loss``, ``generator_loss``, ``wasserstein``
    (E[D(real)] - E[D(fake)]) and, with the penalty, ``gradient_penalty``. If a loss or a weight
    becomes NaN or infinite, training stops with a warning and ``fit`` returns the history recorded
    so far (``is_finite`` is the check).

    This class is the one owner of Algorithm 1 in clipedu: ``fit`` compiles ``generator_iteration``,
    and the WGAN Lab and ``fit_seeds`` train through the same public methods.

    Args:
        critic, generator: Keras models (see ``clipedu.mlp``).
        latent_dim: the size of the generator's input noise.
        method: how the critic is kept Lipschitz: ``WeightClipping(c)`` (the default, c = 0.01),
            ``GradientPenalty(weight)`` or None (unconstrained). It may change between fits and
            while training to another value of the same kind (``wgan.method = WeightClipping(0.1)``).
        n_critic: critic updates per generator update (≥ 1).
        seed: the seed of the noise.
    """

    def __init__(self, critic, generator, latent_dim, *, method=WeightClipping(), n_critic=5, seed=None, **kwargs):
        super().__init__(**kwargs)
        self._method = _checked_method(method)
        self.n_critic = checks.positive_int("n_critic", n_critic)
        # c and λ live in variables inside the compiled step: a new value needs no new trace.
        self._clip = (keras.Variable(method.c, trainable=False, name="clip_value")
                      if isinstance(method, WeightClipping) else None)
        self._penalty = (keras.Variable(method.weight, trainable=False, name="gp_weight")
                         if isinstance(method, GradientPenalty) else None)
        self.latent_dim = checks.positive_int("latent_dim", latent_dim)
        for name, model in [("critic", critic), ("generator", generator)]:
            if not isinstance(model, keras.Model):
                raise TypeError(f"{name} must be a keras Model, got {model!r}")
        if _latent_dim(generator) != self.latent_dim:
            raise ValueError(f"latent_dim={latent_dim!r} but the generator takes inputs of size "
                             f"{_latent_dim(generator)}")
        self.critic, self.generator = critic, generator
        self.seed = None if seed is None else checks.seed(seed)
        self.seed_generator = keras.random.SeedGenerator(self.seed)
        names = ["critic_loss", "generator_loss", "wasserstein"]
        if isinstance(method, GradientPenalty):
            names.append("gradient_penalty")
        self.trackers = {name: keras.metrics.Mean(name=name) for name in names}
        self.built = True  # its parts are built models

    def compile(self, critic_optimizer=None, generator_optimizer=None, **kwargs):
        """Sets the two optimizers; defaults are the papers' settings.

        With clipping or no constraint: RMSprop(5e-5) for both (Arjovsky et al.); with the penalty:
        Adam(1e-4, beta_1=0, beta_2=0.9) for both (Gulrajani et al.). Other keyword arguments
        (``steps_per_execution``, ``jit_compile``) go to ``keras.Model.compile``.
        """
        def default():
            if isinstance(self.method, GradientPenalty):
                return keras.optimizers.Adam(learning_rate=1e-4, beta_1=0.0, beta_2=0.9)
            return keras.optimizers.RMSprop(learning_rate=5e-5)

        for name, optimizer in [("critic_optimizer", critic_optimizer), ("generator_optimizer", generator_optimizer)]:
            if optimizer is not None and not isinstance(optimizer, keras.optimizers.Optimizer):
                raise TypeError(f"{name} must be a keras Optimizer or None, got {optimizer!r}")
        self.critic_optimizer = critic_optimizer or default()
        self.generator_optimizer = generator_optimizer or default()
        # Built here, not inside the compiled step, where creating their variables would be traced.
        self.critic_optimizer.build(self.critic.trainable_variables)
        self.generator_optimizer.build(self.generator.trainable_variables)
        super().compile(**kwargs)

    @property
    def method(self):
        """``WeightClipping(c)``, ``GradientPenalty(weight)`` or None; see the class docstring."""
        return self._method

    @method.setter
    def method(self, method):
        method = _checked_method(method)
        if type(method) is not type(self._method):
            raise ValueError(f"method can change to another {type(self._method).__name__}, not from "
                             f"{self._method!r} to {method!r}: build another WGAN")
        if isinstance(method, WeightClipping):
            self._clip.assign(method.c)
        elif isinstance(method, GradientPenalty):
            self._penalty.assign(method.weight)
        self._method = method

    @property
    def metrics(self):
        return list(self.trackers.values())

    def call(self, noise, training=False):
        return self.generator(noise, training=training)

    def _parts(self):
        return _Parts(self.critic, self.generator, self.critic_optimizer, self.generator_optimizer, self.latent_dim,
                      self._clip, self._penalty, self.seed_generator)

    def generator_iteration(self, real, n_critic=None):
        """One generator iteration (``wgan_step``) with this WGAN's networks, optimizers, method and noise.

        ``real`` holds n_critic · m samples; ``n_critic`` defaults to the WGAN's. Returns the losses
        as ``wgan_step`` does. Call it eagerly or inside a compiled function.
        """
        n_critic = self.n_critic if n_critic is None else checks.positive_int("n_critic", n_critic)
        return _iteration(self._parts(), real, n_critic)

    def critic_update(self, real):
        """One critic update on the m samples ``real`` (and its clip or penalty); returns ``critic_loss``,
        ``wasserstein`` and, with the penalty, ``gradient_penalty``."""
        return _critic_update(self._parts(), real)

    def is_finite(self, logs=None):
        """Whether every value of ``logs`` (losses) and every weight of both networks is finite.

        Both are needed: a ReLU turns a NaN input into 0, so NaN weights need not show in a loss.
        """
        values = [float(v) for v in (logs or {}).values()]
        weights = self.critic.weights + self.generator.weights
        return all(math.isfinite(v) for v in values) and all(
            bool(np.all(np.isfinite(w.numpy()))) for w in weights)

    def train_step(self, data):
        real = data[0] if isinstance(data, tuple) else data
        results = self.generator_iteration(real)
        for name, tracker in self.trackers.items():
            tracker.update_state(results[name])
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    def fit(self, x=None, y=None, batch_size=None, epochs=1, *, shuffle=True, callbacks=None, **kwargs):
        """``keras.Model.fit`` on real samples, stopping on a NaN or infinite loss.

        ``x`` holds the real samples: an array or tensor, or a ``tf.data.Dataset`` of batches (passed
        to Keras as it is). An array is cut into batches of ``batch_size`` rows, default
        ``n_critic · 64`` (the paper's m = 64), in a new random order every epoch when ``shuffle``;
        a last batch with fewer rows is left out, so that every critic update sees m samples. With
        ``steps_per_epoch``, an epoch is that many batches and the passes over ``x`` run on. The
        batches are prepared one ahead without tf.data's autotuning: on a two-core CPU the
        autotuner's threads compete with the training step and doubled the time of a generator
        iteration in some runs (``make bench`` measures it). Other keyword arguments go to
        ``keras.Model.fit``.

        An array or tensor ``x`` is checked before any weight changes: numbers, one sample per row
        of the critic's input shape, every value finite (a ValueError names the first bad row). A
        dataset's element shape and type are checked; its values are not read in advance.
        """
        import tensorflow as tf

        callbacks = list(callbacks or []) + [_StopOnNaN()]
        if isinstance(x, tf.data.Dataset):
            _check_sample_spec(x.element_spec, self.critic)
        elif isinstance(x, np.ndarray) or keras.ops.is_tensor(x):
            if y is not None:
                raise ValueError(f"WGAN.fit takes real samples x only, got a y of type {type(y).__name__}")
            x = _checked_samples(x, self.critic)
            batch_size = self.n_critic * 64 if batch_size is None else checks.positive_int("batch_size", batch_size)
            x = _real_batches(x, batch_size, self.n_critic, shuffle, self.seed_generator)
            if kwargs.get("steps_per_epoch") is not None:  # epochs then end mid-pass: the passes go on
                x = x.repeat()
            batch_size, shuffle = None, False
        return super().fit(x, y, batch_size, epochs, shuffle=shuffle, callbacks=callbacks, **kwargs)

    def get_config(self):
        return {
            **super().get_config(),
            "critic": keras.saving.serialize_keras_object(self.critic),
            "generator": keras.saving.serialize_keras_object(self.generator),
            "latent_dim": self.latent_dim,
            "n_critic": self.n_critic,
            "method": None if self.method is None else {"class": type(self.method).__name__,
                                                        **dataclasses.asdict(self.method)},
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["critic"] = keras.saving.deserialize_keras_object(config["critic"])
        config["generator"] = keras.saving.deserialize_keras_object(config["generator"])
        method = config.pop("method")
        if method is not None:
            method = dict(method)
            config["method"] = {"WeightClipping": WeightClipping, "GradientPenalty": GradientPenalty}[
                method.pop("class")](**method)
        else:
            config["method"] = None
        return cls(**config)

    def get_compile_config(self):
        if not self.compiled:
            return None
        return {"critic_optimizer": keras.saving.serialize_keras_object(self.critic_optimizer),
                "generator_optimizer": keras.saving.serialize_keras_object(self.generator_optimizer)}

    def compile_from_config(self, config):
        self.compile(critic_optimizer=keras.saving.deserialize_keras_object(config["critic_optimizer"]),
                     generator_optimizer=keras.saving.deserialize_keras_object(config["generator_optimizer"]))


def fit_seeds(build, x, seeds, *, settings=None, callbacks=None, **fit_kwargs):
    """Trains one WGAN per seed, or per setting and seed, and yields each trained one in turn.

    Without ``settings`` it yields ``(seed, wgan, its callbacks)`` and calls ``build(seed)``; with
    ``settings`` it yields ``((setting, seed), wgan, its callbacks)`` for every setting, then every
    seed, and calls ``build(setting, seed)``. Every run computes what
    ``build(...).fit(x, callbacks=callbacks(), **fit_kwargs)`` computes, to float rounding: the same
    initial weights, real batches and noise; the additions may come in another order, which a long,
    chaotic run amplifies. ``wgan.history`` holds each run's history, as ``fit`` returns it.

    The difference is speed. Runs whose networks are alike Sequential stacks of Dense layers (as
    ``clipedu.mlp`` builds them) and whose WGANs share ``n_critic``, ``latent_dim``, the kind of method
    (the penalty, or else clipping or no constraint: an unconstrained run trains beside clipped ones,
    with no bound), ``steps_per_execution`` and the optimizers' type and settings (Keras' RMSprop or
    Adam, without momentum, centering, AMSGrad, weight decay, EMA or clip arguments; the learning
    rate, ε, RMSprop's ρ and Adam's β₁ and β₂ may differ) train together, in two shares
    (``clipedu.batched.SHARES``), each one model, ``clipedu.batched.BatchedWGAN``, whose weights have a
    leading run axis: one traced step and one call into TensorFlow serve all the runs of a share, and
    the shares train at the same time on a machine of two CPUs or more
    (``clipedu.batched.ConcurrentWGANs``). The traced steps are kept for later calls: a later group of
    the same kind, as many runs, batch size, c or λ, learning rates, ε, ρ or β's (as in a schedule of calls)
    trains in them, restarted from its own runs' weights, optimizer states and seeds. Each yielded
    ``wgan`` is the one ``build`` returned, its weights, optimizer state and noise seed copied out of
    the batch; during training, before every callback event, its networks hold the run's current
    weights, so that the callbacks of ``clipedu.recording`` work unchanged. A run whose losses or
    weights stop being finite is stopped, with a RuntimeWarning naming it and the iteration; the
    others train on. A callback that sets ``wgan.stop_training`` stops its run alone.

    Other runs (spectral normalization, other layers or optimizers, a ``tf.data.Dataset`` as ``x``,
    ``fit`` arguments other than ``batch_size``, ``epochs``, ``steps_per_epoch``, ``shuffle`` and
    ``verbose``) train one after another, each run's freshly built weights, optimizer state, noise
    seed, c and λ copied into the model of an earlier run of the same kind, whose step is traced
    already; that model is then what is yielded, and it holds the latest run's weights: measure it
    before asking for the next.

    Args:
        build: a function of the seed, or of the setting and the seed, returning a compiled ``WGAN``.
            It is called for every run before the first is trained.
        x: the real samples, as for ``WGAN.fit``.
        seeds: the seeds, non-negative integers.
        settings: anything to iterate over (labels, dicts ...), each passed to ``build``; or None.
        callbacks: a function of no arguments returning fresh callbacks for one run, or None.
        fit_kwargs: passed to ``WGAN.fit`` (``epochs``, ``batch_size``, ``verbose`` ...).
    """
    if not callable(build):
        raise TypeError(f"build must be a function of the seed returning a WGAN, got {build!r}")
    if callbacks is not None and not callable(callbacks):
        raise TypeError(f"callbacks must be a function returning a list of callbacks, or None, got {callbacks!r}")
    seeds = [checks.seed(seed) for seed in seeds]
    runs = seeds if settings is None else [(setting, seed) for setting in settings for seed in seeds]
    return _fit_seeds(build, x, runs, settings is not None, callbacks, fit_kwargs)


_BATCHED_FIT_ARGUMENTS = {"batch_size", "epochs", "steps_per_epoch", "shuffle", "verbose"}


def _fit_seeds(build, x, runs, with_settings, callbacks, fit_kwargs):
    wgans = []
    for run in runs:
        wgan = build(*run) if with_settings else build(run)
        if not isinstance(wgan, WGAN) or getattr(wgan, "critic_optimizer", None) is None:
            arguments = ", ".join(map(repr, run if with_settings else (run,)))
            raise TypeError(f"build({arguments}) must return a compiled WGAN, got {wgan!r}")
        wgans.append(wgan)
    groups = {}  # a batch kind: the indices of its runs
    if not set(fit_kwargs) - _BATCHED_FIT_ARGUMENTS and (isinstance(x, np.ndarray) or keras.ops.is_tensor(x)):
        for i, wgan in enumerate(wgans):
            kind = _batch_kind(wgan)
            if kind is not None:
                groups.setdefault(kind, []).append(i)
    batches = {i: group for group in groups.values() if len(group) > 1 for i in group}
    done = {}  # run index: its trained WGAN and callbacks
    trained = []  # one WGAN per kind of run trained one by one, its training step traced on its first fit
    for i, run in enumerate(runs):
        if i in batches and i not in done:
            group = batches[i]
            run_callbacks = [list(callbacks()) if callbacks is not None else [] for _ in group]
            _fit_batched([wgans[j] for j in group], [runs[j] for j in group], x, run_callbacks, fit_kwargs)
            done.update({j: (wgans[j], c) for j, c in zip(group, run_callbacks)})
        if i in done:
            yield run, *done.pop(i)
            continue
        wgan = wgans[i]
        trainer = next((t for t in trained if _kind(t) == _kind(wgan)), None)
        if trainer is None:
            trained.append(trainer := wgan)
        else:
            _copy_state(wgan, trainer)
        run_callbacks = list(callbacks()) if callbacks is not None else []
        trainer.fit(x, callbacks=run_callbacks, **fit_kwargs)
        yield run, trainer, run_callbacks


def _kind(wgan):
    """What two WGANs must share for one to be trained in the other's traced step."""
    def optimizer(o):
        return type(o), {k: v for k, v in o.get_config().items() if k not in ("name", "learning_rate")}

    return (wgan.n_critic, wgan.latent_dim, type(wgan.method),
            wgan.steps_per_execution, optimizer(wgan.critic_optimizer), optimizer(wgan.generator_optimizer),
            _structure(wgan.critic.get_config()), _structure(wgan.generator.get_config()),
            [tuple(w.shape) for w in wgan.critic.weights], [tuple(w.shape) for w in wgan.generator.weights])


def _structure(config):
    """A network's config without what differs between networks built alike: names, initializers, seeds."""
    if isinstance(config, dict):
        return {k: _structure(v) for k, v in config.items() if k not in ("name", "seed") and "initializer" not in k}
    if isinstance(config, (list, tuple)):
        return [_structure(v) for v in config]
    return config


def _copy_state(source, target):
    """Copies a freshly built WGAN's weights, optimizer state, noise seed, c and λ into one already traced."""
    target.critic.set_weights(source.critic.get_weights())
    target.generator.set_weights(source.generator.get_weights())
    for name in ("critic_optimizer", "generator_optimizer"):
        for into, value in zip(getattr(target, name).variables, getattr(source, name).variables):
            into.assign(value)
    target.seed_generator.state.assign(source.seed_generator.state)
    target.seed = source.seed
    target.method = source.method


def _batch_kind(wgan):
    """What WGANs must share to train as one ``BatchedWGAN``, or None if this one cannot."""
    kind = _step_kind(wgan)
    if kind is None:
        return None
    return kind + (int(keras.ops.convert_to_numpy(wgan.critic_optimizer.iterations)),
                   int(keras.ops.convert_to_numpy(wgan.generator_optimizer.iterations)))


def _step_kind(wgan):
    """What WGANs must share for ``BatchedWGAN``'s traced step to serve them (their counts of updates
    may differ), or None if this one cannot be batched."""
    if type(wgan) is not WGAN or any(batched.why_not_stackable_network(n) for n in (wgan.critic, wgan.generator)) \
            or any(batched.why_not_stackable_optimizer(o) for o in (wgan.critic_optimizer, wgan.generator_optimizer)):
        return None
    constraint = "penalty" if isinstance(wgan.method, GradientPenalty) else "clipping or none"  # see _engine
    return (wgan.n_critic, wgan.latent_dim, constraint, wgan.steps_per_execution, bool(wgan.jit_compile),
            repr(batched.optimizer_settings(wgan.critic_optimizer)),
            repr(batched.optimizer_settings(wgan.generator_optimizer)),
            repr(_structure(wgan.critic.get_config())), repr(_structure(wgan.generator.get_config())),
            tuple(tuple(w.shape) for w in wgan.critic.weights + wgan.generator.weights))


# BatchedWGANs traced already, by what their step holds fixed (see _engine), the most recently used last.
_ENGINES = {}
_ENGINES_KEPT = 4 * batched.SHARES  # four groups' shares


def _engine(wgans, batch_size, share):
    """A ``BatchedWGAN`` starting from the alike ``wgans``: one traced for an earlier group's share
    number ``share`` that its step can serve (the same kind of run, runs, batch size, c or λ, learning
    rates, ε, ρ or β's), restarted from these runs, or else a new one, kept for later groups. (The share's
    number is part of the key: two shares of one group, alike, must not get the same engine.)"""
    first, method = wgans[0], wgans[0].method
    runs = {"critics": [w.critic for w in wgans], "generators": [w.generator for w in wgans],
            "critic_optimizers": [w.critic_optimizer for w in wgans],
            "generator_optimizers": [w.generator_optimizer for w in wgans],
            # Unconstrained runs train beside clipped ones, with c = inf; a batch of them alone clips nothing.
            "clip": [w.method.c if isinstance(w.method, WeightClipping) else float("inf") for w in wgans]
            if any(isinstance(w.method, WeightClipping) for w in wgans) else None,
            "penalty": [w.method.weight for w in wgans] if isinstance(method, GradientPenalty) else None,
            "seeds": [keras.ops.convert_to_numpy(w.seed_generator.state) for w in wgans]}
    constants = [(float(keras.ops.convert_to_numpy(o.learning_rate)), float(np.float32(o.epsilon)),
                  *(getattr(o, name) for name in batched.PER_RUN[type(o).__name__]))
                 for w in wgans for o in (w.critic_optimizer, w.generator_optimizer)]
    key = (share, _step_kind(first), batch_size, len(wgans), repr(runs["clip"]), repr(runs["penalty"]), repr(constants))
    engine = _ENGINES.pop(key, None)
    if engine is None:
        engine = batched.BatchedWGAN(**runs, n_critic=first.n_critic, batch_size=batch_size,
                                     jit_compile=bool(first.jit_compile))
    else:
        engine.restart(**runs)
    _ENGINES[key] = engine
    while len(_ENGINES) > _ENGINES_KEPT:
        del _ENGINES[next(iter(_ENGINES))]
    return engine


def _fit_batched(wgans, runs, x, run_callbacks, fit_kwargs):
    """Trains the alike ``wgans`` as one ``BatchedWGAN``, as ``WGAN.fit(x, **fit_kwargs)`` trains each."""
    first = wgans[0]
    epochs = checks.positive_int("epochs", fit_kwargs.get("epochs", 1))
    verbose, shuffle = fit_kwargs.get("verbose", "auto"), fit_kwargs.get("shuffle", True)
    steps_per_epoch = fit_kwargs.get("steps_per_epoch")
    batch_size = fit_kwargs.get("batch_size")
    x = _checked_samples(x, first.critic)
    batch_size = first.n_critic * 64 if batch_size is None else checks.positive_int("batch_size", batch_size)
    orders = [_RunOrder(x, batch_size, first.n_critic, shuffle, w.seed_generator, steps_per_epoch) for w in wgans]
    steps = orders[0].steps_per_epoch
    # The runs in shares, trained at the same time on as many threads as there are CPUs (batched.ConcurrentWGANs).
    shares = np.array_split(np.arange(len(wgans)), min(batched.SHARES, len(wgans)))
    engine = batched.ConcurrentWGANs(_engine([wgans[r] for r in runs_of], batch_size, share)
                                     for share, runs_of in enumerate(shares))
    lists = [keras.callbacks.CallbackList(c, add_history=True, add_progbar=verbose != 0, verbose=verbose,
                                          epochs=epochs, steps=steps, model=w) for c, w in zip(run_callbacks, wgans)]
    per_call = first.steps_per_execution or 1
    training = list(range(len(wgans)))  # the runs still training

    def each(event, *args):
        for r in training:
            lists[r].set_model(wgans[r])  # a callback shared by several runs sees the run it is called for
            getattr(lists[r], event)(*args)

    for w in wgans:
        w.stop_training = False
    each("on_train_begin")
    epoch_logs = [None] * len(wgans)
    x = keras.ops.convert_to_tensor(x)
    for epoch in range(epochs):
        in_epoch = list(training)
        each("on_epoch_begin", epoch)
        totals = np.zeros((len(wgans), len(engine.names)), "float32")
        counts = np.zeros(len(wgans), "float32")
        for begin in range(0, steps, per_call):
            if not training:
                break
            k = min(per_call, steps - begin)
            for r in training:
                lists[r].set_model(wgans[r])
                lists[r].on_train_batch_begin(begin)
            values = engine.train(x, np.stack([order.next(k) for order in orders]))
            stopped_at = engine.stopped_at() - engine.iteration() + k  # within this call, or < 0
            weights = engine.weights()
            for r in list(training):
                ran = k if stopped_at[r] < 0 else stopped_at[r] + 1
                for i in range(ran):  # as keras.metrics.Mean adds them, one by one in float32
                    totals[r] += np.array([values[name][r, i] for name in engine.names], "float32")
                counts[r] += ran
                wgans[r].critic.set_weights(weights[r][0])
                wgans[r].generator.set_weights(weights[r][1])
                epoch_logs[r] = {name: float(totals[r, n] / counts[r]) for n, name in enumerate(engine.names)}
                lists[r].set_model(wgans[r])
                lists[r].on_train_batch_end(begin + per_call - 1, dict(epoch_logs[r]))
                if stopped_at[r] >= 0:
                    bad = {name: v for name, v in epoch_logs[r].items() if not math.isfinite(v)} or "a weight"
                    warnings.warn(f"run {runs[r]!r} stopped at generator iteration {epoch * steps + begin + ran} of "
                                  f"its fit: {bad} not finite; the other runs train on, and its history so far is kept",
                                  RuntimeWarning, stacklevel=3)
                    wgans[r].stop_training = True
                if wgans[r].stop_training:
                    engine.stop(r)
                    training.remove(r)
        for r in in_epoch:
            lists[r].set_model(wgans[r])
            lists[r].on_epoch_end(epoch, dict(epoch_logs[r]))
            if wgans[r].stop_training and r in training:
                engine.stop(r)
                training.remove(r)
        if not training:
            break
    stopped_at, iterations = engine.stopped_at(), engine.iteration()
    for r, w in enumerate(wgans):
        done = iterations if stopped_at[r] < 0 else int(stopped_at[r]) + 1  # the iterations run r made
        share, row = engine.locate(r)
        for stacked, optimizer, updates in [(share.critic_optimizer, w.critic_optimizer, first.n_critic * done),
                                            (share.generator_optimizer, w.generator_optimizer, done)]:
            stacked.write_to(optimizer, row, int(optimizer.iterations) + updates)
        w.seed_generator.state.assign(share.seeds.numpy()[row])
        lists[r].set_model(w)
        lists[r].on_train_end(epoch_logs[r])


class _RunOrder:
    """The rows of x, batch by batch, that ``WGAN.fit`` gives one run: a new order per pass over x.

    It gives the orders of ``_batch_orders``, the dataset ``fit`` iterates, without iterating it: each
    pass's seed comes from the same ``tf.data`` random numbers (an iterator of them costs a fraction of
    one of the orders, whose map function is instantiated anew for every iterator), and the pass's
    order from the same function of that seed.
    """

    def __init__(self, x, batch_size, n_critic, shuffle, seed_generator, steps_per_epoch):
        seeds, self.order = _pass_seeds(x, batch_size, n_critic, shuffle, seed_generator)
        seeds = seeds.with_options(_data_options())
        self.seeds = seeds.repeat() if steps_per_epoch is not None else seeds
        self.steps_per_epoch = steps_per_epoch or len(x) // batch_size
        self.passes = iter(self.seeds) if steps_per_epoch is not None else None
        self.pending = np.zeros((0, batch_size), "int32")

    def next(self, k):
        """The next ``k`` batches' row indices, shape (k, batch_size)."""
        while len(self.pending) < k:
            if self.passes is not None:  # with steps_per_epoch, fit's one iterator runs on over the passes
                seed = next(self.passes)
            else:
                # Without it, fit iterates x anew every epoch and, at each epoch's end, makes the next
                # epoch's iterator ahead of time: the random order moves on by two iterations an epoch.
                seed = next(iter(self.seeds))
                iter(self.seeds)
            self.pending = np.concatenate([self.pending, self.order(seed).numpy()])
        taken, self.pending = self.pending[:k], self.pending[k:]
        return taken


def _critic_input_shape(critic):
    shape = getattr(critic, "input_shape", None)
    return None if shape is None else tuple(shape[1:])


def _check_sample_spec(spec, critic):
    """Checks a dataset's element spec (a batch of samples, or a tuple whose first part is one)."""
    spec = spec[0] if isinstance(spec, tuple) else spec
    wanted = _critic_input_shape(critic)
    if not getattr(spec, "dtype", None) or not (spec.dtype.is_floating or spec.dtype.is_integer):
        raise TypeError(f"x must yield batches of numbers, got elements of {spec!r}")
    if wanted is not None and spec.shape.rank is not None and tuple(spec.shape[1:]) != wanted:
        raise ValueError(f"x must yield batches of samples of shape {wanted} (the critic's input), "
                         f"got batches of shape {tuple(spec.shape)}")


def _checked_samples(x, critic):
    """``x`` as a numpy array of floats after checking its type, its shape and that it is finite."""
    values = keras.ops.convert_to_numpy(x) if keras.ops.is_tensor(x) else np.asarray(x)
    if values.dtype.kind not in "biuf":
        raise TypeError(f"x must hold numbers, got an array of dtype {values.dtype}")
    wanted = _critic_input_shape(critic)
    if values.ndim < 2 or (wanted is not None and values.shape[1:] != wanted):
        raise ValueError(f"x must hold one sample per row, each of shape {wanted} (the critic's input), "
                         f"got an array of shape {values.shape}")
    values = values.astype(keras.config.floatx(), copy=False)
    finite = np.isfinite(values).reshape(len(values), -1).all(axis=1)
    if not finite.all():
        row = int(np.argmin(finite))
        shown = values[row].tolist() if values[row].size <= 8 else f"not finite (shape {values[row].shape})"
        raise ValueError(f"x must be finite: row {row} is {shown} "
                         f"({np.count_nonzero(~finite)} of {len(values)} rows are not finite)")
    return values


def _pass_seeds(x, batch_size, n_critic, shuffle, seed_generator):
    """The seeds of the passes over x, and the order of a pass as a function of its seed.

    Returns a tf.data.Dataset of one random number, a new one at every iteration over it, and a
    function of that number giving the row indices of x as a (steps, batch_size) matrix, in a random
    order if ``shuffle``; steps = ``len(x) // batch_size``. It draws one number from
    ``seed_generator``, the seed of all the passes, as ``fit`` does once per call.
    """
    import tensorflow as tf

    if batch_size % n_critic:
        raise ValueError(f"batch_size must be a multiple of n_critic={n_critic} (n_critic · m), got {batch_size}")
    rows = int(x.shape[0])
    steps = rows // batch_size
    if steps == 0:
        raise ValueError(f"x has {rows} samples, fewer than batch_size={batch_size}")
    seed = int(keras.random.randint((), 0, 2**31 - 1, seed=seed_generator))

    def order(epoch_seed):
        indices = tf.range(rows)
        if shuffle:
            indices = tf.random.experimental.stateless_shuffle(indices, seed=tf.stack([epoch_seed, 0]))
        return tf.reshape(indices[:steps * batch_size], (steps, batch_size))

    return tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).take(1), order


def _data_options():
    import tensorflow as tf

    options = tf.data.Options()
    options.autotune.enabled = False
    options.experimental_optimization.apply_default_optimizations = False  # as Keras: no graph rewrite of x
    return options


def _batch_orders(x, batch_size, n_critic, shuffle, seed_generator):
    """A tf.data.Dataset of the row indices of x, one (steps, batch_size) matrix per pass over x, in a
    new order every pass if ``shuffle``; steps = ``len(x) // batch_size`` (see ``_pass_seeds``)."""
    seeds, order = _pass_seeds(x, batch_size, n_critic, shuffle, seed_generator)
    return seeds.map(order).with_options(_data_options())


def _real_batches(x, batch_size, n_critic, shuffle, seed_generator):
    """A tf.data.Dataset of ``len(x) // batch_size`` batches of ``x``, in a new order every pass if
    ``shuffle``."""
    import tensorflow as tf

    x = keras.ops.convert_to_tensor(x)
    orders = _batch_orders(x, batch_size, n_critic, shuffle, seed_generator)
    steps = int(orders.element_spec.shape[0])
    return (orders.flat_map(tf.data.Dataset.from_tensor_slices).map(lambda i: tf.gather(x, i)).prefetch(1)
            .apply(tf.data.experimental.assert_cardinality(steps)).with_options(orders.options()))


class _StopOnNaN(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        if not self.model.is_finite(logs):
            bad = {k: v for k, v in (logs or {}).items() if not math.isfinite(float(v))} or "a weight"
            warnings.warn(f"training stopped at batch {batch}: {bad} not finite; the history recorded so far is kept",
                          RuntimeWarning, stacklevel=2)
            self.model.stop_training = True
