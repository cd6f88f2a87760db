"""The API appendix's docstring conversion (_ext/api_docs.py), beyond tests/test_site.py's cases."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))
api_docs = importlib.import_module("api_docs")


def test_inline_dollar_math_may_wrap_onto_the_next_line_of_its_paragraph():
    # losses.py wraps a formula at 100 columns; one line at a time left both halves raw
    lines = ["  softmax: $C_m = -\\sum_j y_j", "  \\log a_j$, so $\\delta^L = a - y$.", "", "$5 $"]
    assert api_docs.dollars_to_rst(lines) == [
        "  softmax: :math:`C_m = -\\sum_j y_j",
        "  \\log a_j`, so :math:`\\delta^L = a - y`.",
        "",
        "$5 $",
    ]
    # never past a blank line: these two dollars are not a formula
    assert api_docs.dollars_to_rst(["costs $5", "", "x$ y"]) == ["costs $5", "", "x$ y"]
