"""The gradient checker itself: it catches planted bugs and never mutates its inputs."""

import numpy as np

import backprop
from backprop import gradcheck


def _net_and_data(rng):
    net = backprop.Network([3, 4, 2], hidden="sigmoid", output="sigmoid", loss="mse", seed=0)
    return net, rng.normal(size=(5, 3)), rng.uniform(size=(5, 2))


def test_checker_passes_correct_gradients(rng):
    net, X, Y = _net_and_data(rng)
    result = gradcheck.check_gradients(net, X, Y)
    assert result.passed(1e-7) and result.max_relative_error < 1e-7


def test_checker_catches_a_planted_wrong_derivative(rng):
    net, X, Y = _net_and_data(rng)
    dWs, dbs = net.gradients(X, Y)
    # Planted bug: sigma'(z) replaced by sigma(z) in the hidden layer (a classic slip).
    fp = net.forward(X)
    bp = net.backward(X, Y)
    wrong_delta1 = (bp.delta[2] @ net.W[2]) * fp.a[1]
    bad_dWs = [wrong_delta1.T @ X / 5, dWs[1]]
    bad_dbs = [wrong_delta1.mean(axis=0), dbs[1]]
    result = gradcheck.check_gradients(net, X, Y, gradients=(bad_dWs, bad_dbs))
    assert not result.passed(1e-6)
    assert result.weights[0] > 1e-2 and result.weights[1] < 1e-7
    assert gradcheck.directional_check(net, X, Y, gradients=(bad_dWs, bad_dbs)) > 1e-3


def test_checker_catches_a_missing_transpose(rng):
    net = backprop.Network([3, 3, 3], hidden="tanh", output="identity", seed=1)
    X, Y = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    fp, bp = net.forward(X), net.backward(X, Y)
    wrong = (bp.delta[2] @ net.W[2].T) * (1 - fp.a[1] ** 2)  # W instead of W^T
    dWs, dbs = net.gradients(X, Y)
    result = gradcheck.check_gradients(net, X, Y, gradients=([wrong.T @ X / 4, dWs[1]], dbs))
    assert result.weights[0] > 1e-2


def test_directional_check_passes_correct_gradients(rng):
    net, X, Y = _net_and_data(rng)
    assert gradcheck.directional_check(net, X, Y, n_directions=5) < 1e-8


def test_checker_does_not_mutate_network_or_data(rng):
    net, X, Y = _net_and_data(rng)
    before = [p.copy() for p in net.weights + net.biases]
    X0, Y0 = X.copy(), Y.copy()
    gradcheck.check_gradients(net, X, Y)
    gradcheck.directional_check(net, X, Y)
    assert all(np.array_equal(a, b) for a, b in zip(before, net.weights + net.biases))
    assert np.array_equal(X, X0) and np.array_equal(Y, Y0)


def test_numerical_derivative_forward_and_central():
    f = lambda x: np.sum(np.sin(x))  # noqa: E731
    x = np.array([0.3, -1.2])
    central = gradcheck.numerical_derivative(f, x, h=1e-5)
    forward = gradcheck.numerical_derivative(f, x, h=1e-5, method="forward")
    np.testing.assert_allclose(central, np.cos(x), rtol=1e-9)
    np.testing.assert_allclose(forward, np.cos(x), rtol=1e-4)
    assert np.abs(forward - np.cos(x)).max() > np.abs(central - np.cos(x)).max()
    assert np.array_equal(x, [0.3, -1.2])


def test_relative_error_edge_cases():
    assert gradcheck.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert gradcheck.relative_error([1.0], [-1.0]) == 1.0
