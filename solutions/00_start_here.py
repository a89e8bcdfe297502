"""Answers to the exercises of notebooks/00_start_here.ipynb, worked by hand."""

ANSWERS = {
    # 0.1 stays, 3 becomes 0.5.
    "00.first_clip": [0.1, 0.5],
    # atan2(3, 0.1) - atan2(0.5, 0.1) = 88.09° - 78.69°.
    "00.first_turn": 9.4,
    # clipnorm divides the whole tensor by one number; clipvalue turned (0.1, 3) by 9.4°.
    "00.keep_direction": "clipnorm",
}
