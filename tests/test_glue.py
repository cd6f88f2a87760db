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
