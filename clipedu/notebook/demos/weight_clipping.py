"""Demos of notebooks 03 and 04: the weights of networks trained with every weight clipped into [-c, c]."""

import keras
import numpy as np

from clipedu import checks, measures
from clipedu.constraints import WeightClip, clip_weights, constrain_all
from clipedu.networks import mlp
from clipedu.notebook import figures
from clipedu.notebook.demos.base import Demo, choice, common_iterations


def _fit_clipped_regressor(c, epochs, seed):
    """A 2-32-32-1 ReLU network with every weight clipped into [-c, c], fit to a smooth 2-D function.

    Returns its weights, its final training loss, its largest |output| on the training inputs and
    the loss of a network that outputs 0 everywhere (the mean of the squared targets).
    """
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (512, 2)).astype(np.float32)
    y = (np.sin(3 * x[:, :1]) + x[:, 1:] ** 2).astype(np.float32)
    model = constrain_all(mlp(2, 1, depth=2, width=32), WeightClip(c))
    clip_weights(model, c)  # start inside [-c, c]: what the histogram shows is training
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    history = model.fit(x, y, epochs=epochs, batch_size=64, verbose=0)
    outputs = keras.ops.convert_to_numpy(model(x, training=False))
    return {"weights": measures.critic_weights(model), "loss": float(history.history["loss"][-1]),
            "largest_output": float(np.max(np.abs(outputs))), "zero_loss": float(np.mean(np.square(y)))}


class WeightHistogramDemo(Demo):
    """The weights of a small network trained with every weight clipped into [-c, c], for several c.

    Each c is trained once when the demo is made (``epochs`` epochs of Adam on 512 points); the
    slider then only chooses among the results.
    """

    def __init__(self, cs=(0.01, 0.03, 0.1, 0.3, 1.0), epochs=20, c=0.1, seed=0):
        cs = [checks.positive_finite("cs", v) for v in cs]
        if c not in cs:
            raise ValueError(f"c must be one of {cs}, got {c!r}")
        epochs = checks.positive_int("epochs", epochs)
        self.results = {value: _fit_clipped_regressor(value, epochs, seed) for value in cs}
        super().__init__({"c": choice("c", cs, c)}, figsize=(6.4, 3.6))

    def draw(self, figure, state):
        figures.weight_histogram(figure, state)

    def compute(self, c):
        if c not in self.results:
            raise ValueError(f"c must be one of {list(self.results)}, got {c!r}")
        result = self.results[c]
        weights = result["weights"]
        histogram = np.histogram(weights, bins=np.linspace(-1.05 * c, 1.05 * c, 43))
        return {"c": c, "histogram": histogram, "at_bound": measures.fraction_at_bound(weights, c),
                "largest": float(np.max(np.abs(weights))), **result}

    @staticmethod
    def summary(state):
        return (f"c = {state['c']:g}: {100 * state['at_bound']:.0f}% of weights at ±c, largest |w| "
                f"{state['largest']:.4g}, largest |output| {state['largest_output']:.2g}, final training loss "
                f"{state['loss']:.4f} (outputting 0: {state['zero_loss']:.4f})")


class WeightDistributionDemo(Demo):
    """A WGAN critic's weights over training, one precomputed run per clipping bound c.

    ``histories`` maps c to a ``clipedu.recording.WeightHistory`` of a run clipped at c (all with
    the same snapshot iterations). Weights are shown divided by c, so the bound is at ±1 for every c.
    """

    def __init__(self, histories, c=None, iteration=None):
        if not histories:
            raise ValueError("histories must map at least one c to a WeightHistory")
        self.histories = {checks.positive_finite("c", k): v for k, v in histories.items()}
        iterations = common_iterations(self.histories.values())
        cs = list(self.histories)
        c = cs[0] if c is None else c
        iteration = iterations[-1] if iteration is None else iteration
        self.at_bound = {k: h.fraction_at_bound(k) for k, h in self.histories.items()}
        super().__init__({"c": choice("c", cs, c), "iteration": choice("iteration", iterations, iteration)},
                         figsize=(10, 3.6))

    def draw(self, figure, state):
        figures.weight_distribution(figure, state)

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


