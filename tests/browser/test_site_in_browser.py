"""Every page of the built book in Chromium, offline: math typeset, images and widgets shown,
no console error, nothing requested from another host; the playground's precomputed controls,
offline search and dark mode.
"""

from __future__ import annotations

import pytest
from browser_support import SITE, STATS, screenshot, site_pages

pytestmark = pytest.mark.browser

PAGES = site_pages()
PLAYGROUND = "chapters/playground.html"
SEARCH_WORD, SEARCH_HIT = "delta", "chapters/backprop.html"

# Typeset math (at build time, _ext/static_math.py, or by MathJax in the browser on pages with
# widgets, once it has finished): every math element of Sphinx/MyST-NB (span.math, div.math)
# holds an mjx-container with hidden MathML for screen readers, and no formula failed to parse.
MATH_JS = """async () => {
  const math = [...document.querySelectorAll('span.math, div.math')];
  if (window.MathJax) await window.MathJax.startup.promise;
  const typeset = [...document.querySelectorAll('mjx-container')];
  return {
    math: math.length,
    typeset: typeset.length,
    raw: math.filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 80)),
    errors: [...document.querySelectorAll('mjx-merror, [data-mjx-error]')]
      .map(e => e.getAttribute('data-mjx-error') || e.textContent.slice(0, 80)),
    no_mathml: typeset.filter(e => !e.querySelector('mjx-assistive-mml > math'))
      .map(e => e.textContent.slice(0, 80)),
  };
}"""

# Raw TeX delimiters left in the text a reader sees (code is allowed to contain them).
RAW_TEX_JS = r"""() => {
  const main = (document.querySelector('main') || document.body).cloneNode(true);
  main.querySelectorAll('pre, code, script, style, textarea, mjx-container, .highlight')
    .forEach(e => e.remove());
  const text = main.textContent;
  const found = ['$$', '\\[', '\\('].filter(t => text.includes(t)).map(t => {
    const i = text.indexOf(t);
    return text.slice(Math.max(0, i - 40), i + 40);
  });
  // $...$ that MyST did not take for math (a line of it starting with "- " became a list item)
  const single = text.match(/\$[^$]{0,200}?\\[a-zA-Z]{2,}[^$]{0,200}?\$/);
  return single ? [...found, single[0].slice(0, 80)] : found;
}"""

IMAGES_JS = """async () => {
  const imgs = [...document.images];
  imgs.forEach(i => { if (i.loading === 'lazy') i.loading = 'eager'; });
  const settle = i => i.complete ? null : new Promise(r => {
    i.addEventListener('load', r); i.addEventListener('error', r); setTimeout(r, 15000);
  });
  await Promise.all(imgs.map(settle));
  return {
    count: imgs.length,
    broken: imgs.filter(i => !(i.naturalWidth > 0)).map(i => (i.currentSrc || i.src).slice(0, 120)),
  };
}"""

# Widget views whose model the saved state holds; rendered = html-manager put the view in.
WIDGETS_JS = """() => {
  const stateEl = document.querySelector(
    'script[type="application/vnd.jupyter.widget-state+json"]');
  if (!stateEl) return null;
  const state = JSON.parse(stateEl.textContent).state;
  const views = [...document.querySelectorAll(
    'script[type="application/vnd.jupyter.widget-view+json"]')]
    .filter(v => JSON.parse(v.textContent).model_id in state);
  const area = v => {
    const s = v.previousElementSibling;
    return s && s.classList.contains('widget-subarea') ? s : null;
  };
  const rendered = views.filter(v => area(v) &&
    area(v).querySelector('.jupyter-widgets, [class*="widget-"]'));
  const shouldShow = views.filter(v => v.parentElement.checkVisibility());
  return {
    expected: views.length,
    rendered: rendered.length,
    hidden: shouldShow.filter(v => !(area(v) && area(v).checkVisibility()
      && area(v).getBoundingClientRect().height > 0)).length,
  };
}"""

SCRIPTS_JS = "() => [...document.scripts].map(s => s.getAttribute('src')).filter(Boolean)"


def test_the_site_has_pages():
    assert "intro.html" in PAGES and any(p.startswith("chapters/") for p in PAGES), (
        f"no built chapters found: {PAGES}; build the book first (make book)"
    )


@pytest.mark.parametrize("path", PAGES)
def test_page(open_page, path):
    page, traffic = open_page(path)

    math = page.evaluate(MATH_JS)
    assert not math["raw"], f"math left untypeset: {math['raw'][:5]}"
    assert not math["errors"], f"TeX errors: {math['errors'][:5]}"
    assert not math["no_mathml"], f"formulas without MathML for screen readers: {math['no_mathml']}"
    raw = page.evaluate(RAW_TEX_JS)
    assert not raw, f"raw TeX delimiters in the text: {raw[:5]}"

    widgets = page.evaluate(WIDGETS_JS)
    scripts = page.evaluate(SCRIPTS_JS)
    if widgets is None:
        assert not any("require" in s or "embed-amd" in s for s in scripts), (
            f"a page without widget state loads the widget renderer: {scripts}"
        )
    else:
        assert widgets["expected"] > 0, "widget state saved but no widget view on the page"
        page.wait_for_function(f"() => ({WIDGETS_JS})().rendered === {widgets['expected']}")
        widgets = page.evaluate(WIDGETS_JS)
        assert widgets["hidden"] == 0, f"widget views rendered but not visible: {widgets}"
    if not math["math"] or widgets is None:  # the math of a page without widgets is typeset
        assert not any("mathjax" in s for s in scripts), f"MathJax loaded: {scripts}"

    images = page.evaluate(IMAGES_JS)
    assert not images["broken"], f"images that did not load: {images['broken']}"

    page.wait_for_load_state("networkidle")
    screenshot(page, path)
    traffic.assert_clean()
    STATS["pages"].append(path)
    STATS["math"] += math["typeset"]
    STATS["widgets"] += widgets["rendered"] if widgets else 0


VISIBLE_FIGURE_JS = """() => {
  const shown = [...document.querySelectorAll('.bp-explorer .bp-explorer-figure')]
    .filter(e => e.checkVisibility() && e.getBoundingClientRect().height > 0);
  const srcs = shown.map(e => (e.tagName === 'IMG' ? e : e.querySelector('img')))
    .filter(Boolean).map(i => i.src);
  let h = 0;  // a short fingerprint of the shown image(s): PNG data URLs share their tails
  for (const c of srcs.join('|')) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return srcs.length ? srcs.length + ':' + h : null;
}"""


def test_playground_controls_change_the_figure_offline(open_page):
    page, traffic = open_page(PLAYGROUND)
    page.wait_for_function(f"() => ({VISIBLE_FIGURE_JS})() !== null")
    before = page.evaluate(VISIBLE_FIGURE_JS)
    control = page.locator(
        ".bp-explorer-lr .noUi-handle, .bp-explorer-lr [tabindex='0'], .bp-explorer-lr input"
    ).first
    control.scroll_into_view_if_needed()
    control.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"() => ({VISIBLE_FIGURE_JS})() !== {before!r}", timeout=10_000)
    assert page.evaluate(VISIBLE_FIGURE_JS) not in (None, before)
    screenshot(page, "playground-after-arrow-right")
    traffic.assert_clean()


def test_search_finds_the_backprop_chapter_offline(open_page):
    page, traffic = open_page(f"search.html?q={SEARCH_WORD}")
    page.wait_for_function(
        "() => { const s = document.querySelector('#search-results .search-summary');"
        " return s && /found|did not match/.test(s.textContent); }"
    )
    hits = page.eval_on_selector_all(
        "#search-results ul.search li a", "as => as.map(a => a.getAttribute('href'))"
    )
    assert any(h.split("?")[0].endswith(SEARCH_HIT) for h in hits), hits
    screenshot(page, "search-" + SEARCH_WORD)
    traffic.assert_clean()


def _page_with_math_and_figure():
    for path in PAGES:
        html = (SITE / path).read_text(encoding="utf-8")
        outputs = html.split('class="cell_output')[1:]  # what follows each cell output's start
        if 'class="math' in html and any("<img" in out[:3000] for out in outputs):
            return path
    pytest.fail("no page with both math and a figure to check dark mode on")


def test_dark_mode_keeps_math_and_figures_legible(open_page):
    path = _page_with_math_and_figure()
    page, traffic = open_page(path, color_scheme="dark")
    page.evaluate("async () => window.MathJax && window.MathJax.startup.promise")
    result = page.evaluate(
        """() => {
      const lum = c => { const [r, g, b] = c.match(/[0-9.]+/g).map(Number);
                         return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255; };
      const math = document.querySelector('main mjx-container');
      const bg = getComputedStyle(document.body).backgroundColor;
      const figs = [...document.querySelectorAll('main .cell_output img')];
      return {theme: document.documentElement.dataset.theme,
              mathLum: lum(getComputedStyle(math).color), bgLum: lum(bg),
              figureLums: figs.map(i => lum(getComputedStyle(i).backgroundColor))};
    }"""
    )
    assert result["theme"] == "dark"
    assert result["bgLum"] < 0.3 and result["mathLum"] > 0.6, result
    # Figures are drawn for a white page: they sit on a light card (theme CSS, _static/book.css).
    assert result["figureLums"] and min(result["figureLums"]) > 0.7, result
    screenshot(page, path.removesuffix(".html") + "-dark")
    traffic.assert_clean()
