"""The demo of notebook 02: a recurrent unit trained without clipping and with each clipping argument."""

import warnings

import numpy as np
from tqdm.auto import tqdm

from clipedu import checks, exploding
from clipedu.notebook import figures
from clipedu.notebook.demos.base import Demo, choice
from clipedu.notebook.demos.gradient_clipping import KINDS


class ExplodingDemo(Demo):
    """Training a recurrent unit whose gradients explode, without clipping and with each argument.

    Every combination of the learning rates and thresholds is trained once, when the demo is made
    (with a progress bar), with a real Keras SGD optimizer (``clipedu.exploding.train_rnn``); the
    sliders then only choose among those runs, so moving them is instant.
    """

    def __init__(self, start=(1.1, 0.5), steps=100, learning_rates=(0.001, 0.003, 0.01, 0.03),
                 thresholds=(0.1, 1.0, 10.0), learning_rate=0.01, threshold=1.0,
                 window=((-0.2, 1.3), (-0.5, 2.0)), progress=True):
        self.start = exploding._point("start", start)
        steps = checks.positive_int("steps", steps)
        learning_rates = [checks.positive_finite("learning_rates", v) for v in learning_rates]
        thresholds = [checks.positive_finite("thresholds", v) for v in thresholds]
        for name, value, options in [("learning_rate", learning_rate, learning_rates),
                                     ("threshold", threshold, thresholds)]:
            if value not in options:
                raise ValueError(f"{name} must be one of {options}, got {value!r}")
        jobs = [(lr, "none", None) for lr in learning_rates]
        jobs += [(lr, kind, t) for lr in learning_rates for kind in KINDS for t in thresholds]
        self.runs = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # the readout reports divergence
            for lr, kind, t in tqdm(jobs, desc="training", disable=not progress):
                clip = {} if kind == "none" else {kind: t}
                self.runs[lr, kind, t] = exploding.train_rnn(self.start, lr, steps, **clip)
        # Axis limits over every run, so that a slider move keeps the axes and redraws only the data.
        self.limits = {key: _decades([r[key] for r in self.runs.values()]) for key in ("loss", "grad_norm")}
        (w_low, w_high), (u_low, u_high) = window
        w, u = np.linspace(w_low, w_high, 201), np.linspace(u_low, u_high, 201)
        x, y = exploding.sequences()
        self.surface = (w, u, np.log10(exploding.loss_surface(w[None, :], u[:, None], x, y) + 1e-3))
        super().__init__({"learning_rate": choice("learning rate", learning_rates, learning_rate),
                          "threshold": choice("threshold", thresholds, threshold)}, figsize=(9.6, 3.3))

    def draw(self, figure, state):
        figures.exploding_runs(figure, state, self.surface)

    def compute(self, learning_rate, threshold):
        if (learning_rate, "clipvalue", threshold) not in self.runs:
            raise ValueError(f"no precomputed run for learning_rate={learning_rate!r}, threshold={threshold!r}; "
                             f"choose from {self.sliders['learning_rate'].options} and "
                             f"{self.sliders['threshold'].options}")
        runs = {"none": self.runs[learning_rate, "none", None]}
        runs |= {kind: self.runs[learning_rate, kind, threshold] for kind in KINDS}
        return {
            "start": self.start,
            "limits": self.limits,
            "learning_rate": learning_rate,
            "threshold": threshold,
            "runs": runs,
            "diverged": {k: r["diverged"] for k, r in runs.items()},
            "updates": {k: len(r["grad_norm"]) for k, r in runs.items()},
            "final_loss": {k: float(r["loss"][-1]) for k, r in runs.items()},
            "bounces": {k: not r["diverged"] and exploding.bounces(r["loss"]) for k, r in runs.items()},
            "longest_step": {k: float(r["step_length"].max()) for k, r in runs.items()},
            "updates_clipped": {k: int(np.count_nonzero(r["clipped"])) for k, r in runs.items()},
            "first_grad_norm": {k: float(r["grad_norm"][0]) for k, r in runs.items()},
        }

    @staticmethod
    def summary(state):
        lines = [f"{'':16} {'updates':>8} {'final loss':>11} {'longest step':>13}  final (w, u)"]
        for kind, run in state["runs"].items():
            end = "diverged" if state["diverged"][kind] else f"({run['w'][-1]:.3f}, {run['u'][-1]:.3f})"
            end += ", bouncing" if state["bounces"][kind] else ""
            lines.append(f"{kind:16} {state['updates'][kind]:8d} {state['final_loss'][kind]:11.3g} "
                         f"{state['longest_step'][kind]:13.3g}  {end}")
        return "\n".join(lines)


def _decades(series):
    """The whole decades that hold every finite positive value below 1e30 of ``series`` (else 1 to 10)."""
    values = np.concatenate([np.ravel(v) for v in series])
    values = values[np.isfinite(values) & (values > 0) & (values < 1e30)]
    if not values.size:
        return 1.0, 10.0
    # a factor 2 of room, so that a marker on the largest value is not cut by the frame
    return 10.0 ** np.floor(np.log10(values.min() / 2)), 10.0 ** np.ceil(np.log10(values.max() * 2))
