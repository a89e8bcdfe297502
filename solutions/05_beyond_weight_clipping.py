"""Answers to the exercises of notebooks/05_beyond_weight_clipping.ipynb, worked by hand."""

ANSWERS = {
    # The clipped run and the unclipped one differ in the clip and in the start (the first clip alone lowers g: section
    # 3, to 0.4-0.6 at c = 0.1); a value at the clipped start does not separate the two, the same training from the
    # clipped start without the clip does (section 3's control: a higher g than c = 0.1's on every seed after 200).
    "05.clipped_start": "the same training from the clipped start without the clip",
    # Section 2's penalty critics were one bump on the 25 Gaussians and the roll too: without a row that differs only
    # in the constraint and marks the modes, the single bump does not say the clip is why.
    "05.needs_control": "a control",
    # Two suspects, two runs, each changing one beside section 2's row; one run tests one suspect, and a run changing
    # both cannot say which did it.
    "05.penalty_budget": "two runs, one change each",
}
