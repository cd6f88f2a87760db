"""Each loss's output error delta^L against finite differences of the loss in z^L."""

import warnings

import numpy as np
import pytest

from backprop import activations, losses
from backprop.gradcheck import numerical_derivative

PAIRS = sorted(losses.VALID_PAIRS)


def _targets(output, loss, rng, shape):
    if output == "softmax":
        Y = np.zeros(shape)
        Y[np.arange(shape[0]), rng.integers(shape[1], size=shape[0])] = 1
        return Y
    if output == "sigmoid":
        return rng.uniform(0, 1, size=shape)
    return rng.normal(size=shape)


def _activate(output, Z):
    return activations.softmax(Z) if output == "softmax" else activations.get(output).f(Z)


@pytest.mark.parametrize(("output", "loss"), PAIRS)
def test_output_delta_matches_finite_differences(output, loss, rng):
    Z = rng.normal(size=(3, 4))
    Y = _targets(output, loss, rng, Z.shape)

    def total(Zp):  # sum over samples of C_m, so its gradient rows are the per-sample deltas
        return np.sum(losses.per_sample(loss, output, Zp, _activate(output, Zp), Y))

    numeric = numerical_derivative(total, Z)
    analytic = losses.output_delta(loss, output, Z, _activate(output, Z), Y)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("row_sum", [1.0, 2.0])
def test_softmax_cross_entropy_delta_with_soft_targets(rng, row_sum):
    """Soft targets (and, for losses.output_delta alone, rows summing to 2): s a - y."""
    Z = rng.normal(size=(4, 3))
    Y = rng.dirichlet(np.ones(3), size=4) * row_sum
    A = activations.softmax(Z)

    def total(Zp):
        return np.sum(losses.softmax_cross_entropy_per_sample(Zp, Y))

    analytic = losses.output_delta("cross_entropy", "softmax", Z, A, Y)
    np.testing.assert_allclose(analytic, numerical_derivative(total, Z), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(analytic, row_sum * A - Y, rtol=1e-13)


def test_mse_is_half_squared_norm_mean():
    A, Y = np.array([[1.0, 2.0], [0.0, 0.0]]), np.array([[0.0, 0.0], [3.0, 4.0]])
    assert losses.value("mse", "identity", A, A, Y) == pytest.approx((2.5 + 12.5) / 2)


@pytest.mark.parametrize("output", ["softmax", "sigmoid"])
def test_cross_entropy_is_finite_for_logits_of_1e4(output):
    Z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5.0]])
    Y = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        A = _activate(output, Z)
        c = losses.per_sample("cross_entropy", output, Z, A, Y)
        d = losses.output_delta("cross_entropy", output, Z, A, Y)
    assert np.all(np.isfinite(c)) and np.all(np.isfinite(d))
    expected = 2e4 if output == "softmax" else 2e4 + np.log(2)  # sigmoid: softplus(0) = log 2
    assert c[0] == pytest.approx(expected, rel=1e-12)


def test_softmax_cross_entropy_equals_negative_log_of_softmax(rng):
    Z = rng.normal(size=(5, 3))
    Y = np.eye(3)[rng.integers(3, size=5)]
    naive = -np.sum(Y * np.log(activations.softmax(Z)), axis=1)
    np.testing.assert_allclose(losses.softmax_cross_entropy_per_sample(Z, Y), naive, rtol=1e-13)


def test_sigmoid_cross_entropy_equals_binary_formula(rng):
    Z, Y = rng.normal(size=(5, 2)), rng.uniform(size=(5, 2))
    A = activations.sigmoid(Z)
    naive = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A), axis=1)
    np.testing.assert_allclose(losses.sigmoid_cross_entropy_per_sample(Z, Y), naive, rtol=1e-12)


@pytest.mark.parametrize(
    ("output", "loss", "match"),
    [
        ("identity", "cross_entropy", "does not fit output 'identity'"),
        ("relu", "mse", r"output activation must be one of \[.*\], got 'relu'"),
        ("softmax", "hinge", r"loss must be one of \[.*\], got 'hinge'"),
    ],
)
def test_bad_pairs_are_rejected_by_name(output, loss, match):
    with pytest.raises(ValueError, match=match):
        losses.check_pair(output, loss)
