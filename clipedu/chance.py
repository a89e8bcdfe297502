"""Exact small-sample arithmetic for counts over seeds: how often chance alone gives a count.

The notebooks count seeds (runs that covered the modes, drifted off, moved one way), five to fifteen at a time;
these functions say how surprising such counts are, exactly, with no approximation for large samples.
"""

import numbers
from math import comb


def _count(name, value, low=0, high=None):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    if value < low or (high is not None and value > high):
        raise ValueError(f"{name} must be between {low} and {high}, got {value!r}")
    return int(value)


def _probability(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value <= 1:
        raise ValueError(f"{name} must be a probability in [0, 1], got {value!r}")
    return float(value)


def at_least(k, n, p):
    """The probability that ``k`` or more of ``n`` independent tries succeed, each with probability ``p``."""
    n = _count("n", n)
    k, p = _count("k", k, 0, n), _probability("p", p)
    return sum(comb(n, j) * p**j * (1 - p) ** (n - j) for j in range(k, n + 1))


def fisher_exact(a, b, n):
    """Fisher's exact test, two-sided, for ``a`` and ``b`` successes in two sets of ``n`` tries: the chance of the
    tables with the same total no likelier than this one."""
    n = _count("n", n, 1)
    a, b = _count("a", a, 0, n), _count("b", b, 0, n)
    tables = [comb(n, k) * comb(n, a + b - k) / comb(2 * n, a + b) for k in range(max(0, a + b - n), min(n, a + b) + 1)]
    return sum(p for p in tables if p <= comb(n, a) * comb(n, b) / comb(2 * n, a + b) * (1 + 1e-9))


def sign_test(one_way, other_way):
    """The exact sign test, two-sided (McNemar's exact test for paired tries): of the pairs that differ,
    ``one_way`` went one way and ``other_way`` the other; the chance of a split at least this uneven if each pair
    were as likely to go either way."""
    one_way, other_way = _count("one_way", one_way), _count("other_way", other_way)
    n = one_way + other_way
    return min(1.0, 2 * sum(comb(n, j) for j in range(min(one_way, other_way) + 1)) / 2**n)


def clopper_pearson(k, n):
    """Clopper and Pearson's 95 % interval for a success probability from ``k`` successes in ``n`` tries: the
    probabilities under which ``k`` or more, and ``k`` or fewer, successes each have a chance of at least 2.5 %."""
    n = _count("n", n, 1)
    k = _count("k", k, 0, n)

    def where(f):  # the p at which the increasing function f crosses 0, by halving
        low, high = 0.0, 1.0
        for _ in range(60):
            low, high = ((low + high) / 2, high) if f((low + high) / 2) < 0 else (low, (low + high) / 2)
        return low

    return (0.0 if k == 0 else where(lambda p: at_least(k, n, p) - 0.025),
            1.0 if k == n else where(lambda p: at_least(k + 1, n, p) - 0.975))
