"""Answers to the exercises of notebooks/12_gradients_through_deep_critics.ipynb, worked by hand."""

ANSWERS = {
    # The clipped run and the unclipped one differ in the clip and in the start (the first clip alone lowers g: section
    # 1, to 0.4-0.6 at c = 0.1); a value at the clipped start does not separate the two, the same training from the
    # clipped start without the clip does (section 1's control: a higher g than c = 0.1's on every seed after 200).
    "12.clipped_start": "the same training from the clipped start without the clip",
    # Training begins at the clipped start; if g is already about 0.03 there, the clip lowered it, not training
    # (64c = 0.32 < 1 forces a decay; in section 1 the trained g stayed within 15 % of the clipped start's at c = 0.01
    # and 0.001). The untrained He critic differs in two things, the clip and the training.
    "12.clipped_before_training": "the clipped start's g, before any update",
}
