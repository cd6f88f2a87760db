"""The layer pairs of ``backprop.layers`` on their own: non-square layers, M > 1 rows, against
central differences, and chained by hand against ``Network``.

Each backward function is checked as the vector-Jacobian product it claims to be: for a random
upstream gradient ``G`` of the output, the scalar ``sum(G * forward(...))`` is differentiated
numerically with respect to each input and compared with what the backward function returns.
"""

import numpy as np
import pytest

import backprop
from backprop import activations, layers
from backprop.gradcheck import numerical_derivative, relative_error

M, N_IN, N_OUT = 5, 4, 3  # non-square, several rows


@pytest.fixture
def parts():
    rng = np.random.default_rng(11)
    A = rng.normal(size=(M, N_IN))
    W = rng.normal(size=(N_OUT, N_IN))
    b = rng.normal(size=N_OUT)
    G = rng.normal(size=(M, N_OUT))
    return A, W, b, G


def test_dense_forward_is_the_affine_map(parts):
    A, W, b, _ = parts
    Z, cache = layers.dense_forward(A, W, b)
    assert Z.shape == (M, N_OUT)
    for m in range(M):  # row m is (W a_m + b)^T
        np.testing.assert_allclose(Z[m], W @ A[m] + b, rtol=1e-14)
    assert cache[0] is A and cache[1] is W


@pytest.mark.parametrize("scale", [None, 1.0, 0.25])
def test_dense_backward_is_the_vjp_of_dense_forward(parts, scale):
    A, W, b, G = parts
    _, cache = layers.dense_forward(A, W, b)
    dA, dW, db = layers.dense_backward(G, cache, scale=scale)
    s = 1.0 / M if scale is None else scale
    assert dA.shape == A.shape and dW.shape == W.shape and db.shape == b.shape

    def scalar(**kw):
        args = {"A": A, "W": W, "b": b, **kw}
        return np.sum(G * layers.dense_forward(args["A"], args["W"], args["b"])[0])

    fd_A = numerical_derivative(lambda v: scalar(A=v), A)
    fd_W = numerical_derivative(lambda v: scalar(W=v), W)
    fd_b = numerical_derivative(lambda v: scalar(b=v), b)
    assert relative_error(dA, fd_A) < 1e-8  # dA is not scaled: it is the error sent down
    assert relative_error(dW, s * fd_W) < 1e-8
    assert relative_error(db, s * fd_b) < 1e-8


def test_dense_backward_skips_the_input_gradient_only_when_asked(parts):
    A, W, b, G = parts
    _, cache = layers.dense_forward(A, W, b)
    full = layers.dense_backward(G, cache, 1.0)
    none = layers.dense_backward(G, cache, 1.0, input_grad=False)
    assert none[0] is None
    np.testing.assert_array_equal(full[1], none[1])
    np.testing.assert_array_equal(full[2], none[2])


def test_dense_backward_mean_is_the_mean_of_per_row_outer_products(parts):
    A, W, b, G = parts
    _, dW, db = layers.dense_backward(G, (A, W))
    np.testing.assert_allclose(dW, np.mean([np.outer(G[m], A[m]) for m in range(M)], 0), 1e-13)
    np.testing.assert_allclose(db, G.mean(axis=0), rtol=1e-13)


@pytest.mark.parametrize("name", sorted(activations.ELEMENTWISE))
def test_activation_backward_is_the_vjp_of_activation_forward(parts, name):
    _, _, _, G = parts
    Z = np.random.default_rng(5).normal(size=(M, N_OUT))
    Z[np.abs(Z) < 1e-3] = 0.5  # keep away from the ReLU kink
    A, cache = layers.activation_forward(Z, name)
    D = layers.activation_backward(G, cache)
    fd = numerical_derivative(lambda v: np.sum(G * layers.activation_forward(v, name)[0]), Z)
    assert D.shape == Z.shape
    assert relative_error(D, fd) < 1e-8


@pytest.mark.parametrize(
    ("hidden", "output", "loss"),
    [
        ("tanh", "sigmoid", "mse"),
        ("relu", "softmax", "cross_entropy"),
        ("sigmoid", "identity", "mse"),
    ],
)
def test_layer_pairs_chained_by_hand_equal_network(hidden, output, loss):
    rng = np.random.default_rng(3)
    sizes = [4, 6, 5, 3]
    net = backprop.Network(sizes, hidden=hidden, output=output, loss=loss, seed=2)
    X = rng.normal(size=(7, 4))
    Y = np.eye(3)[rng.integers(0, 3, 7)] if output != "identity" else rng.normal(size=(7, 3))
    # forward, keeping the caches
    A, caches = X, []
    for l in range(1, net.L + 1):
        Z, dense_cache = layers.dense_forward(A, net.W[l], net.b[l])
        A, act_cache = layers.activation_forward(Z, net.activation(l))
        caches.append((dense_cache, act_cache))
    np.testing.assert_allclose(A, net.predict(X), rtol=1e-13)
    # backward: delta^L from the loss record, then the pairs in reverse
    D = backprop.losses.get(loss, output).delta(caches[-1][1][0], A, Y)
    grads = {}
    for l in range(net.L, 0, -1):
        dense_cache, _ = caches[l - 1]
        dA, grads[f"W{l}"], grads[f"b{l}"] = layers.dense_backward(D, dense_cache)
        if l > 1:
            D = layers.activation_backward(dA, caches[l - 2][1])
    dW, db = net.gradients(X, Y)
    bp = net.backward(X, Y)
    for l in range(1, net.L + 1):
        assert relative_error(grads[f"W{l}"], dW[l - 1]) < 1e-12
        assert relative_error(grads[f"b{l}"], db[l - 1]) < 1e-12
        assert relative_error(bp.dW[l], dW[l - 1]) < 1e-12  # sum/M and scaled-delta paths
        assert relative_error(bp.db[l], db[l - 1]) < 1e-12
