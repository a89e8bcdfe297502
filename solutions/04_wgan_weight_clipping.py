"""Answers to the exercises of notebooks/04_wgan_weight_clipping.ipynb, worked by hand."""

ANSWERS = {
    # L = sqrt(6 / 256) = 0.1531; everything outside [-0.01, 0.01] lands on ±0.01: 1 - 0.01 / 0.1531.
    "04.glorot_at_bound": 0.935,
    # A 256-wide Glorot kernel: L = sqrt(6 / 512) = 0.108, so 1 - 0.01 / 0.108 = 91 % lies outside ±0.01 and the
    # first clip puts it on ±c. Training from inside [-c, c] with Keras' RMSprop put under 1 % there in 100
    # iterations (section 5): 10 iterations cannot have put 91 % there.
    "04.first_clip": "the first clip",
    # The unclipped run stalls as much (the clip is not the cause); epsilon = 1e-20 moves the weights in the same 500
    # iterations (their number is not): small weights give small gradients, and Keras' epsilon inside the root
    # shortens their steps (section 4).
    "04.stall_cause": "epsilon and small gradients",
}
