import numpy as np
import pytest

from clipedu import datasets, measures
from clipedu.measures import modes_covered

CENTRES = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])


def test_modes_covered_counts_modes_with_a_quarter_of_their_share_nearby():
    # 32 samples, 4 modes: a mode needs 32 / 16 = 2 samples within the radius.
    samples = np.concatenate([np.zeros((28, 2)), [[1.05, 0.0]] * 2, [[0.0, 1.05]], [[3.0, 3.0]]])
    assert modes_covered(samples, CENTRES, radius=0.1) == 2  # (0, 0) and (1, 0); (0, 1) has one sample
    assert modes_covered(samples, CENTRES, radius=0.01) == 1  # (1.05, 0) is now too far
    assert modes_covered(datasets.eight_gaussians(800, seed=0), datasets.mode_centres("eight_gaussians")) == 8
    assert modes_covered(np.zeros((800, 2)), datasets.mode_centres("eight_gaussians")) == 0


@pytest.mark.parametrize("samples, centres, radius, error, match", [
    (np.zeros((4, 3)), CENTRES, 0.1, ValueError, r"as many columns, got shapes \(4, 3\) and \(4, 2\)"),
    (np.zeros((0, 2)), CENTRES, 0.1, ValueError, "samples must be a non-empty 2-D array"),
    ([[np.nan, 0.0]], CENTRES, 0.1, ValueError, "samples must be a non-empty 2-D array of finite points"),
    (np.zeros((4, 2)), CENTRES, 0, ValueError, "radius must be a positive finite number, got 0"),
    (np.zeros((4, 2)), "centres", 0.1, TypeError, "centres must be an array of points, got str"),
])
def test_modes_covered_rejects_bad_arguments(samples, centres, radius, error, match):
    with pytest.raises(error, match=match):
        modes_covered(samples, centres, radius)


def test_gradient_trend_reads_the_first_over_the_last_norm():
    from clipedu.measures import gradient_trend
    assert gradient_trend([101.0, 3.0, 1.0]) == "explode towards the input"
    assert gradient_trend([100.0, 1.0]) == "stay" and gradient_trend([0.01, 1.0]) == "stay"
    assert gradient_trend([0.0099, 1.0]) == "vanish towards the input"
    assert gradient_trend([0.0, 5.0, 1.0]) == "vanish towards the input"
    with pytest.raises(ValueError, match="norms must be at least two"):
        gradient_trend([1.0, 0.0])


def test_loss_spikes_are_judged_against_the_median_of_the_window_before():
    losses = [1.0] * 10 + [2.9, 3.1, 1.0, 0.5] + [0.2] * 6 + [0.7]
    # step 10: 2.9 < 3 · 1; step 11: 3.1 > 3 · 1; the last step: 0.7 > 3 · median(0.2 ... ) = 0.6
    np.testing.assert_array_equal(measures.loss_spikes(losses, factor=3, window=5), [11, 20])
    # a falling loss has no spikes, and a run no longer than the window has none
    assert measures.loss_spikes(np.geomspace(1, 1e-3, 200)).size == 0
    assert measures.loss_spikes([1.0, 10.0], window=2).size == 0
    np.testing.assert_array_equal(measures.loss_spikes(losses, factor=2, window=5), [10, 11, 20])


@pytest.mark.parametrize("losses, kwargs, error, match", [
    ([1.0, np.inf], {}, ValueError, "losses must be finite"),
    ([[1.0, 2.0]], {}, ValueError, "one number per step"),
    (["a"], {}, TypeError, "losses must be"),
    ([1.0], {"factor": 1.0}, ValueError, "factor must be above 1"),
    ([1.0], {"window": 0}, ValueError, "window must"),
])
def test_loss_spikes_rejects_bad_arguments(losses, kwargs, error, match):
    with pytest.raises(error, match=match):
        measures.loss_spikes(losses, **kwargs)


def test_weight_gradients_of_a_linear_critic_are_the_difference_of_the_means():
    import keras

    critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    real = np.array([[1.0, 2.0], [3.0, 4.0]], "float32")
    fake = np.array([[0.0, 1.0], [0.0, 3.0]], "float32")
    # D(x) = w·x + b: the loss mean(D(fake)) - mean(D(real)) has gradient mean(fake) - mean(real) in w, 0 in b.
    assert np.allclose(measures.weight_gradients(critic, real, fake), [-2.0, -1.0, 0.0])


def test_rank_correlation_is_one_for_any_rising_pair_and_shares_ranks_between_ties():
    assert measures.rank_correlation([1, 2, 3, 4], [10, 20, 30, 1000]) == pytest.approx(1.0)
    assert measures.rank_correlation([1, 2, 3, 4], [5, 3, 2, -7]) == pytest.approx(-1.0)
    # ranks of x: 1, 2, 3, 4; of y: 1.5, 1.5, 4, 3 (a tie). Deviations from the mean 2.5: (-1.5, -0.5, 0.5, 1.5)
    # and (-1, -1, 1.5, 0.5); their products add to 3.5, their squares to 5 and 4.5: Pearson = 3.5 / sqrt(22.5).
    assert measures.rank_correlation([1, 2, 3, 4], [0, 0, 5, 4]) == pytest.approx(3.5 / 22.5 ** 0.5)


@pytest.mark.parametrize("x, y, error, match", [
    ([1, 2, 3], [1, 2], ValueError, "as long"),
    ([1], [1], ValueError, "at least two"),
    ([1, 1, 1], [1, 2, 3], ValueError, "not all equal"),
    ([1, 2, float("nan")], [1, 2, 3], ValueError, "finite"),
    (["a", "b"], [1, 2], TypeError, "sequence of numbers"),
])
def test_rank_correlation_rejects_bad_arguments(x, y, error, match):
    with pytest.raises(error, match=match):
        measures.rank_correlation(x, y)
