"""Answers to the exercises of notebooks/07_a_wgan_that_learns.ipynb, worked by hand."""

ANSWERS = {
    # Only the same run without clipping can say what clipping changed; section 3's unconstrained row is that control.
    "07.control_first": "without clipping",
    # Three of five against two of five is one seed's difference; one row's seeds spread from 0 to 8 modes in
    # section 3, so two sets of five seeds of one setting can differ by that much: chance cannot be ruled out.
    "07.report_setting": "seed noise could give this",
    # The set distance fell (the samples improved) while the estimate rose: it did not follow them; an unconstrained
    # critic's gap is bounded by nothing, and section 5's unconstrained row had no consistent sign.
    "07.estimate_reading": "it does not follow these samples",
}
