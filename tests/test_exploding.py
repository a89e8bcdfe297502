import numpy as np
import pytest

from clipedu import exploding


def _hand_rnn(w, u, x):
    h = np.zeros(x.shape[0])
    for t in range(x.shape[1]):
        h = w * h + u * x[:, t, 0]
    return h


def test_sequences_are_seeded_and_targets_come_from_w_0_8_u_1():
    x, y = exploding.sequences(n=8, seed=5)
    assert x.shape == (8, 50, 1) and y.shape == (8, 1)
    np.testing.assert_array_equal(x, exploding.sequences(n=8, seed=5)[0])
    np.testing.assert_allclose(y[:, 0], _hand_rnn(0.8, 1.0, x.astype(np.float64)), rtol=1e-5)


def test_loss_surface_is_zero_at_the_true_weights_and_rises_into_a_wall():
    x, y = exploding.sequences()
    assert exploding.loss_surface(0.8, 1.0, x, y) < 1e-8
    assert exploding.loss_surface(1.1, 0.5, x, y) > 1000 * exploding.loss_surface(0.9, 0.5, x, y)


def test_keras_gradient_norm_matches_finite_differences_of_the_loss():
    x, y = exploding.sequences()
    run = exploding.train_rnn((0.95, 0.5), learning_rate=1e-9, steps=1)
    h = 1e-6
    dw = (exploding.loss_surface(0.95 + h, 0.5, x, y) - exploding.loss_surface(0.95 - h, 0.5, x, y)) / (2 * h)
    du = (exploding.loss_surface(0.95, 0.5 + h, x, y) - exploding.loss_surface(0.95, 0.5 - h, x, y)) / (2 * h)
    assert run["grad_norm"][0] == pytest.approx(np.hypot(dw, du), rel=1e-3)


def test_plain_descent_from_the_wall_diverges_and_keeps_its_record():
    with pytest.warns(RuntimeWarning, match="diverged: after update 1 the loss was inf"):
        run = exploding.train_rnn((1.1, 0.5), learning_rate=0.01, steps=50)
    assert run["diverged"]
    updates = len(run["grad_norm"])
    assert 1 <= updates < 50
    assert len(run["w"]) == len(run["u"]) == len(run["loss"]) == updates + 1
    assert run["w"][0] == 1.1 and abs(run["w"][1]) > 100


@pytest.mark.parametrize("clip, longest", [({"global_clipnorm": 1.0}, 0.01),
                                           ({"clipvalue": 1.0}, 0.01 * np.sqrt(2)),
                                           ({"clipnorm": 1.0}, 0.01 * np.sqrt(2))])
def test_clipped_descent_survives_with_bounded_steps(clip, longest):
    run = exploding.train_rnn((1.1, 0.5), learning_rate=0.01, steps=60, **clip)
    assert not run["diverged"] and len(run["grad_norm"]) == 60
    assert run["step_length"].max() <= longest * (1 + 1e-4)  # positions are float32
    assert run["loss"][-1] < run["loss"][0] / 1000


@pytest.mark.parametrize("clip", [{"global_clipnorm": 1.0}, {"clipvalue": 1.0}, {}])
def test_each_update_records_its_gradient_and_whether_it_was_clipped(clip):
    start = (1.1, 0.5) if clip else (0.9, 0.5)  # unclipped, the wall diverges at once
    run = exploding.train_rnn(start, learning_rate=0.01, steps=40, **clip)
    assert run["grad"].shape == (40, 2) and run["clipped"].shape == (40,)
    np.testing.assert_allclose(np.hypot(*run["grad"].T), run["grad_norm"], rtol=1e-5)
    if "global_clipnorm" in clip:
        np.testing.assert_array_equal(run["clipped"], run["grad_norm"] > 1.0)
    elif "clipvalue" in clip:
        np.testing.assert_array_equal(run["clipped"], np.abs(run["grad"]).max(axis=1) > 1.0)
    else:
        assert not run["clipped"].any()
    # a clipped global_clipnorm step is learning rate × threshold long
    if "global_clipnorm" in clip:
        np.testing.assert_allclose(run["step_length"][run["clipped"]], 0.01, rtol=1e-3)


def test_invalid_arguments():
    with pytest.raises(ValueError, match="start"):
        exploding.train_rnn((1.0,), 0.01, 5)
    with pytest.raises(TypeError, match="start"):
        exploding.train_rnn("ab", 0.01, 5)
    with pytest.raises(ValueError, match="learning_rate.*-0.1"):
        exploding.train_rnn((1.0, 0.5), -0.1, 5)
    with pytest.raises(ValueError, match="steps.*0"):
        exploding.train_rnn((1.0, 0.5), 0.01, 0)
    with pytest.raises(ValueError, match="at most one"):
        exploding.train_rnn((1.0, 0.5), 0.01, 5, clipvalue=1.0, clipnorm=1.0)
    with pytest.raises(ValueError, match="global_clipnorm.*nan"):
        exploding.train_rnn((1.0, 0.5), 0.01, 5, global_clipnorm=float("nan"))
    with pytest.raises(ValueError, match="n must be"):
        exploding.sequences(n=0)


def test_bounces_tells_a_settling_run_from_one_circling_the_minimum():
    settling = np.geomspace(10.0, 0.01, 101)
    circling = np.concatenate([settling[:51], 0.01 + 0.5 * ((np.arange(50) + 1) % 2)])  # up, down, up, ...
    assert not exploding.bounces(settling)
    assert exploding.bounces(circling)
    assert not exploding.bounces(circling, window=1)  # its very last update went down
    with pytest.raises(ValueError, match="loss must be a 1-D array of at least two values"):
        exploding.bounces([1.0])
    with pytest.raises(ValueError, match="window must be a positive integer, got 0"):
        exploding.bounces(settling, window=0)


def test_descend_follows_keras_sgd_where_rounding_does_not_matter():
    """descend repeats train_rnn's clipped updates in float64: the same run, for each argument."""
    for clip, threshold, learning_rate in [("global_clipnorm", 10.0, 0.01), ("clipvalue", 1.0, 0.01),
                                           ("clipnorm", 0.1, 0.003)]:
        keras_run = exploding.train_rnn((1.1, 0.5), learning_rate, 30, **{clip: threshold}, seed=1)
        many = exploding.descend((1.1, 0.5), learning_rate, 30, clip, threshold, [1, 2])
        assert np.abs(many["w"][0] - keras_run["w"]).max() < 1e-4
        assert np.abs(many["u"][0] - keras_run["u"]).max() < 1e-4
        assert np.array_equal(many["clipped"][0], keras_run["clipped"])
        assert not many["diverged"].any()
    with pytest.raises(ValueError, match="clip must name"):
        exploding.descend((1.1, 0.5), 0.01, 3, "clip", 1.0, 0)


def test_steady_cycle_tells_a_two_step_cycle_from_an_erratic_bounce():
    cycle = np.tile([0.02, 0.0058], 30)  # back and forth between two losses
    erratic = 0.01 + 0.5 * np.abs(np.sin(np.arange(60) * 1.7))  # rises and falls, never repeating
    assert exploding.steady_cycle(cycle)
    assert exploding.steady_cycle(cycle * (1 + 0.004 * (np.arange(60) // 2 % 2)))  # within 1 %, not exactly equal
    assert not exploding.steady_cycle(erratic)
    assert not exploding.steady_cycle(np.geomspace(10.0, 0.01, 60))  # settling: 21 % lower every two updates
    assert exploding.steady_cycle(np.geomspace(10.0, 0.01, 60), tolerance=0.3)
    ending = np.concatenate([erratic[:40], cycle[:20]])  # erratic, then a cycle over the last 20 losses
    assert exploding.steady_cycle(ending) and not exploding.steady_cycle(ending, window=21)
    with pytest.raises(ValueError, match="loss must be a 1-D array of at least window = 20 values"):
        exploding.steady_cycle(cycle[:19])
    with pytest.raises(ValueError, match="window must be at least 3, got 2"):
        exploding.steady_cycle(cycle, window=2)
    with pytest.raises(ValueError, match="tolerance must be a positive finite number, got 0.0"):
        exploding.steady_cycle(cycle, tolerance=0.0)
