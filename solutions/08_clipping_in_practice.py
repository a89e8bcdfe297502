"""Answers to the exercises of notebooks/08_clipping_in_practice.ipynb, worked by hand."""

ANSWERS = {
    # The median norm is 0.8: a threshold near it (Pascanu et al. advise the average norm) cuts the rare
    # steps of norm 40 or 900 down to an ordinary length; 40 lets every step up to 50 times the median
    # through, and 900 clips nothing.
    "08.pick_threshold": "1",
    # Adam's step is m / (sqrt(v) + eps): clipping shrinks m and v together, so the step length stays.
    "08.explain_spike": "adam sets the step",
    # Per-example clipping caps every example's gradient at C before averaging: influence at most C / B.
    "08.outlier": "per-example",
}
