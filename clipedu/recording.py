"""Keras callbacks that record a WGAN critic during training, for the figures of notebooks 04–05."""

import numpy as np
from clipedu import _checks
from clipedu._keras import keras


def critic_weights(critic):
    """All trainable values of ``critic`` (kernels and biases), flattened into one numpy array."""
    return np.concatenate([np.ravel(keras.ops.convert_to_numpy(v)) for v in critic.trainable_variables])


def fraction_at_bound(weights, c):
    """The fraction of ``weights`` that lie on ±c (within float32 rounding)."""
    return float(np.mean(np.isclose(np.abs(weights), c, rtol=1e-6, atol=0)))


def activation_gradient_norms(critic, real, fake):
    """The norm of the gradient of the critic loss with respect to each layer's output.

    The loss is E[D(fake)] - E[D(real)], the WGAN critic's; the critic must be a
    ``keras.Sequential`` (as ``clipedu.mlp`` builds). Returns a numpy array with one norm per
    layer, input side first. Gulrajani et al. (2017, Figure 1b) plot these for weight-clipped
    critics: they explode or vanish with depth, depending on c.
    """
    import tensorflow as tf

    if not isinstance(critic, keras.Sequential):
        raise TypeError(f"critic must be a keras.Sequential, got {type(critic).__name__}")
    real = keras.ops.convert_to_tensor(real)
    fake = keras.ops.convert_to_tensor(fake)
    n_real = real.shape[0]
    with tf.GradientTape() as tape:
        h = keras.ops.concatenate([real, fake], axis=0)
        outputs = []
        for layer in critic.layers:
            h = layer(h)
            tape.watch(h)
            outputs.append(h)
        loss = keras.ops.mean(h[n_real:]) - keras.ops.mean(h[:n_real])
    grads = tape.gradient(loss, outputs)
    return np.array([float(keras.ops.sqrt(keras.ops.sum(keras.ops.square(g)))) for g in grads])


class _EveryN(keras.callbacks.Callback):
    """Calls ``record`` at the start of training and after every ``every`` generator iterations."""

    def __init__(self, every):
        super().__init__()
        self.every = _checks.positive_int("every", every)
        self.iterations = []
        self._done = 0

    def on_train_begin(self, logs=None):
        if not self.iterations:
            self._save(0)

    def on_train_batch_end(self, batch, logs=None):
        self._done += 1
        if self._done % self.every == 0:
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
        c = _checks.positive_finite("c", c)
        return np.array([fraction_at_bound(s, c) for s in self.snapshots])


class ActivationGradientHistory(_EveryN):
    """``activation_gradient_norms`` of a ``clipedu.WGAN``'s critic every ``every`` iterations.

    Measured on ``real`` and on as many fresh generated samples (noise from ``seed``).
    """

    def __init__(self, real, every=100, seed=0):
        super().__init__(every)
        self.real = np.asarray(real, np.float32)
        self.seed = _checks.seed(seed)
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
        self.n = _checks.positive_int("n", n)
        self.seed = _checks.seed(seed)
        self.samples = []

    def record(self):
        wgan = self.model
        noise = np.random.default_rng(self.seed).standard_normal((self.n, wgan.latent_dim)).astype(np.float32)
        self.samples.append(keras.ops.convert_to_numpy(wgan.generator(noise, training=False)))


def critic_surface(critic, limits=(-2.0, 2.0), n=101):
    """The critic's value on an n × n grid over limits²: returns (grid points along one axis, values)."""
    low, high = limits
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(f"limits must be two finite numbers, low < high, got {limits!r}")
    n = _checks.positive_int("n", n)
    axis = np.linspace(low, high, n, dtype=np.float32)
    x, y = np.meshgrid(axis, axis)
    values = critic(np.stack([x.ravel(), y.ravel()], axis=1), training=False)
    return axis, keras.ops.convert_to_numpy(values).reshape(n, n)
