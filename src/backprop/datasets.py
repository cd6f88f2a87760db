"""Small data sets, all made or loaded offline, each reproducible from a seed.

Every generator returns ``(X, y)``: ``X`` float64 ``(M, 2)`` points and ``y`` int ``(M,)``
class labels ``0..k-1``. Use :func:`backprop.network.one_hot` or a softmax network's integer
label support for training. Only :func:`digits` needs an optional package (scikit-learn,
the ``data`` extra).
"""

from __future__ import annotations

import numpy as np

from . import _validate


def _rng(seed):
    return np.random.default_rng(_validate.seed("seed", seed))


def _noise(name, noise):
    return _validate.nonnegative_float(name, noise)


def _n(n):
    return _validate.positive_int("n", n, _validate.MAX_SAMPLES)


def two_moons(n: int = 200, noise: float = 0.1, seed: int = 0):
    """Two interleaving half circles; ``n`` points split evenly between the two classes."""
    n = _n(n)
    rng, noise = _rng(seed), _noise("noise", noise)
    n0 = n // 2
    t0 = np.linspace(0, np.pi, n0)
    t1 = np.linspace(0, np.pi, n - n0)
    X = np.concatenate([np.c_[np.cos(t0), np.sin(t0)], np.c_[1 - np.cos(t1), 0.5 - np.sin(t1)]])
    y = np.r_[np.zeros(n0, int), np.ones(n - n0, int)]
    X += noise * rng.standard_normal(X.shape)
    perm = rng.permutation(n)
    return X[perm], y[perm]


def circles(n: int = 200, noise: float = 0.05, factor: float = 0.5, seed: int = 0):
    """A circle of radius ``factor`` (class 1) inside one of radius 1 (class 0)."""
    n = _n(n)
    factor = _validate.real("factor", factor, 0.0, 1.0, low_open=True, high_open=True)
    rng, noise = _rng(seed), _noise("noise", noise)
    n0 = n // 2
    t0 = rng.uniform(0, 2 * np.pi, n0)
    t1 = rng.uniform(0, 2 * np.pi, n - n0)
    X = np.concatenate([np.c_[np.cos(t0), np.sin(t0)], factor * np.c_[np.cos(t1), np.sin(t1)]])
    y = np.r_[np.zeros(n0, int), np.ones(n - n0, int)]
    X += noise * rng.standard_normal(X.shape)
    perm = rng.permutation(n)
    return X[perm], y[perm]


def spirals(n: int = 300, classes: int = 2, noise: float = 0.1, turns: float = 1.5, seed: int = 0):
    """``classes`` interleaved spiral arms, ``n`` points in all, radius up to 1."""
    n = _n(n)
    classes = _validate.positive_int("classes", classes, n)
    turns = _validate.real("turns", turns)
    rng, noise = _rng(seed), _noise("noise", noise)
    counts = [n // classes + (1 if k < n % classes else 0) for k in range(classes)]
    Xs, ys = [], []
    for k, m in enumerate(counts):
        r = np.linspace(0.05, 1.0, m)
        t = 2 * np.pi * turns * r + 2 * np.pi * k / classes
        t = t + noise * rng.standard_normal(m)
        Xs.append(np.c_[r * np.cos(t), r * np.sin(t)])
        ys.append(np.full(m, k))
    X, y = np.concatenate(Xs), np.concatenate(ys)
    perm = rng.permutation(n)
    return X[perm], y[perm]


def xor(n: int | None = None, noise: float = 0.0, seed: int = 0):
    """The XOR problem: with ``n=None`` the four corners of the unit square, label
    ``x1 XOR x2``; with ``n`` points drawn uniformly in ``[-1, 1]^2``, label
    ``(x1 > 0) XOR (x2 > 0)`` (plus optional Gaussian ``noise`` on the points). The corners
    are exact: ``noise`` must then be 0."""
    rng, noise = _rng(seed), _noise("noise", noise)
    if n is None:
        if noise:
            raise ValueError(
                f"noise must be 0 when n is None (the four exact corners), got {noise}"
            )
        X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
        return X, np.array([0, 1, 1, 0])
    n = _n(n)
    X = rng.uniform(-1, 1, size=(n, 2))
    y = ((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(int)
    return X + noise * rng.standard_normal(X.shape), y


def train_test_split(X, y, test_fraction: float = 0.25, seed: int = 0):
    """Shuffle with ``seed`` and split: returns ``X_train, X_test, y_train, y_test``.

    Both parts get at least one row: ``max(1, round(test_fraction * M))`` rows go to the test
    set, and a split that would leave the training set empty is refused.
    """
    test_fraction = _validate.real("test_fraction", test_fraction, 0, 1, True, True)
    X, y = _validate.real_array("X", X), _validate.real_array("y", y)
    if X.ndim == 0 or y.ndim == 0 or X.shape[0] != y.shape[0]:
        raise ValueError(f"y must have one entry per row of X {X.shape}, got shape {y.shape}")
    rng = _rng(seed)
    n_test = max(1, int(round(test_fraction * X.shape[0])))
    if n_test >= X.shape[0]:
        raise ValueError(
            f"test_fraction must leave at least one training row, got {test_fraction} of "
            f"{X.shape[0]} rows: {n_test} test rows and no training row"
        )
    perm = rng.permutation(X.shape[0])
    test, train = perm[:n_test], perm[n_test:]
    return X[train], X[test], y[train], y[test]


def digits(test_fraction: float = 0.25, seed: int = 0):
    """scikit-learn's bundled 8x8 handwritten digits (1,797 images), offline.

    Pixels are scaled from 0..16 to 0..1. Returns ``X_train, X_test, y_train, y_test`` with
    ``X`` ``(M, 64)`` float64 and ``y`` int labels 0..9, split by :func:`train_test_split`.

    Needs scikit-learn: ``pip install "backprop-book[data]"``.
    """
    from sklearn.datasets import load_digits  # bundled with scikit-learn, no download

    data = load_digits()
    return train_test_split(data.data / 16.0, data.target.astype(int), test_fraction, seed)


DATASETS = {"moons": two_moons, "circles": circles, "spirals": spirals, "xor": xor}
