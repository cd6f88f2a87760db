"""Execute one chapter at a time, the way the book build does, and fail on any error.

The strict book build (`make book-strict`) already executes every chapter, so these are not
part of `make unit`; run one with `make chapter CH=chapters/backprop.md` or
`pytest tests/test_chapters.py -k backprop -m chapter`.
"""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.md"))


@pytest.mark.chapter
@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_executes(path):
    jupytext = pytest.importorskip("jupytext")
    from nbclient import NotebookClient

    nb = jupytext.read(path)
    if not any(c.cell_type == "code" for c in nb.cells):
        pytest.skip(f"{path.name} has no code cells")
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
