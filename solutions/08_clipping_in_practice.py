"""Answers to the exercises of notebooks/08_clipping_in_practice.ipynb, worked by hand."""

ANSWERS = {
    # Adam's step is m / (√v + ε): one gradient far larger than its history dominates both m and v, so the step
    # per weight tends to the limit (1 - β1)/√(1 - β2) · √(1 - β2^t)/(1 - β1^t) η = 1.82 η at t = 401, whatever
    # the outlier's size. The x100 outlier already made 1.70 η; a x10 000 one comes a little closer to 1.82 η.
    "08.outlier_step": "about the same",
    # With every step clipped, each gradient Adam sees has length τ; τ cancels between m and √v only while the
    # clipped gradients are far above ε (notebook 08, section 3). Spread over 1e8 weights, τ = 0.001 is 1e-7 per
    # weight, Keras' ε itself: Keras' m / (√v + ε) falls when m and √v halve and ε does not, so the step is shorter.
    "08.adam_always_on": "shorter",
    # Keras clips each replica's gradient before the replicas' gradients are summed (section 7): four clipped
    # gradients of norm at most 1 sum to at most 4, and the step is at most 0.1 · 4.
    "08.replica_step": 0.4,
}
