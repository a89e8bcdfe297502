"""Answers to the exercises of notebooks/02_exploding_gradients.ipynb, worked by hand."""

ANSWERS = {
    # The clipped gradient has norm at most 1: 0.01 · 1.
    "02.longest_global_step": 0.01,
    # Both elements at ±1: the diagonal of the box, 0.01 · sqrt(2).
    "02.longest_clipvalue_step": 0.014142,
    # Above 1.55, the largest norm from the 10th update on; far below the explosion, 7.75e5.
    "02.threshold_from_log": 5.0,
}
