import io
import time

import numpy as np
import pytest
from PIL import Image

from clipedu.measures import critic_weights
from clipedu.notebook import figures
from clipedu.notebook.lab import DEFAULTS, LabView, WGANLab, readable_range

SMALL = {"width": 16, "depth": 2, "batch_size": 32}


def _pixels(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def test_run_trains_generator_iterations_and_state_holds_plain_numbers():
    lab = WGANLab(**SMALL)
    assert lab.state["iteration"] == 0
    state = lab.run(3)
    assert state["iteration"] == 3 and state["critic_updates"] == 15
    assert set(state) == {"iteration", "critic_updates", "wasserstein", "fraction_at_bound", "distance",
                          "modes_covered", "diverged", "playing"}
    assert isinstance(state["wasserstein"], float) and isinstance(state["distance"], float)
    assert isinstance(state["modes_covered"], int) and 0 <= state["modes_covered"] <= 8
    assert state["diverged"] is False and state["playing"] is False
    assert np.max(np.abs(critic_weights(lab._run.critic))) <= 0.1 + 1e-7
    assert "iteration 3" in lab.readout.value


def test_a_lab_draws_its_picture_once_shown_and_redraws_after_every_run():
    lab = WGANLab(**SMALL)
    lab.run(3)
    assert lab.image.value == b"" and lab.redraws == 0  # only run from code: no picture drawn
    lab._ipython_display_()  # as a cell's last expression shows it
    assert lab.image.value[:8] == b"\x89PNG\r\n\x1a\n" and lab.redraws == 1
    shown = LabView().draw(lab._run.measure(), lab.history)
    np.testing.assert_array_equal(_pixels(lab.image.value), _pixels(shown))  # the picture of iteration 3
    lab.run(1)
    assert lab.redraws == 2 and lab.image.value != shown
    lab._ipython_display_()  # shown again: nothing new to draw
    assert lab.redraws == 2


def test_c_changes_live_and_the_weights_follow_it_without_a_reset():
    lab = WGANLab(**SMALL)
    before = lab.run(5)["fraction_at_bound"]
    lab.set(c=0.01)
    state = lab.run(5)
    assert state["iteration"] == 10  # not reset
    assert np.max(np.abs(critic_weights(lab._run.critic))) <= 0.01 + 1e-8
    assert state["fraction_at_bound"] > before
    assert lab._controls["c"].value == pytest.approx(0.01)  # the slider shows it


def test_same_seed_same_run_and_reset_starts_again():
    first, second = WGANLab(**SMALL, seed=3), WGANLab(**SMALL, seed=3)
    first.run(4)
    second.run(4)
    np.testing.assert_array_equal(critic_weights(first._run.critic), critic_weights(second._run.critic))
    first.reset()
    assert first.state["iteration"] == 0 and first.history["iteration"] == [0]
    first.run(4)
    np.testing.assert_array_equal(critic_weights(first._run.critic), critic_weights(second._run.critic))


def test_settings_that_need_new_networks_reset_the_lab_and_live_ones_do_not():
    lab = WGANLab(**SMALL)
    lab.run(2)
    lab.set(learning_rate=1e-3, n_critic=2, gp_weight=3.0)
    assert lab.state["iteration"] == 2
    assert float(lab._run.wgan.critic_optimizer.learning_rate) == pytest.approx(1e-3)
    assert lab.run(1)["critic_updates"] == 12
    lab.set(method="gradient penalty")
    state = lab.state
    assert state["iteration"] == 0 and state["fraction_at_bound"] == 0.0
    assert lab.run(2)["iteration"] == 2
    lab.set(dataset="swiss_roll", method="spectral normalization")
    assert lab.run(1)["modes_covered"] is None


def test_play_trains_in_the_background_until_pause():
    lab = WGANLab(**SMALL)
    lab._ipython_display_()
    lab.play()
    assert lab.playing and lab._buttons["play"].value
    deadline = time.time() + 60
    while lab.history["iteration"][-1] < 20 and time.time() < deadline:  # redrawn while it trains
        time.sleep(0.05)
    lab.pause()
    assert not lab.playing and not lab._buttons["play"].value
    stopped = lab.state["iteration"]
    assert stopped >= 20 and lab.redraws >= 2
    time.sleep(0.3)
    assert lab.state["iteration"] == stopped


def test_a_run_that_diverges_stops_with_a_message_and_keeps_its_record():
    lab = WGANLab(**SMALL)
    lab.run(2)
    bias = lab._run.generator.layers[-1].bias  # the linear output: NaN reaches every sample and the losses
    bias.assign(np.full(bias.shape, np.nan, dtype="float32"))
    state = lab.run(10)
    assert state["diverged"] is True and state["iteration"] == 3  # stopped after the first bad iteration
    assert "diverged" in lab.readout.value
    assert lab.history["iteration"][:2] == [0, 2]


@pytest.mark.parametrize("settings, error, match", [
    ({"c": -1.0}, ValueError, "c must"), ({"c": "big"}, TypeError, "c must"),
    ({"method": "clip"}, ValueError, "method must"), ({"dataset": "mnist"}, ValueError, "dataset must"),
    ({"n_critic": 2.5}, TypeError, "n_critic must"), ({"colour": "red"}, ValueError, "unknown settings"),
    ({"seed": None}, ValueError, "seed must"),
])
def test_bad_settings_are_refused_by_name(settings, error, match):
    with pytest.raises(error, match=match):
        WGANLab(**settings)


def test_run_and_set_check_their_arguments():
    lab = WGANLab(**SMALL)
    with pytest.raises(ValueError, match="iterations must"):
        lab.run(0)
    with pytest.raises(ValueError, match="gp_weight must"):
        lab.set(gp_weight=0.0)
    assert lab.settings["gp_weight"] == DEFAULTS["gp_weight"]


def test_a_redraw_on_the_kept_background_equals_a_full_drawing():
    lab = WGANLab(**SMALL)
    lab.run(3)
    first = lab._run.measure()
    lab.run(1)
    second = lab._run.measure()
    history = {"iteration": [0, 3, 4], "wasserstein": [0.0, 0.01, 0.012], "distance": [1.0, 0.9, 0.89]}
    kept = LabView()
    kept.draw(first, history)
    fast = kept.draw(second, history)
    assert kept.full_redraws == 1  # the second drawing reused the background
    fresh = LabView()
    np.testing.assert_array_equal(_pixels(fast), _pixels(fresh.draw(second, history)))


def test_steady_limits_hold_until_the_data_leaves_or_shrinks_fourfold():
    assert figures.nice_ceiling(0.13) == 0.2 and figures.nice_ceiling(3.0) == 5.0 and figures.nice_ceiling(10.0) == 10.0
    assert figures.steady_limits(None, 0.1, 0.9) == (0.0, 1.0)
    assert figures.steady_limits((0.0, 1.0), 0.3, 0.8) == (0.0, 1.0)
    assert figures.steady_limits((0.0, 1.0), 0.3, 1.2) != (0.0, 1.0)
    assert figures.steady_limits((0.0, 1.0), 0.50, 0.51) != (0.0, 1.0)  # 100 times too wide
    assert figures.steady_limits(None, 3e-3, 0.2, log=True) == pytest.approx((1e-3, 1.0))
    assert figures.steady_limits((1e-3, 1.0), 5e-3, 0.5, log=True) == (1e-3, 1.0)


def test_a_single_value_gets_a_range_a_tenth_of_its_size_and_a_wide_range_is_kept():
    assert readable_range(-4.846e-3, -4.846e-3) == pytest.approx((-5.0883e-3, -4.6037e-3))
    assert readable_range(0.0, 0.0) == pytest.approx((-5e-10, 5e-10))
    assert readable_range(1.0, 1.3) == (1.0, 1.3)  # already wider than a tenth of 1.3
    assert readable_range(0.99999, 1.00001) == pytest.approx((0.95, 1.05))
    with pytest.raises(ValueError, match="low and high"):
        readable_range(1.0, 0.0)
    with pytest.raises(ValueError, match="low and high"):
        readable_range(float("nan"), 1.0)


def test_the_first_picture_has_no_offset_text_and_short_tick_labels():
    view = LabView()
    lab = WGANLab(**SMALL)
    view.draw(lab._run.measure(), {"iteration": [0], "wasserstein": [-4.846e-3], "distance": [1.2573]})
    lab.close()
    view.figure.canvas.draw()
    for name in ("curves", "distance"):
        axis = view.axes[name].yaxis
        assert axis.get_offset_text().get_text() in ("", "1e−3", "1e-3"), axis.get_offset_text().get_text()
        labels = [label.get_text() for label in axis.get_ticklabels() if label.get_text()]
        assert len(set(labels)) == len(labels) >= 3, labels  # distinct labels, none repeated
        assert all(len(label) <= 6 for label in labels), labels


def test_a_critic_step_updates_the_critic_only_and_a_generator_step_both():
    lab = WGANLab(**SMALL)
    generator = [w.copy() for w in lab._run.generator.get_weights()]
    critic = critic_weights(lab._run.critic)
    lab.step()
    assert lab.state["critic_updates"] == 1 and lab.state["iteration"] == 0
    assert not np.array_equal(critic_weights(lab._run.critic), critic)
    for before, after in zip(generator, lab._run.generator.get_weights()):
        np.testing.assert_array_equal(before, after)
    lab.step(critic_only=False)
    assert lab.state["critic_updates"] == 6 and lab.state["iteration"] == 1
    with pytest.raises(TypeError, match="critic_only"):
        lab.step("yes")


def test_close_pauses_and_closes_every_widget_model():
    lab = WGANLab(**SMALL)
    lab.play()
    lab.close()
    assert not lab.playing
    assert lab.widget.comm is None and lab.image.comm is None and lab._controls["c"].layout.comm is None
