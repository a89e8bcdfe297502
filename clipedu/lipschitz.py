"""Lipschitz constants of critics: measured at points, bounded from the weights, and enforced by
spectral normalization.

A WGAN critic must be K-Lipschitz: |D(x) - D(y)| ≤ K ‖x - y‖. Weight clipping, the gradient
penalty and spectral normalization are three ways to keep it so.

References:
    Miyato, Kataoka, Koyama & Yoshida (2018), Spectral Normalization for Generative Adversarial
    Networks.
"""

import keras
import numpy as np

from clipedu import checks

# Activations whose slope never exceeds 1: through them a bound on the layers' norms holds.
_ONE_LIPSCHITZ = {"linear", "relu", "leaky_relu", "tanh", "elu"}


def gradient_norms(critic, x):
    """‖∇ₓD(x)‖₂ at each of the points ``x``: a numpy array with one norm per row.

    Args:
        critic: a Keras model with one output per sample.
        x: the points, an array of shape (n, features...), finite; real samples, generated ones,
            interpolates or a grid, as the question asks.
    """
    import tensorflow as tf

    if not isinstance(critic, keras.Model):
        raise TypeError(f"critic must be a keras Model, got {critic!r}")
    points = np.asarray(x, dtype=keras.config.floatx()) if not keras.ops.is_tensor(x) else x
    if len(points.shape) < 2 or points.shape[0] == 0 or not bool(np.all(np.isfinite(points))):
        raise ValueError(f"x must be a non-empty array of finite points, one per row, got shape {tuple(points.shape)}")
    points = tf.convert_to_tensor(points)
    with tf.GradientTape() as tape:
        tape.watch(points)
        scores = critic(points, training=False)
    if tuple(scores.shape[1:]) not in ((), (1,)):
        raise ValueError(f"critic must give one score per sample, got outputs of shape {tuple(scores.shape)}")
    grads = keras.ops.convert_to_numpy(tape.gradient(scores, points))
    return np.sqrt(np.sum(np.square(grads).reshape(len(grads), -1), axis=1))


def empirical(critic, x):
    """The largest ‖∇ₓD(x)‖₂ over the points ``x`` (see ``gradient_norms``): a lower bound on the
    critic's Lipschitz constant. Returns a float."""
    return float(gradient_norms(critic, x).max())


def _dense_layers(critic):
    """The critic's Dense layers (wrapped or not), after checking that nothing else can stretch inputs."""
    if not isinstance(critic, keras.Sequential):
        raise TypeError(f"critic must be a keras.Sequential of Dense layers, got {type(critic).__name__}")
    dense = []
    for layer in critic.layers:
        inner = layer.layer if isinstance(layer, keras.layers.SpectralNormalization) else layer
        if isinstance(inner, keras.layers.Dense):
            activation = keras.activations.serialize(inner.activation)
            name = activation if isinstance(activation, str) else activation.get("config", {}).get("name", "")
            if name not in _ONE_LIPSCHITZ:
                raise ValueError(f"layer {layer.name!r} has activation {name!r}, whose slope can exceed 1")
            dense.append(inner)
        elif not isinstance(layer, keras.layers.Dropout):  # the identity, outside training
            raise ValueError(f"upper_bound covers Dense layers only, got layer {layer.name!r} "
                             f"({type(layer).__name__})")
    return dense


def largest_singular_values(critic):
    """Each Dense layer's largest singular value (its kernel's spectral norm), input side first."""
    return np.array([np.linalg.norm(keras.ops.convert_to_numpy(layer.kernel), ord=2)
                     for layer in _dense_layers(critic)])


def upper_bound(critic):
    """The product of the Dense layers' largest singular values: a bound on the critic's Lipschitz constant.

    It holds for a ``keras.Sequential`` of Dense layers (spectrally normalized or not) whose
    activations have slopes of at most 1 (ReLU, leaky ReLU, tanh, ELU, none): each layer stretches
    distances by at most its kernel's spectral norm (biases shift, they do not stretch), and such an
    activation never stretches them. Other layers raise ValueError, since the bound would not hold.
    """
    return float(np.prod(largest_singular_values(critic)))


def spectral_normalize(model, power_iterations=1, seed=None):
    """A copy of ``model`` in which every Dense and convolution layer is wrapped in
    ``keras.layers.SpectralNormalization``; ``model`` itself is left unchanged.

    The copy starts from ``model``'s weights. Whenever it is called with ``training=True`` (as
    ``clipedu.WGAN`` calls its critic) each wrapper runs ``power_iterations`` steps of power
    iteration for its kernel's largest singular value σ and assigns kernel / σ to the kernel, so
    the layer's spectral norm is about 1 and the critic about 1-Lipschitz (``upper_bound``). Called
    with ``training=False`` it uses the kernel as last normalized, unchanged. To train it as a WGAN
    critic, give no clipping and no penalty: ``clipedu.WGAN(spectral_normalize(critic), generator,
    latent_dim, method=None)``.

    ``seed``: an integer from which each wrapper's starting vector of the power iteration is drawn,
    or None for Keras' global random state (``keras.utils.set_random_seed``).
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras Model, got {model!r}")
    if isinstance(power_iterations, bool) or not isinstance(power_iterations, int) or power_iterations < 1:
        raise ValueError(f"power_iterations must be a positive integer, got {power_iterations!r}")
    seed = checks.seed(seed)
    kinds = (keras.layers.Dense, keras.layers.Conv1D, keras.layers.Conv2D, keras.layers.Conv3D)
    pairs, wrappers = [], []

    def clone(layer):
        copy = type(layer).from_config(layer.get_config())
        pairs.append((layer, copy))
        if isinstance(layer, kinds):
            wrappers.append(keras.layers.SpectralNormalization(copy, power_iterations=power_iterations))
            return wrappers[-1]
        return copy

    normalized = keras.models.clone_model(model, clone_function=clone)
    for original, copy in pairs:
        copy.set_weights(original.get_weights())
    if seed is not None:
        for wrapper, layer_seed in zip(wrappers, np.random.SeedSequence(seed).generate_state(len(wrappers)).tolist()):
            start = keras.initializers.TruncatedNormal(stddev=0.02, seed=layer_seed)  # as the layer's own
            wrapper.vector_u.assign(start(wrapper.vector_u.shape))
    return normalized
