r"""Gradient descent made visible: paths on a surface, and the learning-rate explorer.

This module is the *Gradient descent and minibatch SGD* chapter's interactive code, not the
optimiser: the package trains with :func:`backprop.train.fit`. Two pieces:

* :func:`descend`: plain or momentum gradient descent on any differentiable function of a
  vector, $v \leftarrow \mu v - \eta \nabla C(\theta)^{\mathsf T}$, $\theta \leftarrow \theta + v$,
  that stops (instead of overflowing) as soon as the iterate leaves a box, so a diverging path
  can be drawn without NaN. It exists to draw the chapter's paths on a quadratic bowl.
* :class:`LearningRateExplorer`: controls for the learning rate $\eta$ (:data:`RATES`), the batch
  size $B$ and the momentum $\mu$ over the loss curves of
  :func:`backprop.explore.playground.train_curve`. Every change retrains from the same seeds and
  redraws (a move in the browser in the background, superseding a run in progress, see
  :mod:`backprop.explore.live`); a run whose loss blows up is reported in words on the
  figure, never drawn as NaN.

The model (training, the words of :func:`~backprop.explore.playground.headline`) lives in
:mod:`backprop.explore.playground` and the figure in :mod:`backprop.explore.figures`; this
module only wires controls, and keeps what it drew in attributes so that tests can check it.
"""

from __future__ import annotations

import html
import time
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

from .. import _validate
from .figures import CLIP, CurveFigure, draw_curve, figure_data, png_bytes, show_png  # noqa: F401
from .glue import readable
from .live import Runner, dead_kernel_note, from_browser, set_controls
from .playground import (  # noqa: F401  (the chapter reads the words from here)
    RISE,
    CurveResult,
    CurveSettings,
    as_settings,
    growth,
    headline,
    largest_rise,
    plural,
    train_curve,
)


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


# --------------------------------------------------------------------------- the widget
RATES = tuple(float(f"{m}e{k}") for k in range(-3, 1) for m in (1, 2, 3, 5)) + (10.0,)
"""The learning rates the explorer's slider offers, 1, 2, 3 and 5 times the powers of ten
from 0.001 to 10 (about evenly spaced on a log scale), so that every rate the chapter names
(0.003, 0.03, 0.1, 0.3, 1, 3) can be set exactly and reads as written. The page's twin offers
the same (``RATES`` in ``twin/descent.js``; the tests compare the two)."""


def rate_steps(rates=RATES) -> str:
    """The explorer's words for its learning-rate grid, e.g. for :data:`RATES`."""
    ends = f"from {readable(rates[0])} to {readable(rates[-1])}"
    if tuple(rates) == RATES:
        return f"1, 2, 3 and 5 times a power of ten, {ends}"
    return f"{len(rates)} values {ends}"


def draw(result: CurveResult, reference: CurveResult | None = None, fig=None):
    """A two-panel figure of ``result``: loss curve (log scale) and fitted function.

    Returns ``(fig, data)`` with ``data`` from :func:`~backprop.explore.figures.figure_data`;
    ``fig`` (optional) is the figure to draw into, e.g. ``plt.figure(figsize=(8.5, 3.6))`` in
    a notebook. See :class:`~backprop.explore.figures.CurveFigure`.
    """
    return draw_curve(result, reference, fig)


class LearningRateExplorer(widgets.VBox):
    """Controls for $\\eta$ (:data:`RATES`), $B$ and $\\mu$ that retrain and replot the loss
    curve.

    Attributes for code and tests: ``rate``, ``batch``, ``momentum`` (the controls),
    ``progress`` (epochs done), ``state`` (words beside it: "training… epoch k/N"),
    ``status`` (the headline and details as HTML), ``out`` (the Output the figure is shown
    in); after every run ``result`` (a :class:`~backprop.explore.playground.CurveResult`),
    ``data`` (the plotted arrays, see :func:`~backprop.explore.figures.figure_data`), ``fig``
    (the matplotlib figure, updated in place), ``png`` (the image shown), ``text`` (the
    headline in words), ``runs`` (how many results shown so far) and ``seconds`` (time of the
    last update). The grey dashed curve is the run at the settings the explorer was created
    with. :meth:`set` changes several controls at once. ``rates``: the slider's learning rates
    (default :data:`RATES`); the settings' rate must be one of them, as their batch size must be
    one of ``batch_sizes``.
    """

    def __init__(self, settings=None, batch_sizes=None, background: bool = True, rates=RATES):
        s = as_settings(settings, CurveSettings)
        rates = [float(r) for r in rates]
        if s.learning_rate not in rates:
            raise ValueError(f"learning_rate {s.learning_rate} is not one of {rates}")
        self.base, self.background = s, background
        if batch_sizes is None:
            batch_sizes = sorted({2**k for k in range(16) if 2**k <= s.n_samples} | {s.n_samples})
        if s.batch_size not in batch_sizes:
            raise ValueError(f"batch_size {s.batch_size} is not one of {list(batch_sizes)}")
        wide = {"description_width": "11em"}
        layout = widgets.Layout(width="36em")
        self.rate = widgets.SelectionSlider(
            options=[(readable(r), r) for r in rates], value=s.learning_rate,
            description="learning rate η", continuous_update=False, style=wide, layout=layout,
        )  # fmt: skip
        self.batch = widgets.Dropdown(
            options=[(plural(int(b), "sample"), int(b)) for b in batch_sizes], value=s.batch_size,
            description="batch size B", style=wide, layout=widgets.Layout(width="24em"),
        )  # fmt: skip
        self.momentum = widgets.FloatSlider(
            value=s.momentum, min=0.0, max=max(0.95, s.momentum), step=0.05,
            description="momentum μ", readout_format=".2f", continuous_update=False,
            style=wide, layout=layout,
        )  # fmt: skip
        self.controls = {"learning_rate": self.rate, "batch_size": self.batch}
        self.controls["momentum"] = self.momentum
        self.units = widgets.HTML(
            f"<small>η: step size per update ({rate_steps(rates)}); B: samples "
            f"per update, of {s.n_samples} (B = {s.n_samples} is full-batch gradient descent, "
            f"B = 1 online learning); μ: fraction of the previous step kept. Every change "
            f"retrains from the same seed for {plural(s.epochs, 'epoch')}.</small>"
        )
        self.progress = widgets.IntProgress(
            value=0, min=0, max=s.epochs, description="epochs", style=wide,
            layout=widgets.Layout(width="24em"),
        )  # fmt: skip
        self.state_label = widgets.HTML(layout=widgets.Layout(min_width="16em"))
        self.status = widgets.HTML()
        self.out = widgets.Output(layout=widgets.Layout(min_height="260px"))
        self.out.add_class("bp-figure")
        self.result = self.data = self.png = None
        self.text, self.state, self.runs, self.seconds, self._hold = "", "", 0, 0.0, False
        self._figure = CurveFigure(words=False)  # the headline is in self.status
        self.fig = self._figure.fig
        self.runner = Runner(train_curve, self._show, self._fail, self._tick)
        self.reference = train_curve(s)
        for control in self.controls.values():
            control.observe(self._changed, names="value")
        super().__init__(
            [
                dead_kernel_note(),
                self.rate,
                self.batch,
                self.momentum,
                self.units,
                widgets.HBox([self.progress, self.state_label]),
                self.status,
                self.out,
            ]
        )
        self.add_class("bp-descent")
        self.add_class("bp-live")
        self._show(self.reference, time.perf_counter())  # the reference settings: no retraining

    @property
    def settings(self) -> CurveSettings:
        """The settings the controls describe now."""
        return self.base.replace(
            learning_rate=float(self.rate.value),
            batch_size=int(self.batch.value),
            momentum=float(self.momentum.value),
        )

    def set(self, **values) -> CurveResult:
        """Set several controls at once (``set(learning_rate=3.0, batch_size=1)``), retrain once.

        Names are ``learning_rate``, ``batch_size``, ``momentum``; a value a control cannot
        take raises ``ValueError`` naming it, its range and the value (nothing changes).
        """
        set_controls(self, values)
        return self.update()

    def _changed(self, change):
        if self._hold:
            return
        self.update(background=self.background and from_browser(change))

    def update(self, background: bool = False) -> CurveResult | None:
        """Retrain with the current settings and redraw; returns the new result.

        ``background``: train in the runner's thread and return ``None`` at once.
        """
        settings = self.settings
        if background:
            self.runner.submit(settings)
            return None
        self.runner.run(settings)
        return self.result

    def wait(self, timeout: float = 60.0) -> LearningRateExplorer:
        """Wait until a run started from the browser has been drawn."""
        self.runner.wait(timeout)
        return self

    def _tick(self, epoch, epochs, seconds):
        with self.progress.hold_sync():
            self.progress.value, self.progress.bar_style = epoch, "info"
        note = " (the figure still shows the previous settings)" if seconds > 0.3 else ""
        self._set_state(f"training… epoch {epoch}/{epochs}{note}")

    def _set_state(self, text: str) -> None:
        self.state = text
        self.state_label.value = f"<span>{html.escape(text)}</span>"

    def _fail(self, exc: BaseException) -> None:
        self.progress.bar_style = "danger"
        if isinstance(exc, KeyboardInterrupt):  # the kernel was interrupted during a run
            self._set_state("interrupted: move a control (or re-run the cell) to train")
            return
        self._set_state("failed")
        self.status.value = (
            f"<b style='color:#b00020'>This run failed: {html.escape(type(exc).__name__)}: "
            f"{html.escape(str(exc))}</b>"
        )

    def _show(self, result: CurveResult, started: float) -> CurveResult:
        self.runs += 1
        self.result = result
        with self.progress.hold_sync():  # one message for the bar
            self.progress.value = len(result.loss) - 1
            self.progress.bar_style = "success" if result.status == "ok" else "danger"
        self.data = self._figure.update(result, self.reference)
        self.png = self._figure.png()  # blitted: only what changed is drawn
        show_png(self.out, self.png, self.data["headline"])
        self.text = self.data["headline"]
        color = "black" if result.status == "ok" else "#b00020"
        self.status.value = (
            f"<b style='color:{color}'>{html.escape(self.text)}</b><br>"
            f"<small>{html.escape(result.message)}</small>"
        )
        self.seconds = time.perf_counter() - started
        self._set_state(
            f"trained {plural(result.history.epochs_run, 'epoch')} ({self.seconds:.2f} s)"
        )
        return result


def learning_rate_explorer(settings=None, **changes):
    """A :class:`LearningRateExplorer` for ``settings`` (defaults, with keyword changes)."""
    s = as_settings(settings, CurveSettings)
    return LearningRateExplorer(s.replace(**changes) if changes else s)
