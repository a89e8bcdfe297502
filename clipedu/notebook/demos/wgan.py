"""Demos of notebook 05: gradients through deep critics, and generated samples of runs side by side."""

import numpy as np

from clipedu import measures
from clipedu.notebook import figures
from clipedu.notebook.demos.base import Demo, choice, common_iterations


class LayerGradientDemo(Demo):
    """Gradient norms through the layers of deep critics, one curve per setting (c, or the penalty).

    ``norms`` maps a setting's label (e.g. ``"c = 0.01"``) to ``activation_gradient_norms`` of
    that critic; the slider picks the one drawn bold.
    """

    def __init__(self, norms, setting=None):
        if not norms:
            raise ValueError("norms must map at least one setting to its gradient norms")
        self.norms = {label: np.asarray(v, np.float64) for label, v in norms.items()}
        labels = list(self.norms)
        super().__init__({"setting": choice("critic", labels, labels[0] if setting is None else setting)},
                         figsize=(6.4, 4))

    def draw(self, figure, state):
        figures.layer_gradients(figure, state)

    def compute(self, setting):
        if setting not in self.norms:
            raise ValueError(f"setting must be one of {list(self.norms)}, got {setting!r}")
        norms = self.norms[setting]
        ratio = float(norms[0] / norms[-1])
        return {"setting": setting, "norms": norms, "all": self.norms, "first_over_last": ratio,
                "trend": measures.gradient_trend(norms)}

    @staticmethod
    def summary(state):
        return (f"{state['setting']}: first layer {state['norms'][0]:.2e}, last layer {state['norms'][-1]:.2e} "
                f"(ratio {state['first_over_last']:.2e}): gradients {state['trend']}")


class SamplesDemo(Demo):
    """Generated samples of several runs side by side, at a training iteration chosen by a slider.

    ``runs`` maps a label to a ``clipedu.recording.SampleHistory`` (all recorded at the same
    iterations); ``real`` is drawn behind each panel.
    """

    def __init__(self, runs, real, iteration=None):
        if not runs:
            raise ValueError("runs must map at least one label to a SampleHistory")
        self.runs = dict(runs)
        iterations = common_iterations(self.runs.values())
        self.real = np.asarray(real)
        iteration = iterations[-1] if iteration is None else iteration
        super().__init__({"iteration": choice("iteration", iterations, iteration)},
                         figsize=(4 * len(self.runs), 4))

    def draw(self, figure, state):
        figures.samples_side_by_side(figure, state)

    def compute(self, iteration):
        first = next(iter(self.runs.values()))
        if iteration not in first.iterations:
            raise ValueError(f"iteration must be one of {first.iterations}, got {iteration!r}")
        index = first.iterations.index(iteration)
        samples = {label: h.samples[index] for label, h in self.runs.items()}
        return {"iteration": iteration, "real": self.real, "samples": samples,
                "distance": {label: measures.set_distance(s, self.real) for label, s in samples.items()}}

    @staticmethod
    def summary(state):
        parts = [f"{label}: {d:.3f}" for label, d in state["distance"].items()]
        return f"after {state['iteration']} iterations, distance to the real data: " + ", ".join(parts)


