"""Probes that tell how an implementation computes the gradient penalty's term.

WGAN-GP's critic loss adds λ · E[(‖∇D(x̂)‖₂ - 1)²] at x̂ = ε·x + (1 - ε)·x̃, one ε ~ U[0, 1] per pair
of a real sample x and a generated one x̃ (Gulrajani et al. 2017, Algorithm 1). Each probe here is a
critic whose gradient is known in closed form, every real sample one point and every generated
sample another, so that the term's expected value can be worked out by hand: for the formula and for
the ways of computing it that are easy to get wrong (interpolates at the fakes or at the reals only,
a one-sided penalty max(0, ‖∇D‖ - 1)², one ε per coordinate instead of per sample). A way is told
apart from the formula by a probe on which their values differ:

- ``"norm 5 everywhere"``: D(x) = 3 x₀ + 4 x₁; every way gives (5 - 1)² = 16, whatever the interpolates;
- ``"horizontal"``: D(x) = max(0, x₀ / 2), reals at (1, 0), fakes at (-1, 0); the gradient norm is 1/2
  where x̂₀ = 2ε - 1 > 0 (half the ε) and 0 elsewhere: the formula gives ½(½ - 1)² + ½ = 0.625;
- ``"diagonal"``: D(x) = max(0, x₀ + x₁ - 1), reals at (1, 1), fakes at (-1, -1); on the segment
  x̂ = (2ε - 1)(1, 1), the critic is active (gradient norm √2) for ε > 3/4: the formula gives
  ¼(√2 - 1)² + ¾ ≈ 0.793; with one ε per coordinate it is active where ε₀ + ε₁ > 3/2, with
  probability 1/8: ⅛(√2 - 1)² + ⅞ ≈ 0.896. The horizontal probe cannot see that mistake (only x̂₀
  matters there, and x̂₀ = 2ε₀ - 1 either way).

References:
    Gulrajani, Ahmed, Arjovsky, Dumoulin & Courville (2017), Improved Training of Wasserstein GANs.
    Petzka, Fischer & Lukovnikov (2018), On the regularization of Wasserstein GANs (the one-sided penalty).
"""

import math

import numpy as np

from clipedu import checks

FORMULA = "two-sided, one ε per sample (the formula)"
_ROOT2 = (math.sqrt(2.0) - 1.0) ** 2  # (√2 - 1)², the term where the diagonal critic is active
# Each probe: the critic's kernel, bias and activation, the real and the fake point, and the term's expected
# value for each way of computing it, worked out by hand (see the module's docstring).
PROBES = {
    "norm 5 everywhere": ([[3.0], [4.0]], 0.0, None, (1.0, 0.0), (-1.0, 0.0),
                          {FORMULA: 16.0, "one ε per coordinate": 16.0, "at the fakes only": 16.0,
                           "at the reals only": 16.0, "one-sided": 16.0}),
    "horizontal": ([[0.5], [0.0]], 0.0, "relu", (1.0, 0.0), (-1.0, 0.0),
                   {FORMULA: 0.625, "one ε per coordinate": 0.625, "at the fakes only": 1.0,
                    "at the reals only": 0.25, "one-sided": 0.0}),
    "diagonal": ([[1.0], [1.0]], -1.0, "relu", (1.0, 1.0), (-1.0, -1.0),
                 {FORMULA: 0.25 * _ROOT2 + 0.75, "one ε per coordinate": _ROOT2 / 8 + 7 / 8,
                  "at the fakes only": 1.0, "at the reals only": _ROOT2, "one-sided": 0.25 * _ROOT2}),
}


def probe_critic(probe):
    """The critic of ``probe`` (a name of ``PROBES``): a ``keras.Sequential`` of one Dense unit."""
    import keras

    if probe not in PROBES:
        raise ValueError(f"probe must be one of {sorted(PROBES)}, got {probe!r}")
    kernel, bias, activation, _, _, _ = PROBES[probe]
    unit = keras.layers.Dense(1, activation=activation)
    network = keras.Sequential([keras.Input((2,)), unit])
    unit.kernel.assign(np.array(kernel, "float32"))
    unit.bias.assign(np.array([bias], "float32"))
    return network


def probe_penalty(term, n=4096, tolerance=0.03):
    """Runs ``term(critic, real, fake)`` on every probe and says which ways of computing it each value fits.

    ``term`` must return the term λ multiplies (a number) for a Keras critic and ``n`` real and ``n`` fake
    samples (float32 arrays of shape (n, 2)); the pairs are rows. With 4096 samples the random
    interpolates move the formula's value by about 0.006 (one standard error) on the horizontal and the
    diagonal probes; ``tolerance`` is how far a value may lie from a way's expected value to fit it.

    Returns:
        A dict per probe name: ``measured`` (the value ``term`` returned), ``matches`` (for each way,
        whether the value lies within ``tolerance`` of its expected value) and ``formula`` (whether it
        fits the formula and no way that differs from it there).
    """
    if not callable(term):
        raise TypeError(f"term must be a function of (critic, real, fake) returning a number, got {term!r}")
    n = checks.positive_int("n", n)
    tolerance = checks.positive_finite("tolerance", tolerance)
    found = {}
    for name, (_, _, _, real_point, fake_point, expected) in PROBES.items():
        real = np.tile(np.array([real_point], "float32"), (n, 1))
        fake = np.tile(np.array([fake_point], "float32"), (n, 1))
        measured = checks.finite("the value term returned", float(term(probe_critic(name), real, fake)))
        matches = {way: abs(measured - value) < tolerance for way, value in expected.items()}
        others = [way for way, value in expected.items() if abs(value - expected[FORMULA]) >= 2 * tolerance]
        found[name] = {"measured": measured, "matches": matches,
                       "formula": matches[FORMULA] and not any(matches[way] for way in others)}
    return found
