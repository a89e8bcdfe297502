"""Answers to the exercises of notebooks/06_lipschitz_critics.ipynb, worked by hand."""

ANSWERS = {
    # Every singular value far below 1 (each under its ceiling c·sqrt(n_in·n_out) for c = 0.01), and a
    # gradient near 1e-3 rather than 1: clipping. The penalty would hold the gradient near 1; spectral
    # normalization every singular value at 1.
    "06.which_method": "weight clipping",
    # Weights 5 times larger need steps 5 times longer; RMSprop's step is the learning rate times
    # g / sqrt(mean g²), whatever the scale of g, so the critic's learning rate carries the factor.
    "06.scale_with_c": "critic learning rate",
    # A smaller c or learning rate changes the swing; only the R1 penalty damps it (Mescheder et al. 2018).
    "06.settle_dirac": "R1 penalty",
}
