"""Many runs of a small recurrent network on the adding problem, trained side by side as one model.

Each run is Keras' ``SimpleRNN(units)`` (or, with ``cell="LSTM"`` or ``"GRU"``, Keras' ``LSTM(units)`` or
``GRU(units)`` with their default settings) followed by ``Dense(1)``, with the initial weights Keras gives
that model after ``keras.utils.set_random_seed(seed)``, trained on its own data:
``datasets.adding_problem`` drawn with the run's seed, a fresh batch every step. Seeds therefore differ
in initial weights *and* data; runs with the same seed and different settings start from the same
weights and see the same batches. The runs' weights are stacked along a leading run axis and updated
by one Keras optimizer. Adam and SGD act element by element, so each run's update is the one that
optimizer makes for that run alone; the optimizer runs with learning rate 1 and each run's change is
multiplied by its own learning rate, which for SGD and Adam (without weight decay) is the same update.
Each run's gradient is clipped here, before the optimizer sees it, by Keras' rules:

- ``global_clipnorm=τ``: the run's gradient (all its variables together) times τ / ‖g‖ when ‖g‖ > τ,
  as ``keras.optimizers.Optimizer(global_clipnorm=τ)`` does;
- ``adaptive=λ``: unit-wise adaptive clipping (Brock et al. 2021; ``clipedu.gradients.adaptive_clip``):
  each unit's gradient to at most λ · max(‖W_unit‖, 10⁻³), a unit being a kernel's column or a whole
  bias vector; the final Dense layer is left unclipped, as Brock et al. do, unless
  ``clip_final_layer=True``.

Recorded at every step, for every run: the global gradient norm before clipping, whether clipping
changed the gradient, the length of the update, the loss of the step's batch *before* the update
(each step's own value; ``fit`` logs a running mean of these over the epoch) and the loss on a fixed
probe set of 128 held-out sequences *after* the update (a fixed set, so that a spike there is not
made by the set it is measured on; the update itself came from the step's training batch), unless
``probe=False``. The test loss on 1 000 other
sequences is recorded every ``every`` steps. A run whose loss or gradient becomes non-finite stops
there (``diverged``); its later values are NaN.
"""

import keras
import numpy as np

from clipedu import datasets

PROBE_SEED, TEST_SEED = 10_001, 10_002
SETTINGS = ("learning_rate", "global_clipnorm", "adaptive", "clip_final_layer")
CELLS = ("SimpleRNN", "LSTM", "GRU")


def _checked_cell(cell):
    if cell not in CELLS:
        raise ValueError(f"cell must be one of {CELLS}, got {cell!r}")
    return cell


def initial_weights(seed, length=20, units=32, cell="SimpleRNN"):
    """The weights Keras gives ``cell(units)`` + ``Dense(1)`` after ``set_random_seed(seed)``: input
    kernel, recurrent kernel, bias, Dense kernel, Dense bias."""
    keras.utils.set_random_seed(seed)
    layer = getattr(keras.layers, _checked_cell(cell))(units)
    model = keras.Sequential([keras.Input((length, 2)), layer, keras.layers.Dense(1)])
    return [w.numpy() for w in model.weights]


def _forward(weights, x, cell):
    """The runs' outputs: x of shape (runs, batch, length, 2) gives (runs, batch, 1), computed as Keras'
    ``SimpleRNN``, ``LSTM`` (gates i, f, c, o) or ``GRU`` (``reset_after=True``: gates z, r, h) does."""
    import tensorflow as tf

    kernel, recurrent, bias, dense_kernel, dense_bias = weights
    input_bias = bias[:, 0] if cell == "GRU" else bias  # GRU's bias holds an input and a recurrent row
    # One tensor per step, by unstacking: indexing the stacked tensor step by step instead would make the
    # gradient add up one zero-padded copy of the whole tensor per step, a cost quadratic in the length.
    # Whatever does not change from step to step (the gates' input parts, the recurrent bias) is cut once,
    # before the loop: the same forward values in fewer operations.
    inputs = tf.einsum("rbti,riu->trbu", x, kernel) + input_bias[None, :, None, :]
    if cell == "SimpleRNN":
        inputs = tf.unstack(inputs)
        h = tf.tanh(inputs[0])
        for step_input in inputs[1:]:
            h = tf.tanh(step_input + tf.matmul(h, recurrent))
    elif cell == "LSTM":
        h = c = tf.zeros_like(tf.split(inputs[0], 4, axis=-1)[0])
        for step_input in tf.unstack(inputs):
            i, f, candidate, o = tf.split(step_input + tf.matmul(h, recurrent), 4, axis=-1)
            c = tf.sigmoid(f) * c + tf.sigmoid(i) * tf.tanh(candidate)
            h = tf.sigmoid(o) * tf.tanh(c)
    else:
        recurrent_bias = bias[:, 1, None, :]
        h = tf.zeros_like(tf.split(inputs[0], 3, axis=-1)[0])
        for x_z, x_r, x_h in zip(*(tf.unstack(part) for part in tf.split(inputs, 3, axis=-1))):
            h_z, h_r, h_h = tf.split(tf.matmul(h, recurrent) + recurrent_bias, 3, axis=-1)
            z = tf.sigmoid(x_z + h_z)
            h = z * h + (1 - z) * tf.tanh(x_h + tf.sigmoid(x_r + h_r) * h_h)
    return tf.matmul(h, dense_kernel) + dense_bias[:, None, :]


def _losses(weights, x, y, cell):
    import tensorflow as tf

    return tf.reduce_mean(tf.square(_forward(weights, x, cell) - y), axis=(1, 2))


def _per_run(tensor_list, op):
    import tensorflow as tf

    return sum(tf.reduce_sum(op(t), axis=list(range(1, len(t.shape)))) for t in tensor_list)


def _column(vector, like):
    import tensorflow as tf

    return tf.reshape(vector, [-1] + [1] * (len(like.shape) - 1))


def train(optimizer, runs, steps=1000, length=20, units=32, batch=64, every=100, chunk=100, probe=True,
          cell="SimpleRNN", snapshots=False, data_steps=None):
    """Trains every run; returns a dict of numpy arrays whose first axis is the run.

    Args:
        optimizer: a Keras optimizer (``SGD`` or ``Adam``) without a clip argument or weight decay; its
            learning rate is replaced by 1 and each run's own is applied to its change.
        runs: one dict per run: ``seed`` and ``learning_rate``, and optionally ``global_clipnorm`` (τ),
            ``adaptive`` (λ) and ``clip_final_layer`` (for adaptive clipping; False by default).
        probe: whether to compute the probe-set loss after every update. It costs about as much as
            a third of a training step and changes no run; without it the result has no ``probe``.
        cell: the recurrent layer, ``"SimpleRNN"``, ``"LSTM"`` or ``"GRU"``; adaptive clipping is for
            ``"SimpleRNN"`` only.
        snapshots: whether to keep every run's weights each time the test loss is recorded.
        data_steps: how many steps' batches are drawn for each seed (``steps`` if None; at least
            ``steps``). The batches depend on it: two calls with the same ``data_steps`` give a seed the
            same batches in the same order, whatever their ``steps``.

    Returns:
        ``norms``, ``clipped``, ``update_norms``, ``losses`` (batch, before the update) and ``probe`` (probe
        set, after the update): (runs, steps); ``clipped_variables``: (runs, steps, 5), whether adaptive
        clipping cut some unit of each variable (input kernel, recurrent kernel, bias, Dense kernel,
        Dense bias); ``test``: (runs, steps // every), the test loss after
        ``every``, 2 · ``every``, ... steps (inf once diverged); ``diverged``: (runs,); ``weights``: the
        final weights, in ``initial_weights``' order, each with the run axis first (a stopped run's as
        they were when it stopped); with ``snapshots=True``, ``snapshots``: one such list of weights per
        entry of ``test``, after the same steps.
    """
    import tensorflow as tf

    for name, flag in (("probe", probe), ("snapshots", snapshots)):
        if not isinstance(flag, bool):
            raise TypeError(f"{name} must be True or False, got {flag!r}")
    if optimizer.global_clipnorm or optimizer.clipnorm or optimizer.clipvalue or optimizer.weight_decay:
        raise ValueError("optimizer must have no clip argument and no weight decay: train clips each run itself")
    runs = [dict(run) for run in runs]
    if _checked_cell(cell) != "SimpleRNN" and any(run.get("adaptive") is not None for run in runs):
        raise ValueError(f"adaptive clipping is for cell='SimpleRNN' only, got cell={cell!r}")
    unknown = {key for run in runs for key in run} - {"seed", *SETTINGS}
    if unknown or any("seed" not in run or "learning_rate" not in run for run in runs):
        raise ValueError(f"each run needs a seed and a learning_rate, and knows only {SETTINGS}; got {runs!r}")
    data_steps = steps if data_steps is None else data_steps
    if isinstance(data_steps, bool) or not isinstance(data_steps, int) or data_steps < steps:
        raise ValueError(f"data_steps must be an integer of at least steps = {steps}, got {data_steps!r}")
    count = len(runs)
    seeds = sorted({run["seed"] for run in runs})
    starts = {seed: initial_weights(seed, length, units, cell) for seed in seeds}
    weights = [keras.Variable(np.stack([starts[run["seed"]][i] for run in runs]), name=f"w{i}") for i in range(5)]
    data = [datasets.adding_problem(batch * data_steps, length=length, seed=seed) for seed in seeds]
    train_x = tf.constant(np.stack([x for x, _ in data]).reshape(len(seeds), data_steps, batch, length, 2)[:, :steps])
    train_y = tf.constant(np.stack([y for _, y in data]).reshape(len(seeds), data_steps, batch, 1)[:, :steps])
    which = tf.constant([seeds.index(run["seed"]) for run in runs])
    probe_x, probe_y = datasets.adding_problem(128, length=length, seed=PROBE_SEED)
    test_x, test_y = datasets.adding_problem(1000, length=length, seed=TEST_SEED)
    probe_x, probe_y, test_x, test_y = (tf.constant(np.broadcast_to(a, (count, *a.shape)))
                                        for a in (probe_x, probe_y, test_x, test_y))

    def setting(name, default):
        return tf.constant([default if run.get(name) is None else run[name] for run in runs], tf.float32)

    learning_rate = setting("learning_rate", None)
    tau, lam = setting("global_clipnorm", np.inf), setting("adaptive", np.inf)
    adaptive = any(run.get("adaptive") is not None for run in runs)  # else its operations would change nothing
    final = tf.constant([bool(run.get("clip_final_layer")) for run in runs])
    alive = tf.Variable(tf.ones(count, tf.bool))
    optimizer.learning_rate = 1.0
    optimizer.build(weights)

    def step(x, y):
        values = [tf.identity(w.value) for w in weights]  # this step's weights, kept after the update
        with tf.GradientTape() as tape:
            tape.watch(values)
            losses = _losses(values, x, y, cell)
            total = tf.reduce_sum(tf.where(alive, losses, 0.0))
        grads = tape.gradient(total, values)
        norms = tf.sqrt(_per_run(grads, tf.square))
        scale = tf.where(norms > tau, tau / norms, 1.0)  # inf τ: never
        grads = [g * _column(scale, g) for g in grads]
        clipped, by_variable = norms > tau, [tf.zeros([count], tf.bool)] * 5
        for index, (g, w) in enumerate(zip(grads, values) if adaptive else []):  # adaptive clipping, unit by unit
            unit_grad = tf.sqrt(tf.reduce_sum(tf.square(g), axis=1, keepdims=True))
            largest = _column(lam, g) * tf.maximum(tf.sqrt(tf.reduce_sum(tf.square(w), axis=1, keepdims=True)), 1e-3)
            cut = unit_grad > largest
            if index >= 3:
                cut = cut & _column(final, cut)
            grads[index] = tf.where(cut, g * largest / tf.maximum(unit_grad, 1e-30), g)
            by_variable[index] = tf.reduce_any(tf.reshape(cut, [count, -1]), axis=1)
            clipped = clipped | by_variable[index]
        alive.assign(alive & tf.math.is_finite(losses) & tf.math.is_finite(norms))
        grads = [tf.where(_column(alive, g), g, 0.0) for g in grads]
        optimizer.apply(grads, weights)
        changes = []
        for w, old in zip(weights, values):  # each run's own learning rate; a stopped run keeps its weights
            change = tf.where(_column(alive, old), (w.value - old) * _column(learning_rate, old), 0.0)
            w.assign(old + change)
            changes.append(change)
        after = _losses([w.value for w in weights], probe_x, probe_y, cell) if probe else tf.zeros([count])
        return norms, clipped, tf.sqrt(_per_run(changes, tf.square)), losses, after, tf.stack(by_variable, axis=1)

    @tf.function
    def run_chunk(start, size):
        records = [tf.TensorArray(dtype, size=size) for dtype in (tf.float32, tf.bool) + (tf.float32,) * 3 + (tf.bool,)]
        for i in tf.range(size):
            values = step(tf.gather(train_x[:, start + i], which), tf.gather(train_y[:, start + i], which))
            records = [r.write(i, v) for r, v in zip(records, values)]
        *per_step, by_variable = [r.stack() for r in records]  # (steps, runs), and (steps, runs, 5)
        return [tf.transpose(v) for v in per_step] + [tf.transpose(by_variable, [1, 0, 2])]

    test_losses = tf.function(lambda: _losses([w.value for w in weights], test_x, test_y, cell))
    keys = ["norms", "clipped", "update_norms", "losses", "probe", "clipped_variables"]
    out, tests, kept = {key: [] for key in keys}, [], []
    for start in range(0, steps, chunk):
        size = min(chunk, steps - start)
        for key, value in zip(keys, run_chunk(tf.constant(start), tf.constant(size))):
            out[key].append(value.numpy())
        if (start + size) % every == 0:
            tests.append(test_losses().numpy())
            if snapshots:
                kept.append([w.numpy() for w in weights])
        if not np.any(alive.numpy()):  # every run has stopped: the rest would be NaN
            break
    result = {key: np.concatenate(values, axis=1) for key, values in out.items()}
    done = result["norms"].shape[1]
    for key in keys:  # the steps not trained, after every run stopped
        result[key] = np.concatenate([result[key], np.full((count, steps - done, *result[key].shape[2:]),
                                                           np.nan if result[key].dtype.kind == "f" else False,
                                                           result[key].dtype)], axis=1)
    tests += [np.full(count, np.inf)] * (steps // every - len(tests))
    diverged = ~np.all(np.isfinite(result["losses"]) & np.isfinite(result["norms"]), axis=1)
    for r in np.flatnonzero(diverged):
        first = int(np.argmin(np.isfinite(result["losses"][r]) & np.isfinite(result["norms"][r])))
        for key in ("norms", "update_norms", "losses", "probe"):
            result[key][r, first:] = np.nan
        result["clipped"][r, first:] = result["clipped_variables"][r, first:] = False
    if not probe:
        del result["probe"]
    result["test"] = np.array(tests, dtype=np.float64).T
    result["test"][diverged] = np.inf
    result["diverged"] = diverged
    result["weights"] = [w.numpy() for w in weights]
    if snapshots:  # after every run stopped, the weights stay as they were
        result["snapshots"] = kept + [result["weights"]] * (steps // every - len(kept))
    return result


def input_gradient_norms(weights, x, y, cell="SimpleRNN"):
    """The norm of each run's loss gradient with respect to each step's input, over the batch and the
    input's two features: how much each step's input can still move the loss.

    Args:
        weights: the runs' weights in ``initial_weights``' order, each with the run axis first (as
            ``train`` returns them).
        x, y: one batch of sequences (batch, length, 2) and targets (batch, 1), the same for every run.
        cell: the recurrent layer the weights are for.

    Returns:
        (runs, length): for run r and step t, ‖∂L_r/∂x_t‖, L_r the run's mean squared error on the batch.
    """
    import tensorflow as tf

    _checked_cell(cell)
    if not isinstance(weights, (list, tuple)) or len(weights) != 5:
        raise ValueError(f"weights must be the five arrays train returns, got {type(weights).__name__} "
                         f"of length {len(weights) if hasattr(weights, '__len__') else '?'}")
    x, y = np.asarray(x, np.float32), np.asarray(y, np.float32)
    if x.ndim != 3 or x.shape[2] != 2 or y.shape != (x.shape[0], 1):
        raise ValueError(f"x must be (batch, length, 2) and y (batch, 1), got x {x.shape} and y {y.shape}")
    runs = len(weights[0])
    values = [tf.constant(w, tf.float32) for w in weights]
    inputs = tf.constant(np.broadcast_to(x, (runs, *x.shape)))
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        total = tf.reduce_sum(_losses(values, inputs, np.broadcast_to(y, (runs, *y.shape)), cell))
    grads = tape.gradient(total, inputs)  # each run's loss depends on its own copy of x only
    return tf.sqrt(tf.reduce_sum(tf.square(grads), axis=[1, 3])).numpy()
