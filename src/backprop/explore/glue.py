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
