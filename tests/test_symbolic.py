"""The SymPy helpers agree with the NumPy code exactly, and they reject wrong formulas."""

import numpy as np
import pytest
import sympy as sp

from backprop import symbolic

CONFIGS = [
    ("sigmoid", "sigmoid", "mse"),
    ("tanh", "identity", "mse"),
    ("relu", "softmax", "cross_entropy"),
    ("sigmoid", "sigmoid", "cross_entropy"),
]


@pytest.mark.parametrize(("hidden", "output", "loss"), CONFIGS)
def test_symbolic_gradients_equal_numpy_gradients(hidden, output, loss):
    s = symbolic.SymbolicNetwork([2, 2, 2], hidden=hidden, output=output, loss=loss)
    point = s.random_point(seed=3)
    net = s.network_at(point)
    X, Y = s.data_at(point)
    dWs, dbs = net.gradients(X, Y)
    assert net.loss(X, Y) == pytest.approx(symbolic.to_float(s.loss, point), rel=1e-13)
    for l in range(1, s.L + 1):
        dW, db = s.gradient(l)
        np.testing.assert_allclose(symbolic.to_float(dW, point), dWs[l - 1], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(
            symbolic.to_float(db, point).ravel(), dbs[l - 1], rtol=1e-12, atol=1e-15
        )


def test_forward_pass_equals_symbolic_network_on_exact_values():
    s = symbolic.SymbolicNetwork([2, 3, 1], hidden="tanh", output="sigmoid")
    point = s.random_point(seed=0)  # dyadic rationals: exactly representable in float64
    net = s.network_at(point)
    X, _ = s.data_at(point)
    np.testing.assert_allclose(
        net.predict(X)[0], symbolic.to_float(s.a[2], point).ravel(), rtol=1e-15
    )


def _delta_formulas(s):
    def dsig(z):
        return z.applyfunc(lambda t: symbolic.sigmoid(t) * (1 - symbolic.sigmoid(t)))

    d = {s.L: (s.a[s.L] - s.y).multiply_elementwise(dsig(s.z[s.L]))}
    for l in range(s.L - 1, 0, -1):
        d[l] = (s.W[l + 1].T * d[l + 1]).multiply_elementwise(dsig(s.z[l]))
    return d


def test_assert_exact_accepts_the_backprop_formulas():
    s = symbolic.SymbolicNetwork([2, 2, 2])
    d = _delta_formulas(s)
    points = [s.random_point(k) for k in range(2)]
    for l in (1, 2):
        dW, db = s.gradient(l)
        assert symbolic.assert_exact(dW, d[l] * s.a[l - 1].T, points) == 2
        assert symbolic.assert_exact(db, d[l], points) == 2


def test_assert_exact_rejects_a_missing_transpose():
    s = symbolic.SymbolicNetwork([2, 2, 2])
    d = _delta_formulas(s)
    dsig1 = s.z[1].applyfunc(lambda t: symbolic.sigmoid(t) * (1 - symbolic.sigmoid(t)))
    wrong = (s.W[2] * d[2]).multiply_elementwise(dsig1)  # W instead of W^T
    with pytest.raises(AssertionError, match="wrong delta"):
        symbolic.assert_exact(s.gradient(1)[1], wrong, s.random_point(1), label="wrong delta")


def test_assert_exact_symbolic_mode():
    x = sp.Symbol("x")
    assert symbolic.assert_exact(sp.sin(x) ** 2 + sp.cos(x) ** 2, 1) == 1
    with pytest.raises(AssertionError):
        symbolic.assert_exact(sp.sin(x) ** 2, 1)


def test_sigmoid_function_derivative_and_value():
    z = sp.Symbol("z")
    s = symbolic.sigmoid(z)
    assert sp.simplify(sp.diff(s, z) - s * (1 - s)) == 0
    assert sp.simplify(s.rewrite(sp.exp) - 1 / (1 + sp.exp(-z))) == 0
    assert symbolic.to_float(symbolic.sigmoid(sp.Rational(1, 3))) == pytest.approx(
        1 / (1 + np.exp(-1 / 3)), rel=1e-15
    )
