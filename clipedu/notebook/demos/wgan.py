"""Demo of generated samples of WGAN runs side by side."""

import numpy as np

from clipedu import measures
from clipedu.notebook import figures
from clipedu.notebook.demos.base import Demo, choice, common_iterations

REACH = 2.2  # the panels show [-REACH, REACH]²; the title gives the share of generated samples outside it
COLUMNS = 4  # at most this many panels per row: more runs wrap onto further rows, so that each panel stays legible


class SamplesDemo(Demo):
    """Generated samples of several runs side by side, at a training iteration chosen by a slider.

    ``runs`` maps a label to a ``clipedu.recording.SampleHistory`` (all recorded at the same
    iterations); ``real`` is drawn behind each panel; ``note`` (e.g. "seed 0") ends the figure's title.
    """

    def __init__(self, runs, real, iteration=None, note=None):
        if not runs:
            raise ValueError("runs must map at least one label to a SampleHistory")
        if note is not None and not isinstance(note, str):
            raise TypeError(f"note must be a string or None, got {note!r}")
        self.note = note
        self.runs = dict(runs)
        iterations = common_iterations(self.runs.values())
        self.real = np.asarray(real)
        iteration = iterations[-1] if iteration is None else iteration
        rows, columns = figures.panel_grid(len(self.runs), COLUMNS)
        super().__init__({"iteration": choice("iteration", iterations, iteration)},
                         figsize=(4 * columns, 4 * rows))

    def draw(self, figure, state):
        figures.samples_side_by_side(figure, state, columns=COLUMNS)

    def compute(self, iteration):
        first = next(iter(self.runs.values()))
        if iteration not in first.iterations:
            raise ValueError(f"iteration must be one of {first.iterations}, got {iteration!r}")
        index = first.iterations.index(iteration)
        samples = {label: h.samples[index] for label, h in self.runs.items()}
        return {"iteration": iteration, "real": self.real, "samples": samples, "note": self.note, "reach": REACH,
                "outside": {label: float(np.mean(np.any(np.abs(s) > REACH, axis=1))) for label, s in samples.items()},
                "distance": {label: measures.set_distance(s, self.real) for label, s in samples.items()}}

    @staticmethod
    def summary(state):
        parts = [f"{label}: {d:.3f}" for label, d in state["distance"].items()]
        return f"after {state['iteration']} iterations, distance to the real data: " + ", ".join(parts)


