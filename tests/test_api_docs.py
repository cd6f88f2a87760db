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


# --------------------------------------------------------------- what the API page documents
API_PAGE = ROOT / "chapters" / "api.md"


def _directives():
    """``(kind, target, members)`` of every autodoc directive of the API page; ``members`` is
    None for all public members, [] for none, else the listed names."""
    import re

    text = API_PAGE.read_text(encoding="utf-8")
    found = []
    for m in re.finditer(r"\.\. auto(\w+):: ([\w.]+)\n((?:[ \t]+:[\w-]+:.*\n)*)", text):
        kind, target, options = m.groups()
        listed = re.search(r":members:(.*)", options)
        if kind in ("module", "class") and listed:
            names = [n.strip() for n in listed.group(1).split(",") if n.strip()]
            members = names or None
        else:
            members = []
        found.append((kind, target, members))
    return found


def _attribute_docs(module_name: str) -> dict:
    """``{(class, name): docstring}`` of the module's attribute docstrings (the string after an
    assignment, or a ``#:`` comment), the ones autodoc finds. A string is given as Python
    evaluates it: autodoc's own copy has its tabs already expanded to spaces, which would hide
    a ``\\t`` that a non-raw string made of ``\\times``."""
    import ast
    import inspect

    from sphinx.pycode import ModuleAnalyzer

    docs = {
        key: "\n".join(lines)
        for key, lines in ModuleAnalyzer.for_module(module_name).find_attr_docs().items()
    }
    tree = ast.parse(inspect.getsource(importlib.import_module(module_name)))
    bodies = [("", tree.body)] + [
        (node.name, node.body) for node in tree.body if isinstance(node, ast.ClassDef)
    ]
    for owner, body in bodies:
        for node, after in zip(body, body[1:]):
            target = getattr(node, "target", None) or (getattr(node, "targets", None) or [None])[0]
            if not isinstance(target, ast.Name) or (owner, target.id) not in docs:
                continue
            if isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant):
                docs[(owner, target.id)] = after.value.value
    return docs


def documented():
    """``(name, kind, obj, docstring)`` for every module, class, function, method, property
    and attribute the API page shows, with the docstring autodoc shows for it (inherited
    ones included: a method without its own docstring shows its base class's)."""
    import inspect

    out = []

    def members_of(cls, qualname, wanted):
        for name, raw in vars(cls).items():
            if name.startswith("_") or (wanted is not None and name not in wanted):
                continue
            if isinstance(raw, property):
                out.append((f"{qualname}.{name}", "property", raw, inspect.getdoc(raw)))
            elif inspect.isfunction(raw) or isinstance(raw, (classmethod, staticmethod)):
                func = raw.__func__ if isinstance(raw, (classmethod, staticmethod)) else raw
                doc = inspect.getdoc(getattr(cls, name))
                out.append((f"{qualname}.{name}", "method", func, doc))

    for kind, target, members in _directives():
        if kind == "module":
            module = importlib.import_module(target)
            out.append((target, "module", module, module.__doc__))
            if members == []:
                continue
            attrs = _attribute_docs(target)
            for (owner, name), doc in attrs.items():
                if members is None or name in members or owner in members:
                    kind_ = "data" if not owner else "attribute"
                    out.append((f"{target}.{owner + '.' if owner else ''}{name}", kind_, None, doc))
            for name, obj in vars(module).items():
                if name.startswith("_") or getattr(obj, "__module__", None) != target:
                    continue
                if members is not None and name not in members:
                    continue
                if inspect.isclass(obj):
                    out.append((f"{target}.{name}", "class", obj, obj.__doc__))
                    members_of(obj, f"{target}.{name}", None)
                elif inspect.isfunction(obj):
                    out.append((f"{target}.{name}", "function", obj, obj.__doc__))
        else:
            module_name, _, name = target.rpartition(".")
            if kind == "data":
                doc = _attribute_docs(module_name).get(("", name))
                out.append((target, "data", None, doc))
                continue
            obj = getattr(importlib.import_module(module_name), name)
            out.append((target, kind, obj, obj.__doc__))
            if kind == "class":
                members_of(obj, target, members)
    return out


def test_the_api_page_documents_what_its_directives_name():
    names = {name for name, *_ in documented()}
    for expected in (
        "backprop.explore.playground.LIMITS",  # an attribute docstring
        "backprop.explore.descent.RATES",
        "backprop.symbolic.relu.fdiff",  # a method
        "backprop.equations.check_here",
        "backprop._validate.MAX_SAMPLES",
    ):
        assert expected in names, expected


def test_no_docstring_holds_a_control_character_from_an_unescaped_backslash():
    r"""A docstring that is not raw turns ``\times`` into a tab and ``imes`` ("10⁵ <tab>imes"),
    ``\b`` into a backspace, ``\f`` into a form feed: math belongs in ``r\"\"\"...\"\"\"``."""
    import re

    for name, _kind, _obj, doc in documented():
        bad = re.search(r"[\x00-\x09\x0b-\x1f\x7f]", doc or "")
        assert not bad, (
            f"{name}: {bad.group()!r} in {doc[max(bad.start() - 30, 0) : bad.end() + 30]!r}"
        )


def test_every_documented_member_has_its_own_docstring():
    """A method defined in the package without a docstring shows its base class's in the API
    page (SymPy's ``eval`` and ``fdiff`` texts, with their own headings and examples)."""
    for name, kind, obj, doc in documented():
        if kind in ("method", "property") and doc:
            own = obj.fget.__doc__ if kind == "property" else obj.__doc__
            assert own, f"{name} shows an inherited docstring: {doc[:60]!r}"


def test_an_attribute_docstring_s_first_line_is_not_read_as_a_type():
    """napoleon reads an attribute's first line ``words: more`` as the type ``words`` and
    prints "Type: The learning rates ..."; the type of every documented attribute, data and
    property, as napoleon finds it after ``api_docs.on_docstring``, is a type, not a phrase."""
    from sphinx.ext.napoleon import Config
    from sphinx.ext.napoleon.docstring import NumpyDocstring

    config = Config(napoleon_use_param=False, napoleon_use_rtype=False)
    for name, kind, obj, doc in documented():
        if kind not in ("data", "attribute", "property") or not doc:
            continue
        lines = doc.splitlines()
        api_docs.on_docstring(None, kind, name, obj, {}, lines)
        shown = NumpyDocstring(lines, config, what=kind, name=name).lines()
        types = [line.split(":type:", 1)[1].strip() for line in shown if ":type:" in line]
        for type_ in types:
            assert len(type_.split()) <= 2, f"{name}: napoleon reads the type {type_!r}"


def test_the_functions_the_chapters_call_are_on_the_api_page():
    """Every name a chapter imports from the package's helper modules, and the equation check
    each chapter runs, has an entry."""
    import re

    names = {name for name, *_ in documented()}
    called = {"backprop.equations.check_here"}
    for path in (ROOT / "chapters").glob("*.md"):
        text = path.read_text(encoding="utf-8")
        for module, imported in re.findall(
            r"from (backprop\.explore\.(?:glue|source|book)) import ([\w, ]+)", text
        ):
            called |= {f"{module}.{n.strip()}" for n in imported.split(",") if n.strip()}
    assert len(called) > 5
    assert not called - names, f"called by a chapter, not on the API page: {called - names}"
