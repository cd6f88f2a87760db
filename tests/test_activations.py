"""Every activation's derivative against central finite differences, at kinks and in saturation."""

import warnings

import numpy as np
import pytest

from backprop import activations
from backprop.gradcheck import numerical_jacobian

H = 1e-6
# Points away from the ReLU kink, plus saturation for the squashing functions.
Z = np.array([-30.0, -5.0, -1.3, -0.2, 0.1, 0.7, 2.5, 8.0, 30.0])


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "identity"])
def test_derivative_matches_central_differences(name):
    act = activations.get(name)
    numeric = (act.f(Z + H) - act.f(Z - H)) / (2 * H)
    analytic = act.derivative(Z, act.f(Z))
    np.testing.assert_allclose(analytic, numeric, rtol=1e-7, atol=1e-10)


def test_relu_kink_uses_zero_and_one_sided_limits_bracket_it():
    z = np.array([0.0])
    assert activations.relu_derivative(z, activations.relu(z))[0] == 0.0
    right = (activations.relu(z + H) - activations.relu(z)) / H
    left = (activations.relu(z) - activations.relu(z - H)) / H
    assert left[0] == 0.0 and right[0] == pytest.approx(1.0)


@pytest.mark.parametrize("z", [-1e3, -500.0, 500.0, 1e3])
def test_sigmoid_saturates_without_overflow_or_warning(z):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = activations.sigmoid(np.array([z]))
        d = activations.sigmoid_derivative(np.array([z]), s)
    assert np.isfinite(s).all() and np.isfinite(d).all()
    if z > 0:
        assert s[0] == 1.0 and d[0] == 0.0
    else:  # e^{-500} ~ 7e-218 is still representable, and kept
        assert 0.0 <= s[0] <= 1e-200 and 0.0 <= d[0] <= 1e-200


def test_sigmoid_keeps_relative_precision_for_negative_inputs():
    z = np.array([-30.0, -100.0, -700.0])
    np.testing.assert_allclose(activations.sigmoid(z), np.exp(z) / (1 + np.exp(z)), rtol=1e-15)


def test_sigmoid_equals_logistic_formula_where_that_is_safe():
    z = np.linspace(-20, 20, 101)
    np.testing.assert_allclose(activations.sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-14)


def test_softmax_rows_sum_to_one_and_survive_huge_logits():
    Z = np.array([[1e4, 0.0, -1e4], [-1e4, -1e4, -1e4], [3.0, 1.0, 0.2]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        A = activations.softmax(Z)
        logA = activations.log_softmax(Z)
    assert np.all(np.isfinite(A)) and np.all(np.isfinite(logA))
    np.testing.assert_allclose(A.sum(axis=1), 1.0, rtol=1e-15)
    np.testing.assert_allclose(A[1], 1 / 3, rtol=1e-15)
    assert logA[0, 2] == pytest.approx(-2e4)


def test_softmax_jacobian_against_finite_differences(rng):
    z = rng.normal(size=5)
    J = activations.softmax_jacobian(activations.softmax(z))
    np.testing.assert_allclose(J, numerical_jacobian(activations.softmax, z), rtol=1e-7, atol=1e-10)
    assert np.abs(J - np.diag(np.diag(J))).max() > 1e-3  # off-diagonal terms are real


def test_softmax_vjp_equals_jacobian_transpose_product(rng):
    Z, G = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    A = activations.softmax(Z)
    expected = np.stack([activations.softmax_jacobian(a).T @ g for a, g in zip(A, G)])
    np.testing.assert_allclose(activations.softmax_vjp(A, G), expected, rtol=1e-12)


def test_softmax_jacobian_rejects_a_batch():
    with pytest.raises(ValueError, match=r"shape \(n,\)"):
        activations.softmax_jacobian(np.ones((2, 3)) / 3)


def test_unknown_activation_is_named():
    with pytest.raises(ValueError, match=r"activation must be one of \[.*\], got 'swish'"):
        activations.get("swish")


@pytest.mark.parametrize("shape", [(5,), (7, 1), (9, 2), (6, 10), (4, 32), (3, 33), (2, 3, 4)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_row_reduce_is_the_reduction_over_the_last_axis(rng, shape, dtype):
    Z = rng.standard_normal(shape).astype(dtype)
    got = activations.row_reduce(np.maximum, Z)
    assert got.shape == shape[:-1] + (1,) and got.dtype == dtype
    np.testing.assert_array_equal(got, np.max(Z, axis=-1, keepdims=True))
    # Sums may differ in the last bit only (NumPy sums long rows pairwise).
    np.testing.assert_allclose(
        activations.row_reduce(np.add, Z), np.sum(Z, axis=-1, keepdims=True), rtol=1e-6
    )


def test_softmax_and_log_softmax_of_each_row_alone(rng):
    # Every row's result depends on that row only: a reduction over the wrong axis mixes rows.
    Z = rng.standard_normal((40, 3)) * 5
    rows = np.array([activations.softmax(z) for z in Z])
    np.testing.assert_allclose(activations.softmax(Z), rows, rtol=1e-14)
    np.testing.assert_allclose(activations.log_softmax(Z), np.log(rows), rtol=1e-12, atol=1e-14)
