"""Numbers pasted from the run (``{glue:text}``) read like the text around them.

MyST-NB styles ``span.pasted-text`` bold. In this book bold marks defined terms and emphasis,
so a computed number in bold reads as stressed; the introduction says once that every number
in the prose is pasted from the run, and ``_static/book.css`` gives each the weight of the text
it stands in.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

WEIGHTS_JS = """() => [...document.querySelectorAll('main span.pasted-text')].map(s => [
  getComputedStyle(s).fontWeight, getComputedStyle(s.parentElement).fontWeight, s.textContent])"""


@pytest.mark.parametrize("path", ["chapters/sigmoid-quadratic.html", "chapters/minibatch.html"])
def test_pasted_numbers_have_the_weight_of_their_text(open_page, path):
    page, _ = open_page(path)
    weights = page.evaluate(WEIGHTS_JS)
    assert len(weights) > 5, f"{path}: only {len(weights)} pasted numbers found"
    bold = [text for own, around, text in weights if own != around]
    assert not bold, f"{path}: pasted numbers heavier or lighter than their text: {bold[:5]}"
