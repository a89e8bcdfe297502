"""Answers to the exercises of notebooks/01_gradient_clipping.ipynb, worked by hand."""

ANSWERS = {
    # 0.6 stays; -2.0 and 1.2 are clipped to -1.0 and 1.0.
    "01.clip_by_value": [0.6, -1.0, 1.0],
    # g = (M, v, ..., v) with M huge: clip(g) = (v, ..., v), and cos(angle) -> 1/sqrt(100) = 0.1, about 84°.
    # Never 90°: every element keeps its sign, so g · clip(g) > 0.
    "01.largest_turn": "between 45 and 90",
    # On the TensorFlow backend the gradient is an IndexedSlices with 4 slices (3, 0), one per use of the row.
    # clipnorm takes the norm of the slices as stored, sqrt(4 · 3²) = 6 (section 2: 4.24 for 2 slices), not the
    # row's 12; each slice becomes (0.5, 0), and the 4 are added when the update is applied: the row moves
    # (2, 0), 2 long, sqrt(4) times the bound. Not 1 (the dense bound), not 4 (each slice clipped to 1 alone).
    "01.sparse_repeats": 2.0,
}
