"""Answers to the exercises of notebooks/06_lipschitz_critics.ipynb, worked by hand."""

ANSWERS = {
    # As in section 4: after training the layers lie where the start put them (2.5 to 3.1 against 2.6 to 3.0),
    # while the unconstrained control grew them to 4 to 9. The penalty kept them near the start.
    "06.deep_penalty": "kept them near the start",
    # R1's field Jacobian at (0, 0) is [[0, 0.5], [-0.5, -1]]: eigenvalue -0.5 twice. A simultaneous step
    # multiplies by I + hJ, eigenvalue 1 - h/2, of modulus below 1 exactly while 0 < h < 4.
    "06.simultaneous_r1_rate": 4.0,
    # Jacobian at (0, 0): [[0, 1], [-1, -γ]], eigenvalues -0.5 ± 0.87i for γ = 1 (negative real parts).
    # One alternating step: ψ' = ψ - h(θ + γψ), θ' = θ + hψ'; its matrix has determinant 1 - hγ and complex
    # eigenvalues of modulus sqrt(1 - hγ) = 0.985, 0.949, 0.837 at h = 0.03, 0.1, 0.3: it spirals in.
    "06.wgan_r1": "converge",
}
