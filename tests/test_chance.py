"""clipedu.chance against values worked by hand or known from the literature, and its argument checks."""

import pytest

from clipedu.chance import at_least, clopper_pearson, fisher_exact, sign_test


def test_at_least_is_the_binomial_tail():
    assert at_least(0, 5, 0.3) == pytest.approx(1.0)
    assert at_least(5, 5, 0.5) == pytest.approx(1 / 32)
    assert at_least(3, 5, 0.5) == pytest.approx(16 / 32)  # 10 + 5 + 1 of 32 outcomes


def test_fisher_exact_on_tables_worked_by_hand():
    # Fisher's tea tasting: all 4 of 4 against 0 of 4; of the 70 tables with 4 successes, 2 are this extreme.
    assert fisher_exact(4, 0, 4) == pytest.approx(2 / 70)
    # 0 of 5 against 2 of 5: the tables (0, 2), (2, 0) are 10/45 each, (1, 1) is 25/45 and likelier.
    assert fisher_exact(0, 2, 5) == pytest.approx(20 / 45)
    assert fisher_exact(3, 3, 10) == pytest.approx(1.0)


def test_sign_test_counts_the_splits_at_least_as_uneven():
    assert sign_test(6, 0) == pytest.approx(2 / 64)
    assert sign_test(0, 5) == pytest.approx(2 / 32)
    assert sign_test(4, 1) == pytest.approx(2 * 6 / 32)
    assert sign_test(1, 2) == 1.0
    assert sign_test(0, 0) == 1.0


def test_clopper_pearson_puts_each_tail_at_two_and_a_half_per_cent():
    low, high = clopper_pearson(7, 15)
    assert at_least(7, 15, low) == pytest.approx(0.025, abs=1e-9)
    assert 1 - at_least(8, 15, high) == pytest.approx(0.025, abs=1e-9)
    assert (round(low, 2), round(high, 2)) == (0.21, 0.73)
    assert clopper_pearson(0, 10)[0] == 0.0 and clopper_pearson(10, 10)[1] == 1.0
    assert clopper_pearson(0, 10)[1] == pytest.approx(1 - 0.025 ** (1 / 10), abs=1e-9)  # 0.975 = (1 - p)^10


@pytest.mark.parametrize("call, name", [
    (lambda: at_least(6, 5, 0.5), "k"), (lambda: at_least(1, 5, 1.5), "p"), (lambda: fisher_exact(1, 2, 0), "n"),
    (lambda: fisher_exact(-1, 2, 5), "a"), (lambda: fisher_exact(1, 6, 5), "b"), (lambda: sign_test(-1, 2), "one_way"),
    (lambda: clopper_pearson(11, 10), "k")])
def test_bad_counts_are_refused_by_name(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_a_count_that_is_not_an_integer_is_refused():
    with pytest.raises(TypeError, match="other_way"):
        sign_test(1, 2.5)
