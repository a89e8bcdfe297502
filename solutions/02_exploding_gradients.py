"""Answers to the exercises of notebooks/02_exploding_gradients.ipynb, worked by hand."""

ANSWERS = {
    # All three elements at ±0.5: a corner of the cube, 0.02 · 0.5 · sqrt(3), sqrt(3) times global_clipnorm's 0.01.
    "02.longest_clipvalue_step": 0.017321,
    # Every update is clipped at 0.01 (the gradients stay far above it on the wall), so each step is
    # lr · τ = 0.1 · 0.01 = 0.001 long along the gradient: the run of (0.01, 0.1) and (0.001, 1), loss 8.89.
    "02.same_product": 8.89,
    # Above the largest norm of healthy training (1.55) with room to spare, far below the explosion
    # (7.75e5), and 0.01 · 10 = 0.1 ≤ 0.3: the first clipped step stays on this side of the valley.
    "02.guard_threshold": 10.0,
}
