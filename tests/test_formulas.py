"""Tests that catch a wrong formula on their own, without a chapter run.

* the gradient checker fails a planted error in one bias gradient alone;
* ``assert_exact`` fails when only one of several points disagrees, and when one matrix entry
  differs;
* one SGD step with L2, and two with momentum, equal their closed forms bit for bit; so do
  steps with L1 (the soft threshold), alone and with L2 and momentum, and a weight within
  eta * lambda_1 of zero stops at exactly zero and stays there;
* the training path's gradients are those of ``gradients()`` (to 1e-12 against ``backward``,
  which scales differently), and ``fit`` is the public minibatch loop run by hand.
"""

import numpy as np
import pytest
import sympy as sp

import backprop
from backprop import gradcheck, symbolic, train


@pytest.fixture
def setup():
    rng = np.random.default_rng(4)
    net = backprop.Network([3, 5, 4, 2], hidden="tanh", output="sigmoid", loss="mse", seed=1)
    X, Y = rng.normal(size=(6, 3)), rng.random((6, 2))
    return net, X, Y


@pytest.mark.parametrize("layer", [0, 1, 2])
def test_a_planted_error_in_one_bias_gradient_fails_the_check(setup, layer):
    net, X, Y = setup
    dW, db = net.gradients(X, Y)
    assert gradcheck.check_gradients(net, X, Y).passed()
    wrong = [g.copy() for g in db]
    wrong[layer][0] *= 1.01  # one entry of one bias gradient, 1 % off
    result = gradcheck.check_gradients(net, X, Y, gradients=(dW, wrong))
    assert not result.passed()
    assert result.biases[layer] > 1e-4 and max(result.weights) < 1e-7
    assert gradcheck.directional_check(net, X, Y, gradients=(dW, wrong), n_directions=2) > 1e-5


def test_a_dropped_layer_or_a_gradient_of_zeros_never_passes(setup):
    net, X, Y = setup
    dW, db = net.gradients(X, Y)
    with pytest.raises(ValueError, match="dWs"):
        gradcheck.check_gradients(net, X, Y, gradients=(dW[1:], db))
    zeros = [np.zeros_like(g) for g in dW], [np.zeros_like(g) for g in db]
    assert not gradcheck.check_gradients(net, X, Y, gradients=zeros).passed()
    assert gradcheck.directional_check(net, X, Y, gradients=zeros) == pytest.approx(1.0)


def test_assert_exact_fails_when_one_of_several_points_disagrees():
    s = symbolic.SymbolicNetwork([2, 2, 1], hidden="sigmoid", output="sigmoid")
    points = [s.random_point(seed=k) for k in range(3)]
    w = s.W[1][0, 0]
    # zero at points 0 and 1, not at point 2
    bump = (w - points[0][w]) * (w - points[1][w])
    assert bump.xreplace(points[2]) != 0
    assert symbolic.assert_exact(s.loss, s.loss + bump, points[:2]) == 2
    with pytest.raises(AssertionError, match="random point 2"):
        symbolic.assert_exact(s.loss, s.loss + bump, points)


def test_assert_exact_fails_when_one_matrix_entry_differs():
    s = symbolic.SymbolicNetwork([2, 3, 1], hidden="tanh", output="identity")
    dW, _ = s.gradient(1)
    off = dW.copy()
    off[2, 1] = off[2, 1] + sp.Rational(1, 10**12)
    point = s.random_point(seed=0)
    assert symbolic.assert_exact(dW, dW.copy(), [point]) == 1
    with pytest.raises(AssertionError, match="differ"):
        symbolic.assert_exact(dW, off, [point])
    with pytest.raises(AssertionError, match="shapes differ"):
        symbolic.assert_exact(dW, dW[:, :1], [point])


def _order(seed, M, epochs):
    rng = np.random.default_rng(seed)
    return [rng.permutation(M) for _ in range(epochs)]


def test_one_sgd_step_with_l2_equals_its_closed_form_exactly(setup):
    net, X, Y = setup
    eta, lam = 0.3, 0.05
    (order,) = _order(7, len(X), 1)
    dW, db = net.gradients(X[order], Y[order])  # fit's single full batch, in fit's order
    expected_W = [W - eta * (g + lam * W) for W, g in zip(net.weights, dW)]  # (eq-pg-l2)
    expected_b = [b - eta * g for b, g in zip(net.biases, db)]  # biases are not decayed
    net.fit(X, Y, epochs=1, batch_size=len(X), learning_rate=eta, l2=lam, seed=7)
    for got, want in zip(net.weights + net.biases, expected_W + expected_b):
        np.testing.assert_array_equal(got, want)


def test_two_momentum_steps_equal_their_closed_form_exactly(setup):
    net, X, Y = setup
    eta, mu = 0.2, 0.9
    o1, o2 = _order(3, len(X), 2)
    probe = net.copy()
    g1 = probe.gradients(X[o1], Y[o1])
    v1 = [0.0 * mu - eta * g for g in g1[0] + g1[1]]  # v <- mu v - eta g, v0 = 0
    theta1 = [p + v for p, v in zip(probe.weights + probe.biases, v1)]  # theta <- theta + v
    for p, t in zip(probe.weights + probe.biases, theta1):
        p[...] = t
    g2 = probe.gradients(X[o2], Y[o2])
    v2 = [mu * v - eta * g for v, g in zip(v1, g2[0] + g2[1])]
    theta2 = [t + v for t, v in zip(theta1, v2)]
    net.fit(X, Y, epochs=2, batch_size=len(X), learning_rate=eta, momentum=mu, seed=3)
    for got, want in zip(net.weights + net.biases, theta2):
        np.testing.assert_array_equal(got, want)


def soft(W, t):
    """sign(W) max(|W| - t, 0), entrywise (eq-pg-l1), written out independently."""
    return np.sign(W) * np.maximum(np.abs(W) - t, 0.0)


@pytest.mark.parametrize(("mu", "lam2"), [(0.0, 0.0), (0.0, 0.05), (0.9, 0.05)])
def test_sgd_steps_with_l1_equal_their_closed_form_exactly(setup, mu, lam2):
    """Two full-batch steps of fit with l1: the plain (or L2, or momentum) step, then every
    weight soft-thresholded by eta * lambda_1; the biases take the step without threshold, and
    the velocity keeps the step before the threshold."""
    net, X, Y = setup
    eta, lam1 = 0.3, 0.2
    probe = net.copy()
    vW = [np.zeros_like(W) for W in probe.weights]
    vb = [np.zeros_like(b) for b in probe.biases]
    for order in _order(11, len(X), 2):
        dW, db = probe.gradients(X[order], Y[order])
        for l, (W, b) in enumerate(zip(probe.weights, probe.biases)):
            vW[l] = mu * vW[l] - eta * (dW[l] + lam2 * W)  # (eq-gd-momentum), (eq-pg-l2)
            vb[l] = mu * vb[l] - eta * db[l]
            W[...] = soft(W + vW[l], eta * lam1)  # (eq-pg-l1)
            b += vb[l]
    net.fit(X, Y, epochs=2, batch_size=len(X), learning_rate=eta, momentum=mu, l2=lam2,
            l1=lam1, seed=11)  # fmt: skip
    zeros = sum(int(np.sum(W == 0)) for W in net.weights)
    assert 0 < zeros < sum(W.size for W in net.weights)  # both branches of the threshold ran
    for got, want in zip(net.weights + net.biases, probe.weights + probe.biases):
        np.testing.assert_array_equal(got, want)


def test_l1_stops_a_small_weight_at_zero_and_keeps_it_there():
    """A weight within eta * lambda_1 of zero becomes exactly 0 (the subgradient step
    W - eta lambda_1 sign(W) would carry it across zero, to the other side) and, without a
    gradient larger than lambda_1, stays 0; a larger weight shrinks by eta * lambda_1."""
    eta, lam1 = 0.1, 0.3  # threshold 0.03
    theta = np.array([0.01, -0.02, 0.5, -0.5, 0.0])
    train.update(theta, np.zeros(5), eta, l1=lam1)
    np.testing.assert_array_equal(theta, [0.0, 0.0, 0.47, -0.47, 0.0])
    for _ in range(5):  # no gradient: the zeros stay, the others keep shrinking
        train.update(theta, np.zeros(5), eta, l1=lam1)
    np.testing.assert_array_equal(theta[[0, 1, 4]], 0.0)
    np.testing.assert_allclose(theta[[2, 3]], [0.32, -0.32], rtol=1e-14)  # 0.5 - 6 * 0.03
    # a gradient smaller than lambda_1 cannot move a weight off zero (|g| <= lambda_1 is the
    # L1 optimality condition at 0), with or without momentum; a larger one can
    for velocity in (None, np.zeros(3)):
        zero = np.zeros(3)
        g = np.array([0.2, -0.29, 0.5])
        train.update(zero, g, eta, momentum=0.5, velocity=velocity, l1=lam1)
        np.testing.assert_array_equal(zero[:2], 0.0)
        assert zero[2] == pytest.approx(-eta * (0.5 - lam1), rel=1e-14)


def test_shrink_is_the_proximal_step_of_the_l1_penalty():
    """shrink(v, t) minimises (w - v)^2 / 2 + t |w|: no point of a fine grid does better."""
    t = 0.3
    v = np.array([-1.0, -0.31, -0.3, -0.1, 0.0, 0.2, 0.3, 0.45, 2.0])
    w = v.copy()
    train.shrink(w, t)
    np.testing.assert_array_equal(w, soft(v, t))
    grid = np.linspace(-3, 3, 60001)
    for vi, wi in zip(v, w):
        best = np.min(0.5 * (grid - vi) ** 2 + t * np.abs(grid))
        assert 0.5 * (wi - vi) ** 2 + t * abs(wi) <= best + 1e-12


def test_update_reads_as_its_equation():
    theta, g = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    plain = theta.copy()
    train.update(plain, g, 0.1)
    np.testing.assert_array_equal(plain, theta - 0.1 * g)
    v = np.array([0.2, -0.4])
    with_v, vel = theta.copy(), v.copy()
    train.update(with_v, g, 0.1, momentum=0.5, velocity=vel)
    np.testing.assert_array_equal(vel, 0.5 * v - 0.1 * g)
    np.testing.assert_array_equal(with_v, theta + (0.5 * v - 0.1 * g))
    decayed = theta.copy()
    train.update(decayed, g, 0.1, l2=0.01)
    np.testing.assert_array_equal(decayed, theta - 0.1 * (g + 0.01 * theta))
    np.testing.assert_array_equal(g, [0.5, 0.25])  # the gradient is not consumed


def test_training_path_gradients_equal_gradients(setup):
    net, X, Y = setup
    dW, db, (z, a) = net._gradients(X, Y)  # what fit runs on every minibatch
    gW, gb = net.gradients(X, Y)
    bp = net.backward(X, Y)  # per-sample deltas, summed gradients divided by M
    for l in range(1, net.L + 1):
        np.testing.assert_array_equal(dW[l - 1], gW[l - 1])
        assert gradcheck.relative_error(dW[l - 1], bp.dW[l]) < 1e-12
        assert gradcheck.relative_error(db[l - 1], bp.db[l]) < 1e-12
        np.testing.assert_array_equal(a[l], bp.forward.a[l])


def test_fit_is_the_public_minibatch_loop(setup):
    net, X, Y = setup
    by_hand = net.copy()
    rng = np.random.default_rng(5)
    seen = []
    for _ in range(3):
        for Xb, Yb in train.minibatches(X, Y, 4, rng):
            seen.append(len(Xb))
            train.sgd_step(by_hand, *by_hand.gradients(Xb, Yb), learning_rate=0.1, l2=0.01)
    net.fit(X, Y, epochs=3, batch_size=4, learning_rate=0.1, l2=0.01, seed=5)
    assert seen == [4, 2] * 3
    for got, want in zip(net.weights + net.biases, by_hand.weights + by_hand.biases):
        np.testing.assert_array_equal(got, want)


def test_minibatches_are_the_same_whether_copied_or_gathered(monkeypatch):
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(50, 3)), rng.normal(size=(50, 2))
    copied = list(train.minibatches(X, Y, 8, np.random.default_rng(1)))
    monkeypatch.setattr(train, "GATHER_PER_BATCH", 0)
    gathered = list(train.minibatches(X, Y, 8, np.random.default_rng(1)))
    assert [len(b[0]) for b in copied] == [8] * 6 + [2]
    for (Xc, Yc), (Xg, Yg) in zip(copied, gathered, strict=True):
        np.testing.assert_array_equal(Xc, Xg)
        np.testing.assert_array_equal(Yc, Yg)


def test_running_loss_is_the_mean_of_the_minibatch_losses(setup):
    net, X, Y = setup
    by_hand, rng, losses = net.copy(), np.random.default_rng(0), []
    for Xb, Yb in train.minibatches(X, Y, 3, rng):
        losses.append(by_hand.per_sample_loss(Xb, Yb))
        train.sgd_step(by_hand, *by_hand.gradients(Xb, Yb), learning_rate=0.5)
    history = net.fit(X, Y, epochs=1, batch_size=3, learning_rate=0.5, evaluate=False)
    assert history.loss[0] == pytest.approx(np.mean(np.concatenate(losses)), rel=1e-12)


def test_sgd_step_thresholds_the_weights_only(setup):
    net, X, Y = setup
    eta, l1 = 0.1, 0.5  # threshold 0.05: larger than some biases and weights
    for b in net.biases:
        b[...] = np.linspace(-0.04, 0.04, b.size)
    dW, db = net.gradients(X, Y)
    want_b = [b - eta * g for b, g in zip(net.biases, db)]  # biases: the plain step
    step = [W - eta * g for W, g in zip(net.weights, dW)]
    want_W = [np.sign(s) * np.maximum(np.abs(s) - eta * l1, 0.0) for s in step]  # (eq-pg-l1)
    train.sgd_step(net, dW, db, eta, l1=l1)
    for got, want in zip(net.weights + net.biases, want_W + want_b):
        np.testing.assert_array_equal(got, want)
