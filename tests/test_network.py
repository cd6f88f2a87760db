"""The network's forward pass, shapes, and gradients against finite differences."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import backprop
from backprop import activations, losses
from backprop.gradcheck import check_gradients, numerical_gradients, relative_error

CONFIGS = [(h, o, l) for h in activations.HIDDEN for (o, l) in sorted(losses.VALID_PAIRS)]


def make_data(net, M, rng):
    X = rng.normal(size=(M, net.sizes[0]))
    nL = net.sizes[-1]
    if net.output == "softmax":
        Y = np.eye(nL)[rng.integers(nL, size=M)]
    elif net.output == "sigmoid":
        Y = (
            rng.uniform(size=(M, nL))
            if net.loss_name == "mse"
            else rng.integers(0, 2, size=(M, nL)).astype(float)
        )
    else:
        Y = rng.normal(size=(M, nL))
    return X, Y


def test_contract_shapes():
    net = backprop.Network([3, 5, 4, 2], seed=1)
    assert [W.shape for W in net.weights] == [(5, 3), (4, 5), (2, 4)]
    assert [b.shape for b in net.biases] == [(5,), (4,), (2,)]
    assert net.W[1] is net.weights[0] and net.b[3] is net.biases[2]
    X = np.zeros((7, 3))
    assert net.predict(X).shape == (7, 2)
    dWs, dbs = net.gradients(X, np.zeros((7, 2)))
    assert [d.shape for d in dWs] == [W.shape for W in net.weights]
    assert [d.shape for d in dbs] == [b.shape for b in net.biases]
    assert isinstance(net.loss(X, np.zeros((7, 2))), float)


def test_one_based_views_refuse_layer_zero():
    net = backprop.Network([2, 3, 1])
    with pytest.raises(IndexError, match=r"1\.\.2"):
        net.W[0]


def test_forward_matches_the_equations(rng):
    net = backprop.Network([3, 4, 2], hidden="tanh", output="identity", seed=3)
    X = rng.normal(size=(5, 3))
    fp = net.forward(X)
    z1 = X @ net.W[1].T + net.b[1]
    np.testing.assert_allclose(fp.z[1], z1, rtol=1e-15)
    np.testing.assert_allclose(fp.a[1], np.tanh(z1), rtol=1e-15)
    np.testing.assert_allclose(fp.a[2], np.tanh(z1) @ net.W[2].T + net.b[2], rtol=1e-14)
    assert fp.a[0] is not None and fp.a[0].shape == (5, 3)


@pytest.mark.parametrize(("hidden", "output", "loss"), CONFIGS)
def test_gradients_match_finite_differences(hidden, output, loss, rng):
    net = backprop.Network([3, 4, 3, 3], hidden=hidden, output=output, loss=loss, seed=7)
    X, Y = make_data(net, 6, rng)
    result = check_gradients(net, X, Y, h=1e-6)
    assert result.max_relative_error < 1e-7, result


@settings(max_examples=25, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 5), min_size=2, max_size=5),
    config=st.sampled_from(CONFIGS),
    M=st.integers(1, 4),
    seed=st.integers(0, 2**16),
)
def test_random_architectures_have_correct_gradients(sizes, config, M, seed):
    hidden, output, loss = config
    if output == "softmax" and sizes[-1] < 2:
        sizes = sizes[:-1] + [2]
    rng = np.random.default_rng(seed)
    net = backprop.Network(sizes, hidden=hidden, output=output, loss=loss, seed=seed)
    X, Y = make_data(net, M, rng)
    if hidden == "relu":  # keep pre-activations away from the kink, where FD is undefined
        fp = net.forward(X)
        if any(np.min(np.abs(fp.z[l])) < 1e-4 for l in range(1, net.L)):
            return
    # Central differences carry a round-off error of about eps * C / h ~ 1e-10 * C, so a tiny
    # gradient entry (a saturated sigmoid, a 1-neuron layer) can miss a purely relative bound
    # although backprop is exact: compare with rtol and an atol at that round-off level.
    dWs, dbs = net.gradients(X, Y)
    nWs, nbs = numerical_gradients(net, X, Y, h=1e-6)
    atol = 1e-9 * (1.0 + abs(net.loss(X, Y)))
    for exact, numeric in zip(dWs + dbs, nWs + nbs):
        np.testing.assert_allclose(
            exact, numeric, rtol=1e-6, atol=atol, err_msg=str((sizes, config))
        )


def test_batched_gradient_is_mean_of_per_example_gradients(rng):
    net = backprop.Network(
        [4, 6, 3], hidden="sigmoid", output="softmax", loss="cross_entropy", seed=2
    )
    X, Y = make_data(net, 8, rng)
    dWs, dbs = net.gradients(X, Y)
    per = [net.gradients(X[m : m + 1], Y[m : m + 1]) for m in range(8)]
    for l in range(net.L):
        np.testing.assert_allclose(dWs[l], np.mean([p[0][l] for p in per], axis=0), rtol=1e-12)
        np.testing.assert_allclose(dbs[l], np.mean([p[1][l] for p in per], axis=0), rtol=1e-12)


def test_deltas_follow_the_recursion(rng):
    net = backprop.Network([3, 4, 4, 2], hidden="sigmoid", seed=4)
    X, Y = make_data(net, 5, rng)
    bp = net.backward(X, Y)
    fp = bp.forward
    a3 = fp.a[3]
    np.testing.assert_allclose(bp.delta[3], (a3 - Y) * a3 * (1 - a3), rtol=1e-14)
    for l in (1, 2):
        expected = (bp.delta[l + 1] @ net.W[l + 1]) * fp.a[l] * (1 - fp.a[l])
        np.testing.assert_allclose(bp.delta[l], expected, rtol=1e-14)
        np.testing.assert_allclose(bp.dW[l], bp.delta[l].T @ fp.a[l - 1] / 5, rtol=1e-14)


def test_local_jacobians_compose_to_the_network_jacobian(rng):
    net = backprop.Network([3, 4, 2], hidden="tanh", output="softmax", loss="cross_entropy")
    x = rng.normal(size=3)
    J = np.eye(3)
    for piece in net.local_jacobians(x):
        J = piece["da_dz"] @ piece["dz_da_prev"] @ J
    numeric = backprop.gradcheck.numerical_jacobian(lambda v: net.predict(v[None])[0], x)
    np.testing.assert_allclose(J, numeric, rtol=1e-7, atol=1e-10)


def test_float32_end_to_end(rng):
    net = backprop.Network(
        [4, 8, 3], hidden="relu", output="softmax", loss="cross_entropy", dtype=np.float32, seed=0
    )
    X = rng.normal(size=(16, 4))
    y = rng.integers(3, size=16)
    assert net.predict(X).dtype == np.float32
    assert all(d.dtype == np.float32 for d in net.gradients(X, y)[0])
    net.fit(X, y, epochs=3, batch_size=4, learning_rate=0.1)
    assert all(W.dtype == np.float32 for W in net.weights)
    ref = net.copy()
    ref.weights = [W.astype(np.float64) for W in ref.weights]
    ref.biases = [b.astype(np.float64) for b in ref.biases]
    ref.dtype = np.dtype(np.float64)
    g32, g64 = net.gradients(X, y)[0], ref.gradients(X, y)[0]
    assert max(relative_error(a, b) for a, b in zip(g32, g64)) < 1e-5


def test_integer_labels_equal_one_hot(rng):
    net = backprop.Network([2, 3, 3], output="softmax", loss="cross_entropy")
    X, y = rng.normal(size=(6, 2)), rng.integers(3, size=6)
    assert net.loss(X, y) == net.loss(X, np.eye(3)[y])


def test_extreme_inputs_stay_finite():
    net = backprop.Network([2, 4, 3], hidden="sigmoid", output="softmax", loss="cross_entropy")
    net.weights[1][...] = 1e4  # logits of about +-1e4
    net.weights[1][0] = -1e4
    X = np.array([[1e3, -1e3], [-1e3, 1e3]])
    loss = net.loss(X, np.array([0, 1]))
    dWs, _ = net.gradients(X, np.array([0, 1]))
    assert np.isfinite(loss) and all(np.all(np.isfinite(d)) for d in dWs)


def test_initialisation_is_seeded_and_glorot_bounded():
    a, b = backprop.Network([50, 30, 2], seed=5), backprop.Network([50, 30, 2], seed=5)
    assert all(np.array_equal(x, y) for x, y in zip(a.weights, b.weights))
    assert np.abs(a.weights[0]).max() <= np.sqrt(6 / 80)
    c = backprop.Network([6, 2, 1], init=0.3, seed=1)
    assert all(np.abs(p).max() <= 0.3 for p in c.weights + c.biases)
    assert np.abs(c.biases[0]).max() > 0
