"""Answers to the exercises of notebooks/01_gradient_clipping.ipynb, worked by hand."""

ANSWERS = {
    # 0.6 stays; -2.0 and 1.2 are clipped to -1.0 and 1.0.
    "01.clip_by_value": [0.6, -1.0, 1.0],
    # Equal magnitudes are clipped by the same factor: [2, -2] becomes [1, -1].
    "01.unturned_gradient": [2.0, -2.0],
    # [3, 4] becomes [0.6, 0.8] (norm 1); [0.3] stays: sqrt(1 + 0.09).
    "01.per_tensor_norm": 1.0440,
    # clipnorm would shrink only the kernel's gradient (5 > 1) and turn the update.
    "01.keep_direction": "global_clipnorm",
}
