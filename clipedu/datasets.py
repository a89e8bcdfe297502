"""Offline, seeded data: toy distributions for 2-D GANs, at the scales of the WGAN-GP reference code,
and the adding problem for recurrent networks.

References:
    Gulrajani, Ahmed, Arjovsky, Dumoulin & Courville (2017), Improved Training of Wasserstein GANs
    (toy experiments: 8 Gaussians, 25 Gaussians, Swiss roll).
    Hochreiter & Schmidhuber (1997), Long Short-Term Memory (the adding problem); Pascanu, Mikolov &
    Bengio (2013), On the difficulty of training recurrent neural networks (which trains on it).
"""

import numpy as np

from clipedu import checks


def _rng(n, seed):
    checks.positive_int("n", n)
    return np.random.default_rng(checks.seed(seed))


def _eight_centres():
    angles = np.arange(8) * (np.pi / 4)
    return 2.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def _twenty_five_centres():
    return np.array([(x, y) for x in range(-4, 5, 2) for y in range(-4, 5, 2)], dtype=np.float64)


# name: (centres before scaling, standard deviation before scaling, the reference code's divisor)
_MIXTURES = {"eight_gaussians": (_eight_centres(), 0.02, 1.414),
             "twenty_five_gaussians": (_twenty_five_centres(), 0.05, 2.828)}


def mode_centres(name):
    """The centres of the modes of ``"eight_gaussians"`` or ``"twenty_five_gaussians"``, at the scale
    the sampling functions return: an array of shape (8, 2) or (25, 2)."""
    if name not in _MIXTURES:
        raise ValueError(f"name must be one of {sorted(_MIXTURES)}, got {name!r}")
    centres, _, divisor = _MIXTURES[name]
    return centres / divisor


def _mixture(name, n, seed):
    rng = _rng(n, seed)
    centres, std, divisor = _MIXTURES[name]
    points = centres[rng.integers(0, len(centres), size=n)] + std * rng.standard_normal((n, 2))
    return (points / divisor).astype(np.float32)


def eight_gaussians(n, seed=None):
    """``n`` points from 8 Gaussians (std 0.02) on a circle of radius 2, all divided by 1.414.

    Returns a float32 array of shape (n, 2).
    """
    return _mixture("eight_gaussians", n, seed)


def twenty_five_gaussians(n, seed=None):
    """``n`` points from 25 Gaussians (std 0.05) on the grid {-4, -2, 0, 2, 4}², divided by 2.828.

    Returns a float32 array of shape (n, 2).
    """
    return _mixture("twenty_five_gaussians", n, seed)


def swiss_roll(n, seed=None):
    """``n`` points of a 2-D Swiss roll (noise 0.25), divided by 7.5.

    The roll of scikit-learn's ``make_swiss_roll`` (t uniform in [1.5π, 4.5π], x = t cos t,
    z = t sin t, Gaussian noise 0.25), keeping the columns x and z as the reference code does.
    Returns a float32 array of shape (n, 2).
    """
    rng = _rng(n, seed)
    t = 1.5 * np.pi * (1 + 2 * rng.random(n))
    points = np.stack([t * np.cos(t), t * np.sin(t)], axis=1) + 0.25 * rng.standard_normal((n, 2))
    return (points / 7.5).astype(np.float32)


def adding_problem(n, length=20, seed=None):
    """``n`` sequences of the adding problem: remember two marked numbers, output their sum.

    Each sequence has ``length`` steps of two inputs: a number drawn uniformly from [0, 1], and a
    marker that is 1 at one step of the first half, 1 at one step of the second half and 0 elsewhere.
    The target is the sum of the two marked numbers, so a network must carry the first one across
    at least half the sequence. Always answering 1 (the mean target) gives a mean squared error of
    1/6, the variance of a sum of two uniform numbers.

    Returns float32 arrays x of shape (n, length, 2) and y of shape (n, 1).
    """
    rng = _rng(n, seed)
    if isinstance(length, bool) or not isinstance(length, int) or length < 2:
        raise ValueError(f"length must be an integer of at least 2, got {length!r}")
    numbers = rng.random((n, length))
    markers = np.zeros((n, length))
    rows = np.arange(n)
    markers[rows, rng.integers(0, length // 2, size=n)] = 1
    markers[rows, rng.integers(length // 2, length, size=n)] = 1
    x = np.stack([numbers, markers], axis=-1).astype(np.float32)
    return x, np.sum(numbers * markers, axis=1, keepdims=True).astype(np.float32)


def second_only_loss(x, y):
    """The mean squared error of answering 0.5 + the second marked number on sequences of
    ``adding_problem``: the loss of a network that remembers only the second number (1/12 in expectation,
    the variance of the forgotten uniform number)."""
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim != 3 or x.shape[2] != 2 or y.shape != (x.shape[0], 1) or not len(x):
        raise ValueError(f"x must be (n, length, 2) and y (n, 1) with n > 0, got x {x.shape} and y {y.shape}")
    if not np.all(np.sum(x[:, :, 1] == 1, axis=1) == 2):
        raise ValueError("x must mark exactly two steps of each sequence, as adding_problem does")
    last = x.shape[1] - 1 - np.argmax(x[:, ::-1, 1] == 1, axis=1)  # the second marked step of each sequence
    second = x[np.arange(len(x)), last, 0]
    return float(np.mean((y[:, 0] - 0.5 - second) ** 2))
