"""Benchmarks of the budgets in DESIGN.md, measured side by side in one run.

    python benchmarks/run.py [--quick] [--json PATH]

Prints a table and writes it as JSON (default benchmarks/results.json). Times are medians of
repeated runs after a warm-up; comparisons are ratios measured in the same run. --quick makes few
repetitions and small runs, so that the suite can check that every figure is still produced; its
numbers are not meant to be read.
"""

import argparse
import io
import json
import statistics
import subprocess
import sys
import time
from contextlib import redirect_stdout
from pathlib import Path

import clipedu  # noqa: F401 - first: it keeps TensorFlow's start-up log quiet
import numpy as np
import tensorflow as tf
from clipedu import WGAN, WeightClip, datasets, mlp, wgan_step
from clipedu._keras import keras

ROOT = Path(__file__).resolve().parent.parent
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
    """One Algorithm-1 iteration through clipedu's wgan_step, compiled once."""
    critic, generator = _nets(width)
    c_opt, g_opt = keras.optimizers.RMSprop(5e-5), keras.optimizers.RMSprop(5e-5)
    c_opt.build(critic.trainable_variables)
    g_opt.build(generator.trainable_variables)
    seed = keras.random.SeedGenerator(0)
    real = tf.constant(datasets.eight_gaussians(N_CRITIC * batch, seed=0))
    step = tf.function(lambda: wgan_step(critic, generator, real, c_opt, g_opt, N_CRITIC, clip_value, seed=seed),
                       jit_compile=True)
    return lambda: step()["critic_loss"].numpy()


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


def fit_iteration_time(iterations):
    """Seconds per generator iteration of WGAN.fit (m = 64, n_critic = 5, 3 × 128 ReLU, 8 Gaussians)."""
    critic, generator = _nets()
    wgan = WGAN(critic, generator, LATENT, n_critic=N_CRITIC, seed=0)
    wgan.compile()
    real = datasets.eight_gaussians(N_CRITIC * M * iterations, seed=0)
    wgan.fit(real, batch_size=N_CRITIC * M, epochs=1, verbose=0)  # warm-up: tracing and compilation
    times = []
    for _ in range(3):
        start = time.perf_counter()
        wgan.fit(real, batch_size=N_CRITIC * M, epochs=1, verbose=0)
        times.append((time.perf_counter() - start) / iterations)
    return statistics.median(times)


def iteration_flops(width, batch, depth=3):
    """Multiply-adds × 2 of the dense layers in one Algorithm-1 iteration (forward and backward)."""
    def forward(n_in, n_out, rows):
        sizes = [n_in] + [width] * depth + [n_out]
        return sum(2 * rows * a * b for a, b in zip(sizes, sizes[1:]))

    critic_update = 3 * forward(2, 1, 2 * batch) + forward(LATENT, 2, batch)
    generator_update = 3 * (forward(LATENT, 2, batch) + forward(2, 1, batch))
    return N_CRITIC * critic_update + generator_update


def matmul_gflops(size, repeats):
    a = tf.random.normal((size, size))
    b = tf.random.normal((size, size))
    product = tf.function(lambda: tf.matmul(a, b))
    seconds, _ = median_time(lambda: product().numpy(), repeats)
    return 2 * size ** 3 / seconds / 1e9


def slider_times(moves):
    """Median and worst seconds of each demo slider's callback (compute, draw, PNG, display)."""
    from clipedu import demos

    rng = np.random.default_rng(0)

    class History:
        def __init__(self, n, iterations):
            self.iterations = iterations
            self.snapshots = [rng.uniform(-0.01, 0.01, n) for _ in iterations]
            self.samples = [rng.standard_normal((500, 2)) for _ in iterations]

        def fraction_at_bound(self, c):
            return np.array([np.mean(np.isclose(np.abs(s), c)) for s in self.snapshots])

    iterations = list(range(0, 2001, 100))
    demo_list = {
        "GradientClipDemo": demos.GradientClipDemo(),
        "TwoTensorDemo": demos.TwoTensorDemo(),
        "StepOnSurfaceDemo": demos.StepOnSurfaceDemo(),
        "ExplodingDemo": demos.ExplodingDemo(steps=100, learning_rates=(0.003, 0.01), thresholds=(1.0, 10.0),
                                             progress=False),
        "WeightHistogramDemo": demos.WeightHistogramDemo(cs=(0.01, 0.1), epochs=2, c=0.01),
        "WeightDistributionDemo": demos.WeightDistributionDemo({c: History(33_537, iterations) for c in (0.01, 0.1)}),
        "LayerGradientDemo": demos.LayerGradientDemo({f"c = {c}": rng.uniform(0.1, 1, 9) for c in (0.01, 0.1)}),
        "SamplesDemo": demos.SamplesDemo({"a": History(1, iterations), "b": History(1, iterations)},
                                         rng.standard_normal((1000, 2))),
    }
    results = {}
    for name, demo in demo_list.items():
        for key, slider in demo.sliders.items():
            options = list(getattr(slider, "options", [])) or list(np.linspace(slider.min, slider.max, 7))
            times = []
            with redirect_stdout(io.StringIO()):  # display() outside a notebook prints a repr
                demo.update()
                for i in range(moves):
                    value = options[(options.index(slider.value) + 1) % len(options)] if hasattr(slider, "options") \
                        else options[i % len(options)]
                    start = time.perf_counter()
                    slider.value = value
                    times.append(time.perf_counter() - start)
            results[f"{name}.{key}"] = (statistics.median(times), max(times))
    return results


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


def suite_time(quick):
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    command += ["tests/test_datasets.py"] if quick else ["-n", "2", "--dist", "loadscope", "--ignore=tests/browser",
                                                         "--ignore=tests/test_benchmarks.py"]
    start = time.perf_counter()
    passed = subprocess.run(command, cwd=ROOT, capture_output=True).returncode == 0
    return time.perf_counter() - start, passed


def run(quick=False):
    repeats = 5 if quick else 50
    rows = []

    def row(group, name, value, unit, goal="", met=None):
        rows.append({"group": group, "name": name, "value": value, "unit": unit, "goal": goal, "met": met})

    # Clipping and no clipping measured alternately, in rounds, so that drift hits both alike.
    with_clip, without_clip = compiled_iteration(0.01), compiled_iteration(None)
    rounds = [(median_time(with_clip, repeats // 5)[0], median_time(without_clip, repeats // 5)[0])
              for _ in range(5)]
    clip, no_clip = statistics.median(r[0] for r in rounds), statistics.median(r[1] for r in rounds)
    eager, _ = median_time(eager_iteration(), max(3, repeats // 5))
    constraint, _ = median_time(keras_constraint_iteration(), max(3, repeats // 5))
    group = "Algorithm-1 iteration (5 critic + 1 generator steps, m = 64, 3 × 128 ReLU)"
    row(group, "clipedu wgan_step, compiled, with clipping", 1e3 * clip, "ms")
    row(group, "same compiled step without clipping", 1e3 * no_clip, "ms")
    row(group, "clip overhead", 100 * (clip / no_clip - 1), "%", "≤ 5 %", clip / no_clip - 1 <= 0.05)
    row(group, "eager loop with v.assign(tf.clip_by_value(...))", 1e3 * eager, "ms")
    row(group, "clipedu speed-up over the eager loop", eager / clip, "×", "≥ 15 ×", eager / clip >= 15)
    row(group, "Keras train_on_batch with per-layer WeightClip", 1e3 * constraint, "ms")
    row(group, "clipedu speed-up over train_on_batch", constraint / clip, "×")

    fit = fit_iteration_time(20 if quick else 400)
    row("WGAN.fit", "one generator iteration through fit", 1e3 * fit, "ms", "≤ 3 ms", fit <= 0.003)

    peak = matmul_gflops(512 if quick else 2048, 3 if quick else 10)
    row("scaling", "large matmul", peak, "GFLOP/s")
    for width in ((128,) if quick else (128, 512)):
        for batch in ((64,) if quick else (64, 256, 1024)):
            seconds, _ = median_time(compiled_iteration(0.01, width=width, batch=batch), max(3, repeats // 5))
            achieved = iteration_flops(width, batch) / seconds / 1e9
            row("scaling", f"iteration, width {width}, m = {batch}", 1e3 * seconds, "ms")
            row("scaling", f"  achieved, width {width}, m = {batch}", achieved, "GFLOP/s",
                f"{100 * achieved / peak:.0f} % of the matmul")

    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for name, seconds in notebook_times(notebooks[:1] if quick else notebooks).items():
        row("notebooks", name, seconds, "s", "≤ 60 s", seconds <= 60)
    seconds, passed = suite_time(quick)
    name = "quick: tests/test_datasets.py only" if quick else "make test (pytest, 2 workers)"
    row("suite", name if passed else f"{name} (FAILED: the time is not the suite's)", seconds, "s",
        "" if quick else "≤ 240 s", None if quick else passed and seconds <= 240)

    for name, (median, worst) in slider_times(3 if quick else 20).items():
        row("slider callbacks", name, 1e3 * median, "ms", "median ≤ 100 ms", median <= 0.1)
        row("slider callbacks", f"  {name}, worst", 1e3 * worst, "ms")
    return rows


def print_table(rows):
    group = None
    for r in rows:
        if r["group"] != group:
            group = r["group"]
            print(f"\n{group}")
        verdict = "" if r["met"] is None else ("  met" if r["met"] else "  MISSED")
        print(f"  {r['name']:58} {r['value']:10.3g} {r['unit']:8} {r['goal']}{verdict}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few repetitions, small runs (a smoke test)")
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results.json")
    arguments = parser.parse_args()
    rows = run(quick=arguments.quick)
    print_table(rows)
    arguments.json.write_text(json.dumps({"quick": arguments.quick, "rows": rows}, indent=1))
    print(f"\nwritten to {arguments.json}")


if __name__ == "__main__":
    main()
