"""The gradient-descent chapter's widget and path helper, driven in code (no display)."""

import matplotlib

matplotlib.use("Agg")

import html

import numpy as np
import pytest

from backprop.explore import descent
from backprop.explore.playground import CurveSettings, train_curve

SMALL = CurveSettings(epochs=15, n_samples=32, hidden=8)


@pytest.fixture
def explorer():
    return descent.learning_rate_explorer(SMALL)


def test_default_run_converges_and_is_drawn(explorer):
    assert explorer.runs == 1
    assert explorer.result.status == "ok"
    assert explorer.text.startswith("Converging")
    assert explorer.progress.value == SMALL.epochs
    assert explorer.text in explorer.status.value
    loss = explorer.data["loss"]
    assert loss.shape == (SMALL.epochs + 1,) and loss[-1] < loss[0]
    ax_loss, ax_fit = explorer.fig.axes
    assert ax_loss.get_xlabel().startswith("epoch") and "loss" in ax_loss.get_ylabel()
    assert ax_fit.get_xlabel() and ax_fit.get_ylabel()
    assert explorer.fig._suptitle is None  # the words once, under the controls
    assert html.escape(explorer.text) in explorer.status.value
    drawn = [line.get_ydata() for line in ax_loss.get_lines()]
    assert any(np.array_equal(y, loss) for y in drawn)


@pytest.mark.parametrize(
    ("control", "value"), [("rate", 0.3), ("batch", 4), ("batch", 32), ("momentum", 0.5)]
)
def test_moving_a_control_retrains_and_replots(explorer, control, value):
    before_loss, before_png = explorer.data["loss"].copy(), explorer.png
    before_weights = [W.copy() for W in explorer.result.net.weights]
    getattr(explorer, control).value = value
    assert explorer.runs == 2
    assert explorer.png != before_png and explorer.out.outputs[0]["data"]["image/png"]
    assert not np.array_equal(explorer.data["loss"], before_loss)
    assert any(
        not np.array_equal(W, V) for W, V in zip(explorer.result.net.weights, before_weights)
    )
    s = explorer.result.settings
    assert {"rate": s.learning_rate, "batch": s.batch_size, "momentum": s.momentum}[
        control
    ] == pytest.approx(value)
    ax_loss = explorer.fig.axes[0]
    assert any(np.array_equal(line.get_ydata(), explorer.data["loss"]) for line in ax_loss.lines)


def test_same_settings_reproduce_bit_identical_curves(explorer):
    first = explorer.data["loss"].copy()
    explorer.rate.value = 0.5
    explorer.rate.value = SMALL.learning_rate
    assert explorer.runs == 3
    assert np.array_equal(explorer.data["loss"], first)
    other = descent.learning_rate_explorer(SMALL)
    assert np.array_equal(other.data["loss"], first)
    assert np.array_equal(other.data["prediction"], explorer.data["prediction"])


def test_divergent_rate_is_reported_in_words_without_nan(explorer):
    explorer.batch.value = 1
    explorer.rate.value = 5.0
    r = explorer.result
    assert r.status == "diverged"
    e = r.history.diverged_epoch
    assert explorer.text.startswith(f"Diverged at epoch {e}:")
    assert "try a learning rate below 0.5" in explorer.text
    assert explorer.fig._suptitle is None  # the words once, under the controls
    assert html.escape(explorer.text) in explorer.status.value
    assert explorer.progress.bar_style == "danger"
    for ax in explorer.fig.axes:
        for line in ax.get_lines():
            assert np.all(np.isfinite(np.asarray(line.get_xydata(), dtype=float)))
    for key in ("loss", "prediction", "reference_loss"):
        assert np.all(np.isfinite(explorer.data[key]))
    assert explorer.data["clipped"]
    assert explorer.data["loss"].max() <= descent.CLIP * explorer.data["loss"][0]
    # back to the defaults: the words change back
    explorer.set(learning_rate=0.1, batch_size=SMALL.batch_size)
    assert explorer.text.startswith("Converging")


def test_overshoot_at_full_batch_is_reported():
    w = descent.learning_rate_explorer(SMALL.replace(batch_size=32, learning_rate=3.0))
    assert w.result.status == "overshoot"
    assert w.text.startswith("Overshooting") and "try a learning rate below 0.3" in w.text
    assert np.all(np.isfinite(w.data["loss"]))


def test_rate_slider_offers_the_round_rates_of_the_text_with_a_description(explorer):
    import ipywidgets

    assert isinstance(explorer.rate, ipywidgets.SelectionSlider)
    assert [value for _, value in explorer.rate.options] == list(descent.RATES)
    labels = [label for label, _ in explorer.rate.options]
    assert labels[:5] == ["0.001", "0.002", "0.003", "0.005", "0.01"] and labels[-1] == "10"
    # the rates the chapter names can be set exactly, and the slider steps evenly on a log scale
    assert {0.003, 0.03, 0.1, 0.3, 1.0, 3.0} <= set(descent.RATES)
    steps = np.diff(np.log10(descent.RATES))
    assert steps.min() > 0.1 and steps.max() < 0.35
    assert "η" in explorer.rate.description and "B" in explorer.batch.description
    assert list(explorer.batch.options)[-1] == ("32 samples", SMALL.n_samples)
    assert list(explorer.batch.options)[0] == ("1 sample", 1)
    assert explorer.out in explorer.children


def test_descend_quadratic_matches_closed_form_and_stops_at_the_bound():
    H = np.array([[3.0, 1.0], [1.0, 2.0]])
    theta0 = np.array([1.0, -1.0])
    eta = 0.1
    path = descent.descend(lambda t: H @ t, theta0, eta, 20)
    expected = np.linalg.matrix_power(np.eye(2) - eta * H, 20) @ theta0
    np.testing.assert_allclose(path.points[-1], expected, rtol=1e-12)
    assert path.escaped is None and path.steps == 20
    eta_bad = 2.2 / np.linalg.eigvalsh(H).max()
    bad = descent.descend(lambda t: H @ t, theta0, eta_bad, 10_000, bound=5.0)
    assert bad.escaped is not None and bad.steps == bad.escaped < 10_000
    assert np.all(np.isfinite(bad.points)) and np.abs(bad.points).max() <= 5.0


def test_descend_momentum_on_a_constant_gradient():
    g = np.array([1.0, -2.0])
    eta, mu, k = 0.1, 0.9, 400
    path = descent.descend(lambda t: g, np.zeros(2), eta, k, momentum=mu)
    last_step = path.points[-1] - path.points[-2]
    np.testing.assert_allclose(last_step, -eta / (1 - mu) * g * (1 - mu**k), rtol=1e-12)


def test_widget_rejects_a_batch_size_off_the_slider():
    with pytest.raises(ValueError, match="batch_size"):
        descent.LearningRateExplorer(SMALL.replace(batch_size=3))


def test_progress_bar_follows_the_epochs(explorer):
    seen = []
    explorer.progress.observe(lambda change: seen.append(change["new"]), names="value")
    explorer.set(learning_rate=5.0, batch_size=1)  # diverges: the bar stops where it did
    e = explorer.result.history.diverged_epoch
    assert seen[-1] == explorer.progress.value == e - 1 < SMALL.epochs
    assert explorer.progress.bar_style == "danger"
    explorer.set(learning_rate=0.1, batch_size=16)
    assert seen[-1] == SMALL.epochs and explorer.progress.bar_style == "success"
    assert explorer.state.startswith(f"trained {SMALL.epochs} epochs (")


def test_descend_without_a_bound_drops_an_overflowing_iterate():
    # ascent with a huge rate: theta_1 = 1 + 1e200, theta_2 = theta_1 (1 + 1e200) = inf
    with np.errstate(over="ignore"):
        path = descent.descend(lambda t: -t, [1.0], 1e200, 5)
    assert path.escaped == 2
    assert path.steps == 1 and np.all(np.isfinite(path.points))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(theta0=[[1.0, 2.0]]), "1-D"),
        (dict(theta0=[np.nan]), "finite"),
        (dict(bound=0.0), "bound"),
        (dict(grad=lambda t: t[:, None]), "grad must return shape"),
    ],
)
def test_descend_rejects_bad_input(kwargs, match):
    args = dict(grad=lambda t: t, theta0=[1.0, 2.0], learning_rate=0.1, steps=3) | kwargs
    with pytest.raises(ValueError, match=match):
        descent.descend(**args)


# --------------------------------------------------------------------------- polish
def test_one_figure_data_and_one_figure_style_for_both_chapters():
    from backprop.explore import figures, widgets

    assert descent.figure_data is widgets.figure_data is figures.figure_data
    assert descent.CLIP == figures.CLIP
    with pytest.raises(TypeError, match="figure_data takes a playground Result or CurveResult"):
        descent.figure_data({"loss": [1.0]})


@pytest.mark.parametrize(
    ("values", "error", "words"),
    [
        (dict(learning_rate=100.0), ValueError, r"learning_rate must be one of \[0.001, 0.002, "),
        (dict(learning_rate=0.316), ValueError, r"learning_rate must be one of .*got 0.316"),
        (dict(batch_size=3), ValueError, r"batch_size must be one of \[1, 2, 4, 8, 16, 32\]"),
        (dict(momentum=0.99), ValueError, r"momentum must lie in \[0, 0.95\]"),
        (dict(momentum="0.5"), TypeError, "momentum must be a number, got str"),
    ],
)
def test_set_refuses_values_the_controls_would_clamp(explorer, values, error, words):
    before = (explorer.settings, explorer.png, explorer.runs)
    with pytest.raises(error, match=words):
        explorer.set(**values)
    assert (explorer.settings, explorer.png, explorer.runs) == before
    with pytest.raises(KeyError, match="no control named"):
        explorer.set(rate=0.1)


def test_set_changes_several_controls_and_trains_once(explorer):
    result = explorer.set(learning_rate=0.3, batch_size=4, momentum=0.5)
    assert explorer.runs == 2 and result is explorer.result
    assert (result.settings.learning_rate, result.settings.batch_size) == (0.3, 4)
    assert result.settings.momentum == 0.5


def test_full_batch_words_read_in_the_singular():
    w = descent.learning_rate_explorer(SMALL.replace(batch_size=32))
    assert "of 1 update each" in w.result.message and "updates each" not in w.result.message
    assert "for 15 epochs" in w.units.value


def test_a_run_that_rose_on_the_way_is_not_called_converging(explorer):
    explorer.set(batch_size=1, learning_rate=0.3)
    rise, _, _ = descent.largest_rise(explorer.result.loss)
    assert explorer.result.status == "ok" and rise >= descent.RISE
    assert explorer.text.startswith("Unstable: the loss rose") and "Converging" not in explorer.text


def test_a_browser_move_supersedes_a_run_in_progress():
    import time

    # 4000 epochs of B = 1 take seconds even on an idle machine: long enough to be caught in
    # progress (a fixed sleep was a race: 400 epochs could finish within it)
    w = descent.learning_rate_explorer(SMALL.replace(epochs=4000, batch_size=1))
    w.batch.set_state({"index": 0})  # B = 1 again: a no-op move, no change event
    # a reader's move (a SelectionSlider syncs its index): trains in the background
    w.rate.set_state({"index": descent.RATES.index(0.05)})
    deadline = time.monotonic() + 30
    while not w.state.startswith("training… epoch") and time.monotonic() < deadline:
        time.sleep(0.02)
    assert w.runs == 1 and w.state.startswith("training… epoch"), w.state
    w.momentum.set_state({"value": 0.5})
    w.rate.set_state({"index": descent.RATES.index(0.02)})
    assert w.wait(300)
    assert w.result.settings.learning_rate == 0.02 and w.result.settings.momentum == 0.5
    assert w.runs == 2 and w.runner.superseded >= 1  # the obsolete runs were never drawn
    assert w.state.startswith("trained 4000 epochs (")


def test_the_loss_panel_fits_each_run_and_its_legend_hides_no_point():
    figure = descent.CurveFigure()
    reference = train_curve(CurveSettings())
    ranges = []
    for rate in (0.1, 5.0, 0.1, 0.5):  # falling, diverging (clipped axis), falling, noisy
        result = train_curve(CurveSettings(learning_rate=rate))
        data = figure.update(result, reference)
        figure.fig.canvas.draw()
        ranges.append(figure.ax.get_ylim())
        # every point of both curves lies inside the axis range ...
        low, high = ranges[-1]
        assert low <= data["loss"].min() and data["loss"].max() <= high
        # ... and outside the legend's box
        box = figure.legend.get_window_extent(figure.fig.canvas.get_renderer())
        for line in (figure.line, figure.reference):
            x, y = figure.ax.transData.transform(line.get_xydata()).T
            inside = (box.x0 <= x) & (x <= box.x1) & (box.y0 <= y) & (y <= box.y1)
            assert not inside.any(), (rate, line.get_label())
    # after the clipped run the axis scales to the next run again (it kept 100x the start)
    assert ranges[2] == ranges[0] and ranges[1][1] > 10 * ranges[0][1]
    assert figure.ax.get_ylabel() == "training loss $C$ (mean of ½(a − y)²)"


def test_descent_module_says_it_is_not_the_optimiser():
    assert "not the\noptimiser" in descent.__doc__ or "not the optimiser" in descent.__doc__


def test_the_static_figure_carries_the_headline_as_its_title():
    result = train_curve(SMALL.replace(learning_rate=5.0, batch_size=1))
    fig, data = descent.draw(result)
    assert " ".join(fig._suptitle.get_text().split()) == data["headline"]
    assert data["headline"].startswith("Diverged at epoch")
    ax_loss = fig.axes[0]
    # no reference run: the legend names the run alone (no empty dashed entry above it)
    [label] = [t.get_text() for t in ax_loss.get_legend().get_texts()]
    assert label.endswith("(diverged at ×)")
    figure = descent.CurveFigure()
    figure.update(result, train_curve(SMALL))
    assert len(figure.legend.get_texts()) == 2 and figure.reference.get_visible()
    figure.update(result)
    assert len(figure.legend.get_texts()) == 1 and not figure.reference.get_visible()


def test_the_blitted_figure_has_the_pixels_of_a_full_draw(explorer):
    import io

    from PIL import Image

    from backprop.explore import figures

    def pixels(png):
        return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))

    for values in (dict(learning_rate=0.3), dict(batch_size=1, learning_rate=5.0), {}):
        if values:
            explorer.set(**values)
        shown = pixels(explorer.png)  # what the widget drew: background + changed parts
        full = pixels(figures.png_bytes(explorer.fig))  # the whole figure drawn again
        assert shown.shape == full.shape
        differ = np.any(shown != full, axis=-1).mean()
        assert differ < 0.005, differ  # only antialiasing where the curve meets a spine
    # the curve on the background is the one of the result, not of an earlier run
    explorer.set(learning_rate=0.1, batch_size=8)
    before = explorer.png
    explorer.set(learning_rate=0.3)
    assert explorer.png != before
