"""Keras callbacks that record a WGAN critic during training, for the figures of notebooks 04–05,
and a progress bar."""

import numpy as np
from clipedu import _checks
from clipedu._keras import keras
from clipedu.measures import activation_gradient_norms, critic_weights, fraction_at_bound
from tqdm.auto import tqdm


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


def progress_bar(total, description="training"):
    """A Keras callback that advances a progress bar by one per batch (generator iteration)."""
    total = _checks.positive_int("total", total)

    class ProgressBar(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.bar = tqdm(total=total, desc=description)

        def on_train_batch_end(self, batch, logs=None):
            self.bar.update(1)
            if self.bar.n >= self.bar.total:
                self.bar.close()

    return ProgressBar()
