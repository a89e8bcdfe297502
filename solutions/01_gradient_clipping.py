"""Answers to the exercises of notebooks/01_gradient_clipping.ipynb, worked by hand."""

ANSWERS = {
    # 0.6 stays; -2.0 and 1.2 are clipped to -1.0 and 1.0.
    "01.clip_by_value": [0.6, -1.0, 1.0],
    # g = (M, v, ..., v) with M huge: clip(g) = (v, ..., v), and cos(angle) -> 1/sqrt(100) = 0.1, about 84°.
    # Never 90°: every element keeps its sign, so g · clip(g) > 0.
    "01.largest_turn": "between 45 and 90",
    # clipnorm cuts the bias's gradient (3 > 1) to norm 1 and leaves the kernel's (0.5 < 1): 1:6 becomes 1:2.
    "01.share_grows": "kernel",
}
