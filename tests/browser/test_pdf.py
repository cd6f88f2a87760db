"""The book as one PDF (``make pdf``, run by ``make test`` before these tests): enough pages,
every chapter's title in its text, typeset formulas (no TeX source), numbered equations, no
unresolved reference, links inside the document, and the site's download menu pointing at it.
"""

from __future__ import annotations

import re

import pytest
from browser_support import ROOT, SITE

pytestmark = pytest.mark.browser

PDF = SITE.parent / "pdf" / "backprop-book.pdf"
MIN_PAGES = 100


def chapter_titles() -> list[str]:
    """The first heading of every file in the table of contents, as a reader sees it."""
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    titles = []
    for name in ["intro", *re.findall(r"file:\s*(\S+)", toc)]:
        text = (ROOT / f"{name}.md").read_text(encoding="utf-8")
        heading = re.search(r"^# (.+)$", text, re.M)
        if heading:
            # math and markup in a title: keep the words a PDF's text layer holds for sure
            words = re.sub(r"\$[^$]*\$|[`*_{}]", " ", heading.group(1))
            titles.append(" ".join(words.split()))
    return titles


@pytest.fixture(scope="module")
def pdf():
    import pypdf  # requirements/dev.txt

    if not PDF.is_file():
        pytest.fail(f"{PDF} is missing: run make pdf")
    reader = pypdf.PdfReader(str(PDF))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return reader, " ".join(text.split())


def test_the_pdf_has_the_whole_book(pdf):
    reader, text = pdf
    assert len(reader.pages) >= MIN_PAGES, f"only {len(reader.pages)} pages"
    missing = [t for t in chapter_titles() if t.lower() not in text.lower()]
    assert not missing, f"chapter titles not in the PDF: {missing}"


def test_the_pdf_has_typeset_math_and_resolved_references(pdf):
    _, text = pdf
    assert "??" not in text, text[max(0, text.index("??") - 80) : text.index("??") + 40]
    # (code may hold TeX in strings; the site's browser test checks the prose for "$...$")
    raw = [m for m in ("$$", r"\(", r"\[", r"\begin{") if m in text]
    assert not raw, f"untypeset TeX in the PDF's text: {raw}"
    numbers = set(re.findall(r"\((\d+\.\d+)\)", text))
    assert len(numbers) >= 50, f"only {len(numbers)} numbered equations found"


def test_the_pdf_links_inside_itself(pdf):
    reader, _ = pdf
    internal = 0
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            a = annot.get_object()
            action = a.get("/A")
            if a.get("/Dest") is not None or (action and action.get("/S") == "/GoTo"):
                internal += 1
    assert internal >= 100, f"only {internal} links inside the PDF"
    assert reader.outline, "no outline (bookmarks)"


def test_every_page_links_the_pdf():
    assert (SITE / "backprop-book.pdf").is_file(), "make pdf copies the PDF into the site"
    for page in ("intro.html", "chapters/backprop.html"):
        html = (SITE / page).read_text(encoding="utf-8")
        assert re.search(r'href="(\.\./)?backprop-book\.pdf"', html), page
