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


def test_the_accuracy_curve_is_the_accuracy_of_the_run_stopped_at_each_epoch():
    s = pg.Settings(epochs=6, grid=8)
    run = pg.train(s)
    assert run.test_accuracies.shape == (7,) and run.test_accuracies[-1] == run.test_accuracy
    for e in (1, 3, 5):  # the same seeds: a shorter run is this run stopped earlier
        assert run.test_accuracies[e] == pg.train(s.replace(epochs=e)).test_accuracy
    untrained = pg.train(s.replace(epochs=1, learning_rate=1e-300))  # a step that moves nothing
    assert run.test_accuracies[0] == untrained.test_accuracy
    wild = pg.train(s.replace(epochs=50, learning_rate=10.0, momentum=0.99, activation="identity"))
    assert wild.history.diverged and len(wild.test_accuracies) == len(wild.train_loss)
    assert "→" in run.message and f"test accuracy {100 * run.test_accuracy:.1f} %." in run.message
    mean, low, high = run.recent_accuracy(4)
    assert (low, high) == (min(run.test_accuracies[3:]), max(run.test_accuracies[3:]))
    assert mean == pytest.approx(np.mean(run.test_accuracies[3:]), rel=1e-15)
    assert run.recent_accuracy(100)[1] == min(run.test_accuracies[1:])  # never the untrained net
    with pytest.raises(ValueError, match="n must be an integer >= 1, got 0"):
        run.recent_accuracy(0)


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
        n.startswith("Dead units: from epoch 1 on the gradient of W¹, W², W³") for n in result.notes
    )
    assert "Dead units" in result.text
    # a healthy default run has no such note
    assert not any("Dead units" in n for n in pg.train(pg.Settings()).notes)


def test_l1_words_count_the_zeros_and_replace_the_dead_unit_words():
    """L1 leaves weights at exactly 0 and the words count them; when a whole layer is 0 the
    words say so, and do not blame dead ReLUs for the zero gradients below it."""
    sparse = pg.train(pg.Settings(l1=0.01, epochs=30, grid=8))
    zeros = sum(int(np.sum(W == 0)) for W in sparse.net.weights)
    assert 0 < zeros < 96 and sparse.notes == (f"L1 set {zeros} of 96 weights to exactly 0.",)
    flat = pg.train(pg.Settings(l1=0.3, epochs=5, grid=8))
    assert not any(np.any(W) for W in flat.net.weights)
    assert any(n.startswith("Dead units") for n in pg.gradient_notes(flat.grad_norms))
    (note,) = flat.notes
    assert note.startswith("L1 set every weight of layers 1, 2, 3 to exactly 0")
    assert "ηλ = 0.09" in note and "Dead units" not in flat.text
    assert pg.train(pg.Settings(epochs=2, grid=8)).notes == ()  # no L1, no L1 words


def test_gradient_notes_name_only_the_dead_layers():
    norms = np.array([[1.0, 2.0, 3.0], [0.5, 0.0, 1.0], [0.4, 0.0, 0.0]])
    (note,) = pg.gradient_notes(norms)
    assert note.startswith("Dead units: from epoch 2 on the gradient of W², W³ is exactly zero")


@pytest.mark.parametrize(
    ("first", "words"),
    [
        ([1e-5] + [1.0] * 6, "the gradient of W¹ is 1.0e-05 times that of W⁷"),
        ([1e3, 1.0], "the gradient of W¹ is 1.0e+03 times that of W²"),
    ],
)
def test_gradient_notes_write_layer_indices_as_superscripts(first, words):
    """A reader sees W¹ as the text prints $W^1$, never the caret of a LaTeX source."""
    (note,) = pg.gradient_notes(np.array([first]))
    assert words in note and "^" not in note
    assert pg.weight_symbol(10) == "W¹⁰"


# --------------------------------------------------------------------------- settings in
def test_a_mapping_of_settings_means_the_defaults_with_those_changed():
    a = pg.train({"epochs": 2, "n_samples": 40, "grid": 8})
    b = pg.train(pg.Settings(epochs=2, n_samples=40, grid=8))
    np.testing.assert_array_equal(a.train_loss, b.train_loss)
    assert a.settings == b.settings
    c = pg.train_curve({"epochs": 3})
    np.testing.assert_array_equal(c.loss, pg.train_curve(pg.CurveSettings(epochs=3)).loss)


@pytest.mark.parametrize("bad", [[("epochs", 2)], "moons", 3, pg.CurveSettings()])
def test_settings_of_another_kind_are_a_type_error_naming_what_came(bad):
    with pytest.raises(TypeError, match="settings must be a Settings, a mapping"):
        pg.train(bad)


def test_an_unknown_setting_is_named_with_the_known_ones():
    with pytest.raises(TypeError, match=r"Settings has no setting 'learning-rate'.*'epochs'"):
        pg.train({"learning-rate": 0.1})
    with pytest.raises(TypeError, match="CurveSettings has no setting 'neurons'"):
        pg.train_curve({"neurons": 3})
    with pytest.raises(TypeError, match="has no setting 'colour'"):
        pg.Settings().replace(colour="red")


@pytest.mark.parametrize("name", ["grid", "n_samples", "neurons", "hidden_layers"])
def test_absurd_sizes_are_refused_before_anything_is_allocated(name):
    limit = pg.LIMITS[name]
    assert pg.Settings().replace(**{name: limit}).grid > 0  # the limit itself is allowed
    with pytest.raises(ValueError, match=rf"{name} must be an integer in \[\d, {limit:,}\], got"):
        pg.train({name: 10**9})


def test_a_grid_of_ten_to_the_five_is_refused_at_once():
    import time

    start = time.perf_counter()
    with pytest.raises(ValueError, match=r"grid must be an integer in \[1, 400\], got 100000"):
        pg.train({"grid": 10**5})
    assert time.perf_counter() - start < 0.1  # refused, not attempted


@pytest.mark.parametrize(
    ("field", "value", "error", "words"),
    [
        ("n_samples", "200", TypeError, "n_samples must be an integer, got str"),
        ("neurons", 8.0, TypeError, "neurons must be an integer, got float"),
        ("hidden_layers", True, TypeError, "hidden_layers must be an integer, got bool"),
        ("hidden_layers", -1, ValueError, "hidden_layers must be an integer in"),
        ("classes", 2.0, TypeError, "classes must be an integer"),
        ("classes", 3, ValueError, "classes must be 2 .or 3 for the spirals."),
        ("test_fraction", "0.3", TypeError, "test_fraction must be a real number"),
        ("test_fraction", 1.0, ValueError, r"test_fraction must lie in \(0, 1\)"),
        ("learning_rate", 0.0, ValueError, "learning_rate"),
        ("learning_rate", float("nan"), ValueError, "learning_rate"),
        ("momentum", 1.0, ValueError, "momentum"),
        ("l2", -1e-3, ValueError, "l2"),
        ("noise", "0.2", TypeError, "noise"),
        ("dataset", 3, TypeError, "dataset must be a string"),
        ("activation", "softplus", ValueError, "activation"),
        ("features", "x1", TypeError, "features must be a tuple of names"),
        ("features", ("x1", 2), ValueError, "features must be distinct names"),
        ("seed", -1, ValueError, "seed must be an integer"),
        ("data_seed", -1, ValueError, "data_seed must be an integer"),
    ],
)
def test_every_setting_is_checked_with_its_name(field, value, error, words):
    with pytest.raises(error, match=words):
        pg.Settings(**{field: value})


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [("hidden", 10**6, ValueError), ("batch_size", 0, ValueError), ("noise", None, TypeError),
     ("epochs", 2.5, TypeError), ("momentum", 1.5, ValueError), ("seed", -3, ValueError)],
)  # fmt: skip
def test_curve_settings_are_checked_with_their_name(field, value, error):
    with pytest.raises(error, match=field):
        pg.CurveSettings(**{field: value})


# --------------------------------------------------------------------------- progress and words
def test_progress_returning_false_stops_the_run():
    seen = []

    def progress(epoch, epochs):
        seen.append((epoch, epochs))
        return False if epoch == 3 else None

    r = pg.train({"epochs": 40, "n_samples": 40, "grid": 8}, progress=progress)
    assert seen == [(1, 40), (2, 40), (3, 40)]
    assert r.history.stopped_early and r.history.epochs_run == 3 and len(r.train_loss) == 4
    c = pg.train_curve({"epochs": 30}, progress=lambda e, n: e < 5)
    assert c.history.epochs_run == 5
    with pytest.raises(TypeError, match="progress must be callable"):
        pg.train({"epochs": 1}, progress=3)


def test_counts_read_right_in_singular_and_plural():
    full = pg.train_curve(pg.CurveSettings(batch_size=64, n_samples=64, epochs=1))
    assert full.message.startswith("1 epoch of 1 update each: loss")
    two = pg.train_curve(pg.CurveSettings(batch_size=32, n_samples=64, epochs=2))
    assert two.message.startswith("2 epochs of 2 updates each: loss")
    assert pg.train({"epochs": 1, "grid": 8}).message.startswith("Trained 1 epoch in ")
    assert "(1 update)" in pg.headline(full)


def test_largest_rise_finds_the_climb_from_the_lowest_point_before_it():
    assert pg.largest_rise([1.0, 0.1, 0.25, 0.05]) == (2.5, 1, 2)
    assert pg.largest_rise([1.0, 0.5, 0.25]) == (1.0, 0, 0)
    assert pg.largest_rise([1.0, np.nan, 0.5, 1.5]) == (3.0, 2, 3)


def _curve(loss, status="ok"):
    loss = np.asarray(loss, dtype=float)
    return pg.CurveResult(
        pg.CurveSettings(), None, None, loss, np.arange(len(loss)) * 8, status, ""
    )


def test_a_run_whose_loss_rose_on_the_way_is_not_called_converging():
    # mostly falling (rises in 1 of 6 epochs), but 2.5x up from epoch 2 to 3
    words = pg.headline(_curve([1.0, 0.5, 0.1, 0.25, 0.08, 0.05, 0.04]))
    assert words.startswith("Unstable: the loss rose 2.5× on the way (from epoch 2 to epoch 3)")
    assert "Converging" not in words and "smaller learning rate" in words
    assert pg.headline(_curve([1.0, 0.5, 0.3, 0.2, 0.15, 0.12])).startswith("Converging: loss 1")
    wavy = [1.0, 0.8, 0.85, 0.6, 0.65, 0.5, 0.55, 0.45]  # small rises in 3 of 7 epochs
    assert pg.headline(_curve(wavy)).startswith("Decreasing, but oscillating")
    # a real run: online learning at eta = 0.1 climbs more than 1.5x near its floor
    real = pg.train_curve(pg.CurveSettings(learning_rate=0.1, batch_size=1))
    rise, i, j = pg.largest_rise(real.loss)
    assert rise >= pg.RISE and pg.headline(real).startswith(f"Unstable: the loss rose {rise:.3g}×")


def test_rises_within_minibatch_noise_are_not_called_oscillating():
    def falling(bump):  # 0.97 per epoch, but every third epoch up by `bump`: 20 rises of 60
        loss = [1.0]
        for e in range(1, 61):
            loss.append(loss[-1] * (bump if e % 3 == 0 else 0.97))
        return loss

    assert 1.01 < 1 + pg.WOBBLE < 1.03
    assert pg.headline(_curve(falling(1.01))).startswith("Converging: loss 1")
    assert pg.headline(_curve(falling(1.03))).startswith("Decreasing, but oscillating")
    # the explorer's default run: bumps of at most 3 % in 14 of 60 epochs, a steady fall, as
    # the gradient-descent chapter describes it
    default = pg.train_curve(pg.CurveSettings())
    assert np.count_nonzero(np.diff(default.loss) > 0) > 60 / 5
    assert pg.headline(default).startswith("Converging: loss 0.305")


def test_training_settings_have_one_rule_the_one_fit_applies(monkeypatch):
    import backprop.train

    calls = []
    real = backprop.train.check_settings

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(pg, "check_settings", spy)
    pg.Settings(learning_rate=0.2, epochs=7)
    pg.CurveSettings(momentum=0.5)
    assert [c["learning_rate"] for c in calls] == [0.2, 0.1]
    assert calls[0]["epochs"] == 7 and calls[1]["momentum"] == 0.5
    with pytest.raises(ValueError, match="momentum"):
        pg.Settings(momentum=1.0)
