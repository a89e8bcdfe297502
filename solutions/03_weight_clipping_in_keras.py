"""Answers to the exercises of notebooks/03_weight_clipping_in_keras.ipynb, worked by hand."""

ANSWERS = {
    # L = sqrt(6 / 130) = 0.2148; the share outside [-0.1, 0.1] is 1 - 0.1 / 0.2148.
    "03.outside_at_start": 0.534,
    # The optimizer clips what it updates: the two trainable kernels; the frozen one keeps its Glorot values.
    "03.frozen_layer": 2,
    # Section 7's bound, n·c·b + c layer by layer: 1024 wide gives 0.03, 0.317, then 3.3 (above 1); 256 wide gives
    # 0.232; a third layer of 32 multiplies by at most 0.32 and adds 0.01, lowering 0.016 to 0.015.
    "03.reach_one": "1024 wide",
    # A .keras file keeps the layers' *_constraint attributes, not variable.constraint: the loaded layers build
    # their variables with no constraint, and the next step is not clipped.
    "03.after_load": "no",
}
