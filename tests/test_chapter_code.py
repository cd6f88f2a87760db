"""What a reader sees of the code: no visible code cell is longer than a screen, and visible code
is at most a third of a chapter.

A cell is visible unless it is tagged ``hide-input``, ``remove-input``, ``remove-cell`` or
``hide-cell`` (those still execute in the build; their input is folded or left out). Lines are
counted in the MyST source: code lines against Markdown lines, a proxy for the rendered height
that leaves out figures and outputs, so the real share of code on the page is smaller still.
"""

from pathlib import Path

import pytest

jupytext = pytest.importorskip("jupytext")

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.md"))
FOLDED = {"hide-input", "remove-input", "remove-cell", "hide-cell"}
MAX_CELL_LINES = 25
MAX_CODE_SHARE = 1 / 3


def visible_code(path):
    nb = jupytext.read(path)
    cells = [
        c
        for c in nb.cells
        if c.cell_type == "code" and not set(c.metadata.get("tags", [])) & FOLDED
    ]
    markdown = sum(len(c.source.splitlines()) for c in nb.cells if c.cell_type == "markdown")
    return cells, markdown


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_no_visible_code_cell_is_longer_than_a_screen(path):
    cells, _ = visible_code(path)
    long = [
        (len(c.source.splitlines()), c.source.splitlines()[0][:60])
        for c in cells
        if len(c.source.splitlines()) > MAX_CELL_LINES
    ]
    assert not long, (
        f"{path.name}: visible code cells longer than {MAX_CELL_LINES} lines (lines, first "
        f"line): {long}; fold them with the tag hide-input or show only the lines that matter"
    )


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_visible_code_is_at_most_a_third_of_the_chapter(path):
    cells, markdown = visible_code(path)
    code = sum(len(c.source.splitlines()) for c in cells)
    share = code / max(code + markdown, 1)
    assert share <= MAX_CODE_SHARE, (
        f"{path.name}: visible code is {share:.0%} of the source lines ({code} of "
        f"{code + markdown}); at most {MAX_CODE_SHARE:.0%}"
    )
