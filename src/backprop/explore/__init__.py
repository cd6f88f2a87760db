"""The book's interactive code: the playground, its widgets and the learning-rate explorer.

Kept apart from the core (``backprop.network``, ``backprop.train``, ...) so that the package's
folder listing shows the equations first. Importing the widgets needs the ``widgets`` extra
(ipywidgets, matplotlib); ``backprop.explore.playground`` itself needs only NumPy.
"""
