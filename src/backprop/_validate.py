"""Input checks shared by the package: every failure names what was expected and what came."""

from __future__ import annotations

import numbers

import numpy as np


def as_2d_float(name: str, X, dtype) -> np.ndarray:
    """Return ``X`` as a C-contiguous ``(M, n)`` array of ``dtype``; reject anything else.

    Raises ``TypeError`` for non-numeric input and ``ValueError`` for a wrong number of
    dimensions, an empty array or non-finite entries.
    """
    try:
        arr = np.asarray(X)
    except Exception as exc:  # pragma: no cover - numpy raises many kinds
        raise TypeError(f"{name} must be array-like of numbers, got {type(X).__name__}") from exc
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)
    ):
        raise TypeError(f"{name} must hold numbers, got an array of dtype {arr.dtype}")
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D with shape (M, n) (one row per sample), got shape {arr.shape}"
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty: expected at least one row, got shape {arr.shape}")
    arr = np.ascontiguousarray(arr, dtype=dtype)
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name} must be finite, but {bad} entries are NaN or infinite")
    return arr


def positive_int(name: str, value) -> int:
    """Return ``value`` as an int if it is a whole number >= 1."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer (>= 1), got {value}")
    return int(value)


def positive_float(name: str, value) -> float:
    """Return ``value`` as a float if it is a finite number > 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a positive number, got {value!r}")
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value}")
    return value


def nonnegative_float(name: str, value, upper: float | None = None) -> float:
    """Return ``value`` as a float in ``[0, upper)`` (or ``[0, inf)``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number >= 0, got {value!r}")
    value = float(value)
    if not np.isfinite(value) or value < 0 or (upper is not None and value >= upper):
        rng = f"[0, {upper:g})" if upper is not None else "[0, inf)"
        raise ValueError(f"{name} must lie in {rng}, got {value}")
    return value


def choice(name: str, value, options) -> str:
    """Return ``value`` if it is one of ``options``; otherwise list the options."""
    if value not in options:
        raise ValueError(f"unknown {name} {value!r}: expected one of {sorted(options)}")
    return value
