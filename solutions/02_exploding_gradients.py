"""Answers to the exercises of notebooks/02_exploding_gradients.ipynb, worked by hand."""

ANSWERS = {
    # All three elements at ±0.5: a corner of the cube, 0.02 · 0.5 · sqrt(3), sqrt(3) times global_clipnorm's 0.01.
    "02.longest_clipvalue_step": 0.017321,
    # A run bounces where the learning rate is above plain gradient descent's stability limit 2/λmax
    # (section 3: 0.0178, 0.0287, 0.032, 0.0339, 0.024 on seeds 0-4); 0.027 is above it on seeds 0 and 4
    # only. Clipping does not remove that cause. The form: on seeds 0 and 4 at 0.03, section 3 saw every update, or
    # all but one, clipped and, from both starts, a steady two-step cycle of steps lr · τ long (without clipping,
    # seed 4's bounce was a cycle as well and seed 0's erratic); at 0.027 the gradient stays above τ from the wall
    # on, so every step is lr · τ = 0.027 long, and the bounce is again a steady cycle.
    "02.bounce_seeds": {0: "cycle", 4: "cycle"},
    # Above the largest norm of healthy training (1.55) with room to spare, far below the explosion
    # (7.75e5); its first clipped step, 0.01 · 10 = 0.1, is short enough that the run stays finite and lands
    # short of the valley, not past it: it ends at the logged run's loss, 0.0005, being the logged run.
    "02.guard_threshold": 10.0,
}
