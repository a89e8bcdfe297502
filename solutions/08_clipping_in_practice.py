"""Answers to the exercises of notebooks/08_clipping_in_practice.ipynb, worked by hand."""

ANSWERS = {
    # A guard leaves healthy steps alone and clips the spikes: at or above the 99th percentile of the log
    # *without* its spikes (3), below the smallest spike (40). The whole log's 99th percentile (45) lies among
    # the spikes, because they are 2 % of the steps; the median (0.8) would clip about half the healthy steps.
    "08.guard_threshold": 3.0,
    # With every step clipped, each gradient Adam sees has length τ, which cancels between m̂ and √v̂ as long as
    # the clipped gradients are far above ε; the step follows the learning rate (notebook 08, section 3).
    "08.adam_always_on": "halve the learning rate",
    # Keras clips each replica's gradient before the replicas' gradients are summed (section 7): four clipped
    # gradients of norm at most 1 sum to at most 4, and the step is at most 0.1 · 4.
    "08.replica_step": 0.4,
}
