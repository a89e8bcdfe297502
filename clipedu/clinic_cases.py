"""The WGAN clinic's cases: eight critic updates, each with one bug that was published in real WGAN
code, planted in the correct update of ``clipedu.clinic`` (``clip_update`` or ``penalty_update``).

Every function here is deliberately wrong, and in each case the line that is wrong is marked ``# the
bug``; ``unknown``, the loop of exercise 2, has more than one bug and they are not marked. Notebook
10 shows what each does to the instruments before it shows the code; ``CASES`` lists them in its
order, with the loop each belongs to and its record.

Cases 1-3 are Algorithm 1 (weight clipping); cases 4-8 are WGAN-GP.
"""

import dataclasses

import keras

from clipedu.clinic import PENALTY_WEIGHT, STEPS_PER_EPOCH, C


def case_1(critic, optimizer, real, fake, step, seed):
    """Case 1 of the WGAN clinic (a clipped critic)."""
    import tensorflow as tf

    for variable in critic.trainable_variables:  # the bug: the clip comes before the update
        variable.assign(keras.ops.clip(variable, -C, C))
    with tf.GradientTape() as tape:
        loss = keras.ops.mean(critic(fake)) - keras.ops.mean(critic(real))
    variables = critic.trainable_variables
    optimizer.apply(tape.gradient(loss, variables), variables)
    return {"loss": loss}


def case_2(critic, optimizer, real, fake, step, seed):
    """Case 2 of the WGAN clinic (a clipped critic)."""
    import tensorflow as tf

    if step % STEPS_PER_EPOCH == 0:  # the bug: the clip runs once per epoch, at its start
        for variable in critic.trainable_variables:
            variable.assign(keras.ops.clip(variable, -C, C))
    with tf.GradientTape() as tape:
        loss = keras.ops.mean(critic(fake)) - keras.ops.mean(critic(real))
    variables = critic.trainable_variables
    optimizer.apply(tape.gradient(loss, variables), variables)
    return {"loss": loss}


def case_3_optimizer():
    """Case 3's critic optimizer."""
    return keras.optimizers.RMSprop(learning_rate=5e-4, clipvalue=C)  # the bug: gradient clipping, not weights


def case_3(critic, optimizer, real, fake, step, seed):
    """Case 3 of the WGAN clinic (a clipped critic), trained with ``case_3_optimizer()``."""
    import tensorflow as tf

    with tf.GradientTape() as tape:
        loss = keras.ops.mean(critic(fake)) - keras.ops.mean(critic(real))
    variables = critic.trainable_variables
    optimizer.apply(tape.gradient(loss, variables), variables)  # the bug: no weight is clipped
    return {"loss": loss}


def case_4(critic, optimizer, real, fake, step, seed):
    """Case 4 of the WGAN clinic (a gradient penalty)."""
    import tensorflow as tf

    alpha = keras.random.normal((real.shape[0], 1), 0.0, 1.0, seed=seed)  # the bug: normal, not uniform
    interpolates = alpha * real + (1 - alpha) * fake
    with tf.GradientTape() as tape:
        with tf.GradientTape() as inner:
            inner.watch(interpolates)
            scores = critic(interpolates)
        grads = inner.gradient(scores, interpolates)
        norms = keras.ops.sqrt(keras.ops.sum(keras.ops.square(grads), axis=1) + 1e-12)
        penalty = keras.ops.mean(keras.ops.square(norms - 1.0))
        loss = keras.ops.mean(critic(fake)) - keras.ops.mean(critic(real)) + PENALTY_WEIGHT * penalty
    variables = critic.trainable_variables
    optimizer.apply(tape.gradient(loss, variables), variables)
    return {"loss": loss, "penalty": penalty}


def case_5(critic, optimizer, real, fake, step, seed):
    """Case 5 of the WGAN clinic (a gradient penalty)."""
    import tensorflow as tf

    alpha = keras.random.uniform(real.shape, 0.0, 1.0, seed=seed)  # the bug: one α per coordinate
    interpolates = alpha * real + (1 - alpha) * fake
    with tf.GradientTape() as tape:
        with tf.GradientTape() as inner:
            inner.watch(interpolates)
            scores = critic(interpolates)
        grads = inner.gradient(scores, interpolates)
        norms = keras.ops.sqrt(keras.ops.sum(keras.ops.square(grads), axis=1) + 1e-12)
        penalty = keras.ops.mean(keras.ops.square(norms - 1.0))
        loss = keras.ops.mean(critic(fake)) - keras.ops.mean(critic(real)) + PENALTY_WEIGHT * penalty
    variables = critic.trainable_variables
    optimizer.apply(tape.gradient(loss, variables), variables)
    return {"loss": loss, "penalty": penalty}


def case_6(critic, optimizer, real, fake, step, seed):
    """Case 6 of the WGAN clinic (a gradient penalty)."""
    import tensorflow as tf

    alpha = keras.random.uniform((real.shape[0], 1), 0.0, 1.0, seed=seed)
    interpolates = alpha * real + (1 - alpha) * fake
    with tf.GradientTape() as tape:
        with tf.GradientTape() as inner:
            inner.watch(interpolates)
            scores = critic(interpolates)
        grads = inner.gradient(scores, interpolates)
        norms = keras.ops.sqrt(keras.ops.sum(keras.ops.square(grads), axis=1))  # the bug: no ε in the root
        penalty = keras.ops.mean(keras.ops.square(norms - 1.0))
        loss = keras.ops.mean(critic(fake)) - keras.ops.mean(critic(real)) + PENALTY_WEIGHT * penalty
    variables = critic.trainable_variables
    optimizer.apply(tape.gradient(loss, variables), variables)
    return {"loss": loss, "penalty": penalty}


def case_7(critic, optimizer, real, fake, step, seed):
    """Case 7 of the WGAN clinic (a gradient penalty)."""
    import tensorflow as tf

    alpha = keras.random.uniform((real.shape[0], 1), 0.0, 1.0, seed=seed)
    interpolates = alpha * real + (1 - alpha) * fake
    with tf.GradientTape() as tape:
        with tf.GradientTape() as inner:
            inner.watch(interpolates)
            scores = critic(interpolates)
        grads = inner.gradient(scores, interpolates)
        norms = keras.ops.sqrt(keras.ops.sum(keras.ops.square(grads)) + 1e-12)  # the bug: one norm, whole batch
        penalty = keras.ops.mean(keras.ops.square(norms - 1.0))
        loss = keras.ops.mean(critic(fake)) - keras.ops.mean(critic(real)) + PENALTY_WEIGHT * penalty
    variables = critic.trainable_variables
    optimizer.apply(tape.gradient(loss, variables), variables)
    return {"loss": loss, "penalty": penalty}


def case_8(critic, optimizer, real, fake, step, seed):
    """Case 8 of the WGAN clinic (a gradient penalty)."""
    import tensorflow as tf

    alpha = keras.random.uniform((real.shape[0], 1), 0.0, 1.0, seed=seed)
    interpolates = alpha * real + (1 - alpha) * fake
    with tf.GradientTape() as tape:
        with tf.GradientTape() as inner:
            inner.watch(interpolates)
            scores = critic(interpolates)
        grads = inner.gradient(scores, interpolates)
        norms = keras.ops.sqrt(keras.ops.sum(keras.ops.square(grads), axis=1) + 1e-12)
        penalty = keras.ops.square(keras.ops.mean(norms) - 1.0)  # the bug: the mean before the square
        loss = keras.ops.mean(critic(fake)) - keras.ops.mean(critic(real)) + PENALTY_WEIGHT * penalty
    variables = critic.trainable_variables
    optimizer.apply(tape.gradient(loss, variables), variables)
    return {"loss": loss, "penalty": penalty}


def unknown(critic, optimizer, real, fake, step, seed):
    """The WGAN clinic's unknown loop (a gradient penalty): exercise 2 asks which of cases 4-8 it
    contains, from its instruments alone. Its bugs are not marked."""
    import tensorflow as tf

    alpha = keras.random.normal(real.shape, 0.0, 1.0, seed=seed)
    interpolates = alpha * real + (1 - alpha) * fake
    with tf.GradientTape() as tape:
        with tf.GradientTape() as inner:
            inner.watch(interpolates)
            scores = critic(interpolates)
        grads = inner.gradient(scores, interpolates)
        norms = keras.ops.sqrt(keras.ops.sum(keras.ops.square(grads), axis=1))
        penalty = keras.ops.mean(keras.ops.square(norms - 1.0))
        loss = keras.ops.mean(critic(fake)) - keras.ops.mean(critic(real)) + PENALTY_WEIGHT * penalty
    variables = critic.trainable_variables
    optimizer.apply(tape.gradient(loss, variables), variables)
    return {"loss": loss, "penalty": penalty}


@dataclasses.dataclass(frozen=True)
class Case:
    """A case: its critic update, its loop ("clip" or "penalty"), its critic optimizer (None: the
    loop's default), the bug in a few words, and where it was published."""

    update: object
    method: str
    make_optimizer: object
    bug: str
    record: str


CASES = {
    "case_1": Case(case_1, "clip", None, "the clip before the update", "martinarjovsky/WassersteinGAN#50"),
    "case_2": Case(case_2, "clip", None, "the clip once per epoch", "vsooda/mxnet-wgan#2"),
    "case_3": Case(case_3, "clip", case_3_optimizer, "clipvalue instead of weight clipping",
                   "keras-team/keras-contrib#16 (examples/mnist_wgan.py)"),
    "case_4": Case(case_4, "penalty", None, "α ~ N(0, 1) instead of U[0, 1]", "keras-team/keras-io#143, #415, #624"),
    "case_5": Case(case_5, "penalty", None, "one α per coordinate instead of per example",
                   "eriklindernoren/PyTorch-GAN#5, hwalsuklee/tensorflow-generative-model-collections#33"),
    "case_6": Case(case_6, "penalty", None, "a square root with no ε: NaN at a zero gradient",
                   "keras-team/keras-io#624, #910"),
    "case_7": Case(case_7, "penalty", None, "one norm over the whole batch", "keras-team/keras-contrib#232"),
    "case_8": Case(case_8, "penalty", None, "the mean taken before the square", "wiseodd/generative-models#31"),
}
