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


def test_set_distance_by_hand_and_against_every_pairwise_difference():
    # samples (0, 0), (3, 4); data (0, 1): nearest from the samples 1 and √(9 + 9) = √18, mean (1 + √18) / 2;
    # from the data 1; the two directions averaged.
    assert measures.set_distance([[0.0, 0.0], [3.0, 4.0]], [[0.0, 1.0]]) == pytest.approx(((1 + 18 ** 0.5) / 2 + 1) / 2)
    assert measures.set_distance([[1.0, 2.0]], [[1.0, 2.0]]) == 0.0  # a point to itself: 0, not a rounding residue
    a, b = np.random.default_rng(0).normal(size=(300, 2)), np.random.default_rng(1).normal(size=(200, 2)) + 0.5
    pairwise = np.linalg.norm(a[:, None, :] - b[None, :, :], axis=2)
    expected = (pairwise.min(axis=1).mean() + pairwise.min(axis=0).mean()) / 2
    assert measures.set_distance(a, b) == pytest.approx(expected, rel=1e-12)
    with pytest.raises(ValueError, match=r"as many columns, got shapes \(1, 3\) and \(1, 2\)"):
        measures.set_distance(np.zeros((1, 3)), np.zeros((1, 2)))


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


def test_activation_gradient_norms_of_tiny_gradients_are_not_zero():
    import keras

    from clipedu.measures import activation_gradient_norms
    # A linear critic D(x) = 1e-25 · x0 (one hidden linear layer of weight 1): the loss's gradient at the
    # hidden layer's output is 1e-25 / n per sample, whose square underflows float32.
    critic = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, use_bias=False),
                               keras.layers.Dense(1, use_bias=False)])
    critic.layers[0].set_weights([np.ones((1, 1))])
    critic.layers[1].set_weights([np.full((1, 1), 1e-25)])
    norms = activation_gradient_norms(critic, np.ones((4, 1), "float32"), np.zeros((4, 1), "float32"))
    # Each of the 8 samples gets ±1e-25 / 4 at the hidden layer: norm sqrt(8) · 2.5e-26.
    assert norms[0] == pytest.approx(np.sqrt(8) * 2.5e-26, rel=1e-5)
    assert norms[1] == pytest.approx(np.sqrt(8) / 4, rel=1e-5)


def test_growth_per_layer_is_the_geometric_mean_ratio_over_the_hidden_layers():
    from clipedu.measures import growth_per_layer
    # Three hidden layers 8, 2, 0.5 and an output 7: back through two hidden layers by 4 each.
    assert growth_per_layer([8.0, 2.0, 0.5, 7.0]) == pytest.approx(4.0)
    assert growth_per_layer([0.01, 0.1, 1.0, 3.0]) == pytest.approx(0.1)
    assert growth_per_layer([0.0, 1e-3, 1.0, 1.0]) == 0.0
    with pytest.raises(ValueError, match="norms"):
        growth_per_layer([1.0, 0.0, 1.0])
    with pytest.raises(ValueError, match="norms"):
        growth_per_layer([1.0, 1.0])


def test_peak_prominences_by_hand():
    from clipedu.measures import peak_prominences
    # Two equal rows 0, 3, 1, 2, 0: a plateau of two 3s (one maximum) and a 2 whose way to the 3 descends
    # to 1. The 3's prominence is the range, 3 - 0; the 2's is 2 - 1.
    rows, columns, prominences = peak_prominences([[0, 3, 1, 2, 0], [0, 3, 1, 2, 0]])
    assert rows.tolist() == [0, 0] and columns.tolist() == [1, 3]
    np.testing.assert_allclose(prominences, [3.0, 1.0])
    # Shifted and scaled by a positive factor: the same maxima, prominences scaled.
    _, _, scaled = peak_prominences(5 * np.array([[0, 3, 1, 2, 0], [0, 3, 1, 2, 0]]) + 7)
    np.testing.assert_allclose(scaled, [15.0, 5.0])
    # A maximum on the border counts: a plane rising to one corner has one maximum, there.
    x, y = np.meshgrid(np.arange(4.0), np.arange(3.0))
    rows, columns, prominences = peak_prominences(x + y)
    assert (rows.tolist(), columns.tolist()) == ([2], [3]) and prominences[0] == pytest.approx(5.0)
    for bad in (np.zeros((1, 5)), np.zeros(4), [[0.0, np.inf], [0.0, 0.0]]):
        with pytest.raises(ValueError, match="values must be a finite 2-D grid"):
            peak_prominences(bad)


def _two_cones(axis):
    """The larger of two cones of slope 1: height 1 at (-0.5, 0) and 0.8 at (0.5, 0). On the segment
    between them they meet 0.6 from the first, at height 0.4, so the lower peak's prominence is
    0.8 - 0.4 = 0.4; the lowest grid points, the corners (1, ±1), are at 0.8 - sqrt(1.25) = -0.318, so
    the range is 1.318 and the lower peak's prominence is 0.30 of it."""
    x, y = np.meshgrid(axis, axis)
    return np.maximum(1 - np.hypot(x + 0.5, y), 0.8 - np.hypot(x - 0.5, y))


def test_marked_modes_by_hand():
    from clipedu.measures import marked_modes
    axis = np.linspace(-1, 1, 21)  # steps of 0.1: both apexes and the meeting point are grid points
    values = _two_cones(axis)
    centres = [[-0.5, 0.0], [0.5, 0.0], [0.0, 0.8]]  # the third mode has no peak near it
    both = marked_modes(axis, values, centres, radius=0.05, prominence=0.25)
    assert (both["marked"], both["on_modes"], both["peaks"]) == (2, 2, 2)
    np.testing.assert_allclose(both["positions"], [[-0.5, 0.0], [0.5, 0.0]], atol=1e-12)  # highest first
    one = marked_modes(axis, values, centres, radius=0.05, prominence=0.35)
    assert (one["marked"], one["on_modes"], one["peaks"]) == (1, 1, 1)
    # The distance counts: a centre 0.15 from the lower apex is marked within 0.2, not within 0.1.
    assert marked_modes(axis, values, [[0.5, 0.15]], radius=0.2, prominence=0.25)["marked"] == 1
    assert marked_modes(axis, values, [[0.5, 0.15]], radius=0.1, prominence=0.25)["marked"] == 0
    # Against the range, the count does not depend on the critic's scale.
    assert marked_modes(axis, 1e-6 * values - 3, centres, radius=0.05, prominence=0.25)["marked"] == 2
    # A finer grid of the same surface finds the same.
    fine = np.linspace(-1, 1, 41)
    assert marked_modes(fine, _two_cones(fine), centres, radius=0.05, prominence=0.25)["marked"] == 2


@pytest.mark.parametrize("kwargs, error, match", [
    ({"axis": np.linspace(1, -1, 21)}, ValueError, "axis must be at least two finite, increasing numbers"),
    ({"values": np.zeros((21, 20))}, ValueError, r"values must have shape \(21, 21\)"),
    ({"values": np.ones((21, 21))}, ValueError, "values must be finite and not all equal"),
    ({"centres": [[0.0, 0.0, 0.0]]}, ValueError, r"centres must be points in the plane, shape \(k, 2\)"),
    ({"radius": 0}, ValueError, "radius must be a positive finite number, got 0"),
    ({"prominence": 1.5}, ValueError, r"prominence must be a fraction of the range, in \(0, 1\], got 1.5"),
    ({"prominence": "0.1"}, TypeError, "prominence must be a positive finite number"),
])
def test_marked_modes_rejects_bad_arguments(kwargs, error, match):
    from clipedu.measures import marked_modes
    axis = np.linspace(-1, 1, 21)
    arguments = {"axis": axis, "values": _two_cones(axis), "centres": [[0.5, 0.0]], "radius": 0.1,
                 "prominence": 0.1, **kwargs}
    with pytest.raises(error, match=match):
        marked_modes(arguments.pop("axis"), arguments.pop("values"), arguments.pop("centres"), **arguments)


def test_active_units_counts_units_on_for_some_input():
    import keras

    from clipedu.measures import active_units
    critic = keras.Sequential([keras.Input((1,)), keras.layers.Dense(3, activation="relu"), keras.layers.Dense(1)])
    critic.layers[0].set_weights([np.array([[1.0, -1.0, 0.0]]), np.array([0.0, 0.0, -1.0])])
    # x = 2: unit 1 on; x = -1: unit 2 on; unit 3 is never on.
    assert active_units(critic, np.array([[2.0], [-1.0]])) == [2]
    assert active_units(critic, np.array([[2.0]])) == [1]


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
