r"""``glue`` for the chapters, with or without MyST-NB.

The book quotes numbers computed by a chapter in its prose with MyST-NB's ``{glue}`` roles,
which read what the cell stored with MyST-NB's ``glue``. MyST-NB is a build tool: it is in
the book's build environment, not on Colab or in a reader's kernel. The chapters therefore
import :func:`glue` from here: where MyST-NB is installed (the book build, ``make lab``) it *is*
``myst_nb.glue``, so the build's glued numbers are unchanged; elsewhere it shows the value
(when ``display`` is true, as MyST-NB does) and keeps it in :data:`GLUED`, so that a chapter
runs top to bottom in any Jupyter kernel.
"""

from __future__ import annotations

import decimal
import math
from typing import Any

GLUED: dict[str, Any] = {}
"""Every value glued in this kernel, by name (also when MyST-NB does the gluing)."""


def glue(name: str, variable: Any, display: bool = True) -> None:
    """Store ``variable`` under ``name`` for the page's ``{glue}`` roles, and show it.

    ``name`` is the key the page's roles refer to; ``variable`` is anything IPython can display
    (a number, a figure, a table); with ``display`` false the cell shows nothing (the value is
    still stored).
    """
    GLUED[name] = variable
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        if display:
            from IPython.display import display as show

            show(variable)
        return
    myst_glue(name, variable, display=display)


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def superscript(n: int) -> str:
    """The integer ``n`` in superscript digits: ``superscript(-7)`` is ``⁻⁷``."""
    return str(int(n)).translate(_SUPERSCRIPT)


def readable(x: float, digits: int = 3) -> str:
    r"""``x`` to ``digits`` significant digits, written as a reader writes it.

    From $10^{-4}$ up to (not including) $10^6$ in positional notation with thousands
    separated: ``2,360``, ``0.0129``, ``5`` (no trailing zeros, like ``f"{x:g}"``); beyond, as a
    power of ten with superscript digits, ``5.6 × 10²⁸⁸`` or ``3 × 10⁻⁷``, never the
    ``5.6e+288`` of a program's output. A tie (``0.125`` to two digits) rounds away from zero,
    as JavaScript's ``toExponential`` does: the browser twin's ``readable``
    (``twin/descent.js``) is the same function, and the tests compare the two. Not finite:
    ``inf``, ``-inf``, ``nan``.
    """
    x = float(x)
    if not math.isfinite(x):
        return str(x)
    if x == 0:
        return "0"
    with decimal.localcontext() as context:  # a tie (0.125 to 2 digits) rounds up, as in JS
        context.rounding = decimal.ROUND_HALF_UP
        mantissa, exponent = format(decimal.Decimal(x), f".{digits - 1}e").split("e")
    e = int(exponent)  # of the rounded value: 9.996 to 3 digits is 1.00e+1
    if -4 <= e < 6:
        text = f"{float(f'{mantissa}e{e}'):,.{max(0, digits - 1 - e)}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    mantissa = mantissa.rstrip("0").rstrip(".") if "." in mantissa else mantissa
    return f"{mantissa} × 10{superscript(e)}"


def glue_number(name: str, value: float, digits: int = 3) -> None:
    """Glue ``value`` as :func:`readable` writes it (for ``{glue:text}`name```), not shown."""
    glue(name, readable(value, digits), display=False)


def glue_check_counts(prefix: str, cell_checks: int) -> None:
    """Glue how many asserted comparisons a chapter makes: in its cells, and in all.

    A chapter's comparisons come from two places: the asserts of its own cells, which the
    chapter counts as it runs (``cell_checks``), and its equation check,
    :func:`backprop.equations.check_here`, which glues ``{prefix}_eq_comparisons``. This glues
    ``{prefix}_cell_checks`` and ``{prefix}_all_checks``, their sum, so that a summary states
    the total together with both of its parts and cannot contradict the count of the equation
    section. Where this kernel ran no equation check (a notebook opened without its Markdown
    source) the total is the cells' count. Returns nothing, so that a cell ending with it
    shows nothing.
    """
    cell_checks = int(cell_checks)
    equation_checks = int(GLUED.get(f"{prefix}_eq_comparisons", 0))
    total = cell_checks + equation_checks
    glue(f"{prefix}_cell_checks", cell_checks, display=False)
    glue(f"{prefix}_all_checks", total, display=False)
