"""Weight clipping: a Keras 3 constraint, a way to put it on every weight, and a projection now.

References:
    Arjovsky, Chintala & Bottou (2017), Wasserstein GAN, Algorithm 1: every critic parameter is
    clipped into [-c, c] after every critic update.
"""

import warnings

import keras
import numpy as np

from clipedu import checks


@keras.saving.register_keras_serializable(package="clipedu")
class WeightClip(keras.constraints.Constraint):
    """Clips every value of a weight tensor into [-c, c].

    Keras applies a constraint inside ``optimizer.apply``: it first updates every variable that
    received a gradient, then replaces each of those that has a constraint by its constrained value.
    It never touches the initial weights (see ``clip_weights``).

    Args:
        c: the clipping bound, a positive finite number (the WGAN paper uses 0.01).
    """

    def __init__(self, c=0.01):
        self.c = checks.positive_finite("c", c)

    def __call__(self, w):
        return keras.ops.clip(w, -self.c, self.c)

    def get_config(self):
        return {"c": self.c}

    def __repr__(self):
        return f"WeightClip(c={self.c:g})"


def _layers(model):
    if not isinstance(model, keras.layers.Layer):
        raise TypeError(f"model must be a keras Model or Layer, got {model!r} ({type(model).__name__})")
    # Recurses into nested models and into RNN cells, where recurrent layers keep their weights.
    return model._flatten_layers(include_self=True, recursive=True)


def constrain_all(model, constraint):
    """Attaches ``constraint`` to every trainable weight of ``model``; returns ``model``.

    Sets every ``*_constraint`` attribute of every layer (``kernel_constraint``,
    ``bias_constraint``, ``gamma_constraint``, ``recurrent_constraint``, ...), which is what a
    ``.keras`` file saves, and the ``constraint`` of every trainable variable already built, which
    is what the optimizer applies. Warns about a layer that owns trainable weights but no
    ``*_constraint`` attribute: its weights are constrained now but not after a save and load.

    Args:
        model: a ``keras.Model`` or ``keras.layers.Layer``.
        constraint: a callable that maps a weight tensor to its constrained value, typically a
            ``keras.constraints.Constraint`` such as ``WeightClip(0.01)``.
    """
    if not callable(constraint):
        raise TypeError(f"constraint must be callable, e.g. WeightClip(0.01), got {constraint!r}")
    for layer in _layers(model):
        names = [name for name in vars(layer) if name.endswith("_constraint")]
        for name in names:
            setattr(layer, name, constraint)
        if layer._trainable_variables and not names:
            warnings.warn(
                f"layer {layer.name!r} ({type(layer).__name__}) has no *_constraint attribute: its "
                "weights are constrained in this session but the constraint is not saved with the model",
                stacklevel=2,
            )
    for variable in model.trainable_variables:
        variable.constraint = constraint
    return model


def clip_weights(model_or_variables, c):
    """Projects weights into [-c, c] now; returns how many values it changed.

    Keras applies constraints only after an update, so a freshly built model keeps weights outside
    [-c, c] until its first training step. Call this to start from clipped weights.

    Args:
        model_or_variables: a ``keras.Model`` or ``Layer`` (all its trainable variables), or a
            list of ``keras.Variable``.
        c: the clipping bound, a positive finite number.

    Returns:
        The number of weight values that were outside [-c, c] and now lie on ±c.
    """
    c = checks.positive_finite("c", c)
    if isinstance(model_or_variables, keras.layers.Layer):
        variables = model_or_variables.trainable_variables
    elif isinstance(model_or_variables, (list, tuple)) and all(
        isinstance(v, keras.Variable) for v in model_or_variables
    ):
        variables = model_or_variables
    else:
        raise TypeError(
            "model_or_variables must be a keras Model or Layer or a list of keras.Variable, "
            f"got {model_or_variables!r} ({type(model_or_variables).__name__})"
        )
    changed = 0
    for variable in variables:
        value = keras.ops.convert_to_numpy(variable)
        clipped = np.clip(value, -c, c)
        changed += int(np.count_nonzero(clipped != value))
        variable.assign(clipped)
    return changed


def scale_into(model, c):
    """Scales each kernel of ``model`` so that its largest value in size is ``c``: the kernels then lie
    in [-c, c] with their pattern kept, where ``clip_weights`` would pile most values on ±c.

    With zero biases, as Keras initialises them, a ReLU network's function is only multiplied by a
    positive constant (it is positively homogeneous), so critics started this way at different c
    differ in scale only. Biases are left as they are; an all-zero kernel too.

    Args:
        model: a ``keras.Model`` or ``Layer``.
        c: the bound, a positive finite number.

    Returns:
        ``model``.
    """
    c = checks.positive_finite("c", c)
    for layer in _layers(model):
        kernel = getattr(layer, "kernel", None)
        if isinstance(kernel, keras.Variable):
            value = keras.ops.convert_to_numpy(kernel)
            largest = np.abs(value).max()
            if largest > 0:
                kernel.assign(value * (c / largest))
    return model
