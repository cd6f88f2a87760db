"""The built site's files and links (no browser needed, but the site must be built):
notebook downloads, launch links, vendored scripts, and no duplicated inline scripts.
"""

from __future__ import annotations

import json
import re

import pytest
from browser_support import ROOT, SITE

pytestmark = pytest.mark.browser

REPO = "backprop-book/backprop-book"
NOTEBOOK_CHAPTERS = sorted(
    p.stem
    for p in (ROOT / "chapters").glob("*.md")
    if "```{code-cell}" in p.read_text(encoding="utf-8")
    and (SITE / f"chapters/{p.stem}.html").exists()
)


def test_every_built_notebook_chapter_is_checked():
    assert NOTEBOOK_CHAPTERS, f"no built chapter with code in {SITE}: run make book"


@pytest.mark.parametrize("stem", NOTEBOOK_CHAPTERS)
def test_chapter_offers_its_executed_notebook_and_launch_links(stem):
    html = (SITE / "chapters" / f"{stem}.html").read_text(encoding="utf-8")
    assert f'href="../_sources/chapters/{stem}.ipynb"' in html, "no .ipynb download button"
    nb = json.loads((SITE / "_sources" / "chapters" / f"{stem}.ipynb").read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert 'importlib.metadata.version("backprop-book")' in "".join(code[0]["source"])
    assert code[0]["metadata"]["tags"] == ["remove-cell"]
    assert any(c.get("outputs") for c in code), "the download is the executed notebook"
    links = set(re.findall(r'href="(https://[^"]+)"', html))
    assert f"https://mybinder.org/v2/gh/{REPO}/main?urlpath=lab/tree/chapters/{stem}.md" in links
    assert (
        f"https://colab.research.google.com/github/{REPO}/blob/gh-pages/_sources/chapters/"
        f"{stem}.ipynb" in links
    )
    assert f"https://github.com/{REPO}" in links
    assert any(u.startswith(f"https://github.com/{REPO}/issues/new") for u in links)


def test_no_page_declares_an_inline_script_twice():
    for page in SITE.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert html.count("const THEBE_JS_URL") <= 1, page
        assert html.count("var togglebuttonSelector") <= 1, page


def test_the_site_serves_its_scripts_itself():
    assert (SITE / "_vendor" / "mathjax" / "startup.js").is_file()
    assert (SITE / "_vendor" / "requirejs" / "require.js").is_file()
    assert (SITE / "_vendor" / "jupyter-widgets" / "embed-amd.js").is_file()
    for page in SITE.rglob("*.html"):
        srcs = re.findall(r'<script[^>]+src="([^"]+)"', page.read_text(encoding="utf-8"))
        assert not [s for s in srcs if "://" in s], (page, srcs)
    favicon = SITE / "_static" / "favicon.svg"
    assert favicon.is_file() and 'rel="icon" href="_static/favicon.svg"' in (
        SITE / "intro.html"
    ).read_text(encoding="utf-8")


def test_copyright_year():
    assert "2026" in (SITE / "intro.html").read_text(encoding="utf-8")


def test_no_link_text_shows_raw_tex():
    # {ref} to a heading with math copies the heading's TeX source into the link text, where
    # MathJax does not typeset it: such links need plain-text titles.
    tex = re.compile(r"\\[a-zA-Z]+|[_^]\{|\^[a-zA-Z]\b")
    raw = []
    for page in sorted(SITE.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        for inner in re.findall(r'<a class="reference internal"[^>]*>(.*?)</a>', html, re.S):
            text = re.sub(r"<[^>]+>", "", inner)
            if tex.search(text):
                raw.append(f"{page.relative_to(SITE)}: {text.strip()[:80]}")
    assert not raw, "links whose text is raw TeX:\n" + "\n".join(raw)


@pytest.mark.parametrize("stem", NOTEBOOK_CHAPTERS)
def test_no_cell_printed_an_error_or_a_warning(stem):
    """A figure that fails only when it is displayed (say an overflow while drawing) does not
    stop the build: the cell ran, and the page shows a traceback instead of the figure. So every
    output of the executed notebook is read: no error, nothing on stderr, no traceback."""
    nb = json.loads((SITE / "_sources" / "chapters" / f"{stem}.ipynb").read_text())
    bad = []
    for i, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            text = "".join(out.get("text", "")) + json.dumps(out.get("data", {}))
            if (
                out.get("output_type") == "error"
                or out.get("name") == "stderr"
                or "Traceback (most recent call last)" in text
            ):
                bad.append((i, out.get("output_type"), text[:200]))
    html = (SITE / "chapters" / f"{stem}.html").read_text(encoding="utf-8")
    assert not bad and "highlight-ipythontb" not in html, f"{stem}: {bad}"
