"""Answers to the exercises of notebooks/12_gradients_through_deep_critics.ipynb, worked by hand."""

ANSWERS = {
    # The ceiling n·c: 128 · 0.005 = 0.64 < 1 forces a decay through every hidden layer; 256 · 0.005 = 1.28 > 1 leaves
    # room to grow, which only runs can settle (section 1: c = 0.01 and 0.001 decided by the bound, c = 0.1 not).
    "12.ceiling_width": "the 128-wide",
    # Only the run that changes the clip alone settles what the clip does; a small bound lr · |g| / √ε could rule the
    # claim out, a large one cannot confirm it (section 1's last cells); the share on ±c is the same either way.
    "12.barely_trained": "the same start trained without the clip",
    # The clip keeps every weight in [-c, c] at every iteration, so the ceiling 64c = 0.96 holds at iteration 100 too:
    # g ≤ 0.96 is never above 1.1, so 'grows' is ruled out; but 0.96 is not below 0.9, and the box holds critics
    # between 0.9 and 0.96 (every weight +c: g = 0.96), which section 1 calls 'level': only a run rules that out.
    "12.between_the_ends": "grows",
}
