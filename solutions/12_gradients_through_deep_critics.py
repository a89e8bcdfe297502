"""Answers to the exercises of notebooks/12_gradients_through_deep_critics.ipynb, worked by hand."""

ANSWERS = {
    # The ceiling n·c: 128 · 0.005 = 0.64 < 1 forces a decay through every hidden layer; 256 · 0.005 = 1.28 > 1 leaves
    # room to grow, which only runs can settle (section 1: c = 0.01 and 0.001 decided by the bound, c = 0.1 not).
    "12.ceiling_width": "the 128-wide",
    # Only the run that changes the clip alone settles what the clip does; a small bound lr · |g| / √ε could rule the
    # claim out, a large one cannot confirm it (section 1's last cells); the share on ±c is the same either way.
    "12.barely_trained": "the same start trained without the clip",
    # The clip keeps every weight in [-c, c] at every iteration, so the ceiling 64c holds at iteration 100 too:
    # 0.64 < 0.9 forces 'decays' at c = 0.01; at c = 0.1 the ceiling 6.4 allows every verdict, and g was measured at
    # the two ends only.
    "12.between_the_ends": "c = 0.01",
}
