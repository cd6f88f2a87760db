r"""Widgets of the *Playground* chapter: controls, figures, and a kernel-free explorer.

:mod:`backprop.explore.playground` trains; this module turns its
:class:`~backprop.explore.playground.Result` into matplotlib figures
and wires ipywidgets controls to it.

* :func:`draw_playground` / :func:`draw_digits` draw a result into a matplotlib figure (the
  chapter's static figures and the widgets use the same code).
* :class:`Playground`: one control per :class:`~backprop.explore.playground.Settings` field; a
  change retrains from the same seeds and redraws into an ``ipywidgets.Output``. Everything it
  shows is
  also an attribute (``result``, ``figure_data``, ``message``), so tests drive it in code.
* :func:`precomputed_explorer`: a grid of real runs rendered to PNG at build time, switched by
  sliders ``jslink``-ed to ``Stack`` widgets, so it works in the static site without a kernel.

Figures are drawn on a bare :class:`matplotlib.figure.Figure` with the Agg canvas (no pyplot
state), encoded once as PNG, and written into the ``Output`` as display data: the same bytes
reach JupyterLab and the widget state saved in the built page.
"""

from __future__ import annotations

import base64
import io
import textwrap
import time

import ipywidgets as W
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import LogFormatter

from . import playground as pg

CLASS_COLORS = np.array([[0.85, 0.37, 0.01], [0.12, 0.47, 0.71], [0.2, 0.63, 0.17]])
"""RGB of classes 0, 1, 2 in the 2-D figures (orange, blue, green)."""

DATASET_OPTIONS = (
    ("two moons", ("moons", 2)),
    ("circles", ("circles", 2)),
    ("XOR", ("xor", 2)),
    ("spirals, 2 classes", ("spirals", 2)),
    ("spirals, 3 classes", ("spirals", 3)),
)
LEARNING_RATES = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
"""The explorer's learning rates (6, log-spaced, around the default 0.3)."""
HIDDEN_SIZES = (2, 4, 8, 16)
"""The explorer's neurons per hidden layer (4)."""
TITLE_Y = 1.01
"""Title height, fixed (otherwise matplotlib measures every tick label to place them)."""


# ------------------------------------------------------------------------- figure data
def _positive(values) -> np.ndarray:
    """``values`` as float64 with non-finite and non-positive entries masked as NaN (log axes)."""
    v = np.array(values, dtype=np.float64)
    v[~np.isfinite(v) | (v <= 0)] = np.nan
    return v


def figure_data(result: pg.Result) -> dict:
    """The arrays a figure of ``result`` draws, keyed by panel (what the tests assert on).

    ``epochs`` ``(E+1,)``, ``train_loss`` / ``test_loss`` ``(E+1,)`` and ``grad_norms``
    ``(E+1, L)`` with non-finite entries masked as NaN; for 2-D data ``boundary`` ``(G, G)``
    (predicted class on the grid), ``proba`` ``(G, G, K)``, ``xs``, ``ys``; for the digits
    ``confusion`` ``(10, 10)`` and ``misclassified`` (indices into the test set).
    """
    data = {
        "epochs": result.epochs,
        "train_loss": _positive(result.train_loss),
        "test_loss": _positive(result.test_loss),
        "grad_norms": _positive(result.grad_norms),
        "train_accuracy": result.train_accuracy,
        "test_accuracy": result.test_accuracy,
        "status": result.status,
        "sizes": result.settings.sizes,
    }
    if result.boundary is not None:
        b = result.boundary
        data.update(boundary=b.labels, proba=b.proba, xs=b.xs, ys=b.ys)
    else:
        data.update(confusion=result.confusion, misclassified=result.misclassified)
    return data


# ------------------------------------------------------------------------- drawing
def _status(result: pg.Result) -> str:
    return {"ok": "", "overshoot": " (overshoots)", "diverged": " (diverged)"}[result.status]


class _PlainLogFormatter(LogFormatter):
    """Log-axis tick labels as plain numbers ("0.3", "1e-05"), never mathtext."""

    def _num_to_string(self, x, vmin, vmax):
        return f"{x:.3g}"


def _log_y(ax) -> None:
    """Log-scale y axis with plain-text tick labels (mathtext labels cost ~30 ms a figure)."""
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(_PlainLogFormatter())
    ax.yaxis.set_minor_formatter(_PlainLogFormatter(labelOnlyBase=False, minor_thresholds=(1, 0.4)))


def draw_losses(ax, result: pg.Result) -> None:
    """Training and test loss per epoch (log scale); epoch 0 is before training."""
    fd = figure_data(result)
    _log_y(ax)
    ax.plot(fd["epochs"], fd["train_loss"], label="training")
    ax.plot(fd["epochs"], fd["test_loss"], "--", label="test")
    name = "cross-entropy" if result.settings.loss == "cross_entropy" else "squared error"
    ax.set(xlabel="epoch", ylabel=f"loss C ({name})")
    ax.set_title(f"loss, train acc {result.train_accuracy:.0%}", fontsize=10, y=TITLE_Y)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)


def draw_gradients(ax, result: pg.Result) -> None:
    r"""$\lVert\partial C/\partial W^l\rVert_F$ of every layer per epoch (log scale)."""
    norms = figure_data(result)["grad_norms"]
    _log_y(ax)
    for l in range(norms.shape[1]):
        ax.plot(result.epochs, norms[:, l], label=f"$W^{{{l + 1}}}$")
    ax.set(xlabel="epoch", ylabel=r"$\Vert\partial C/\partial W^l\Vert_F$")
    ax.set_title("gradient norm per layer", fontsize=10, y=TITLE_Y)
    ax.legend(fontsize=7, ncol=2 if norms.shape[1] > 4 else 1)
    ax.grid(alpha=0.3)


def _words(fig, result: pg.Result, width: int) -> None:
    """Divergence or gradient trouble in words along the bottom of the figure."""
    if result.status != "ok" or bool(result.notes):
        text = "\n".join(textwrap.wrap(result.text, width))
        fig.text(0.01, 0.01, text, fontsize=8, color="#b00020", va="bottom")


class PlaygroundFigure:
    """The 2-D playground's figure, built once and then updated in place.

    Panels: decision regions with the training and test points, loss curves, and (unless
    ``compact``) the gradient norm of each layer. :meth:`update` only changes the data of the
    existing artists: a new figure per change would create the axes and lay out their text
    again (about a third slower). ``words``: write divergence and gradient remarks along the
    bottom. ``compact``: the explorer's 600 x 300 px two-panel version.
    """

    def __init__(self, fig: Figure | None = None, words: bool = True, compact: bool = False):
        size = (6, 3) if compact else (11, 3.6)
        self.fig = Figure(figsize=size, dpi=100 if compact else 72) if fig is None else fig
        if not isinstance(self.fig.canvas, FigureCanvasAgg):
            FigureCanvasAgg(self.fig)  # a bare Figure: render with Agg
        self.words, self.compact = words, compact
        self.small = 7.5 if compact else 10
        if compact:
            (ax_b, ax_l), ax_g = self.fig.subplots(1, 2), None
        else:
            ax_b, ax_l, ax_g = self.fig.subplots(1, 3, gridspec_kw={"width_ratios": [1.1, 1, 1]})
        self.ax_b, self.ax_l, self.ax_g = ax_b, ax_l, ax_g
        self.image = ax_b.imshow(
            np.ones((2, 2, 3)), origin="lower", aspect="auto", interpolation="bilinear"
        )
        markers = (("o", "white", "train"), ("^", "black", "test"))
        self.points = [
            ax_b.scatter([], [], marker=m, s=10 if compact else 16, lw=0.5, edgecolors=e)
            for m, e, _ in markers
        ]
        ax_b.set(xlabel="$x_1$", ylabel="$x_2$")
        ax_b.locator_params(nbins=4)  # fewer tick labels: text is most of the drawing time
        if not compact:
            handles = [
                Line2D([], [], ls="", marker=m, mfc="0.6", mec=e, mew=0.5, label=label)
                for m, e, label in markers
            ]
            ax_b.legend(handles=handles, loc="lower right", fontsize=7, framealpha=0.8)
        _log_y(ax_l)
        self.loss_lines = ax_l.plot([], [], "-", [], [], "--")
        ax_l.set_xlabel("epoch")
        ax_l.legend(self.loss_lines, ["training", "test"], fontsize=self.small - 2)
        ax_l.grid(alpha=0.3)
        self.grad_lines = []
        if ax_g is not None:
            _log_y(ax_g)
            ax_g.set(xlabel="epoch", ylabel=r"$\Vert\partial C/\partial W^l\Vert_F$")
            ax_g.set_title("gradient norm per layer", fontsize=self.small, y=TITLE_Y)
            ax_g.grid(alpha=0.3)
        if compact:
            for ax in (ax_b, ax_l):
                ax.tick_params(labelsize=6.5, which="both")
                ax.xaxis.label.set_size(7.5)
                ax.yaxis.label.set_size(7.5)
        self.text = self.fig.text(
            0.01, 0.01, "", fontsize=6.5 if compact else 8, color="#b00020", va="bottom"
        )

    def update(self, result: pg.Result) -> Figure:
        """Show ``result``; returns the figure."""
        fd, s = figure_data(result), result.settings
        b, d = result.boundary, result.data
        self.image.set_data(1.0 - 0.55 * (1.0 - b.proba @ CLASS_COLORS[: b.proba.shape[-1]]))
        extent = (b.xs[0], b.xs[-1], b.ys[0], b.ys[-1])
        self.image.set_extent(extent)
        for points, X, y in zip(self.points, (d.X_train, d.X_test), (d.y_train, d.y_test)):
            points.set_offsets(X)
            points.set_facecolor(CLASS_COLORS[y])
        self.ax_b.set(xlim=extent[:2], ylim=extent[2:])
        self.ax_b.set_title(
            f"test accuracy {result.test_accuracy:.0%}{_status(result)}",
            fontsize=self.small,
            y=TITLE_Y,
        )
        for line, key in zip(self.loss_lines, ("train_loss", "test_loss")):
            line.set_data(fd["epochs"], fd[key])
        name = "cross-entropy" if s.loss == "cross_entropy" else "squared error"
        self.ax_l.set_ylabel(f"loss C ({name})")
        self.ax_l.set_title(
            f"loss, train accuracy {result.train_accuracy:.0%}", fontsize=self.small, y=TITLE_Y
        )
        if self.ax_g is not None:
            self._gradients(fd["grad_norms"], fd["epochs"])
        marker = "o" if len(fd["epochs"]) < 3 else "None"  # a run that diverged at once
        for line in self.loss_lines + self.grad_lines:
            line.set_marker(marker)
        for ax in (self.ax_l, self.ax_g):
            if ax is not None:
                ax.relim()
                ax.autoscale_view()
                ax.set_xlim(0, max(1, fd["epochs"][-1]))  # the epochs, even if a curve is empty
        if self.compact:
            title = f"η = {s.learning_rate:g}, hidden layers {s.hidden_layers} x {s.neurons}"
        else:
            title = f"{s.dataset}, layers {list(s.sizes)}, {s.activation}, η = {s.learning_rate:g}"
        self.fig.suptitle(title, fontsize=self.small)
        bad = self.words and (result.status != "ok" or bool(result.notes))
        width = 118 if self.compact else 170
        self.text.set_text("\n".join(textwrap.wrap(result.text, width)[:3]) if bad else "")
        # Fixed margins instead of tight_layout, which draws the figure an extra time.
        if self.compact:
            margins = dict(left=0.1, right=0.98, bottom=0.27 if bad else 0.15, top=0.85)
        else:
            margins = dict(left=0.06, right=0.99, bottom=0.22 if bad else 0.13, top=0.85)
        self.fig.subplots_adjust(wspace=0.38 if self.compact else 0.3, **margins)
        return self.fig

    def _gradients(self, norms: np.ndarray, epochs: np.ndarray) -> None:
        if len(self.grad_lines) != norms.shape[1]:  # another depth: new lines and legend
            for line in self.grad_lines:
                line.remove()
            self.grad_lines = [
                self.ax_g.plot([], [], color=f"C{l}", label=f"$W^{{{l + 1}}}$")[0]
                for l in range(norms.shape[1])
            ]
            self.ax_g.legend(fontsize=7, ncol=2 if norms.shape[1] > 4 else 1)
        for l, line in enumerate(self.grad_lines):
            line.set_data(epochs, norms[:, l])


def draw_playground(result: pg.Result, fig: Figure | None = None, words: bool = True) -> Figure:
    """The 2-D playground's figure of ``result`` (see :class:`PlaygroundFigure`)."""
    return PlaygroundFigure(fig, words).update(result)


def draw_digits(result: pg.Result, fig: Figure | None = None, n_images: int = 8) -> Figure:
    """The digits' figure: loss curves, confusion matrix, gradient norms, misclassified images."""
    fig = Figure(figsize=(11, 5.4)) if fig is None else fig
    bad = result.status != "ok" or bool(result.notes)
    grid = fig.add_gridspec(
        2,
        3,
        height_ratios=[3, 1.2],
        left=0.06,
        right=0.99,
        top=0.9,
        bottom=0.1 if bad else 0.02,
        hspace=0.3,
        wspace=0.3,
    )
    ax_loss, ax_conf, ax_grad = (fig.add_subplot(grid[0, i]) for i in range(3))
    draw_losses(ax_loss, result)
    C = result.confusion
    ax_conf.imshow(C, cmap="Blues")
    for (i, j), c in np.ndenumerate(C):
        if c:
            ax_conf.text(
                j,
                i,
                c,
                ha="center",
                va="center",
                fontsize=6,
                color="white" if c > C.max() / 2 else "black",
            )
    ax_conf.set(xticks=range(10), yticks=range(10), xlabel="predicted", ylabel="true")
    ax_conf.set_title(
        f"test accuracy {result.test_accuracy:.1%}{_status(result)}", fontsize=10, y=TITLE_Y
    )
    ax_conf.tick_params(labelsize=7)
    draw_gradients(ax_grad, result)
    wrong = result.misclassified[:n_images]
    inner = grid[1, :].subgridspec(1, n_images + 1)  # column 0 holds the caption
    pred = result.net.predict(result.data.X_test[wrong]).argmax(axis=1) if wrong.size else []
    for i in range(wrong.size):
        ax = fig.add_subplot(inner[0, i + 1])
        ax.set_axis_off()
        m = wrong[i]
        ax.imshow(result.data.X_test[m].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(f"{result.data.y_test[m]} → {pred[i]}", fontsize=8, y=TITLE_Y)
    if wrong.size == 0:
        fig.text(0.5, 0.12, "no misclassified test images", ha="center")
    else:
        caption = fig.add_subplot(inner[0, 0])
        caption.set_axis_off()
        caption.text(
            0, 0.5, "misclassified\ntest images\n(true → predicted)", fontsize=8, va="center"
        )
    s = result.settings
    fig.suptitle(
        f"digits, layers {list(s.sizes)}, {s.activation}, η = {s.learning_rate:g}", fontsize=10
    )
    _words(fig, result, 170)
    return fig


def draw(result: pg.Result, fig: Figure | None = None) -> Figure:
    """:func:`draw_digits` or :func:`draw_playground`, whichever fits ``result``."""
    return draw_digits(result, fig) if result.boundary is None else draw_playground(result, fig)


def png_bytes(fig: Figure, dpi: float = 72, colors: int | None = None) -> bytes:
    """Render ``fig`` with Agg to PNG; ``colors`` quantises to a palette (smaller files)."""
    canvas = FigureCanvasAgg(fig)
    buf = io.BytesIO()
    if colors is None:
        fig.savefig(buf, format="png", dpi=dpi, pil_kwargs={"compress_level": 1})
        return buf.getvalue()
    from PIL import Image

    fig.set_dpi(dpi)
    canvas.draw()
    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba())
    image = image.convert("RGB").quantize(colors=colors, method=Image.Quantize.MEDIANCUT)
    image.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def show_png(out: W.Output, png: bytes, text: str = "playground figure") -> None:
    """Replace what ``out`` shows by the image ``png`` (works with and without a kernel)."""
    out.outputs = (
        {
            "output_type": "display_data",
            "data": {"image/png": base64.b64encode(png).decode("ascii"), "text/plain": text},
            "metadata": {},
        },
    )


# ------------------------------------------------------------------------- the playground
DATASET_VALUES = {
    "moons": ("moons", 2),
    "circles": ("circles", 2),
    "xor": ("xor", 2),
    "spirals": ("spirals", 2),
    "spirals3": ("spirals", 3),
}
"""Values of the ``dataset`` control and the ``(dataset, classes)`` of the settings."""
BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256)
L2_RATES = (0.0, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1)


def _with(values, value):
    """The sorted option list ``values`` with ``value`` added if it is missing."""
    return tuple(sorted(set(values) | {value}))


def make_controls(settings: pg.Settings) -> dict:
    """One widget per setting, named like the :class:`~backprop.explore.playground.Settings` field.

    The descriptions carry the units; every range is one a reader can explore in well under a
    second per run (the digits: a few seconds at the largest sizes, with a progress bar).
    """
    s = settings
    digits = s.dataset == "digits"
    style = {"description_width": "150px"}
    lay = W.Layout(width="350px")
    kw = dict(style=style, layout=lay, continuous_update=False)
    c = {}
    if not digits:
        key = "spirals3" if s.classes == 3 else s.dataset
        c["dataset"] = W.Dropdown(
            options=[
                (label, k) for label, k in zip([o[0] for o in DATASET_OPTIONS], DATASET_VALUES)
            ],
            value=key,
            description="data set",
            style=style,
            layout=lay,
        )
        c["features"] = W.SelectMultiple(
            options=list(pg.FEATURES),
            value=s.features,
            rows=4,
            description="input features",
            style=style,
            layout=lay,
        )
    c["hidden_layers"] = W.IntSlider(
        s.hidden_layers, min=0, max=6, description="hidden layers", **kw
    )
    c["neurons"] = W.IntSlider(
        s.neurons, min=1, max=64 if digits else 32, description="neurons per layer", **kw
    )
    c["activation"] = W.Dropdown(
        options=pg.ACTIVATIONS,
        value=s.activation,
        description="activation σ",
        style=style,
        layout=lay,
    )
    c["loss"] = W.Dropdown(
        options=[("cross-entropy", "cross_entropy"), ("squared error", "mse")],
        value=s.loss,
        description="loss C",
        style=style,
        layout=lay,
    )
    c["learning_rate"] = W.FloatLogSlider(
        s.learning_rate,
        base=10,
        min=-3,
        max=1,
        step=0.05,
        readout_format=".3g",
        description="learning rate η",
        **kw,
    )
    c["batch_size"] = W.SelectionSlider(
        options=_with(BATCH_SIZES, s.batch_size),
        value=s.batch_size,
        description="batch size (samples)",
        **kw,
    )
    c["epochs"] = W.IntSlider(
        s.epochs, min=1, max=200 if digits else 500, description="epochs (passes)", **kw
    )
    c["l2"] = W.SelectionSlider(
        options=_with(L2_RATES, s.l2), value=s.l2, description="L2 regularisation λ", **kw
    )
    c["momentum"] = W.FloatSlider(
        s.momentum, min=0, max=0.95, step=0.05, description="momentum μ", **kw
    )
    c["noise"] = W.FloatSlider(
        s.noise,
        min=0,
        max=0.5,
        step=0.01,
        description="pixel noise σ" if digits else "noise σ (data units)",
        **kw,
    )
    c["test_fraction"] = W.FloatSlider(
        s.test_fraction,
        min=0.1,
        max=0.9,
        step=0.05,
        readout_format=".0%",
        description="test share",
        **kw,
    )
    c["seed"] = W.BoundedIntText(
        s.seed, min=0, max=10**6, description="seed (weights, order)", style=style, layout=lay
    )
    c["data_seed"] = W.BoundedIntText(
        s.data_seed, min=0, max=10**6, description="data seed", style=style, layout=lay
    )
    return c


class Playground:
    """Controls, a progress bar, the figure and a save button for one playground.

    ``Playground()`` is the 2-D playground at the default
    :class:`~backprop.explore.playground.Settings`;
    ``Playground(playground.DIGITS_DEFAULTS)`` the digits. It trains once on creation. Changing
    any control (by hand, or in code with :meth:`set`) retrains from the same seeds and redraws.

    Attributes: ``controls`` (name -> widget), ``result`` (the last
    :class:`~backprop.explore.playground.Result`), ``figure_data`` (:func:`figure_data` of it),
    ``message`` (the text under the figure), ``png`` (the figure shown), ``seconds`` (time of
    the last update: train + draw + encode), ``output``, ``progress``, ``widget`` (the box to
    display; a ``Playground`` also displays itself).
    """

    def __init__(self, settings: pg.Settings | None = None, dpi: float = 72):
        self.base = pg.Settings() if settings is None else settings
        self.dpi = dpi
        self.controls = make_controls(self.base)
        self.output = W.Output(layout=W.Layout(min_height="260px"))
        self.progress = W.IntProgress(
            0, min=0, max=self.base.epochs, description="training", layout=W.Layout(width="320px")
        )
        self.text = W.HTML()
        self.save_path = W.Text(
            "playground-network.npz", description="file", layout=W.Layout(width="300px")
        )
        self.save_button = W.Button(
            description="Save network (.npz)", icon="save", layout=W.Layout(width="180px")
        )
        self.save_button.on_click(lambda _: self.save())
        self.result = self.figure_data = self.png = self._figure = None
        self.message, self.seconds, self._hold = "", 0.0, False
        for control in self.controls.values():
            control.observe(self._changed, names="value")
        names = list(self.controls)
        half = (len(names) + 1) // 2
        columns = [
            W.VBox([self.controls[n] for n in part]) for part in (names[:half], names[half:])
        ]
        self.widget = W.VBox(
            [
                W.HBox(columns, layout=W.Layout(flex_flow="row wrap")),
                W.HBox(
                    [self.progress, self.save_path, self.save_button],
                    layout=W.Layout(flex_flow="row wrap"),
                ),
                self.output,
                self.text,
            ]
        ).add_class("bp-playground")
        self.update()

    # -- state
    def settings(self) -> pg.Settings:
        """The :class:`~backprop.explore.playground.Settings` the controls show now."""
        values = {name: c.value for name, c in self.controls.items()}
        if "dataset" in values:
            values["dataset"], values["classes"] = DATASET_VALUES[values["dataset"]]
        if "features" in values:
            values["features"] = tuple(values["features"])
        return self.base.replace(**values)

    def set(self, **values) -> Playground:
        """Set several controls at once (``set(learning_rate=3, neurons=4)``), then retrain once."""
        unknown = sorted(set(values) - set(self.controls))
        if unknown:
            raise KeyError(f"no control named {unknown}; the controls are {list(self.controls)}")
        self._hold = True
        try:
            for name, value in values.items():
                self.controls[name].value = value
        finally:
            self._hold = False
        return self.update()

    def _changed(self, change) -> None:
        if not self._hold:
            self.update()

    def _tick(self, epoch: int, epochs: int) -> None:
        if epoch == epochs or epoch % max(1, epochs // 20) == 0:
            self.progress.value = epoch

    # -- work
    def update(self) -> Playground:
        """Train with the controls' settings, then :meth:`render`."""
        start = time.perf_counter()
        try:
            settings = self.settings()
        except ValueError as exc:  # e.g. no input feature selected
            self._say(f"These settings cannot be trained: {exc}", "danger")
            return self
        self.progress.max, self.progress.value, self.progress.bar_style = settings.epochs, 0, ""
        self.result = pg.train(settings, progress=self._tick)
        self.figure_data = figure_data(self.result)
        self.render()
        self.seconds = time.perf_counter() - start
        return self

    def render(self) -> Playground:
        """Draw ``self.result`` into the ``Output`` and put its words under it."""
        r = self.result
        if r.boundary is None:
            fig = draw_digits(r)
        else:
            self._figure = self._figure or PlaygroundFigure(words=False)
            fig = self._figure.update(r)
        self.png = png_bytes(fig, dpi=self.dpi)
        show_png(self.output, self.png, r.message)
        style = {"ok": "success", "overshoot": "warning", "diverged": "danger"}[r.status]
        self.progress.bar_style = style
        self._say(r.text, "danger" if r.status != "ok" else ("warning" if r.notes else ""))
        return self

    def _say(self, text: str, level: str = "") -> None:
        self.message = text
        color = {"danger": "#b00020", "warning": "#8a5a00"}.get(level, "inherit")
        self.text.value = f'<p style="color:{color}; max-width:60em">{_escape(text)}</p>'

    def save(self, path=None) -> str:
        """Save the trained network with :meth:`backprop.Network.save`; returns the file name."""
        path = str(self.save_path.value if path is None else path)
        if not path.endswith(".npz"):
            path += ".npz"
        self.result.net.save(path)
        self._say(
            f"Saved the trained network {list(self.result.net.sizes)} to {path}; load it with "
            f"backprop.Network.load({path!r})."
        )
        return path

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ------------------------------------------------------------------------- the explorer
class Explorer:
    """What :func:`precomputed_explorer` builds. ``widget`` is the box to display.

    ``lr_slider``, ``hidden_slider``: the two ``SelectionSlider``; ``outer``: the ``Stack``
    indexed by the learning rate, whose children are ``Stack`` widgets indexed by the hidden
    size; ``images[i][j]``: the ``Image`` of learning rate ``i`` and hidden size ``j``;
    ``runs[i][j]``: ``(settings, status, test accuracy)`` of that run; ``links``: the
    ``jslink`` objects (``(slider, "index")`` -> ``(stack, "selected_index")``).
    """

    def __init__(self, lr_slider, hidden_slider, outer, images, runs, links, widget):
        self.lr_slider, self.hidden_slider, self.outer = lr_slider, hidden_slider, outer
        self.images, self.runs, self.links, self.widget = images, runs, links, widget

    @property
    def total_bytes(self) -> int:
        """Bytes of all PNG images together."""
        return sum(len(img.value) for row in self.images for img in row)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def precomputed_explorer(
    settings: pg.Settings | None = None,
    learning_rates=LEARNING_RATES,
    hidden=HIDDEN_SIZES,
    size=(600, 300),
    colors: int = 48,
) -> Explorer:
    """Train every (learning rate, neurons per layer) pair now; switch between them in the page.

    Each run is a real :func:`backprop.explore.playground.train` of ``settings`` (default: the
    playground's defaults) with ``learning_rate`` and ``neurons`` replaced. Its figure is
    rendered with Agg to a ``size`` PNG quantised to ``colors`` colours. The sliders are linked
    to the stacks in the browser (``ipywidgets.jslink``), so the built page needs no kernel.
    DOM classes: ``bp-explorer`` (box), ``bp-explorer-lr``, ``bp-explorer-hidden`` (sliders),
    ``bp-explorer-figure`` (images).
    """
    base = pg.Settings() if settings is None else settings
    lrs, ns = [float(v) for v in learning_rates], [int(v) for v in hidden]
    i0 = int(np.argmin([abs(np.log(lr / base.learning_rate)) for lr in lrs]))
    j0 = int(np.argmin([abs(n - base.neurons) for n in ns]))
    figure = PlaygroundFigure(compact=True)  # one figure, updated for every run
    images, runs = [], []
    for lr in lrs:
        row, row_runs = [], []
        for n in ns:
            s = base.replace(learning_rate=lr, neurons=n)
            r = pg.train(s)
            figure.fig.set_size_inches(size[0] / 100, size[1] / 100)
            png = png_bytes(figure.update(r), dpi=100, colors=colors)
            img = W.Image(value=png, format="png", width=str(size[0]), height=str(size[1]))
            row.append(img.add_class("bp-explorer-figure"))
            row_runs.append((s, r.status, r.test_accuracy))
        images.append(row)
        runs.append(row_runs)
    style = {"description_width": "160px"}
    lay = W.Layout(width="520px")
    lr_slider = W.SelectionSlider(
        options=[(f"{v:g}", v) for v in lrs],
        index=i0,
        style=style,
        description="learning rate η",
        layout=lay,
    )
    hidden_slider = W.SelectionSlider(
        options=[(str(n), n) for n in ns],
        index=j0,
        style=style,
        description="neurons per layer",
        layout=lay,
    )
    lr_slider.add_class("bp-explorer-lr")
    hidden_slider.add_class("bp-explorer-hidden")
    inner = [W.Stack(row, selected_index=j0) for row in images]
    outer = W.Stack(inner, selected_index=i0)
    links = [W.jslink((lr_slider, "index"), (outer, "selected_index"))]
    links += [W.jslink((hidden_slider, "index"), (stack, "selected_index")) for stack in inner]
    note = W.HTML(
        f"<small>Precomputed when the book was built: {len(lrs) * len(ns)} real training runs "
        f"of {base.dataset} ({base.hidden_layers} hidden {base.activation} layers, "
        f"{base.epochs} epochs). Run the live playground with <code>make lab</code> or in "
        "Colab.</small>"
    )
    widget = W.VBox([lr_slider, hidden_slider, outer, note]).add_class("bp-explorer")
    return Explorer(lr_slider, hidden_slider, outer, images, runs, links, widget)
