"""WGANs on the eight Gaussians, one setting per row and five or more seeds: the runs notebooks 07, 13 and 14
compare, built and trained alike in each, so that a row of one is the same run in another.

Every run: critic and generator of 3 hidden layers of 64 ReLU units, drawn by Glorot from the seed (the
generator from seed + 100); ``n_critic`` = 5, m = 64; Adam for both networks with the row's learning rate and
β₁, β₂ = 0.9; 100 generator iterations per call into TensorFlow. A row is a ``Row``: the method
(``WeightClipping``, ``GradientPenalty`` or None), the critic's start ("Glorot", or "scaled": its kernels scaled
into [-c, c] by ``clipedu.scale_into``, or into a ``scale`` of its own), Adam's learning rate and β₁. Every run
trains on ``data()``, one fixed set of 32 000 points, ten passes of 100 iterations; its seed sets its weights,
its noise and the order of its batches. All rows use Adam, whose update rounds alike whichever runs ``fit_seeds``
batches together (RMSprop's does not: see ``clipedu.batched.SHARES``), so a row trained beside other rows
computes, bit for bit, what it computes beside others (``tests/test_batched.py`` checks it for clipped and
unconstrained runs).
"""

import dataclasses

import numpy as np

from clipedu import checks, datasets, measures
from clipedu.constraints import scale_into
from clipedu.networks import mlp
from clipedu.recording import SampleHistory
from clipedu.wgan import WGAN, GradientPenalty, WeightClipping, fit_seeds

ITERATIONS = 1000  # generator iterations a run makes
STARTS = ("Glorot", "scaled")
# The WGAN reference code's schedule (main.py of martinarjovsky/WassersteinGAN) over 1 000 iterations: 100 critic
# updates at generator iterations 0 to 24 and 500, 5 at the others. Each phase: (critic updates per generator
# iteration, iterations per epoch, epochs); an epoch ends at every record of 100 iterations.
SCHEDULE = [(100, 25, 1), (5, 75, 1), (5, 100, 4), (100, 1, 1), (5, 99, 1), (5, 100, 4)]


@dataclasses.dataclass(frozen=True)
class Row:
    """One setting: the method, the critic's start, Adam's learning rate and β₁ (for both networks), and for a
    "scaled" start the bound its kernels are scaled into (by default the method's c; needed without a clip)."""

    method: object
    start: str = "Glorot"
    learning_rate: float = 5e-4
    beta_1: float = 0.5
    scale: float | None = None

    def __post_init__(self):
        if self.method is not None and not isinstance(self.method, (WeightClipping, GradientPenalty)):
            raise TypeError(f"method must be a WeightClipping, a GradientPenalty or None, got {self.method!r}")
        if self.start not in STARTS:
            raise ValueError(f"start must be one of {STARTS}, got {self.start!r}")
        if self.scale is not None:
            checks.positive_finite("scale", self.scale)
            if self.start != "scaled":
                raise ValueError(f"scale is the bound of a 'scaled' start, got start {self.start!r}")
        elif self.start == "scaled" and not isinstance(self.method, WeightClipping):
            raise ValueError(f"start 'scaled' needs a WeightClipping method (its c) or a scale, got {self.method!r}")
        checks.positive_finite("learning_rate", self.learning_rate)
        if isinstance(self.beta_1, bool) or not isinstance(self.beta_1, (int, float)) or not 0 <= self.beta_1 < 1:
            raise ValueError(f"beta_1 must be a number in [0, 1), got {self.beta_1!r}")


def data():
    """The real samples every run trains on: 32 000 points of the eight Gaussians (one pass = 100 iterations)."""
    return datasets.eight_gaussians(5 * 64 * 100, seed=0)


def build(row, seed):
    """A compiled ``WGAN`` of ``row`` (a ``Row``) for ``seed``."""
    import keras

    if not isinstance(row, Row):
        raise TypeError(f"row must be a clipedu.notebook.eight_gaussians.Row, got {row!r}")
    seed = checks.seed(seed)
    critic = mlp(2, 1, depth=3, width=64, seed=seed)
    if row.start == "scaled":
        scale_into(critic, row.method.c if row.scale is None else row.scale)
    wgan = WGAN(critic, mlp(2, 2, depth=3, width=64, seed=seed + 100), latent_dim=2, method=row.method, seed=seed)
    wgan.compile(*(keras.optimizers.Adam(row.learning_rate, beta_1=row.beta_1, beta_2=0.9) for _ in range(2)),
                 steps_per_execution=100)  # 100 iterations per call into TensorFlow
    return wgan


def _checked_rows(rows):
    if not isinstance(rows, dict) or not rows or not all(isinstance(row, Row) for row in rows.values()):
        raise TypeError(f"rows must be a non-empty dict of labels to Rows, got {rows!r}")
    return rows


def train(rows, seeds, real, every=100):
    """Trains every row of ``rows`` (label: ``Row``) on every seed, on ``real``, for ``ITERATIONS`` iterations.

    Returns ``(runs, at_bound)``: ``runs[label]`` holds one (``SampleHistory`` of 1 000 samples every ``every``
    iterations, the critic's estimate averaged over each epoch of 100 iterations) per seed, in the seeds'
    order; ``at_bound[label, seed]`` is the share of a clipped critic's weights (kernels and biases) on ±c at
    the end.
    """
    rows = _checked_rows(rows)
    every = checks.positive_int("every", every)
    runs, at_bound = {label: [] for label in rows}, {}
    for (label, seed), wgan, (history,) in fit_seeds(lambda label, seed: build(rows[label], seed), real, seeds,
                                                    settings=list(rows), epochs=ITERATIONS // 100, verbose=0,
                                                    callbacks=lambda: [SampleHistory(1000, every, 3)]):
        runs[label].append((history, np.array(wgan.history.history["wasserstein"])))
        if isinstance(rows[label].method, WeightClipping):
            at_bound[label, seed] = measures.fraction_at_bound(measures.critic_weights(wgan.critic),
                                                               rows[label].method.c)
    return runs, at_bound


def train_scheduled(row, seeds, real):
    """Trains ``row`` on ``seeds`` through ``SCHEDULE``; returns one (``SampleHistory`` every 100 iterations, the
    critic's estimate averaged over each record's 100 iterations) per seed."""
    seeds = [checks.seed(seed) for seed in seeds]
    wgans = {seed: build(row, seed) for seed in seeds}
    histories = {seed: SampleHistory(1000, 100, 3) for seed in seeds}
    epochs = {seed: [] for seed in seeds}  # (iterations, mean estimate) of every epoch
    for n_critic, steps, repeats in SCHEDULE:
        for wgan in wgans.values():
            wgan.n_critic = n_critic
        kept = iter([[histories[seed]] for seed in seeds])  # fit_seeds asks for them in the seeds' order
        for seed, wgan, _ in fit_seeds(wgans.get, real, seeds, callbacks=lambda kept=kept: next(kept),
                                       epochs=repeats, steps_per_epoch=steps, batch_size=n_critic * 64, verbose=0):
            epochs[seed] += [(steps, estimate) for estimate in wgan.history.history["wasserstein"]]
    runs = []
    for seed in seeds:
        steps, means = np.array(epochs[seed]).T
        record = ((np.cumsum(steps) - 1) // 100).astype(int)  # the record that each epoch ends before
        runs.append((histories[seed], np.bincount(record, weights=steps * means) / 100))
    return runs


__all__ = ["ITERATIONS", "SCHEDULE", "STARTS", "Row", "build", "data", "train", "train_scheduled"]
