"""_ext/kernel_transport.py: the build's kernels connect with CurveZMQ, so ipykernel's
"Kernel is running over TCP without encryption" warning (13 per build) is gone at its source."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WARNING = "without encryption"
SCRIPT = """
import sys
sys.path.insert(0, {ext!r})
if {use_extension}:
    import kernel_transport
    kernel_transport.setup(None)
import nbformat
from nbclient import NotebookClient
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")])
NotebookClient(nb, kernel_name="python3", timeout=60).execute()
print(nb.cells[0].outputs[0]["text"].strip())
"""


def _run_one_cell(use_extension: bool) -> subprocess.CompletedProcess:
    script = SCRIPT.format(ext=str(ROOT / "_ext"), use_extension=use_extension)
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("use_extension", [True, False], ids=["with", "without"])
def test_kernel_warning_appears_only_without_the_extension(use_extension):
    result = _run_one_cell(use_extension)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("42")  # the kernel works either way
    assert (WARNING in result.stderr) is not use_extension, result.stderr


def test_the_book_loads_the_extension():
    config = (ROOT / "_config.yml").read_text()
    assert "kernel_transport: _ext" in config
