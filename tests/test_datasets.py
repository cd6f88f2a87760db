"""The bundled data sets: shapes, labels, reproducibility, offline digits."""

import numpy as np
import pytest

from backprop import datasets


@pytest.mark.parametrize("name", sorted(datasets.DATASETS))
def test_generators_are_seeded_and_well_formed(name):
    make = datasets.DATASETS[name]
    X1, y1 = make(n=60, seed=4)
    X2, y2 = make(n=60, seed=4)
    assert X1.shape == (60, 2) and y1.shape == (60,)
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    assert set(np.unique(y1)) == {0, 1}
    assert not np.array_equal(X1, make(n=60, seed=5)[0])


def test_xor_corners():
    X, y = datasets.xor()
    assert X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]] and y.tolist() == [0, 1, 1, 0]


def test_xor_sampled_points_are_labelled_by_quadrant():
    X, y = datasets.xor(n=200, seed=1)
    positive = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0).astype(int)  # 0, 1 or 2 coordinates
    assert set(y[positive == 1]) == {1} and set(y[positive != 1]) == {0}


def test_spirals_multiclass():
    X, y = datasets.spirals(n=90, classes=3)
    assert np.bincount(y).tolist() == [30, 30, 30]


def test_digits_split_offline():
    X_tr, X_te, y_tr, y_te = datasets.digits(test_fraction=0.25, seed=0)
    assert X_tr.shape[1] == 64 and X_tr.shape[0] + X_te.shape[0] == 1797
    assert 0.0 <= X_tr.min() and X_tr.max() <= 1.0
    assert set(np.unique(y_tr)) == set(range(10))
    again = datasets.digits(test_fraction=0.25, seed=0)
    assert np.array_equal(again[1], X_te)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: datasets.two_moons(n=0), r"n must be an integer in \[1, 10000000\], got 0"),
        (lambda: datasets.circles(noise=-1), r"noise must be a finite .* \[0, inf\), got -1"),
        (lambda: datasets.circles(factor=1.5), r"factor must be a finite .* \(0, 1\), got 1.5"),
        (
            lambda: datasets.train_test_split(np.ones((3, 2)), np.ones(4)),
            r"y must have one entry per row of X \(3, 2\), got shape \(4,\)",
        ),
    ],
)
def test_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()
