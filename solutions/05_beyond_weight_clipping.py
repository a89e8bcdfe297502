"""Answers to the exercises of notebooks/05_beyond_weight_clipping.ipynb, worked by hand."""

ANSWERS = {
    # The claim is about what the clip took away: it needs the same critics trained without the clip (section 2's
    # unconstrained critics were one bump too); a row with another constraint shows what that constraint adds.
    "05.needs_control": "the same critics trained without the clip",
    # The longer run (one change: the length) resolved the modes at 64 units; the wider run (one change: the width)
    # did not at 3000 updates: the training was too short, and no wider critic was needed.
    "05.penalty_budget": "the short training",
}
