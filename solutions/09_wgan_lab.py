"""Answers to the exercises of notebooks/09_wgan_lab.ipynb, worked by hand."""

ANSWERS = {
    # The clip after the next critic update puts every weight larger than 0.01 in size onto ±0.01.
    "09.lower_c": "higher",
    # A clipped critic's values, and its estimate, scale with c; the penalty holds its gradients near 1.
    "09.which_estimate": "clipping",
}
