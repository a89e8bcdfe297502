"""Answers to the exercises of notebooks/01_gradient_clipping.ipynb, worked by hand."""

ANSWERS = {
    # 0.6 stays; -2.0 and 1.2 are clipped to -1.0 and 1.0.
    "01.clip_by_value": [0.6, -1.0, 1.0],
    # g = (M, v, ..., v) with M huge: clip(g) = (v, ..., v), and cos(angle) -> 1/sqrt(100) = 0.1, about 84°.
    # Never 90°: every element keeps its sign, so g · clip(g) > 0.
    "01.largest_turn": "between 45 and 90",
    # The gradient is an IndexedSlices with three slices (3, 0), two for row 1 and one for row 2, clipped as stored
    # before row 1's two are added (section 2). clipnorm and global_clipnorm scale all three by one factor,
    # 1/sqrt(27): rows 1.15 and 0.58. clipvalue=0.5 cuts each slice to (0.5, 0): rows 1 and 0.5. Ratio 2 in every
    # case. (Dense, clipvalue would cut (6, 0) and (3, 0) both to (0.5, 0): ratio 1.)
    "01.sparse_repeats": "all three",
}
