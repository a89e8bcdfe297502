"""The demo of notebook 11: the gradient through time of recurrent networks while they train."""

import numpy as np

from clipedu.notebook import figures
from clipedu.notebook.demos.base import Demo, choice


class GradientThroughTimeDemo(Demo):
    """Each recurrent cell's gradient with respect to each step's input, at a chosen training step and seed.

    ``profiles`` maps a cell's name to an array (seeds, readings + 1, length): the gradient norm per input
    step at the start and after every ``every`` steps (``clipedu.adding.input_gradient_norms`` on each
    snapshot of ``clipedu.adding.train``); ``tests`` maps it to the test losses (seeds, readings) recorded
    after the same steps. Cells may have been trained for different numbers of steps. The sliders choose
    among the precomputed readings, so moving them is instant.
    """

    def __init__(self, profiles, tests, seeds, every=100, step=0, seed=None):
        if not isinstance(profiles, dict) or not profiles or set(profiles) != set(tests):
            raise ValueError(f"profiles and tests must be dicts with the same cells, got {profiles!r:.80} "
                             f"and {tests!r:.80}")
        self.seeds = list(seeds)
        self.profiles = {cell: np.asarray(p, dtype=np.float64) for cell, p in profiles.items()}
        self.tests = {cell: np.asarray(t, dtype=np.float64) for cell, t in tests.items()}
        for cell, p in self.profiles.items():
            t = self.tests[cell]
            if p.ndim != 3 or t.shape != (len(self.seeds), p.shape[1] - 1) or p.shape[0] != len(self.seeds):
                raise ValueError(f"{cell}: profiles must be (seeds, readings + 1, length) and tests (seeds, "
                                 f"readings) for {len(self.seeds)} seeds, got {p.shape} and {t.shape}")
            if not np.all(np.isfinite(p) & (p > 0)):
                raise ValueError(f"{cell}: every gradient norm must be positive and finite")
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be a positive integer, got {every!r}")
        self.every = every
        steps = every * np.arange(max(p.shape[1] for p in self.profiles.values()))
        seed = self.seeds[0] if seed is None else seed
        for name, value, options in (("step", step, steps.tolist()), ("seed", seed, self.seeds)):
            if value not in options:
                raise ValueError(f"{name} must be one of {options}, got {value!r}")
        super().__init__({"step": choice("training step", steps.tolist(), step),
                          "seed": choice("seed", self.seeds, seed)}, figsize=(7.5, 3.6))

    def draw(self, figure, state):
        figures.gradient_through_time(figure, state)

    def compute(self, step, seed):
        if seed not in self.seeds or step % self.every:
            raise ValueError(f"step must be a multiple of {self.every} and seed one of {self.seeds}, "
                             f"got step={step!r}, seed={seed!r}")
        row, reading = self.seeds.index(seed), step // self.every
        cells = {}
        for cell, p in self.profiles.items():
            if reading >= p.shape[1]:
                cells[cell] = None  # not trained this far
                continue
            profile = p[row, reading]
            cells[cell] = {"relative": profile / profile[-1], "ratio": float(profile[0] / profile[-1]),
                           "test": None if reading == 0 else float(self.tests[cell][row, reading - 1])}
        return {"step": int(step), "seed": seed, "cells": cells}

    @staticmethod
    def summary(state):
        lines = [f"step {state['step']}, seed {state['seed']}:   gradient at step 1 / at the last step   test loss"]
        for cell, values in state["cells"].items():
            if values is None:
                lines.append(f"  {cell:9}  not trained this far")
                continue
            test = "not recorded at the start" if values["test"] is None else f"{values['test']:.3f}"
            lines.append(f"  {cell:9}  10^{np.log10(values['ratio']):5.1f}{'':27}{test}")
        return "\n".join(lines)
