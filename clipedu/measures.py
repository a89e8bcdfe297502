"""Measurements of a WGAN critic and its generator (weights at ±c, gradient norms, distances,
surfaces), and of a training run's loss (spikes).

Plain functions of a model's current state; ``clipedu.recording`` calls them during training. The
functions of a run's numbers (spikes, distances, modes) are plain numpy: the module imports Keras only
inside the functions that measure a model, so that ``clipedu.gradlog`` loads without TensorFlow.
"""

import functools

import numpy as np

from clipedu import checks


def critic_weights(critic):
    """All trainable values of ``critic`` (kernels and biases), flattened into one numpy array."""
    import keras

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
    import keras

    if not isinstance(critic, keras.Sequential):
        raise TypeError(f"critic must be a keras.Sequential, got {type(critic).__name__}")
    real, fake = keras.ops.convert_to_tensor(real), keras.ops.convert_to_tensor(fake)
    norms = activation_gradient_norms_tensor(critic, real, fake)
    return keras.ops.convert_to_numpy(norms).astype(np.float64)


def activation_gradient_norms_tensor(critic, real, fake):
    """``activation_gradient_norms`` as one tensor, its arguments tensors already: it can run inside a
    compiled function (``tf.function``), as the WGAN Lab measures its critic."""
    import keras
    import tensorflow as tf

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
    return keras.ops.stack([_norm(g) for g in grads])


def _norm(g):
    """sqrt(sum(g²)), scaled by the largest |g| first: squared, entries below about 1e-19 would fall
    under float32's smallest normal number (1.2e-38) and the norm of a tiny, non-zero gradient would
    read exactly 0."""
    import keras

    scale = keras.ops.max(keras.ops.abs(g))
    safe = keras.ops.where(scale > 0, scale, keras.ops.ones_like(scale))
    return scale * keras.ops.sqrt(keras.ops.sum(keras.ops.square(g / safe)))


def growth_per_layer(norms):
    """The factor by which a gradient norm grows, per hidden layer, on its way back to the input.

    ``norms`` are ``activation_gradient_norms`` of a critic of hidden layers and a linear output,
    input side first; the factor is the geometric mean of norms[k] / norms[k + 1] over the hidden
    layers, (norms[0] / norms[-2]) ** (1 / (len(norms) - 2)): above 1 the gradient grows
    exponentially towards the input, below 1 it decays; 0 when the first layer's norm is exactly 0.
    Gulrajani et al. (2017, section 3.2): with weight clipping "the gradient either grows or decays
    exponentially as we move farther back in the network".
    """
    norms = np.asarray(norms, dtype=np.float64)
    if norms.ndim != 1 or len(norms) < 3 or not np.all(np.isfinite(norms)) or np.any(norms < 0) or norms[-2] <= 0:
        raise ValueError(f"norms must be at least three finite non-negative numbers, the last hidden layer's "
                         f"positive, got {norms!r}")
    return float((norms[0] / norms[-2]) ** (1 / (len(norms) - 2)))


def active_units(critic, x):
    """For each hidden layer of ``critic`` (a ``keras.Sequential``), how many of its units are active
    (output above 0) for at least one row of ``x``: a list of ints, input side first."""
    import keras

    if not isinstance(critic, keras.Sequential):
        raise TypeError(f"critic must be a keras.Sequential, got {type(critic).__name__}")
    h, counts = keras.ops.convert_to_tensor(x), []
    for layer in critic.layers[:-1]:
        h = layer(h)
        counts.append(int(np.sum(np.any(keras.ops.convert_to_numpy(h) > 0, axis=0))))
    return counts


def critic_surface(critic, limits=(-2.0, 2.0), n=101):
    """The critic's value on an n × n grid over limits²: returns (grid points along one axis, values)."""
    import keras

    low, high = limits
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(f"limits must be two finite numbers, low < high, got {limits!r}")
    n = checks.positive_int("n", n)
    axis = np.linspace(low, high, n, dtype=np.float32)
    x, y = np.meshgrid(axis, axis)
    values = critic(np.stack([x.ravel(), y.ravel()], axis=1), training=False)
    return axis, keras.ops.convert_to_numpy(values).reshape(n, n)


def peak_prominences(values):
    """Every local maximum of a value surface on a grid, with its prominence.

    A local maximum is a grid point (the border included) that no neighbour of its eight exceeds; a
    plateau of equal values counts once. Its **prominence** is how far one must descend from it to
    reach higher ground: its height minus the highest level at which a path of neighbouring grid
    points joins it to a higher point (the topographers' measure). The highest point's prominence is
    the surface's range, its maximum minus its minimum. Prominence tells a bump from the ripples on
    its flanks, and does not change when the surface is shifted or scaled by a positive factor.

    Args:
        values: an array of shape (rows, columns), both at least 2, finite.

    Returns:
        Three numpy arrays, one entry per local maximum, highest first: its row, its column and its
        prominence.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2 or min(values.shape) < 2 or not np.all(np.isfinite(values)):
        raise ValueError(f"values must be a finite 2-D grid of at least 2 × 2, got shape {values.shape}")
    rows, columns = values.shape
    flat = values.ravel()
    neighbours = _grid_neighbours(rows, columns)
    height = flat.tolist()
    # Grid points are flooded from the highest down (union-find): a point none of whose neighbours is
    # flooded yet starts a component, with itself as its peak; where components meet, every peak but
    # the highest is cut off, its prominence its height minus the meeting level.
    parent, peak, prominence = [-1] * flat.size, {}, {}

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    order = np.argsort(-flat, kind="stable").tolist()
    for i in order:
        met = {root(j) for j in neighbours[i] if parent[j] >= 0}
        if len(met) == 1:  # the usual case: a flank of one component
            parent[i] = met.pop()
            continue
        if not met:
            parent[i], peak[i] = i, i
            continue
        highest, *others = sorted(met, key=lambda r: (-height[peak[r]], peak[r]))
        for r in others:
            prominence[peak[r]] = height[peak[r]] - height[i]
            parent[r] = highest
        parent[i] = highest
    top = peak[root(order[0])]
    prominence[top] = height[top] - height[order[-1]]
    ranked = sorted(prominence, key=lambda i: (-height[i], i))
    return (np.array([i // columns for i in ranked], dtype=int), np.array([i % columns for i in ranked], dtype=int),
            np.array([prominence[i] for i in ranked]))


@functools.lru_cache(maxsize=4)
def _grid_neighbours(rows, columns):
    """For each point of a rows × columns grid (flattened row by row), its up to eight neighbours."""
    row, column = np.divmod(np.arange(rows * columns), columns)
    neighbours = []
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if dy or dx:
                y, x = row + dy, column + dx
                inside = (y >= 0) & (y < rows) & (x >= 0) & (x < columns)
                neighbours.append(np.where(inside, y * columns + x, -1))
    return tuple(tuple(j for j in point if j >= 0) for point in np.stack(neighbours, axis=1).tolist())


def marked_modes(axis, values, centres, *, radius, prominence):
    """How many modes a critic's value surface marks with a peak of its own.

    A peak is a local maximum of the surface whose prominence (``peak_prominences``) is at least
    ``prominence`` times the surface's range (its maximum minus its minimum); a mode is marked when a
    peak lies within ``radius`` of its centre. Measured against the range, the count does not depend
    on the critic's scale. Gulrajani et al. (2017, section 3.1): weight-clipped critics ignore
    "higher moments of the data distribution" and model "very simple approximations"; a critic that
    resolves the modes of a mixture marks each of them.

    Args:
        axis: the grid's coordinates along either axis, increasing, as ``critic_surface`` returns
            them; ``values[i, j]`` is the surface at (axis[j], axis[i]).
        values: an array (len(axis), len(axis)), finite, not constant.
        centres: the modes' centres, an array (k, 2).
        radius: a positive number, in the units of ``axis``.
        prominence: a number in (0, 1], the smallest prominence of a peak as a fraction of the range.

    Returns:
        A dict: ``marked``, how many of the k modes a peak marks (0 to k); ``on_modes``, how many
        peaks lie within ``radius`` of some centre; ``peaks``, how many peaks the surface has (ints);
        ``positions``, the peaks' (x, y), an array (peaks, 2), highest first.
    """
    axis = np.asarray(axis, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    if axis.ndim != 1 or len(axis) < 2 or not np.all(np.isfinite(axis)) or np.any(np.diff(axis) <= 0):
        raise ValueError(f"axis must be at least two finite, increasing numbers, got {axis!r}")
    if values.shape != (len(axis), len(axis)):
        raise ValueError(f"values must have shape ({len(axis)}, {len(axis)}) to match axis, got {values.shape}")
    if not np.all(np.isfinite(values)) or np.ptp(values) == 0:
        raise ValueError("values must be finite and not all equal")
    centres = _points("centres", centres)
    if centres.shape[1] != 2:
        raise ValueError(f"centres must be points in the plane, shape (k, 2), got {centres.shape}")
    radius = checks.positive_finite("radius", radius)
    prominence = checks.positive_finite("prominence", prominence)
    if prominence > 1:
        raise ValueError(f"prominence must be a fraction of the range, in (0, 1], got {prominence!r}")
    rows, columns, prominences = peak_prominences(values)
    kept = prominences >= prominence * np.ptp(values)
    peaks = np.stack([axis[columns[kept]], axis[rows[kept]]], axis=1)
    near = np.linalg.norm(centres[:, None, :] - peaks[None, :, :], axis=2) <= radius
    return {"marked": int(np.sum(near.any(axis=1))), "on_modes": int(np.sum(near.any(axis=0))),
            "peaks": int(kept.sum()), "positions": peaks}


def set_distance(samples, real):
    """How far two point sets are apart, both ways: the mean distance from each point of one set to
    the nearest point of the other, averaged over the two directions. A generator that covers only
    part of the data scores badly through the real points it misses.

    Args:
        samples, real: arrays of shape (n, d) and (k, d), finite, n and k ≥ 1.
    """
    samples, real = _points("samples", samples), _points("real", real)
    if samples.shape[1] != real.shape[1]:
        raise ValueError(f"samples and real must have as many columns, got shapes {samples.shape} and {real.shape}")
    # |a - b|² = |a|² + |b|² - 2 a·b: one matrix product instead of an (n, k, d) array of differences.
    squared = (np.sum(samples ** 2, axis=1)[:, None] + np.sum(real ** 2, axis=1)[None, :]
               - 2 * samples @ real.T)
    # The root of the nearest squared distance is the nearest distance (the root is monotonic and
    # correctly rounded), taken of n + k numbers instead of n · k.
    nearest = [np.sqrt(np.maximum(squared.min(axis=axis), 0)) for axis in (1, 0)]
    return float((nearest[0].mean() + nearest[1].mean()) / 2)


def modes_covered(samples, centres, radius=0.1):
    """How many of the modes at ``centres`` the ``samples`` cover.

    A mode is covered when at least a quarter of its fair share of the samples (a fraction
    1 / (4k) of them, for k modes) lies within ``radius`` of its centre. The default 0.1 is about
    seven standard deviations of ``datasets.eight_gaussians``' modes, and far below half the distance
    between neighbouring ones (see ``datasets.mode_centres``), so that no sample counts for two modes.

    Args:
        samples: an array of shape (n, d), finite.
        centres: an array of shape (k, d), finite.
        radius: a positive number.

    Returns:
        An int from 0 to k.
    """
    samples, centres = _points("samples", samples), _points("centres", centres)
    if samples.shape[1] != centres.shape[1]:
        raise ValueError(f"samples and centres must have as many columns, got shapes {samples.shape} and "
                         f"{centres.shape}")
    radius = checks.positive_finite("radius", radius)
    near = np.linalg.norm(samples[:, None, :] - centres[None, :, :], axis=2) <= radius
    return int(np.sum(near.sum(axis=0) >= len(samples) / (4 * len(centres))))


def loss_spikes(losses, factor=3.0, window=50):
    """The steps whose loss exceeds ``factor`` times the median loss of the ``window`` steps before.

    A spike is judged against the run's own recent past, so that a slowly falling loss is not one
    and the first ``window`` steps are never one. Returns the step indices (0-based) as a numpy
    array of integers; a run that diverged (a loss of inf or nan) should be cut before its first
    non-finite loss.

    Args:
        losses: one loss per training step, finite numbers.
        factor: how many times the recent median a loss must exceed, a number above 1.
        window: how many steps before form the recent past, a positive integer.
    """
    try:
        losses = np.asarray(losses, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"losses must be a sequence of numbers, got {losses!r}") from error
    if losses.ndim != 1:
        raise ValueError(f"losses must be one number per step, got an array of shape {losses.shape}")
    if not np.all(np.isfinite(losses)):
        first = np.flatnonzero(~np.isfinite(losses))[0]
        raise ValueError(f"losses must be finite, got {losses[first]} at step {first} (cut a diverged run before it)")
    factor = checks.positive_finite("factor", factor)
    if factor <= 1:
        raise ValueError(f"factor must be above 1, got {factor!r}")
    window = checks.positive_int("window", window)
    if len(losses) <= window:
        return np.zeros(0, dtype=int)
    recent = np.lib.stride_tricks.sliding_window_view(losses[:-1], window)  # recent[i]: steps i .. i+window-1
    return window + np.flatnonzero(losses[window:] > factor * np.median(recent, axis=1))


def weight_gradients(critic, real, fake):
    """The gradient of the critic loss E[D(fake)] - E[D(real)] with respect to every trainable weight of
    ``critic``: one flat numpy array, in the order of ``critic_weights``."""
    import keras
    import tensorflow as tf

    real, fake = keras.ops.convert_to_tensor(real), keras.ops.convert_to_tensor(fake)
    with tf.GradientTape() as tape:
        loss = keras.ops.mean(critic(fake)) - keras.ops.mean(critic(real))
    grads = tape.gradient(loss, critic.trainable_variables)
    return np.concatenate([np.ravel(keras.ops.convert_to_numpy(g)) for g in grads]).astype(np.float64)


def rank_correlation(x, y):
    """Spearman's rank correlation of two sequences: Pearson's correlation of their ranks, tied values
    sharing the mean of their ranks. 1 when y rises whenever x does, -1 when it falls.

    Args:
        x, y: sequences of as many finite numbers, at least two, neither constant.
    """
    ranks = []
    for name, values in (("x", x), ("y", y)):
        try:
            values = np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise TypeError(f"{name} must be a sequence of numbers, got {values!r}") from error
        if values.ndim != 1 or len(values) < 2 or not np.all(np.isfinite(values)) or np.all(values == values[0]):
            raise ValueError(f"{name} must be at least two finite numbers, not all equal, got {values!r}")
        order = np.argsort(values, kind="stable")
        rank = np.empty(len(values))
        rank[order] = np.arange(len(values), dtype=np.float64)
        for value in np.unique(values):  # ties share the mean of their ranks
            rank[values == value] = rank[values == value].mean()
        ranks.append(rank)
    if len(ranks[0]) != len(ranks[1]):
        raise ValueError(f"x and y must be as long, got {len(ranks[0])} and {len(ranks[1])} numbers")
    return float(np.corrcoef(*ranks)[0, 1])


def _points(name, value):
    try:
        points = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be an array of points, got {type(value).__name__}") from error
    if points.ndim != 2 or len(points) == 0 or not np.all(np.isfinite(points)):
        raise ValueError(f"{name} must be a non-empty 2-D array of finite points, got shape {points.shape}")
    return points
