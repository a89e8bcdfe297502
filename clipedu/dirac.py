"""The Dirac-GAN: a GAN with one generator parameter and one critic parameter, trained in plain numpy.

The real data are a single point at x = 0; the generator puts all of its samples at θ; the critic
is linear, D(x) = ψ·x. The equilibrium is θ = 0 (the generator on the data), and a training method
converges when (θ, ψ) spirals into it. Mescheder, Geiger & Nowozin (2018) use this model to show
that unregularized GAN and WGAN training, WGAN with weight clipping and WGAN-GP do not converge to it
in general, while a zero-centred gradient penalty on the real data (R1) does.

Each training step is one critic update followed by one generator update, as in Algorithm 1 with
n_critic = 1 (``clipedu.WGAN(..., n_critic=1)``), with plain gradient steps.

Mescheder et al.'s tool for such questions is the Jacobian of the gradient vector field
v(θ, ψ) = (the generator's ascent direction, the critic's) at the equilibrium: eigenvalues with
negative real parts make training with small enough steps converge locally; purely imaginary ones
do not. ``field_jacobian`` gives that matrix, ``step_jacobian`` the one of a whole training step
(critic, then generator), whose eigenvalues' moduli say whether repeated steps shrink the distance
to a fixed point (< 1) or neither shrink nor blow it up (= 1: for the WGAN's alternating steps the path
runs round an ellipse, so single steps still lengthen and shorten the distance).

References:
    Mescheder, Geiger & Nowozin (2018), Which Training Methods for GANs do actually Converge?
"""

import numpy as np

from clipedu import checks

METHODS = ("WGAN", "weight clipping", "gradient penalty", "R1")


def _sigmoid(t):
    return 0.5 * (1.0 + np.tanh(0.5 * t))


def _critic_gradient(method, theta, psi, gp_weight, r1_weight):
    """d/dψ of the critic's objective, which the critic climbs.

    WGAN, weight clipping: D(real) - D(fake) = -ψθ (the clip follows the step). Gradient penalty:
    that minus λ(|∇ₓD| - 1)², and ∇ₓD = ψ at every point, so the interpolates do not matter. R1: the
    GAN loss log σ(D(real)) + log σ(-D(fake)) minus (γ/2)|∇ₓD(real)|² = (γ/2)ψ².
    """
    if method in ("WGAN", "weight clipping"):
        return -theta
    if method == "gradient penalty":
        return -theta - 2.0 * gp_weight * (np.abs(psi) - 1.0) * np.sign(psi)
    return -theta * _sigmoid(psi * theta) - r1_weight * psi


def _generator_gradient(method, theta, psi):
    """d/dθ of the generator's objective, which the generator climbs: D(fake) = ψθ for the WGANs,
    log σ(D(fake)) (the non-saturating GAN loss) with R1."""
    if method == "R1":
        return psi * _sigmoid(-psi * theta)
    return psi


def _checked(method, theta, psi, c, gp_weight, r1_weight):
    """The arguments ``trajectory`` and ``field_jacobian`` share, checked: θ, ψ, c, λ and γ as floats."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    return (checks.finite("theta", theta), checks.finite("psi", psi), checks.positive_finite("c", c),
            checks.positive_finite("gp_weight", gp_weight), checks.non_negative_finite("r1_weight", r1_weight))


def trajectory(method, *, theta=1.0, psi=1.0, learning_rate=0.1, steps=500, c=0.1, gp_weight=1.0,
               r1_weight=1.0):
    """Trains the Dirac-GAN from (θ, ψ) with ``steps`` alternating gradient steps.

    Args:
        method: one of ``METHODS``: "WGAN" (no constraint), "weight clipping" (ψ clipped into
            [-c, c] after every critic step), "gradient penalty" (weight λ = ``gp_weight``) or "R1"
            (GAN loss with a zero-centred penalty of weight γ = ``r1_weight`` on the real data).
        theta, psi: the start, finite numbers.
        learning_rate: the step size of both players, > 0.
        steps: how many steps, ≥ 1.
        c, gp_weight: the settings of the methods that use them, > 0.
        r1_weight: γ, ≥ 0; 0 gives the unregularized GAN, the control for R1's penalty.

    Returns:
        Two float arrays of length ``steps + 1``: θ and ψ after each step, the start first.
    """
    theta, psi, c, gp_weight, r1_weight = _checked(method, theta, psi, c, gp_weight, r1_weight)
    learning_rate = checks.positive_finite("learning_rate", learning_rate)
    steps = checks.positive_int("steps", steps)
    if method == "weight clipping":
        psi = float(np.clip(psi, -c, c))
    thetas, psis = [theta], [psi]
    for _ in range(steps):
        psi += learning_rate * _critic_gradient(method, theta, psi, gp_weight, r1_weight)
        if method == "weight clipping":
            psi = float(np.clip(psi, -c, c))
        theta += learning_rate * _generator_gradient(method, theta, psi)
        thetas.append(theta)
        psis.append(psi)
    return np.array(thetas), np.array(psis)


def converges(thetas, tolerance=0.01):
    """Whether the generator has settled on the data: |θ| ≤ ``tolerance`` over the last tenth of the
    steps and shrinking. A trajectory that circles the equilibrium, or swings across it, does not."""
    thetas = np.asarray(thetas, dtype=np.float64)
    if thetas.ndim != 1 or len(thetas) < 10:
        raise ValueError(f"thetas must be a 1-D array of at least 10 values, got shape {thetas.shape}")
    tolerance = checks.positive_finite("tolerance", tolerance)
    tail = np.abs(thetas[-(len(thetas) // 10):])
    half = len(tail) // 2
    return bool(np.all(tail <= tolerance) and tail[half:].max() <= tail[:half].max())


def field_jacobian(method, theta=0.0, psi=0.0, *, c=0.1, gp_weight=1.0, r1_weight=1.0):
    """The Jacobian of the gradient vector field v = (v_θ, v_ψ) at (θ, ψ), which ``trajectory`` follows
    in steps: v_θ is the generator's ascent direction, v_ψ the critic's.

    Args:
        method, c, gp_weight, r1_weight: as for ``trajectory``.
        theta, psi: the point, finite; (0, 0) is the equilibrium. With weight clipping |ψ| < c (inside
            the clip, where the field is the WGAN's). With the gradient penalty the field jumps at
            ψ = 0 (the penalty's pull 2λ·sign(ψ) changes sign), but on either side it is linear with
            the same matrix, which is returned at every point, ψ = 0 included.

    Returns:
        A 2 × 2 float array [[∂v_θ/∂θ, ∂v_θ/∂ψ], [∂v_ψ/∂θ, ∂v_ψ/∂ψ]].
    """
    theta, psi, c, gp_weight, r1_weight = _checked(method, theta, psi, c, gp_weight, r1_weight)
    if method == "weight clipping" and abs(psi) >= c:
        raise ValueError(f"psi must lie inside the clip, |psi| < c = {c!r}, got {psi!r}")
    if method in ("WGAN", "weight clipping"):
        return np.array([[0.0, 1.0], [-1.0, 0.0]])
    if method == "gradient penalty":  # d/dψ of -2λ(|ψ| - 1)·sign(ψ) is -2λ on either side of 0
        return np.array([[0.0, 1.0], [-1.0, -2.0 * gp_weight]])
    generated, real_side = _sigmoid(-psi * theta), _sigmoid(psi * theta)  # σ(-ψθ), σ(ψθ)
    slope_g, slope_r = generated * (1 - generated), real_side * (1 - real_side)  # σ' at those points
    return np.array([[-psi ** 2 * slope_g, generated - psi * theta * slope_g],
                     [-real_side - psi * theta * slope_r, -theta ** 2 * slope_r - r1_weight]])


def step_jacobian(method, theta=0.0, psi=0.0, *, learning_rate=0.1, c=0.1, gp_weight=1.0, r1_weight=1.0):
    """The Jacobian of one step of ``trajectory`` (ψ ← ψ + h·v_ψ, then θ ← θ + h·v_θ at the new ψ) at a
    fixed point (θ, ψ) of the training, where the new ψ is the old. (For the WGAN, clipping inside
    the clip and the penalty on either side of ψ = 0 the field is linear, and the matrix is the same
    at every point.)

    Eigenvalues of modulus below 1 make repeated steps shrink the distance to the fixed point; of modulus
    1 (with determinant 1, as for the WGAN) the path circles for ever on an ellipse around it, along which
    the distance itself swings. Arguments as for ``field_jacobian``; ``learning_rate`` h > 0.

    Returns:
        A 2 × 2 float array, rows and columns in the order (θ, ψ).
    """
    h = checks.positive_finite("learning_rate", learning_rate)
    jacobian = field_jacobian(method, theta, psi, c=c, gp_weight=gp_weight, r1_weight=r1_weight)
    critic_row = np.array([0.0, 1.0]) + h * jacobian[1]  # d(new ψ)/d(θ, ψ)
    generator_row = np.array([1.0, 0.0]) + h * (jacobian[0] + jacobian[0, 1] * (critic_row - [0.0, 1.0]))
    return np.array([generator_row, critic_row])
