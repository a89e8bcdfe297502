"""Answers to the exercises of notebooks/05_beyond_weight_clipping.ipynb, worked by hand."""

ANSWERS = {
    # Section 2's penalty critics were one bump on the 25 Gaussians and the roll too: without a row that differs only
    # in the constraint and marks the modes, the single bump does not say the clip is why.
    "05.needs_control": "a control",
    # Two suspects, two runs, each changing one beside section 2's row; one run tests one suspect, and a run changing
    # both cannot say which did it.
    "05.penalty_budget": "two runs, one change each",
}
