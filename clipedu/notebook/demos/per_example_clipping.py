"""Demo of notebook 08: clipping each example's gradient, as DP-SGD does, against clipping the batch's."""

import numpy as np

from clipedu import gradients
from clipedu.notebook import figures
from clipedu.notebook.demos.base import Demo, slider

# Eight examples of a linear model y = w · x; the last one's label is set by a slider.
EXAMPLES = np.array([[1.0, 0.2], [0.8, 0.5], [1.0, -0.3], [0.6, 0.4], [0.9, 0.1], [0.7, -0.1], [1.1, 0.3],
                     [0.1, 1.0]])
TRUE_W = np.array([1.0, 0.5])


class PerExampleClipDemo(Demo):
    """One outlier among eight examples: how far it moves a batch-clipped and a per-example-clipped update.

    The gradients are those of each example's squared error at w = 0. The sum of the gradients is
    divided by the batch size B = 8 with or without the outlier, as in DP-SGD, so that leaving it
    out removes exactly its share.
    """

    def __init__(self, clipnorm=1.0, outlier=20.0):
        super().__init__({"clipnorm": slider("clip norm C", clipnorm, 0.1, 5, 0.1),
                          "outlier": slider("the outlier's label", outlier, 0, 40, 0.5)}, figsize=(6, 5))

    def draw(self, figure, state):
        figures.per_example_directions(figure, state)

    @staticmethod
    def compute(clipnorm, outlier):
        labels = EXAMPLES @ TRUE_W
        labels[-1] = outlier
        per_example = 2 * (0.0 - labels)[:, None] * EXAMPLES  # d(w · x - y)² / dw at w = 0
        batch_size = len(EXAMPLES)
        clean = per_example[:-1].sum(axis=0)  # the direction the clean examples ask for

        def batch(grads):
            return gradients.clip_by_global_norm(grads.sum(axis=0) / batch_size, clipnorm)[0]

        def each(grads):
            return gradients.clip_per_example(grads, clipnorm, batch_size=batch_size)[0]

        updates = {"batch": batch(per_example), "per-example": each(per_example)}
        without = {"batch": batch(per_example[:-1]), "per-example": each(per_example[:-1])}

        def apart(pair):
            return gradients.angle_between(*pair.values()) if all(np.any(v) for v in pair.values()) else None

        return {
            "per_example": per_example,
            "clipnorm": float(clipnorm),
            "bound": float(clipnorm / batch_size),
            "updates": updates,
            "without": without,
            "angle": {kind: gradients.angle_between(update, clean) if np.any(update) else None
                      for kind, update in updates.items()},
            "influence": {kind: float(np.linalg.norm(updates[kind] - without[kind])) for kind in updates},
            # how far apart the batch-clipped and the per-example-clipped directions are, in degrees
            "apart": {"with": apart(updates), "without": apart(without)},
        }

    @staticmethod
    def summary(state):
        lines = [f"{'':22} {'turned from the clean direction':>32}  {'the outlier moves it by':>24}"]
        for kind in ("batch", "per-example"):
            angle = state["angle"][kind]
            lines.append(f"{kind + ' clipping':22} {('undefined' if angle is None else f'{angle:.1f}°'):>32}  "
                         f"{state['influence'][kind]:24.3f}")
        lines.append(f"the bound C / B = {state['bound']:.3f}")
        return "\n".join(lines)
