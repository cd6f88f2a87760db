r"""The figures of the book's live experiments, in one style, and the data they draw.

Every figure here is a bare :class:`matplotlib.figure.Figure` on the Agg canvas (no pyplot
state, so a widget can redraw it from any thread), built once and then updated in place:
``update()`` only changes the data of existing artists, which is what keeps a redraw
cheap. One style for all of them, the book's: :data:`STYLE` holds the text sizes and line
width of ``book.mplstyle`` (the file the chapters' figures use) and the colours; log axes
labelled with plain numbers, fixed margins, trouble in red words.

* :class:`PlaygroundFigure`: decision regions, loss curves, gradient norm per layer (2-D data).
* :class:`DigitsFigure`: loss curves, confusion matrix, gradient norms, misclassified images.
* :class:`CurveFigure`: the gradient-descent chapter's loss curve and fitted function.
* :func:`figure_data`: the arrays any of them draws, for a playground
  :class:`~backprop.explore.playground.Result` or a
  :class:`~backprop.explore.playground.CurveResult` (what tests assert on).
* :func:`png_bytes`, :func:`show_png`: encode a figure once and show the bytes in an
  ``ipywidgets.Output``.
"""

from __future__ import annotations

import base64
import functools
import io
import textwrap
from pathlib import Path

import numpy as np
from matplotlib import rc_params_from_file
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import Formatter, LogFormatter, MaxNLocator

from . import playground as pg

STYLE_FILE = Path(__file__).with_name("book.mplstyle")
"""The book's figure style; ``chapters/matplotlibrc`` is a link to this file."""
BOOK_RC = rc_params_from_file(STYLE_FILE, use_default_template=False)
"""The settings of :data:`STYLE_FILE` (only those it sets)."""


def _points(key: str) -> float:
    size = BOOK_RC[key]
    if not isinstance(size, int | float):
        raise ValueError(f"{STYLE_FILE.name}: {key} must be a size in points, got {size!r}")
    return float(size)


STYLE = {
    "dpi": _points("figure.dpi"),
    "text": _points("font.size"),
    "title": _points("axes.titlesize"),
    "label": _points("axes.labelsize"),
    "tick": _points("xtick.labelsize"),
    "small": _points("legend.fontsize"),
    "suptitle": _points("figure.titlesize"),
    "linewidth": _points("lines.linewidth"),
    "error": "#b00020",
    "warning": "#8a5a00",
    "grid_alpha": 0.3,
    "title_y": 1.01,
}
"""The one style of these figures, read from :data:`STYLE_FILE` (set explicitly on every
artist: matplotlib's global settings are neither read nor changed, so a figure looks the same
in any working directory and from any thread). Sizes in points: ``text`` (words under a
figure), ``title``, ``label`` (axis labels), ``tick``, ``small`` (legends, notes inside the
axes, counts), ``suptitle``; ``linewidth`` of the data lines; ``dpi`` of the book's images.
Then the colours of error and warning words, the grid's transparency and the title height
(fixed, otherwise matplotlib measures every tick label to place the titles)."""
LIVE_DPI = 72.0
"""Resolution of the live widgets' images, the same figure at 72 % of the book's pixels (text
of 11 pt is 11 px there, shown at its own size in Jupyter). A redraw at 100 dpi costs about
15 % more time (Agg fills 1.9 times the pixels), which a moved control would wait for."""
CLASS_COLORS = np.array([[0.85, 0.37, 0.01], [0.12, 0.47, 0.71], [0.2, 0.63, 0.17]])
"""RGB of classes 0, 1, 2 in the 2-D figures (orange, blue, green)."""
CLIP = 100.0
"""Loss curves of the gradient-descent explorer are drawn up to ``CLIP`` times the initial
loss; larger values sit on the edge."""
TITLE_Y = STYLE["title_y"]


# ------------------------------------------------------------------------- figure data
def positive(values) -> np.ndarray:
    """``values`` as float64 with non-finite and non-positive entries masked as NaN (log axes)."""
    v = np.array(values, dtype=np.float64)
    v[~np.isfinite(v) | (v <= 0)] = np.nan
    return v


@functools.singledispatch
def figure_data(result, reference=None) -> dict:
    """The arrays a figure of ``result`` draws, keyed by panel (what the tests assert on).

    For a playground :class:`~backprop.explore.playground.Result`: ``epochs`` ``(E+1,)``,
    ``train_loss`` / ``test_loss`` ``(E+1,)`` and ``grad_norms`` ``(E+1, L)`` with
    non-finite entries masked as NaN; for 2-D data ``boundary`` ``(G, G)`` (predicted class
    on the grid), ``proba`` ``(G, G, K)``, ``xs``, ``ys``; for the digits ``confusion``
    ``(10, 10)`` and ``misclassified`` (indices into the test set).

    For a :class:`~backprop.explore.playground.CurveResult` (all finite): ``epochs``,
    ``loss``: the curve, clipped at :data:`CLIP` times the initial loss; ``clipped``: whether
    any value was; ``reference_epochs``/``reference_loss``: the ``reference`` run, if any;
    ``x``, ``prediction``: the trained network on a grid of $[-1, 1]$ (clipped to
    $[-3, 3]$); ``x_data``, ``y_data``: the training set; ``headline``: the words.
    """
    raise TypeError(
        f"figure_data takes a playground Result or CurveResult, got {type(result).__name__}"
    )


@figure_data.register
def _(result: pg.Result, reference=None) -> dict:
    data = {
        "epochs": result.epochs,
        "train_loss": positive(result.train_loss),
        "test_loss": positive(result.test_loss),
        "grad_norms": positive(result.grad_norms),
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


@figure_data.register
def _(result: pg.CurveResult, reference=None) -> dict:
    loss = result.loss[np.isfinite(result.loss)]
    top = CLIP * loss[0]
    s = result.settings
    X, Y = pg.regression_data(s.n_samples, s.noise, s.seed)
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
        "headline": pg.headline(result),
        "status": result.status,
    }
    if reference is not None:
        ref = reference.loss[np.isfinite(reference.loss)]
        data["reference_epochs"] = np.arange(len(ref))
        data["reference_loss"] = np.minimum(ref, top)
        data["reference_label"] = reference.label
    return data


# ------------------------------------------------------------------------- style helpers
class _PlainLogFormatter(LogFormatter):
    """Log-axis tick labels as plain numbers ("0.3", "1e-05"), never mathtext."""

    def _num_to_string(self, x, vmin, vmax):
        return f"{x:.3g}"


class _MinorLogLabels(Formatter):
    """Labels of a log axis's minor ticks, as plain numbers: none when the axis spans more than
    two decades, only the 2s and 5s above 0.4 of one (3 and 4 would run into each other at the
    book's text size on a short axis), all below."""

    def __call__(self, x, pos=None):
        low, high = sorted(self.axis.get_view_interval())
        if low <= 0 or x <= 0:
            return ""
        span = np.log10(high / low)
        digit = round(x / 10 ** np.floor(np.log10(x) + 1e-9), 6)
        return "" if span > 2 or (span > 0.4 and digit not in (2, 5)) else f"{x:.3g}"


def log_y(ax) -> None:
    """Log-scale y axis with plain-text tick labels (mathtext labels cost ~30 ms a figure)."""
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(_PlainLogFormatter())
    ax.yaxis.set_minor_formatter(_MinorLogLabels())


def new_figure(size, dpi: float = LIVE_DPI) -> Figure:
    """A bare figure of ``size`` inches at ``dpi`` (the live widgets'), on the Agg canvas."""
    fig = Figure(figsize=size, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def style_axes(*axes) -> None:
    """The book's tick and axis label sizes on ``axes`` (ticks added later inherit them)."""
    for ax in axes:
        ax.tick_params(labelsize=STYLE["tick"], which="both")
        ax.xaxis.label.set_size(STYLE["label"])
        ax.yaxis.label.set_size(STYLE["label"])


def margins(fig: Figure, top: float, bottom: float, left: float | None = None, gap: float = 0.0,
            columns: int = 1, right: float = 14.0) -> dict:  # fmt: skip
    """``subplots_adjust`` arguments from margins and the gap between columns in points.

    ``top``, ``bottom``, ``left`` (default: a y axis's tick labels and label), ``right``: the
    room that the text there needs beyond the axes, so that one layout fits any figure size.
    """
    left = _Y_AXIS_ROOM if left is None else left
    width, height = fig.get_size_inches() * 72
    kw = dict(left=left / width, right=1 - right / width, bottom=bottom / height)
    kw["top"] = 1 - top / height
    if columns > 1:
        axis = (width - left - right - (columns - 1) * gap) / columns
        kw["wspace"] = gap / axis
    return kw


def regrid(fig: Figure, grid, **params) -> None:
    """``grid.update(**params)``, and move the axes on ``grid`` (``GridSpec.update`` moves only
    the axes of pyplot's figures). Nothing happens if nothing changes: an axes with a fixed
    aspect keeps the place its last draw gave it, which a blitted redraw relies on."""
    if all(getattr(grid, name) == value for name, value in params.items()):
        return
    grid.update(**params)
    for ax in fig.axes:
        spec = ax.get_subplotspec()
        if spec is not None and spec.get_topmost_subplotspec().get_gridspec() is grid:
            ax.set_position(spec.get_position(fig), which="original")


def _lines(n: float, size: float) -> float:
    """Points that ``n`` lines of text of ``size`` points take."""
    return 1.3 * n * size


def _above(suptitle_lines: int = 1) -> float:
    """Points above the axes for a suptitle of ``suptitle_lines`` and the axes' titles."""
    return _lines(suptitle_lines, STYLE["suptitle"]) + _lines(1, STYLE["title"]) + 16


def _below(words: int = 0) -> float:
    """Points below the axes for x tick labels, an x label and ``words`` lines of words."""
    return _lines(1, STYLE["tick"]) + _lines(1, STYLE["label"]) + _lines(words, STYLE["text"]) + 12


_Y_AXIS_ROOM = 3.2 * STYLE["tick"] + _lines(1, STYLE["label"]) + 12
"""Points left of an axes for y tick labels ("1e-05" is about 3 em) and the y label."""


def wrap(text: str, fig: Figure, size: float, max_lines: int) -> list[str]:
    """``text`` in lines that fit across ``fig`` at ``size`` points (at most ``max_lines``)."""
    chars = int(fig.get_figwidth() * 72 / (0.6 * size))  # DejaVu Sans: about 0.55 em a letter
    return textwrap.wrap(text, chars)[:max_lines]


def _status(result) -> str:
    return {"ok": "", "overshoot": " (overshoots)", "diverged": " (diverged)"}[result.status]


def _loss_name(settings) -> str:
    return "cross-entropy" if settings.loss == "cross_entropy" else "squared error"


def _autoscale(ax, last_epoch) -> None:
    ax.relim()
    ax.autoscale_view()
    ax.set_xlim(0, max(1, last_epoch))  # all the epochs, even if a curve is empty


def _bad(result) -> bool:
    return result.status != "ok" or bool(result.notes)


# ------------------------------------------------------------------------- 2-D playground
class PlaygroundFigure:
    """The 2-D playground's figure, built once and then updated in place.

    Panels: decision regions with the training and test points, loss curves, and (unless
    ``compact``) the gradient norm of each layer. ``words``: write divergence and gradient
    remarks along the bottom (a widget shows them under the figure instead). ``compact``: the
    explorer's 600 x 360 px two-panel version.
    """

    def __init__(self, fig: Figure | None = None, words: bool = True, compact: bool = False):
        size = (6, 3.6) if compact else (11, 3.6)
        self.fig = new_figure(size) if fig is None else fig
        if not isinstance(self.fig.canvas, FigureCanvasAgg):
            FigureCanvasAgg(self.fig)
        self.words, self.compact = words, compact
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
            ax_b.legend(handles=handles, loc="lower right", fontsize=STYLE["small"],
                        framealpha=0.8)  # fmt: skip
        log_y(ax_l)
        self.loss_lines = ax_l.plot([], [], "-", [], [], "--", lw=STYLE["linewidth"])
        ax_l.set_xlabel("epoch")
        ax_l.legend(self.loss_lines, ["training", "test"], fontsize=STYLE["small"])
        ax_l.grid(alpha=STYLE["grid_alpha"])
        self.grad_lines = []
        if ax_g is not None:
            _gradient_axes(ax_g)
        style_axes(ax_b, ax_l)
        self.text = self.fig.text(
            0.01, 0.01, "", fontsize=STYLE["text"], color=STYLE["error"], va="bottom"
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
            f"test accuracy {100 * result.test_accuracy:.0f} %{_status(result)}",
            fontsize=STYLE["title"],
            y=TITLE_Y,
        )
        _loss_curves(self.ax_l, self.loss_lines, fd, s, result)
        if self.ax_g is not None:
            self.grad_lines = _gradient_lines(self.ax_g, self.grad_lines, fd)
        _markers(self.loss_lines + self.grad_lines, fd)
        for ax in (self.ax_l, self.ax_g):
            if ax is not None:
                _autoscale(ax, fd["epochs"][-1])
        if self.compact:
            title = f"η = {s.learning_rate:.3g}, hidden layers {s.hidden_layers} x {s.neurons}"
        else:
            hidden = s.activation if s.hidden_layers else "no hidden layer (linear softmax)"
            title = f"{s.dataset}, layers {list(s.sizes)}, {hidden}, η = {s.learning_rate:.3g}"
        self.fig.suptitle(title, fontsize=STYLE["suptitle"])
        bad = self.words and _bad(result)
        self.text.set_text("\n".join(wrap(result.text, self.fig, STYLE["text"], 3)) if bad else "")
        # Fixed margins instead of tight_layout, which draws the figure an extra time.
        words = len(self.text.get_text().splitlines())
        self.fig.subplots_adjust(
            **margins(self.fig, _above(), _below(words), gap=_Y_AXIS_ROOM + 8,
                      columns=2 if self.compact else 3)
        )  # fmt: skip
        return self.fig


def _gradient_axes(ax) -> None:
    log_y(ax)
    ax.set(xlabel="epoch", ylabel=r"$\Vert\partial C/\partial W^l\Vert_F$")
    ax.set_title("gradient norm per layer", fontsize=STYLE["title"], y=TITLE_Y)
    ax.grid(alpha=STYLE["grid_alpha"])
    style_axes(ax)


def _gradient_lines(ax, lines, fd) -> list:
    """Update (or, for another depth, replace) one line per layer; returns the lines."""
    norms, epochs = fd["grad_norms"], fd["epochs"]
    if len(lines) != norms.shape[1]:
        for line in lines:
            line.remove()
        lines = [
            ax.plot([], [], color=f"C{l}", lw=STYLE["linewidth"], label=f"$W^{{{l + 1}}}$")[0]
            for l in range(norms.shape[1])
        ]
        ax.legend(fontsize=STYLE["small"], ncol=2 if norms.shape[1] > 4 else 1)
    for l, line in enumerate(lines):
        line.set_data(epochs, norms[:, l])
    return lines


def _loss_curves(ax, lines, fd, s, result) -> None:
    for line, key in zip(lines, ("train_loss", "test_loss")):
        line.set_data(fd["epochs"], fd[key])
    ax.set_ylabel(f"loss C ({_loss_name(s)})")
    title = f"loss, train accuracy {100 * result.train_accuracy:.0f} %"
    ax.set_title(title, fontsize=STYLE["title"], y=TITLE_Y)


def _markers(lines, fd) -> None:
    marker = "o" if len(fd["epochs"]) < 3 else "None"  # a run that diverged at once
    for line in lines:
        line.set_marker(marker)


# ------------------------------------------------------------------------- digits
class DigitsFigure:
    """The digits' figure, built once and updated in place: loss curves, confusion matrix,
    gradient norms, and up to ``n_images`` misclassified test images. ``words`` as in
    :class:`PlaygroundFigure`."""

    def __init__(self, fig: Figure | None = None, words: bool = True, n_images: int = 8):
        self.fig = new_figure((11, 5.4)) if fig is None else fig
        if not isinstance(self.fig.canvas, FigureCanvasAgg):
            FigureCanvasAgg(self.fig)
        self.words, self.n_images = words, n_images
        frame = margins(self.fig, _above(), 4, gap=_Y_AXIS_ROOM + 8, columns=3)
        # between the rows: the top row's x axis and the images' titles
        rows = (frame["top"] - frame["bottom"]) * self.fig.get_figheight() * 72
        room = _below() + _lines(1, STYLE["small"])
        frame["hspace"] = room / ((rows - room) / 2)
        grid = self.fig.add_gridspec(2, 3, height_ratios=[3, 1.2], **frame)
        self.grid = grid
        self.ax_l, self.ax_c, self.ax_g = (self.fig.add_subplot(grid[0, i]) for i in range(3))
        log_y(self.ax_l)
        self.loss_lines = self.ax_l.plot([], [], "-", [], [], "--", lw=STYLE["linewidth"])
        self.ax_l.set_xlabel("epoch")
        self.ax_l.legend(self.loss_lines, ["training", "test"], fontsize=STYLE["small"])
        self.ax_l.grid(alpha=STYLE["grid_alpha"])
        self.confusion = self.ax_c.imshow(np.zeros((10, 10)), cmap="Blues", vmin=0, vmax=1)
        self.counts = [
            [
                self.ax_c.text(j, i, "", ha="center", va="center", fontsize=STYLE["small"])
                for j in range(10)
            ]
            for i in range(10)
        ]
        self.ax_c.set(xticks=range(10), yticks=range(10), xlabel="predicted", ylabel="true")
        style_axes(self.ax_l, self.ax_c)
        _gradient_axes(self.ax_g)
        self.grad_lines = []
        inner = grid[1, :].subgridspec(1, n_images + 1)  # column 0 holds the caption
        caption = self.fig.add_subplot(inner[0, 0])
        caption.set_axis_off()
        self.caption = caption.text(
            0, 0.5, "misclassified\ntest images\n(true →\npredicted)", fontsize=STYLE["small"],
            va="center",
        )  # fmt: skip
        self.image_axes, self.images = [], []
        for i in range(n_images):
            ax = self.fig.add_subplot(inner[0, i + 1])
            ax.set_axis_off()
            self.images.append(ax.imshow(np.zeros((8, 8)), cmap="gray_r", vmin=0, vmax=1))
            ax.set_title("", fontsize=STYLE["small"], y=TITLE_Y)
            self.image_axes.append(ax)
        self.none = self.fig.text(0.5, 0.12, "", ha="center", fontsize=STYLE["text"])
        self._background = self._background_key = None
        self.text = self.fig.text(
            0.01, 0.01, "", fontsize=STYLE["text"], color=STYLE["error"], va="bottom"
        )

    def update(self, result: pg.Result) -> Figure:
        """Show ``result``; returns the figure."""
        fd, s = figure_data(result), result.settings
        _loss_curves(self.ax_l, self.loss_lines, fd, s, result)
        self.grad_lines = _gradient_lines(self.ax_g, self.grad_lines, fd)
        _markers(self.loss_lines + self.grad_lines, fd)
        for ax in (self.ax_l, self.ax_g):
            _autoscale(ax, fd["epochs"][-1])
        C = result.confusion
        self.confusion.set_data(C / max(1, C.max()))
        for (i, j), c in np.ndenumerate(C):
            self.counts[i][j].set_text(str(c) if c else "")
            self.counts[i][j].set_color("white" if c > C.max() / 2 else "black")
        self.ax_c.set_title(
            f"test accuracy {100 * result.test_accuracy:.1f} %{_status(result)}",
            fontsize=STYLE["title"],
            y=TITLE_Y,
        )
        wrong = result.misclassified[: self.n_images]
        X_test, y_test = result.data.X_test, result.data.y_test
        with np.errstate(over="ignore", invalid="ignore"):
            pred = result.net.predict(X_test[wrong]).argmax(axis=1) if wrong.size else []
        for i, (ax, image) in enumerate(zip(self.image_axes, self.images)):
            shown = i < wrong.size
            ax.set_visible(shown)
            if shown:
                image.set_data(X_test[wrong[i]].reshape(8, 8))
                ax.set_title(f"{y_test[wrong[i]]} → {pred[i]}", fontsize=STYLE["small"], y=TITLE_Y)
        self.caption.set_visible(wrong.size > 0)
        self.none.set_text("" if wrong.size else "no misclassified test images")
        self.fig.suptitle(
            f"digits, layers {list(s.sizes)}, {s.activation}, η = {s.learning_rate:.3g}",
            fontsize=STYLE["suptitle"],
        )
        bad = self.words and _bad(result)
        self.text.set_text("\n".join(wrap(result.text, self.fig, STYLE["text"], 3)) if bad else "")
        words = len(self.text.get_text().splitlines())
        bottom = (4 + _lines(words, STYLE["text"])) / (self.fig.get_figheight() * 72)
        regrid(self.fig, self.grid, bottom=bottom)
        self._layout_key = words
        return self.fig

    def png(self) -> bytes:
        """The figure as PNG, redrawing only what changes (blitting, as :meth:`CurveFigure.png`).

        The confusion matrix's axes and ticks, the image axes and the caption's place are
        rendered once; each update draws the loss and gradient panels, the matrix, its
        counts, the images and all titles on top.
        """
        canvas = self.fig.canvas
        fig_texts = [t for t in (self.fig._suptitle, self.none, self.text) if t is not None]
        counts = [t for row in self.counts for t in row]
        spines = list(self.ax_c.spines.values())  # drawn over the matrix, as in a full draw
        axes_dynamic = [self.confusion, *spines, *counts, self.ax_c.title]
        images = [(ax, image, ax.title) for ax, image in zip(self.image_axes, self.images)]
        dynamic = [self.confusion, *counts, self.ax_c.title]
        dynamic += [a for _, i, t in images for a in (i, t)] + [self.caption, *fig_texts]
        key = (self._layout_key, self.fig.dpi, tuple(self.fig.get_size_inches()))
        if self._background is None or key != self._background_key:
            for artist in dynamic:
                artist.set_animated(True)
            hidden = [self.ax_l, self.ax_g, *self.image_axes]
            shown = [ax.get_visible() for ax in hidden]
            for ax in hidden:
                ax.set_visible(False)
            try:
                canvas.draw()
                self._background = canvas.copy_from_bbox(self.fig.bbox)
                self._background_key = key
            finally:
                for ax, visible in zip(hidden, shown):
                    ax.set_visible(visible)
                for artist in dynamic:  # a later full draw (savefig) must include them
                    artist.set_animated(False)
        canvas.restore_region(self._background)
        renderer = canvas.get_renderer()
        self.ax_l.draw(renderer)
        self.ax_g.draw(renderer)
        for artist in axes_dynamic:
            self.ax_c.draw_artist(artist)
        for ax, image, title in images:
            if ax.get_visible():
                ax.draw_artist(image)
                ax.draw_artist(title)
        if self.caption.get_visible():
            self.caption.axes.draw_artist(self.caption)
        for text in fig_texts:
            self.fig.draw_artist(text)
        return _encode(canvas)


# ------------------------------------------------------------------------- loss curve
class CurveFigure:
    """The gradient-descent explorer's figure, built once and updated in place.

    Left: the loss curve on a log scale (and a grey dashed ``reference`` run, if given);
    right: the function the trained network computes, over the training data. The headline
    (red when the run overshoots or diverges) is the figure's title if ``words`` (a widget
    shows it under its controls instead).
    """

    def __init__(self, fig: Figure | None = None, words: bool = True):
        self.fig = new_figure((8.5, 3.6)) if fig is None else fig
        self.words = words
        if not isinstance(self.fig.canvas, FigureCanvasAgg):
            FigureCanvasAgg(self.fig)
        top = _above() if words else _above(suptitle_lines=0)
        frame = margins(self.fig, top, _below(), gap=_Y_AXIS_ROOM + 8, columns=2)
        self.ax, self.ax_fit = self.fig.subplots(1, 2, width_ratios=(1.4, 1), gridspec_kw=frame)
        ax, ax_fit = self.ax, self.ax_fit
        log_y(ax)
        (self.reference,) = ax.plot([], [], color="0.6", ls="--", lw=STYLE["linewidth"])
        (self.line,) = ax.plot([], [], color="C0", lw=STYLE["linewidth"])
        self.top = ax.axhline(1.0, color=STYLE["error"], lw=0.8, ls=":", visible=False)
        self.top_text = ax.text(
            0.98, 0.97, "", transform=ax.transAxes, ha="right", va="top",
            color=STYLE["error"], fontsize=STYLE["small"],
        )  # fmt: skip
        (self.cross,) = ax.plot([], [], "x", color=STYLE["error"], ms=10, mew=2)
        self.legend = self._legend(reference=True)  # update() changes its words
        ax.set_ylabel("training loss $C$ (mean of ½(a − y)²)")  # the package's "mse"
        ax.grid(True, which="both", alpha=STYLE["grid_alpha"])
        ax.xaxis.set_major_locator(MaxNLocator(6, integer=True))
        (self.data_points,) = ax_fit.plot([], [], ".", color="0.4", label="training data")
        (self.fit,) = ax_fit.plot([], [], color="C0", lw=STYLE["linewidth"], label="network")
        ax_fit.set_ylim(-3, 3)
        ax_fit.set_xlim(-1.05, 1.05)
        self.off_scale = ax_fit.text(
            0, 2.7, "", ha="center", va="top", color=STYLE["error"], fontsize=STYLE["small"]
        )
        ax_fit.set_xlabel("input $x$")
        ax_fit.set_ylabel("output $a^L$")
        ax_fit.set_title("the trained network", fontsize=STYLE["title"])
        self.fit_legend = ax_fit.legend(loc="lower right", fontsize=STYLE["small"])
        style_axes(ax, ax_fit)
        self._background = self._background_key = None

    def _legend(self, reference: bool):
        """The loss panel's legend: the run, and the reference run if there is one."""
        lines = [self.reference, self.line] if reference else [self.line]
        legend = self.ax.legend(lines, [""] * len(lines), loc="lower left", fontsize=STYLE["small"])
        self._legend_reference = reference
        return legend

    def update(self, result: pg.CurveResult, reference: pg.CurveResult | None = None) -> dict:
        """Show ``result`` (and ``reference``); returns its :func:`figure_data`."""
        data = figure_data(result, reference)
        s, ax = result.settings, self.ax
        self.line.set_data(data["epochs"], data["loss"])
        if self._legend_reference != (reference is not None):  # rebuilt only when that changes
            self.legend.remove()
            self.legend = self._legend(reference is not None)
        *ref_text, line_text = self.legend.get_texts()
        line_text.set_text(
            result.label + (" (diverged at ×)" if result.status == "diverged" else "")
        )
        if reference is not None:
            self.reference.set_data(data["reference_epochs"], data["reference_loss"])
            ref_text[0].set_text(f"reference: {data['reference_label']}")
        self.reference.set_visible(reference is not None)
        self.legend.set_loc("best")  # where it hides fewest points: curves fall, rise or stop
        top = data["loss"].max()
        self.top.set_visible(data["clipped"])
        self.top.set_ydata([top, top])
        self.top_text.set_text(
            f"loss off the scale (above {CLIP:g}\u00d7 its start)" if data["clipped"] else ""
        )
        if result.status == "diverged":
            self.cross.set_data([result.history.diverged_epoch], [top])
        else:
            self.cross.set_data([], [])
        ax.set_autoscaley_on(True)  # set_ylim below turned it off: the next run scales again
        ax.relim()
        ax.autoscale_view()
        if data["clipped"]:
            ax.set_ylim(top=3 * top)
        ax.set_xlim(0, s.epochs)
        ax.set_xlabel(f"epoch (one pass over the {s.n_samples} samples)")
        self.data_points.set_data(data["x_data"], data["y_data"])
        self.fit.set_data(data["x"], data["prediction"])
        off = np.any(np.abs(data["prediction"]) >= 3)
        self.off_scale.set_text("output off the scale (shown at \u00b13)" if off else "")
        if self.words:
            color = STYLE["error"] if result.status != "ok" else "black"
            headline = wrap(data["headline"], self.fig, STYLE["suptitle"], 2)
            self.fig.suptitle("\n".join(headline), color=color, fontsize=STYLE["suptitle"])
            top = _above(suptitle_lines=len(headline)) / (self.fig.get_figheight() * 72)
            regrid(self.fig, self.ax.get_gridspec(), top=1 - top)
        self._data_key = (s.n_samples, s.noise, s.seed, self.words, self.ax.get_position().y1)
        return data

    def png(self) -> bytes:
        """The figure as PNG, redrawing only what changes from run to run (blitting).

        The right panel's axes, ticks, labels and training data stay the same for given data
        settings; they are rendered once into a background, and each update restores it and
        draws the left panel and the network's curve (with its legend and note) on top, in the
        order of a full draw. Same pixels as :func:`png_bytes` up to the antialiasing where
        the curve touches a spine; about a quarter less drawing.
        """
        canvas = self.fig.canvas
        dynamic = (self.fit, self.off_scale, self.fit_legend)
        key = (self._data_key, self.fig.dpi, tuple(self.fig.get_size_inches()))
        if self._background is None or key != self._background_key:
            for artist in dynamic:
                artist.set_animated(True)
            self.ax.set_visible(False)
            try:
                canvas.draw()
                self._background = canvas.copy_from_bbox(self.fig.bbox)
                self._background_key = key
            finally:
                self.ax.set_visible(True)
                for artist in dynamic:  # a later full draw (savefig) must include them
                    artist.set_animated(False)
        canvas.restore_region(self._background)
        renderer = canvas.get_renderer()
        self.ax.draw(renderer)
        for artist in dynamic:
            self.ax_fit.draw_artist(artist)
        return _encode(canvas)


# ------------------------------------------------------------------------- one-shot drawing
def draw_playground(result: pg.Result, fig: Figure | None = None, words: bool = True) -> Figure:
    """The 2-D playground's figure of ``result`` (see :class:`PlaygroundFigure`)."""
    return PlaygroundFigure(fig, words).update(result)


def draw_digits(result: pg.Result, fig: Figure | None = None, words: bool = True) -> Figure:
    """The digits' figure of ``result`` (see :class:`DigitsFigure`)."""
    return DigitsFigure(fig, words).update(result)


def draw(result: pg.Result, fig: Figure | None = None) -> Figure:
    """:func:`draw_digits` or :func:`draw_playground`, whichever fits ``result``."""
    return draw_digits(result, fig) if result.boundary is None else draw_playground(result, fig)


def draw_curve(result: pg.CurveResult, reference=None, fig: Figure | None = None):
    """``(fig, data)``: a :class:`CurveFigure` of ``result`` and its :func:`figure_data`."""
    figure = CurveFigure(fig)
    return figure.fig, figure.update(result, reference)


# ------------------------------------------------------------------------- encoding
def _encode(canvas) -> bytes:
    """PNG of what the Agg ``canvas`` holds now (RGB, fast compression)."""
    from PIL import Image

    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba())
    buf = io.BytesIO()
    image.convert("RGB").save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def png_bytes(fig: Figure, dpi: float | None = None, colors: int | None = None) -> bytes:
    """Render ``fig`` with Agg to PNG at ``dpi`` (default: the figure's); ``colors`` quantises
    to a palette (smaller files)."""
    dpi = fig.dpi if dpi is None else dpi
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
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


def show_png(out, png: bytes, text: str = "figure") -> None:
    """Replace what the ``ipywidgets.Output`` ``out`` shows by the image ``png``."""
    out.outputs = (
        {
            "output_type": "display_data",
            "data": {"image/png": base64.b64encode(png).decode("ascii"), "text/plain": text},
            "metadata": {},
        },
    )
