r"""Helpers the chapters share, kept here so that no chapter carries a copy of another's.

* :func:`html_table`: a table for a cell's output, with numbers and arrays formatted for a
  reader (``(0, 1, 0)``, not NumPy's ``[0. 1. 0.]``); styled by the book's CSS class
  ``book-table``.
* :func:`markdown_table`: the same for a cell whose output is rendered as MyST Markdown, so that
  its cells can hold math and code.
* :func:`assert_exact_in_atoms`: an exact SymPy comparison of two expressions built from the
  same opaque atoms (an unevaluated $\sigma(q)$ or $e^{q}$), which returns how many entries it
  compared, so that chapters count their checks honestly.
"""

from __future__ import annotations

import numbers

import numpy as np


def _cell(value, digits: int) -> str:
    if isinstance(value, np.ndarray):
        if value.ndim > 1:
            raise ValueError(f"a table cell takes scalars or 1-D arrays, got shape {value.shape}")
        return "(" + ", ".join(_cell(v, digits) for v in value.tolist()) + ")"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        text = f"{float(value):.{digits}g}"
        # in exponent form a number keeps its trailing zeros (1.0e-10, not 1e-10), so that a
        # column of them shows every entry to the same precision
        return f"{float(value):#.{digits}g}" if "e" in text else text
    return str(value)  # text and HTML the chapter wrote itself


def html_table(header, rows, digits: int = 4):
    r"""An HTML table for a code cell's output (Markdown tables in outputs are not rendered).

    Parameters
    ----------
    header : sequence of str
        Column titles; HTML such as ``<i>a</i> − <i>y</i>`` is kept as written.
    rows : sequence of sequences
        One entry per column: str (kept as written), int (thousands separated), float
        (``digits`` significant digits, all of them shown in exponent form: ``1.0e-10``) or a
        1-D array (a tuple of such floats).
    digits : int
        Significant digits of floats.

    Returns
    -------
    IPython.display.HTML
        ``<table class="book-table">``, every row the length of ``header``.

    Raises
    ------
    ValueError
        If a row's length differs from the header's.
    """
    from IPython.display import HTML

    header = list(header)
    for i, row in enumerate(rows):
        if len(row) != len(header):
            raise ValueError(
                f"rows[{i}] has {len(row)} cells, expected {len(header)} like the header"
            )
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(c, digits)}</td>" for c in row) + "</tr>" for row in rows
    )
    return HTML(
        f'<table class="book-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    )


def assert_exact_in_atoms(lhs, rhs, atoms, label: str) -> int:
    r"""Assert ``lhs == rhs`` exactly, naming each opaque atom (e.g. ``S(q)``) by a new symbol.

    Both sides are rational functions of the same atoms; a difference that is identically 0 in
    independent symbols is 0 for the atoms' values too. The numerator of every entry of the
    difference is expanded and must vanish.

    Parameters
    ----------
    lhs, rhs : sympy.Matrix
        Of one shape.
    atoms : tuple of sympy.Function classes
        The unevaluated functions to treat as independent symbols.
    label : str
        Named in the error, with the entries that differ.

    Returns
    -------
    int
        The number of entries compared.
    """
    import sympy as sp

    if lhs.shape != rhs.shape:
        raise ValueError(f"{label}: shapes differ, {lhs.shape} vs {rhs.shape}")
    found = set()
    for side in (lhs, rhs):
        for atom in atoms:
            found |= side.atoms(atom)
    names = {f: sp.Symbol(f"u_{i}") for i, f in enumerate(sorted(found, key=sp.default_sort_key))}
    difference = (lhs.xreplace(names) - rhs.xreplace(names)).applyfunc(
        lambda e: sp.expand(sp.fraction(sp.together(e))[0])
    )
    if difference != sp.zeros(*lhs.shape):
        raise AssertionError(f"{label}: the two sides differ by {difference}")
    return len(difference)


def _markdown_cell(value, digits: int) -> str:
    text = _cell(value, digits)
    if isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_):
        text = text.replace("-", "\u2212")
    return text.replace("|", r"\|")


def markdown_table(header, rows, digits: int = 4):
    r"""A Markdown table for a code cell's output, with the book's math and code in its cells.

    For a cell whose output is rendered as MyST (``mystnb: markdown_format: myst``), so that
    math and code in its cells are typeset; the chapter's cell then holds the rows, not the
    string-building.

    Parameters
    ----------
    header : sequence of str
        Column titles (Markdown).
    rows : sequence of sequences
        One entry per column, formatted like :func:`html_table`'s (a tuple, such as a shape,
        as written by Python: ``(6, 4)``); a ``|`` in a cell is escaped. A number's minus
        signs are U+2212, at which a line does not break (``1.1e-08`` broke after its hyphen in
        a narrow column).
    digits : int
        Significant digits of floats.

    Returns
    -------
    IPython.display.Markdown

    Raises
    ------
    ValueError
        If a row's length differs from the header's.
    """
    from IPython.display import Markdown

    header = list(header)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for i, row in enumerate(rows):
        if len(row) != len(header):
            raise ValueError(
                f"rows[{i}] has {len(row)} cells, expected {len(header)} like the header"
            )
        cells = (_markdown_cell(c, digits) for c in row)
        lines.append("| " + " | ".join(cells) + " |")
    return Markdown("\n".join(lines))
