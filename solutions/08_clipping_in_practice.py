"""Answers to the exercises of notebooks/08_clipping_in_practice.ipynb, worked by hand."""

ANSWERS = {
    # A guard by section 2's rule leaves healthy steps alone; every spike of this log lies far above them, so
    # it also clips them all (in section 2's log most spikes lay below the guard's τ). At or above the 99th
    # percentile of the log *without* its spikes (3), below the smallest spike (40). The whole log's 99th
    # percentile (45) lies among the spikes, because they are 2 % of the steps; the median (0.8) would clip
    # about half the healthy steps.
    "08.guard_threshold": 3.0,
    # With every step clipped, each gradient Adam sees has length τ; τ cancels between m̂ and √v̂ only while the
    # clipped gradients are far above ε (notebook 08, section 3). Spread over 1e8 weights, τ = 0.001 is 1e-7 per
    # weight, Keras' ε itself: m̂ / (√v̂ + ε) falls when m̂ and √v̂ halve and ε does not, so the step is shorter.
    "08.adam_always_on": "shorter",
    # Keras clips each replica's gradient before the replicas' gradients are summed (section 7): four clipped
    # gradients of norm at most 1 sum to at most 4, and the step is at most 0.1 · 4.
    "08.replica_step": 0.4,
}
