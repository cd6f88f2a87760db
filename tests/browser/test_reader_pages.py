"""What a reader of each page gets, measured in Chromium: the page's weight (reported for every
page, budgeted for chapters without widgets), nothing that scrolls sideways at 1280 px (display
equations, code, outputs) or makes the whole page scroll sideways at 390 px, no display and no
formula written inline in a box cut off at 390 px, a real alt text on every content figure, and
no formula in the tab order.
"""

from __future__ import annotations

import re

import pytest
from browser_support import STATS, screenshot, site_pages

pytestmark = pytest.mark.browser

PAGES = site_pages()
WEIGHT_BUDGET = 1_500_000
"""Bytes a chapter without widgets may load (HTML, CSS, scripts, fonts, images), uncompressed.

Before issue 11 every chapter loaded 4.3 to 4.5 MB; then 1.7 to 2.3 MB, of which MathJax was
0.76 MB (TeX input, CommonHTML output, font data) and the theme's stylesheet 0.31 MB. Now 0.37
to 1.41 MB: the formulas are typeset when the site is built (_ext/static_math.py; MathJax runs
in the browser only on pages with widgets) and their fonts subset, the stylesheets lose the
rules no page can match and code the spans that draw nothing (_ext/unused_styles.py). The
heaviest pages (API appendix 1.41 MB, backprop 1.35 MB, gradient-descent 1.33 MB, errata
1.25 MB) are mostly their own HTML: typeset formulas (0.3 to 0.5 MB with their MathML for
screen readers), code and, in the API appendix, Sphinx's signature markup."""

# Everything the page loaded, after MathJax typeset it and every (lazy) image arrived.
WEIGHT_JS = """async () => {
  if (window.MathJax && MathJax.startup) await MathJax.startup.promise;
  const imgs = [...document.images];
  imgs.forEach(i => { if (i.loading === 'lazy') i.loading = 'eager'; });
  await Promise.all(imgs.map(i => i.complete ? null : new Promise(r => {
    i.addEventListener('load', r); i.addEventListener('error', r); setTimeout(r, 15000); })));
  await document.fonts.ready;
  const entries = [...performance.getEntriesByType('navigation'),
                   ...performance.getEntriesByType('resource')];
  const size = e => e.encodedBodySize || e.transferSize || 0;
  const by = {};
  for (const e of entries) {
    const ext = e.name.match(/\\.(\\w+)(\\?|$)/);
    const kind = e.entryType === 'navigation' ? 'html' : (ext ? ext[1] : 'other');
    by[kind] = (by[kind] || 0) + size(e);
  }
  const state = 'script[type="application/vnd.jupyter.widget-state+json"]';
  return {total: entries.reduce((s, e) => s + size(e), 0), by,
          widgets: !!document.querySelector(state)};
}"""

# Elements that scroll sideways (or clip) their content at the current width.
OVERFLOW_JS = """() => {
  const wide = e => e.scrollWidth > e.clientWidth + 1;
  const label = e => (e.closest('[id]') || {}).id || '';
  const longest = s => s.split('\\n').sort((a, b) => b.length - a.length)[0];
  const eq = [...document.querySelectorAll('main div.math, main mjx-container[display="true"]')]
    .filter(e => e.checkVisibility() && wide(e))
    .map(e => `${label(e)}: ${e.textContent.slice(0, 60)}`);
  const code = [...document.querySelectorAll('main pre')]
    .filter(e => e.checkVisibility() && wide(e))
    .map(e => `${label(e)}: ${longest(e.textContent).slice(0, 100)}`);
  return {equations: eq, code};
}"""

# Everything a reader can unfold: folded solutions (sphinx-togglebutton), errata entries and
# other <details>; their displays must fit too once opened.
UNFOLD_JS = """() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  document.querySelectorAll('.toggle-hidden').forEach(e => e.classList.remove('toggle-hidden'));
}"""

# Formulas written inline in a box a reader may unfold (exercise, solution, errata entry) that
# run past the right edge of their line: MathJax does not break an inline formula, and the
# theme clips it (span.math hides its overflow), so the end of the formula is lost. A box is
# about 40 px narrower than the column, so a formula that fits the column may not fit there.
INLINE_JS = """() => {
  const block = e => {
    for (let a = e.parentElement; a; a = a.parentElement)
      if (/^(block|list-item|table-cell|flow-root)$/.test(getComputedStyle(a).display)) return a;
  };
  const title = b => ((b.querySelector('.admonition-title, summary') || {}).textContent || '')
    .trim().replace(/\\s+/g, ' ').slice(0, 40);
  return [...document.querySelectorAll('main mjx-container:not([display="true"])')]
    .filter(m => m.checkVisibility() && !m.closest('table'))
    .map(m => {
      const line = block(m), s = getComputedStyle(line);
      const right = line.getBoundingClientRect().right - parseFloat(s.paddingRight)
        - parseFloat(s.borderRightWidth);
      const box = m.closest('.admonition, details');
      return {over: Math.round(m.getBoundingClientRect().right - right),
              box: box ? title(box) : '',
              tex: m.textContent.slice(0, 50)};
    })
    .filter(o => o.over > 0);
}"""

PHONE_ALLOWED = {
    # (page, start of the reported "id: text"): why this display cannot fit a 390 px screen.
}
"""Display equations that may scroll sideways inside their own box at 390 px (the column is
358 px there). Every other display is broken into lines that fit (chapters/*.md: ``aligned``,
``gathered``); the equation number goes above an equation that does not fit beside it
(_static/book.css)."""

PAGE_WIDTH_JS = """() => {
  const page = document.documentElement.scrollWidth, view = window.innerWidth;
  if (page <= view) return {page, view, culprits: []};
  const contained = e => {  // inside a fixed box, or a box that scrolls (or clips) sideways
    for (let a = e.parentElement; a; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.position === 'fixed' || s.display === 'none') return true;
      if (s.overflowX !== 'visible' && a.scrollWidth > a.clientWidth + 1) return true;
    }
    return false;
  };
  const culprits = [...document.querySelectorAll('main *')].filter(e => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.right > view + 1 && !contained(e);
  });
  return {page, view, culprits: culprits.slice(0, 5).map(
    e => e.tagName + '.' + [...e.classList].join('.') + ' ' + (e.textContent || '').slice(0, 40))};
}"""

# Content figures: images in the article (cell outputs, figures), not the theme's, and not the
# frames a live widget draws (each explorer has a static figure with an alt text beside it).
ALT_JS = """() => [...document.querySelectorAll('main article img, main .bd-article img')]
  .filter(i => !i.closest('.jupyter-widgets, .widget-subarea, .bp-explorer'))
  .map(i => ({alt: (i.getAttribute('alt') || '').trim(),
              src: (i.getAttribute('src') || '').slice(0, 80),
              id: (i.closest('[id]') || {}).id || ''}))"""

TAB_STOPS_JS = """() => [...document.querySelectorAll('mjx-container')]
  .filter(e => e.tabIndex >= 0 || e.hasAttribute('tabindex')).length"""

BAD_ALT = re.compile(r"^$|^[0-9a-f]{16,}|\.(png|jpe?g|svg|gif)$|^(image|figure|plot|output)$", re.I)


@pytest.mark.parametrize("path", PAGES)
def test_weight_layout_and_alt_text_at_1280px(open_page, path):
    page, traffic = open_page(path)
    weight = page.evaluate(WEIGHT_JS)
    page.wait_for_load_state("networkidle")
    weight = page.evaluate(WEIGHT_JS)  # fonts and images fetched after the first look
    STATS["weights"][path] = weight

    overflow = page.evaluate(OVERFLOW_JS)
    alts = page.evaluate(ALT_JS)
    tab_stops = page.evaluate(TAB_STOPS_JS)
    bad_alts = [a for a in alts if BAD_ALT.search(a["alt"])]

    problems = []
    if overflow["equations"]:
        problems.append(f"display equations scroll sideways: {overflow['equations']}")
    if overflow["code"]:
        problems.append(f"{len(overflow['code'])} code blocks scroll sideways: {overflow['code']}")
    if bad_alts:
        problems.append(f"figures without a real alt text: {bad_alts}")
    if tab_stops:
        problems.append(f"{tab_stops} formulas are tab stops")
    if path.startswith("chapters/") and not weight["widgets"] and weight["total"] > WEIGHT_BUDGET:
        problems.append(f"loads {weight['total']:,} bytes > {WEIGHT_BUDGET:,}: {weight['by']}")
    assert not problems, "\n".join(problems)
    traffic.assert_clean()


@pytest.mark.parametrize("path", PAGES)
def test_no_page_scrolls_sideways_on_a_phone(open_page, path):
    page, traffic = open_page(path, viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page.evaluate("async () => window.MathJax && MathJax.startup && MathJax.startup.promise")
    width = page.evaluate(PAGE_WIDTH_JS)
    screenshot(page, "phone-" + path)
    assert width["page"] <= width["view"], width
    traffic.assert_clean()


@pytest.mark.parametrize("path", PAGES)
def test_display_equations_fit_a_phone(open_page, path):
    """At 390 px every display equation is seen whole, folded ones included, except the few in
    PHONE_ALLOWED (each with its reason), and so is every formula written inline, in the text,
    an exercise, a solution, another box or a docstring of the API appendix (a long one is a
    display, broken into lines that fit); tables scroll inside their own box."""
    page, traffic = open_page(path, viewport={"width": 390, "height": 844})
    page.evaluate("async () => window.MathJax && MathJax.startup && MathJax.startup.promise")
    page.evaluate(UNFOLD_JS)
    cut = page.evaluate(INLINE_JS)
    assert not cut, f"{len(cut)} inline formulas run past the edge (px): {cut}"
    scrolling = page.evaluate(OVERFLOW_JS)["equations"]
    allowed = [key for p, key in PHONE_ALLOWED if p == path]
    unexpected = [e for e in scrolling if not any(e.startswith(key) for key in allowed)]
    stale = [key for key in allowed if not any(e.startswith(key) for e in scrolling)]
    assert not unexpected, f"{len(unexpected)} display equations scroll sideways: {unexpected}"
    assert not stale, f"PHONE_ALLOWED lists displays that now fit (remove them): {stale}"
    traffic.assert_clean()
