"""How wide the package's figures show on a phone, in Chromium: at least as wide as
tests/test_figure_style.py assumes when it measures their text (no browser there).
"""

from __future__ import annotations

import pytest
from browser_support import PHONE, PHONE_FIGURE_WIDTH

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
