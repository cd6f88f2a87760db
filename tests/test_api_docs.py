"""The API appendix's docstring conversion (_ext/api_docs.py), beyond tests/test_site.py's cases."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))
api_docs = importlib.import_module("api_docs")


def test_inline_dollar_math_may_wrap_onto_the_next_line_of_its_paragraph():
    # losses.py wraps a formula at 100 columns; one line at a time left both halves raw
    lines = ["  softmax: $C_m = -\\sum_j y_j", "  \\log a_j$, so $\\delta^L = a - y$.", "", "$5 $"]
    assert api_docs.dollars_to_rst(lines) == [
        "  softmax: :math:`C_m = -\\sum_j y_j",
        "  \\log a_j`, so :math:`\\delta^L = a - y`.",
        "",
        "$5 $",
    ]
    # never past a blank line: these two dollars are not a formula
    assert api_docs.dollars_to_rst(["costs $5", "", "x$ y"]) == ["costs $5", "", "x$ y"]


def test_values_that_show_python_internals_are_hidden_and_a_dicts_keys_listed():
    from backprop import activations, losses
    from backprop.explore import figures, playground

    for value in (losses.TABLE, playground.FEATURES, activations.SOFTMAX, figures.STYLE_FILE):
        assert api_docs.unreadable(value), repr(value)[:80]
    # one line of several hundred characters: the docstring (and a dict's keys) say it instead
    for value in (playground.DIGITS_DEFAULTS, figures.CLASS_COLORS):
        assert api_docs.unreadable(value), repr(value)[:80]
    for value in (playground.LIMITS, (0.01, 0.1), 2.0, "tanh"):
        assert not api_docs.unreadable(value), repr(value)[:80]
    lines = ["Every valid pair."]
    api_docs.on_data_docstring(None, "data", "backprop.losses.TABLE", losses.TABLE, {}, lines)
    assert lines[1:] == ["", "Keys: " + ", ".join(f"``{k!r}``" for k in losses.TABLE) + "."]
    assert "``('softmax', 'cross_entropy')``" in lines[2]


def test_namedtuple_fields_are_left_out_and_other_members_kept():
    from backprop.autodiff import Primitive
    from backprop.network import ForwardPass, Network

    for field in (ForwardPass.z, ForwardPass.a, Primitive.forward, Primitive.vjp):
        assert api_docs.skip_field_alias(None, "class", "z", field, False, {}) is True
    assert api_docs.skip_field_alias(None, "class", "fit", Network.fit, False, {}) is None


def test_dataclass_factory_defaults_are_shown_as_the_value_they_make():
    import inspect

    from backprop.autodiff import Graph
    from backprop.train import History

    signature = str(inspect.signature(Graph))
    assert signature.count("<factory>") == 5
    shown = api_docs.factory_defaults(Graph, signature)
    assert "<factory>" not in shown and shown.count("= {}") == 5
    signature = "(loss: list = <factory>, validation_loss: list = <factory>, diverged: bool = False"
    shown, _ = api_docs.on_signature(None, "class", "History", History, {}, signature, None)
    assert shown == "(loss: list = [], validation_loss: list = [], diverged: bool = False"


def test_arrays_and_long_values_are_not_shown():
    import numpy as np

    assert api_docs.unreadable(np.array([[0.85, 0.37], [0.12, 0.47]]))
    assert api_docs.unreadable({f"key{i}": i for i in range(30)})  # one line of 200+ characters
    assert not api_docs.unreadable((0.0, 1e-4, 3e-4, 1e-3))
