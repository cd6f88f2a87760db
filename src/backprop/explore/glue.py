r"""``glue`` for the chapters, with or without MyST-NB.

The book quotes numbers computed by a chapter in its prose with MyST-NB's ``{glue}`` roles,
which read what the cell stored with :func:`myst_nb.glue`. MyST-NB is a build tool: it is in
the book's build environment, not on Colab or in a reader's kernel. The chapters therefore
import :func:`glue` from here: where MyST-NB is installed (the book build, ``make lab``) it *is*
:func:`myst_nb.glue`, so the build's glued numbers are unchanged; elsewhere it shows the value
(when ``display`` is true, as MyST-NB does) and keeps it in :data:`GLUED`, so that a chapter
runs top to bottom in any Jupyter kernel.
"""

from __future__ import annotations

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
