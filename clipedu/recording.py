"""Keras callbacks that record training: a WGAN critic's weights, gradients and samples (notebooks
04–07), any model's gradient norm before clipping and loss at every step. All of them work when ``fit`` runs
several steps per call into TensorFlow (``steps_per_execution``)."""

import keras
import numpy as np

from clipedu import checks
from clipedu.measures import activation_gradient_norms, critic_weights, fraction_at_bound


class StepCounter(keras.callbacks.Callback):
    """A base for callbacks that count the training steps ``fit`` has run, also when it runs several
    per call into TensorFlow: ``advance(batch)`` in ``on_train_batch_end`` returns how many ran.

    With ``compile(steps_per_execution=k)``, Keras calls ``on_train_batch_end`` once per k steps,
    with the index of the call's last step (beyond the epoch's end for a shorter last call). The
    count is kept per model, so that one callback can follow several runs trained side by side
    (``clipedu.fit_seeds`` sets each run's model before calling it).
    """

    def __init__(self):
        super().__init__()
        self._in_epoch = {}  # id of the model: the steps of its epoch counted so far

    def on_epoch_begin(self, epoch, logs=None):
        self._in_epoch[id(self.model)] = 0

    def advance(self, batch):
        """The number of steps the call that just ended ran."""
        end = batch + 1
        epoch_steps = (self.params or {}).get("steps")
        if epoch_steps:
            end = min(end, epoch_steps)
        ran, self._in_epoch[id(self.model)] = end - self._in_epoch.get(id(self.model), 0), end
        return ran


class _EveryN(StepCounter):
    """Calls ``record`` at the start of training and after every ``every`` generator iterations.

    When ``fit`` runs several iterations per call (``steps_per_execution``), a record falls at the
    end of the call that completes each ``every``; when ``every`` and the epoch's length are multiples
    of ``steps_per_execution``, that is exactly every ``every`` iterations. ``iterations`` holds the
    true counts either way.
    """

    def __init__(self, every):
        super().__init__()
        self.every = checks.positive_int("every", every)
        self.iterations = []
        self._done = 0

    def on_train_begin(self, logs=None):
        if not self.iterations:
            self._save(0)

    def on_train_batch_end(self, batch, logs=None):
        before = self._done
        self._done += self.advance(batch)
        if self._done // self.every > before // self.every:
            self._save(self._done)

    def _save(self, iteration):
        self.iterations.append(iteration)
        self.record()


class WeightHistory(_EveryN):
    """Snapshots of all critic weights of a ``clipedu.WGAN``, every ``every`` generator iterations.

    ``snapshots[i]`` holds the weights (see ``critic_weights``) after ``iterations[i]`` iterations.
    """

    def __init__(self, every=100):
        super().__init__(every)
        self.snapshots = []

    def record(self):
        self.snapshots.append(critic_weights(self.model.critic))

    def fraction_at_bound(self, c):
        """For each snapshot, the fraction of weights within float32 rounding of ±c."""
        c = checks.positive_finite("c", c)
        return np.array([fraction_at_bound(s, c) for s in self.snapshots])


class ActivationGradientHistory(_EveryN):
    """``activation_gradient_norms`` of a ``clipedu.WGAN``'s critic every ``every`` iterations.

    Measured on ``real`` and on as many fresh generated samples (noise from ``seed``).
    """

    def __init__(self, real, every=100, seed=0):
        super().__init__(every)
        self.real = np.asarray(real, np.float32)
        self.seed = checks.seed(seed)
        self.norms = []

    def record(self):
        wgan = self.model
        noise = keras.random.normal((len(self.real), wgan.latent_dim), seed=self.seed)
        fake = wgan.generator(noise, training=False)
        self.norms.append(activation_gradient_norms(wgan.critic, self.real, fake))


class SampleHistory(_EveryN):
    """Generated samples of a ``clipedu.WGAN`` every ``every`` iterations, always from the same noise."""

    def __init__(self, n=512, every=100, seed=0):
        super().__init__(every)
        self.n = checks.positive_int("n", n)
        self.seed = checks.seed(seed)
        self.samples = []

    def record(self):
        wgan = self.model
        noise = np.random.default_rng(self.seed).standard_normal((self.n, wgan.latent_dim)).astype(np.float32)
        self.samples.append(keras.ops.convert_to_numpy(wgan.generator(noise, training=False)))


class _StepValues:
    """Values computed inside the compiled training step, one per step, read after each call into
    TensorFlow: a ring of ``size`` slots per name (``size`` = ``steps_per_execution``)."""

    def __init__(self, size, names):
        self._size = size
        self._written = keras.Variable(0, dtype="int64", trainable=False, name="steps_written")
        self._read = 0
        self._rings = {name: keras.Variable(np.zeros(size, "float32"), trainable=False, name=name) for name in names}

    def write(self, **values):
        slot = keras.ops.reshape(keras.ops.mod(self._written.value, self._size), (1, 1))
        for name, value in values.items():
            ring = self._rings[name]
            ring.assign(keras.ops.scatter_update(ring.value, slot, keras.ops.reshape(keras.ops.cast(value, "float32"),
                                                                                     (1,))))
        self._written.assign_add(1)

    def read(self):
        """The values written since the last read, in order: a list per name."""
        written = int(keras.ops.convert_to_numpy(self._written))
        slots = [step % self._size for step in range(self._read, written)]
        self._read = written
        return {name: keras.ops.convert_to_numpy(ring)[slots].tolist() for name, ring in self._rings.items()}


def _steps_per_execution(model):
    return getattr(model, "steps_per_execution", 1) or 1


class GradientNormHistory(keras.callbacks.Callback):
    """The global norm of the gradient that the optimizer's clip argument sees, whether clipping
    changed it, and the length of the update, for every update ``fit`` makes with a Keras optimizer.

    A callback never sees the gradients, so this one wraps its model's optimizer: when training
    begins it replaces the optimizer's ``apply`` with one that first measures the gradients it is
    given, then calls the original; the train function is rebuilt so that the wrapper is in it. When
    training ends the optimizer is restored. Every step is recorded also when ``fit`` runs several
    per call (``steps_per_execution``). It needs a model that trains through ``model.optimizer``.

    It measures what the clip argument (``clipnorm``, ``global_clipnorm`` or ``clipvalue``) sees, as
    Keras 3 computes it (``BaseOptimizer._backend_apply_gradients``):

    - under mixed precision (``Model.compile`` wraps the optimizer in ``LossScaleOptimizer`` under the
      ``"mixed_float16"`` policy, or you did), the gradients divided by the loss scale that step, as
      the inner optimizer receives them before it clips. A step whose gradient is not finite is
      skipped by ``LossScaleOptimizer`` (no update, its scale halved): it is not recorded, and
      ``skipped`` counts it;
    - with ``gradient_accumulation_steps=k``, the mean of the k micro-batch gradients, which Keras
      clips on every k-th step and applies; the micro-steps between make no update and are not
      recorded.

    Attributes:
        norms: for each update, the global norm (over all trainable variables) of the gradient the
            clip argument saw, a list.
        clipped: for each update, whether the clip argument changed that gradient: a tensor's norm
            above ``clipnorm``, the global norm above ``global_clipnorm``, or an element above
            ``clipvalue`` in size (Keras' rules, in Keras' order of precedence); always False without
            one.
        update_norms: for each update, its length: the global norm of the change the optimizer made
            to the variables it was given: with plain SGD, the learning rate times the clipped
            gradient's norm; with Adam, set by its moment estimates.
        steps: for each update, the training step of ``fit`` (from 0, counted over every ``fit`` this
            callback followed) that made it: 0, 1, 2, ... unless steps were accumulated or skipped.
        skipped: the training steps that ``LossScaleOptimizer`` skipped for a non-finite gradient.
    """

    def __init__(self):
        super().__init__()
        self.norms, self.clipped, self.update_norms, self.steps, self.skipped = [], [], [], [], []
        self._count = 0

    def on_train_begin(self, logs=None):
        optimizer = getattr(self.model, "optimizer", None)
        if not isinstance(optimizer, keras.optimizers.Optimizer):
            raise ValueError(f"GradientNormHistory needs a model compiled with a Keras optimizer, got {optimizer!r}")
        if not optimizer.built:  # fit builds it in its first step; the wrapper reads its state before that
            optimizer.build(self.model.trainable_variables)
        scaled = isinstance(optimizer, keras.optimizers.LossScaleOptimizer)
        inner = optimizer.inner_optimizer if scaled else optimizer  # the one that clips
        self._steps = _StepValues(_steps_per_execution(self.model), ["norm", "clipped", "update", "applied", "finite"])
        original = optimizer.apply

        def apply(grads, trainable_variables=None):
            variables = optimizer._trainable_variables if trainable_variables is None else list(trainable_variables)
            pairs = [(keras.ops.cast(g, "float32"), v) for g, v in zip(grads, variables) if g is not None]
            scale = keras.ops.cast(optimizer.dynamic_scale if scaled else 1.0, "float32")
            if inner.loss_scale_factor:
                scale = scale * inner.loss_scale_factor
            present = [g / scale for g, _ in pairs]
            finite = keras.ops.all(keras.ops.stack([keras.ops.all(keras.ops.isfinite(g)) for g in present]))
            applied = finite if scaled else keras.ops.convert_to_tensor(True)
            steps = inner.gradient_accumulation_steps
            if steps:  # Keras clips and applies the mean on every steps-th call, and only accumulates before
                applied = keras.ops.logical_and(applied, keras.ops.equal((inner._iterations + 1) % steps, 0))
                sums = [inner._accumulated_gradients[inner._get_variable_index(v)] for _, v in pairs]
                present = [(g + keras.ops.cast(s, "float32")) / steps for g, s in zip(present, sums)]
            norm = keras.ops.sqrt(sum(keras.ops.sum(keras.ops.square(g)) for g in present))
            clipped = _clip_changes(inner, present, norm)
            before = [keras.ops.copy(v.value) for v in variables]
            result = original(grads, trainable_variables)
            changes = [keras.ops.cast(v.value - b, "float32") for v, b in zip(variables, before)]
            update = keras.ops.sqrt(sum(keras.ops.sum(keras.ops.square(d)) for d in changes))
            self._steps.write(norm=norm, clipped=clipped, update=update, applied=applied, finite=finite)
            return result

        optimizer.apply = apply
        self.model.make_train_function(force=True)

    def on_train_batch_end(self, batch, logs=None):
        steps = self._steps.read()
        if not steps["norm"]:
            self.on_train_end()
            raise ValueError("GradientNormHistory: the model trained a step, but its optimizer was not used (a "
                             "custom train_step with optimizers of its own?); nothing to record")
        for norm, clipped, update, applied, finite in zip(*(steps[name] for name in
                                                            ("norm", "clipped", "update", "applied", "finite"))):
            if applied:
                self.norms.append(norm)
                self.clipped.append(bool(clipped))
                self.update_norms.append(update)
                self.steps.append(self._count)
            elif not finite:
                self.skipped.append(self._count)
            self._count += 1

    def on_train_end(self, logs=None):
        del self.model.optimizer.apply  # the class's method again
        self.model.train_function = None  # the next fit builds one without the wrapper

    def save(self, path):
        """Writes the record as a CSV file, one row per update: ``step,grad_norm,clipped,update_norm``
        (``step`` from ``steps``, ``clipped`` as 0 or 1). ``clipedu.gradlog`` reads it."""
        with open(path, "w", encoding="utf-8") as file:
            file.write("step,grad_norm,clipped,update_norm\n")
            for step, norm, clipped, update in zip(self.steps, self.norms, self.clipped, self.update_norms):
                file.write(f"{step},{norm!r},{int(clipped)},{update!r}\n")


class LossHistory(keras.callbacks.Callback):
    """The loss of every step of ``fit``, each computed on that step's batch alone.

    ``fit``'s own per-batch logs are running means over the epoch, which hide a spike in the mean of
    all the steps before it. This callback wraps its model's ``compute_loss`` from the start of
    training to its end, keeping each training step's value (the loss ``fit`` minimises, regularization
    included), also when ``fit`` runs several steps per call (``steps_per_execution``); the train
    function is rebuilt so that the wrapper is in it.

    Attributes:
        losses: one float per step, in order.
    """

    def __init__(self):
        super().__init__()
        self.losses = []

    def on_train_begin(self, logs=None):
        self._steps = _StepValues(_steps_per_execution(self.model), ["loss"])
        original = self.model.compute_loss

        def compute_loss(x=None, y=None, y_pred=None, sample_weight=None, training=True):
            loss = original(x, y, y_pred, sample_weight, training=training)
            if training:
                self._steps.write(loss=loss)
            return loss

        self.model.compute_loss = compute_loss
        self.model.make_train_function(force=True)

    def on_train_batch_end(self, batch, logs=None):
        self.losses += self._steps.read()["loss"]

    def on_train_end(self, logs=None):
        del self.model.compute_loss  # the class's method again
        self.model.train_function = None  # the next fit builds one without the wrapper


def _clip_changes(optimizer, grads, norm):
    """Whether the optimizer's clip argument changes ``grads`` (global norm ``norm``), by Keras' rules."""
    if optimizer.clipnorm:
        return keras.ops.any(keras.ops.stack([keras.ops.sqrt(keras.ops.sum(keras.ops.square(g))) > optimizer.clipnorm
                                              for g in grads]))
    if optimizer.global_clipnorm:
        return norm > optimizer.global_clipnorm
    if optimizer.clipvalue:
        return keras.ops.any(keras.ops.stack([keras.ops.max(keras.ops.abs(g)) > optimizer.clipvalue for g in grads]))
    return keras.ops.convert_to_tensor(False)
