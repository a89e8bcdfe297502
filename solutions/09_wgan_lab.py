"""Answers to the exercises of notebooks/09_wgan_lab.ipynb, worked by hand."""

ANSWERS = {
    # Raising c leaves every weight that sat on ±0.01 far inside ±0.1; five Adam steps of about 5e-4 each
    # cannot carry it there, and the clip moves only weights outside [-c, c]: the share drops.
    "09.raise_c": "lower",
    # A clipped critic's values, and its estimate, scale with c; the penalty holds its gradients near 1.
    "09.which_estimate": "clipping",
    # The estimates come from critics of different c, whose scale c sets (section 2: one change of c, more
    # than a thousandfold): they say nothing about which generator is closer.
    "09.compare_across_c": "cannot tell",
}
