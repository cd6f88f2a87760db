"""The gradient-descent chapter's live explorer in Chromium: the rates the text names can be set
on its slider and read as written, and at each of them the page says what Python says.

A reader who moves the page's slider to 0.3 and runs ``train_curve`` at 0.3 in Jupyter must
read the same sentence (issue 11: the old slider stopped at 0.316, "Unstable", next to
Python's 0.3, "oscillating"). ``BOOK_SITE`` names another built site.
"""

from __future__ import annotations

import pytest
from browser_support import screenshot

from backprop.explore import descent, playground
from backprop.explore.glue import readable

pytestmark = pytest.mark.browser

PAGE = "chapters/gradient-descent.html"


def test_the_rate_slider_offers_the_rates_of_the_text_and_says_what_python_says(open_page):
    page, traffic = open_page(PAGE)
    root = page.locator("#bp-twin-descent")
    page.wait_for_function("() => window.bpDescent && window.bpDescent.result")
    rate = root.locator("#bp-gd-rate")
    readout = root.locator("output[for=bp-gd-rate]")
    status = root.locator(".bp-status")
    assert readout.inner_text() == "0.1"  # the default
    rate.focus()
    page.keyboard.press("Home")
    seen = []
    for k, value in enumerate(descent.RATES):
        if k:
            page.keyboard.press("ArrowRight")
        shown = page.evaluate("() => window.bpDescent.s.learningRate")
        seen.append((shown, readout.inner_text(), rate.get_attribute("aria-valuetext")))
        python = playground.headline(playground.train_curve({"learning_rate": value}))
        assert status.inner_text() == python, (value, status.inner_text(), python)
        if value == 0.3:
            assert python.startswith("Decreasing, but oscillating")
            screenshot(page, "live-descent-rate-0.3")
    assert seen == [(r, readable(r), f"learning rate {readable(r)}") for r in descent.RATES]
    assert {"0.003", "0.03", "0.3", "3"} <= {text for _, text, _ in seen}
    traffic.assert_clean()
