"""Answers to the exercises of notebooks/06_lipschitz_critics.ipynb, worked by hand."""

ANSWERS = {
    # Section 4: the untrained Glorot critics' layers already lie between 1 and 3; these numbers are the start's,
    # and say nothing of what the penalty did without the start (or an unconstrained run) beside them.
    "06.sigmas_only": "no",
    # R1's field Jacobian at (0, 0) is [[0, 0.5], [-0.5, -1]]: eigenvalue -0.5 twice. A simultaneous step
    # multiplies by I + hJ, eigenvalue 1 - 0.1 · 0.5 = 0.95 < 1: the distance shrinks, it converges.
    "06.simultaneous_r1": "converge",
    # Jacobian at (0, 0): [[0, 1], [-1, -γ]], eigenvalues -0.5 ± 0.87i for γ = 1 (negative real parts).
    # One alternating step: ψ' = ψ - h(θ + γψ), θ' = θ + hψ'; its matrix has determinant 1 - hγ and complex
    # eigenvalues of modulus sqrt(1 - hγ) = 0.985, 0.949, 0.837 at h = 0.03, 0.1, 0.3: it spirals in.
    "06.wgan_r1": "converge",
}
