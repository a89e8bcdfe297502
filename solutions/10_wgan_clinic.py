"""Answers to the exercises of notebooks/10_wgan_clinic.ipynb: each case's critic update, fixed, and the
judgement exercises, worked by hand."""

import keras

from clipedu.clinic import PENALTY_WEIGHT, C


def _clipped_update(critic, optimizer, real, fake):
    import tensorflow as tf

    with tf.GradientTape() as tape:
        loss = keras.ops.mean(critic(fake)) - keras.ops.mean(critic(real))
    variables = critic.trainable_variables
    optimizer.apply(tape.gradient(loss, variables), variables)
    for variable in variables:  # after the update, after every update
        variable.assign(keras.ops.clip(variable, -C, C))
    return {"loss": loss}


def case_1_fixed(critic, optimizer, real, fake, step, seed):
    # The clip moves from before the update to after it.
    return _clipped_update(critic, optimizer, real, fake)


def case_2_fixed(critic, optimizer, real, fake, step, seed):
    # The clip runs after every update; `if step % STEPS_PER_EPOCH == 0` is gone.
    return _clipped_update(critic, optimizer, real, fake)


def case_3_optimizer_fixed():
    # Plain RMSprop, as Algorithm 1, at the loop's learning rate, 5e-4: no clipvalue, nor any other clipping
    # argument or setting (check rejects them, however large the clip).
    return keras.optimizers.RMSprop(learning_rate=5e-4)


def case_3_fixed(critic, optimizer, real, fake, step, seed):
    # The weights are clipped after the update.
    return _clipped_update(critic, optimizer, real, fake)


def _penalty_update(critic, optimizer, real, fake, seed):
    import tensorflow as tf

    alpha = keras.random.uniform((real.shape[0], 1), 0.0, 1.0, seed=seed)  # U[0, 1], one per example
    interpolates = alpha * real + (1 - alpha) * fake
    with tf.GradientTape() as tape:
        with tf.GradientTape() as inner:
            inner.watch(interpolates)
            scores = critic(interpolates)
        grads = inner.gradient(scores, interpolates)
        norms = keras.ops.sqrt(keras.ops.sum(keras.ops.square(grads), axis=1) + 1e-12)  # per example, ε inside
        penalty = keras.ops.mean(keras.ops.square(norms - 1.0))  # square each deviation, then the mean
        loss = keras.ops.mean(critic(fake)) - keras.ops.mean(critic(real)) + PENALTY_WEIGHT * penalty
    variables = critic.trainable_variables
    optimizer.apply(tape.gradient(loss, variables), variables)
    return {"loss": loss, "penalty": penalty}


def case_4_fixed(critic, optimizer, real, fake, step, seed):
    # keras.random.normal becomes keras.random.uniform(..., 0.0, 1.0) (keras-io PR #1463).
    return _penalty_update(critic, optimizer, real, fake, seed)


def case_5_fixed(critic, optimizer, real, fake, step, seed):
    # α of shape (m, 1), not real.shape (PyTorch-GAN commit d2977bc).
    return _penalty_update(critic, optimizer, real, fake, seed)


def case_6_fixed(critic, optimizer, real, fake, step, seed):
    # + 1e-12 inside the square root (any ε of 1e-7 or less passes, such as keras.backend.epsilon()).
    return _penalty_update(critic, optimizer, real, fake, seed)


def case_7_fixed(critic, optimizer, real, fake, step, seed):
    # keras.ops.sum(..., axis=1): one norm per example.
    return _penalty_update(critic, optimizer, real, fake, seed)


def case_8_fixed(critic, optimizer, real, fake, step, seed):
    # keras.ops.mean(keras.ops.square(norms - 1.0)): square first, then the mean.
    return _penalty_update(critic, optimizer, real, fake, seed)


ANSWERS = {
    "10.case_1": case_1_fixed,
    "10.case_2": case_2_fixed,
    "10.case_3": (case_3_optimizer_fixed, case_3_fixed),
    "10.case_4": case_4_fixed,
    "10.case_5": case_5_fixed,
    "10.case_6": case_6_fixed,
    "10.case_7": case_7_fixed,
    "10.case_8": case_8_fixed,
    # Case 7 holds the norm of all m slopes together at 1; with m = 1 that is the one example's norm, which
    # WGAN-GP's penalty holds at 1: the loop is the correct one, and no instrument can tell them apart.
    "10.one_sample": "none",
    # I6 is case 4's symptom alone, I7 case 5's, I8 case 6's; neither slope symptom (I9, I10) shows.
    "10.which_bugs": {4, 5, 6},
    # clipvalue changed no gradient element in case 3's runs (bit for bit the loop without clipping), and
    # this loop clips after every update: it makes the correct loop's updates.
    "10.clipvalue_and_clip": "the correct loop",
}
