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
