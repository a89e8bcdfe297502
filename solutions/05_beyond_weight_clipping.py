"""Answers to the exercises of notebooks/05_beyond_weight_clipping.ipynb, worked by hand."""

ANSWERS = {
    # ‖(3, 4)‖ = 5 everywhere: 10 · (5 - 1)².
    "05.penalty_linear": 160,
    # 0.25 · (1, 0) + 0.75 · (0, 1).
    "05.interpolate": [0.25, 0.75],
    # The norms grow towards the input: each layer amplifies, as c = 0.3 did.
    "05.gradient_profile": "lower",
}
