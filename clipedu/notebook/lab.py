"""WGAN Lab: a WGAN trained live in the notebook, whose c, λ, learning rate and n_critic change as it trains.

``WGANLab(...)``, left as the last expression of a cell, shows buttons, settings and a picture: the
real and generated samples over the critic's value, the critic's weights with ±c, the gradient norm
through each layer, and the Wasserstein estimate and the distance to the data over iterations.
Press play and the networks train in a background thread while the notebook stays usable; move a
slider and the training in progress follows. ``run``, ``set`` and ``state`` do the same from code,
for compared cells and tests; a lab that is only run from code and never shown draws no picture.

Threads: the training thread changes only widget values (the picture's PNG bytes, the readout's
text) and displays nothing. Tested with ipykernel 6, which pip installs for this project. ipykernel
7.0 could not send messages from a thread at all (ipykernel#1450, ipywidgets#4001); 7.1 fixed that
(ipykernel#1451), and the project's requirements leave 7.0 out.

References:
    Kahng, Thorat, Chau, Viégas & Wattenberg (2018), GAN Lab: Understanding Complex Deep Generative
    Models using Interactive Visual Experimentation.
"""

import functools
import threading
import time

import ipywidgets as widgets
import keras
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from clipedu import checks, datasets
from clipedu.constraints import scale_into
from clipedu.lipschitz import spectral_normalize
from clipedu.measures import (
    activation_gradient_norms_tensor,
    critic_weights,
    fraction_at_bound,
    modes_covered,
    set_distance,
)
from clipedu.networks import mlp
from clipedu.notebook import figures
from clipedu.notebook.rendering import KeptBackground
from clipedu.wgan import WGAN, GradientPenalty, WeightClipping

DATASETS = {"eight_gaussians": datasets.eight_gaussians, "twenty_five_gaussians": datasets.twenty_five_gaussians,
            "swiss_roll": datasets.swiss_roll}
METHODS = ("weight clipping", "gradient penalty", "spectral normalization", "none")
OPTIMIZERS = ("adam", "rmsprop")
STARTS = ("scaled into [-c, c]", "glorot")
DEFAULTS = {"dataset": "eight_gaussians", "method": "weight clipping", "c": 0.1, "gp_weight": 1.0,
            "learning_rate": 5e-4, "n_critic": 5, "optimizer": "adam", "start": "scaled into [-c, c]",
            "width": 64, "depth": 3, "batch_size": 64, "seed": 0}
LIVE = ("c", "gp_weight", "learning_rate", "n_critic")  # changed while training; the others reset the lab
LATENT_DIM = 2
EVALUATION_SIZE = 256  # real and generated samples behind each picture and each state
GRID = 48  # the critic's value is shown on GRID × GRID points of [-2, 2]²


def _checked(settings):
    """The settings, checked one by one; each error names the setting and the value."""
    unknown = set(settings) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"unknown settings {sorted(unknown)}; the settings are {sorted(DEFAULTS)}")
    checked = dict(settings)
    for name, options in (("dataset", DATASETS), ("method", METHODS), ("optimizer", OPTIMIZERS), ("start", STARTS)):
        if name in settings and settings[name] not in options:
            raise ValueError(f"{name} must be one of {list(options)}, got {settings[name]!r}")
    for name in ("c", "gp_weight", "learning_rate"):
        if name in settings:
            checked[name] = checks.positive_finite(name, settings[name])
    for name in ("n_critic", "width", "depth", "batch_size"):
        if name in settings:
            checked[name] = checks.positive_int(name, settings[name])
    if "seed" in settings:
        if settings["seed"] is None:
            raise ValueError("seed must be a non-negative integer, got None: the lab is always seeded")
        checked["seed"] = checks.seed(settings["seed"])
    return checked


class _Run:
    """One run of the lab: a ``WGAN`` with its networks, optimizers and noise, the data it samples, and
    its compiled generator iterations (one per n_critic) and critic update. c, λ and the learning rate
    change through the WGAN's public settings, without a new trace."""

    def __init__(self, settings):
        import tensorflow as tf

        s = settings
        self.settings = s
        critic = mlp(2, 1, depth=s["depth"], width=s["width"], seed=s["seed"], name="critic")
        generator = mlp(LATENT_DIM, 2, depth=s["depth"], width=s["width"], seed=s["seed"] + 100, name="generator")
        if s["method"] == "weight clipping" and s["start"] == "scaled into [-c, c]":
            scale_into(critic, s["c"])
        if s["method"] == "spectral normalization":
            critic = spectral_normalize(critic, seed=s["seed"])
        method = {"weight clipping": WeightClipping(s["c"]),
                  "gradient penalty": GradientPenalty(s["gp_weight"])}.get(s["method"])
        self.wgan = WGAN(critic, generator, LATENT_DIM, method=method, n_critic=s["n_critic"], seed=s["seed"])

        def optimizer():
            if s["optimizer"] == "adam":
                return keras.optimizers.Adam(s["learning_rate"], beta_1=0.5, beta_2=0.9)
            return keras.optimizers.RMSprop(s["learning_rate"])

        self.wgan.compile(critic_optimizer=optimizer(), generator_optimizer=optimizer())
        self.critic, self.generator = self.wgan.critic, self.wgan.generator
        self.data = keras.ops.convert_to_tensor(DATASETS[s["dataset"]](50_000, seed=s["seed"]))
        rng = np.random.default_rng(s["seed"] + 1)
        self.real = DATASETS[s["dataset"]](EVALUATION_SIZE, seed=s["seed"] + 1)
        self.noise = rng.standard_normal((EVALUATION_SIZE, LATENT_DIM)).astype(np.float32)
        self.centres = datasets.mode_centres(s["dataset"]) if s["dataset"] != "swiss_roll" else None
        # Partials, not methods: TensorFlow counts traces by a function's code, and would warn of retracing
        # as every reset of a lab traces new networks' steps.
        self._steps = {}  # n_critic -> a compiled generator iteration
        self._critic_step = tf.function(functools.partial(self._critic_update))
        self._evaluate = tf.function(functools.partial(self._evaluation))
        self.iteration = self.critic_updates = 0

    def set_live(self, name, value):
        method = self.wgan.method
        if name == "c" and isinstance(method, WeightClipping):
            self.wgan.method = WeightClipping(value)
        elif name == "gp_weight" and isinstance(method, GradientPenalty):
            self.wgan.method = GradientPenalty(value)
        elif name == "learning_rate":
            for optimizer in (self.wgan.critic_optimizer, self.wgan.generator_optimizer):
                optimizer.learning_rate = value

    def _sample(self, rows):
        """``rows`` real samples drawn from the data set inside the compiled step, with the WGAN's noise seed."""
        index = keras.random.randint((rows,), 0, keras.ops.shape(self.data)[0], seed=self.wgan.seed_generator)
        return keras.ops.take(self.data, index, axis=0)

    def _generator_iterations(self, n_critic, count):
        """Up to ``count`` generator iterations in one compiled call, stopping after the first whose loss or
        weights are not all finite (what ``WGAN.is_finite`` checks, checked here inside the compiled step
        rather than by reading every weight back). Returns how many ran, and whether the last was finite."""
        import tensorflow as tf

        def iteration(done, _):
            real = self._sample(n_critic * self.settings["batch_size"])
            loss = self.wgan.generator_iteration(real, n_critic)["generator_loss"]
            values = [loss] + self.critic.weights + self.generator.weights
            return done + 1, tf.reduce_all(tf.stack([tf.reduce_all(tf.math.is_finite(v)) for v in values]))

        return tf.while_loop(lambda done, finite: (done < count) & finite, iteration,
                             (tf.constant(0), tf.constant(True)))

    def _critic_update(self):
        return self.wgan.critic_update(self._sample(self.settings["batch_size"]))["critic_loss"]

    def generator_iterations(self, n_critic, count):
        """Up to ``count`` generator iterations; returns whether every one kept its loss and weights finite
        (training stops at the first that did not)."""
        import tensorflow as tf

        if n_critic not in self._steps:
            self._steps[n_critic] = tf.function(functools.partial(self._generator_iterations, n_critic))
        done, finite = self._steps[n_critic](tf.constant(count))
        self.iteration += int(done)
        self.critic_updates += n_critic * int(done)
        return bool(finite)

    def critic_step(self):
        self._critic_step()
        self.critic_updates += 1

    def _evaluation(self):
        """The model evaluations behind a picture, in one compiled call."""
        fake = self.generator(self.noise, training=False)
        axis = keras.ops.linspace(-2.0, 2.0, GRID)
        grid = keras.ops.reshape(keras.ops.stack(keras.ops.meshgrid(axis, axis), axis=-1), (-1, 2))
        wasserstein = keras.ops.mean(self.critic(self.real, training=False)) - keras.ops.mean(
            self.critic(fake, training=False))
        return (fake, wasserstein, keras.ops.reshape(self.critic(grid, training=False), (GRID, GRID)),
                activation_gradient_norms_tensor(self.critic, keras.ops.convert_to_tensor(self.real), fake))

    def measure(self):
        """What the picture and ``state`` show, measured on the fixed evaluation samples."""
        fake, wasserstein, surface, layer_norms = (keras.ops.convert_to_numpy(t) for t in self._evaluate())
        weights = critic_weights(self.critic)
        biases = np.concatenate([np.ravel(keras.ops.convert_to_numpy(v)) for v in self.critic.trainable_variables
                                 if v.path.endswith("bias")] or [np.zeros(0)])  # among ``weights`` too
        finite = bool(np.all(np.isfinite(fake)) and np.all(np.isfinite(weights)))
        clipping = isinstance(self.wgan.method, WeightClipping)
        c = self.wgan.method.c if clipping else None
        return {
            "iteration": self.iteration,
            "critic_updates": self.critic_updates,
            "wasserstein": float(wasserstein),
            "fraction_at_bound": fraction_at_bound(weights, c) if clipping else 0.0,
            "distance": set_distance(fake, self.real) if finite else float("inf"),
            "modes_covered": modes_covered(fake, self.centres) if finite and self.centres is not None else None,
            "diverged": not finite,
            # for the picture only:
            "real": self.real, "fake": fake, "weights": weights, "biases": biases, "c": c,
            "surface": surface,
            "layer_norms": layer_norms.astype(np.float64) if finite else None,
        }


class WGANLab:
    """A WGAN trained live, with buttons and sliders; see the module's docstring.

    Keyword arguments set the starting settings (``DEFAULTS`` lists them): ``dataset`` (one of
    ``DATASETS``), ``method`` (``METHODS``), ``c``, ``gp_weight`` (λ), ``learning_rate``,
    ``n_critic``, ``optimizer`` (Adam(β₁ = 0.5, β₂ = 0.9) or RMSprop, for both networks), ``start``
    (the clipped critic's kernels "scaled into [-c, c]" with their pattern kept, or left as Glorot
    drew them, for the first clip to pile them on ±c), ``width``, ``depth``, ``batch_size`` (m) and
    ``seed``. ``c``, ``gp_weight``, ``learning_rate`` and ``n_critic`` change the run in progress;
    any other setting resets the lab.
    """

    REDRAW_INTERVAL = 0.12  # seconds of training between two pictures while playing

    def __init__(self, **settings):
        self.settings = {**DEFAULTS, **_checked(settings)}
        self._lock = threading.RLock()  # one thing at a time trains or measures the networks
        self._thread, self._stop = None, threading.Event()
        self.history = {"iteration": [], "wasserstein": [], "distance": []}
        self.redraws = 0  # pictures drawn: none until the lab is shown
        self._shown = False
        self.view = LabView()
        self._build_widgets()
        self._run = _Run(self.settings)
        self._refresh()

    # -- the contract -------------------------------------------------------------------------------

    @property
    def state(self):
        """Plain numbers: iteration, critic_updates, wasserstein (E[D(real)] - E[D(fake)] on 256
        samples), fraction_at_bound (0 without clipping), distance (``measures.set_distance``),
        modes_covered (None for the Swiss roll), diverged, playing."""
        with self._lock:
            measured = self._run.measure()
        keys = ("iteration", "critic_updates", "wasserstein", "fraction_at_bound", "distance", "modes_covered",
                "diverged")
        return {key: measured[key] for key in keys} | {"playing": self.playing}

    @property
    def playing(self):
        return self._thread is not None and self._thread.is_alive()

    def run(self, iterations):
        """Trains ``iterations`` generator iterations now, then redraws (once shown); returns ``state``."""
        iterations = checks.positive_int("iterations", iterations)
        self.pause()
        with self._lock:
            self._run.generator_iterations(self.settings["n_critic"], iterations)
        self._refresh()
        return self.state

    def play(self):
        """Trains in a background thread, redrawing every ``REDRAW_INTERVAL`` seconds, until ``pause``."""
        if self.playing:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="wgan-lab", daemon=True)
        self._thread.start()
        self._buttons["play"].value = True

    def pause(self):
        """Stops the background training after its current iteration, and waits for it."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        self._thread = None
        self._buttons["play"].value = False

    def reset(self):
        """Starts again from iteration 0 with the current settings (and the same seed)."""
        was_playing = self.playing
        self.pause()
        with self._lock:
            self._run = _Run(self.settings)
            self.history = {key: [] for key in self.history}
        self._refresh()
        if was_playing:
            self.play()

    def set(self, **settings):
        """Changes settings by name, as the sliders do; see the class docstring for which reset."""
        checked = _checked(settings)
        self._syncing = True
        try:
            for name, value in checked.items():
                if name in self._controls:
                    self._controls[name].value = value
        finally:
            self._syncing = False
        self._apply(checked)

    def close(self):
        """Pauses the lab and closes its widgets: a lab made only to be ``run`` then leaves nothing in
        the notebook's saved widget state."""
        self.pause()
        _close(self.widget)

    # -- inside -------------------------------------------------------------------------------------

    def _apply(self, checked):
        changed = {name: value for name, value in checked.items() if self.settings[name] != value}
        self.settings.update(checked)
        if any(name not in LIVE for name in changed):
            self.reset()
            return
        with self._lock:
            for name, value in changed.items():
                self._run.set_live(name, value)
        if not self.playing:
            self._refresh()

    def _loop(self):
        while not self._stop.is_set():
            deadline = time.perf_counter() + self.REDRAW_INTERVAL
            diverged = False
            while time.perf_counter() < deadline and not self._stop.is_set() and not diverged:
                with self._lock:
                    diverged = not self._run.generator_iterations(self.settings["n_critic"], 1)
            self._refresh()
            if diverged:
                self._stop.set()
        self._buttons["play"].value = False

    def _refresh(self):
        """Measures, records the history, writes the readout and, once the lab has been shown, redraws:
        widget values only, from any thread. A lab that is only run and measured, never shown, draws
        no picture (one costs about a tenth of a second); showing it draws the picture of its state."""
        with self._lock:
            measured = self._run.measure()
            if not self.history["iteration"] or self.history["iteration"][-1] != measured["iteration"]:
                for key in self.history:
                    self.history[key].append(measured[key])
        if self._shown:
            self.image.value = self.view.draw(measured, self.history)
            self.redraws += 1
        self.readout.value = self._summary(measured)

    @staticmethod
    def _summary(measured):
        parts = [f"iteration {measured['iteration']}", f"critic updates {measured['critic_updates']}",
                 f"Wasserstein estimate {measured['wasserstein']:.3g}",
                 f"weights at ±c {100 * measured['fraction_at_bound']:.1f} %",
                 f"distance to the data {measured['distance']:.3f}"]
        if measured["modes_covered"] is not None:
            parts.append(f"modes covered {measured['modes_covered']}")
        text = " · ".join(parts)
        if measured["diverged"]:
            text += " · <b>diverged: training stopped; press reset</b>"
        return f"<span class='wgan-lab-readout'>{text}</span>"

    def _build_widgets(self):
        s = self.settings
        style = {"description_width": "initial"}
        self._controls = {
            "dataset": widgets.Dropdown(options=list(DATASETS), value=s["dataset"], description="data", style=style),
            "method": widgets.Dropdown(options=list(METHODS), value=s["method"], description="method", style=style),
            "optimizer": widgets.Dropdown(options=list(OPTIMIZERS), value=s["optimizer"], description="optimizer",
                                          style=style),
            "start": widgets.Dropdown(options=list(STARTS), value=s["start"], description="clipped critic starts",
                                      style=style),
            "c": widgets.FloatLogSlider(value=s["c"], base=10, min=-3, max=0, step=0.1, description="c",
                                        readout_format=".3g", style=style),
            "learning_rate": widgets.FloatLogSlider(value=s["learning_rate"], base=10, min=-5, max=-2, step=0.1,
                                                    description="learning rate", readout_format=".1e", style=style),
            "gp_weight": widgets.FloatLogSlider(value=s["gp_weight"], base=10, min=-2, max=2, step=0.1,
                                                description="λ", readout_format=".3g", style=style),
            "n_critic": widgets.IntSlider(value=s["n_critic"], min=1, max=10, description="n_critic", style=style),
        }
        self._syncing = False
        for name, control in self._controls.items():
            control.observe(lambda change, name=name: self._on_control(name, change["new"]), names="value")
        self._buttons = {
            "play": widgets.ToggleButton(value=False, description="play", icon="play", tooltip="play / pause"),
            "critic": widgets.Button(description="critic step", tooltip="one critic update"),
            "generator": widgets.Button(description="generator iteration",
                                        tooltip="n_critic critic updates and one generator update"),
            "reset": widgets.Button(description="reset", tooltip="back to iteration 0"),
        }
        self._buttons["play"].observe(self._on_play, names="value")
        self._buttons["critic"].on_click(lambda _: self.step(critic_only=True))
        self._buttons["generator"].on_click(lambda _: self.step(critic_only=False))
        self._buttons["reset"].on_click(lambda _: self.reset())
        self.readout = widgets.HTML()
        self.image = widgets.Image(format="png")
        self.widget = widgets.VBox([
            widgets.HBox(list(self._buttons.values())),
            widgets.HBox([self._controls[name] for name in ("dataset", "method", "optimizer", "start")],
                         layout={"flex_flow": "row wrap"}),
            widgets.HBox([self._controls[name] for name in ("c", "learning_rate", "gp_weight", "n_critic")],
                         layout={"flex_flow": "row wrap"}),
            self.readout, self.image])

    def _on_control(self, name, value):
        if not self._syncing:
            self._apply(_checked({name: value}))

    def _on_play(self, change):
        if change["new"] and not self.playing:
            self.play()
        elif not change["new"] and self.playing and threading.current_thread() is not self._thread:
            self.pause()
        self._buttons["play"].description = "pause" if change["new"] else "play"
        self._buttons["play"].icon = "pause" if change["new"] else "play"

    def step(self, critic_only=True):
        """One critic update (the *critic step* button), or with ``critic_only=False`` one generator
        iteration (the *generator iteration* button); pauses the lab first, then redraws (once shown)."""
        if not isinstance(critic_only, bool):
            raise TypeError(f"critic_only must be True or False, got {critic_only!r}")
        self.pause()
        with self._lock:
            if critic_only:
                self._run.critic_step()
            else:
                self._run.generator_iterations(self.settings["n_critic"], 1)
        self._refresh()

    def _ipython_display_(self):
        from IPython.display import display

        if not self._shown:
            self._shown = True
            self._refresh()
        display(self.widget)


def readable_range(low, high):
    """[low, high] widened about its middle to span at least a tenth of its largest magnitude (and at
    least 1e-9): a single value, or values that differ in their sixth digit, then get a few tick labels
    that differ in their first three digits instead of labels such as 4.001, 4.001, 4.001."""
    low, high = float(low), float(high)
    if not (np.isfinite(low) and np.isfinite(high) and low <= high):
        raise ValueError(f"low and high must be finite numbers, low <= high, got {low!r} and {high!r}")
    span = max(0.1 * max(abs(low), abs(high)), 1e-9)
    if high - low >= span:
        return low, high
    middle = (low + high) / 2
    return middle - span / 2, middle + span / 2


class LabView:
    """The WGAN Lab's picture, redrawn in place and returned as PNG bytes.

    Four panels: the real (white) and generated (red) samples over the critic's value, with a colour
    bar whose ends give the lowest and highest value (generated samples outside [-2, 2]² are drawn on
    the square's edge, and the panel counts them); the histogram of the critic's kernels with its
    biases stacked on top (Keras starts biases at 0), with ±c; the gradient norm through each layer; the
    Wasserstein estimate and the distance to the data over iterations, with a legend. Drawn through
    ``KeptBackground``, with limits that change in rounded steps (``figures.steady_limits``), so that most
    redraws draw only the data.
    """

    def __init__(self):
        self.figure = Figure(figsize=(14, 3.6), dpi=72)
        self._picture = KeptBackground(self.figure)
        grid = self.figure.add_gridspec(1, 6, width_ratios=[1, 0.05, 0.12, 1.1, 1, 1.2], left=0.035, right=0.955,
                                        bottom=0.15, top=0.87, wspace=0.32)
        samples, bar = self.figure.add_subplot(grid[0]), self.figure.add_subplot(grid[1])
        weights, layers, curves = (self.figure.add_subplot(grid[i]) for i in (3, 4, 5))
        self.surface = samples.imshow(np.zeros((2, 2)), extent=(-2, 2, -2, 2), origin="lower", cmap="viridis",
                                      interpolation="bilinear", vmin=0, vmax=1)
        self.figure.colorbar(self.surface, cax=bar, ticks=[])
        bar.set_ylabel("critic value D(x)", fontsize=8, labelpad=2)
        # The ends' values change with every picture: texts in front, not tick labels in the kept background.
        self.bar_ends = [bar.text(0.5, y, "", transform=bar.transAxes, ha="center", va=va, fontsize=8)
                         for y, va in ((-0.02, "top"), (1.02, "bottom"))]
        self.real = samples.scatter([], [], s=5, color="white", edgecolors="black", linewidths=0.3)
        self.fake = samples.scatter([], [], s=4, color="tab:red")
        samples.set_xlim(-2, 2)
        samples.set_ylim(-2, 2)
        samples.set_yticks([-2, -1, 0, 1, 2])  # short labels, clear of the axis label (as on the x axis)
        samples.set_aspect("equal")
        samples.set_xlabel("x₁ (data units)")
        samples.set_ylabel("x₂ (data units)")
        samples.legend(
            handles=[samples.scatter([], [], s=12, color=color, edgecolors="black", linewidths=0.3, label=label)
                     for color, label in (("white", "real"), ("tab:red", "generated"))],
            loc="lower left", fontsize=8, framealpha=0.8)
        self.surface_title = samples.set_title("", fontsize=10, y=1.01)
        # The biases stacked on the kernels: the total drawn first, the kernels over it.
        self.histogram_total = weights.stairs(np.zeros(60), np.linspace(-1, 1, 61), fill=True, color="tab:orange",
                                              label="biases (on top)")
        self.histogram = weights.stairs(np.zeros(60), np.linspace(-1, 1, 61), fill=True, color="tab:blue",
                                        label="kernels")
        weights.legend(loc="upper center", fontsize=7, framealpha=0.8)
        self.bounds = [weights.axvline(sign, color="black", ls="--", lw=1) for sign in (-1, 1)]
        weights.set_xlabel("critic kernel or bias value")
        weights.set_ylabel("count")
        self.weights_title = weights.set_title("", fontsize=10, y=1.01)
        (self.layer_line,) = layers.plot([], [], "o-", color="tab:purple")
        figures.log_scale(layers)
        layers.set_xlabel("layer (input side first)")
        figures.fixed_title(layers, "‖∂ critic loss / ∂ layer output‖")
        (self.wasserstein,) = curves.plot([], [], ".-", ms=3, color="tab:green")  # a marker: one point shows
        self.distance_axes = curves.twinx()
        (self.distance,) = self.distance_axes.plot([], [], ".-", ms=3, color="tab:orange")
        curves.set_xlabel("generator iteration")
        curves.set_ylabel("Wasserstein estimate", color="tab:green")
        self.distance_axes.set_ylabel("distance to the data", color="tab:orange")
        # The legend is the panel's title, above the y axis' multiplier ("1e-3"), where the lines never run.
        self.distance_axes.legend([self.wasserstein, self.distance], ["Wasserstein estimate", "distance to the data"],
                                  loc="lower center", bbox_to_anchor=(0.5, 1.05), ncols=2, fontsize=8, frameon=False,
                                  borderaxespad=0, handlelength=1.5, columnspacing=1.0)
        for ax in (weights, curves, self.distance_axes):
            ax.yaxis.set_major_locator(MaxNLocator(5))
        for ax in (curves, self.distance_axes):  # no offset ("1e-15 - 4.84") over the title; short labels
            ax.ticklabel_format(axis="y", style="sci", scilimits=(-2, 3), useOffset=False)
            ax.tick_params(axis="y", labelsize=8)
        for ax in (samples, weights, layers, curves, self.distance_axes):  # fixed places: no measuring of ticks
            ax.xaxis.set_label_coords(0.5, -0.12)
        samples.tick_params(labelsize=8)
        samples.yaxis.set_label_coords(-0.15, 0.5)
        weights.yaxis.set_label_coords(-0.16, 0.5)
        curves.yaxis.set_label_coords(-0.2, 0.5)
        self.distance_axes.yaxis.set_label_coords(1.15, 0.5)
        self.axes = {"samples": samples, "weights": weights, "layers": layers, "curves": curves,
                     "distance": self.distance_axes}

    def draw(self, measured, history):
        """Redraws from a lab's measurement and history; returns the picture as PNG bytes."""
        values = measured["surface"]
        finite = values[np.isfinite(values)]
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
        self.surface.set_data((values - low) / (high - low) if high > low else np.zeros_like(values))
        for text, value in zip(self.bar_ends, (low, high)):
            text.set_text(f"{value:.2g}")
        fake = measured["fake"]
        outside = int(np.sum(np.any(np.abs(fake) > 2, axis=1)))
        self.surface_title.set_text(f"samples over D(x); {outside} of {len(fake)} generated\n"
                                    "outside the square, drawn on its edge" if outside else "samples over D(x)")
        self.real.set_offsets(measured["real"])
        self.fake.set_offsets(np.clip(fake, -2, 2))
        self._draw_weights(measured["weights"], measured["biases"], measured["c"], measured["fraction_at_bound"])
        norms = measured["layer_norms"]
        layers = self.axes["layers"]
        if norms is not None and np.all(np.isfinite(norms)):
            shown = np.maximum(norms, 1e-30)
            self.layer_line.set_data(np.arange(1, len(norms) + 1), shown)
            layers.set_xlim(0.5, len(norms) + 0.5)
            layers.set_ylim(*figures.steady_limits(layers.get_ylim(), shown.min(), shown.max(), log=True))
        iterations = np.asarray(history["iteration"], dtype=float)
        self.wasserstein.set_data(iterations, history["wasserstein"])
        self.distance.set_data(iterations, history["distance"])
        right = figures.nice_ceiling(max(10.0, iterations.max() if iterations.size else 0.0))
        self.axes["curves"].set_xlim(-0.02 * right, right)  # the first point off the spine
        for axes, series in ((self.axes["curves"], history["wasserstein"]), (self.distance_axes, history["distance"])):
            series = np.asarray(series, dtype=float)
            series = series[np.isfinite(series)]
            if series.size:
                axes.set_ylim(*figures.steady_limits(axes.get_ylim(), *readable_range(series.min(), series.max())))
        return self._picture.png()

    def _draw_weights(self, weights, biases, c, fraction):
        ax = self.axes["weights"]
        if c is not None:
            reach = 1.1 * c
        else:
            reach = figures.nice_ceiling(max(float(np.max(np.abs(weights))), 1e-6))
        counts, edges = np.histogram(weights, bins=60, range=(-reach, reach))
        bias_counts, _ = np.histogram(biases, bins=60, range=(-reach, reach))
        self.histogram_total.set_data(counts, edges)
        self.histogram.set_data(counts - bias_counts, edges)
        ax.set_xlim(-reach, reach)
        top = ax.get_ylim()[1]
        if not counts.max() <= top <= 4 * max(counts.max(), 1):
            ax.set_ylim(0, figures.nice_ceiling(1.2 * max(counts.max(), 1)))
        for line, sign in zip(self.bounds, (-1, 1)):
            line.set_visible(c is not None)
            if c is not None:
                line.set_xdata([sign * c, sign * c])
        self.weights_title.set_text(f"critic kernels and biases: {100 * fraction:.1f} % on ±c" if c is not None
                                    else "critic kernels and biases (no clipping)")

    @property
    def full_redraws(self):
        """How many redraws drew the whole figure, axes included."""
        return self._picture.full_redraws


def _close(widget):
    """Closes a widget, the widgets inside it, and the layout and style models each one has."""
    for child in getattr(widget, "children", ()):
        _close(child)
    for part in ("layout", "style"):
        if isinstance(getattr(widget, part, None), widgets.Widget):
            getattr(widget, part).close()
    widget.close()
