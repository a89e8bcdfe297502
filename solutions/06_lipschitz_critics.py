"""Answers to the exercises of notebooks/06_lipschitz_critics.ipynb, worked by hand."""

ANSWERS = {
    # Training raised the σ with the penalty (2.6 to 3.0 -> 3.6 to 4.4) and without it (3.5 to 4.5, the control):
    # the rise is the training's. The ranges overlap, which says nothing either way; the pairs decide: the penalty's
    # σ below the control's in 29 of 55 (seed, layer) pairs is about half, where a hold-down gives nearly all (section
    # 4: 20 of 20). No effect shown.
    "06.deep_penalty": "nothing these numbers show",
    # R1's field Jacobian at (0, 0) is [[0, 0.5], [-0.5, -1]]: eigenvalue -0.5 twice. A simultaneous step
    # multiplies the displacement by I + hJ, eigenvalue 1 - h/2 (twice, one eigenvector), of modulus below 1
    # exactly while 0 < h < 4: then it shrinks in the long run (a single step may lengthen it).
    "06.simultaneous_r1_rate": 4.0,
    # Jacobian at (0, 0): [[0, 1], [-1, -γ]], eigenvalues -0.5 ± 0.87i for γ = 1 (negative real parts).
    # One alternating step: ψ' = ψ - h(θ + γψ), θ' = θ + hψ'; its matrix has determinant 1 - hγ and complex
    # eigenvalues of modulus sqrt(1 - hγ) = 0.985, 0.949, 0.837 at h = 0.03, 0.1, 0.3: it spirals in.
    "06.wgan_r1": "converge",
}
