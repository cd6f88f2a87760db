r"""The API appendix: the package's docstrings as the book writes them.

* **Dollar math in docstrings.** The package writes math in its (raw) docstrings the way the
  chapters do: ``$...$`` inline and ``$$...$$`` displayed. autodoc reads docstrings as
  reStructuredText, where a dollar is just a dollar; ``autodoc-process-docstring`` rewrites
  them to ``:math:`...``` and ``.. math::`` before napoleon turns the NumPy-style sections
  into fields.
* **Short names.** The package re-exports its main objects (``backprop.Network`` is
  ``backprop.network.Network``, ``backprop.fit`` is ``backprop.train.fit``). The appendix
  documents each object once, where it is defined; a reference to the short name (as the
  chapters write it, e.g. ``{py:meth}`backprop.Network.fit```) resolves to that entry.
* **No Python internals.** A constant whose repr would show ``<function ...>`` (a table of
  functions) or a path on the build machine is documented without its value; a dict of
  functions gets its keys listed instead. A namedtuple's fields ("Alias for field number 0")
  are left out: the class's docstring describes them. A dataclass default made by
  ``default_factory`` is shown as the value it makes (``W: dict = {}``), not as ``<factory>``
  (which also broke the signature's parsing, so its annotations were printed raw, as
  ``~backprop.autodiff.Tape``).
"""

from __future__ import annotations

import dataclasses
import importlib
import re

from sphinx.application import Sphinx
from sphinx.ext.autodoc import DataDocumenter

PACKAGE = "backprop"

# $x$ not preceded/followed by a word character or another dollar. A formula may wrap onto the
# next line of its paragraph (docstrings are wrapped at 100 columns), never past a blank line.
_INLINE = re.compile(r"(?<![\\$\w`])\$(?=\S)((?:[^$\n]|\n(?![ \t]*\n))+?)(?<=\S)\$(?![\w$])")
_LITERAL = re.compile(r"(``.*?``)")


def _inline(text: str) -> str:
    """``$x$`` -> ``:math:`x``` outside ``literal`` spans; ``text`` may hold several lines."""
    parts = _LITERAL.split(text)
    for i in range(0, len(parts), 2):
        parts[i] = _INLINE.sub(lambda m: ":math:`" + m.group(1).replace("`", r"\`") + "`", parts[i])
    return "".join(parts)


def dollars_to_rst(lines: list[str]) -> list[str]:
    """Rewrite ``$$...$$`` blocks (one or more lines) and inline ``$...$`` as reST math."""
    out: list[str] = []
    text: list[str] = []  # lines since the last display, converted together

    def flush():
        if text:
            out.extend(_inline("\n".join(text)).split("\n"))
            text.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("$$"):
            flush()
            indent = line[: len(line) - len(line.lstrip())]
            body = [stripped[2:]]
            while not body[-1].rstrip().endswith("$$") and i + 1 < len(lines):
                i += 1
                body.append(lines[i].strip())
            body[-1] = body[-1].rstrip()[:-2]
            out += [f"{indent}.. math::", ""]
            out += [f"{indent}   {t}" for t in body if t.strip()]
            out.append("")
        else:
            text.append(line)
        i += 1
    flush()
    return out


def _annotation_name(obj) -> str | None:
    ann = getattr(getattr(obj, "fget", None), "__annotations__", {}).get("return")
    return ann if isinstance(ann, str) else getattr(ann, "__name__", None)


def on_docstring(app, what, name, obj, options, lines: list[str]) -> None:
    # napoleon reads the first line of a property's docstring as "type: description" when it
    # holds ": " ("1-based view: ``net.W[l]`` is ..." would get the type "1-based view");
    # give it the property's annotated type instead.
    if what == "property" and lines and ": " in lines[0] and _annotation_name(obj):
        lines[0] = f"{_annotation_name(obj)}: {lines[0]}"
    lines[:] = dollars_to_rst(lines)


#: Longest value shown beside a constant's name; a longer repr runs on as one unbroken line.
MAX_VALUE_CHARS = 100


def unreadable(value) -> bool:
    """Whether ``repr(value)`` is of no use to a reader: Python internals
    (``<function f.<locals>.g>``), the build machine's paths (``PosixPath('/home/...')``), a
    NumPy array's repr, or more than :data:`MAX_VALUE_CHARS` characters on one line (the
    constant's docstring says in words what it holds)."""
    text = repr(value)
    internals = r"<(function|lambda|bound method|built-in)\b| object at 0x|\b\w*Path\('|^array\("
    return len(text) > MAX_VALUE_CHARS or bool(re.search(internals, text))


def value_keys(value) -> list[str]:
    """The lines that stand for a hidden dict's value: its keys, in order."""
    if not isinstance(value, dict) or not value:
        return []
    return ["", "Keys: " + ", ".join(f"``{key!r}``" for key in value) + "."]


class BookDataDocumenter(DataDocumenter):
    """A module constant, without its value where the value's repr is unreadable."""

    priority = DataDocumenter.priority + 1

    def should_suppress_value_header(self) -> bool:
        return super().should_suppress_value_header() or unreadable(self.object)


def on_data_docstring(app, what, name, obj, options, lines: list[str]) -> None:
    if what == "data" and unreadable(obj):
        lines.extend(value_keys(obj))


def skip_field_alias(app, what, name, obj, skip, options):
    """Leave out a namedtuple's fields: their only docstring is "Alias for field number N"."""
    if (getattr(obj, "__doc__", None) or "").startswith("Alias for field number"):
        return True
    return None


def factory_defaults(cls, signature: str) -> str:
    """``(loss: list = <factory>)`` -> ``(loss: list = [])`` for a dataclass ``cls``."""
    made = [
        repr(f.default_factory())
        for f in dataclasses.fields(cls)
        if f.init and f.default_factory is not dataclasses.MISSING
    ]
    for value in made:
        signature = signature.replace("<factory>", value, 1)
    return signature


def on_signature(app, what, name, obj, options, signature, return_annotation):
    if what == "class" and signature and dataclasses.is_dataclass(obj) and "<factory>" in signature:
        return factory_defaults(obj, signature), return_annotation
    return None


def _canonical(target: str, context: str | None = None) -> str | None:
    """Where the object named ``target`` is defined, for a name the package re-exports.

    ``backprop.Network.fit`` -> ``backprop.network.Network.fit``; with ``context`` (the module
    whose docstring holds the reference) an imported bare name such as ``Indexed`` in
    ``backprop.symbolic`` -> ``backprop._indexed.Indexed``.
    """
    head, _, rest = target.partition(".")
    if head == PACKAGE and rest:
        namespace, (name, _, tail) = PACKAGE, rest.partition(".")
    elif context and context.split(".")[0] == PACKAGE:
        namespace, name, tail = context, head, rest
    else:
        return None
    try:
        obj = getattr(importlib.import_module(namespace), name, None)
    except ImportError:
        return None
    module = getattr(obj, "__module__", None)
    if obj is None or not module or module == namespace or not hasattr(obj, "__qualname__"):
        return None
    if module.split(".")[0] != PACKAGE:
        return None
    return ".".join(filter(None, [module, obj.__qualname__, tail]))


def resolve_short_names(app: Sphinx, env, node, contnode):
    if node.get("refdomain") != "py":
        return None
    target = _canonical(node.get("reftarget", ""), node.get("py:module"))
    if target is None:
        return None
    domain = env.get_domain("py")
    return domain.resolve_xref(
        env, node["refdoc"], app.builder, node["reftype"], target, node, contnode
    )


def ignore_stdlib_types(app: Sphinx, config) -> None:
    """Standard-library types in signatures (``types.ModuleType``) are shown as text: the book
    has no intersphinx inventory for Python, as for NumPy in ``_config.yml``."""
    config.nitpick_ignore_regex = [*config.nitpick_ignore_regex, ("py:class", r"types\.\w+")]


def setup(app: Sphinx):
    app.connect("config-inited", ignore_stdlib_types)
    # Before napoleon (priority 500) so that its fields receive reST math.
    app.connect("autodoc-process-docstring", on_docstring, priority=400)
    app.connect("autodoc-process-docstring", on_data_docstring)
    app.connect("autodoc-skip-member", skip_field_alias)
    app.connect("autodoc-process-signature", on_signature)
    app.add_autodocumenter(BookDataDocumenter, override=True)
    app.connect("missing-reference", resolve_short_names)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
