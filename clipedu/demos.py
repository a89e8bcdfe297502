"""Interactive demos: each owns its sliders and its figure, and exposes the numbers it shows.

``demo.compute(**values)`` returns the state for any slider values without drawing, so tests and
compared notebook cells read the same numbers that the figure and the readout show.
``demo.state`` is the state for the sliders' current values; ``demo.summary(state)`` the text of
the readout. Display a demo by leaving it as the last expression of a cell.
"""

import gc
import io
import warnings

import ipywidgets as widgets
import matplotlib
import numpy as np
from clipedu import _checks, exploding, gradients, plots, recording
from clipedu._keras import keras
from clipedu.constraints import WeightClip, clip_weights, constrain_all
from clipedu.networks import mlp
from IPython.display import Image, clear_output, display
from matplotlib.figure import Figure
from tqdm.auto import tqdm

# TensorFlow and Keras leave some 300 000 objects that the garbage collector's full passes scan
# again and again; each pass then took about 140 ms, a visible stall every few slider moves. Frozen
# here, once they are all imported, a full pass takes about 3 ms (``make bench`` shows the worst move).
gc.collect()
gc.freeze()

KINDS = ("clipvalue", "clipnorm", "global_clipnorm")
CLIP = {
    "clipvalue": gradients.clip_by_value,
    "clipnorm": gradients.clip_by_norm,
    "global_clipnorm": gradients.clip_by_global_norm,
}


def _slider(description, value, low, high, step):
    return widgets.FloatSlider(value=value, min=low, max=high, step=step, description=description,
                               continuous_update=True, readout_format=".2f",
                               style={"description_width": "initial"})


def _choice(description, options, value):
    return widgets.SelectionSlider(options=list(options), value=value, description=description,
                                   continuous_update=True, style={"description_width": "initial"})


def _turn(reference, clipped):
    """The angle between two gradients, or None where it is undefined (a zero gradient)."""
    if gradients.global_norm(reference) == 0 or gradients.global_norm(clipped) == 0:
        return None
    return gradients.angle_between(reference, clipped)


def _degrees(angle):
    return "undefined (zero gradient)" if angle is None else f"{angle:.1f}°"


class Demo:
    """Sliders, a text readout and a figure, redrawn whenever a slider moves."""

    def __init__(self, sliders, figsize):
        self.sliders = sliders
        self.figure = Figure(figsize=figsize, dpi=72, layout="constrained")
        self.readout = widgets.HTML()
        self.output = widgets.Output()
        self._moving_several = False
        for slider in sliders.values():
            slider.observe(self._on_change, names="value")
        self.widget = widgets.VBox([widgets.HBox(list(sliders.values()), layout={"flex_flow": "row wrap"}),
                                    self.readout, self.output])

    @property
    def values(self):
        return {name: slider.value for name, slider in self.sliders.items()}

    @property
    def state(self):
        return self.compute(**self.values)

    def set(self, **values):
        """Moves sliders by name, e.g. ``demo.set(threshold=1.0)``; the figure follows."""
        unknown = set(values) - set(self.sliders)
        if unknown:
            raise ValueError(f"no slider named {sorted(unknown)}; sliders: {sorted(self.sliders)}")
        self._moving_several = True  # one redraw for all of them, not one per slider
        try:
            for name, value in values.items():
                self.sliders[name].value = value
        finally:
            self._moving_several = False
        self.update()

    def _on_change(self, change):
        if not self._moving_several:
            self.update()

    def update(self):
        state = self.state
        self.readout.value = f"<pre style='margin:0'>{self.summary(state)}</pre>"
        self.draw(self.figure, state)
        # A PNG, not the Figure: a Figure shows as text unless pyplot's inline backend is active.
        png = io.BytesIO()
        self.figure.savefig(png, format="png")
        # The first draw lays the axes out; later draws keep that layout and drop the engine itself
        # (None, not "none", whose placeholder engine still costs savefig a second, dry-run draw).
        with matplotlib.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
            self.figure.set_layout_engine(None)
        with self.output:
            clear_output(wait=True)
            display(Image(data=png.getvalue(), format="png"))

    def _ipython_display_(self):
        self.update()
        display(self.widget)


class GradientClipDemo(Demo):
    """One 2-D gradient g and what clipvalue, clipnorm and global_clipnorm make of it."""

    def __init__(self, g=(0.1, 3.0), threshold=0.5):
        super().__init__({"g0": _slider("g[0]", g[0], -4, 4, 0.05),
                          "g1": _slider("g[1]", g[1], -4, 4, 0.05),
                          "threshold": _slider("threshold", threshold, 0.05, 4, 0.05)}, figsize=(9, 4.6))

    def draw(self, figure, state):
        plots.clipped_gradient(figure, state)

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
                 f"{'gradient':16} {_vector(state['gradient'])} {state['length']['original']:7.3f}"]
        for kind in KINDS:
            lines.append(f"{kind:16} {_vector(state['clipped'][kind])} {state['length'][kind]:7.3f}  "
                         f"{_degrees(state['angle'][kind])}")
        return "\n".join(lines)


def _vector(v):
    return "[" + ", ".join(f"{x:7.3f}" for x in np.ravel(v)) + "]"


class TwoTensorDemo(Demo):
    """A gradient made of two tensors: per-tensor clipnorm turns the whole update, global does not."""

    NAMES = ("kernel", "bias")

    def __init__(self, kernel=(3.0, 4.0), bias_direction=(1.0, -0.5), bias_scale=0.4, threshold=1.0):
        self.kernel = np.array(kernel, np.float64)
        self.bias_direction = np.array(bias_direction, np.float64)
        super().__init__({"bias_scale": _slider("bias gradient scale", bias_scale, 0, 6, 0.1),
                          "threshold": _slider("threshold", threshold, 0.1, 6, 0.1)}, figsize=(8, 4.2))

    def draw(self, figure, state):
        plots.two_tensors(figure, state)

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
                 f"{'gradient':16} {_vector(state['gradient'][0])} {_vector(state['gradient'][1])}"]
        for kind, clipped in state["clipped"].items():
            lines.append(f"{kind:16} {_vector(clipped[0])} {_vector(clipped[1])}  {_degrees(state['angle'][kind])}")
        return "\n".join(lines)


def quadratic_loss(x, y, curvature=10.0):
    """The loss 0.5 (x² + curvature · y²): a valley steep across and shallow along."""
    return 0.5 * (np.square(x) + curvature * np.square(y))


class StepOnSurfaceDemo(Demo):
    """Where one gradient step lands on a 2-D loss surface, with each kind of clipping."""

    CURVATURE = 10.0

    def __init__(self, start=(3.0, 1.0), learning_rate=0.3, threshold=1.0):
        x, y = np.meshgrid(np.linspace(-4, 4, 161), np.linspace(-3, 3, 121))
        self.surface = (x, y, quadratic_loss(x, y, self.CURVATURE))
        super().__init__({"x": _slider("start x", start[0], -3.8, 3.8, 0.1),
                          "y": _slider("start y", start[1], -2.8, 2.8, 0.1),
                          "learning_rate": _slider("learning rate", learning_rate, 0.01, 0.5, 0.01),
                          "threshold": _slider("threshold", threshold, 0.1, 10, 0.1)}, figsize=(6.4, 5))

    def draw(self, figure, state):
        plots.step_on_surface(figure, state, self.surface)

    def compute(self, x, y, learning_rate, threshold):
        start = np.array([x, y], np.float64)
        gradient = np.array([x, self.CURVATURE * y])
        directions = {"none": gradient}
        directions |= {kind: CLIP[kind]([gradient], threshold)[0] for kind in ("clipvalue", "clipnorm")}
        landing = {kind: start - learning_rate * d for kind, d in directions.items()}
        return {
            "start": start,
            "gradient": gradient,
            "loss_before": float(quadratic_loss(x, y, self.CURVATURE)),
            "landing": landing,
            "loss_after": {kind: float(quadratic_loss(*p, self.CURVATURE)) for kind, p in landing.items()},
        }

    @staticmethod
    def summary(state):
        lines = [f"start {_vector(state['start'])}, loss {state['loss_before']:.3f}, "
                 f"gradient {_vector(state['gradient'])}"]
        for kind, point in state["landing"].items():
            lines.append(f"{kind:12} lands at {_vector(point)}, loss {state['loss_after'][kind]:.3f}")
        return "\n".join(lines)


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
        steps = _checks.positive_int("steps", steps)
        learning_rates = [_checks.positive_finite("learning_rates", v) for v in learning_rates]
        thresholds = [_checks.positive_finite("thresholds", v) for v in thresholds]
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
        (w_low, w_high), (u_low, u_high) = window
        w, u = np.linspace(w_low, w_high, 201), np.linspace(u_low, u_high, 201)
        x, y = exploding.sequences()
        self.surface = (w, u, np.log10(exploding.loss_surface(w[None, :], u[:, None], x, y) + 1e-3))
        super().__init__({"learning_rate": _choice("learning rate", learning_rates, learning_rate),
                          "threshold": _choice("threshold", thresholds, threshold)}, figsize=(9.6, 3.3))

    def draw(self, figure, state):
        plots.exploding_runs(figure, state, self.surface)

    def compute(self, learning_rate, threshold):
        if (learning_rate, "clipvalue", threshold) not in self.runs:
            raise ValueError(f"no precomputed run for learning_rate={learning_rate!r}, threshold={threshold!r}; "
                             f"choose from {self.sliders['learning_rate'].options} and "
                             f"{self.sliders['threshold'].options}")
        runs = {"none": self.runs[learning_rate, "none", None]}
        runs |= {kind: self.runs[learning_rate, kind, threshold] for kind in KINDS}
        return {
            "start": self.start,
            "learning_rate": learning_rate,
            "threshold": threshold,
            "runs": runs,
            "diverged": {k: r["diverged"] for k, r in runs.items()},
            "updates": {k: len(r["grad_norm"]) for k, r in runs.items()},
            "final_loss": {k: float(r["loss"][-1]) for k, r in runs.items()},
            "longest_step": {k: float(r["step_length"].max()) for k, r in runs.items()},
            "first_grad_norm": {k: float(r["grad_norm"][0]) for k, r in runs.items()},
        }

    @staticmethod
    def summary(state):
        lines = [f"{'':16} {'updates':>8} {'final loss':>11} {'longest step':>13}  final (w, u)"]
        for kind, run in state["runs"].items():
            end = "diverged" if state["diverged"][kind] else f"({run['w'][-1]:.3f}, {run['u'][-1]:.3f})"
            lines.append(f"{kind:16} {state['updates'][kind]:8d} {state['final_loss'][kind]:11.3g} "
                         f"{state['longest_step'][kind]:13.3g}  {end}")
        return "\n".join(lines)


def progress_bar(total, description="training"):
    """A Keras callback that advances a progress bar by one per batch (generator iteration)."""
    from clipedu._keras import keras
    from tqdm.auto import tqdm

    total = _checks.positive_int("total", total)

    class ProgressBar(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.bar = tqdm(total=total, desc=description)

        def on_train_batch_end(self, batch, logs=None):
            self.bar.update(1)
            if self.bar.n >= self.bar.total:
                self.bar.close()

    return ProgressBar()


def _fit_clipped_regressor(c, epochs, seed):
    """A 2-32-32-1 ReLU network with every weight clipped into [-c, c], fit to a smooth 2-D function."""
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (512, 2)).astype(np.float32)
    y = (np.sin(3 * x[:, :1]) + x[:, 1:] ** 2).astype(np.float32)
    model = constrain_all(mlp(2, 1, depth=2, width=32), WeightClip(c))
    clip_weights(model, c)  # start inside [-c, c]: what the histogram shows is training
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    history = model.fit(x, y, epochs=epochs, batch_size=64, verbose=0)
    return recording.critic_weights(model), float(history.history["loss"][-1])


class WeightHistogramDemo(Demo):
    """The weights of a small network trained with every weight clipped into [-c, c], for several c.

    Each c is trained once when the demo is made (``epochs`` epochs of Adam on 512 points); the
    slider then only chooses among the results.
    """

    def __init__(self, cs=(0.01, 0.03, 0.1, 0.3, 1.0), epochs=20, c=0.1, seed=0):
        cs = [_checks.positive_finite("cs", v) for v in cs]
        if c not in cs:
            raise ValueError(f"c must be one of {cs}, got {c!r}")
        epochs = _checks.positive_int("epochs", epochs)
        self.results = {value: _fit_clipped_regressor(value, epochs, seed) for value in cs}
        super().__init__({"c": _choice("c", cs, c)}, figsize=(6.4, 3.6))

    def draw(self, figure, state):
        plots.weight_histogram(figure, state)

    def compute(self, c):
        if c not in self.results:
            raise ValueError(f"c must be one of {list(self.results)}, got {c!r}")
        weights, loss = self.results[c]
        histogram = np.histogram(weights, bins=np.linspace(-1.05 * c, 1.05 * c, 43))
        return {"c": c, "weights": weights, "histogram": histogram,
                "loss": loss, "at_bound": recording.fraction_at_bound(weights, c),
                "largest": float(np.max(np.abs(weights)))}

    @staticmethod
    def summary(state):
        return (f"c = {state['c']:g}: {100 * state['at_bound']:.0f}% of weights at ±c, "
                f"largest |w| {state['largest']:.4g}, final training loss {state['loss']:.4f}")


def _common_iterations(histories):
    """The iterations at which every one of ``histories`` was recorded; they must all agree."""
    iterations = [h.iterations for h in histories]
    if any(i != iterations[0] for i in iterations):
        raise ValueError(f"every run must be recorded at the same iterations, got {iterations}")
    return iterations[0]


class WeightDistributionDemo(Demo):
    """A WGAN critic's weights over training, one precomputed run per clipping bound c.

    ``histories`` maps c to a ``clipedu.recording.WeightHistory`` of a run clipped at c (all with
    the same snapshot iterations). Weights are shown divided by c, so the bound is at ±1 for every c.
    """

    def __init__(self, histories, c=None, iteration=None):
        if not histories:
            raise ValueError("histories must map at least one c to a WeightHistory")
        self.histories = {_checks.positive_finite("c", k): v for k, v in histories.items()}
        iterations = _common_iterations(self.histories.values())
        cs = list(self.histories)
        c = cs[0] if c is None else c
        iteration = iterations[-1] if iteration is None else iteration
        self.at_bound = {k: h.fraction_at_bound(k) for k, h in self.histories.items()}
        super().__init__({"c": _choice("c", cs, c), "iteration": _choice("iteration", iterations, iteration)},
                         figsize=(10, 3.6))

    def draw(self, figure, state):
        plots.weight_distribution(figure, state)

    def compute(self, c, iteration):
        if c not in self.histories or iteration not in self.histories[c].iterations:
            raise ValueError(f"no snapshot for c={c!r} at iteration={iteration!r}")
        history = self.histories[c]
        index = history.iterations.index(iteration)
        scaled = history.snapshots[index] / c
        return {"c": c, "iteration": iteration, "scaled_weights": scaled,
                "histogram": np.histogram(scaled, bins=np.linspace(-1.05, 1.05, 43)),
                "at_bound": float(self.at_bound[c][index]), "iterations": history.iterations,
                "at_bound_over_training": {k: v for k, v in self.at_bound.items()}}

    @staticmethod
    def summary(state):
        return (f"c = {state['c']:g}, after {state['iteration']} generator iterations: "
                f"{100 * state['at_bound']:.0f}% of the critic's weights at ±c")


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
        super().__init__({"setting": _choice("critic", labels, labels[0] if setting is None else setting)},
                         figsize=(6.4, 4))

    def draw(self, figure, state):
        plots.layer_gradients(figure, state)

    def compute(self, setting):
        if setting not in self.norms:
            raise ValueError(f"setting must be one of {list(self.norms)}, got {setting!r}")
        norms = self.norms[setting]
        return {"setting": setting, "norms": norms, "all": self.norms,
                "first_over_last": float(norms[0] / norms[-1])}

    @staticmethod
    def summary(state):
        ratio = state["first_over_last"]
        trend = "explode towards the input" if ratio > 10 else ("vanish towards the input" if ratio < 0.1 else "stay")
        return (f"{state['setting']}: first layer {state['norms'][0]:.2e}, last layer {state['norms'][-1]:.2e} "
                f"(ratio {ratio:.2e}): gradients {trend}")


class SamplesDemo(Demo):
    """Generated samples of several runs side by side, at a training iteration chosen by a slider.

    ``runs`` maps a label to a ``clipedu.recording.SampleHistory`` (all recorded at the same
    iterations); ``real`` is drawn behind each panel.
    """

    def __init__(self, runs, real, iteration=None):
        if not runs:
            raise ValueError("runs must map at least one label to a SampleHistory")
        self.runs = dict(runs)
        iterations = _common_iterations(self.runs.values())
        self.real = np.asarray(real)
        iteration = iterations[-1] if iteration is None else iteration
        super().__init__({"iteration": _choice("iteration", iterations, iteration)},
                         figsize=(4 * len(self.runs), 4))

    def draw(self, figure, state):
        plots.samples_side_by_side(figure, state)

    def compute(self, iteration):
        first = next(iter(self.runs.values()))
        if iteration not in first.iterations:
            raise ValueError(f"iteration must be one of {first.iterations}, got {iteration!r}")
        index = first.iterations.index(iteration)
        samples = {label: h.samples[index] for label, h in self.runs.items()}
        return {"iteration": iteration, "real": self.real, "samples": samples,
                "distance": {label: _set_distance(s, self.real) for label, s in samples.items()}}

    @staticmethod
    def summary(state):
        parts = [f"{label}: {d:.3f}" for label, d in state["distance"].items()]
        return f"after {state['iteration']} iterations, distance to the real data: " + ", ".join(parts)


def _set_distance(samples, real):
    """How far two point sets are apart, both ways: the mean distance from each point of one set to
    the nearest point of the other, averaged over the two directions. A generator that covers only
    part of the data scores badly through the real points it misses."""
    distances = np.linalg.norm(samples[:, None, :] - real[None, :, :], axis=2)
    return float((distances.min(axis=1).mean() + distances.min(axis=0).mean()) / 2)
