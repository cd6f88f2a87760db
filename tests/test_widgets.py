"""The playground's widgets, driven in code: set a control, assert what the reader would see.

Every test sets control values the way a click does (``control.value = v`` or
``Playground.set``) and asserts the model (sizes, activation), the figure data (boundary
grid, curves) and the words under the figure. Rendering uses Agg (see conftest.py).
"""

import base64
import html
import re

import numpy as np
import pytest

ipywidgets = pytest.importorskip("ipywidgets")

import backprop  # noqa: E402
from backprop.explore import playground as pg  # noqa: E402
from backprop.explore import widgets  # noqa: E402

FAST = pg.Settings(n_samples=80, epochs=8, grid=20)
"""Small runs: the tests assert behaviour, not accuracy."""


@pytest.fixture
def play():
    return widgets.Playground(FAST)


def test_controls_show_the_settings(play):
    assert set(play.controls) <= {f.name for f in pg.dataclasses.fields(pg.Settings)}
    assert {"hidden_layers", "neurons", "activation", "learning_rate", "batch_size", "epochs",
            "l2", "noise", "test_fraction", "seed", "loss", "dataset", "features"} <= set(
        play.controls
    )  # fmt: skip
    assert play.settings() == FAST
    assert isinstance(play.controls["learning_rate"], ipywidgets.FloatLogSlider)


def test_layers_neurons_activation_change_the_model(play):
    before = play.png
    play.set(hidden_layers=3, neurons=5, activation="relu")
    net = play.result.net
    assert net.sizes == (2, 5, 5, 5, 2) and net.hidden == "relu"
    assert play.figure_data["grad_norms"].shape == (FAST.epochs + 1, 4)
    assert play.figure_data["sizes"] == (2, 5, 5, 5, 2)
    assert play.png != before
    play.controls["hidden_layers"].value = 0  # one control by hand: a linear classifier
    assert play.result.net.sizes == (2, 2)


def test_dataset_classes_and_features(play):
    play.set(dataset="spirals3")
    assert play.result.settings.dataset == "spirals" and play.result.net.sizes[-1] == 3
    assert play.figure_data["proba"].shape == (FAST.grid, FAST.grid, 3)
    assert set(np.unique(play.result.data.y_train)) == {0, 1, 2}
    play.set(dataset="circles", features=("x1", "x2", "x1^2"))
    assert play.result.net.sizes[0] == 3 and play.result.settings.classes == 2


def test_curves_and_progress_follow_epochs_and_loss(play):
    play.set(epochs=5, loss="mse")
    fd = play.figure_data
    assert fd["train_loss"].shape == fd["test_loss"].shape == (6,)
    np.testing.assert_array_equal(fd["epochs"], np.arange(6))
    assert play.progress.max == play.progress.value == 5
    assert play.result.net.loss_name == "mse"
    np.testing.assert_array_equal(fd["train_loss"], play.result.train_loss)


def test_boundary_grid_covers_the_data_and_moves_with_the_seed(play):
    fd = play.figure_data
    assert fd["boundary"].shape == (FAST.grid, FAST.grid)
    X = np.concatenate([play.result.data.X_train, play.result.data.X_test])
    assert fd["xs"][0] < X[:, 0].min() and fd["xs"][-1] > X[:, 0].max()
    assert fd["ys"][0] < X[:, 1].min() and fd["ys"][-1] > X[:, 1].max()
    np.testing.assert_allclose(fd["proba"].sum(axis=-1), 1.0, rtol=1e-12)
    before = fd["proba"].copy()
    play.set(seed=3)
    assert not np.allclose(play.figure_data["proba"], before)


def test_noise_and_test_share_change_the_data(play):
    n_test = len(play.result.data.y_test)
    play.set(test_fraction=0.5, noise=0.0)
    assert len(play.result.data.y_test) == FAST.n_samples // 2 != n_test
    play.set(data_seed=1)
    assert play.result.settings.data_seed == 1


def test_l2_batch_and_momentum_reach_the_training(play):
    play.set(l2=0.1, batch_size=4, momentum=0.5)
    s = play.result.settings
    assert (s.l2, s.batch_size, s.momentum) == (0.1, 4, 0.5)
    weights_l2 = sum(float(np.sum(W**2)) for W in play.result.net.weights)
    play.set(l2=0.0)
    assert sum(float(np.sum(W**2)) for W in play.result.net.weights) > weights_l2


def test_overshoot_is_reported_in_words_not_nan(play):
    play.set(learning_rate=10.0, epochs=20)
    assert play.result.status == "overshoot"
    assert "overshoots" in play.message and "Try a learning rate below 1 " in play.message
    assert play.progress.bar_style == "warning"
    assert "#b00020" in play.text.value
    assert np.all(np.isfinite(play.figure_data["train_loss"]))


def test_divergence_is_reported_in_words(play):
    play.set(activation="identity", learning_rate=10.0, hidden_layers=6)
    assert play.result.status == "diverged"
    assert play.message.startswith("Training diverged at epoch 1")
    assert "Try a learning rate below 1 " in play.message
    for key in ("train_loss", "test_loss"):
        assert np.all(np.isfinite(play.figure_data[key]))  # only the epochs before it
    assert play.progress.bar_style == "danger"
    assert np.all(np.isfinite(play.result.net.predict(play.result.data.X_test)))


def test_vanishing_gradients_are_named(play):
    play.set(hidden_layers=6, activation="sigmoid")
    assert "Vanishing gradients" in play.message
    norms = play.figure_data["grad_norms"]
    assert norms.shape[1] == 7 and norms[0, 0] < 1e-2 * norms[0, -1]


def test_same_settings_reproduce_and_a_change_retrains_from_the_same_seed(play):
    first = (play.png, play.figure_data["train_loss"].copy())
    other = widgets.Playground(FAST)
    assert other.png == first[0]
    play.set(seed=5)
    assert play.png != first[0]
    play.set(seed=FAST.seed)
    assert play.png == first[0]
    np.testing.assert_array_equal(play.figure_data["train_loss"], first[1])


def test_output_holds_the_figure(play):
    (output,) = play.output.outputs
    assert output["output_type"] == "display_data"
    assert base64.b64decode(output["data"]["image/png"]) == play.png
    assert play.png.startswith(b"\x89PNG")


def test_save_writes_a_loadable_npz(play, tmp_path):
    play.save_path.value = str(tmp_path / "net")
    play.save_button.click()
    path = tmp_path / "net.npz"
    assert path.exists() and str(path) in play.message
    loaded = backprop.Network.load(path)
    X = play.result.data.X_test
    np.testing.assert_array_equal(loaded.predict(X), play.result.net.predict(X))
    assert loaded.sizes == play.result.net.sizes and loaded.hidden == play.result.net.hidden


def test_impossible_settings_give_words_and_unknown_controls_raise(play):
    play.set(features=())
    assert "cannot be trained" in play.message and "features" in play.message
    with pytest.raises(KeyError, match="no control named"):
        play.set(colour="red")


def test_digits_playground():
    play = widgets.Playground(pg.DIGITS_DEFAULTS.replace(epochs=2, neurons=8))
    assert "dataset" not in play.controls and "features" not in play.controls
    assert play.result.net.sizes == (64, 8, 10)
    fd = play.figure_data
    assert fd["confusion"].shape == (10, 10) and "boundary" not in fd
    assert fd["confusion"].sum() == len(play.result.data.y_test)
    assert len(fd["misclassified"]) == fd["confusion"].sum() - np.trace(fd["confusion"])
    before = play.png
    play.set(noise=0.3, hidden_layers=2)
    assert play.result.net.sizes == (64, 8, 8, 10) and play.png != before


@pytest.fixture(scope="module")
def explorer():
    return widgets.precomputed_explorer(pg.Settings(n_samples=60, epochs=4, grid=16))


def test_explorer_has_24_images_and_dom_classes(explorer):
    images = [img for row in explorer.images for img in row]
    assert len(images) == 24 and len(explorer.outer.children) == 6
    assert all(len(inner.children) == 4 for inner in explorer.outer.children)
    assert all(bytes(img.value).startswith(b"\x89PNG") for img in images)
    assert len({bytes(img.value) for img in images}) == 24  # every run draws its own figure
    assert all("bp-explorer-figure" in img._dom_classes for img in images)
    assert "bp-explorer" in explorer.widget._dom_classes
    assert "bp-explorer-lr" in explorer.lr_slider._dom_classes
    assert "bp-explorer-hidden" in explorer.hidden_slider._dom_classes
    assert explorer.total_bytes < 1_500_000


def test_explorer_links_sliders_to_stacks(explorer):
    lr, hidden, outer = explorer.lr_slider, explorer.hidden_slider, explorer.outer
    assert [v for _, v in lr.options] == list(widgets.LEARNING_RATES)
    assert [v for _, v in hidden.options] == list(widgets.HIDDEN_SIZES)
    links = [(link.source, link.target) for link in explorer.links]
    assert isinstance(explorer.links[0], ipywidgets.widgets.widget_link.Link)
    assert links[0] == ((lr, "index"), (outer, "selected_index"))
    n = len(outer.children)
    assert links[1 : 1 + n] == [
        ((hidden, "index"), (inner, "selected_index")) for inner in outer.children
    ]
    assert links[1 + n : 3 + n] == [
        ((lr, "index"), (explorer.values[0], "selected_index")),
        ((hidden, "index"), (explorer.values[1], "selected_index")),
    ]
    notes = explorer.notes  # the words under the images: nested and linked like the images
    assert links[3 + n :] == [((lr, "index"), (notes, "selected_index"))] + [
        ((hidden, "index"), (inner, "selected_index")) for inner in notes.children
    ]
    assert notes.selected_index == outer.selected_index
    # no typable readout (it goes blank); the linked labels show the values instead
    assert not lr.readout and not hidden.readout
    shown = [v.children[v.selected_index].value for v in explorer.values]
    assert shown == [
        '<span class="bp-explorer-value">0.3</span>',
        '<span class="bp-explorer-value">8</span>',
    ]
    assert outer.selected_index == lr.index and lr.value == 0.3  # the default rate
    assert all(inner.selected_index == hidden.index for inner in outer.children)
    assert hidden.value == 8


def test_explorer_runs_are_the_grid(explorer):
    for row, lr in zip(explorer.runs, widgets.LEARNING_RATES):
        for (settings, status, accuracy), n in zip(row, widgets.HIDDEN_SIZES):
            assert settings.learning_rate == lr and settings.neurons == n
            assert status in ("ok", "overshoot", "diverged") and 0 <= accuracy <= 1


def test_explorer_says_under_the_image_what_went_wrong(explorer):
    # in the image the words would be too small on a phone; as text they wrap
    for runs, notes in zip(explorer.runs, explorer.notes.children):
        for (settings, status, _), note in zip(runs, notes.children):
            said = re.sub(r"<[^>]+>", "", note.value)
            assert 'class="bp-explorer-note"' in note.value
            assert (status != "ok") <= ("learning rate" in said), (settings, said)
            if said:
                assert html.unescape(said) == pg.train(settings).text


# --------------------------------------------------------------------------- checked values
@pytest.mark.parametrize(
    ("values", "words"),
    [
        (dict(neurons=1000), r"neurons must lie in \[1, 32\] .*got 1000"),
        (dict(learning_rate=100.0), r"learning_rate must lie in \[0.001, 10\] .*got 100"),
        (dict(hidden_layers=-1), r"hidden_layers must lie in \[0, 6\]"),
        (dict(momentum=0.99), r"momentum must lie in \[0, 0.95\]"),
        (dict(test_fraction=0.95), r"test_fraction must lie in \[0.1, 0.9\]"),
        (dict(seed=-1), r"seed must lie in \[0, 1e\+06\]"),
        (dict(batch_size=3), r"batch_size must be one of \[1, 2, 4, 8, 16"),
        (dict(l2=0.5), r"l2 must be one of \[0.0, 0.0001"),
        (dict(dataset="iris"), r"dataset must be one of \['moons'"),
        (dict(features=("x9",)), r"features must be a tuple of values from \['x1'"),
        (dict(neurons=4, epochs=0), r"epochs must lie in \[1, 500\]"),
    ],
)
def test_set_refuses_values_the_control_would_clamp(play, values, words):
    before = (play.settings(), play.png)
    with pytest.raises(ValueError, match=words):
        play.set(**values)
    assert (play.settings(), play.png) == before  # nothing moved, nothing retrained


def test_set_refuses_values_of_the_wrong_type(play):
    with pytest.raises(TypeError, match="neurons must be an integer, got float 2.5"):
        play.set(neurons=2.5)
    with pytest.raises(TypeError, match="learning_rate must be a number, got str"):
        play.set(learning_rate="0.1")


def test_settings_beyond_the_default_ranges_widen_the_controls():
    play = widgets.Playground(FAST.replace(neurons=40, epochs=3, learning_rate=20.0))
    assert play.settings() == play.base and play.result.net.sizes == (2, 40, 40, 2)
    assert play.controls["neurons"].max == 40


def test_playground_takes_a_mapping_and_refuses_other_things():
    play = widgets.Playground({"n_samples": 60, "epochs": 2, "grid": 10})
    assert play.result.settings == pg.Settings(n_samples=60, epochs=2, grid=10)
    with pytest.raises(TypeError, match="settings must be a Settings"):
        widgets.Playground([("epochs", 2)])


# --------------------------------------------------------------------------- words
def test_a_failed_save_replaces_the_saved_line_by_the_error(play, tmp_path):
    play.save_path.value = str(tmp_path / "good.npz")
    play.save_button.click()
    assert play.message.startswith("Saved the trained network")
    play.save_path.value = str(tmp_path / "no" / "such" / "folder" / "net.npz")
    play.save_button.click()  # the click does not raise: the widget says what happened
    assert play.message.startswith("Could not save the network to ")
    assert "Saved" not in play.message and "#b00020" in play.text.value
    with pytest.raises(OSError):
        play.save(tmp_path / "missing" / "net")


def test_npz_files_are_ignored_by_git():
    from pathlib import Path

    ignore = (Path(__file__).parents[1] / ".gitignore").read_text().split()
    assert "*.npz" in ignore


def test_digits_words_are_shown_once_under_the_figure_not_also_in_it():
    play = widgets.Playground(pg.DIGITS_DEFAULTS.replace(epochs=3, neurons=8))
    play.set(learning_rate=10.0, hidden_layers=3)
    assert play.result.status != "ok" and play.message
    assert play._figure.text.get_text() == ""  # not drawn into the image
    static = widgets.DigitsFigure(words=True)  # the chapter's static figure keeps them
    static.update(play.result)
    assert static.text.get_text().startswith(play.result.text[:40])


def test_the_words_say_what_the_figure_shows_while_training(play):
    states, bars = [], []
    play.state_label.observe(lambda c: states.append(c["new"]), names="value")
    play.progress.observe(lambda c: bars.append(c["new"]), names="value")
    play.set(epochs=5)  # a quick run sends no progress, only its result
    assert len(states) == 1 and bars == [5]
    assert re.fullmatch(r"<span>trained 5 epochs \(\d\.\d\d s\)</span>", states[0])
    play.set(epochs=150, batch_size=1)  # a long one says how far it is
    assert any(s.startswith("<span>training… epoch ") and "/150" in s for s in states[1:-1])
    assert play.state.startswith("trained 150 epochs (") and play.progress.value == 150


def test_the_live_boxes_carry_a_note_for_a_dead_kernel(play):
    note = play.widget.children[0]
    assert "bp-dead-note" in note._dom_classes and "bp-live" in play.widget._dom_classes
    assert "not connected to a running Python kernel" in note.value
    assert "run the cells above again and then this one" in note.value
    assert ".bp-dead-note.jupyter-widgets-disconnected{display:block" in note.value


# --------------------------------------------------------------------------- from the browser
def _browser_move(control, value):
    """What ipywidgets does with a reader's move: set_state under the property lock."""
    if isinstance(control, ipywidgets.Dropdown):
        index = [o[1] if isinstance(o, tuple) else o for o in control.options].index(value)
        control.set_state({"index": index})
    else:
        control.set_state({"value": value})


def test_a_browser_move_trains_in_the_background_and_a_newer_one_supersedes_it():
    import time

    play = widgets.Playground(FAST.replace(batch_size=1, epochs=2))
    _browser_move(play.controls["epochs"], 400)  # about 4 s of training
    time.sleep(0.5)
    assert play.result.settings.epochs == 2  # returned at once: the old figure still shows
    assert play.state.startswith("training… epoch ") and "/400" in play.state
    start = time.perf_counter()
    _browser_move(play.controls["epochs"], 3)  # the reader moves on: the 400-epoch run stops
    assert play.wait(30).result.settings.epochs == 3
    assert time.perf_counter() - start < 1.5
    assert play.runner.superseded == 1 and play.state.startswith("trained 3 epochs (")
    assert play.figure_data["train_loss"].shape == (4,)
    np.testing.assert_array_equal(
        play.figure_data["train_loss"], pg.train(play.settings()).train_loss
    )


def test_a_code_change_during_a_browser_run_wins():
    play = widgets.Playground(FAST.replace(batch_size=1, epochs=2))
    _browser_move(play.controls["epochs"], 400)
    play.set(epochs=4, seed=2)  # synchronous: the background run becomes obsolete
    assert play.result.settings.epochs == 4 and play.result.settings.seed == 2
    play.wait(30)
    assert play.result.settings.seed == 2 and play.runner.superseded == 1


def test_a_failing_background_run_is_reported_in_the_widget(play, monkeypatch):
    def broken(settings, progress):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(play.runner, "train", broken)
    _browser_move(play.controls["seed"], 4)
    play.wait(10)
    assert play.message == "This run failed: RuntimeError: out of memory"
    assert play.state == "failed" and play.progress.bar_style == "danger"


def test_an_interrupted_run_says_how_to_go_on(play, monkeypatch):
    def interrupted(settings, progress):
        progress(1, settings.epochs)
        raise KeyboardInterrupt

    monkeypatch.setattr(play.runner, "train", interrupted)
    with pytest.raises(KeyboardInterrupt):
        play.set(seed=3)  # in code the interrupt reaches the cell, as it should
    assert play.state == "interrupted" and play.message.startswith("Training was interrupted")
    monkeypatch.undo()
    play.set(seed=0)  # and the next change trains again
    assert play.state.startswith(f"trained {FAST.epochs} epochs (")


def test_the_digits_widget_blits_the_pixels_of_a_full_draw():
    import io

    from PIL import Image

    def pixels(png):
        return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))

    play = widgets.Playground(pg.DIGITS_DEFAULTS.replace(epochs=3, neurons=8))
    for values in ({}, dict(learning_rate=10.0, hidden_layers=3), dict(epochs=4)):
        if values:
            play.set(**values)
        shown = pixels(play.png)  # background + what changed
        full = pixels(widgets.png_bytes(play._figure.fig))  # everything drawn again
        assert shown.shape == full.shape
        assert np.any(shown != full, axis=-1).mean() < 0.005  # antialiased spine edges only
    assert play._figure.fig._suptitle.get_text().startswith("digits, layers [64, 8, 8, 8, 10]")
