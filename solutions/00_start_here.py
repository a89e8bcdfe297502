"""Answers to the exercises of notebooks/00_start_here.ipynb, worked by hand."""

ANSWERS = {
    # 0.1 stays; -3 is cut to -0.5 and keeps its sign.
    "00.first_clip": [0.1, -0.5],
    # Both elements lie inside [-4, 4]: nothing is clipped, nothing turns.
    "00.no_turn": 0.0,
    # clipnorm divides the whole tensor by one number; clipvalue turned (0.1, 3) by 9.4°.
    "00.keep_direction": "clipnorm",
}
