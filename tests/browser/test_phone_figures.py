"""How wide the package's figures show on a phone, in Chromium: at least as wide as
tests/test_figure_style.py assumes when it measures their text (no browser there); and that
the cue of a figure wider than the screen (a shadow at the edge where more of it is hidden)
shows in the light and the dark theme.
"""

from __future__ import annotations

import io

import pytest
from browser_support import PHONE, PHONE_FIGURE_WIDTH, SCREENSHOTS

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


# The first figure box that scrolls sideways, scrolled to its start and into view: its place on
# the screen (the cue is a shadow at its right edge: more of the figure is hidden there).
SCROLLING_FIGURE_JS = """() => {
  const boxes = [...document.querySelectorAll(['div.cell_output:has(> img)',
    'div.cell_output figure:has(> img)', 'div.cell_output div.output:has(> img)']
    .map(s => 'main .bd-content ' + s).join(', '))];
  const box = boxes.find(b => b.checkVisibility() && b.scrollWidth > b.clientWidth + 1);
  if (!box) return null;
  box.dataset.bpCueTest = '';
  box.scrollLeft = 0;
  box.scrollIntoView({block: 'center'});
  const r = box.getBoundingClientRect();
  return {x: r.left, y: Math.max(r.top, 0), width: r.width,
          height: Math.min(r.bottom, innerHeight) - Math.max(r.top, 0)};
}"""
# The same box without the cue: no background of its own, the figure not blended onto it.
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


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_wide_figures_show_their_scroll_cue_in_both_themes(open_page, theme):
    """The figures are light (a light card in the dark theme); the cue must darken the edge of
    the figure itself, and leave the rest of the figure as it is."""
    path = "chapters/gradient-descent.html"
    page, traffic = open_page(path, viewport={"width": PHONE, "height": 844}, color_scheme=theme)
    assert page.evaluate("document.documentElement.dataset.theme") == theme
    page.wait_for_load_state("networkidle")
    box = page.evaluate(SCROLLING_FIGURE_JS)
    assert box, f"no figure scrolls sideways on a {PHONE} px phone in {path}"
    with_cue = page.screenshot(clip=box)
    page.evaluate(NO_CUE_JS)
    without = page.screenshot(clip=box)
    edge, inside = slice(-4, None), slice(-120, -60)
    darker = _column_lightness(without, edge) - _column_lightness(with_cue, edge)
    changed = abs(_column_lightness(without, inside) - _column_lightness(with_cue, inside))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / f"figure-cue-{theme}.png").write_bytes(with_cue)
    assert darker > 0.03, f"{theme}: the cue darkens the figure's right edge by {darker:.3f} only"
    assert changed < 0.01, f"{theme}: the cue changes the figure away from its edge: {changed:.3f}"
    traffic.assert_clean()
