"""The reader sees which equations execute (issue 9): a ✓ after every checked equation that
links to its chapter's check cell, and the generated Equation index lists every label."""

from __future__ import annotations

import re

import pytest
from browser_support import ROOT, SITE

from backprop.equations import scan
from backprop.equations.index import target

pytestmark = pytest.mark.browser

CHECKED = {
    p.stem: [d for d in scan(p) if d.label and d.status in ("check", "exempt")]
    for p in sorted((ROOT / "chapters").glob("*.md"))
    if f"({target(p.stem)})=" in p.read_text(encoding="utf-8")
}


@pytest.mark.parametrize("stem", sorted(CHECKED))
def test_checked_equations_carry_a_mark_linking_to_the_check(stem):
    html = (SITE / "chapters" / f"{stem}.html").read_text(encoding="utf-8")
    assert f'id="{target(stem)}"' in html, "the check cell's section has no anchor"
    for d in CHECKED[stem]:
        start = html.index(f'id="equation-{d.label.lower()}"')  # Sphinx ids are lower case
        after = html[start : start + 200_000]  # a display typeset at build time: up to ~20 kB
        nxt = re.search(r'id="equation-', after[20:])
        block = after[: 20 + nxt.start()] if nxt else after
        if d.status == "check":
            assert 'class="eq-check"' in block and f'href="#{target(stem)}"' in block, d.label
            assert "tolerance" in block, d.label
        else:
            assert 'class="eq-exempt"' in block and "✓" not in block.split("eq-exempt")[1][:300]


def test_equation_index_lists_every_labelled_equation():
    """Each labelled equation: its number links to it, and the index shows it typeset."""
    from docutils.nodes import make_id

    html = (SITE / "chapters" / "equation-index.html").read_text(encoding="utf-8")
    for p in sorted((ROOT / "chapters").glob("*.md")):
        for d in scan(p):
            if d.label:
                anchor = make_id(f"equation-{d.label}")  # as Sphinx writes it: lower case
                assert f'href="{p.stem}.html#{anchor}"' in html, d.label
    assert html.count('class="bp-eq-index') >= 13, "one table per chapter"
    assert "\\(\\displaystyle" not in html, "the equations are typeset when the site is built"


def test_mark_link_scrolls_to_the_check(open_page):
    stem = "backprop"
    page, traffic = open_page(f"chapters/{stem}.html")
    marks = page.locator(".eq-check a")
    assert marks.count() == sum(d.status == "check" for d in CHECKED[stem])
    assert "network" in marks.first.get_attribute("title")
    marks.first.click()
    page.wait_for_timeout(300)
    assert page.evaluate("location.hash") == f"#{target(stem)}"
    traffic.assert_clean()
