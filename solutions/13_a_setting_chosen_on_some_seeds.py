"""Answers to the exercises of notebooks/13_a_setting_chosen_on_some_seeds.ipynb, worked by hand."""

ANSWERS = {
    # Nothing chose either set of fifteen fresh seeds: both estimate one success rate, and sets of fifteen differ by
    # four or more about one time in five at a rate of 0.4 (Fisher's exact test: p = 0.26). Report the thirty
    # together, with their interval (0.23 to 0.59).
    "13.report_setting": "12 of 30 (0.23 to 0.59)",
    # The seeds 0-4 chose A, so they favour it (section 3: the best of several looks lucky on its choosing seeds); on
    # the fresh seeds, which chose nothing, 2 of 15 against 11 of 15 is a difference chance rarely gives (Fisher's
    # exact test: p = 0.0025). B's share to report then comes from further seeds, which choose nothing.
    "13.separate_settings": "B, which did better on the fresh seeds",
}
