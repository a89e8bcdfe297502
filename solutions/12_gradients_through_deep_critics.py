"""Answers to the exercises of notebooks/12_gradients_through_deep_critics.ipynb, worked by hand."""

ANSWERS = {
    # The ceiling n·c: 128 · 0.005 = 0.64 < 1 forces a decay through every hidden layer; 256 · 0.005 = 1.28 > 1 leaves
    # room to grow, which only runs can settle (section 1: c = 0.01 and 0.001 decided by the bound, c = 0.1 not).
    "12.ceiling_width": "the 128-wide",
    # An RMSprop step is at most lr · |g| / √ε: from the largest kernel-gradient entry, that bound says whether updates
    # pushed entries beyond ±c for the clip to put back, or were too short to move anything, clip or no clip
    # (section 1).
    "12.barely_trained": "the largest kernel-gradient entry against √ε",
}
