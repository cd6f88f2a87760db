"""Every figure the package draws follows the book's one style and stays legible on a phone.

The style is ``src/backprop/explore/book.mplstyle``; ``chapters/matplotlibrc`` is a link to it, so
the chapters' own figures and the package's (``backprop.explore.figures``) read the same sizes;
in any other folder (Colab), importing ``backprop.explore`` sets them.

The legibility rule, measurable: a text's height on the screen is its font size in CSS px, that
is ``points / 72 * dpi`` in the image, times the scale at which the page shows the image. On a
390 px phone the book shows an image a cell printed at least 576 px wide, scrolling sideways
(``_static/book.css``; the inline backend crops it to its tight box, as here), and the
precomputed explorer's image at the column's 354 px (``browser_support.PHONE_FIGURE_WIDTH``,
checked in Chromium by ``tests/browser/test_phone_figures.py``); a live widget's image shows at
its own size in Jupyter. Every text must then be at least :data:`MIN_PX` tall: the style's
smallest size, 11 pt, on the book's widest figures (11 inches, the playground's) shows at 7.9 px.

Also: every text size is one of the style's, no text leaves its image, and no two texts overlap.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from backprop.explore import descent, figures, widgets  # noqa: E402
from backprop.explore import playground as pg  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
from browser_support import PHONE_FIGURE_WIDTH  # noqa: E402

MIN_PX = 7.5
"""Smallest text height, in CSS px, of any package figure on a 390 px phone."""
STYLE_SIZES = {figures.STYLE[k] for k in ("text", "title", "label", "tick", "small", "suptitle")}
SMALL = dict(n_samples=60, epochs=4, grid=16)


def test_the_chapters_read_the_package_style():
    rc = ROOT / "chapters" / "matplotlibrc"
    assert rc.resolve() == figures.STYLE_FILE.resolve(), "chapters/matplotlibrc is not the link"
    chapters = matplotlib.rc_params_from_file(rc, use_default_template=False)
    assert dict(chapters) == dict(figures.BOOK_RC)
    assert figures.STYLE["tick"] == chapters["xtick.labelsize"] == chapters["ytick.labelsize"]
    assert figures.STYLE["small"] == chapters["legend.fontsize"]
    assert figures.STYLE["dpi"] == chapters["figure.dpi"] == chapters["savefig.dpi"]


CHAPTER_LIKE = """
import json, sys
import matplotlib.pyplot as plt


def sizes():
    fig, ax = plt.subplots(figsize=(4, 3))
    (line,) = ax.plot([0, 1], [0, 1])
    return {
        "dpi": fig.dpi,
        "title": ax.title.get_fontsize(),
        "label": ax.xaxis.label.get_fontsize(),
        "tick": ax.xaxis.get_ticklabels()[0].get_fontsize(),
        "linewidth": line.get_linewidth(),
    }


before = sizes()
from backprop.explore.glue import glue  # what every chapter with figures imports
json.dump({"before": before, "after": sizes()}, sys.stdout)
"""


def test_a_chapters_figures_get_the_book_style_in_any_folder(tmp_path):
    """In Colab the kernel runs in /content, where no matplotlibrc is: importing
    ``backprop.explore`` (every chapter does) gives the chapter's own figures the style."""
    import json
    import os
    import subprocess

    assert not (tmp_path / "matplotlibrc").exists()
    env = {**os.environ, "MPLBACKEND": "Agg", "MPLCONFIGDIR": str(tmp_path / "mplconfig")}
    env.pop("MATPLOTLIBRC", None)
    run = subprocess.run(
        [sys.executable, "-c", CHAPTER_LIKE],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    got = json.loads(run.stdout)
    book = {key: figures.STYLE[key] for key in got["after"]}
    assert got["after"] == book
    # matplotlib's defaults differ, so the folder really had no style
    assert got["before"]["tick"] != book["tick"] and got["before"]["label"] != book["label"]


@pytest.mark.parametrize("path", sorted((ROOT / "chapters").glob("*.md")), ids=lambda p: p.stem)
def test_every_chapter_imports_backprop_explore_before_its_first_figure(path):
    """What gives a chapter's figures the style outside chapters/ (the test above)."""
    import re

    text = path.read_text(encoding="utf-8")
    figure = re.search(r"^[^#\n]*\bplt\.\w", text, re.M)
    if figure is None:
        pytest.skip("no figures")
    style = re.search(r"^\s*(from|import) backprop\.explore\b", text, re.M)
    assert style and style.start() < figure.start(), (
        f"{path.name} draws a figure before it imports backprop.explore"
    )


def _chapter_figure(size):
    """What ``plt.figure(figsize=size)`` gives a chapter (the style's dpi)."""
    return Figure(figsize=size, dpi=figures.STYLE["dpi"])


def _figures():
    """``(name, fig, shown_as)`` for every figure the package draws, as the book draws it."""
    bad = pg.train(pg.Settings(learning_rate=3.0, neurons=8))  # words under the figure
    yield "playground", figures.draw_playground(bad, _chapter_figure((11, 3.6))), "cell"
    digits = pg.train(pg.DIGITS_DEFAULTS.replace(epochs=3, learning_rate=9.0))
    yield "digits", figures.draw_digits(digits, _chapter_figure((11, 5.4))), "cell"
    run = pg.train_curve(pg.CurveSettings(learning_rate=3.0, batch_size=1))
    fig, _ = descent.draw(run, pg.train_curve(pg.CurveSettings()), _chapter_figure((8.5, 3.6)))
    yield "gradient descent", fig, "cell"
    explorer = widgets.precomputed_explorer(pg.Settings(**SMALL))
    yield "explorer", explorer.figure.fig, "explorer"
    play = widgets.Playground(pg.Settings(**SMALL))
    yield "live playground", play._figure.fig, "own"
    digits_live = widgets.Playground(pg.DIGITS_DEFAULTS.replace(epochs=2))
    yield "live digits", digits_live._figure.fig, "own"
    curve_live = descent.LearningRateExplorer(pg.CurveSettings(epochs=5, n_samples=16))
    yield "live descent", curve_live.fig, "own"


FIGURES = list(_figures())


def drawn_texts(fig) -> list[Text]:
    """The texts a draw of ``fig`` shows (tick labels only of the ticks in view)."""
    fig.canvas.draw()
    texts = [fig._suptitle, *fig.texts]
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        texts += [ax.title, ax._left_title, ax._right_title, *ax.texts]
        for axis in (ax.xaxis, ax.yaxis) if ax.axison else ():
            texts += [axis.label, axis.offsetText]
            texts += [t.label1 for t in axis._update_ticks() if t.label1.get_visible()]
        legend = ax.get_legend()
        if legend is not None:
            texts += legend.get_texts()
    texts = {id(t): t for t in texts if t is not None}.values()  # the suptitle is in fig.texts
    return [t for t in texts if t.get_visible() and t.get_text().strip()]


def shown_scale(fig, shown_as: str) -> float:
    """CSS px on the phone per pixel of the image."""
    if shown_as == "own":
        return 1.0
    if shown_as == "cell":  # the inline backend saves the tight box, padded by 0.1 inch
        width = fig.get_tightbbox().padded(0.1).width * fig.dpi
    else:
        width = fig.get_figwidth() * fig.dpi
    return min(1.0, PHONE_FIGURE_WIDTH[shown_as] / width)


@pytest.mark.parametrize(("name", "fig", "shown_as"), FIGURES, ids=[f[0] for f in FIGURES])
def test_text_is_legible_on_a_phone_and_in_the_style(name, fig, shown_as):
    texts = drawn_texts(fig)
    assert len(texts) > 10, [t.get_text() for t in texts]
    scale = shown_scale(fig, shown_as)
    small = {}
    for t in texts:
        px = t.get_fontsize() / 72 * fig.dpi * scale
        if px < MIN_PX - 1e-9 or t.get_fontsize() not in STYLE_SIZES:
            small[t.get_text()[:40]] = (t.get_fontsize(), round(px, 2))
    assert not small, (
        f"{name}: texts (points, px on a phone) smaller than {MIN_PX} px or not in the style's "
        f"sizes {sorted(STYLE_SIZES)}: {small}"
    )


def _inside(extent, box) -> bool:
    return box.contains(*extent.p0) and box.contains(*extent.p1)


@pytest.mark.parametrize(("name", "fig", "shown_as"), FIGURES, ids=[f[0] for f in FIGURES])
def test_text_fits_the_figure_and_does_not_overlap(name, fig, shown_as):
    texts = drawn_texts(fig)
    renderer = fig.canvas.get_renderer()
    box = fig.bbox.padded(1)  # a cell's image is cut to the tight box: nothing is cut off
    extents = [(t, t.get_window_extent(renderer)) for t in texts]
    outside = [t.get_text()[:40] for t, e in extents if not _inside(e, box)]
    assert shown_as == "cell" or not outside, f"{name}: cut off at the edge: {outside}"
    legends = {id(t) for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()}
    placed = [(t, t.get_window_extent(renderer)) for t in texts if id(t) not in legends]
    overlaps = [
        (a.get_text()[:30], b.get_text()[:30])
        for i, (a, ea) in enumerate(placed)
        for b, eb in placed[i + 1 :]
        if ea.overlaps(eb)
    ]
    assert not overlaps, f"{name}: texts drawn over each other: {overlaps}"
