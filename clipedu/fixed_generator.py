"""WGAN critics trained against a fixed generator: the real data plus Gaussian noise.

Gulrajani et al. (2017, section 3.1 and Figure 1a) train critics "to optimality" with the generator
held fixed "at the real distribution plus unit-variance Gaussian noise", so that what a critic learns
shows what its constraint lets it learn; their reference code (``gan_toy.py``, ``FIXED_GENERATOR``)
makes each fake batch as its real batch plus noise, as ``train_critics`` does. Several critics train
at once, as one model whose weights have a leading run axis (``clipedu.batched.StackedMLP`` and
``StackedOptimizer``): nothing mixes the runs, so each run computes what it would compute alone.

References:
    Gulrajani, Ahmed, Arjovsky, Dumoulin & Courville (2017), Improved Training of Wasserstein GANs.
"""

import keras
import numpy as np

from clipedu import batched, checks
from clipedu.wgan import GradientPenalty, WeightClipping


def train_critics(critics, optimizers, real, *, steps, seeds, method=None, batch_size=256, noise_std=1.0):
    """Trains each critic for ``steps`` updates against the fixed generator "real data plus noise".

    Update t of run r takes ``batch_size`` rows of run r's real samples, drawn uniformly with
    replacement, and as fake samples the same rows plus Gaussian noise of standard deviation
    ``noise_std``; the loss is E[D(fake)] - E[D(real)], plus λ · E[(‖∇D(x̂)‖₂ - 1)²] at random
    interpolates x̂ of the real and fake rows with ``GradientPenalty(λ)``; with ``WeightClipping(c)``
    every parameter is clipped into [-c, c] after every update (so the first update puts the initial
    weights that lie beyond ±c on the bound). The draws of run r depend on ``seeds[r]`` and the
    optimizer's update count only, so a second call continues the first.

    The trained weights are written back into ``critics`` and the optimizer state into
    ``optimizers``.

    Args:
        critics: alike ``keras.Sequential`` stacks of Dense layers (as ``clipedu.mlp`` builds).
        optimizers: one Keras RMSprop or Adam per critic, alike but for the learning rate, ε, RMSprop's ρ
            and Adam's β₁ and β₂.
        real: the real samples, an array (n, d) shared by all runs or (runs, n, d), one per run.
        steps: critic updates, a positive integer.
        seeds: one non-negative integer per critic, for its batches, noise and interpolates.
        method: ``WeightClipping(c)``, ``GradientPenalty(λ)`` or None (unconstrained).
        batch_size: real (and fake) samples per update.
        noise_std: the standard deviation of the noise added to the real samples.

    Returns:
        A dict of numpy arrays of shape (runs, steps): ``wasserstein``, E[D(real)] - E[D(fake)] at each
        update, and with the penalty ``gradient_penalty``.
    """
    import tensorflow as tf

    critics, optimizers = list(critics), list(optimizers)
    if not critics or len(optimizers) != len(critics):
        raise ValueError(f"critics and optimizers must be two lists of the same non-zero length, got "
                         f"{len(critics)} critics and {len(optimizers)} optimizers")
    for critic in critics:
        reason = batched.why_not_stackable_network(critic) if isinstance(critic, keras.Model) else \
            f"{critic!r} is not a keras Model"
        if reason is None and [w.shape for w in critic.weights] != [w.shape for w in critics[0].weights]:
            reason = f"{critic.name}'s weights are not shaped as {critics[0].name}'s"
        if reason:
            raise TypeError(f"critics must be alike Sequential stacks of Dense layers: {reason}")
    for optimizer in optimizers:
        reason = batched.why_not_stackable_optimizer(optimizer) if isinstance(optimizer, keras.optimizers.Optimizer) \
            else f"{optimizer!r} is not a Keras optimizer"
        if reason is None and batched.optimizer_settings(optimizer) != batched.optimizer_settings(optimizers[0]):
            reason = f"{optimizer.name} has other settings than {optimizers[0].name}"
        if reason:
            raise TypeError(f"optimizers must be alike Keras RMSprop or Adam optimizers: {reason}")
    if method is not None and not isinstance(method, (WeightClipping, GradientPenalty)):
        raise TypeError(f"method must be WeightClipping(c), GradientPenalty(weight) or None, got {method!r}")
    steps = checks.positive_int("steps", steps)
    batch_size = checks.positive_int("batch_size", batch_size)
    noise_std = checks.positive_finite("noise_std", noise_std)
    seeds = [checks.seed(seed) for seed in seeds]
    if len(seeds) != len(critics):
        raise ValueError(f"seeds must hold one seed per critic ({len(critics)}), got {len(seeds)}")
    runs, width = len(critics), int(critics[0].input_shape[-1])
    real = np.asarray(real, dtype="float32")
    if real.ndim == 2:
        real = np.broadcast_to(real, (runs,) + real.shape)
    if real.ndim != 3 or real.shape[0] != runs or real.shape[2] != width or real.shape[1] == 0:
        raise ValueError(f"real must have shape (n, {width}) or ({runs}, n, {width}), got {real.shape}")
    if not np.all(np.isfinite(real)):
        raise ValueError("real must be finite")
    for critic, optimizer in zip(critics, optimizers):
        if not optimizer.built:
            optimizer.build(critic.trainable_variables)

    stack = batched.StackedMLP(critics, per_run=isinstance(method, GradientPenalty))
    stacked_optimizer = batched.StackedOptimizer(optimizers)
    start = int(keras.ops.convert_to_numpy(optimizers[0].iterations))
    if any(int(keras.ops.convert_to_numpy(o.iterations)) != start for o in optimizers):
        raise ValueError("optimizers must all have made the same number of updates")
    real_t = tf.constant(real)
    seeds_t = tf.constant(seeds, "int64")
    n = real.shape[1]

    def draw(step, salt, make):
        # Run r's draws depend on its seed and the update count only, not on the other runs.
        return tf.stack([make(tf.stack([seeds_t[r], 3 * tf.cast(step, "int64") + salt])) for r in range(runs)])

    def update(step):
        rows = draw(step, 0, lambda s: tf.random.stateless_uniform((batch_size,), s, 0, n, dtype="int32"))
        x_real = tf.gather(real_t, rows, batch_dims=1)
        x_fake = x_real + noise_std * draw(step, 1, lambda s: tf.random.stateless_normal((batch_size, width), s))
        views = stack.views()
        watched = [w for pair in views for w in pair if w is not None]
        with tf.GradientTape(watch_accessed_variables=False) as tape:
            tape.watch(watched)
            gap = tf.reduce_mean(stack(x_real, views), axis=[1, 2]) - tf.reduce_mean(stack(x_fake, views), axis=[1, 2])
            loss = -gap
            values = [gap]
            if isinstance(method, GradientPenalty):
                epsilon = draw(step, 2, lambda s: tf.random.stateless_uniform((batch_size, 1), s))
                interpolates = epsilon * x_real + (1 - epsilon) * x_fake
                with tf.GradientTape() as inner:
                    inner.watch(interpolates)
                    scores = stack(interpolates, views)
                norms = tf.sqrt(tf.reduce_sum(tf.square(inner.gradient(scores, interpolates)), axis=2))
                penalty = tf.reduce_mean(tf.square(norms - 1.0), axis=1)
                loss = loss + method.weight * penalty
                values.append(penalty)
            total = tf.reduce_sum(loss)  # run r's weights reach only run r's term
        grads = iter(tape.gradient(total, watched))
        gradient = stack.flatten([(next(grads), next(grads) if b is not None else None) for _, b in views])
        stacked_optimizer.apply(gradient, stack.params)
        if isinstance(method, WeightClipping):
            stack.params.assign(tf.clip_by_value(stack.params, -method.c, method.c))
        return tf.stack(values, axis=1)

    def train():
        def body(i, out):
            return i + 1, out.write(i, update(start + i))

        _, out = tf.while_loop(lambda i, out: i < steps, body, (tf.constant(0), tf.TensorArray("float32", size=steps)))
        return tf.transpose(out.stack(), (1, 0, 2))

    values = tf.function(train, autograph=False)().numpy()
    params = stack.params.numpy()
    for r, (critic, optimizer) in enumerate(zip(critics, optimizers)):
        critic.set_weights(stack.weights(r, params))
        stacked_optimizer.write_to(optimizer, r, start + steps)
    names = ["wasserstein"] + (["gradient_penalty"] if isinstance(method, GradientPenalty) else [])
    return {name: values[:, :, i] for i, name in enumerate(names)}
