r"""Widgets of the *Playground* chapter: live controls, and a kernel-free explorer.

:mod:`backprop.explore.playground` trains, :mod:`backprop.explore.figures` draws (the chapter's
static figures and the widgets use the same figure classes), :mod:`backprop.explore.live` keeps
the widgets live; this module wires ipywidgets controls to them.

* :class:`Playground`: one control per :class:`~backprop.explore.playground.Settings` field; a
  change retrains from the same seeds and redraws into an ``ipywidgets.Output``. Everything it
  shows is also an attribute (``result``, ``figure_data``, ``message``, ``state``), so tests
  drive it in code.
* :func:`precomputed_explorer`: a grid of real runs rendered to PNG at build time, switched by
  sliders ``jslink``-ed to ``Stack`` widgets, so it works in the static site without a kernel.

Figures are encoded once as PNG and written into the ``Output`` as display data: the same
bytes reach JupyterLab and the widget state saved in the built page.
"""

from __future__ import annotations

import html
import time
from pathlib import Path

import ipywidgets as W
import numpy as np

from . import playground as pg
from .figures import (  # noqa: F401  (the names chapters and tests use from here)
    CLASS_COLORS,
    LIVE_DPI,
    STYLE,
    TITLE_Y,
    DigitsFigure,
    PlaygroundFigure,
    draw,
    draw_digits,
    draw_playground,
    figure_data,
    png_bytes,
    show_png,
)
from .live import Runner, dead_kernel_note, from_browser, set_controls

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
REG_RATES = (0.0, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0)
"""The choices of the L2 and of the L1 rate, 0 and the rates the live page offers."""


def _with(values, value):
    """The sorted option list ``values`` with ``value`` added if it is missing."""
    return tuple(sorted(set(values) | {value}))


def make_controls(settings: pg.Settings) -> dict:
    """One widget per setting, named like the :class:`~backprop.explore.playground.Settings` field.

    The descriptions carry the units; every range is one a reader can explore in well under a
    second per run (the digits: a few seconds at the largest sizes, with a progress bar). A
    range is widened if ``settings`` lies outside it, so a control never clamps its setting.
    Batch size and the L2 and L1 rates are drop-downs: a selection slider's readout can be typed
    into but not read back, and would go blank.
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
        s.hidden_layers, min=0, max=max(6, s.hidden_layers), description="hidden layers", **kw
    )
    c["neurons"] = W.IntSlider(
        s.neurons,
        min=1,
        max=max(64 if digits else 32, s.neurons),
        description="neurons per layer",
        **kw,
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
    exponent = np.log10(s.learning_rate)
    c["learning_rate"] = W.FloatLogSlider(
        s.learning_rate,
        base=10,
        min=min(-3, np.floor(exponent)),
        max=max(1, np.ceil(exponent)),
        step=0.05,
        readout_format=".3g",
        description="learning rate η",
        **kw,
    )
    c["batch_size"] = W.Dropdown(
        options=[(pg.plural(b, "sample"), b) for b in _with(BATCH_SIZES, s.batch_size)],
        value=s.batch_size,
        description="batch size",
        style=style,
        layout=lay,
    )
    c["epochs"] = W.IntSlider(
        s.epochs,
        min=1,
        max=max(200 if digits else 500, s.epochs),
        description="epochs (passes)",
        **kw,
    )
    c["l2"] = W.Dropdown(
        options=[(f"{v:g}", v) for v in _with(REG_RATES, s.l2)],
        value=s.l2,
        description="L2 regularisation λ",
        style=style,
        layout=lay,
    )
    c["l1"] = W.Dropdown(
        options=[(f"{v:g}", v) for v in _with(REG_RATES, s.l1)],
        value=s.l1,
        description="L1 regularisation λ",
        style=style,
        layout=lay,
    )
    c["momentum"] = W.FloatSlider(
        s.momentum, min=0, max=max(0.95, s.momentum), step=0.05, description="momentum μ", **kw
    )
    c["noise"] = W.FloatSlider(
        s.noise,
        min=0,
        max=max(0.5, s.noise),
        step=0.01,
        description="pixel noise σ" if digits else "noise σ (data units)",
        **kw,
    )
    c["test_fraction"] = W.FloatSlider(
        s.test_fraction,
        min=min(0.1, s.test_fraction),
        max=max(0.9, s.test_fraction),
        step=0.05,
        readout_format=".0%",
        description="test share",
        **kw,
    )
    c["seed"] = W.BoundedIntText(
        s.seed,
        min=0,
        max=max(10**6, s.seed),
        description="seed (weights, order)",
        style=style,
        layout=lay,
    )
    c["data_seed"] = W.BoundedIntText(
        s.data_seed,
        min=0,
        max=max(10**6, s.data_seed),
        description="data seed",
        style=style,
        layout=lay,
    )
    return c


class Playground:
    """Controls, a progress bar, the figure and a save button for one playground.

    ``Playground()`` is the 2-D playground at the default
    :class:`~backprop.explore.playground.Settings`;
    ``Playground(playground.DIGITS_DEFAULTS)`` the digits (a mapping of some settings is
    accepted too). It trains once on creation. Changing any control retrains from the same
    seeds and redraws: in code (:meth:`set`, or ``control.value = v``) before the call
    returns; by hand in the browser in a background thread, so that a newer move stops an
    older run instead of waiting behind it, while the words say "training… epoch k/N".

    Attributes: ``controls`` (name -> widget), ``result`` (the last
    :class:`~backprop.explore.playground.Result`), ``figure_data``
    (:func:`~backprop.explore.figures.figure_data` of it),
    ``message`` (the text under the figure), ``state`` (the words beside the progress bar),
    ``png`` (the figure shown), ``seconds`` (time of the last update: train + draw + encode),
    ``output``, ``progress``, ``runner`` (:class:`~backprop.explore.live.Runner`), ``widget``
    (the box to display; a ``Playground`` also displays itself).
    """

    def __init__(self, settings=None, dpi: float = LIVE_DPI, background: bool = True):
        self.base = pg.as_settings(settings)
        self.dpi, self.background = dpi, background
        self.controls = make_controls(self.base)
        if self.settings() != self.base:  # a control could not show a setting exactly
            raise ValueError(
                f"the controls cannot show these settings exactly: {self.base} became "
                f"{self.settings()}"
            )
        self.output = W.Output(layout=W.Layout(min_height="260px")).add_class("bp-figure")
        self.progress = W.IntProgress(
            0, min=0, max=self.base.epochs, description="training", layout=W.Layout(width="320px")
        )
        self.state_label = W.HTML(layout=W.Layout(min_width="16em"))
        self.text = W.HTML()
        self.save_path = W.Text(
            "playground-network.npz", description="file", layout=W.Layout(width="300px")
        )
        self.save_button = W.Button(
            description="Save network (.npz)", icon="save", layout=W.Layout(width="180px")
        )
        self.save_button.on_click(self._save_clicked)
        self.result = self.figure_data = self.png = self._figure = None
        self.message, self.state, self.seconds, self._hold = "", "", 0.0, False
        self.runner = Runner(pg.train, self._show, self._fail, self._tick)
        for control in self.controls.values():
            control.observe(self._changed, names="value")
        names = list(self.controls)
        half = (len(names) + 1) // 2
        columns = [
            W.VBox([self.controls[n] for n in part]) for part in (names[:half], names[half:])
        ]
        self.widget = W.VBox(
            [
                dead_kernel_note(),
                W.HBox(columns, layout=W.Layout(flex_flow="row wrap")),
                W.HBox(
                    [self.progress, self.state_label, self.save_path, self.save_button],
                    layout=W.Layout(flex_flow="row wrap"),
                ),
                self.output,
                self.text,
            ]
        ).add_class("bp-playground")
        self.widget.add_class("bp-live")
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
        """Set several controls at once (``set(learning_rate=3, neurons=4)``), then retrain once.

        A value the control cannot take raises ``ValueError`` (naming the control, its range
        and the value) before any control changes; an unknown name raises ``KeyError``.
        """
        set_controls(self, values)
        return self.update()

    def _changed(self, change) -> None:
        if self._hold:
            return
        if self.background and from_browser(change):
            self.update(background=True)
        else:
            self.update()

    # -- work
    def update(self, background: bool = False) -> Playground:
        """Train with the controls' settings, then show the result.

        ``background``: return at once and train in the runner's thread (what a move in the
        browser does); :meth:`wait` waits for it.
        """
        try:
            settings = self.settings()
        except (TypeError, ValueError) as exc:  # e.g. no input feature selected
            self.runner.cancel()  # whatever runs now is obsolete
            self._say(f"These settings cannot be trained: {exc}", "danger")
            self._set_state("")
            return self
        if background:
            self.runner.submit(settings)
        else:
            self.runner.run(settings)
        return self

    def wait(self, timeout: float = 60.0) -> Playground:
        """Wait until a run started from the browser has been drawn (for tests and scripts)."""
        self.runner.wait(timeout)
        return self

    def _tick(self, epoch: int, epochs: int, seconds: float) -> None:
        with self.progress.hold_sync():
            self.progress.max, self.progress.value, self.progress.bar_style = epochs, epoch, ""
        note = " (the figure still shows the previous settings)" if seconds > 0.3 else ""
        self._set_state(f"training… epoch {epoch}/{epochs}{note}")

    def _show(self, result: pg.Result, started: float) -> None:
        self.result = result
        self.figure_data = figure_data(result)
        self.render()
        self.seconds = time.perf_counter() - started
        self._set_state(
            f"trained {pg.plural(result.history.epochs_run, 'epoch')} ({self.seconds:.2f} s)"
        )

    def _fail(self, exc: BaseException) -> None:
        self.progress.bar_style = "danger"
        if isinstance(exc, KeyboardInterrupt):  # the kernel was interrupted during a run
            self._set_state("interrupted")
            self._say("Training was interrupted: move a control (or re-run the cell) to train.")
            return
        self._set_state("failed")
        self._say(f"This run failed: {type(exc).__name__}: {exc}", "danger")

    def render(self) -> Playground:
        """Draw ``self.result`` into the ``Output`` and put its words under it."""
        r = self.result
        if self._figure is None or isinstance(self._figure, DigitsFigure) != (r.boundary is None):
            self._figure = (DigitsFigure if r.boundary is None else PlaygroundFigure)(words=False)
        fig = self._figure.update(r)
        if isinstance(self._figure, DigitsFigure) and self.dpi == fig.dpi:
            self.png = self._figure.png()  # blitted: only what changes is drawn
        else:
            self.png = png_bytes(fig, dpi=self.dpi)
        show_png(self.output, self.png, r.message)
        style = {"ok": "success", "overshoot": "warning", "diverged": "danger"}[r.status]
        with self.progress.hold_sync():  # one message for the bar
            self.progress.max = r.settings.epochs
            self.progress.value = r.history.epochs_run
            self.progress.bar_style = style
        self._say(r.text, "danger" if r.status != "ok" else ("warning" if r.notes else ""))
        return self

    def _say(self, text: str, level: str = "") -> None:
        self.message = text
        color = {"danger": "#b00020", "warning": "#8a5a00"}.get(level, "inherit")
        self.text.value = f'<p style="color:{color}; max-width:60em">{html.escape(text)}</p>'

    def _set_state(self, text: str) -> None:
        self.state = text
        self.state_label.value = f"<span>{html.escape(text)}</span>"

    def save(self, path=None) -> str:
        """Save the trained network with :meth:`backprop.Network.save`; returns the file name.

        A relative name is relative to the kernel's working folder (``*.npz`` files are
        ignored by git). If saving fails, the widget says why (in red, replacing any earlier
        "Saved ..." line) and the error is raised.
        """
        path = self.save_path.value if path is None else path
        try:
            path = Path(str(path)).expanduser()
            if path.suffix != ".npz":
                path = path.with_name(path.name + ".npz")
            self.result.net.save(path)
        except Exception as exc:
            self._say(f"Could not save the network to {path}: {exc}", "danger")
            raise
        self._say(
            f"Saved the trained network {list(self.result.net.sizes)} to {path.resolve()}; "
            f"load it with backprop.Network.load({str(path)!r})."
        )
        return str(path)

    def _save_clicked(self, _button) -> None:
        try:
            self.save()
        except Exception:  # noqa: S110 - already shown in the widget's words
            pass

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


# ------------------------------------------------------------------------- the explorer
class Explorer:
    """What :func:`precomputed_explorer` builds. ``widget`` is the box to display.

    ``lr_slider``, ``hidden_slider``: the two ``SelectionSlider``; ``outer``: the ``Stack``
    indexed by the learning rate, whose children are ``Stack`` widgets indexed by the hidden
    size; ``images[i][j]``: the ``Image`` of learning rate ``i`` and hidden size ``j``;
    ``runs[i][j]``: ``(settings, status, test accuracy)`` of that run; ``links``: the
    ``jslink`` objects (``(slider, "index")`` -> ``(stack, "selected_index")``); ``values``:
    the two ``Stack`` widgets of labels that show the sliders' values (linked the same way);
    ``notes``: the ``Stack`` of the words under the images, nested and linked like ``outer``;
    ``figure``: the :class:`~backprop.explore.figures.PlaygroundFigure` that drew the images
    (showing the last run).
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
    size=(600, 360),
    colors: int = 48,
) -> Explorer:
    """Train every (learning rate, neurons per layer) pair now; switch between them in the page.

    Each run is a real :func:`backprop.explore.playground.train` of ``settings`` (default: the
    playground's defaults) with ``learning_rate`` and ``neurons`` replaced. Its figure is
    rendered with Agg to a ``size`` PNG quantised to ``colors`` colours; what went wrong in a
    run (an overshoot, say) is written under the image as text, which wraps on a phone. The
    sliders are linked to the stacks in the browser (``ipywidgets.jslink``), so the built page
    needs no kernel. DOM classes: ``bp-explorer`` (box), ``bp-explorer-lr``,
    ``bp-explorer-hidden`` (sliders), ``bp-explorer-figure`` (images), ``bp-explorer-note``
    (the words under them).
    """
    base = pg.Settings() if settings is None else settings
    lrs, ns = [float(v) for v in learning_rates], [int(v) for v in hidden]
    i0 = int(np.argmin([abs(np.log(lr / base.learning_rate)) for lr in lrs]))
    j0 = int(np.argmin([abs(n - base.neurons) for n in ns]))
    figure = PlaygroundFigure(compact=True, words=False)  # one figure, updated for every run
    images, runs, notes = [], [], []
    for lr in lrs:
        row, row_runs, row_notes = [], [], []
        for n in ns:
            s = base.replace(learning_rate=lr, neurons=n)
            r = pg.train(s)
            figure.fig.set_size_inches(size[0] / STYLE["dpi"], size[1] / STYLE["dpi"])
            png = png_bytes(figure.update(r), dpi=STYLE["dpi"], colors=colors)
            img = W.Image(value=png, format="png", width=str(size[0]), height=str(size[1]))
            row.append(img.add_class("bp-explorer-figure"))
            row_runs.append((s, r.status, r.test_accuracy))
            words = r.text if r.status != "ok" or r.notes else ""
            color = "#b00020" if r.status != "ok" else "#8a5a00"
            style = f"color:{color};line-height:1.4;margin:0.25em 0"
            said = f'<p class="bp-explorer-note" style="{style}">{html.escape(words)}</p>'
            row_notes.append(W.HTML(said))
        images.append(row)
        runs.append(row_runs)
        notes.append(row_notes)
    style = {"description_width": "160px"}
    lay = W.Layout(width="520px")
    # readout=False: a selection slider's readout can be typed into and then goes blank; the
    # value is shown by a Stack of labels linked to the slider in the browser instead.
    lr_slider = W.SelectionSlider(
        options=[(f"{v:g}", v) for v in lrs],
        index=i0,
        style=style,
        description="learning rate η",
        layout=lay,
        readout=False,
    )
    hidden_slider = W.SelectionSlider(
        options=[(str(n), n) for n in ns],
        index=j0,
        style=style,
        description="neurons per layer",
        layout=lay,
        readout=False,
    )
    lr_slider.add_class("bp-explorer-lr")
    hidden_slider.add_class("bp-explorer-hidden")
    inner = [W.Stack(row, selected_index=j0) for row in images]
    outer = W.Stack(inner, selected_index=i0)
    links = [W.jslink((lr_slider, "index"), (outer, "selected_index"))]
    links += [W.jslink((hidden_slider, "index"), (stack, "selected_index")) for stack in inner]
    note_rows = [W.Stack(row, selected_index=j0) for row in notes]
    note_stack = W.Stack(note_rows, selected_index=i0)
    values = []
    for slider, texts in ((lr_slider, [f"{v:g}" for v in lrs]), (hidden_slider, map(str, ns))):
        labels = [W.HTML(f'<span class="bp-explorer-value">{t}</span>') for t in texts]
        values.append(W.Stack(labels, selected_index=slider.index))
        links.append(W.jslink((slider, "index"), (values[-1], "selected_index")))
    note = W.HTML(
        f"<small>Precomputed when the book was built: {len(lrs) * len(ns)} real training runs "
        f"of {base.dataset} ({base.hidden_layers} hidden {base.activation} layers, "
        f"{base.epochs} epochs). To train other settings, use the live playground on this "
        "page, or run the chapter with a kernel (<code>make lab</code>, Colab).</small>"
    )
    rows = [W.HBox([slider, value]) for slider, value in zip((lr_slider, hidden_slider), values)]
    links.append(W.jslink((lr_slider, "index"), (note_stack, "selected_index")))
    links += [W.jslink((hidden_slider, "index"), (s, "selected_index")) for s in note_rows]
    widget = W.VBox([*rows, outer, note_stack, note]).add_class("bp-explorer")
    explorer = Explorer(lr_slider, hidden_slider, outer, images, runs, links, widget)
    explorer.values, explorer.notes, explorer.figure = values, note_stack, figure
    return explorer
