"""Answers to the exercises of notebooks/08_clipping_in_practice.ipynb, worked by hand."""

ANSWERS = {
    # At the outlier Adam's step is bounded (m and √v both grow with it). After it v keeps (1 - β2) times its square,
    # forgetting it by a factor e every 1 000 steps: a x10 000 outlier leaves √v about 100 times larger than the x100
    # one did. m keeps an echo of the outlier that shrinks by β1 = 0.9 a step and, after x10 000, outlasts the
    # ordinary gradients for most of the next 100 steps. Either way the steps m / (√v + ε) after it are much shorter
    # (Keras: median 2.0e-5 over steps 401-499, against 0.000315).
    "08.outlier_step": "much shorter",
    # With every step clipped, each gradient Adam sees has length τ; τ cancels between m and √v only while the
    # clipped gradients are far above ε (notebook 08, section 3). Spread evenly over all 1e8 weights, τ = 0.001 is
    # 1e-7 per weight, Keras' ε itself: Keras' m / (√v + ε) falls when m and √v halve and ε does not, so the step
    # is shorter.
    "08.adam_always_on": "shorter",
    # Keras clips each replica's gradient before the replicas' gradients are summed (section 7): four clipped
    # gradients of norm at most 1 sum to at most 4, and the step is at most 0.1 · 4.
    "08.replica_step": 0.4,
}
