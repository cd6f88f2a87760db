"""The built site's files and links (no browser needed, but the site must be built):
notebook downloads, launch links, vendored scripts, no duplicated inline scripts, and no raw
markup (Sphinx roles, untypeset TeX) in the text a reader sees.
"""

from __future__ import annotations

import json
import re
from html import unescape
from html.parser import HTMLParser

import pytest
from browser_support import ROOT, SITE, site_pages

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


# ------------------------------------------------------------------ raw markup a reader sees
class VisibleText(HTMLParser):
    """A page's text as a reader sees it before MathJax runs: without scripts, styles, code,
    and the formulas that MathJax typesets (``span.math``, ``div.math``)."""

    SKIP_TAGS = {"script", "style", "pre", "code", "textarea", "noscript", "template", "title"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
            "track", "wbr"}  # fmt: skip

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.skip, self.chunks = [], 0, []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        hidden = tag in self.SKIP_TAGS or "math" in classes
        self.stack.append((tag, hidden))
        self.skip += hidden

    def handle_endtag(self, tag):
        while self.stack:  # close what the tag closes (HTML lets some end tags be left out)
            name, hidden = self.stack.pop()
            self.skip -= hidden
            if name == tag:
                break

    def handle_data(self, data):
        if not self.skip:
            self.chunks.append(data)

    @classmethod
    def of(cls, html: str) -> str:
        parser = cls()
        parser.feed(html)
        return " ".join(" ".join(parser.chunks).split())


RAW_MARKUP = {
    "a reST role": re.compile(r"(?<![\w`]):(?:[a-z]+:)?[a-z]+:`"),
    "a MyST role": re.compile(r"\{(?:[a-z]+:)?[a-z-]+\}`"),
    "dollar math": re.compile(r"\$[^$]{1,300}\$|\$\$"),
    "a TeX command": re.compile(r"\\[a-zA-Z]{2,}|\\[()\[\]]"),
    "TeX without its backslash": re.compile(
        r"\b(?:math(?:sf|bf|bb|rm|cal)|operatorname|t?frac|textstyle|[lr]Vert)\{|[_^]\{"
    ),
}


def raw_markup(text: str) -> list[str]:
    """``what: context`` for every piece of markup in ``text`` that should have been rendered."""
    found = []
    for what, pattern in RAW_MARKUP.items():
        for m in pattern.finditer(text):
            found.append(f"{what}: ...{text[max(0, m.start() - 50) : m.end() + 30]}...")
    return found


def test_raw_markup_is_found():
    # the checker itself: what the API page showed before its fixes, and what must pass
    assert raw_markup("In the book: the update :eq:`eq-gd-update`")
    assert raw_markup("see {py:func}`backprop.fit`")
    assert raw_markup("(diagonal $operatorname{diag} sigma'(z^l)$, or ...)")
    assert raw_markup("entry $\\partial a_i$") and raw_markup("the matrix \\mathsf{T}")
    assert raw_markup("adds tfrac{lambda}{2} to")
    html = '<p>typeset <span class="math">\\(a^{\\mathsf T}\\)</span>, <code>:func:`f`</code></p>'
    assert VisibleText.of(html) == "typeset ," and not raw_markup(VisibleText.of(html))


@pytest.mark.parametrize("path", site_pages())
def test_no_page_shows_raw_roles_or_tex(path):
    """Sphinx roles that did not resolve (a reference napoleon folded into a parameter's type is
    printed as written), dollar math that no one converted, TeX that reST stripped of its
    backslashes: all would be shown to the reader as written."""
    text = VisibleText.of((SITE / path).read_text(encoding="utf-8"))
    found = raw_markup(text)
    assert not found, f"{path} shows raw markup:\n" + "\n".join(found[:20])


def test_api_parameter_lists_hold_only_parameters():
    """napoleon reads every unindented line after a Parameters heading as ``name : type``: a
    paragraph left below the list becomes "parameters" named after its lines, and a type that
    wraps onto the next line is cut in two (its brackets unbalanced)."""
    html = (SITE / "chapters" / "api.html").read_text(encoding="utf-8")
    fields = re.findall(
        r'<dt class="field-\w+">(Parameters|Other Parameters|Attributes)<span class="colon">'
        r".*?</dt>\s*<dd[^>]*>(.*?)</dd>",
        html,
        re.S,
    )
    assert fields, "no parameter lists found in chapters/api.html"
    bad = []
    for _, body in fields:
        for item in re.findall(r"<p><strong>(.*?)</strong>(.*?)</p>", body, re.S):
            name = VisibleText.of(item[0])
            rest = VisibleText.of(item[1])
            kind = rest.split(" – ")[0]
            if not re.fullmatch(r"\*{0,2}[A-Za-z_]\w*(, \*{0,2}[A-Za-z_]\w*)*", name):
                bad.append(f"not a parameter name: {name!r}")
            elif sum(map(kind.count, "([{")) != sum(map(kind.count, ")]}")):  # [0, 1) is fine
                bad.append(f"{name}: its type is cut at a line break: {kind!r}")
    assert not bad, "\n".join(bad)


def test_api_page_shows_no_python_internals():
    """Reprs of functions (a constant holding a table of them), namedtuple fields' "Alias for
    field number", dataclass ``<factory>`` defaults and a signature printed raw (its
    annotations as ``~backprop.autodiff.Tape``) are Python's bookkeeping, not documentation."""
    html = (SITE / "chapters" / "api.html").read_text(encoding="utf-8")
    main = html[html.index("<main") :]
    text = unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", main)))  # code spans too
    found = re.findall(
        r".{0,60}(?:<function|<lambda>|<factory>|Alias for field|~backprop|Path\('/).{0,40}", text
    )
    assert not found, "\n".join(found[:10])
    # the hidden tables still say what they hold: their keys
    assert "Keys: ('identity', 'mse'), ('sigmoid', 'mse')" in text
    assert "Keys: 'x1', 'x2', 'x1^2'" in text


def test_api_page_follows_the_order_its_package_docstring_gives():
    """The package docstring lists the core modules (all of them), and the sections follow it."""
    import backprop

    core = {
        p.stem for p in (ROOT / "src" / "backprop").glob("*.py") if not p.stem.startswith("_")
    } - {"equations"}
    listed = backprop.__doc__.split("The core")[1].split("The book")[0]
    named = list(dict.fromkeys(re.findall(r"\b(" + "|".join(sorted(core)) + r")\b", listed)))
    assert sorted(named) == sorted(core), "the package docstring omits some core modules"
    html = (SITE / "chapters" / "api.html").read_text(encoding="utf-8")
    sections = re.findall(r'<section id="module-backprop\.(\w+)"', html)
    assert [m for m in sections if m in core] == named
    assert named[0] == "network"
