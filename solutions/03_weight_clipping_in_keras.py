"""Answers to the exercises of notebooks/03_weight_clipping_in_keras.ipynb, worked by hand."""

ANSWERS = {
    # L = sqrt(6 / 130) = 0.2148; the share outside [-0.1, 0.1] is 1 - 0.1 / 0.2148.
    "03.outside_at_start": 0.534,
    # Constraints run after an update only: all 4 · 3 values are still 1.
    "03.before_first_update": 12,
    # Largest output 0.012 against targets near 2: the outputs cannot grow.
    "03.diagnose_loss": "output range",
}
