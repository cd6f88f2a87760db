"""The gradient-descent chapter's widget and path helper, driven in code (no display)."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from backprop.explore import descent
from backprop.explore.playground import CurveSettings

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
    assert " ".join(explorer.fig._suptitle.get_text().split()) == explorer.text
    drawn = [line.get_ydata() for line in ax_loss.get_lines()]
    assert any(np.array_equal(y, loss) for y in drawn)


@pytest.mark.parametrize(
    ("control", "value"), [("rate", 0.3), ("batch", 4), ("batch", 32), ("momentum", 0.5)]
)
def test_moving_a_control_retrains_and_replots(explorer, control, value):
    before_loss, before_fig = explorer.data["loss"].copy(), explorer.fig
    before_weights = [W.copy() for W in explorer.result.net.weights]
    getattr(explorer, control).value = value
    assert explorer.runs == 2
    assert explorer.fig is not before_fig
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
    assert " ".join(explorer.fig._suptitle.get_text().split()) == explorer.text
    assert explorer.progress.bar_style == "danger"
    for ax in explorer.fig.axes:
        for line in ax.get_lines():
            assert np.all(np.isfinite(np.asarray(line.get_xydata(), dtype=float)))
    for key in ("loss", "prediction", "reference_loss"):
        assert np.all(np.isfinite(explorer.data[key]))
    assert explorer.data["clipped"]
    assert explorer.data["loss"].max() <= descent.CLIP * explorer.data["loss"][0]
    # back to a good rate: the words change back
    explorer.rate.value = 0.1
    assert explorer.text.startswith("Converging")


def test_overshoot_at_full_batch_is_reported():
    w = descent.learning_rate_explorer(SMALL.replace(batch_size=32, learning_rate=3.0))
    assert w.result.status == "overshoot"
    assert w.text.startswith("Overshooting") and "try a learning rate below 0.3" in w.text
    assert np.all(np.isfinite(w.data["loss"]))


def test_rate_slider_is_logarithmic_with_a_description(explorer):
    import ipywidgets

    assert isinstance(explorer.rate, ipywidgets.FloatLogSlider)
    assert explorer.rate.base == 10 and explorer.rate.min <= -3 and explorer.rate.max >= 1
    assert "η" in explorer.rate.description and "B" in explorer.batch.description
    assert list(explorer.batch.options)[-1] == SMALL.n_samples
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
    explorer.batch.value = 16
    assert seen[0] == 0 and seen[-1] == SMALL.epochs
    assert set(range(1, SMALL.epochs + 1)) <= set(seen)  # one update per epoch
    assert explorer.progress.bar_style == "success"


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
