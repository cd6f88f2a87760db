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
(ipywidgets, matplotlib).
"""
