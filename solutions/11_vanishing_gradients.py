"""Answers to the exercises of notebooks/11_vanishing_gradients.ipynb, worked by hand."""

ANSWERS = {
    # At given weights global_clipnorm multiplies every time step's part of the weight gradient by one factor, so no
    # share changes (section 2); over training it changes where the weights go and, with Adam, the step's length
    # (sections 3 and 4). One seed of a chaotic run proves little either way.
    "11.sooner_with_clipping": "another path",
    # An order in time (section 4) is not a cause. Stopping the gradient after 10 steps back changes only how far
    # back it reaches (the forward computation, data and optimizer stay); beside the untruncated control, that tests
    # whether the reach matters. More seeds repeat the order; clipping cannot change the reach (section 2).
    "11.test_the_cause": "truncate the gradient",
}
