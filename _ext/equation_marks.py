"""A ✓ beside every checked equation, linking to the cell that checks it.

The annotations above the labelled displays of a chapter (``% check: ...`` or
``% exempt: ...``, see :mod:`backprop.equations`) are read from the chapter's Markdown source;
after each display whose label is checked, a small right-aligned mark is inserted that links to
the chapter's section ``<chapter>-equations-executed`` (where its hidden cell runs the checks),
with a tooltip saying on which instances and to what tolerance. Exempt equations get a faint
"not evaluated" mark whose tooltip gives the reason. The *Equation index* appendix is generated
from the same annotations by a cell of ``chapters/equation-index.md``.
"""

from __future__ import annotations

import html
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx

_STYLE = "text-align:right;margin:-0.9em 0 0.6em;font-size:0.8em;line-height:1.2"


def _about(contexts, options) -> str:
    from backprop.equations import RTOL
    from backprop.equations.contexts import CONTEXTS

    parts = []
    for name in contexts:
        if name not in CONTEXTS:
            continue
        make, *_ = CONTEXTS[name]
        about = [inst.describe() for inst in make()]
        if len(about) > 4:
            about = about[:3] + [f"... ({len(about)} instances in all)"]
        parts.append("; ".join(about))
    rtol = options.get("rtol", RTOL)
    return (
        "Checked when the book is built: this LaTeX is parsed and both sides are evaluated on "
        + " | ".join(parts)
        + f", for every valid index; derivatives by complex step; relative tolerance {rtol:g}."
    )


def add_marks(app: Sphinx, doctree, docname: str) -> None:
    if app.builder.format != "html":
        return
    source = Path(app.srcdir) / f"{docname}.md"
    if not source.is_file():
        return
    try:
        from backprop.equations.annotations import scan
        from backprop.equations.index import target
    except ImportError:  # the package is not installed: no marks, nothing else changes
        return
    displays = {d.label: d for d in scan(source) if d.label}
    if not displays:
        return
    has_target = f"({target(source.stem)})=" in source.read_text(encoding="utf-8")
    cache: dict = {}
    for node in list(doctree.findall(nodes.math_block)):
        d = displays.get(node.get("label"))
        if d is None:
            continue
        if d.status == "check" and has_target:
            key = (tuple(d.contexts), d.options.get("rtol"))
            if key not in cache:
                cache[key] = _about(d.contexts, d.options)
            mark = (
                f'<div class="eq-check" style="{_STYLE}"><a href="#{target(source.stem)}" '
                f'title="{html.escape(cache[key])}">✓ checked</a></div>'
            )
        elif d.status == "exempt":
            mark = (
                f'<div class="eq-exempt" style="{_STYLE};opacity:0.6" '
                f'title="{html.escape("Not evaluated: " + d.reason)}">not evaluated</div>'
            )
        else:
            continue
        node.parent.insert(node.parent.index(node) + 1, nodes.raw("", mark, format="html"))


def setup(app: Sphinx):
    app.connect("doctree-resolved", add_marks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
