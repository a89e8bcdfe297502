"""Benchmarks of the speed budgets in README.md (Speed), measured side by side in one run.

    python benchmarks/run.py [--quick] [--json PATH]

Prints a table and writes it as JSON (default benchmarks/results.json). Times are medians of
repeated runs after a warm-up; comparisons are ratios measured in the same run. --quick makes few
repetitions and small runs, so that the suite can check that every figure is still produced; its
numbers are not meant to be read.

The clip overhead is measured twice: with TensorFlow's default threads, where calls vary by tens of
per cent from one to the next and, in some runs, blocks of 300 pairs of calls disagree by several
per cent; and in a child process limited to one thread, where the blocks agree within about half a
per cent. The goal is judged on the second.
"""

import argparse
import importlib.util
import io
import json
import statistics
import subprocess
import sys
import time
from contextlib import redirect_stdout
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from clipedu import WGAN, WeightClip, WeightClipping, datasets, fit_seeds, mlp
from clipedu.recording import SampleHistory, WeightHistory

ROOT = Path(__file__).resolve().parent.parent
# The budgets' slow machine (2 cores, 86 GFLOP/s on a large matmul, like a free cloud CPU): one iteration of the
# minimal loop (3 × 64, RMSprop, clipping, m = 64, n_critic = 5), after tracing, took 2.70 ms there.
SLOW_MACHINE_LOOP_MS = 2.70


def _load_minimal_loop():
    """benchmarks/minimal_loop.py, the yardstick of fit_seeds, loaded from beside this script."""
    spec = importlib.util.spec_from_file_location("minimal_loop", Path(__file__).with_name("minimal_loop.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


minimal_loop = _load_minimal_loop()
M, N_CRITIC, LATENT = 64, 5, 2


def median_time(function, repeats, warmup=2):
    """Median and worst seconds of ``repeats`` calls after ``warmup`` calls."""
    for _ in range(warmup):
        function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times)


def _nets(width=128, depth=3, seed=0):
    keras.utils.set_random_seed(seed)
    critic = mlp(2, 1, depth=depth, width=width, initializer=keras.initializers.RandomUniform(-0.01, 0.01))
    return critic, mlp(LATENT, 2, depth=depth, width=width)


def compiled_iteration(clip_value, width=128, batch=M):
    """One Algorithm-1 iteration compiled as WGAN.fit compiles it: train_step (wgan_step and the
    metrics) in a tf.function, with XLA as WGAN.compile resolves it (off on a CPU-only machine)."""
    method = None if clip_value is None else WeightClipping(clip_value)
    wgan = WGAN(*_nets(width), LATENT, n_critic=N_CRITIC, method=method, seed=0)
    wgan.compile()
    real = tf.constant(datasets.eight_gaussians(N_CRITIC * batch, seed=0))
    step = tf.function(lambda: wgan.train_step(real), jit_compile=wgan.jit_compile)
    return lambda: step()["critic_loss"].numpy()


def clip_overhead(pairs, blocks):
    """Milliseconds per iteration with and without clipping, and the overhead of each block in %.

    The two compiled steps are called alternately (in either order, by turns), so that the machine's
    drift hits both alike; each block's overhead is the ratio of its two medians."""
    with_clip, without_clip = compiled_iteration(0.01), compiled_iteration(None)
    for _ in range(10):
        with_clip(), without_clip()
    times = {with_clip: [], without_clip: []}
    overheads = []
    for _ in range(blocks):
        block = {with_clip: [], without_clip: []}
        for i in range(pairs):
            for function in ((with_clip, without_clip) if i % 2 else (without_clip, with_clip)):
                start = time.perf_counter()
                function()
                block[function].append(time.perf_counter() - start)
        overheads.append(100 * (statistics.median(block[with_clip]) / statistics.median(block[without_clip]) - 1))
        for function in times:
            times[function] += block[function]
    return {"clip_ms": 1e3 * statistics.median(times[with_clip]),
            "no_clip_ms": 1e3 * statistics.median(times[without_clip]), "overheads": overheads}


def clip_overhead_one_thread(pairs, blocks):
    """clip_overhead in a child process whose TensorFlow runs on one thread."""
    output = subprocess.run([sys.executable, __file__, "--clip-overhead-one-thread", str(pairs), str(blocks)],
                            capture_output=True, text=True, check=True).stdout
    return json.loads(output.splitlines()[-1])


def eager_iteration(c=0.01):
    """The loop a newcomer writes: eager GradientTape, apply_gradients, then a clip per variable."""
    critic, generator = _nets()
    c_opt, g_opt = keras.optimizers.RMSprop(5e-5), keras.optimizers.RMSprop(5e-5)
    real = datasets.eight_gaussians(N_CRITIC * M, seed=0)

    def iteration():
        for i in range(N_CRITIC):
            noise = tf.random.normal((M, LATENT))
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(critic(generator(noise))) - tf.reduce_mean(critic(real[i * M:(i + 1) * M]))
            c_opt.apply_gradients(zip(tape.gradient(loss, critic.trainable_variables), critic.trainable_variables))
            for v in critic.trainable_variables:
                v.assign(tf.clip_by_value(v, -c, c))
        with tf.GradientTape() as tape:
            g_loss = -tf.reduce_mean(critic(generator(tf.random.normal((M, LATENT)))))
        g_opt.apply_gradients(zip(tape.gradient(g_loss, generator.trainable_variables),
                                  generator.trainable_variables))
        return float(g_loss)

    return iteration


def keras_constraint_iteration(c=0.01):
    """The classic Keras way: a critic with per-layer WeightClip constraints, trained with
    train_on_batch on a Wasserstein loss, and a combined model for the generator."""
    critic, generator = _nets()
    for layer in critic.layers:
        layer.kernel.constraint = WeightClip(c)
        layer.bias.constraint = WeightClip(c)

    def wasserstein(y_true, y_pred):
        return keras.ops.mean(y_true * y_pred)

    critic.compile(optimizer=keras.optimizers.RMSprop(5e-5), loss=wasserstein)
    critic.trainable = False
    noise_in = keras.Input((LATENT,))
    combined = keras.Model(noise_in, critic(generator(noise_in)))
    combined.compile(optimizer=keras.optimizers.RMSprop(5e-5), loss=wasserstein)
    critic.trainable = True
    real = datasets.eight_gaussians(N_CRITIC * M, seed=0)
    rng = np.random.default_rng(0)
    minus, plus = -np.ones((M, 1), np.float32), np.ones((M, 1), np.float32)

    def iteration():
        for i in range(N_CRITIC):
            fake = generator.predict_on_batch(rng.standard_normal((M, LATENT)).astype(np.float32))
            critic.train_on_batch(real[i * M:(i + 1) * M], minus)
            critic.train_on_batch(fake, plus)
        return combined.train_on_batch(rng.standard_normal((M, LATENT)).astype(np.float32), minus)

    return iteration


def fit_iteration_time(iterations, models, fit=WGAN.fit):
    """Median and worst, over ``models`` fresh models, of the seconds per generator iteration of
    ``fit`` (m = 64, n_critic = 5, 3 × 128 ReLU, 8 Gaussians); each model's time is the median of
    three epochs after a warm-up epoch."""
    real = datasets.eight_gaussians(N_CRITIC * M * iterations, seed=0)
    per_model = []
    for _ in range(models):
        wgan = WGAN(*_nets(), LATENT, n_critic=N_CRITIC, seed=0)
        wgan.compile()
        fit(wgan, real, batch_size=N_CRITIC * M, epochs=1, verbose=0)  # warm-up: tracing
        times = []
        for _ in range(3):
            start = time.perf_counter()
            fit(wgan, real, batch_size=N_CRITIC * M, epochs=1, verbose=0)
            times.append((time.perf_counter() - start) / iterations)
        per_model.append(statistics.median(times))
    return statistics.median(per_model), max(per_model)


def iteration_flops(width, batch, depth=3, critic_depth=None):
    """Multiply-adds × 2 of the dense layers in one Algorithm-1 iteration (forward and backward); the
    critic has ``critic_depth`` hidden layers (default ``depth``), the generator ``depth``."""
    def forward(n_in, n_out, rows, layers):
        sizes = [n_in] + [width] * layers + [n_out]
        return sum(2 * rows * a * b for a, b in zip(sizes, sizes[1:]))

    critic_depth = depth if critic_depth is None else critic_depth
    critic_update = 3 * forward(2, 1, 2 * batch, critic_depth) + forward(LATENT, 2, batch, depth)
    generator_update = 3 * (forward(LATENT, 2, batch, depth) + forward(2, 1, batch, critic_depth))
    return N_CRITIC * critic_update + generator_update


def seeds_side_by_side(iterations, width, critic_depth, repeats, runs=5):
    """Seconds for ``runs`` runs through ``fit_seeds`` ("batched") and for as many separate runs of the
    minimal compiled loop (benchmarks/minimal_loop.py, "separate"), each timed from building the
    networks to the last iteration; the separate runs' iterations alone, without their fixed costs
    (building, tracing: "steady", from the calls after each run's first); medians of ``repeats``
    turns; and the FLOPs of all the iterations.

    The runs are the issue's: RMSprop(5e-5), c = 0.1, m = 64, n_critic = 5, ``steps_per_execution=100``,
    a ``critic_depth`` × ``width`` critic and a 3 × ``width`` generator."""
    x = datasets.eight_gaussians(N_CRITIC * M * 100, seed=0)

    def build(seed):
        critic = mlp(2, 1, depth=critic_depth, width=width, seed=seed)
        wgan = WGAN(critic, mlp(LATENT, 2, depth=3, width=width, seed=seed + 100), LATENT, n_critic=N_CRITIC,
                    method=WeightClipping(0.1), seed=seed)
        wgan.compile(keras.optimizers.RMSprop(5e-5), keras.optimizers.RMSprop(5e-5), steps_per_execution=100)
        return wgan

    steps = min(100, iterations // 2)  # at least two calls: the first traces

    def batched():
        for _ in fit_seeds(build, x, range(runs), epochs=iterations // steps, steps_per_epoch=steps, verbose=0):
            pass

    def separate():  # returns its runs' iterations' seconds, the calls after each run's first scaled to all
        later_calls = [minimal_loop.run(x, seed, iterations, width=width, critic_depth=critic_depth,
                                        steps_per_call=steps)[2] for seed in range(runs)]
        return sum(later_calls) * iterations / (iterations - steps)

    times = {batched: [], separate: [], "steady": []}
    for i in range(repeats):
        for function in (batched, separate) if i % 2 == 0 else (separate, batched):
            start = time.perf_counter()
            steady = function()
            times[function].append(time.perf_counter() - start)
            if function is separate:
                times["steady"].append(steady)
    flops = runs * iterations * iteration_flops(width, M, critic_depth=critic_depth)
    return {"batched": statistics.median(times[batched]), "separate": statistics.median(times[separate]),
            "steady": statistics.median(times["steady"]), "flops": flops}


def matmul_gflops(size, repeats):
    a = tf.random.normal((size, size))
    b = tf.random.normal((size, size))
    product = tf.function(lambda: tf.matmul(a, b))
    seconds, _ = median_time(lambda: product().numpy(), repeats)
    return 2 * size ** 3 / seconds / 1e9


def slider_times(moves):
    """Median and worst seconds of each demo slider's callback (compute, draw, PNG, display)."""
    from clipedu.notebook import demos

    rng = np.random.default_rng(0)
    iterations = list(range(0, 2001, 100))

    def recorded(recorder, wgan):
        """``recorder`` (a clipedu.recording callback) after the notebooks' 2 000 iterations, the critic's
        weights drawn anew in [-0.01, 0.01] before each record instead of trained."""
        recorder.set_model(wgan)
        recorder.set_params({"epochs": 1, "steps": iterations[-1]})
        recorder.on_train_begin()
        for _ in iterations[1:]:
            for variable in wgan.critic.trainable_variables:
                variable.assign(rng.uniform(-0.01, 0.01, variable.shape))
            recorder.on_train_batch_end(recorder.every - 1 + recorder.iterations[-1])
        return recorder

    def wgan():
        return WGAN(mlp(2, 1), mlp(2, 2), 2, seed=0)
    readings_per_cell = (("SimpleRNN", 10), ("LSTM", 10), ("GRU", 5))
    demo_list = {
        "GradientClipDemo": demos.GradientClipDemo(),
        "TwoTensorDemo": demos.TwoTensorDemo(),
        "StepOnSurfaceDemo": demos.StepOnSurfaceDemo(),
        "ExplodingDemo": demos.ExplodingDemo(steps=100, learning_rates=(0.003, 0.01), thresholds=(1.0, 10.0),
                                             progress=False),
        "WeightHistogramDemo": demos.WeightHistogramDemo(cs=(0.01, 0.1), epochs=2, c=0.01),
        "WeightDistributionDemo": demos.WeightDistributionDemo({c: recorded(WeightHistory(every=100), wgan())
                                                                for c in (0.01, 0.1)}),
        "SamplesDemo": demos.SamplesDemo({name: recorded(SampleHistory(n=500, every=100), wgan()) for name in "ab"},
                                         rng.standard_normal((1000, 2))),
        "DiracGANDemo": demos.DiracGANDemo(),
        "PerExampleClipDemo": demos.PerExampleClipDemo(),
        # notebook 11's shape: three cells, five seeds, the start and ten readings (five for the GRU), length 50
        "GradientThroughTimeDemo": demos.GradientThroughTimeDemo(
            {cell: 10.0 ** rng.uniform(-10, 0, (5, readings + 1, 50)) for cell, readings in readings_per_cell},
            {cell: rng.uniform(0, 0.2, (5, readings)) for cell, readings in readings_per_cell}, seeds=range(5, 10)),
    }
    results = {}
    for name, demo in demo_list.items():
        for key, slider in demo.sliders.items():
            options = list(getattr(slider, "options", [])) or list(np.linspace(slider.min, slider.max, 7))
            times = []
            with redirect_stdout(io.StringIO()):  # display() outside a notebook prints a repr
                demo._ipython_display_()  # shown as a notebook shows it (which also freezes the collector)
                for i in range(moves):
                    value = options[(options.index(slider.value) + 1) % len(options)] if hasattr(slider, "options") \
                        else options[i % len(options)]
                    start = time.perf_counter()
                    slider.value = value
                    times.append(time.perf_counter() - start)
            results[f"{name}.{key}"] = (statistics.median(times), max(times))
    return results


def lab_speed(seconds):
    """The WGAN Lab playing for ``seconds``: its generator iterations per second as a share of a
    headless ``WGAN.fit`` on the same networks and settings; its redraws per second, and the median
    seconds of one (measure, draw, PNG); the seconds from a move of the c slider to the first picture
    drawn with the new c (median of five moves)."""
    from clipedu.notebook.lab import DEFAULTS, WGANLab

    s = DEFAULTS
    wgan = WGAN(mlp(2, 1, depth=s["depth"], width=s["width"], seed=0),
                mlp(2, 2, depth=s["depth"], width=s["width"], seed=100), 2, n_critic=s["n_critic"],
                method=WeightClipping(s["c"]), seed=0)
    wgan.compile(critic_optimizer=keras.optimizers.Adam(s["learning_rate"], beta_1=0.5, beta_2=0.9),
                 generator_optimizer=keras.optimizers.Adam(s["learning_rate"], beta_1=0.5, beta_2=0.9))
    batch = s["n_critic"] * s["batch_size"]
    real = datasets.eight_gaussians(batch * 200, seed=0)
    wgan.fit(real, batch_size=batch, epochs=1, verbose=0)  # warm-up: tracing
    start, epochs = time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        wgan.fit(real, batch_size=batch, epochs=1, verbose=0)
        epochs += 1
    headless = 200 * epochs / (time.perf_counter() - start)

    lab = WGANLab()
    with redirect_stdout(io.StringIO()):  # display() outside a notebook prints a repr
        lab._ipython_display_()  # shown, as a notebook shows it: a lab draws its pictures once shown
    lab.run(1)  # warm-up: tracing
    drawn = []  # (time, c) of every picture
    draw, refresh, refresh_times = lab.view.draw, lab._refresh, []
    lab.view.draw = lambda measured, history: (drawn.append((time.perf_counter(), measured["c"])),
                                               draw(measured, history))[1]

    def timed_refresh():
        start = time.perf_counter()
        refresh()
        refresh_times.append(time.perf_counter() - start)

    lab._refresh = timed_refresh
    iterations, redraws = lab.state["iteration"], lab.redraws
    lab.play()
    start = time.perf_counter()
    time.sleep(seconds)
    lab.pause()
    elapsed = time.perf_counter() - start
    playing = (lab.state["iteration"] - iterations) / elapsed
    redraw_rate = (lab.redraws - redraws) / elapsed
    latencies = []
    lab.play()
    for c in (0.01, 0.1, 0.01, 0.1, 0.01):
        time.sleep(0.5)
        moved = time.perf_counter()
        lab._controls["c"].value = c  # as the slider does

        def shown(moved=moved, c=c):  # the pictures drawn since the move with the new c (a float32 value)
            return [t for t, drawn_c in drawn if t > moved and abs(drawn_c - c) < 1e-6 * c]

        while not shown() and time.perf_counter() - moved < 10:
            time.sleep(0.005)
        latencies.append(min(shown()) - moved)
    lab.close()
    return {"share": playing / headless, "redraw_rate": redraw_rate, "refresh": statistics.median(refresh_times),
            "latency": statistics.median(latencies), "headless": headless, "playing": playing,
            "interval": lab.REDRAW_INTERVAL}


def notebook_times(notebooks):
    """Seconds to execute each notebook top to bottom, in a temporary copy."""
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        copies = []
        for path in notebooks:
            copy = Path(folder) / path.name
            shutil.copy(path, copy)
            copies.append(copy)
        output = subprocess.run([sys.executable, str(ROOT / "tools" / "execute_notebooks.py"), *map(str, copies)],
                                capture_output=True, text=True, check=True).stdout
    return {line.split(":")[0].rsplit("/", 1)[-1]: float(line.split(":")[1].split()[0])
            for line in output.splitlines() if line.endswith(" s")}


def suite_time():
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2", "--dist", "loadscope",
               "--ignore=tests/browser", "--ignore=tests/test_benchmarks.py"]
    start = time.perf_counter()
    passed = subprocess.run(command, cwd=ROOT, capture_output=True).returncode == 0
    return time.perf_counter() - start, passed


def run(quick=False):
    repeats = 5 if quick else 50
    rows = []

    def row(group, name, value, unit, goal="", met=None, note=""):
        rows.append({"group": group, "name": name, "value": value, "unit": unit, "goal": goal, "met": met,
                     "note": note})

    pairs, blocks = (10, 2) if quick else (300, 5)
    default, one_thread = clip_overhead(pairs, blocks), clip_overhead_one_thread(pairs, blocks)
    clip = default["clip_ms"] / 1e3
    eager, _ = median_time(eager_iteration(), max(3, repeats // 5))
    constraint, _ = median_time(keras_constraint_iteration(), max(3, repeats // 5))
    group = "Algorithm-1 iteration (5 critic + 1 generator steps, m = 64, 3 × 128 ReLU), compiled as WGAN.fit does"
    row(group, "clipedu train step with clipping", default["clip_ms"], "ms")
    row(group, "same step without clipping", default["no_clip_ms"], "ms")
    for name, measured, goal in [("clip overhead, one thread", one_thread, "≤ 5 %"),
                                 ("clip overhead, default threads", default, "")]:
        overhead = statistics.median(measured["overheads"])
        row(group, name, overhead, "%", goal, overhead <= 5 if goal else None,
            note=f"{blocks} blocks: {min(measured['overheads']):.1f} to {max(measured['overheads']):.1f} %")
    row(group, "eager loop with v.assign(tf.clip_by_value(...))", 1e3 * eager, "ms")
    row(group, "clipedu speed-up over the eager loop", eager / clip, "×", "≥ 15 ×", eager / clip >= 15)
    row(group, "Keras train_on_batch with per-layer WeightClip", 1e3 * constraint, "ms")
    row(group, "clipedu speed-up over train_on_batch", constraint / clip, "×")

    iterations, models = (20, 1) if quick else (400, 5)
    median, worst = fit_iteration_time(iterations, models)
    row("WGAN.fit", "one generator iteration through fit", 1e3 * median, "ms", "≤ 3 ms", median <= 0.003)
    row("WGAN.fit", f"  worst of {models} fresh models", 1e3 * worst, "ms", "≤ 3 ms", worst <= 0.003)
    median, worst = fit_iteration_time(iterations, models, fit=keras.Model.fit)
    row("WGAN.fit", "same through Keras' array pipeline (autotuned tf.data)", 1e3 * median, "ms")
    row("WGAN.fit", f"  worst of {models} fresh models", 1e3 * worst, "ms")

    peak = matmul_gflops(512 if quick else 2048, 3 if quick else 10)
    row("scaling", "large matmul", peak, "GFLOP/s")

    group = "fit_seeds: 5 runs (RMSprop, c = 0.1, m = 64, n_critic = 5), against 5 separate minimal compiled loops"
    iterations, repeats = (20, 1) if quick else (400, 3)
    for width, depth in ((64, 3),) if quick else ((64, 3), (128, 3), (64, 12)):
        runs = 2 if quick else 5
        measured = seeds_side_by_side(iterations, width, depth, repeats, runs=runs)
        batched, separate = measured["batched"], measured["separate"]
        name = f"{depth} × {width} critic"
        if (width, depth) == (64, 3):
            # How much slower the slow machine is than this one, on the workload the notebooks run: the minimal
            # loop's iteration there (SLOW_MACHINE_LOOP_MS) against here, in this run.
            loop_ms = 1e3 * measured["steady"] / (runs * iterations)
            slower = SLOW_MACHINE_LOOP_MS / loop_ms
        goal = "≤ 0.5" if (width, depth) == (64, 3) else ""
        row(group, f"{name}: 5 runs through fit_seeds", batched, "s", note=f"{iterations} iterations each, "
            "building and tracing included")
        row(group, f"{name}: 5 separate runs of the minimal loop", separate, "s")
        row(group, f"{name}: fit_seeds / minimal loop", batched / separate, "×", goal,
            batched / separate <= 0.5 if goal else None)
        row(group, f"{name}: the minimal loop's iterations alone", measured["steady"], "s",
            note="5 runs, without building and tracing")
        row(group, f"{name}: fit_seeds / those iterations alone", batched / measured["steady"], "×")
        gflops = measured["flops"] / batched / 1e9
        row(group, f"{name}: fit_seeds, share of the matmul's rate", 100 * gflops / peak, "%",
            note=f"{gflops:.2f} GFLOP/s")
    for width in ((128,) if quick else (128, 512)):
        for batch in ((64,) if quick else (64, 256, 1024)):
            seconds, _ = median_time(compiled_iteration(0.01, width=width, batch=batch), repeats)
            achieved = iteration_flops(width, batch) / seconds / 1e9
            row("scaling", f"iteration, width {width}, m = {batch}", 1e3 * seconds, "ms")
            row("scaling", f"  achieved, width {width}, m = {batch}", achieved, "GFLOP/s",
                f"{100 * achieved / peak:.0f} % of the matmul")

    lab = lab_speed(1 if quick else 8)
    group = "WGAN Lab (3 × 64 ReLU, Adam, clipping, m = 64, n_critic = 5), playing"
    row(group, "headless WGAN.fit", lab["headless"], "it/s")
    row(group, "the lab while it redraws", lab["playing"], "it/s")
    row(group, "  as a share of headless fit", 100 * lab["share"], "%", "≥ 70 %", lab["share"] >= 0.7)
    row(group, "redraws per second while training", lab["redraw_rate"], "/s")
    row(group, "one redraw: measure, draw, PNG (median)", 1e3 * lab["refresh"], "ms")
    # The lab trains for a fixed time between pictures; a slower machine takes longer to draw them.
    rate_there = 1 / (lab["interval"] + slower * lab["refresh"])
    row(group, "  redraws per second on the slow machine, from it", rate_there, "/s", "≥ 5", rate_there >= 5)
    row(group, "from a move of c to a picture that shows it (median of 5)", 1e3 * lab["latency"], "ms")

    # README, Speed: each budget holds on the slow machine; here it is that budget divided by how much slower it is.
    row("slow machine", "its minimal loop's iteration (3 × 64), measured there", SLOW_MACHINE_LOOP_MS, "ms",
        note="86 GFLOP/s on the large matmul")
    row("slow machine", "this machine's, in this run", loop_ms, "ms")
    row("slow machine", "  how much slower the slow machine is", slower, "×")

    def budget(there, unit):
        return f"≤ {there / slower:.3g} {unit} ({there:g} {unit} there)"

    if not quick:  # make test runs the notebooks and the suite already: the quick run does not repeat them
        notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
        for name, seconds in notebook_times(notebooks).items():
            row("notebooks", name, seconds, "s", budget(120, "s"), seconds <= 120 / slower)
        seconds, passed = suite_time()
        name = "make test (pytest, 2 workers)"
        row("suite", name if passed else f"{name} (FAILED: the time is not the suite's)", seconds, "s",
            budget(300, "s"), passed and seconds <= 300 / slower)

    for name, (median, worst) in slider_times(3 if quick else 20).items():
        row("slider callbacks", name, 1e3 * median, "ms", budget(100, "ms"), 1e3 * median <= 100 / slower)
        row("slider callbacks", f"  {name}, worst", 1e3 * worst, "ms")
    return rows


def print_table(rows):
    group = None
    for r in rows:
        if r["group"] != group:
            group = r["group"]
            print(f"\n{group}")
        verdict = "" if r["met"] is None else ("  met" if r["met"] else "  MISSED")
        note = f"  ({r['note']})" if r["note"] else ""
        print(f"  {r['name']:58} {r['value']:10.3g} {r['unit']:8} {r['goal']}{verdict}{note}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few repetitions, small runs (a smoke test)")
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results.json")
    parser.add_argument("--clip-overhead-one-thread", nargs=2, type=int, metavar=("PAIRS", "BLOCKS"),
                        help="only measure the clip overhead on one thread and print it as JSON")
    arguments = parser.parse_args()
    if arguments.clip_overhead_one_thread:
        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
        print(json.dumps(clip_overhead(*arguments.clip_overhead_one_thread)))
        return
    rows = run(quick=arguments.quick)
    print_table(rows)
    arguments.json.write_text(json.dumps({"quick": arguments.quick, "rows": rows}, indent=1))
    print(f"\nwritten to {arguments.json}")


if __name__ == "__main__":
    main()
