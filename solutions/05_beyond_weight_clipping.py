"""Answers to the exercises of notebooks/05_beyond_weight_clipping.ipynb, worked by hand."""

ANSWERS = {
    # The norms grow towards the input, as section 3's trained c = 0.1 critics' did; each layer's factor is at most
    # width · c, so a smaller c lowers the ceiling (too small, and they vanish, as at c = 0.01 and 0.001).
    "05.gradient_profile": "lower",
    # 128 · 0.005 = 0.64 < 1: no hidden layer can multiply the gradient by more, whatever training does to the
    # weights, so it decays towards the input, as section 3's c = 0.01 (ceiling 0.64) did on every seed.
    "05.bound_decides": "decay",
    # Section 2: the clipped critics' objective had stopped changing; the limit is their family, not time.
    "05.longer_clipped": "no",
}
