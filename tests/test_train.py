"""Training: it learns, it is reproducible, and it fails loudly instead of silently."""

import numpy as np
import pytest

import backprop
from backprop import datasets


def test_xor_reaches_full_training_accuracy():
    X, y = datasets.xor()
    net = backprop.Network([2, 4, 1], hidden="tanh", output="sigmoid", loss="cross_entropy", seed=0)
    history = net.fit(X, y[:, None], epochs=500, batch_size=4, learning_rate=0.5)
    assert not history.diverged
    assert net.accuracy(X, y) == 1.0


def test_digits_test_accuracy_at_least_95_percent():
    # The documented configuration (README): 64-64-10, tanh, softmax cross-entropy,
    # 30 epochs of minibatch 32 at rate 0.1 with momentum 0.9. Trains in about a second.
    X_tr, X_te, y_tr, y_te = datasets.digits(seed=0)
    net = backprop.Network(
        [64, 64, 10], hidden="tanh", output="softmax", loss="cross_entropy", seed=0
    )
    net.fit(X_tr, y_tr, epochs=30, batch_size=32, learning_rate=0.1, momentum=0.9, seed=0)
    assert net.accuracy(X_te, y_te) >= 0.95


def _fit_copy(seed, **kw):
    X, y = datasets.two_moons(64, seed=1)
    net = backprop.Network([2, 8, 2], hidden="tanh", output="softmax", loss="cross_entropy")
    h = net.fit(X, y, epochs=5, batch_size=8, learning_rate=0.2, seed=seed, **kw)
    return net, h


def test_same_seed_gives_bit_identical_weights():
    a, ha = _fit_copy(3, momentum=0.5)
    b, hb = _fit_copy(3, momentum=0.5)
    assert all(np.array_equal(x, y) for x, y in zip(a.weights + a.biases, b.weights + b.biases))
    assert ha.loss == hb.loss


def test_different_seed_gives_different_order():
    a, _ = _fit_copy(3)
    b, _ = _fit_copy(4)
    assert not np.array_equal(a.weights[0], b.weights[0])


def test_sampling_is_without_replacement_and_reshuffled_each_epoch():
    # A linear network with one weight per sample index records which samples it sees.
    M = 12
    X = np.eye(M)
    rng = np.random.default_rng(0)
    seen = [
        tuple(np.argmax(Xb, axis=1))
        for _ in range(3)
        for Xb, _ in backprop.train.minibatches(X, np.zeros((M, 1)), 4, rng)
    ]
    assert [len(b) for b in seen] == [4] * 9
    epochs = [sum(seen[3 * e : 3 * e + 3], ()) for e in range(3)]
    assert all(sorted(e) == list(range(M)) for e in epochs)  # each sample once per epoch
    assert len({e for e in epochs}) == 3  # a new order every epoch


def test_loss_decreases_with_momentum_and_l2():
    X, y = datasets.circles(100, seed=0)
    net = backprop.Network([2, 8, 2], hidden="tanh", output="softmax", loss="cross_entropy")
    h = net.fit(X, y, epochs=40, batch_size=10, learning_rate=0.1, momentum=0.9, l2=1e-4)
    assert h.loss[-1] < 0.5 * h.loss[0]


def test_divergence_stops_and_keeps_finite_weights():
    X, y = datasets.two_moons(50, seed=0)
    Y = y[:, None].astype(float) * 100.0
    net = backprop.Network([2, 16, 1], hidden="relu", output="identity", loss="mse", seed=0)
    h = net.fit(X, Y, epochs=50, batch_size=50, learning_rate=10.0)
    assert h.diverged and h.diverged_epoch is not None
    assert len(h.loss) == h.diverged_epoch - 1
    assert all(np.isfinite(v) for v in h.loss)
    assert all(np.all(np.isfinite(p)) for p in net.weights + net.biases)
    assert "diverged at epoch" in h.message and "learning rate below" in h.message


def test_callback_sees_every_epoch_and_can_stop():
    X, y = datasets.xor()
    net = backprop.Network([2, 3, 1])
    calls = []

    def cb(epoch, n, history):
        calls.append((epoch, len(history.loss)))
        return epoch < 4

    h = net.fit(X, y[:, None], epochs=10, batch_size=2, callback=cb)
    assert calls == [(1, 1), (2, 2), (3, 3), (4, 4)] and h.stopped_early


def test_validation_loss_is_recorded():
    X, y = datasets.two_moons(40, seed=0)
    net = backprop.Network([2, 4, 2], output="softmax", loss="cross_entropy")
    h = net.fit(X[:30], y[:30], epochs=3, validation=(X[30:], y[30:]))
    assert len(h.validation_loss) == 3


def test_running_loss_mode_reports_batch_means():
    X, y = datasets.two_moons(40, seed=0)
    net = backprop.Network([2, 4, 2], output="softmax", loss="cross_entropy")
    h = net.fit(X, y, epochs=2, batch_size=40, evaluate=False)
    net2 = backprop.Network([2, 4, 2], output="softmax", loss="cross_entropy")
    assert h.loss[0] == pytest.approx(net2.loss(X, y))  # full batch: loss before the step
