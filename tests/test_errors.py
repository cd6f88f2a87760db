"""Bad input gets a ValueError/TypeError that names what was expected and what came."""

import numpy as np
import pytest

import backprop


@pytest.fixture
def net():
    return backprop.Network([3, 4, 2], hidden="tanh", output="sigmoid", loss="mse")


@pytest.fixture
def clf():
    return backprop.Network([3, 4, 3], output="softmax", loss="cross_entropy")


X = np.ones((5, 3))
Y = np.zeros((5, 2))


def test_x_with_wrong_number_of_columns(net):
    with pytest.raises(ValueError, match=r"X has 4 columns .* n0 = 3 .* \(M, 3\), got \(5, 4\)"):
        net.predict(np.ones((5, 4)))


def test_x_one_dimensional(net):
    with pytest.raises(ValueError, match=r"X must be 2-D .* got shape \(3,\)"):
        net.predict(np.ones(3))


def test_y_with_wrong_number_of_rows(net):
    with pytest.raises(ValueError, match=r"Y must have shape \(5, 2\) .* got \(4, 2\)"):
        net.loss(X, np.zeros((4, 2)))


def test_y_with_wrong_number_of_columns(net):
    with pytest.raises(ValueError, match=r"Y must have shape \(5, 2\) .* got \(5, 3\)"):
        net.gradients(X, np.zeros((5, 3)))


def test_1d_target_against_single_output_is_refused():
    one = backprop.Network([3, 2, 1], output="identity")
    with pytest.raises(ValueError, match=r"Y has shape \(5,\) .* \(5, 1\).* broadcast silently"):
        one.loss(X, np.zeros(5))


def test_labels_out_of_range(clf):
    with pytest.raises(ValueError, match=r"labels must lie in 0\.\.2 .* got values from 0 to 3"):
        clf.loss(X, np.array([0, 1, 2, 3, 0]))


def test_negative_labels(clf):
    with pytest.raises(ValueError, match=r"labels must lie in 0\.\.2"):
        clf.loss(X, np.array([0, -1, 2, 1, 0]))


def test_float_labels(clf):
    with pytest.raises(TypeError, match=r"must be integers, got dtype float64"):
        clf.loss(X, np.array([0.0, 1.0, 2.0, 1.0, 0.0]))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_x(net, bad):
    Xb = X.copy()
    Xb[2, 1] = bad
    with pytest.raises(ValueError, match=r"X must be finite, but 1 entries are NaN or infinite"):
        net.predict(Xb)


def test_non_finite_y(net):
    Yb = Y.copy()
    Yb[0, 0] = np.nan
    with pytest.raises(ValueError, match=r"Y must be finite"):
        net.loss(X, Yb)


def test_empty_x(net):
    with pytest.raises(
        ValueError, match=r"X is empty: expected at least one row, got shape \(0, 3\)"
    ):
        net.predict(np.ones((0, 3)))


def test_non_numeric_x(net):
    with pytest.raises(TypeError, match=r"X must hold numbers, got an array of dtype <U1"):
        net.predict(np.array([["a", "b", "c"]]))


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"learning_rate": 0.0}, r"learning_rate must be a finite number > 0, got 0.0"),
        ({"learning_rate": -0.1}, r"learning_rate must be a finite number > 0, got -0.1"),
        ({"batch_size": 0}, r"batch_size must be a positive integer \(>= 1\), got 0"),
        ({"epochs": 0}, r"epochs must be a positive integer \(>= 1\), got 0"),
        ({"epochs": 2.5}, r"epochs must be a positive integer, got 2.5"),
        ({"momentum": 1.0}, r"momentum must lie in \[0, 1\), got 1.0"),
        ({"l2": -1.0}, r"l2 must lie in \[0, inf\), got -1.0"),
    ],
)
def test_bad_training_settings(net, kw, match):
    with pytest.raises((ValueError, TypeError), match=match):
        net.fit(X, Y, **kw)


@pytest.mark.parametrize("sizes", [[3, 0, 2], [3, -1, 2]])
def test_non_positive_layer_size(sizes):
    with pytest.raises(ValueError, match=r"layer size sizes\[1\] must be a positive integer"):
        backprop.Network(sizes)


def test_too_few_layers():
    with pytest.raises(ValueError, match=r"at least an input and an output size, got \[3\]"):
        backprop.Network([3])


def test_unknown_activation():
    with pytest.raises(ValueError, match=r"unknown hidden activation 'swish': expected one of"):
        backprop.Network([2, 2], hidden="swish")


def test_unknown_output():
    with pytest.raises(ValueError, match=r"unknown output activation 'tanh'"):
        backprop.Network([2, 2], output="tanh")


def test_unknown_loss():
    with pytest.raises(ValueError, match=r"unknown loss 'hinge': expected one of"):
        backprop.Network([2, 2], loss="hinge")


def test_output_loss_pair_that_makes_no_sense():
    with pytest.raises(ValueError, match=r"loss 'cross_entropy' does not fit output 'identity'"):
        backprop.Network([2, 2], output="identity", loss="cross_entropy")


def test_cross_entropy_targets_out_of_range():
    net = backprop.Network([3, 2], output="sigmoid", loss="cross_entropy")
    with pytest.raises(
        ValueError, match=r"targets must lie in \[0, 1\], got values from 2.0 to 2.0"
    ):
        net.loss(X, np.full((5, 2), 2.0))


def test_softmax_targets_must_sum_to_one(clf):
    with pytest.raises(ValueError, match=r"row 0 sums to 2.0"):
        clf.loss(X, np.array([[1.0, 1, 0]] + [[1.0, 0, 0]] * 4))


def test_bad_dtype():
    with pytest.raises(TypeError, match=r"dtype must be np.float32 or np.float64, got int64"):
        backprop.Network([2, 2], dtype=np.int64)


def test_npz_for_another_architecture(tmp_path, net):
    other = backprop.Network([3, 5, 2])
    other.save(tmp_path / "other.npz")
    with pytest.raises(
        ValueError, match=r"sizes \[3, 5, 2\], but this network has sizes \[3, 4, 2\]"
    ):
        net.load_parameters(tmp_path / "other.npz")
