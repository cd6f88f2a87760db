"""How wide the package's figures show on a phone, in Chromium: at least as wide as
tests/test_figure_style.py assumes when it measures their text (no browser there); that the
cue of a figure or a table wider than the screen (a shadow at the edge where more of it is
hidden) shows in the light and the dark theme; and that a figure wider than its box says so in
a line under it that stays in view while it scrolls, and opens alone (a link to its image).
"""

from __future__ import annotations

import io

import pytest
from browser_support import PHONE, PHONE_FIGURE_WIDTH, SCREENSHOTS, SITE, site_pages

pytestmark = pytest.mark.browser

# Every image a cell shows, once loaded: how wide it shows and how wide it is.
FIGURE_WIDTHS_JS = """async () => {
  const imgs = [...document.querySelectorAll('main .cell_output img')];
  imgs.forEach(i => { if (i.loading === 'lazy') i.loading = 'eager'; });
  await Promise.all(imgs.map(i => i.complete ? null : new Promise(r => {
    i.addEventListener('load', r); i.addEventListener('error', r); setTimeout(r, 15000);
  })));
  return imgs.filter(i => i.checkVisibility()).map(i => ({
    kind: i.closest('.bp-explorer') ? 'explorer' : 'cell',
    shown: i.getBoundingClientRect().width, natural: i.naturalWidth,
    src: (i.getAttribute('src') || '').slice(0, 60)}));
}"""


@pytest.mark.parametrize("path", ["chapters/playground.html", "chapters/gradient-descent.html"])
def test_figures_show_on_a_phone_as_wide_as_the_style_test_assumes(open_page, path):
    """tests/test_figure_style.py measures the package's text at these widths (no browser)."""
    page, traffic = open_page(path, viewport={"width": PHONE, "height": 844})
    if path.endswith("playground.html"):
        page.wait_for_selector(".bp-explorer .bp-explorer-figure", state="visible")
    shown = page.evaluate(FIGURE_WIDTHS_JS)
    kinds = {f["kind"] for f in shown}
    assert "cell" in kinds and ("explorer" in kinds or "playground" not in path), shown
    narrow = [f for f in shown if f["shown"] + 1 < min(f["natural"], PHONE_FIGURE_WIDTH[f["kind"]])]
    assert not narrow, f"figures narrower on a {PHONE} px phone than assumed: {narrow}"
    traffic.assert_clean()


# The first figure box (or table box) that scrolls sideways, scrolled to its start and into
# view: its place on the screen (the cue is a shadow at its right edge: more is hidden there).
FIGURE_BOXES = [
    "a.bp-figure-link",
    "div.cell_output:has(> img)",
    "div.cell_output figure:has(> img)",
    "div.cell_output div.output:has(> img)",
]
TABLE_BOXES = {
    "table": ["div.cell_output .text_html table"],  # on the theme's light card when dark
    "page-table": [".pst-scrollable-table-container"],  # on the page itself
}
SCROLLING_BOX_JS = """(selectors) => {
  const boxes = [...document.querySelectorAll(selectors.map(s => 'main .bd-content ' + s)
    .join(', '))];
  const box = boxes.find(b => b.checkVisibility() && b.scrollWidth > b.clientWidth + 1);
  if (!box) return null;
  box.dataset.bpCueTest = '';
  box.scrollLeft = 0;
  box.scrollIntoView({block: 'center'});
  const r = box.getBoundingClientRect();
  // the figure or table only: not the line under a figure that says it scrolls
  const line = parseFloat(getComputedStyle(box, '::after').height) || 0;
  const bottom = r.top + box.clientTop + box.clientHeight - line;
  return {x: r.left, y: Math.max(r.top, 0), width: r.width,
          height: Math.min(bottom, innerHeight) - Math.max(r.top, 0)};
}"""
# The same box without the cue: no background of its own, a figure not blended onto it.
NO_CUE_JS = """() => {
  const box = document.querySelector('[data-bp-cue-test]');
  box.style.background = 'none';
  box.querySelectorAll('img').forEach(i => { i.style.mixBlendMode = 'normal'; });
}"""


def _column_lightness(png: bytes, columns: slice) -> float:
    """Mean lightness (0 black, 1 white) of some pixel columns of a screenshot."""
    from PIL import Image

    grey = Image.open(io.BytesIO(png)).convert("L")
    w, h = grey.size
    x0, x1, _ = columns.indices(w)
    return sum(grey.crop((x0, 0, x1, h)).getdata()) / ((x1 - x0) * h * 255)


# Pages with a table that scrolls sideways at 390 px: one a cell prints (the timing table of a
# training step) and one of the text (the notes' symbols beside the book's).
PAGES = {
    "figure": "chapters/gradient-descent.html",
    "table": "chapters/cost-of-backprop.html",
    "page-table": "chapters/notation.html",
}


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("kind", ["figure", "table", "page-table"])
def test_wide_figures_and_tables_show_their_scroll_cue_in_both_themes(open_page, kind, theme):
    """The figures are light (a light card in the dark theme), and so are the tables a cell
    prints (the theme's card): the cue must darken their edge. A table of the text sits on the
    page: on the light page its cue darkens the edge, on the dark page it lightens it (a black
    shadow cannot be seen there). Either way the rest of the box stays as it is."""
    path = PAGES[kind]
    page, traffic = open_page(path, viewport={"width": PHONE, "height": 844}, color_scheme=theme)
    assert page.evaluate("document.documentElement.dataset.theme") == theme
    page.wait_for_load_state("networkidle")
    box = page.evaluate(SCROLLING_BOX_JS, FIGURE_BOXES if kind == "figure" else TABLE_BOXES[kind])
    assert box, f"no {kind} scrolls sideways on a {PHONE} px phone in {path}"
    with_cue = page.screenshot(clip=box)
    page.evaluate(NO_CUE_JS)
    without = page.screenshot(clip=box)
    edge, inside = slice(-4, None), slice(-120, -60)
    darker = _column_lightness(without, edge) - _column_lightness(with_cue, edge)
    changed = abs(_column_lightness(without, inside) - _column_lightness(with_cue, inside))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / f"{kind}-cue-{theme}.png").write_bytes(with_cue)
    glow = kind == "page-table" and theme == "dark"
    cue, how = (-darker, "lightens") if glow else (darker, "darkens")
    assert cue > 0.03, f"{theme}: the cue {how} the {kind}'s right edge by {cue:.3f} only"
    assert changed < 0.01, f"{theme}: the cue changes the {kind} away from its edge: {changed:.3f}"
    traffic.assert_clean()


# Every image a cell shows (not those of widgets): whether it is the whole content of a link to
# itself, and, if visible, whether its box scrolls and what the line under it says.
CELL_FIGURES_JS = """async () => {
  const imgs = [...document.querySelectorAll('main .cell_output img')]
    .filter(i => !i.closest('.jupyter-widgets, .bp-explorer'));
  imgs.forEach(i => { if (i.loading === 'lazy') i.loading = 'eager'; });
  await Promise.all(imgs.map(i => i.complete ? null : new Promise(r => {
    i.addEventListener('load', r); i.addEventListener('error', r); setTimeout(r, 15000);
  })));
  return imgs.map((img, k) => {
    const a = img.parentElement.matches('a.bp-figure-link') ? img.parentElement : null;
    const visible = img.checkVisibility();
    if (a) a.dataset.bpFigure = k;
    return {k, alt: img.alt.slice(0, 50), src: img.src, visible,
            href: a && new URL(a.getAttribute('href'), location.href).href,
            only: a && a.children.length === 1,
            scrolls: a && visible && a.scrollWidth > a.clientWidth + 1,
            hint: a && getComputedStyle(a, '::after').content};
  });
}"""
# The line under figure k, its box scrolled to the start or the end and its bottom into view:
# the strip of the screen the line takes (above the box's scroll bar, if it has one).
HINT_STRIP_JS = """([k, end]) => {
  const a = document.querySelector(`[data-bp-figure="${k}"]`);
  a.scrollLeft = end ? a.scrollWidth : 0;
  a.scrollIntoView({block: 'end'});
  const r = a.getBoundingClientRect(), h = parseFloat(getComputedStyle(a, '::after').height);
  return {x: r.left + a.clientLeft, y: r.top + a.clientTop + a.clientHeight - h,
          width: a.clientWidth, height: h, scrolled: a.scrollLeft,
          end: a.scrollWidth - a.clientWidth, screen: [innerWidth, innerHeight]};
}"""
NO_HINT_CSS = "a.bp-figure-link::after { visibility: hidden !important; }"
# Figure k, scrolled to its start, then shown narrower than its box (8rem): does its box still
# scroll, and does the line show? (Chromium keeps the line of a box scrolled to its very end
# when it stops overflowing there; a page is drawn at the start.)
NARROWED_JS = """(k) => new Promise(done => {
  const a = document.querySelector(`[data-bp-figure="${k}"]`), img = a.querySelector('img');
  a.scrollLeft = 0;
  const frame = f => requestAnimationFrame(() => requestAnimationFrame(f));
  frame(() => { img.style.maxWidth = '8rem'; frame(() => {
    const line = getComputedStyle(a, '::after');
    const seen = {scrolls: a.scrollWidth > a.clientWidth + 1, visibility: line.visibility,
                  height: parseFloat(line.height) || 0};
    img.style.maxWidth = '';
    done(seen);
  }); });
})"""


def _ink(with_hint: bytes, without: bytes) -> float:
    """The share of pixels that the line under a figure changes (0: it draws nothing)."""
    from PIL import Image, ImageChops

    a, b = (Image.open(io.BytesIO(p)).convert("L") for p in (with_hint, without))
    diff = ImageChops.difference(a, b).point(lambda v: 255 if v > 40 else 0)
    return sum(diff.getdata()) / (255 * a.size[0] * a.size[1])


def _pages_with_figures() -> list[str]:
    return [
        p
        for p in site_pages()
        if p.startswith("chapters/") and "bp-figure-link" in (SITE / p).read_text(encoding="utf-8")
    ]


def test_every_wide_figure_says_it_scrolls_and_opens_alone(open_page):
    """At 390 px: every figure a cell draws is a link to its own image (a tap opens it alone,
    where the phone zooms it), and under every one wider than its box a line says to swipe,
    inside the screen while the box shows its start and still after it is scrolled to the end
    (so it cannot be taken for a cut-off figure). At 1280 px, where figures fit, no such line."""
    pages = _pages_with_figures()
    assert len(pages) >= 5, pages
    scrolling = 0
    for path in pages:
        page, traffic = open_page(path, viewport={"width": PHONE, "height": 844})
        figures = page.evaluate(CELL_FIGURES_JS)
        unlinked = [f["alt"] for f in figures if not (f["href"] == f["src"] and f["only"])]
        assert not unlinked, f"{path}: figures that are not a link to their image: {unlinked}"
        for f in (f for f in figures if f["scrolls"]):
            scrolling += 1
            assert "Swipe sideways" in f["hint"], f"{path}, {f['alt']}: no line, {f['hint']}"
            ink_start = 0.0
            for end in (False, True):
                strip = page.evaluate(HINT_STRIP_JS, [f["k"], end])
                where = f"{path}, {f['alt']!r}, scrolled to the {'end' if end else 'start'}"
                assert strip["height"] > 8, f"{where}: the line takes no room: {strip}"
                assert strip["scrolled"] == (strip["end"] if end else 0), strip
                width, height = strip["screen"]
                assert 0 <= strip["x"] and strip["x"] + strip["width"] <= width, strip
                assert 0 <= strip["y"] and strip["y"] + strip["height"] <= height + 1, strip
                clip = {k: strip[k] for k in ("x", "y", "width", "height")}
                shown = page.screenshot(clip=clip)
                hidden = page.add_style_tag(content=NO_HINT_CSS)
                bare = page.screenshot(clip=clip)
                hidden.evaluate("s => s.remove()")
                ink = _ink(shown, bare)
                assert ink > 0.02, f"{where}: the line is not in view (ink {ink:.3f})"
                if end:  # the whole line, as at the start: not a part of it scrolled away
                    assert ink > 0.9 * ink_start, f"{where}: ink {ink:.3f} of {ink_start:.3f}"
                ink_start = ink
                if scrolling == 1:
                    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                    (SCREENSHOTS / f"figure-hint-{'end' if end else 'start'}.png").write_bytes(
                        page.screenshot(clip={**clip, "y": clip["y"] - 120, "height": 140})
                    )
            # the same figure made narrower than its box: the line goes
            narrowed = page.evaluate(NARROWED_JS, f["k"])
            assert not narrowed["scrolls"], narrowed
            assert narrowed["visibility"] == "hidden" or narrowed["height"] == 0, (
                f"{path}, {f['alt']!r}: a line under a figure that fits its box: {narrowed}"
            )
        traffic.assert_clean()
        page.context.close()
    assert scrolling >= 10, f"only {scrolling} figures scroll sideways at {PHONE} px"

    page, traffic = open_page("chapters/gradient-descent.html")
    figures = page.evaluate(CELL_FIGURES_JS)
    assert figures and all(f["href"] == f["src"] for f in figures), figures
    shown = [f["alt"] for f in figures if f["scrolls"] or f["hint"] != "none"]
    assert not shown, f"at 1280 px, figures that scroll or say so: {shown}"
    traffic.assert_clean()
