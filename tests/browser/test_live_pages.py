"""The live pages in Chromium, offline: every control of the in-page twin is operated by
keyboard or mouse and must change the figure or the words; nothing inert, no NaN on screen,
usable at 390 px and by keyboard, ``aria-valuetext`` in real units.

Serves ``_build/html`` like the other browser tests (``TWIN_SITE`` names another built site,
e.g. a helper's own build), blocks and records every request to another host.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import threading
from pathlib import Path

import numpy as np
import pytest
from browser_support import SCREENSHOTS, SITE, new_page, screenshot

pytestmark = pytest.mark.browser

LIVE_SITE = Path(os.environ.get("TWIN_SITE", SITE))
PLAYGROUND = "chapters/playground.html"
DESCENT = "chapters/gradient-descent.html"
LINE = "This widget runs live in Jupyter (launch buttons above)."

# What the reader sees of a live figure: its words, and a fingerprint of every canvas.
FINGERPRINT_JS = """(root) => {
  let h = 0;
  const text = [...root.querySelectorAll('.bp-status, .bp-epoch, .bp-arch, .bp-layers, '
    + 'button[aria-pressed], .bp-readout')].map(e => e.textContent).join('|');
  const pixels = [...root.querySelectorAll('canvas')].map(c => c.toDataURL()).join('|');
  for (const ch of text + pixels) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return text.length + ':' + h;
}"""

# The controls of a live figure, each with a stable key (id or aria-label).
CONTROLS_JS = """(root) => [...root.querySelectorAll('input, select, button')].map(e => ({
  key: e.id || e.getAttribute('aria-label'), tag: e.tagName.toLowerCase(), type: e.type,
  disabled: e.disabled, text: e.textContent,
}))"""

IDLE_JS = (
    """(root) => !/training/.test((root.querySelector('.bp-epoch') || {}).textContent || '')"""
)

# tests/browser/canvas_ink.js, installed before the page's scripts, records every text, line,
# bar and marker drawn on a canvas: window.bpLabelProblems(root) names texts that are cut by
# their canvas's edge or overlap another text, a line, a bar or a marker.
INK_RECORDER = Path(__file__).with_name("canvas_ink.js")
LABEL_PROBLEMS_JS = "(root) => window.bpLabelProblems(root)"
TEXTS_JS = "(canvas) => window.bpCanvasTexts(canvas)"

# The box, in page px, of each element that a reader needs on the screen together.
BOXES_JS = """(selectors) => selectors.map((sel) => {
  const e = document.querySelector(sel);
  if (!e) return [sel, null];
  const b = e.getBoundingClientRect();
  return [sel, { top: b.top + scrollY, bottom: b.bottom + scrollY, height: b.height }];
})"""

# The height of the window left below the theme's sticky header(s).
FREE_HEIGHT_JS = """() => {
  let bottom = 0;
  for (const e of document.elementsFromPoint(innerWidth / 2, 2))
    for (let a = e; a && a !== document.body; a = a.parentElement)
      if (['sticky', 'fixed'].includes(getComputedStyle(a).position))
        bottom = Math.max(bottom, a.getBoundingClientRect().bottom);
  return innerHeight - bottom;
}"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def live_url():
    if not (LIVE_SITE / PLAYGROUND).is_file():
        pytest.fail(f"{LIVE_SITE / PLAYGROUND} is missing: build the book first (make book)")
    handler = functools.partial(_Quiet, directory=str(LIVE_SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture
def live_page(browser, live_url):
    contexts = []

    def _open(path, ink=False, **options):
        context, page, traffic = new_page(browser, live_url, **options)
        contexts.append(context)
        if ink:
            page.add_init_script(path=str(INK_RECORDER))
        page.goto(live_url + path, wait_until="load")
        return page, traffic

    yield _open
    for context in contexts:
        context.close()


def reference() -> dict:
    twin = LIVE_SITE / "_twin"
    return {
        n: json.loads((twin / f"reference-{n}.json").read_text()) for n in ("playground", "descent")
    }


def locate(page, root, key):
    sel = f"#{key}" if key.startswith("bp-") else f'[aria-label="{key}"]'
    return root.locator(sel)


def operate(page, root, control) -> str:
    """Operate one control as a reader would; returns what was done."""
    loc = locate(page, root, control["key"])
    loc.scroll_into_view_if_needed()
    if control["tag"] == "select":
        options = loc.evaluate("s => [...s.options].map(o => o.value)")
        current = loc.evaluate("s => s.value")
        target = options[(options.index(current) + 1) % len(options)]
        loc.select_option(target)
        return f"selected {target}"
    if control["type"] == "range":
        loc.focus()
        at_max = loc.evaluate("e => Number(e.value) >= Number(e.max)")
        page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")
        return "arrow key"
    if control["type"] == "checkbox":
        loc.focus()
        page.keyboard.press("Space")
        return "space"
    if control["type"] == "number":
        loc.fill(str(int(loc.input_value() or 0) + 1))
        loc.press("Enter")
        loc.blur()
        return "typed"
    loc.focus()
    page.keyboard.press("Enter")
    return "enter"


def no_nan(root):
    """No NaN, Infinity or undefined shown as a value (the package's divergence sentence says
    in words that "the loss became infinite or NaN")."""
    text = root.inner_text()
    bad = re.search(r"(?<!infinite or )NaN|Infinity|undefined", text)
    assert not bad, f"{bad.group()} on screen: {text[:400]}"


def operate_every_control(page, root, expected_min):
    """Operate every control (also those that appear on the way, e.g. a new layer's buttons);
    each must change the fingerprint. Returns {key: what was done}."""
    done = {}
    while True:
        controls = [c for c in root.evaluate(CONTROLS_JS) if c["key"] not in done]
        ready = [c for c in controls if not c["disabled"]]
        if not ready:
            break
        control = ready[0]
        page.wait_for_function(IDLE_JS, arg=root.element_handle(), timeout=20_000)
        if locate(page, root, control["key"]).is_disabled():
            continue  # disabled by the end of the run (Step at the limit); operated later
        before = root.evaluate(FINGERPRINT_JS)
        how = operate(page, root, control)
        try:
            page.wait_for_function(
                f"root => ({FINGERPRINT_JS})(root) !== {json.dumps(before)}",
                arg=root.element_handle(),
                timeout=5_000,
            )
        except Exception as exc:  # name the inert control
            raise AssertionError(f"control {control['key']!r} ({how}) changed nothing") from exc
        no_nan(root)
        done[control["key"]] = how
    left = [c["key"] for c in root.evaluate(CONTROLS_JS) if c["key"] not in done]
    assert not left, f"controls never enabled, so never operated: {left}"
    assert len(done) >= expected_min, sorted(done)
    return done


def test_every_control_of_the_live_playground_changes_what_it_shows(live_page):
    page, traffic = live_page(PLAYGROUND)
    root = page.locator("#bp-twin-playground")
    page.wait_for_function("() => window.bpPlayground && window.bpPlayground.run")
    # the default run is the chapter's Python run: same accuracy after 40 epochs
    page.wait_for_function(IDLE_JS, arg=root.element_handle(), timeout=20_000)
    py = reference()["playground"]["python"]
    status = root.locator(".bp-status").inner_text()
    assert f"Epoch {py['epochs']}:" in status
    assert f"test accuracy {100 * py['test_accuracy']:.1f} %" in status, status
    assert "Python run" in root.locator(".bp-provenance").inner_text()
    screenshot(page, "live-playground-default")
    done = operate_every_control(page, root, expected_min=30)
    print(f"\nplayground: {len(done)} controls operated, each changed the figure or the words")
    traffic.assert_clean()


def test_the_playground_says_what_went_wrong_in_words(live_page):
    page, traffic = live_page(PLAYGROUND)
    root = page.locator("#bp-twin-playground")
    page.wait_for_function("() => window.bpPlayground && window.bpPlayground.run")
    rate = root.locator("#bp-pg-rate")
    rate.focus()
    page.keyboard.press("End")  # learning rate 10
    assert rate.get_attribute("aria-valuetext") == "learning rate 10"
    page.wait_for_function(IDLE_JS, arg=root.element_handle(), timeout=20_000)
    status = root.locator(".bp-status").inner_text()
    assert "overshoots" in status and "Try a learning rate below 1 (it was 10)" in status, status
    no_nan(root)
    # a linear network with momentum 0.99 at that rate blows up: stopped, and said so
    root.locator("#bp-pg-activation").select_option("identity")
    momentum = root.locator("#bp-pg-momentum")
    momentum.focus()
    page.keyboard.press("End")
    assert momentum.get_attribute("aria-valuetext") == "momentum 0.99"
    page.wait_for_function(IDLE_JS, arg=root.element_handle(), timeout=20_000)
    status = root.locator(".bp-status").inner_text()
    assert re.match(r"Training diverged at epoch \d+: ", status), status
    assert "stopped (diverged)" in root.locator(".bp-epoch").inner_text()
    no_nan(root)
    screenshot(page, "live-playground-diverged")
    page.keyboard.press("Home")
    # six sigmoid layers: vanishing gradients, named in words
    rate.focus()
    page.keyboard.press("Home")
    root.locator("#bp-pg-activation").select_option("sigmoid")
    for _ in range(4):
        root.locator('[aria-label="add a hidden layer"]').click()
    page.wait_for_function(IDLE_JS, arg=root.element_handle(), timeout=20_000)
    assert "Vanishing gradients" in root.locator(".bp-status").inner_text()
    assert root.locator('[aria-label="add a hidden layer"]').is_disabled()  # 6 is the most
    screenshot(page, "live-playground-vanishing")
    traffic.assert_clean()


def test_every_data_set_trains_and_reports_without_nan(live_page):
    """All seven data sets (three classes for the three-armed spirals, a regression plane)."""
    page, traffic = live_page(PLAYGROUND)
    root = page.locator("#bp-twin-playground")
    page.wait_for_function("() => window.bpPlayground && window.bpPlayground.run")
    names = root.locator("#bp-pg-dataset option").evaluate_all("os => os.map(o => o.value)")
    assert set(names) == {"moons", "circles", "xor", "blobs", "spirals", "spirals3", "plane"}
    for name in names[1:] + names[:1]:
        page.wait_for_function(IDLE_JS, arg=root.element_handle(), timeout=20_000)
        before = root.evaluate(FINGERPRINT_JS)
        root.locator("#bp-pg-dataset").select_option(name)
        page.wait_for_function(IDLE_JS, arg=root.element_handle(), timeout=20_000)
        assert root.evaluate(FINGERPRINT_JS) != before, name
        no_nan(root)
        status = root.locator(".bp-status").inner_text()
        arch = root.locator(".bp-arch").inner_text()
        if name == "plane":
            assert "test loss" in status and "identity output" in arch, (status, arch)
            assert root.locator("#bp-pg-loss").is_disabled()  # regression: squared error
        else:
            assert "test accuracy" in status, status
            assert f"→ {3 if name == 'spirals3' else 2}, " in arch, arch
    traffic.assert_clean()


def test_both_sliders_of_the_precomputed_explorer(live_page):
    """The kernel-free explorer of stored images (it stays on the playground page)."""
    from test_site_in_browser import VISIBLE_FIGURE_JS

    page, traffic = live_page(PLAYGROUND)
    page.wait_for_function(f"() => ({VISIBLE_FIGURE_JS})() !== null")
    for cls in ("bp-explorer-lr", "bp-explorer-hidden"):
        before = page.evaluate(VISIBLE_FIGURE_JS)
        control = page.locator(
            f".{cls} .noUi-handle, .{cls} [tabindex='0'], .{cls} input"
        ).first  # fmt: skip
        control.scroll_into_view_if_needed()
        control.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(f"() => ({VISIBLE_FIGURE_JS})() !== {before!r}", timeout=10_000)
    traffic.assert_clean()


def test_every_control_of_the_live_descent_explorer(live_page):
    page, traffic = live_page(DESCENT)
    root = page.locator("#bp-twin-descent")
    page.wait_for_function("() => window.bpDescent && window.bpDescent.result")
    py = reference()["descent"]["python"]["loss"]
    shown = page.evaluate("() => window.bpDescent.result.loss")
    assert len(shown) == len(py) and all(abs(a - b) <= 1e-12 * abs(b) for a, b in zip(shown, py))
    done = operate_every_control(page, root, expected_min=3)
    assert set(done) == {"bp-gd-rate", "bp-gd-batch", "bp-gd-momentum"}
    # a rate of 10 diverges, in words, with a suggestion
    rate = root.locator("#bp-gd-rate")
    rate.focus()
    page.keyboard.press("End")
    assert rate.get_attribute("aria-valuetext") == "learning rate 10"
    assert re.match(r"Diverged at epoch \d+: .* try a learning rate below 1\.", root.locator(
        ".bp-status").inner_text())  # fmt: skip
    no_nan(root)
    # the grey reference stays the default run whatever the controls say, and a curve that
    # leaves the chart says so in its legend entry
    ref = page.evaluate("() => window.bpDescent.reference.s")
    assert ref == {"learningRate": 0.1, "batchSize": 8, "momentum": 0}, ref
    assert page.evaluate("() => window.bpDescent.reference.loss") == shown
    label = page.evaluate("() => window.bpDescent.lossChart.getAttribute('aria-label')")
    assert "above 100× its start from epoch" in label, label
    screenshot(page, "live-descent-diverged")
    traffic.assert_clean()


@pytest.mark.parametrize("path", [PLAYGROUND, DESCENT])
def test_kernel_widgets_are_not_shown_inert(live_page, path):
    page, traffic = live_page(path)
    assert page.get_by_text(LINE).count() >= 1
    # no kernel widget rendered as if it worked (the precomputed explorer works offline)
    assert page.locator(".bp-live").count() == 0
    assert page.locator(".bp-twin").count() == 1
    traffic.assert_clean()


@pytest.mark.parametrize("path", [PLAYGROUND, DESCENT])
def test_keyboard_and_units(live_page, path):
    page, _ = live_page(path)
    root = page.locator(".bp-twin")
    page.wait_for_function("() => document.querySelector('.bp-twin input')")
    for slider in root.locator("input[type=range]").all():
        text = slider.get_attribute("aria-valuetext") or ""
        assert re.fullmatch(r"[a-z][a-z ]+ [0-9][0-9.e+-]*( .*)?", text), text
    keys = {c["key"] for c in root.evaluate(CONTROLS_JS) if not c["disabled"]}
    reached = set()
    root.locator("input, select, button").first.focus()
    for _ in range(3 * len(keys) + 10):
        key = page.evaluate("() => document.activeElement.id || "
                            "document.activeElement.getAttribute('aria-label')")  # fmt: skip
        reached.add(key)
        page.keyboard.press("Tab")
    assert keys <= reached, f"not reachable with Tab: {keys - reached}"


@pytest.mark.parametrize("path", [PLAYGROUND, DESCENT])
def test_390_px_nothing_clipped(live_page, path):
    page, traffic = live_page(path, viewport={"width": 390, "height": 844})
    root = page.locator(".bp-twin")
    page.wait_for_function("() => document.querySelector('.bp-twin canvas')")
    root.scroll_into_view_if_needed()
    box = root.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390 + 0.5, box
    overflow = root.evaluate(
        """r => [...r.querySelectorAll('input, select, button, canvas, output, label')]
          .map(e => [e.id || e.getAttribute('aria-label') || e.tagName, e.getBoundingClientRect()])
          .filter(([, b]) => b.width > 0 && (b.left < -0.5 || b.right > 390.5))
          .map(([k, b]) => k + ' ' + Math.round(b.left) + '..' + Math.round(b.right))"""
    )
    assert not overflow, f"clipped at 390 px: {overflow}"
    explorer = page.evaluate(  # the precomputed explorer on the playground page, too
        """() => [...document.querySelectorAll('.bp-explorer *')]
          .filter(e => e.getBoundingClientRect().width > 0)
          .filter(e => e.getBoundingClientRect().right > 390.5)
          .map(e => String(e.className.baseVal ?? e.className).slice(0, 60))"""
    )
    assert not explorer, f"precomputed explorer clipped at 390 px: {explorer[:5]}"
    assert root.evaluate("r => r.scrollWidth <= r.clientWidth + 1")
    screenshot(page, f"{path}-390")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    root.screenshot(path=str(SCREENSHOTS / f"{Path(path).stem}-twin-390.png"))
    traffic.assert_clean()


# --------------------------------------------------------------------------- what a reader sees
# The figure(s) and the controls a reader turns most, which must fit on one screen together.
TOGETHER = {
    PLAYGROUND: (
        "#bp-twin-playground",
        [".bp-regions", "#bp-pg-play", "#bp-pg-step", "#bp-pg-reset", "#bp-pg-rate",
         "#bp-pg-batch", "#bp-pg-dataset", "#bp-pg-activation",
         '[aria-label="add a hidden layer"]'],
    ),
    DESCENT: (
        "#bp-twin-descent",
        ["#bp-gd-rate", "#bp-gd-batch", "#bp-gd-momentum", "canvas.bp-chart"],
    ),
}  # fmt: skip


def add_hidden_layers_to_the_most(page, root):
    add = root.locator('[aria-label="add a hidden layer"]')
    while add.is_enabled():
        add.click()
    assert "6 hidden layers" in root.locator(".bp-layers").inner_text()  # the controls' most


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("path", [PLAYGROUND, DESCENT])
def test_the_figure_and_the_main_controls_fit_on_one_screen(live_page, path, width):
    """Turning a control must not scroll away what it changes: from the top of the figure to
    the bottom of the last main control fits in the window below the sticky header, on a phone
    and on a laptop, also with the most hidden layers; at the defaults the words too."""
    height = 844 if width == 390 else 900
    page, traffic = live_page(path, viewport={"width": width, "height": height})
    sel, parts = TOGETHER[path]
    root = page.locator(sel)
    page.wait_for_function("() => document.querySelector('.bp-twin canvas')")
    root.scroll_into_view_if_needed()
    free = page.evaluate(FREE_HEIGHT_JS)
    for stage in ("default", "most layers") if path == PLAYGROUND else ("default",):
        if stage == "most layers":
            add_hidden_layers_to_the_most(page, root)
        shown = parts + [".bp-status"] * (stage == "default")
        boxes = dict(page.evaluate(BOXES_JS, [f"{sel} {p}" for p in shown]))
        missing = [k for k, b in boxes.items() if not b or b["height"] == 0]
        assert not missing, f"not shown at {width} px: {missing}"
        top = min(b["top"] for b in boxes.values())
        bottom = max(b["bottom"] for b in boxes.values())
        span = bottom - top
        print(f"\n{path} at {width} px ({stage}): figure and main controls span {span:.0f} px")
        where = [
            f"{k.split(' ', 1)[1]} {b['top']:.0f}..{b['bottom']:.0f}" for k, b in boxes.items()
        ]
        assert span <= free, (
            f"at {width} px ({stage}) the figure and its main controls span {span:.0f} px, more "
            f"than the {free:.0f} px of one screen: {', '.join(where)}"
        )
    traffic.assert_clean()


@pytest.mark.parametrize("width", [390, 1280])
def test_canvas_labels_are_legible_with_the_most_layers(live_page, width):
    """Every text on the playground's canvases, at the default network and with six hidden
    layers (seven weight matrices, the most the controls allow): inside its canvas, overlapping
    no other text, no line, bar or marker. W¹ ... W⁷ are all labelled, in the network drawing and
    in the gradient chart's legend."""
    page, traffic = live_page(PLAYGROUND, ink=True, viewport={"width": width, "height": 900})
    root = page.locator("#bp-twin-playground")
    page.wait_for_function("() => window.bpPlayground && window.bpPlayground.run")
    page.wait_for_function(IDLE_JS, arg=root.element_handle(), timeout=20_000)
    assert not root.evaluate(LABEL_PROBLEMS_JS)
    add_hidden_layers_to_the_most(page, root)
    root.locator("#bp-pg-activation").select_option("sigmoid")
    page.wait_for_function(IDLE_JS, arg=root.element_handle(), timeout=20_000)
    symbols = [f"W{s}" for s in "¹²³⁴⁵⁶⁷"]
    for canvas in (".bp-network", '[aria-label^="gradient norms"]'):
        texts = root.locator(canvas).evaluate(TEXTS_JS)
        assert all(s in texts for s in symbols), (canvas, texts)
    problems = root.evaluate(LABEL_PROBLEMS_JS)
    assert not problems, f"at {width} px with six hidden layers: {problems}"
    root.locator(".bp-network").scroll_into_view_if_needed()
    screenshot(page, f"live-playground-six-layers-{width}")
    traffic.assert_clean()


@pytest.mark.parametrize("width", [390, 1280])
def test_descent_labels_are_legible_even_when_the_curve_leaves_the_chart(live_page, width):
    """The longest legend entry (a diverged run, 'above 100× its start from epoch k') and the
    off-scale warning of the fit stay inside their canvases and clear of lines and texts."""
    page, traffic = live_page(DESCENT, ink=True, viewport={"width": width, "height": 900})
    root = page.locator("#bp-twin-descent")
    page.wait_for_function("() => window.bpDescent && window.bpDescent.result")
    assert not root.evaluate(LABEL_PROBLEMS_JS)
    rate = root.locator("#bp-gd-rate")
    rate.focus()
    page.keyboard.press("End")  # learning rate 10: diverges
    texts = " ".join(root.locator(".bp-chart").first.evaluate(TEXTS_JS))
    assert "its start from epoch" in texts, texts
    problems = root.evaluate(LABEL_PROBLEMS_JS)
    assert not problems, f"at {width} px, rate 10: {problems}"
    traffic.assert_clean()


CARET = re.compile(r"\w\^\{?\w")  # W^1, a^L, W^{l+1}: LaTeX source, not what a reader reads


def test_layer_symbols_are_written_as_the_text_writes_them(live_page):
    """The twin's words, captions, legends and canvas texts, and the chapter's printed outputs,
    write W¹ (a real superscript), never W^1; the vanishing and dead-unit diagnoses included."""
    page, traffic = live_page(PLAYGROUND, ink=True)
    root = page.locator("#bp-twin-playground")
    page.wait_for_function("() => window.bpPlayground && window.bpPlayground.run")

    def no_caret(where):
        text = root.inner_text() + " ".join(
            " ".join(c) for c in root.locator("canvas").evaluate_all(f"cs => cs.map({TEXTS_JS})")
        )
        assert not CARET.search(text), f"{where}: {CARET.search(text).group()} in {text[:300]}"
        return text

    no_caret("default run")
    add_hidden_layers_to_the_most(page, root)
    root.locator("#bp-pg-activation").select_option("sigmoid")
    page.wait_for_function(IDLE_JS, arg=root.element_handle(), timeout=20_000)
    text = no_caret("six sigmoid layers")
    assert "gradient of W¹ is" in text and "that of W⁷" in text, text
    # ReLUs killed by a huge step: the dead-unit note names the layers
    page.evaluate(
        "() => window.bpPlayground.change({layers: [2], activation: 'relu', learningRate: 10,"
        " epochs: 100})"
    )  # fmt: skip
    page.wait_for_function(IDLE_JS, arg=root.element_handle(), timeout=20_000)
    text = no_caret("dead ReLUs")
    assert re.search(r"Dead units: .* gradient of W¹, W² is exactly zero", text), text
    # the chapter prints the package's words too (the same sentences, from Python)
    outputs = [t for t in page.locator(".cell_output").all_inner_texts() if "gradients:" in t]
    assert any("Vanishing gradients" in t for t in outputs), outputs
    assert not any(CARET.search(t) for t in outputs), outputs
    traffic.assert_clean()


# Every control's value as a reader sees it.
CONTROL_VALUES_JS = """(root) => Object.fromEntries(
  [...root.querySelectorAll('input, select')].map((e) =>
    [e.id, e.type === 'checkbox' ? e.checked : e.value + (e.disabled ? ' (disabled)' : '')])
  .concat([['hidden layers', root.querySelector('.bp-layers').innerText]]))"""


def test_reset_restores_every_control_and_the_network(live_page):
    """Reset puts every control back to its default (data set, features, layers and neurons,
    sliders, selects, seed, view options), the network back to its initial weights and the run
    to epoch 0; Play then trains the chapter's run again."""
    page, traffic = live_page(PLAYGROUND)
    root = page.locator("#bp-twin-playground")
    page.wait_for_function("() => window.bpPlayground && window.bpPlayground.run")
    defaults = root.evaluate(CONTROL_VALUES_JS)
    # change every control (also those enabled on the way), Reset and the play controls aside
    done = set()
    while True:
        ready = [
            c
            for c in root.evaluate(CONTROLS_JS)
            if c["key"] not in done and not c["disabled"]
            and c["key"] not in {"bp-pg-reset", "bp-pg-play", "bp-pg-step"}
        ]  # fmt: skip
        if not ready:
            break
        page.wait_for_function(IDLE_JS, arg=root.element_handle(), timeout=20_000)
        operate(page, root, ready[0])
        done.add(ready[0]["key"])
    changed = root.evaluate(CONTROL_VALUES_JS)
    differ = [k for k in defaults if changed.get(k) != defaults[k]]
    assert len(differ) >= 15, f"the test changed only {differ}"
    root.locator("#bp-pg-reset").click()
    after = root.evaluate(CONTROL_VALUES_JS)
    wrong = {k: (after.get(k), v) for k, v in defaults.items() if after.get(k) != v}
    assert not wrong, f"after Reset (shown, default): {wrong}"
    assert page.evaluate("() => window.bpPlayground.run.trainer.epoch") == 0
    assert "epoch 0" in root.locator(".bp-epoch").inner_text()
    assert root.locator(".bp-status").inner_text().startswith("Epoch 0 (before training)")
    weights = page.evaluate("() => window.bpPlayground.run.net.W.slice(1).map(W => [...W.data])")
    initial = [np.ravel(W).tolist() for W in reference()["playground"]["weights"]]
    assert weights == initial, "Reset did not restore the initial weights"
    assert "Python run" in root.locator(".bp-provenance").inner_text()
    root.locator("#bp-pg-play").click()
    page.wait_for_function(IDLE_JS, arg=root.element_handle(), timeout=20_000)
    py = reference()["playground"]["python"]
    assert f"test accuracy {100 * py['test_accuracy']:.1f} %" in root.locator(
        ".bp-status").inner_text()  # fmt: skip
    traffic.assert_clean()


def test_a_finished_run_stops_at_its_limit_and_step_does_not_pass_it(live_page):
    """A run ends at its "stop after" epoch: the counter says so, Step is disabled (no epoch
    101 on the counter, the curves or in the words, not even when the handler is called), the
    focus of a reader stepping by keyboard moves to "Run again"; raising the limit trains on,
    through the same epochs first."""
    page, traffic = live_page(PLAYGROUND)
    root = page.locator("#bp-twin-playground")
    page.wait_for_function("() => window.bpPlayground && window.bpPlayground.run")
    page.wait_for_function(IDLE_JS, arg=root.element_handle(), timeout=20_000)
    step, play = root.locator("#bp-pg-step"), root.locator("#bp-pg-play")

    def shown():
        run = "() => [window.bpPlayground.run.trainer.epoch, window.bpPlayground.run.trainLoss]"
        epoch, losses = page.evaluate(run)
        return epoch, len(losses) - 1, root.locator(".bp-epoch").inner_text(), root.locator(
            ".bp-status").inner_text()  # fmt: skip

    assert shown()[:3] == (100, 100, "epoch 100 · done")
    assert shown()[3].startswith("Epoch 100: ") and play.inner_text() == "Run again"
    assert step.is_disabled() and 'raise "stop after"' in step.get_attribute("title")
    before = root.evaluate(FINGERPRINT_JS)
    step.click(force=True)  # a click on the disabled button
    page.evaluate("() => window.bpPlayground.step()")  # and the handler itself
    assert shown()[:3] == (100, 100, "epoch 100 · done")
    assert root.evaluate(FINGERPRINT_JS) == before  # nothing redrawn past the limit
    screenshot(page, "live-playground-finished")
    # by keyboard, to a shorter limit: Step until it is disabled, the focus goes to Run again
    root.locator("#bp-pg-epochs").select_option("40")
    page.wait_for_function(IDLE_JS, arg=root.element_handle(), timeout=20_000)
    short = page.evaluate("() => window.bpPlayground.run.trainLoss")
    play.focus()
    page.keyboard.press("Enter")  # Run again, then step from wherever the first frames got
    step.focus()
    for _ in range(41):
        if step.is_disabled():
            break
        page.keyboard.press("Enter")
    assert shown()[:3] == (40, 40, "epoch 40 · done") and step.is_disabled()
    assert page.evaluate("() => document.activeElement.id") == "bp-pg-play"
    assert page.evaluate("() => window.bpPlayground.run.trainLoss") == short  # the same run
    # raising the limit trains on: the same 40 epochs first, then on to 100
    root.locator("#bp-pg-epochs").select_option("100")
    page.wait_for_function(IDLE_JS, arg=root.element_handle(), timeout=20_000)
    assert shown()[:3] == (100, 100, "epoch 100 · done")
    assert page.evaluate("() => window.bpPlayground.run.trainLoss.slice(0, 41)") == short
    traffic.assert_clean()
