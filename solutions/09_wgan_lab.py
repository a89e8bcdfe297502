"""Answers to the exercises of notebooks/09_wgan_lab.ipynb, worked by hand."""

ANSWERS = {
    # Raising c leaves every weight that sat on ±0.01 far inside ±0.1; five Adam steps of about 5e-4 each
    # cannot carry it there, and the clip moves only weights outside [-c, c]: the share drops.
    "09.raise_c": "lower",
    # Clipped at 0.01, the lab's critic is at most 3.7e-3-Lipschitz (notebook 06's product of norm bounds); inside
    # [-2, 2]^2 no sample moves farther than 4√2 ≈ 5.7, so its gap is at most about 0.02: the 0.4 is the penalty's.
    "09.which_estimate": "penalty",
    # The estimates come from critics of different c, whose scale c sets (section 2: one change of c, more
    # than a thousandfold): they say nothing about which generator is closer.
    "09.compare_across_c": "cannot tell",
}
