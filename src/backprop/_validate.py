"""Input checks shared by the whole package, run before any work or allocation.

Every message has the same three parts: the argument's name, what was expected, and what came,
e.g. ``learning_rate must be a finite number in (0, inf), got nan``. A wrong kind of value
(a string, a complex number, an array of text) raises ``TypeError``; a value of the right kind
that is out of range raises ``ValueError``.

Limits, checked before anything is allocated (documented in the README and the API appendix):

* :data:`MAX_LAYER_SIZE` neurons in one layer, :data:`MAX_PARAMETERS` weights and biases in one
  network (400 MB in float64), :data:`MAX_SAMPLES` points from one data-set generator.
"""

from __future__ import annotations

import numbers

import numpy as np

#: Most neurons in one layer.
MAX_LAYER_SIZE = 100_000
#: Most weights and biases in one network (400 MB in float64).
MAX_PARAMETERS = 50_000_000
#: Most points one data-set generator makes.
MAX_SAMPLES = 10_000_000


def got(value) -> str:
    """A short description of ``value`` for an error message."""
    if isinstance(value, np.ndarray):
        return f"an array of dtype {value.dtype} and shape {value.shape}"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _interval(low, high, low_open, high_open) -> str:
    left = "(" if low_open or low == -np.inf else "["
    right = ")" if high_open or high == np.inf else "]"
    lo = "-inf" if low == -np.inf else f"{low:g}"
    hi = "inf" if high == np.inf else f"{high:g}"
    return f"{left}{lo}, {hi}{right}"


def integer(name: str, value, low=None, high=None) -> int:
    """``value`` as an ``int`` if it is a whole number (not a bool) in ``[low, high]``."""
    span = ""
    if low is not None or high is not None:
        lo = "-inf" if low is None else str(low)
        hi = "inf" if high is None else str(high)
        span = f" in [{lo}, {hi}]"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer{span}, got {got(value)}")
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{name} must be an integer{span}, got {value}")
    return value


def positive_int(name: str, value, upper: int | None = None) -> int:
    """``value`` as an ``int`` if it is a whole number >= 1 (and <= ``upper``)."""
    return integer(name, value, 1, upper)


def seed(name: str, value) -> int:
    """A seed for ``np.random.default_rng``: an integer >= 0."""
    return integer(name, value, 0)


def real(name: str, value, low=-np.inf, high=np.inf, low_open=False, high_open=False) -> float:
    """``value`` as a ``float`` if it is a finite real number in the given interval."""
    span = _interval(low, high, low_open, high_open)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a finite number in {span}, got {got(value)}")
    value = float(value)
    inside = (value > low if low_open else value >= low) and (
        value < high if high_open else value <= high
    )
    if not np.isfinite(value) or not inside:
        raise ValueError(f"{name} must be a finite number in {span}, got {value!r}")
    return value


def positive_float(name: str, value) -> float:
    """A finite number > 0."""
    return real(name, value, 0.0, np.inf, low_open=True)


def nonnegative_float(name: str, value, upper: float | None = None) -> float:
    """A finite number in ``[0, upper)`` (or ``[0, inf)``)."""
    return real(name, value, 0.0, np.inf if upper is None else upper, high_open=upper is not None)


def choice(name: str, value, options):
    """``value`` if it is one of ``options``; otherwise an error listing them."""
    try:
        ok = isinstance(value, str) and value in options
    except TypeError:  # pragma: no cover - options are tuples, sets or dicts of str
        ok = False
    if not ok:
        kind = ValueError if isinstance(value, str) else TypeError
        raise kind(f"{name} must be one of {sorted(options)}, got {got(value)}")
    return value


def real_array(name: str, X, expected: str = "an array of real numbers") -> np.ndarray:
    """``X`` as an array of real numbers (ints, floats or bools), or a ``TypeError``.

    Complex arrays are refused (their imaginary part would be dropped silently), and so are
    text, objects and ragged nested lists. ``expected`` words the expectation in the message.
    """
    if isinstance(X, (str, bytes)):
        raise TypeError(f"{name} must be {expected}, got {got(X)}")
    try:
        arr = np.asarray(X)
    except (ValueError, TypeError) as exc:
        raise TypeError(f"{name} must be {expected}, got {got(X)} ({exc})") from exc
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise TypeError(
            f"{name} must be {expected}, got an array of dtype {arr.dtype} "
            "(complex values are refused: the imaginary part would be dropped)"
        )
    if not (np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)):
        raise TypeError(f"{name} must be {expected}, got {got(arr)}")
    return arr


def finite(name: str, arr: np.ndarray) -> np.ndarray:
    """``arr`` if every entry is finite, else a ``ValueError`` counting the bad ones."""
    ok = np.isfinite(arr)
    if not ok.all():
        bad = int(arr.size - np.count_nonzero(ok))
        raise ValueError(f"{name} must be finite, got {bad} NaN or infinite entries")
    return arr


def as_2d_float(name: str, X, dtype, columns: int | None = None) -> np.ndarray:
    """``X`` as a C-contiguous, finite ``(M, n)`` array of ``dtype`` with M >= 1.

    ``columns``: the required ``n``, if any.
    """
    arr = real_array(name, X)
    want = f"(M, {columns})" if columns is not None else "(M, n)"
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D of shape {want}, one row per sample, got {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} must have at least one row (shape {want}), got {arr.shape}")
    if columns is not None and arr.shape[1] != columns:
        raise ValueError(f"{name} must have shape {want}, got {arr.shape}")
    return finite(name, np.ascontiguousarray(arr, dtype=dtype))


def labels(name: str, y, n_classes: int, rows: int | None = None) -> np.ndarray:
    """``y`` as a 1-D array of integer class labels in ``0..n_classes-1`` (``rows`` of them)."""
    arr = real_array(name, y, f"integer class labels in 0..{n_classes - 1}")
    if arr.ndim != 1 or (rows is not None and arr.shape[0] != rows):
        want = f"({rows},)" if rows is not None else "(M,)"
        raise ValueError(f"{name} must be integer labels of shape {want}, got shape {arr.shape}")
    if not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(
            f"{name} must be integer class labels in 0..{n_classes - 1}, got dtype {arr.dtype}"
        )
    if arr.size and (arr.min() < 0 or arr.max() >= n_classes):
        raise ValueError(
            f"{name} must be integer class labels in 0..{n_classes - 1}, got values from "
            f"{arr.min()} to {arr.max()}"
        )
    return arr


def layer_sizes(name: str, sizes, max_parameters: int = MAX_PARAMETERS) -> tuple:
    """``sizes`` as a tuple of at least two layer sizes, each in ``1..MAX_LAYER_SIZE``, whose
    network has at most ``max_parameters`` weights and biases (checked before allocating)."""
    if isinstance(sizes, (str, bytes, dict)) or not hasattr(sizes, "__len__"):
        raise TypeError(f"{name} must be a list of layer sizes [n0, ..., nL], got {got(sizes)}")
    if isinstance(sizes, np.ndarray) and sizes.ndim != 1:
        raise ValueError(f"{name} must be a flat list [n0, ..., nL], got shape {sizes.shape}")
    if len(sizes) < 2:
        raise ValueError(
            f"{name} must hold at least an input and an output size, got {got(list(sizes))}"
        )
    out = tuple(
        integer(f"{name}[{i}] (a layer size)", n, 1, MAX_LAYER_SIZE) for i, n in enumerate(sizes)
    )
    count = sum(m * n + n for m, n in zip(out[:-1], out[1:]))
    if count > max_parameters:
        raise ValueError(
            f"{name} must describe a network of at most {max_parameters:,} weights and biases, "
            f"got {list(out)} with {count:,}"
        )
    return out


def callable_or_none(name: str, value):
    """``value`` if it is ``None`` or callable."""
    if value is not None and not callable(value):
        raise TypeError(f"{name} must be callable or None, got {got(value)}")
    return value
