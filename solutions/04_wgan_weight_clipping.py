"""Answers to the exercises of notebooks/04_wgan_weight_clipping.ipynb, worked by hand."""

ANSWERS = {
    # L = sqrt(6 / 256) = 0.1531; everything outside [-0.01, 0.01] lands on ±0.01: 1 - 0.01 / 0.1531.
    "04.glorot_at_bound": 0.935,
    # n_critic · m = 5 · 64.
    "04.batch_size": 320,
    # Gradients far below sqrt(1e-7): RMSprop's epsilon sets the step; section 4.
    "04.stalled_critic": "smaller epsilon",
}
