"""The helpers chapters share: output tables, exact comparisons, equation lines of the source."""

import numpy as np
import pytest
import sympy as sp

import backprop
from backprop.explore.book import assert_exact_in_atoms, html_table
from backprop.explore.source import equation_lines


def test_html_table_formats_arrays_and_numbers_for_a_reader():
    out = html_table(["y", "n", "err"], [[np.array([0.0, 1.0, 0.0]), 12345, 1.23456789e-9]]).data
    assert "<td>(0, 1, 0)</td>" in out  # not NumPy's "[0. 1. 0.]"
    assert "<td>12,345</td>" in out and "<td>1.235e-09</td>" in out
    assert out.startswith('<table class="book-table">')


def test_html_table_refuses_a_row_of_the_wrong_length():
    with pytest.raises(ValueError, match=r"rows\[1\] has 1 cells, expected 2"):
        html_table(["a", "b"], [[1, 2], [3]])


class S(sp.Function):  # an opaque sigma(q)
    pass


def test_exact_comparison_counts_entries_and_catches_one_differing_entry():
    q = sp.symbols("q1:3")
    lhs = sp.Matrix([S(q[0]) * (1 - S(q[0])), S(q[1]) ** 2])
    same = sp.Matrix([S(q[0]) - S(q[0]) ** 2, S(q[1]) * S(q[1])])
    assert assert_exact_in_atoms(lhs, same, (S,), "same") == 2
    wrong = sp.Matrix([S(q[0]) - S(q[0]) ** 2, S(q[1])])
    with pytest.raises(AssertionError, match="wrong: the two sides differ"):
        assert_exact_in_atoms(lhs, wrong, (S,), "wrong")


def test_equation_lines_finds_each_tagged_line_and_refuses_a_missing_label():
    text = equation_lines(["eq-grad-W", "eq-grad-b"], [backprop.layers])
    assert "(eq-grad-W)" in text and "(eq-grad-b)" in text
    with pytest.raises(ValueError, match="eq-no-such-label"):
        equation_lines(["eq-no-such-label"], [backprop.layers])


def test_code_of_shows_the_code_without_docstrings_and_their_raw_math():
    from backprop.explore.source import code_of

    text = code_of(backprop.layers.dense_backward)
    assert text.startswith("def dense_backward(")
    assert "(eq-grad-W)" in text  # the line that implements eq-grad-W is kept
    assert "$" not in text and ":eq:" not in text  # the docstring's markup is not
    with pytest.raises(TypeError, match="obj must be a function, method or class"):
        code_of(3)


def test_code_of_shows_a_highlighted_listing_that_keeps_its_lines():
    """A notebook shows the listing as code (HTML in the class the book's CSS keeps unwrapped),
    not as printed text; its plain form is the code itself."""
    from backprop.explore.source import Listing, code_of

    listing = code_of(backprop.layers.dense_forward)
    assert isinstance(listing, Listing) and isinstance(listing, str)
    html = listing._repr_html_()
    assert html.startswith('<div class="highlight-python notranslate bp-listing">')
    assert '<span class="k">def</span>' in html and "\n    " in html  # indentation kept
    both = code_of(backprop.layers.dense_forward, backprop.layers.dense_backward)
    assert both == listing + "\n\n" + code_of(backprop.layers.dense_backward)


def test_code_of_replaces_argument_checks_by_a_comment_that_says_so():
    from backprop.explore.source import CHECKS_AND_CONVERSIONS_OMITTED, code_of

    text = code_of(backprop.gradcheck.numerical_jacobian)
    assert "_validate" not in text and "raise ValueError" not in text
    assert text.splitlines()[1] == "    " + CHECKS_AND_CONVERSIONS_OMITTED
    assert "cols.append(" in text  # the computation is all there
    full = code_of(backprop.gradcheck.numerical_jacobian, checks=True)
    assert "_validate.real_array" in full and "raise ValueError" in full
    assert "omitted" not in full
    # a check inside the computation (not at the top) is part of what runs and stays
    from backprop import autodiff

    assert "raise ValueError" in code_of(autodiff.Tape.backward)


def test_markdown_table_formats_cells_and_refuses_a_row_of_the_wrong_length():
    from backprop.explore.book import markdown_table

    out = markdown_table(["symbol", "shape", "n"], [["$W^1$", (5, 4), 12345], ["a|b", 1.5, 0]])
    assert out.data.splitlines() == [
        "| symbol | shape | n |",
        "|---|---|---|",
        "| $W^1$ | (5, 4) | 12,345 |",
        r"| a\|b | 1.5 | 0 |",
    ]
    # a number keeps its minus signs unbreakable (U+2212); text keeps its hyphens
    out = markdown_table(["a", "b"], [["x-y", -1.1e-8]], digits=2)
    assert out.data.splitlines()[2] == "| x-y | \u22121.1e\u221208 |"
    # in exponent form every significant digit shows, so a column compares at one precision
    out = markdown_table(["a", "b", "c"], [[1e-10, 1.1e-10, 0.5]], digits=2)
    assert out.data.splitlines()[2] == "| 1.0e\u221210 | 1.1e\u221210 | 0.5 |"
    with pytest.raises(ValueError, match=r"rows\[0\] has 1 cells, expected 2"):
        markdown_table(["a", "b"], [[1]])


def test_code_of_keeps_a_validated_value_the_code_uses_under_a_new_name():
    from backprop.explore.source import code_of
    from backprop.gradcheck import directional_check

    text = code_of(directional_check)
    assert "rng = np.random.default_rng(_validate.seed(" in text  # rng is used below
    assert "positive_int" not in text  # the checks of the arguments before it are omitted
