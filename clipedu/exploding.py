"""A recurrent network whose gradients explode: one linear unit reading sequences of 50 steps.

The unit computes h_t = w · h_{t-1} + u · x_t from h_0 = 0 and outputs h_50; the targets are what
the same unit gives with w = 0.8, u = 1. The output holds powers of w up to w^49, and the loss
gradient (the error times the output's derivative) powers up to w^97: for |w| > 1 it explodes, and
the loss surface rises into a steep wall. (Pascanu et al., Section 2: for a linear recurrence, a
largest eigenvalue of the recurrent weight matrix above 1 is necessary for explosion.) One plain
gradient step from w = 1.1 overshoots so far that the next loss overflows.

References:
    Pascanu, Mikolov & Bengio (2013), On the difficulty of training recurrent neural networks.
"""

import warnings

import keras
import numpy as np

from clipedu import checks, gradients

TIME_STEPS = 50
TRUE_W, TRUE_U = 0.8, 1.0


def _run_unit(w, u, x):
    """h_50 for every (w, u) of a grid and every sequence: shape (*grid, n_sequences)."""
    w = np.asarray(w, np.float64)[..., None]
    u = np.asarray(u, np.float64)[..., None]
    h = np.zeros(np.broadcast_shapes(w.shape, u.shape)[:-1] + (x.shape[0],))
    for t in range(x.shape[1]):
        h = w * h + u * x[:, t, 0]
    return h


def sequences(n=32, seed=0):
    """``n`` random input sequences x of shape (n, 50, 1) and their targets y of shape (n, 1)."""
    n = checks.positive_int("n", n)
    rng = np.random.default_rng(checks.seed(seed))
    x = rng.standard_normal((n, TIME_STEPS, 1)).astype(np.float32)
    y = _run_unit(TRUE_W, TRUE_U, x)[:, None].astype(np.float32)
    return x, y


def loss_surface(w, u, x, y):
    """The mean squared error at every (w, u); numpy arrays of broadcastable shapes."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.mean(np.square(_run_unit(w, u, x) - y[:, 0]), axis=-1)


def _point(name, value):
    try:
        point = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be a pair of numbers (w, u), got {value!r}") from error
    if point.shape != (2,) or not np.all(np.isfinite(point)):
        raise ValueError(f"{name} must be a pair of finite numbers (w, u), got {value!r}")
    return point


def bounces(loss, window=50):
    """Whether a run's loss rose on more than a fifth of its last ``window`` updates.

    A run that settles lowers its loss at every update; one that bounces around the minimum (steps
    too long for the valley) raises it on about every other update. Where an erratic run stands after
    a given number of updates can depend on float rounding: at learning rate 0.03 and threshold 10,
    seed 0's run ends at a loss of 0.48 in Keras' float32 and at 0.078 in ``descend``'s float64.

    Args:
        loss: the loss at each point of the run (``train_rnn(...)["loss"]``), at least two values.
        window: how many of the last updates to look at (≥ 1).
    """
    loss = np.asarray(loss, np.float64)
    window = checks.positive_int("window", window)
    if loss.ndim != 1 or len(loss) < 2:
        raise ValueError(f"loss must be a 1-D array of at least two values, got shape {loss.shape}")
    rises = np.diff(loss[-(window + 1):]) > 0
    return bool(np.count_nonzero(rises) > len(rises) / 5)


def steady_cycle(loss, window=20, tolerance=0.01):
    """Whether a run's loss repeats every two updates: a steady two-step cycle.

    Each of the run's last ``window`` losses must be within ``tolerance`` (relative) of the loss two
    updates before. A run that bounces (``bounces``) either steps back and forth across the valley between the same two
    points, a steady two-step cycle, or bounces erratically. A run that is still settling fails this
    test unless its loss falls by less than ``tolerance`` every two updates.

    Args:
        loss: the loss at each point of the run (``train_rnn(...)["loss"]``), at least ``window`` values.
        window: how many of the last losses to look at (≥ 3: at least one pair two updates apart).
        tolerance: the largest relative difference counted as equal (> 0).
    """
    loss = np.asarray(loss, np.float64)
    window = checks.positive_int("window", window)
    tolerance = checks.positive_finite("tolerance", tolerance)
    if window < 3:
        raise ValueError(f"window must be at least 3, got {window}")
    if loss.ndim != 1 or len(loss) < window:
        raise ValueError(f"loss must be a 1-D array of at least window = {window} values, got shape {loss.shape}")
    last = loss[-window:]
    return bool(np.allclose(last[2:], last[:-2], rtol=tolerance, atol=0))


def train_rnn(start, learning_rate, steps, *, clipvalue=None, clipnorm=None, global_clipnorm=None, seed=0):
    """Full-batch gradient descent with a real Keras SGD optimizer and its clipping argument.

    The network is ``keras.layers.SimpleRNN(1, activation=None, use_bias=False)``: its recurrent
    kernel is w and its kernel u, two separate 1×1 variables; so ``clipnorm``, which rescales each
    variable on its own, clips each of them exactly as ``clipvalue`` does.

    Args:
        start: the starting point (w, u).
        learning_rate: SGD's learning rate.
        steps: how many updates to make.
        clipvalue, clipnorm, global_clipnorm: at most one, passed to ``keras.optimizers.SGD``.
        seed: the seed of the training sequences (see ``sequences``).

    Returns:
        A dict of numpy arrays: ``w``, ``u`` and ``loss`` at each point visited (the start and
        after each update); for each update ``grad`` (the gradient (dw, du) before clipping),
        ``grad_norm`` (its global norm), ``clipped`` (whether the clipping argument changed it) and
        ``step_length`` (distance moved); and ``diverged`` (bool). A run whose loss or gradient
        becomes infinite or NaN stops with a warning and returns what it recorded.
    """
    import tensorflow as tf

    start = _point("start", start)
    learning_rate = checks.positive_finite("learning_rate", learning_rate)
    steps = checks.positive_int("steps", steps)
    clip = {name: checks.positive_finite(name, value)
            for name, value in [("clipvalue", clipvalue), ("clipnorm", clipnorm),
                                ("global_clipnorm", global_clipnorm)] if value is not None}
    if len(clip) > 1:
        raise ValueError(f"give at most one of clipvalue, clipnorm and global_clipnorm, got {clip}")
    x, y = sequences(seed=seed)

    rnn = keras.layers.SimpleRNN(1, activation=None, use_bias=False)
    model = keras.Sequential([keras.Input((TIME_STEPS, 1)), rnn])
    rnn.cell.recurrent_kernel.assign([[start[0]]])
    rnn.cell.kernel.assign([[start[1]]])
    variables = model.trainable_variables
    optimizer = keras.optimizers.SGD(learning_rate=learning_rate, **clip)
    optimizer.build(variables)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x) - y))
        grads = tape.gradient(loss, variables)
        optimizer.apply(grads, variables)
        return loss, tf.linalg.global_norm(grads), tf.concat([tf.reshape(g, [-1]) for g in grads], 0)

    clip_function = {"clipvalue": gradients.clip_by_value, "clipnorm": gradients.clip_by_norm,
                     "global_clipnorm": gradients.clip_by_global_norm}
    points, grads, grad_norms, clipped, diverged = [start], [], [], [], False
    logger = tf.get_logger()
    level = logger.level
    logger.setLevel("ERROR")  # each run traces its own step, which TensorFlow would warn about
    try:
        for _ in range(steps):
            loss, grad_norm, grad = step()
            loss, grad_norm, grad = float(loss), float(grad_norm), np.asarray(grad, np.float64)
            if not (np.isfinite(loss) and np.isfinite(grad_norm)):
                diverged = True
                when = f"after update {len(grad_norms)}" if grad_norms else "at the start"
                warnings.warn(f"training diverged: {when} the loss was {loss} and "
                              f"its gradient norm {grad_norm}; returning the run up to that point",
                              RuntimeWarning, stacklevel=2)
                break
            grad_norms.append(grad_norm)
            grads.append(grad)
            # w and u are two variables of one value each: the gradient is two tensors, as Keras sees it
            tensors = [grad[:1], grad[1:]]
            clipped.append(any(not np.array_equal(c, t) for name, value in clip.items()
                               for c, t in zip(clip_function[name](tensors, value), tensors)))
            points.append([float(keras.ops.convert_to_numpy(v)[0, 0])
                           for v in (rnn.cell.recurrent_kernel, rnn.cell.kernel)])
    finally:
        logger.setLevel(level)
    points = np.array(points)
    return {
        "w": points[:, 0],
        "u": points[:, 1],
        "loss": loss_surface(points[:, 0], points[:, 1], x, y),
        "grad": np.array(grads).reshape(-1, 2),
        "grad_norm": np.array(grad_norms),
        "clipped": np.array(clipped, bool),
        "step_length": np.linalg.norm(np.diff(points, axis=0), axis=1),
        "diverged": diverged,
    }


def descend(start, learning_rate, steps, clip, threshold, seeds):
    """Many clipped gradient-descent runs of the unit at once, in numpy float64 (no Keras).

    The same updates as ``train_rnn`` makes with Keras' SGD (float32), computed exactly in float64
    and for many runs side by side, so that a finding can be checked on several data draws quickly.
    Run ``i`` starts at ``start``, uses learning rate ``learning_rate[i]``, the clipping argument
    ``clip[i]`` ("clipvalue", "clipnorm" or "global_clipnorm"; for two variables of one value each,
    "clipnorm" is "clipvalue") with threshold ``threshold[i]``, on ``sequences(seed=seeds[i])``.
    Arguments are broadcast against each other.

    Returns:
        A dict of numpy arrays, one row per run: ``w``, ``u`` and ``loss`` at each point (shape
        (runs, steps + 1)), ``clipped`` (runs, steps), and ``diverged`` (runs,); a run that diverges
        keeps NaN from there on.
    """
    start = _point("start", start)
    steps = checks.positive_int("steps", steps)
    learning_rate, threshold, clip, seeds = np.broadcast_arrays(
        np.asarray(learning_rate, np.float64), np.asarray(threshold, np.float64), np.asarray(clip), np.asarray(seeds))
    learning_rate, threshold, clip, seeds = (a.ravel() for a in (learning_rate, threshold, clip, seeds))
    if not set(clip) <= {"clipvalue", "clipnorm", "global_clipnorm"}:
        raise ValueError(f"clip must name clipvalue, clipnorm or global_clipnorm, got {sorted(set(clip))}")
    data = {int(s): sequences(seed=int(s)) for s in set(seeds.tolist())}
    x = np.stack([data[int(s)][0][:, :, 0] for s in seeds]).astype(np.float64)   # (runs, n, T)
    y = np.stack([data[int(s)][1][:, 0] for s in seeds]).astype(np.float64)      # (runs, n)
    w = np.full(len(seeds), start[0])
    u = np.full(len(seeds), start[1])
    ws, us, clipped = [w], [u], []
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            h = dw = du = np.zeros_like(y)
            for t in range(x.shape[2]):  # forward-mode derivatives of h_t along with h_t
                dw, du = h + w[:, None] * dw, x[:, :, t] + w[:, None] * du
                h = w[:, None] * h + u[:, None] * x[:, :, t]
            error = 2 * (h - y) / y.shape[1]
            g = np.stack([np.sum(error * dw, 1), np.sum(error * du, 1)], 1)
            norm = np.linalg.norm(g, axis=1)
            by_value = np.clip(g, -threshold[:, None], threshold[:, None])
            by_norm = g * (threshold / np.maximum(norm, threshold))[:, None]
            new = np.where((clip == "global_clipnorm")[:, None], by_norm, by_value)
            clipped.append(np.any(new != g, axis=1))
            w, u = w - learning_rate * new[:, 0], u - learning_rate * new[:, 1]
            ws.append(w)
            us.append(u)
    w, u = np.stack(ws, 1), np.stack(us, 1)
    loss = np.stack([loss_surface(w[i], u[i], x[i][:, :, None], y[i][:, None]) for i in range(len(seeds))])
    diverged = ~np.all(np.isfinite(loss), axis=1)
    return {"w": w, "u": u, "loss": loss, "clipped": np.stack(clipped, 1), "diverged": diverged}
