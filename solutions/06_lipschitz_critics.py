"""Answers to the exercises of notebooks/06_lipschitz_critics.ipynb, worked by hand."""

ANSWERS = {
    # Every singular value far below 1 (each under its ceiling c·sqrt(n_in·n_out) for c = 0.01), and a
    # gradient near 1e-3 rather than 1: clipping. The penalty would hold the gradient near 1; spectral
    # normalization every singular value at 1.
    "06.which_method": "weight clipping",
    # Bias-free critics: weights 5 times larger need steps 5 times longer; RMSprop's step is the learning
    # rate times g / sqrt(mean g² + ε), about lr · g / |g| whatever the scale of g while ε is negligible, so
    # the critic's learning rate carries the factor.
    "06.scale_with_c": "critic learning rate",
    # Jacobian at (0, 0): [[0, 1], [-1, -γ]], eigenvalues -0.5 ± 0.87i for γ = 1 (negative real parts).
    # One alternating step: ψ' = ψ - h(θ + γψ), θ' = θ + hψ'; its matrix has determinant 1 - hγ and complex
    # eigenvalues of modulus sqrt(1 - hγ) = 0.985, 0.949, 0.837 at h = 0.03, 0.1, 0.3: it spirals in.
    "06.wgan_r1": "converge",
}
