import math

import keras
import numpy as np
import pytest

from clipedu import WGAN, gradients, mlp
from clipedu.notebook.demos import (
    ExplodingDemo,
    GradientClipDemo,
    GradientThroughTimeDemo,
    PerExampleClipDemo,
    SamplesDemo,
    StepOnSurfaceDemo,
    TwoTensorDemo,
    WeightDistributionDemo,
    WeightHistogramDemo,
)
from clipedu.notebook.figures import panel_grid
from clipedu.notebook.progress import progress_bar
from clipedu.recording import SampleHistory, WeightHistory


def _all_finite(value):
    if isinstance(value, dict):
        return all(_all_finite(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(_all_finite(v) for v in value)
    if isinstance(value, (str, bool)) or value is None:
        return True
    return bool(np.all(np.isfinite(value)))


@pytest.mark.parametrize("g0, g1, threshold, leaves", [(0.1, 3.0, 0.5, True),  # the default view: 6 thresholds long
                                                        (0.1, 3.0, 1.0, True),  # the zoom's unit is then the whole's
                                                        (0.6, 0.5, 0.5, False)])  # 1.6 thresholds long
def test_gradient_demo_zoom_shows_a_gradient_longer_than_it_as_a_shaft_and_says_so(g0, g1, threshold, leaves):
    demo = GradientClipDemo()
    demo.set(g0=g0, g1=g1, threshold=threshold)
    zoom = demo.figure.axes[1]
    end = np.array([g0, g1]) / threshold  # the zoom is in units of the threshold
    shafts = [line for line in zoom.lines if len(line.get_xydata()) == 2 and np.allclose(line.get_xydata()[1], end)]
    arrows = [a for a in zoom.texts if hasattr(a, "xy") and np.allclose(a.xy, end)]  # annotations: the arrows
    notes = [t.get_text() for t in zoom.texts if t.get_text() == "the gradient leaves the zoom"]
    assert (len(shafts), len(arrows), len(notes)) == ((1, 0, 1) if leaves else (0, 1, 0))
    assert zoom.get_xlim() == (-2.0, 2.0)


def test_gradient_demo_shows_the_worked_example():
    demo = GradientClipDemo()
    demo.set(g0=0.1, g1=3.0, threshold=0.5)
    state = demo.state
    np.testing.assert_allclose(state["clipped"]["clipvalue"], [0.1, 0.5])
    assert state["angle"]["clipvalue"] == pytest.approx(math.degrees(math.atan2(3, 0.1) - math.atan2(0.5, 0.1)))
    assert state["angle"]["clipnorm"] == pytest.approx(0.0, abs=1e-9)
    assert state["length"]["clipnorm"] == pytest.approx(0.5)
    assert "9.4°" in demo.readout.value
    assert demo.figure.axes, "the figure was drawn"


def test_gradient_demo_sliders_drive_the_state_and_readout():
    demo = GradientClipDemo()
    demo.set(g0=-3.0, g1=2.0, threshold=1.0)
    assert demo.values == {"g0": -3.0, "g1": 2.0, "threshold": 1.0}
    np.testing.assert_allclose(demo.state["clipped"]["clipvalue"], [-1.0, 1.0])
    assert "[ -1.000,   1.000]" in demo.readout.value
    with pytest.raises(ValueError, match="no slider named"):
        demo.set(gradient=1.0)


@pytest.mark.parametrize("threshold", [0.05, 4.0])
@pytest.mark.parametrize("g", [(0.0, 0.0), (4.0, -4.0), (0.0, 3.0)])
def test_gradient_demo_extremes_neither_crash_nor_give_nan(g, threshold):
    demo = GradientClipDemo()
    demo.set(g0=g[0], g1=g[1], threshold=threshold)
    state = demo.state
    assert _all_finite(state)
    if g == (0.0, 0.0):
        assert all(a is None for a in state["angle"].values())
        assert "undefined" in demo.readout.value
    else:
        assert all(length <= threshold * math.sqrt(2) + 1e-12
                   for kind, length in state["length"].items() if kind != "original")


def test_gradient_demo_slider_limits():
    demo = GradientClipDemo()
    demo.sliders["threshold"].value = 100  # a slider clamps to its range
    assert demo.values["threshold"] == demo.sliders["threshold"].max == 4.0


def test_two_tensor_demo_global_keeps_direction_and_per_tensor_turns():
    demo = TwoTensorDemo()
    state = demo.state
    assert state["angle"]["global_clipnorm"] == pytest.approx(0.0, abs=1e-9)
    assert state["angle"]["clipnorm"] > 10
    assert state["clipped_norms"]["clipnorm"][0] == pytest.approx(1.0)
    assert gradients.global_norm(state["clipped"]["global_clipnorm"]) == pytest.approx(1.0)
    demo.set(bias_scale=0.0, threshold=6.0)
    assert _all_finite(demo.state) and demo.state["angle"]["clipnorm"] == pytest.approx(0.0, abs=1e-9)


def test_step_demo_lands_where_sgd_with_the_clipped_gradient_lands():
    demo = StepOnSurfaceDemo()
    demo.set(x=3.0, y=1.0, learning_rate=0.3, threshold=1.0)
    state = demo.state
    gradient = np.array([3.0, 10.0])  # of 0.5 (x² + 10 y²)
    np.testing.assert_allclose(state["landing"]["none"], [3.0, 1.0] - 0.3 * gradient)
    np.testing.assert_allclose(state["landing"]["clipvalue"], [3.0, 1.0] - 0.3 * np.array([1.0, 1.0]))
    np.testing.assert_allclose(state["landing"]["clipnorm"], [3.0, 1.0] - 0.3 * gradient / np.hypot(3, 10))
    assert state["loss_after"]["none"] > state["loss_before"] > state["loss_after"]["clipnorm"]
    assert state["together"] == []


@pytest.mark.parametrize("values", [
    {"x": 3.0, "y": 1.0, "learning_rate": 0.3, "threshold": 1.0},  # the default view
    {"x": 3.8, "y": 2.8, "learning_rate": 0.3, "threshold": 1.0},  # a start in a corner
    {"x": 3.0, "y": 1.0, "learning_rate": 0.3, "threshold": 10.0},  # a step longer than the main panel is tall
    {"x": -3.8, "y": -2.8, "learning_rate": 0.5, "threshold": 10.0},  # both
])
def test_step_demo_zoom_is_a_square_inside_the_main_panel_with_its_own_contours(values):
    from matplotlib.patches import Rectangle

    demo = StepOnSurfaceDemo()
    demo.set(**values)
    whole, zoom = demo.figure.demo_axes
    (square,) = [patch for patch in whole.patches if isinstance(patch, Rectangle)]
    left, bottom, width, height = square.get_x(), square.get_y(), square.get_width(), square.get_height()
    assert width == height <= 6.0  # never taller or wider than the main panel (8 × 6)
    assert whole.get_xlim()[0] <= left and left + width <= whole.get_xlim()[1]
    assert whole.get_ylim()[0] <= bottom and bottom + height <= whole.get_ylim()[1]
    start = np.array([values["x"], values["y"]])
    np.testing.assert_allclose(zoom.get_xlim(), np.array([left, left + width]) - start[0])
    np.testing.assert_allclose(zoom.get_ylim(), np.array([bottom, bottom + height]) - start[1])
    # the zoom's contours are computed on its own window: their points span it, not the main panel's grid
    points = np.concatenate([path.vertices for collection in zoom.collections for path in collection.get_paths()
                             if len(path.vertices)] or [np.zeros((0, 2))])
    if len(points):
        assert points[:, 0].min() >= zoom.get_xlim()[0] - 1e-9 and points[:, 0].max() <= zoom.get_xlim()[1] + 1e-9


@pytest.mark.parametrize("values, off_plot", [
    ({"x": 3.0, "y": 1.0, "learning_rate": 0.5, "threshold": 10.0}, "no clipping, clipvalue, clipnorm land"),
    ({"x": -3.8, "y": -2.8, "learning_rate": 0.5, "threshold": 1.0}, "no clipping lands"),
])
def test_step_demo_names_steps_off_the_plot_once_and_its_legend_stays_inside_the_figure(values, off_plot):
    demo = StepOnSurfaceDemo()
    demo.set(**values)
    figure = demo.figure
    whole, zoom = figure.demo_axes
    notes = " ".join(text.get_text() for text in zoom.texts)
    assert off_plot + " off the left plot,\npast the red triangle" in notes
    (legend,) = figure.legends
    assert not any("triangle" in text.get_text() for text in legend.get_texts())
    figure.canvas.draw()
    box, frame = legend.get_window_extent(), figure.bbox
    assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0


@pytest.mark.parametrize("start, learning_rate, threshold, together", [
    ((3.0, 1.0), 0.3, 10.0, [("none", "clipvalue")]),  # gradient (3, 10): no element above 10, its norm above
    ((2.0, 0.2), 0.1, 10.0, [("none", "clipvalue", "clipnorm")]),  # gradient (2, 2): nothing clipped
    ((0.0, 1.0), 0.3, 1.0, [("clipvalue", "clipnorm")]),  # gradient (0, 10): both make it (0, 1)
])
def test_step_demo_says_which_steps_land_on_the_same_point(start, learning_rate, threshold, together):
    state = StepOnSurfaceDemo().compute(*start, learning_rate=learning_rate, threshold=threshold)
    assert state["together"] == together


@pytest.fixture(scope="module")
def exploding_demo():
    return ExplodingDemo(steps=15, learning_rates=(0.003, 0.01), thresholds=(1.0,), learning_rate=0.01,
                         threshold=1.0, progress=False)


def test_exploding_demo_plain_run_diverges_and_clipped_runs_do_not(exploding_demo):
    state = exploding_demo.state
    assert state["diverged"] == {"none": True, "clipvalue": False, "clipnorm": False, "global_clipnorm": False}
    # Positions are float32 variables: allow their rounding.
    assert state["longest_step"]["global_clipnorm"] <= 0.01 * (1 + 1e-4)
    exploding_demo.set(learning_rate=0.003)
    assert exploding_demo.state["learning_rate"] == 0.003
    assert "diverged" in exploding_demo.readout.value
    assert exploding_demo.state["longest_step"]["global_clipnorm"] <= 0.003 * (1 + 1e-4)


def test_exploding_demo_rejects_values_it_did_not_train(exploding_demo):
    with pytest.raises(ValueError, match="no precomputed run"):
        exploding_demo.compute(learning_rate=0.5, threshold=1.0)
    with pytest.raises(ValueError, match="learning_rate must be one of"):
        ExplodingDemo(learning_rates=(0.01,), learning_rate=0.02, progress=False)


def test_weight_histogram_demo_starts_inside_and_small_c_piles_weights_at_the_bound_and_fits_worse():
    demo = WeightHistogramDemo(cs=(0.01, 1.0), epochs=3, c=0.01, seeds=(0, 1))
    small, large = demo.compute(0.01), demo.compute(1.0)
    assert small["largest"] <= 0.01 * (1 + 1e-6) and large["largest"] <= 1.0 * (1 + 1e-6)
    # Each kernel starts scaled into [-c, c]: only its largest value sits on ±c (3 kernels; 1 185 weights).
    assert np.all(small["seeds"]["start_at_bound"] == pytest.approx(3 / 1185))
    assert np.all(small["seeds"]["glorot_at_bound"] > 0.8)  # what clipping the Glorot start would have done
    assert np.all(large["seeds"]["start_at_bound"] == 0) and np.all(large["seeds"]["glorot_at_bound"] == 0)
    assert np.all(small["seeds"]["at_bound"] > small["seeds"]["start_at_bound"])
    assert np.all(small["seeds"]["loss"] > large["seeds"]["loss"])
    # At c = 0.01 no output can pass 32 · 0.01 · (32 · 0.01 · 0.03 + 0.01) + 0.01 = 0.016272.
    assert small["largest_possible_output"] == pytest.approx(0.016272)
    assert np.all(small["seeds"]["largest_output"] < 0.016272)
    assert np.all(large["seeds"]["largest_output"] > 1)
    assert np.all((small["seeds"]["r2"] >= 0) & (small["seeds"]["r2"] <= 1))
    demo.set(c=1.0)
    assert f"{100 * large['at_bound']:.0f}% after training" in demo.readout.value
    with pytest.raises(ValueError, match="c must be one of"):
        demo.compute(0.5)
    with pytest.raises(ValueError, match="seeds must hold at least one seed"):
        WeightHistogramDemo(cs=(0.01,), epochs=1, c=0.01, seeds=())


def test_the_unclipped_regressors_start_the_same_and_leave_the_bound():
    from clipedu.notebook.demos.weight_clipping import fit_clipped_regressors

    clipped, unclipped = (fit_clipped_regressors(0.01, 2, (0,), clip=clip)[0] for clip in (True, False))
    np.testing.assert_array_equal(clipped["start"], unclipped["start"])  # the same start inside [-c, c]
    assert np.abs(clipped["weights"]).max() <= 0.01 * (1 + 1e-6)
    assert np.abs(unclipped["weights"]).max() > 0.01  # nothing holds it inside
    with pytest.raises(TypeError, match="clip must be True or False, got 'no'"):
        fit_clipped_regressors(0.01, 1, (0,), clip="no")


def _weight_history(snapshots):
    """A real ``WeightHistory`` that recorded a critic of four weights holding ``snapshots[i]`` after
    10·i generator iterations, fed through the hooks Keras' ``fit`` calls."""
    critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, use_bias=False)])
    history = WeightHistory(every=10)
    history.set_model(WGAN(critic, mlp(2, 2, depth=1, width=2), 2))
    history.set_params({"epochs": 1, "steps": 10 * (len(snapshots) - 1)})
    for i, values in enumerate(snapshots):
        critic.layers[0].kernel.assign(np.reshape(np.asarray(values, np.float32), (2, 2)))
        if i == 0:
            history.on_train_begin()
        else:
            history.on_train_batch_end(10 * i - 1)
    return history


def test_weight_distribution_demo_scales_by_c_and_reads_the_fraction_at_the_bound():
    histories = {0.01: _weight_history([[0.0, 0.005, 0.01, -0.01], [0.01] * 4]),
                 0.1: _weight_history([[0.0] * 4, [0.1, 0.0, 0.0, 0.0]])}
    assert histories[0.01].iterations == [0, 10]
    demo = WeightDistributionDemo(histories, c=0.01, iteration=0)
    state = demo.compute(c=0.01, iteration=0)
    np.testing.assert_allclose(state["scaled_weights"], [0.0, 0.5, 1.0, -1.0], rtol=1e-6)
    assert state["at_bound"] == 0.5
    demo.set(c=0.1, iteration=10)
    assert demo.state["at_bound"] == 0.25 and "25%" in demo.readout.value
    with pytest.raises(ValueError, match="no snapshot"):
        demo.compute(c=0.1, iteration=5)
    with pytest.raises(ValueError, match="same iterations"):
        WeightDistributionDemo({0.01: _weight_history([[0.0] * 4]), 0.1: _weight_history([[0.0] * 4] * 2)})


def _sample_history(samples):
    """A real ``SampleHistory``, recorded at the start of training, of a generator whose output is
    ``samples`` whatever its noise."""
    samples = np.asarray(samples, np.float32)
    generator = keras.Sequential([keras.Input((2,)), keras.layers.Lambda(lambda z: 0 * z + samples)])
    history = SampleHistory(n=len(samples), every=10)
    history.set_model(WGAN(mlp(2, 1, depth=1, width=2), generator, 2))
    history.on_train_begin()
    return history


def test_samples_demo_distance_is_zero_on_the_data_and_counts_missed_points():
    real = np.array([[0.0, 0.0], [1.0, 0.0], [10.0, 0.0]])
    on_data, partial = _sample_history(real), _sample_history(real[:2])
    demo = SamplesDemo({"perfect": on_data, "partial": partial}, real)
    distance = demo.compute(0)["distance"]
    assert distance["perfect"] == 0.0
    # Only the real point at 10 is missed: its nearest generated point is 9 away, one of three.
    assert distance["partial"] == pytest.approx((0 + 9 / 3) / 2)
    with pytest.raises(ValueError, match="iteration must be one of"):
        demo.compute(100)


def test_samples_demo_names_its_note_in_the_title_and_labels_its_axes():
    real = np.array([[0.0, 0.0], [1.0, 0.0]])
    demo = SamplesDemo({"a": _sample_history(real), "b": _sample_history(real)}, real, note="seed 0")
    demo.update()
    assert demo.figure.get_suptitle() == "after 0 generator iterations, seed 0"
    assert [ax.get_xlabel() for ax in demo.figure.axes] == ["x₁ (data units)"] * 2
    assert demo.figure.axes[0].get_ylabel() == "x₂ (data units)"
    assert all(ax.get_legend() is not None for ax in demo.figure.axes)  # a legend in every panel
    far = _sample_history(np.array([[0.0, 0.0], [3.0, 0.0], [0.0, -5.0], [1.0, 1.0]]))
    assert SamplesDemo({"far": far}, real).compute(0)["outside"] == {"far": 0.5}  # two of four beyond 2.2
    with pytest.raises(TypeError, match="note must be a string"):
        SamplesDemo({"a": _sample_history(real)}, real, note=0)


def test_panel_grid_balances_its_rows_and_checks_its_arguments():
    assert [panel_grid(count, 4) for count in (1, 4, 5, 7, 8, 9)] == [(1, 1), (1, 4), (2, 3), (2, 4), (2, 4), (3, 3)]
    with pytest.raises(ValueError, match="count"):
        panel_grid(0, 4)
    with pytest.raises(TypeError, match="columns"):
        panel_grid(5, 2.5)


def test_samples_demo_wraps_five_runs_onto_rows_of_three_and_two_with_every_x_axis_readable():
    real = np.array([[0.0, 0.0], [1.0, 0.0]])
    demo = SamplesDemo({f"run {i}": _sample_history(real) for i in range(5)}, real)
    demo.update()
    demo.update()  # a redraw reuses the same panels
    assert tuple(demo.figure.get_size_inches()) == (12.0, 8.0)
    assert [ax.get_title() for ax in demo.figure.axes] == [f"run {i}: distance 0.000" for i in range(5)]
    assert len(demo.figure.axes) == 5  # rows of three and two; the sixth cell removed, not left empty
    assert [ax.get_ylabel() for ax in demo.figure.axes] == ["x₂ (data units)", "", "", "x₂ (data units)", ""]
    # Panels 0 and 1 have a panel below them; panel 2 (top right) has none, and shows its x axis as the bottom row does.
    assert [ax.get_xlabel() for ax in demo.figure.axes] == ["", ""] + ["x₁ (data units)"] * 3
    demo.figure.canvas.draw()
    shown = [any(label.get_visible() and label.get_text() for label in ax.get_xticklabels())
             for ax in demo.figure.axes]
    assert shown == [False, False, True, True, True]
    far = _sample_history(np.array([[0.0, 0.0], [3.0, 0.0]]))
    demo = SamplesDemo({"far": far}, real)
    demo.update()
    assert demo.figure.axes[0].get_title() == "far: distance 0.750\n50% of the samples outside [−2.2, 2.2]²"


def test_progress_bar_counts_batches():
    bar = progress_bar(3, "test")
    for batch in range(3):
        bar.on_train_batch_end(batch)
    assert bar.bar.n == 3
    with pytest.raises(ValueError, match="total"):
        progress_bar(0)


def _through_time():
    """Two seeds; cell A read at the start and after 100 and 200 steps, cell B at the start and after 100."""
    length = 4
    a = np.array([[[10.0 ** -(k + 1 - r) * (t + 1) for t in range(length)] for r in range(3)] for k in range(2)])
    b = np.full((2, 2, length), 2.0)
    b[:, :, 0] = [[1e-6, 1e-3], [1e-5, 1e-2]]
    tests = {"A": np.array([[0.15, 0.05], [0.16, 0.10]]), "B": np.array([[0.14], [0.12]])}
    return GradientThroughTimeDemo({"A": a, "B": b}, tests, seeds=[5, 6])


def test_a_slider_move_draws_the_figure_at_most_once_and_keeps_its_layout():
    demo = GradientClipDemo()
    demo.update()  # the first draw lays the axes out
    positions = [ax.get_position().bounds for ax in demo.figure.axes]
    draws = []
    demo.figure.canvas.mpl_connect("draw_event", draws.append)
    for value in (-2.0, 0.5, 3.9):
        demo.sliders["g0"].value = value
    assert len(draws) <= 3 and demo.full_redraws <= 4
    assert [ax.get_position().bounds for ax in demo.figure.axes] == positions


@pytest.mark.parametrize("make, move", [(GradientClipDemo, {"g0": 0.3}), (TwoTensorDemo, {"bias_scale": 1.0}),
                                        (StepOnSurfaceDemo, {"learning_rate": 0.3}),
                                        (PerExampleClipDemo, {"outlier": 10.0}),
                                        (_through_time, {"step": 100})])
def test_a_redraw_on_the_kept_background_equals_a_full_drawing(make, move):
    import io

    from PIL import Image

    demo = make()
    demo.update()
    demo.set(**move)
    full_redraws = demo.full_redraws
    kept = demo._render()  # the same state again: the axes are unchanged, only the front is drawn
    assert demo.full_redraws == full_redraws
    demo._picture._decorations = None  # forget the background: everything is drawn
    drawn = demo._render()
    assert demo.full_redraws == full_redraws + 1
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(kept))), np.asarray(Image.open(io.BytesIO(drawn))))


def test_showing_a_demo_not_importing_it_freezes_the_objects_already_imported():
    import subprocess
    import sys

    code = ("import contextlib, gc, io, clipedu.notebook.demos; print(gc.get_freeze_count())\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    clipedu.notebook.demos.GradientClipDemo()._ipython_display_()\n"
            "print(gc.get_freeze_count(), len(gc.get_objects()))")
    after_import, frozen, tracked = map(int, subprocess.run([sys.executable, "-c", code], capture_output=True,
                                                            text=True, check=True).stdout.split())
    assert after_import == 0
    assert frozen > 100_000  # TensorFlow, Keras, matplotlib and ipywidgets
    assert tracked < frozen / 10  # what full collections still scan


def test_per_example_demo_bounds_the_outliers_influence_and_batch_clipping_does_not():
    demo = PerExampleClipDemo()
    state = demo.compute(clipnorm=1.0, outlier=20.0)
    # the outlier's gradient at w = 0 by hand: 2 · (0 - 20) · (0.1, 1.0)
    np.testing.assert_allclose(state["per_example"][-1], [-4.0, -40.0])
    assert state["influence"]["per-example"] == pytest.approx(1.0 / 8)
    assert state["influence"]["batch"] > 5 * state["bound"]
    assert state["angle"]["per-example"] < 10 < 45 < state["angle"]["batch"]
    # a C longer than every example's gradient clips nothing per example: the two updates agree
    wide = demo.compute(clipnorm=5.0, outlier=2.0)
    assert max(np.linalg.norm(wide["per_example"], axis=1)) < 5.0
    np.testing.assert_allclose(wide["updates"]["per-example"], np.mean(wide["per_example"], axis=0), rtol=1e-12)
    assert "0.125" in demo.summary(state) and "57.9°" in demo.summary(state)


def test_per_example_demo_gives_the_angle_between_the_two_updates_with_and_without_the_outlier():
    demo = PerExampleClipDemo()
    state = demo.compute(clipnorm=1.0, outlier=20.0)
    a, b = state["updates"]["batch"], state["updates"]["per-example"]
    assert state["apart"]["with"] == pytest.approx(np.degrees(np.arccos(a @ b / np.linalg.norm(a) / np.linalg.norm(b))))
    # without the outlier six clean examples are clipped per example at C = 1: the two differ a little
    assert 0.1 < state["apart"]["without"] < 5
    # at C = 5 no clean gradient is longer than C, nor is their mean: without the outlier the two coincide
    assert demo.compute(clipnorm=5.0, outlier=20.0)["apart"]["without"] == pytest.approx(0.0, abs=1e-6)


def test_gradient_through_time_demo_reads_the_chosen_step_and_seed():
    demo = _through_time()
    assert demo.sliders["step"].options == (0, 100, 200) and demo.sliders["seed"].options == (5, 6)
    demo.set(step=100, seed=6)
    state = demo.state
    a, b = state["cells"]["A"], state["cells"]["B"]
    np.testing.assert_allclose(a["relative"], [0.25, 0.5, 0.75, 1.0])  # (t + 1) / 4
    assert a["ratio"] == pytest.approx(0.25) and a["test"] == 0.16
    assert b["ratio"] == pytest.approx(1e-2 / 2) and b["test"] == 0.12
    start = demo.compute(step=0, seed=5)
    assert start["cells"]["A"]["test"] is None and start["cells"]["B"]["ratio"] == pytest.approx(5e-7)
    late = demo.compute(step=200, seed=5)
    assert late["cells"]["B"] is None and late["cells"]["A"]["test"] == 0.05
    text = demo.summary(late)
    assert "B          not trained this far" in text and "0.050" in text and "10^ -0.6" in text


def test_gradient_through_time_demo_draws_each_cell_and_names_bad_arguments():
    demo = _through_time()
    demo.set(step=200)
    labels = [line.get_label() for line in demo.figure.axes[0].get_lines()]
    assert labels == ["A: step 1 / last step = 10^-0.6", "B: not trained this far"]
    assert demo.figure.axes[0].get_yscale() == "log"
    with pytest.raises(ValueError, match="step must be one of \\[0, 100, 200\\], got 50"):
        GradientThroughTimeDemo(demo.profiles, demo.tests, seeds=[5, 6], step=50)
    with pytest.raises(ValueError, match="A: profiles must be .* for 3 seeds, got \\(2, 3, 4\\) and \\(2, 2\\)"):
        GradientThroughTimeDemo(demo.profiles, demo.tests, seeds=[5, 6, 7])
    with pytest.raises(ValueError, match="same cells"):
        GradientThroughTimeDemo(demo.profiles, {"A": demo.tests["A"]}, seeds=[5, 6])
    with pytest.raises(ValueError, match="A: every gradient norm must be positive and finite"):
        GradientThroughTimeDemo({"A": -demo.profiles["A"], "B": demo.profiles["B"]}, demo.tests, seeds=[5, 6])
