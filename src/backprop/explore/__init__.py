"""The book's interactive code: the playground, its widgets and the learning-rate explorer.

Kept apart from the core (``backprop.network``, ``backprop.train``, ...) so that the package's
folder listing shows the equations first. One module per job:

* ``playground``: the model of the live experiments (settings, checked once; training; the
  diagnosis in words); needs only NumPy.
* ``figures``: every live figure, in one style, and the data it draws (matplotlib).
* ``live``: background training that a newer setting supersedes, control values checked
  instead of clamped, the note shown when the kernel is gone (ipywidgets).
* ``widgets``: the *Playground* chapter's controls and its kernel-free explorer.
* ``descent``: the *Gradient descent* chapter's paths on a surface and its learning-rate
  explorer (the chapter's interactive code; the optimiser itself is ``backprop.train``).
* ``book``, ``glue``, ``source``: what the chapters share to format tables, quote numbers
  and show the package's code.

Importing ``figures``, ``live``, ``widgets`` or ``descent`` needs the ``widgets`` extra
(ipywidgets, matplotlib): ``pip install "backprop-book[widgets]"``.

Importing this package (every chapter does, for ``glue``) gives matplotlib the book's figure
style, ``book.mplstyle``, so that a chapter's own figures look the same in Colab or any folder
as in the book build (where ``chapters/matplotlibrc``, a link to that file, already set it).
It sets only the style's sizes, once, when the package is first imported: before any widget
exists, so no redraw in a widget's thread can see the settings change (``figures`` sets its
own sizes on every artist anyway). The core, ``backprop``, changes no settings.
"""

from importlib.util import find_spec
from pathlib import Path

STYLE_FILE = Path(__file__).with_name("book.mplstyle")
"""The book's figure style (``chapters/matplotlibrc`` is a link to it)."""


def use_book_style() -> None:
    """Set matplotlib's settings to :data:`STYLE_FILE`'s (only those it sets); no-op without
    matplotlib."""
    if find_spec("matplotlib") is None:
        return
    import matplotlib

    matplotlib.rcParams.update(
        matplotlib.rc_params_from_file(STYLE_FILE, use_default_template=False)
    )


use_book_style()
