"""Argument checks shared by the public functions: each error names the argument and the value."""

import math
import numbers


def positive_finite(name, value):
    """Returns ``value`` as a float if it is a real number in (0, inf); raises otherwise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a positive finite number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return value


def positive_int(name, value):
    """Returns ``value`` if it is an integer ≥ 1; raises otherwise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer, got {value!r} ({type(value).__name__})")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def seed(value):
    """Returns ``value`` if it is None or a non-negative integer; raises otherwise."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"seed must be None or a non-negative integer, got {value!r} ({type(value).__name__})")
    if value < 0:
        raise ValueError(f"seed must be None or a non-negative integer, got {value!r}")
    return int(value)


def finite(name, value):
    """Returns ``value`` as a float if it is a finite real number; raises otherwise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a finite number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return value


def non_negative_finite(name, value):
    """Returns ``value`` as a float if it is a real number in [0, inf); raises otherwise."""
    value = finite(name, value)
    if value < 0:
        raise ValueError(f"{name} must be a non-negative finite number, got {value!r}")
    return value
