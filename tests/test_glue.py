"""backprop.explore.glue: MyST-NB's glue in the build, a stand-in in a reader's kernel."""

import sys

import pytest

from backprop.explore import glue as glue_module


def test_without_myst_nb_the_value_is_shown_and_kept(monkeypatch):
    shown = []
    monkeypatch.setitem(sys.modules, "myst_nb", None)  # `import myst_nb` raises ImportError
    monkeypatch.setattr("IPython.display.display", shown.append)
    glue_module.glue("test-answer", 42)
    glue_module.glue("test-hidden", 7, display=False)
    assert shown == [42]
    assert glue_module.GLUED["test-answer"] == 42
    assert glue_module.GLUED["test-hidden"] == 7


def test_with_myst_nb_it_is_myst_nbs_glue(monkeypatch):
    myst_nb = pytest.importorskip("myst_nb")
    calls = []
    monkeypatch.setattr(myst_nb, "glue", lambda *a, **k: calls.append((a, k)))
    glue_module.glue("test-built", 3.5, display=False)
    assert calls == [(("test-built", 3.5), {"display": False})]
    assert glue_module.GLUED["test-built"] == 3.5


def test_check_counts_add_the_equation_check_to_the_cells(monkeypatch):
    monkeypatch.setitem(sys.modules, "myst_nb", None)
    glue_module.glue("test-counts_eq_comparisons", 174, display=False)
    assert glue_module.glue_check_counts("test-counts", 147) is None  # a cell shows nothing
    assert glue_module.GLUED["test-counts_cell_checks"] == 147
    assert glue_module.GLUED["test-counts_all_checks"] == 321
    # no equation check in this kernel (a notebook without its Markdown): the cells only
    glue_module.glue_check_counts("test-no-equations", 12)
    assert glue_module.GLUED["test-no-equations_all_checks"] == 12


@pytest.mark.parametrize(
    ("x", "digits", "text"),
    [
        (2357.3, 3, "2,360"),  # thousands separated, never 2.36e+03
        (5.6e288, 2, "5.6 × 10²⁸⁸"),  # a power of ten, never 5.6e+288
        (3e-7, 1, "3 × 10⁻⁷"),
        (0.00042, 2, "0.00042"),
        (0.0129, 3, "0.0129"),
        (5.0, 2, "5"),  # no trailing zeros
        (9.996, 3, "10"),  # rounds up a decade
        (999_999.7, 3, "1 × 10⁶"),
        (123_456.0, 3, "123,000"),
        (-2360.0, 3, "-2,360"),
        (0.125, 2, "0.13"),  # a tie rounds away from zero, as JavaScript's toExponential
        (0.0, 3, "0"),
        (float("inf"), 3, "inf"),
    ],
)
def test_readable_writes_numbers_as_a_reader_does(x, digits, text):
    assert glue_module.readable(x, digits) == text


def test_glue_number_glues_the_readable_text(monkeypatch):
    monkeypatch.setitem(sys.modules, "myst_nb", None)
    glue_module.glue_number("test-readable", 2357.3, 3)
    assert glue_module.GLUED["test-readable"] == "2,360"
