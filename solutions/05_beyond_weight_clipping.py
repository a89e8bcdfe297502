"""Answers to the exercises of notebooks/05_beyond_weight_clipping.ipynb, worked by hand."""

ANSWERS = {
    # 64 · 0.03 = 1.92 > 1: the ceiling does not force a decay, and as an upper bound it does not force growth;
    # at c = 0.1 (ceiling 6.4) section 3's gradient decayed after 100 iterations and grew after 200: training decides.
    "05.bound_decides": "either",
    # Section 2's unconstrained critics, and on two data sets the penalty's, were single bumps too: without a row that
    # differs only in the constraint and marks the modes, the single bump does not say the clip is why.
    "05.needs_control": "a control",
    # Below 5 % per 500 updates is slow, not stopped; gan_toy.py trains 500 000 updates, section 2 trained 3000.
    "05.penalty_budget": "no",
}
