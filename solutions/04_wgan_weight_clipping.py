"""Answers to the exercises of notebooks/04_wgan_weight_clipping.ipynb, worked by hand."""

ANSWERS = {
    # L = sqrt(6 / 256) = 0.1531; everything outside [-0.01, 0.01] lands on ±0.01: 1 - 0.01 / 0.1531.
    "04.glorot_at_bound": 0.935,
    # A gap is at most K · W with K set by c: gaps of different c do not compare (section 4).
    "04.compare_gaps": "cannot tell",
    # Step ≈ lr · g / sqrt(epsilon): ten times the rate, ten times a step of 4.4e-7 learning rates (section 4);
    # the default-epsilon runs moved under a thousandth of c, so ten times that stays far below a tenth.
    "04.larger_rate": "less",
}
