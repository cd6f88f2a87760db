"""Opening a chapter in JupyterLab or Notebook 7 and saving it leaves the file byte for byte as is.

JupyterLab opens the ``.md`` chapters as notebooks (jupytext) and autosaves them once a cell has
run. What it writes back is jupytext's MyST text of the notebook, with the kernelspec that the
running kernel put into the notebook's metadata. So a chapter stays unchanged exactly when it
already is that text: the kernelspec of the installed ipykernel (keys in the order Jupyter
writes them) and jupytext's layout (a blank line after a code cell's options and between a
code cell and the Markdown that follows). ``benchmarks/lab_latency.py`` checks the same thing
in a real JupyterLab (``files_changed_by_saving``).

Fix a chapter that fails: ``.venv/bin/python tests/test_lab_roundtrip.py chapters/NAME.md``.
"""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

import pytest

jupytext = pytest.importorskip("jupytext")

ROOT = Path(__file__).resolve().parents[1]
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
"""What JupyterLab 4 and Notebook 7 write for the book's kernel, in their order."""
NOTEBOOKS = sorted(
    p
    for p in [*(ROOT / "chapters").glob("*.md"), ROOT / "intro.md"]
    if p.read_text(encoding="utf-8").startswith("---\njupytext:")
)


def as_jupyter_saves(text: str) -> str:
    """The text JupyterLab writes back for a chapter ``text`` after running it."""
    nb = jupytext.reads(text, fmt="md:myst")
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    return jupytext.writes(nb, fmt="md:myst")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_saving_a_chapter_in_jupyter_changes_nothing(path):
    text = path.read_text(encoding="utf-8")
    saved = as_jupyter_saves(text)
    diff = "".join(
        list(difflib.unified_diff(text.splitlines(True), saved.splitlines(True), n=1))[:40]
    )
    assert saved == text, (
        f"JupyterLab would rewrite {path.name} when it autosaves:\n{diff}\nfix it with "
        f".venv/bin/python tests/test_lab_roundtrip.py chapters/{path.name}"
    )


def test_the_header_names_the_kernel_jupyter_runs():
    kernelspec = pytest.importorskip("jupyter_client.kernelspec")
    spec = kernelspec.KernelSpecManager().get_kernel_spec(KERNELSPEC["name"])
    assert spec.display_name == KERNELSPEC["display_name"]
    assert spec.language == KERNELSPEC["language"]


def test_the_check_itself_sees_a_missing_blank_line_and_an_old_kernel_name():
    text = NOTEBOOKS[0].read_text(encoding="utf-8")
    assert as_jupyter_saves(text) == text
    old_name = text.replace("display_name: Python 3 (ipykernel)", "display_name: Python 3")
    assert as_jupyter_saves(old_name) != old_name
    squeezed = text.replace(":tags: [remove-cell]\n\n", ":tags: [remove-cell]\n", 1)
    assert squeezed != text and as_jupyter_saves(squeezed) == text


if __name__ == "__main__":  # rewrite the chapters named on the command line as Jupyter would
    for name in sys.argv[1:]:
        p = Path(name)
        p.write_text(as_jupyter_saves(p.read_text(encoding="utf-8")), encoding="utf-8")
        print("rewritten as JupyterLab saves it:", p)
