"""Demos of notebooks 03 and 04: the weights of networks trained with every weight clipped into [-c, c]."""

import keras
import numpy as np

from clipedu import checks, measures
from clipedu.constraints import WeightClip, constrain_all, scale_into
from clipedu.networks import mlp
from clipedu.notebook import figures
from clipedu.notebook.demos.base import Demo, choice, common_iterations

WIDTH, DEPTH, POINTS = 32, 2, 512


def largest_possible_output(c, input_bound=1.0, input_dim=2, width=WIDTH, depth=DEPTH):
    """The largest |output| any ReLU network of ``depth`` hidden layers of ``width`` units with every
    weight and bias in [-c, c] can give for inputs in [-input_bound, input_bound]^input_dim.

    A layer whose inputs are at most b in size, n of them, gives pre-activations of at most n·c·b + c;
    ReLU keeps that bound. Applied layer by layer.
    """
    c = checks.positive_finite("c", c)
    bound, fan_in = input_dim * input_bound, 1
    for _ in range(depth + 1):
        bound = fan_in * c * bound + c
        fan_in = width
    return bound


def _start_inside(network, c):
    """Starts ``network`` inside [-c, c]: its Glorot-uniform kernels, scaled down so that their largest
    value is c where they exceed it (``clipedu.scale_into``), which keeps each kernel's pattern.

    Returns the share of weights that clipping the Glorot start would have put on ±c instead.
    """
    glorot = measures.critic_weights(network)
    if np.abs(glorot).max() > c:
        scale_into(network, c)
    return float(np.mean(np.abs(glorot) >= c))


def fit_clipped_regressors(c, epochs, seeds, clip=True):
    """One 2-32-32-1 ReLU network per seed, every weight clipped into [-c, c], fit to sin 3x₁ + x₂².

    Each seed sets its network's initial weights and its 512 training points in [-1, 1]²; each
    network starts inside [-c, c] (``_start_inside``). The networks train side by side in one Keras
    model, on a loss that is the sum of their mean squared errors, so that each network's gradient is
    that of its own error; Adam, with a learning rate of 0.03·c so that a step is the same share of
    [-c, c] for every c (Adam's step is about its learning rate whatever the gradient's scale).

    Returns one dict per seed: ``start`` and ``weights`` (all weights before and after training),
    ``glorot_at_bound`` (the share that clipping the Glorot start would have put on ±c), ``loss`` (the
    mean squared error on the training points after training), ``zero_loss`` (that of outputting 0),
    ``largest_output`` (on the training points) and ``r2`` (the squared correlation of the outputs
    with the targets: the share of the targets' variance explained by the best a·output + b).

    With ``clip=False`` nothing is clipped, and all else is the same (the start inside [-c, c], the
    learning rate 0.03·c, the seeds): the control for what the clip itself does.
    """
    c = checks.positive_finite("c", c)
    if not isinstance(clip, bool):
        raise TypeError(f"clip must be True or False, got {clip!r} ({type(clip).__name__})")
    epochs = checks.positive_int("epochs", epochs)
    seeds = [checks.seed(seed) for seed in seeds]
    if not seeds:
        raise ValueError("seeds must hold at least one seed, got none")
    keras.utils.set_random_seed(seeds[0])  # the order in which fit shuffles the points
    xs, ys, networks, glorot, starts = [], [], [], [], []
    for seed in seeds:
        x = np.random.default_rng(seed).uniform(-1, 1, (POINTS, 2)).astype(np.float32)
        xs.append(x)
        ys.append((np.sin(3 * x[:, 0]) + x[:, 1] ** 2).astype(np.float32))
        network = mlp(2, 1, depth=DEPTH, width=WIDTH, seed=seed)
        if clip:
            constrain_all(network, WeightClip(c))
        glorot.append(_start_inside(network, c))
        starts.append(measures.critic_weights(network))
        networks.append(network)
    inputs = keras.Input((2 * len(seeds),))
    outputs = keras.layers.Concatenate()([network(inputs[:, 2 * i:2 * i + 2]) for i, network in enumerate(networks)])
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(0.03 * c),
                  loss=lambda y, prediction: keras.ops.sum(keras.ops.square(y - prediction), axis=-1))
    x, y = np.concatenate(xs, axis=1), np.stack(ys, axis=1)
    model.fit(x, y, epochs=epochs, batch_size=64, verbose=0)
    predictions = keras.ops.convert_to_numpy(model(x, training=False))
    results = []
    for i, network in enumerate(networks):
        out, target = predictions[:, i], y[:, i]
        results.append({"start": starts[i], "weights": measures.critic_weights(network),
                        "glorot_at_bound": glorot[i], "loss": float(np.mean(np.square(out - target))),
                        "zero_loss": float(np.mean(np.square(target))), "largest_output": float(np.max(np.abs(out))),
                        "r2": float(np.corrcoef(out, target)[0, 1] ** 2) if np.std(out) > 0 else 0.0})
    return results


class WeightHistogramDemo(Demo):
    """The weights of small networks trained with every weight clipped into [-c, c], for several c.

    For each c, one network per seed is trained when the demo is made (``fit_clipped_regressors``);
    the slider then only chooses among the results, and the figure shows the first seed's weights at
    the start and after training.
    """

    def __init__(self, cs=(0.01, 0.03, 0.1, 0.3, 1.0), epochs=20, c=0.1, seeds=range(5)):
        cs = [checks.positive_finite("cs", v) for v in cs]
        if c not in cs:
            raise ValueError(f"c must be one of {cs}, got {c!r}")
        epochs = checks.positive_int("epochs", epochs)
        self.seeds = [checks.seed(seed) for seed in seeds]
        self.results = {value: fit_clipped_regressors(value, epochs, self.seeds) for value in cs}
        super().__init__({"c": choice("c", cs, c)}, figsize=(6.4, 3.6))

    def draw(self, figure, state):
        figures.weight_histogram(figure, state)

    def compute(self, c):
        """The first seed's weights at the start and after training, and every seed's measures."""
        if c not in self.results:
            raise ValueError(f"c must be one of {list(self.results)}, got {c!r}")
        runs = self.results[c]
        bins = np.linspace(-1.05 * c, 1.05 * c, 43)
        first = runs[0]
        per_seed = {key: np.array([run[key] for run in runs])
                    for key in ("glorot_at_bound", "loss", "zero_loss", "largest_output", "r2")}
        per_seed["start_at_bound"] = np.array([measures.fraction_at_bound(run["start"], c) for run in runs])
        per_seed["at_bound"] = np.array([measures.fraction_at_bound(run["weights"], c) for run in runs])
        return {"c": c, "seed": self.seeds[0], "histogram": np.histogram(first["weights"], bins=bins),
                "start_histogram": np.histogram(first["start"], bins=bins),
                "start_at_bound": float(per_seed["start_at_bound"][0]), "at_bound": float(per_seed["at_bound"][0]),
                "loss": first["loss"], "largest": float(np.max(np.abs(first["weights"]))),
                "largest_possible_output": largest_possible_output(c), "seeds": per_seed}

    @staticmethod
    def summary(state):
        return (f"c = {state['c']:g}, seed {state['seed']}: {100 * state['start_at_bound']:.1f}% of weights at ±c "
                f"at the start, {100 * state['at_bound']:.0f}% after training; training loss {state['loss']:.3f}")


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


