"""The yardstick for ``fit_seeds``: one run of Algorithm 1 as a minimal compiled loop.

No WGAN class, no ``fit``, no callbacks: two Keras MLPs, Keras' RMSprop, weight clipping after every
critic update, and ``steps_per_call`` generator iterations per call of one ``tf.function``, the real
batches sliced from one tensor. Everything a run costs is in ``run``: building its networks and
optimizers, tracing its function, and training.
"""

import time

import keras
import tensorflow as tf

from clipedu import mlp


def run(x, seed, iterations, *, width=64, critic_depth=3, generator_depth=3, c=0.1, n_critic=5, m=64,
        learning_rate=5e-5, steps_per_call=100):
    """Trains one WGAN for ``iterations`` generator iterations (a multiple of ``steps_per_call``) on ``x``
    (rows of 2-d samples); returns its critic, its generator and the seconds of the calls after the
    first, which traced the loop."""
    keras.utils.set_random_seed(seed)
    critic = mlp(2, 1, depth=critic_depth, width=width)
    generator = mlp(2, 2, depth=generator_depth, width=width)
    critic_optimizer = keras.optimizers.RMSprop(learning_rate)
    generator_optimizer = keras.optimizers.RMSprop(learning_rate)
    critic_optimizer.build(critic.trainable_variables)
    generator_optimizer.build(generator.trainable_variables)
    batch = n_critic * m
    x = tf.constant(x[:len(x) // batch * batch].reshape(-1, batch, x.shape[1]))

    @tf.function
    def train(start):
        for step in tf.range(steps_per_call):
            real = x[(start + step) % x.shape[0]]
            for i in range(n_critic):
                with tf.GradientTape() as tape:
                    fake = generator(tf.random.normal((m, 2)))
                    loss = tf.reduce_mean(critic(fake)) - tf.reduce_mean(critic(real[i * m:(i + 1) * m]))
                critic_optimizer.apply(tape.gradient(loss, critic.trainable_variables), critic.trainable_variables)
                for variable in critic.trainable_variables:
                    variable.assign(tf.clip_by_value(variable, -c, c))
            with tf.GradientTape() as tape:
                loss = -tf.reduce_mean(critic(generator(tf.random.normal((m, 2)))))
            generator_optimizer.apply(tape.gradient(loss, generator.trainable_variables),
                                      generator.trainable_variables)
        return loss

    train(tf.constant(0)).numpy()  # traced on its first call
    start_time = time.perf_counter()
    for start in range(steps_per_call, iterations, steps_per_call):
        train(tf.constant(start)).numpy()
    return critic, generator, time.perf_counter() - start_time
