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

    def _open(path, **options):
        context, page, traffic = new_page(browser, live_url, **options)
        contexts.append(context)
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
