r"""Figures and live controls of the chapter *Gradient descent and minibatch SGD*.

Two pieces:

* :func:`descend`: plain or momentum gradient descent on any differentiable function of a
  vector, $v \leftarrow \mu v - \eta \nabla C(\theta)^{\mathsf T}$, $\theta \leftarrow \theta + v$,
  that stops (instead of overflowing) as soon as the iterate leaves a box, so a diverging path
  can be drawn without NaN.
* :class:`LearningRateExplorer`: sliders for the learning rate $\eta$ (log scale), the batch
  size $B$ and the momentum $\mu$ over the loss curves of
  :func:`backprop.explore.playground.train_curve`. Every change retrains from the same seeds and
  redraws; a run whose loss blows up is reported in words on the figure, never drawn as NaN.

The model (training, diagnosis) lives in :mod:`backprop.explore.playground`; this module only draws
and wires controls, and keeps what it drew in attributes so that tests can check it.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from .. import _validate
from .playground import CurveResult, CurveSettings, regression_data, suggested_rate, train_curve

CLIP = 100.0
"""Loss curves are drawn up to ``CLIP`` times the initial loss; larger values sit on the edge."""


# --------------------------------------------------------------------------- 2-D paths
@dataclass(frozen=True)
class Path:
    r"""The iterates of :func:`descend`.

    ``points``: ``(k + 1, n)`` float64, $\theta_0, \dots, \theta_k$, all finite.
    ``escaped``: the step at which the iterate left the box, or ``None``. That iterate is the
    last point, clipped onto the box; if it was NaN or infinite (possible only when ``bound``
    is infinite) it is left out, and the path ends at the step before.
    """

    points: np.ndarray
    escaped: int | None

    @property
    def steps(self) -> int:
        """Number of steps whose iterate is in ``points``, ``k``."""
        return len(self.points) - 1


def descend(grad, theta0, learning_rate, steps, momentum=0.0, bound=np.inf) -> Path:
    r"""Run ``steps`` steps of gradient descent from ``theta0``.

    ``theta0``: a number or a 1-D array ``(n,)``; ``grad(theta)`` takes and returns arrays of
    shape ``(n,)``, the latter $\nabla C(\theta)^{\mathsf T}$. The update is
    $v \leftarrow \mu v - \eta\, \nabla C(\theta)^{\mathsf T}$, $\theta \leftarrow \theta + v$
    with $v_0 = 0$ ($\mu = 0$: plain gradient descent). The run stops early once
    $\max_i |\theta_i| >$ ``bound`` or an iterate is NaN or infinite (see :class:`Path`).
    """
    theta = np.array(theta0, dtype=np.float64)
    if theta.ndim > 1:
        raise ValueError(f"theta0 must be a number or 1-D (n,), got shape {theta.shape}")
    theta = theta.reshape(-1)
    if not np.all(np.isfinite(theta)):
        raise ValueError("theta0 must be finite")
    eta = _validate.positive_float("learning_rate", learning_rate)
    mu = _validate.nonnegative_float("momentum", momentum, upper=1.0)
    steps = _validate.positive_int("steps", steps)
    if not bound > 0:  # also rejects NaN
        raise ValueError(f"bound must be > 0, got {bound}")
    v = np.zeros_like(theta)
    points = [theta.copy()]
    for k in range(1, steps + 1):
        g = np.asarray(grad(theta), dtype=np.float64)
        if g.shape != theta.shape:
            raise ValueError(f"grad must return shape {theta.shape}, got {g.shape}")
        v = mu * v - eta * g
        theta = theta + v
        if not (np.all(np.isfinite(theta)) and np.max(np.abs(theta)) <= bound):
            last = np.clip(theta, -bound, bound)
            return Path(np.array(points + ([last] if np.all(np.isfinite(last)) else [])), k)
        points.append(theta.copy())
    return Path(np.array(points), None)


# --------------------------------------------------------------------------- loss curves
def growth(result: CurveResult) -> float:
    """Largest training loss of the run over its initial loss (finite values only)."""
    loss = result.loss[np.isfinite(result.loss)]
    return float(loss.max() / loss[0]) if loss.size and loss[0] > 0 else 1.0


def headline(result: CurveResult) -> str:
    """One sentence for the figure: converging, overshooting or diverged, and what to try."""
    s, loss = result.settings, result.loss
    try_rate = f"try a learning rate below {suggested_rate(s.learning_rate):g}"
    if result.status == "diverged":
        e = result.history.diverged_epoch
        if len(loss) > 1 and growth(result) > 1:
            grew = (
                f"the loss rose to {growth(result):.1e} times its starting value, then overflowed"
            )
        else:
            grew = "the loss overflowed within that epoch"
        return f"Diverged at epoch {e}: {grew}; {try_rate}."
    if result.status == "overshoot":
        worst = int(np.argmax(loss))
        return (
            f"Overshooting: by epoch {worst} the loss rose to {growth(result):.1e} times its "
            f"start; {try_rate}."
        )
    # a curve that goes up in more than a fifth of its epochs is not simply converging
    noisy = np.count_nonzero(np.diff(loss) > 0) > (len(loss) - 1) / 5
    word = "Decreasing, but oscillating" if noisy else "Converging"
    return (
        f"{word}: loss {loss[0]:.3g} \u2192 {loss[-1]:.3g} in {len(loss) - 1} epochs "
        f"({int(result.updates[-1])} updates)."
    )


def figure_data(result: CurveResult, reference: CurveResult | None = None) -> dict:
    """The arrays a figure of ``result`` shows, all finite.

    ``epochs``, ``loss``: the curve, clipped at ``CLIP`` times the initial loss; ``clipped``:
    whether any value was; ``reference_epochs``/``reference_loss``: the reference run, if any;
    ``x``, ``prediction``: the trained network on a grid of $[-1, 1]$ (clipped to $[-3, 3]$);
    ``x_data``, ``y_data``: the training set.
    """
    loss = result.loss[np.isfinite(result.loss)]
    top = CLIP * loss[0]
    s = result.settings
    X, Y = regression_data(s.n_samples, s.noise, s.seed)
    x = np.linspace(-1.0, 1.0, 201)
    with np.errstate(over="ignore", invalid="ignore"):
        pred = result.net.predict(x[:, None])[:, 0]
    data = {
        "epochs": np.arange(len(loss)),
        "loss": np.minimum(loss, top),
        "clipped": bool(np.any(loss > top)),
        "x": x,
        "prediction": np.clip(np.nan_to_num(pred, nan=0.0), -3.0, 3.0),
        "x_data": X[:, 0],
        "y_data": Y[:, 0],
        "headline": headline(result),
    }
    if reference is not None:
        ref = reference.loss[np.isfinite(reference.loss)]
        data["reference_epochs"] = np.arange(len(ref))
        data["reference_loss"] = np.minimum(ref, top)
        data["reference_label"] = reference.label
    return data


def draw(result: CurveResult, reference: CurveResult | None = None):
    """A two-panel figure of ``result``: loss curve (log scale) and fitted function.

    Returns ``(fig, data)`` with ``data`` from :func:`figure_data`. The headline (in words,
    red when the run overshoots or diverges, wrapped onto two lines if long) is the figure's
    title.
    """
    data = figure_data(result, reference)
    fig, (ax, ax_fit) = plt.subplots(
        1,
        2,
        figsize=(8.5, 3.6),
        width_ratios=(1.4, 1),
        gridspec_kw=dict(left=0.09, right=0.98, bottom=0.15, top=0.83, wspace=0.25),
    )  # fixed margins: tight_layout would cost more than the training
    if reference is not None:
        ax.semilogy(
            data["reference_epochs"],
            data["reference_loss"],
            color="0.6",
            ls="--",
            label=f"reference: {data['reference_label']}",
        )
    ax.semilogy(data["epochs"], data["loss"], color="C0", lw=2, label=result.label)
    if data["clipped"]:
        top = data["loss"].max()
        ax.axhline(top, color="C3", lw=0.8, ls=":")
        ax.text(
            0.98 * result.settings.epochs, top / 1.5,
            f"loss off the scale (above {CLIP:g}\u00d7 its start)",
            ha="right", va="top", color="C3", fontsize=9,
        )  # fmt: skip
        ax.set_ylim(top=3 * top)
    if result.status == "diverged":
        e = result.history.diverged_epoch
        ax.plot([e], [data["loss"].max()], "x", color="C3", ms=10, mew=2, label="diverged here")
    ax.set_xlabel(f"epoch (one pass over the {result.settings.n_samples} samples)")
    ax.set_ylabel("training loss $C$ (mean squared error)")
    ax.set_xlim(0, result.settings.epochs)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="lower left", fontsize=9)

    ax_fit.plot(data["x_data"], data["y_data"], ".", color="0.4", label="training data")
    ax_fit.plot(data["x"], data["prediction"], color="C0", lw=2, label="network")
    ax_fit.set_ylim(-3, 3)
    if np.any(np.abs(data["prediction"]) >= 3):
        ax_fit.text(0, 2.7, "output off the scale (shown at \u00b13)", ha="center", va="top",
                    color="C3", fontsize=9)  # fmt: skip
    ax_fit.set_xlabel("input $x$")
    ax_fit.set_ylabel("output $a^L$")
    ax_fit.set_title("the trained network")
    ax_fit.legend(loc="lower right", fontsize=9)
    bad = result.status != "ok"
    headline = textwrap.fill(data["headline"], 90)  # a long diagnosis takes two lines
    fig.suptitle(headline, color="C3" if bad else "black", fontsize=10.5)
    return fig, data


# --------------------------------------------------------------------------- the widget
class LearningRateExplorer(widgets.VBox):
    """Sliders for $\\eta$ (log scale), $B$ and $\\mu$ that retrain and replot the loss curve.

    Attributes for code and tests: ``rate``, ``batch``, ``momentum`` (the sliders),
    ``progress`` (epochs done), ``status`` (the headline and details as HTML), ``out`` (the
    Output the figure is shown in); after every run ``result`` (a
    :class:`~backprop.explore.playground.CurveResult`), ``data`` (the plotted arrays, see
    :func:`figure_data`), ``fig`` (the matplotlib figure), ``text`` (the headline in words)
    and ``runs`` (how many trainings so far). The grey dashed curve is the run at the
    settings the explorer was created with.
    """

    def __init__(self, settings: CurveSettings | None = None, batch_sizes=None):
        s = CurveSettings() if settings is None else settings
        self.base = s
        if batch_sizes is None:
            batch_sizes = sorted({2**k for k in range(16) if 2**k <= s.n_samples} | {s.n_samples})
        if s.batch_size not in batch_sizes:
            raise ValueError(f"batch_size {s.batch_size} is not one of {list(batch_sizes)}")
        wide = {"description_width": "11em"}
        layout = widgets.Layout(width="36em")
        self.rate = widgets.FloatLogSlider(
            value=s.learning_rate, base=10, min=-3, max=1, step=0.05,
            description="learning rate η", readout_format=".3g",
            continuous_update=False, style=wide, layout=layout,
        )  # fmt: skip
        self.batch = widgets.SelectionSlider(
            options=[int(b) for b in batch_sizes], value=s.batch_size,
            description="batch size B", continuous_update=False, style=wide, layout=layout,
        )  # fmt: skip
        self.momentum = widgets.FloatSlider(
            value=s.momentum, min=0.0, max=0.95, step=0.05, description="momentum μ",
            readout_format=".2f", continuous_update=False, style=wide, layout=layout,
        )  # fmt: skip
        self.units = widgets.HTML(
            f"<small>η: step size per update (log scale, 10<sup>-3</sup> to 10); B: samples "
            f"per update, of {s.n_samples} (B = {s.n_samples} is full-batch gradient descent, "
            f"B = 1 online learning); μ: fraction of the previous step kept. Every change "
            f"retrains from the same seed for {s.epochs} epochs.</small>"
        )
        self.progress = widgets.IntProgress(
            value=0, min=0, max=s.epochs, description="epochs", style=wide, layout=layout
        )
        self.status = widgets.HTML()
        self.out = widgets.Output()
        self.result = self.data = self.fig = None
        self.text = ""
        self.runs = 0
        self.reference = train_curve(s)
        for control in (self.rate, self.batch, self.momentum):
            control.observe(self._changed, names="value")
        super().__init__(
            [self.rate, self.batch, self.momentum, self.units, self.progress, self.status, self.out]
        )
        self._show(self.reference)  # the first run has the reference settings: no retraining

    @property
    def settings(self) -> CurveSettings:
        """The settings the controls describe now."""
        return self.base.replace(
            learning_rate=float(self.rate.value),
            batch_size=int(self.batch.value),
            momentum=float(self.momentum.value),
        )

    def _changed(self, change):
        self.update()

    def _progress(self, epoch, epochs):
        self.progress.value = epoch

    def update(self) -> CurveResult:
        """Retrain with the current settings, redraw, and return the new result."""
        self.progress.value = 0
        self.progress.bar_style = "info"
        self.status.value = "<i>training\u2026</i>"
        return self._show(train_curve(self.settings, progress=self._progress))

    def _show(self, result: CurveResult) -> CurveResult:
        self.runs += 1
        self.result = result
        self.progress.value = self.progress.max if result.status == "ok" else len(result.loss) - 1
        self.progress.bar_style = "success" if result.status == "ok" else "danger"
        self.out.clear_output(wait=True)
        with self.out:
            self.fig, self.data = draw(result, self.reference)
            plt.show()
        plt.close(self.fig)
        self.text = self.data["headline"]
        color = "black" if result.status == "ok" else "#b00"
        self.status.value = (
            f"<b style='color:{color}'>{self.text}</b><br><small>{result.message}</small>"
        )
        return result


def learning_rate_explorer(settings: CurveSettings | None = None, **changes):
    """A :class:`LearningRateExplorer` for ``settings`` (defaults, with keyword changes)."""
    s = CurveSettings() if settings is None else settings
    return LearningRateExplorer(s.replace(**changes) if changes else s)
