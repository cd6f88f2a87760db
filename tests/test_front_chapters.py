"""The front of the book says what its pages show, in the pages' own words.

* The introduction names the two marks an equation can carry with the words the build prints
  under it: the marks are produced here by ``_ext/equation_marks.py`` on a two-equation page
  (a reader was told of equations "marked exempt" that the pages call "not evaluated").
* In the introduction and the first two chapters, a link to an erratum has a short text of its
  own (``{ref}`note 003 <erratum-...>```): without one, the link prints the erratum's whole
  title, which repeats the sentence around it.
* Their content figures are numbered: a caption and a ``fig-`` name, and the text refers to the
  figure by that name, so that it can say "Fig. 2.1" rather than "the figure below".
* The first chapter shows no plumbing: the book's helpers (tables, glue, source listings) are
  imported and called only in folded cells.
* The first chapter is for a reader without the notes: the table that translates the notes'
  symbols is in the errata appendix, linked once from the chapter.
* The introduction's "What you need" asks for what the derivatives chapter's proofs use.
"""

import html
import re
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[1]
OWN = [ROOT / "intro.md", ROOT / "chapters" / "notation.md", ROOT / "chapters" / "derivatives.md"]
FOLDED = {"hide-input", "remove-input", "remove-cell", "hide-cell"}


def marks_printed_under_equations(tmp_path):
    """The visible text of the mark under a checked and under an exempt display."""
    nodes = pytest.importorskip("docutils.nodes")
    sys.path.insert(0, str(ROOT / "_ext"))
    try:
        from equation_marks import add_marks
    finally:
        sys.path.remove(str(ROOT / "_ext"))
    (tmp_path / "page.md").write_text(
        "% check: column\n$$\nz = W a\n$$ (eq-one)\n\n"
        "% exempt: a definition\n$$\nv := w\n$$ (eq-two)\n\n"
        "(page-equations-executed)=\n## Every labelled equation, executed\n",
        encoding="utf-8",
    )
    doctree = nodes.section()
    for label in ("eq-one", "eq-two"):
        block = nodes.math_block("", "", label=label)
        doctree += block
    app = SimpleNamespace(builder=SimpleNamespace(format="html"), srcdir=str(tmp_path))
    add_marks(app, doctree, "page")
    raw = [n.astext() for n in doctree.findall(nodes.raw)]
    assert len(raw) == 2, raw
    return [html.unescape(re.sub(r"<[^>]+>", "", r)).strip() for r in raw]


def test_the_introduction_names_the_marks_the_pages_print(tmp_path):
    checked, exempt = marks_printed_under_equations(tmp_path)
    assert (checked, exempt) == ("✓ checked", "not evaluated")
    intro = (ROOT / "intro.md").read_text(encoding="utf-8")
    for word in (checked, exempt):
        assert word in intro.replace("*", ""), f"intro.md does not name the mark {word!r}"
    assert "exempt" not in intro, "intro.md says 'exempt', a word the pages do not show"


@pytest.mark.parametrize("path", OWN, ids=[p.stem for p in OWN])
def test_erratum_links_have_a_short_text(path):
    text = path.read_text(encoding="utf-8")
    bare = re.findall(r"\{ref\}`(erratum-[\w-]+)`", text)
    assert not bare, f"{path.name}: erratum links that print the whole title: {bare}"
    for shown in re.findall(r"\{ref\}`([^`<]*)<erratum-", text):
        assert re.fullmatch(r"note 00\d ", shown), f"{path.name}: erratum link text {shown!r}"


def figure_cells(path):
    jupytext = pytest.importorskip("jupytext")
    for cell in jupytext.read(path).cells:
        image = cell.metadata.get("mystnb", {}).get("image")
        if cell.cell_type == "code" and image is not None:
            yield cell.metadata["mystnb"]


@pytest.mark.parametrize("path", OWN[1:], ids=[p.stem for p in OWN[1:]])
def test_figures_are_numbered_and_referred_to_by_number(path):
    text = path.read_text(encoding="utf-8")
    figures = list(figure_cells(path))
    assert figures, f"{path.name}: no figure found"
    for meta in figures:
        figure = meta.get("figure", {})
        name, caption = figure.get("name", ""), figure.get("caption", "")
        assert name.startswith(f"fig-{path.stem}-"), f"{path.name}: figure name {name!r}"
        assert len(caption.split()) >= 8, f"{path.name}: {name} has no real caption"
        assert f"{{numref}}`{name}`" in text, f"{path.name}: {name} is never referred to"


def test_the_first_chapter_shows_no_plumbing():
    jupytext = pytest.importorskip("jupytext")
    plumbing = re.compile(r"\bbackprop\.explore\b|\bcode_of\(|\bmarkdown_table\(|\bglue\(")
    for cell in jupytext.read(ROOT / "chapters" / "notation.md").cells:
        if cell.cell_type != "code" or set(cell.metadata.get("tags", [])) & FOLDED:
            continue
        assert not plumbing.search(cell.source), f"visible plumbing: {cell.source[:80]!r}"


def test_the_notes_symbols_are_translated_in_the_appendix_not_in_the_first_chapter():
    """The first chapter is for a reader without the notes: the table translating the notes'
    symbols, and the list of their definitions that fail, live in the errata appendix, and the
    chapter links there once."""
    notation = (ROOT / "chapters" / "notation.md").read_text(encoding="utf-8")
    errata = (ROOT / "chapters" / "errata.md").read_text(encoding="utf-8")
    header = "| concept | **this book** | note 000 |"
    assert header not in notation, "notation.md still holds the notes' translation table"
    assert "(errata-notations)=" in errata and header in errata, "errata.md lost the table"
    assert "<errata-notations>`" in notation, "notation.md does not link the translation"


def test_the_introduction_asks_for_what_the_chapters_use():
    """Every prerequisite beyond one-variable calculus that the derivatives chapter names is
    also in the introduction's 'What you need'."""
    intro = (ROOT / "intro.md").read_text(encoding="utf-8")
    need = re.search(r"\*\*What you need\.\*\*(.*?)\n\n", intro, re.S).group(1)
    chapter = (ROOT / "chapters" / "derivatives.md").read_text(encoding="utf-8")
    prereq = re.search(r"\*\*Prerequisites\.\*\*(.*?)\n\n", chapter, re.S).group(1)
    for topic in ("norms", "triangle inequality", "mean value theorem"):
        assert topic in " ".join(prereq.split()), f"derivatives.md no longer names {topic!r}"
        assert topic in " ".join(need.split()), f"intro.md does not ask for {topic!r}"
