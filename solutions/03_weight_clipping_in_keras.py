"""Answers to the exercises of notebooks/03_weight_clipping_in_keras.ipynb, worked by hand."""

ANSWERS = {
    # L = sqrt(6 / 130) = 0.2148; the share outside [-0.1, 0.1] is 1 - 0.1 / 0.2148.
    "03.outside_at_start": 0.534,
    # The optimizer clips what it updates: the two trainable kernels; the frozen one keeps its Glorot values.
    "03.frozen_layer": 2,
    # No output can exceed 0.016 (section 7's bound) against targets near 2: the outputs cannot grow.
    "03.diagnose_loss": "output range",
    # A .keras file keeps the layers' *_constraint attributes, not variable.constraint: the loaded layers build
    # their variables with no constraint, and the next step is not clipped.
    "03.after_load": "no",
}
