"""Demos of notebooks 00 and 01: what clipvalue, clipnorm and global_clipnorm make of a gradient."""

import itertools

import numpy as np

from clipedu import gradients
from clipedu.notebook import figures
from clipedu.notebook.demos.base import Demo, slider, vector

KINDS = ("clipvalue", "clipnorm", "global_clipnorm")
CLIP = {
    "clipvalue": gradients.clip_by_value,
    "clipnorm": gradients.clip_by_norm,
    "global_clipnorm": gradients.clip_by_global_norm,
}


def _turn(reference, clipped):
    """The angle between two gradients, or None where it is undefined (a zero gradient)."""
    if gradients.global_norm(reference) == 0 or gradients.global_norm(clipped) == 0:
        return None
    return gradients.angle_between(reference, clipped)


def _degrees(angle):
    return "undefined (zero gradient)" if angle is None else f"{angle:.1f}°"


class GradientClipDemo(Demo):
    """One 2-D gradient g and what clipvalue, clipnorm and global_clipnorm make of it."""

    def __init__(self, g=(0.1, 3.0), threshold=0.5):
        super().__init__({"g0": slider("g[0]", g[0], -4, 4, 0.05),
                          "g1": slider("g[1]", g[1], -4, 4, 0.05),
                          "threshold": slider("threshold", threshold, 0.05, 4, 0.05)}, figsize=(9, 4.6))

    def draw(self, figure, state):
        figures.clipped_gradient(figure, state)

    @staticmethod
    def compute(g0, g1, threshold):
        g = np.array([g0, g1], np.float64)
        clipped = {kind: CLIP[kind]([g], threshold)[0] for kind in KINDS}
        return {
            "gradient": g,
            "threshold": float(threshold),
            "clipped": clipped,
            "angle": {kind: _turn(g, clipped[kind]) for kind in KINDS},
            "length": {"original": float(np.linalg.norm(g))}
            | {kind: float(np.linalg.norm(v)) for kind, v in clipped.items()},
        }

    @staticmethod
    def summary(state):
        lines = [f"{'':16} {'vector':>18} {'length':>7}  turned by",
                 f"{'gradient':16} {vector(state['gradient'])} {state['length']['original']:7.3f}"]
        for kind in KINDS:
            lines.append(f"{kind:16} {vector(state['clipped'][kind])} {state['length'][kind]:7.3f}  "
                         f"{_degrees(state['angle'][kind])}")
        return "\n".join(lines)


class TwoTensorDemo(Demo):
    """A gradient made of two tensors: per-tensor clipnorm turns the whole update, global does not."""

    NAMES = ("kernel", "bias")

    def __init__(self, kernel=(3.0, 4.0), bias_direction=(1.0, -0.5), bias_scale=0.4, threshold=1.0):
        self.kernel = np.array(kernel, np.float64)
        self.bias_direction = np.array(bias_direction, np.float64)
        super().__init__({"bias_scale": slider("bias gradient scale", bias_scale, 0, 6, 0.1),
                          "threshold": slider("threshold", threshold, 0.1, 6, 0.1)}, figsize=(8, 4.2))

    def draw(self, figure, state):
        figures.two_tensors(figure, state)

    def compute(self, bias_scale, threshold):
        g = [self.kernel, bias_scale * self.bias_direction]
        clipped = {kind: CLIP[kind](g, threshold) for kind in ("clipnorm", "global_clipnorm")}
        return {
            "names": self.NAMES,
            "gradient": g,
            "threshold": float(threshold),
            "norms": [float(np.linalg.norm(t)) for t in g],
            "global_norm": gradients.global_norm(g),
            "clipped": clipped,
            "clipped_norms": {k: [float(np.linalg.norm(t)) for t in v] for k, v in clipped.items()},
            "angle": {k: _turn(g, v) for k, v in clipped.items()},
        }

    @staticmethod
    def summary(state):
        lines = [f"{'':16} {'kernel':>18} {'bias':>18}  whole update turned by",
                 f"{'gradient':16} {vector(state['gradient'][0])} {vector(state['gradient'][1])}"]
        for kind, clipped in state["clipped"].items():
            lines.append(f"{kind:16} {vector(clipped[0])} {vector(clipped[1])}  {_degrees(state['angle'][kind])}")
        return "\n".join(lines)


def _groups(pairs):
    """Pairs of names that are equal, joined into groups: [(a, b), (a, c), (b, c)] -> [(a, b, c)]."""
    groups = []
    for a, b in pairs:
        for group in groups:
            if a in group or b in group:
                group.update((a, b))
                break
        else:
            groups.append({a, b})
    return [tuple(name for name in ("none", "clipvalue", "clipnorm") if name in group) for group in groups]


def quadratic_loss(x, y, curvature=10.0):
    """The loss 0.5 (x² + curvature · y²): a valley steep across and shallow along."""
    return 0.5 * (np.square(x) + curvature * np.square(y))


class StepOnSurfaceDemo(Demo):
    """Where one gradient step lands on a 2-D loss surface, with each kind of clipping."""

    CURVATURE = 10.0

    def __init__(self, start=(3.0, 1.0), learning_rate=0.3, threshold=1.0):
        x, y = np.meshgrid(np.linspace(-4, 4, 161), np.linspace(-3, 3, 121))
        self.surface = (x, y, quadratic_loss(x, y, self.CURVATURE))
        super().__init__({"x": slider("start x", start[0], -3.8, 3.8, 0.1),
                          "y": slider("start y", start[1], -2.8, 2.8, 0.1),
                          "learning_rate": slider("learning rate", learning_rate, 0.01, 0.5, 0.01),
                          "threshold": slider("threshold", threshold, 0.1, 10, 0.1)}, figsize=(11, 5))

    def draw(self, figure, state):
        figures.step_on_surface(figure, state, self.surface, lambda x, y: quadratic_loss(x, y, self.CURVATURE))

    def compute(self, x, y, learning_rate, threshold):
        start = np.array([x, y], np.float64)
        gradient = np.array([x, self.CURVATURE * y])
        directions = {"none": gradient}
        directions |= {kind: CLIP[kind]([gradient], threshold)[0] for kind in ("clipvalue", "clipnorm")}
        landing = {kind: start - learning_rate * d for kind, d in directions.items()}
        together = [(a, b) for a, b in itertools.combinations(landing, 2)
                    if np.allclose(landing[a], landing[b], rtol=0, atol=1e-12)]
        return {
            "start": start,
            "gradient": gradient,
            "loss_before": float(quadratic_loss(x, y, self.CURVATURE)),
            "landing": landing,
            "together": _groups(together),
            "loss_after": {kind: float(quadratic_loss(*p, self.CURVATURE)) for kind, p in landing.items()},
        }

    @staticmethod
    def summary(state):
        lines = [f"start {vector(state['start'])}, loss {state['loss_before']:.3f}, "
                 f"gradient {vector(state['gradient'])}"]
        for kind, point in state["landing"].items():
            lines.append(f"{kind:12} lands at {vector(point)}, loss {state['loss_after'][kind]:.3f}")
        return "\n".join(lines)


