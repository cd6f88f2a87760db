"""The playground's model (no widgets): features, settings checks, BLAS threads, reproducibility."""

import numpy as np
import pytest

from backprop.explore import playground as pg


def test_feature_map_columns_follow_the_names():
    X = np.array([[0.5, -2.0], [1.0, 3.0]])
    F = pg.feature_map(X, ("x1", "x2^2", "x1*x2", "sin(x2)"))
    np.testing.assert_array_equal(F[:, 0], X[:, 0])
    np.testing.assert_array_equal(F[:, 1], X[:, 1] ** 2)
    np.testing.assert_array_equal(F[:, 2], X[:, 0] * X[:, 1])
    np.testing.assert_array_equal(F[:, 3], np.sin(X[:, 1]))
    assert set(pg.FEATURES) == {"x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"}


@pytest.mark.parametrize("features", [(), ("x3",), ("x1", "x1")])
def test_bad_features_are_rejected_by_name(features):
    with pytest.raises(ValueError, match="features must be distinct names"):
        pg.Settings(features=features)


def test_features_set_the_input_size_but_not_for_the_digits():
    assert pg.Settings(features=["x1", "x1^2", "x2^2"]).sizes == (3, 8, 8, 2)
    assert pg.Settings(features=["x1"]).features == ("x1",)  # stored as a tuple
    assert pg.DIGITS_DEFAULTS.replace(features=("x1",)).sizes[0] == 64


def test_train_uses_the_features_on_data_and_grid():
    r = pg.train(pg.Settings(features=("x1^2", "x2^2"), epochs=2, n_samples=40, grid=10))
    assert r.net.sizes[0] == 2 and r.boundary.proba.shape == (10, 10, 2)
    expected = r.net.predict(pg.feature_map(r.data.X_test, ("x1^2", "x2^2"))).argmax(axis=1)
    assert r.test_accuracy == np.mean(expected == r.data.y_test)


def test_one_blas_thread_is_temporary():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    before = [i["num_threads"] for i in threadpoolctl.threadpool_info()]
    with pg.one_blas_thread():  # NumPy's own BLAS (the one the playground's matmuls use)
        info = threadpoolctl.threadpool_info()
        numpy_blas = [i for i in info if i["user_api"] == "blas" and "numpy" in i["filepath"]]
        assert numpy_blas and all(i["num_threads"] == 1 for i in numpy_blas)
    assert [i["num_threads"] for i in threadpoolctl.threadpool_info()] == before


def test_equal_settings_give_bit_identical_runs():
    s = pg.Settings(epochs=3, n_samples=50, grid=8)
    a, b = pg.train(s), pg.train(s)
    np.testing.assert_array_equal(a.train_loss, b.train_loss)
    np.testing.assert_array_equal(a.grad_norms, b.grad_norms)
    for Wa, Wb in zip(a.net.weights, b.net.weights):
        np.testing.assert_array_equal(Wa, Wb)


def test_dead_relus_are_reported_in_words_not_as_an_empty_panel():
    # a large rate kills every ReLU of a 2-neuron network: all gradients are exactly zero
    s = pg.Settings(
        dataset="spirals",
        classes=3,
        hidden_layers=2,
        neurons=2,
        activation="relu",
        learning_rate=2.82,
        batch_size=16,
        epochs=40,
    )
    result = pg.train(s)
    assert np.all(result.grad_norms[-1] == 0)
    assert any(
        n.startswith("Dead units: from epoch 1 on the gradient of W^1, W^2, W^3")
        for n in result.notes
    )
    assert "Dead units" in result.text
    # a healthy default run has no such note
    assert not any("Dead units" in n for n in pg.train(pg.Settings()).notes)


def test_gradient_notes_name_only_the_dead_layers():
    norms = np.array([[1.0, 2.0, 3.0], [0.5, 0.0, 1.0], [0.4, 0.0, 0.0]])
    (note,) = pg.gradient_notes(norms)
    assert note.startswith("Dead units: from epoch 2 on the gradient of W^2, W^3 is exactly zero")
