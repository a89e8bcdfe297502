import numpy as np
import pytest

from clipedu import datasets

ALL = [datasets.eight_gaussians, datasets.twenty_five_gaussians, datasets.swiss_roll]


@pytest.mark.parametrize("make", ALL)
def test_shape_dtype_and_seed(make):
    a = make(500, seed=3)
    assert a.shape == (500, 2) and a.dtype == np.float32
    np.testing.assert_array_equal(a, make(500, seed=3))
    assert not np.array_equal(a, make(500, seed=4))


def test_eight_gaussians_sit_on_a_circle_of_radius_2_over_1_414():
    points = datasets.eight_gaussians(4000, seed=0)
    radius = np.linalg.norm(points, axis=1) * 1.414
    assert np.all(np.abs(radius - 2.0) < 0.12)  # 6 std of 0.02 on each axis
    angles = np.round(np.degrees(np.arctan2(points[:, 1], points[:, 0])) / 45) % 8
    counts = np.bincount(angles.astype(int), minlength=8)
    assert counts.min() > 400  # all 8 modes, about equally often


def test_twenty_five_gaussians_sit_on_the_grid():
    points = datasets.twenty_five_gaussians(5000, seed=0) * 2.828
    nearest = np.round(points / 2) * 2
    assert np.all(np.abs(points - nearest) < 0.3)
    assert len({tuple(p) for p in nearest}) == 25
    assert np.max(np.abs(nearest)) == 4


def test_swiss_roll_radius_grows_with_the_angle():
    points = datasets.swiss_roll(3000, seed=0) * 7.5
    radius = np.linalg.norm(points, axis=1)
    # t in [1.5π, 4.5π] and the radius of the noiseless roll is t; noise is 0.25 per axis.
    assert radius.min() > 1.5 * np.pi - 1.2 and radius.max() < 4.5 * np.pi + 1.2
    assert abs(points.std() - 7.5) < 1.5  # the reference divides by 7.5, "stdev plus a little"


@pytest.mark.parametrize("make", ALL)
def test_invalid_arguments(make):
    with pytest.raises(ValueError, match="n must be.*0"):
        make(0)
    with pytest.raises(TypeError, match="n must be.*2.5"):
        make(2.5)
    with pytest.raises(TypeError, match="seed must be.*'a'"):
        make(10, seed="a")
    with pytest.raises(ValueError, match="seed must be.*-1"):
        make(10, seed=-1)


def test_mode_centres_by_hand_and_every_sample_near_one():
    eight = datasets.mode_centres("eight_gaussians")
    np.testing.assert_allclose(eight[[0, 2]], [[2 / 1.414, 0], [0, 2 / 1.414]], atol=1e-12)
    grid = datasets.mode_centres("twenty_five_gaussians")
    assert grid.shape == (25, 2) and grid.min() == pytest.approx(-4 / 2.828) and grid.max() == pytest.approx(4 / 2.828)
    for name, make, std in [("eight_gaussians", datasets.eight_gaussians, 0.02 / 1.414),
                            ("twenty_five_gaussians", datasets.twenty_five_gaussians, 0.05 / 2.828)]:
        points = make(2000, seed=1)
        nearest = np.linalg.norm(points[:, None] - datasets.mode_centres(name)[None], axis=2).min(axis=1)
        assert nearest.max() < 6 * std
    with pytest.raises(ValueError, match="name must be one of .*got 'swiss_roll'"):
        datasets.mode_centres("swiss_roll")


def test_adding_problem_marks_one_step_in_each_half_and_sums_the_marked_numbers():
    x, y = datasets.adding_problem(500, length=10, seed=3)
    assert x.shape == (500, 10, 2) and y.shape == (500, 1) and x.dtype == y.dtype == np.float32
    markers = x[:, :, 1]
    assert np.all(markers.sum(axis=1) == 2)
    assert np.all(markers[:, :5].sum(axis=1) == 1) and np.all(markers[:, 5:].sum(axis=1) == 1)
    first, second = np.argmax(markers[:, :5], axis=1), 5 + np.argmax(markers[:, 5:], axis=1)
    rows = np.arange(500)
    np.testing.assert_allclose(y[:, 0], x[rows, first, 0] + x[rows, second, 0], rtol=1e-6)
    assert np.all((x[:, :, 0] >= 0) & (x[:, :, 0] <= 1))
    # every position of each half is marked sometimes: the first marker is not always early
    assert set(first) == set(range(5)) and set(second) == set(range(5, 10))
    # answering 1 gives the variance of a sum of two uniform numbers, 1/6
    assert abs(np.mean((y - 1) ** 2) - 1 / 6) < 0.02
    again, _ = datasets.adding_problem(500, length=10, seed=3)
    np.testing.assert_array_equal(x, again)


@pytest.mark.parametrize("n, length, error", [(0, 20, ValueError), (10, 1, ValueError), (10, 2.5, ValueError),
                                              (10, True, ValueError), ("10", 20, TypeError)])
def test_adding_problem_rejects_bad_arguments(n, length, error):
    with pytest.raises(error, match="n must|length must"):
        datasets.adding_problem(n, length=length)


def test_second_only_loss_answers_half_plus_the_second_marked_number():
    x = np.zeros((2, 4, 2), np.float32)
    x[0, :, 0], x[0, [0, 3], 1] = [0.2, 0.9, 0.4, 0.7], 1  # marked: 0.2 and 0.7
    x[1, :, 0], x[1, [1, 2], 1] = [0.5, 0.6, 0.1, 0.3], 1  # marked: 0.6 and 0.1
    y = np.array([[0.9], [0.7]], np.float32)
    # answers 0.5 + 0.7 = 1.2 and 0.5 + 0.1 = 0.6: errors 0.3 and 0.1
    assert datasets.second_only_loss(x, y) == pytest.approx((0.3 ** 2 + 0.1 ** 2) / 2, rel=1e-6)
    big_x, big_y = datasets.adding_problem(20000, length=10, seed=1)
    assert datasets.second_only_loss(big_x, big_y) == pytest.approx(1 / 12, rel=0.05)


def test_second_only_loss_names_bad_arguments():
    x, y = datasets.adding_problem(3, length=6, seed=0)
    with pytest.raises(ValueError, match=r"x must be \(n, length, 2\) and y \(n, 1\) with n > 0, got x \(3, 6\)"):
        datasets.second_only_loss(x[:, :, 0], y)
    x[0, :, 1] = 0
    with pytest.raises(ValueError, match="exactly two steps"):
        datasets.second_only_loss(x, y)
