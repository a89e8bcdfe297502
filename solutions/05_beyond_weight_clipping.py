"""Answers to the exercises of notebooks/05_beyond_weight_clipping.ipynb, worked by hand."""

ANSWERS = {
    # The norms grow towards the input: each layer's factor, which c bounds (64 c), is above 1.
    "05.gradient_profile": "lower",
    # The factor per layer scales about as c · sqrt(width): 4096 / 64 = 64, sqrt(64) = 8; section 3 measured
    # about 0.05 at width 64 for c = 0.01, so about 0.4 at 4096: still below 1.
    "05.wider_critic": "decay less",
    # Section 2: the clipped critics' objective had stopped changing; the limit is their family, not time.
    "05.longer_clipped": "no",
}
