"""Answers to the exercises of notebooks/11_vanishing_gradients.ipynb, worked by hand."""

ANSWERS = {
    # At given weights global_clipnorm multiplies every time step's part of the weight gradient by one factor, so no
    # share changes (section 2): ruled out by arithmetic. Another path (sections 3-4) and chance on one seed of a
    # chaotic run both stand.
    "11.sooner_with_clipping": "same weights, larger share",
    # An order in time (section 4) is not a cause. Stopping the gradient 25 steps back changes only how far back it
    # reaches (every second marked number within reach, no first one); beside the untruncated control, the truncated
    # GRU should stop near the second-only loss if the reach to the first half is what lets it learn.
    "11.test_the_cause": "truncate the gradient",
}
