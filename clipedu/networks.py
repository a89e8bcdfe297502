"""Small multilayer perceptrons, the critics and generators of the WGAN notebooks."""

import keras
import numpy as np

from clipedu import checks


def _layer_initializers(initializer, count, seed):
    """``count`` initializers like ``initializer``, each with its own seed.

    A Keras 3 initializer fixes its seed when it is created: one instance shared by several layers
    would give every layer of the same shape the same values. With ``seed`` None each instance draws
    its seed from Keras' global random state (``keras.utils.set_random_seed``); otherwise the layer
    seeds are derived from ``seed``. A plain function is passed on as it is: it has no seed to set.
    """
    template = keras.initializers.get(initializer)
    if not isinstance(template, keras.initializers.Initializer):
        return [template] * count
    config = template.get_config()
    if "seed" not in config:  # constant initializers: nothing random to share
        return [type(template).from_config(config) for _ in range(count)]
    seeds = [None] * count if seed is None else np.random.SeedSequence(seed).generate_state(count).tolist()
    return [type(template).from_config({**config, "seed": layer_seed}) for layer_seed in seeds]


def mlp(input_dim, output_dim, *, depth=3, width=128, activation="relu", initializer="glorot_uniform",
        use_bias=True, seed=None, name=None):
    """A ``keras.Sequential`` of ``depth`` hidden Dense layers of ``width`` units, then a linear output.

    The WGAN-GP toy experiments use depth 3, width 512, ReLU; the notebooks scale that down.

    Args:
        input_dim, output_dim: sizes of the input and of the (linear) output.
        depth: number of hidden layers (0 gives a linear model).
        width: units per hidden layer.
        activation: a Keras activation name or callable, for the hidden layers.
        initializer: a Keras initializer (name, instance or callable) for the kernels; every layer
            gets its own copy with its own seed, so no two kernels start equal.
        use_bias: whether the layers add a bias; without, a ReLU network is positively homogeneous
            (scaling every kernel by a > 0 scales the output by a to the power of the layer count).
        seed: an integer from which every layer's seed is derived, or None for Keras' global random
            state (set by ``keras.utils.set_random_seed``). A seed inside ``initializer`` is replaced.
        name: the model's name.
    """
    input_dim = checks.positive_int("input_dim", input_dim)
    output_dim = checks.positive_int("output_dim", output_dim)
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 0:
        raise ValueError(f"depth must be a non-negative integer, got {depth!r}")
    width = checks.positive_int("width", width)
    if not isinstance(use_bias, bool):
        raise TypeError(f"use_bias must be True or False, got {use_bias!r}")
    seed = checks.seed(seed)
    try:
        keras.activations.get(activation)
        initializers = _layer_initializers(initializer, depth + 1, seed)
    except (ValueError, TypeError) as error:
        raise ValueError(f"unknown activation {activation!r} or initializer {initializer!r}: {error}") from error
    layers = [keras.Input((input_dim,))]
    for i in range(depth):
        layers.append(keras.layers.Dense(width, activation=activation, kernel_initializer=initializers[i],
                                         use_bias=use_bias, name=f"hidden_{i + 1}"))
    layers.append(keras.layers.Dense(output_dim, kernel_initializer=initializers[-1], use_bias=use_bias,
                                     name="output"))
    return keras.Sequential(layers, name=name)
