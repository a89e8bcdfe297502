"""Small multilayer perceptrons, the critics and generators of the WGAN notebooks."""

from clipedu import _checks
from clipedu._keras import keras


def mlp(input_dim, output_dim, *, depth=3, width=128, activation="relu", initializer="glorot_uniform",
        name=None):
    """A ``keras.Sequential`` of ``depth`` hidden Dense layers of ``width`` units, then a linear output.

    The WGAN-GP toy experiments use depth 3, width 512, ReLU; the notebooks scale that down.

    Args:
        input_dim, output_dim: sizes of the input and of the (linear) output.
        depth: number of hidden layers (0 gives a linear model).
        width: units per hidden layer.
        activation: a Keras activation name or callable, for the hidden layers.
        initializer: a Keras initializer (name, instance or callable) for every kernel.
        name: the model's name.
    """
    input_dim = _checks.positive_int("input_dim", input_dim)
    output_dim = _checks.positive_int("output_dim", output_dim)
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 0:
        raise ValueError(f"depth must be a non-negative integer, got {depth!r}")
    width = _checks.positive_int("width", width)
    try:
        keras.activations.get(activation)
        keras.initializers.get(initializer)
    except (ValueError, TypeError) as error:
        raise ValueError(f"unknown activation {activation!r} or initializer {initializer!r}: {error}") from error
    layers = [keras.Input((input_dim,))]
    for i in range(depth):
        layers.append(keras.layers.Dense(width, activation=activation, kernel_initializer=initializer,
                                         name=f"hidden_{i + 1}"))
    layers.append(keras.layers.Dense(output_dim, kernel_initializer=initializer, name="output"))
    return keras.Sequential(layers, name=name)
