"""Gradient clipping as the Keras optimizer arguments do it, as plain functions.

Each function takes a gradient as a list of arrays or tensors (one per variable; a single array, or
a flat list of numbers such as ``[0.1, 3.0]``, is one tensor) and returns a list of numpy arrays:
the update direction that an optimizer built with the same argument really applies. ``clipedu``'s
tests check that against Keras.

References:
    Pascanu, Mikolov & Bengio (2013), On the difficulty of training recurrent neural networks.
    Brock, De, Smith & Simonyan (2021), High-Performance Large-Scale Image Recognition Without
    Normalization (adaptive gradient clipping).
    Abadi, Chu, Goodfellow, McMahan, Mironov, Talwar & Zhang (2016), Deep Learning with Differential
    Privacy (per-example clipping).
"""

import numbers

import numpy as np

from clipedu import checks


def _as_arrays(grads):
    if isinstance(grads, (list, tuple)):
        if not grads:
            raise ValueError("grads must hold at least one array, got an empty list")
        # A flat list of numbers is one vector, not one scalar tensor per number.
        items = [grads] if all(isinstance(g, numbers.Number) for g in grads) else grads
    else:
        items = [grads]
    arrays = []
    for g in items:
        try:
            array = np.asarray(g)  # numpy arrays, lists, and eager tensors and variables of any backend
        except Exception as error:
            raise TypeError(f"grads must be arrays or tensors, got {g!r} ({type(g).__name__})") from error
        if not (np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)):
            raise TypeError(f"grads must hold numbers, got an array of dtype {array.dtype}")
        if np.issubdtype(array.dtype, np.integer):
            array = array.astype(np.float64)
        arrays.append(array)
    return arrays


def global_norm(grads):
    """The L2 norm of all tensors of ``grads`` taken together, as a float."""
    return float(np.sqrt(sum(np.sum(np.square(g, dtype=np.float64)) for g in _as_arrays(grads))))


def clip_by_value(grads, clipvalue):
    """Clips every element into [-clipvalue, clipvalue]: Keras ``clipvalue``.

    Elements are clipped independently, so the direction of the update can turn.
    """
    clipvalue = checks.positive_finite("clipvalue", clipvalue)
    return [np.clip(g, -clipvalue, clipvalue) for g in _as_arrays(grads)]


def clip_by_norm(grads, clipnorm):
    """Rescales each tensor on its own to L2 norm ≤ clipnorm: Keras ``clipnorm``.

    Each tensor keeps its direction, but tensors are scaled by different factors, so the direction
    of the whole update can turn.
    """
    clipnorm = checks.positive_finite("clipnorm", clipnorm)
    clipped = []
    for g in _as_arrays(grads):
        norm = np.sqrt(np.sum(np.square(g, dtype=np.float64)))
        clipped.append((g * (clipnorm / max(norm, clipnorm))).astype(g.dtype))
    return clipped


def clip_by_global_norm(grads, global_clipnorm):
    """Rescales all tensors by one factor so that their global norm is ≤ global_clipnorm.

    Keras ``global_clipnorm``: the direction of the whole update is kept.
    """
    global_clipnorm = checks.positive_finite("global_clipnorm", global_clipnorm)
    arrays = _as_arrays(grads)
    scale = global_clipnorm / max(global_norm(arrays), global_clipnorm)
    return [(g * scale).astype(g.dtype) for g in arrays]


def clip_per_example(per_example_grads, clipnorm, batch_size=None):
    """Each example's gradient rescaled to norm ≤ clipnorm, then summed and divided by the batch size.

    The clipping of DP-SGD (Abadi et al. 2016), without its noise: one example can move the result
    by at most clipnorm / batch_size, whatever its gradient. Clipping the batch's mean gradient
    instead (``clip_by_global_norm``) bounds only the length of the result, not one example's share.

    Args:
        per_example_grads: one gradient per example along the first axis: an array or tensor of shape
            (examples, ...), each example's gradient being one tensor.
        clipnorm: C, a positive finite number.
        batch_size: what the sum is divided by; by default the number of examples. DP-SGD keeps it
            fixed, so that leaving an example out removes its share and nothing else.

    Returns:
        A list holding one array: the clipped mean gradient, of the shape of one example's gradient.
    """
    clipnorm = checks.positive_finite("clipnorm", clipnorm)
    (grads,) = _as_arrays([per_example_grads])
    if grads.ndim < 2 or len(grads) == 0:
        raise ValueError(f"per_example_grads must hold one gradient per example along its first axis, got an array "
                         f"of shape {grads.shape}")
    batch_size = len(grads) if batch_size is None else checks.positive_int("batch_size", batch_size)
    norms = np.sqrt(np.sum(np.square(grads, dtype=np.float64), axis=tuple(range(1, grads.ndim)), keepdims=True))
    clipped = grads * (clipnorm / np.maximum(norms, clipnorm))
    return [(np.sum(clipped, axis=0) / batch_size).astype(grads.dtype)]


def _unit_norms(x):
    """The norm of each unit of ``x``, broadcast to its shape: over every axis but the last for a
    kernel (one value per output unit), over the whole tensor for a vector or a scalar."""
    axes = tuple(range(x.ndim - 1)) if x.ndim >= 2 else None
    return np.broadcast_to(np.sqrt(np.sum(np.square(x, dtype=np.float64), axis=axes, keepdims=True)), x.shape)


def adaptive_clip(grads, params, clipping, eps=1e-3):
    """Unit-wise adaptive gradient clipping: each unit's gradient to at most clipping · max(‖W‖, eps).

    A unit is one output unit of a kernel (the norm is taken over every axis but the last) or a whole
    bias or scale vector. For Dense kernels (rank 2) and convolution kernels (rank 4, Keras' and
    Haiku's (height, width, in, out)) that is what Brock et al.'s code and optax's
    ``adaptive_grad_clip`` do. For rank 3 they differ: optax and the NFNets code reduce over axis 0
    only, reading a rank-3 kernel as a multi-head linear layer (in, heads, out_per_head); here a
    rank-3 kernel is a Keras ``Conv1D`` kernel (width, in, out), whose output unit is its last axis,
    so the norm is over the first two axes. Use a multi-head layer's kernels with optax's reading in
    mind. A unit whose gradient norm exceeds clipping times its weights' norm
    (at least ``eps``, so that weights starting at zero can move) is rescaled to that norm; the
    others are left alone. Brock et al. use clipping = 0.01 with large batches and leave the final
    linear layer unclipped.

    Args:
        grads: one gradient per variable, as for the other functions here.
        params: the variables' current values, in the same order and shapes.
        clipping: λ, a positive finite number.
        eps: the smallest weight norm a unit is credited with, positive and finite.
    """
    clipping = checks.positive_finite("clipping", clipping)
    eps = checks.positive_finite("eps", eps)
    grads, params = _as_arrays(grads), _as_arrays(params)
    if [g.shape for g in grads] != [p.shape for p in params]:
        raise ValueError(f"grads and params must have the same shapes, got {[g.shape for g in grads]} "
                         f"and {[p.shape for p in params]}")
    clipped = []
    for g, p in zip(grads, params):
        grad_norm, largest = _unit_norms(g), clipping * np.maximum(_unit_norms(p), eps)
        scale = np.where(grad_norm > largest, largest / np.maximum(grad_norm, np.finfo(np.float64).tiny), 1.0)
        clipped.append((g * scale).astype(g.dtype))
    return clipped


def adaptive_clipping(optimizer, clipping=0.01, eps=1e-3):
    """A copy of ``optimizer`` that clips every step's gradients unit-wise, as ``adaptive_clip`` does.

    The copy has the optimizer's class and configuration and a fresh state; before each update it
    replaces the gradients by ``adaptive_clip(grads, weights, clipping, eps)``, computed in the
    training graph from the weights as they are at that step, and then proceeds as the optimizer
    would (its own ``clipnorm``, ``global_clipnorm`` or ``clipvalue``, if any, come after). Use it
    as any optimizer: ``model.compile(optimizer=adaptive_clipping(keras.optimizers.SGD(0.1)))``.
    Its class is made here, so a model saved with it loads with ``compile=False`` only.

    Args:
        optimizer: a Keras optimizer (it is left unchanged).
        clipping: λ, a positive finite number (Brock et al. use 0.01).
        eps: the smallest weight norm a unit is credited with, positive and finite.
    """
    import keras  # this module's other functions are plain numpy

    if not isinstance(optimizer, keras.optimizers.Optimizer):
        raise TypeError(f"optimizer must be a Keras optimizer, got {optimizer!r}")
    clipping = checks.positive_finite("clipping", clipping)
    eps = checks.positive_finite("eps", eps)

    def unit_norms(x):
        axes = tuple(range(len(x.shape) - 1)) if len(x.shape) >= 2 else None
        return keras.ops.sqrt(keras.ops.sum(keras.ops.square(x), axis=axes, keepdims=True))

    def clip_units(grad, weights):
        """``adaptive_clip`` for one gradient tensor, in Keras ops (inside the training graph)."""
        grad_norm = unit_norms(grad)
        largest = clipping * keras.ops.maximum(unit_norms(keras.ops.cast(weights, grad.dtype)), eps)
        scale = keras.ops.where(grad_norm > largest, largest / keras.ops.maximum(grad_norm, 1e-30), 1.0)
        return grad * keras.ops.cast(scale, grad.dtype)

    class AdaptiveClipping(type(optimizer)):
        def apply(self, grads, trainable_variables=None):
            variables = self._trainable_variables if trainable_variables is None else trainable_variables
            grads = [None if g is None else clip_units(g, v) for g, v in zip(grads, variables)]
            return super().apply(grads, trainable_variables)

    AdaptiveClipping.__name__ = AdaptiveClipping.__qualname__ = f"AdaptiveClipping{type(optimizer).__name__}"
    return AdaptiveClipping.from_config(optimizer.get_config())


def angle_between(a, b):
    """The angle in degrees between two gradients, all tensors of each flattened together.

    Raises ValueError when the two hold different numbers of values or either is zero (the angle
    of a zero vector is undefined).
    """
    a = np.concatenate([g.ravel() for g in _as_arrays(a)]).astype(np.float64)
    b = np.concatenate([g.ravel() for g in _as_arrays(b)]).astype(np.float64)
    if a.size != b.size:
        raise ValueError(f"a and b must hold the same number of values, got {a.size} and {b.size}")
    norm_a, norm_b = np.linalg.norm(a), np.linalg.norm(b)
    if norm_a == 0 or norm_b == 0:
        raise ValueError("the angle to a zero gradient is undefined (a or b has norm 0)")
    # Kahan's formula: exact 0 for parallel vectors, where arccos of a cosine loses precision.
    unit_a, unit_b = a / norm_a, b / norm_b
    angle = 2 * np.arctan2(np.linalg.norm(unit_a - unit_b), np.linalg.norm(unit_a + unit_b))
    return float(np.degrees(angle))
