r"""Find the labelled displays of a chapter and the annotation line above each.

A labelled display is written, as everywhere in the book, ::

    % check: column; l=2..L; where D^l := \diag(\sigma_l'(z^l))
    $$
    ...
    $$ (eq-label)

The ``%`` line is a MyST comment (the reader does not see it). Its forms:

``% check: CONTEXT[, CONTEXT...] [; OPTION]...``
    Evaluate every clause of the display on every instance of each context. Options:
    ``l=LO..HI`` (the range of a layer letter, in LaTeX, e.g. ``l=2..L``; by default the
    display's own ``l = L-1, \dots, 1`` or all layers), ``where NAME := LATEX`` (a local
    definition the prose states, e.g. ``D^l``; ``NAME`` may carry ``^p``/``_q`` parameters,
    and entry indices ``_{jk}``: ``\tilde w^l_{jk}``),
    ``rtol=..``, ``atol=..``.
``% exempt: REASON``
    Not evaluated (a definition, notation, an informal or asymptotic statement).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .latex import Node, ParseError, _Parser, tokenize

__all__ = ["Display", "scan"]

_DISPLAY = re.compile(
    r"^(?P<ann>(?:%[^\n]*\n)*)\$\$[ \t]*\n(?P<body>.*?)\n\$\$[ \t]*(?:\((?P<label>[\w:-]+)\))?",
    re.S | re.M,
)


@dataclass
class Display:
    """One ``$$ ... $$`` display of a chapter."""

    chapter: str
    label: str | None
    body: str
    line: int
    status: str = "missing"  # "check", "exempt" or "missing"
    contexts: list = field(default_factory=list)
    reason: str = ""
    options: dict = field(default_factory=dict)  # letter -> (lo Node, hi Node); rtol; atol
    defs: dict = field(default_factory=dict)  # name -> ((sup param, sub param), body Node)
    annotation: str = ""


def scan(path) -> list[Display]:
    """Every display of the chapter ``path`` (labelled or not), with its annotation."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    out = []
    for m in _DISPLAY.finditer(text):
        d = Display(
            path.stem, m.group("label"), m.group("body"), text.count("\n", 0, m.start("body"))
        )
        for ann in m.group("ann").splitlines():
            parse_annotation(d, ann)
        out.append(d)
    return out


def parse_annotation(d: Display, line: str) -> None:
    m = re.match(r"%\s*(check|exempt)\s*:\s*(.*)$", line.strip())
    if not m:
        return
    d.annotation = line.strip()
    if m.group(1) == "exempt":
        d.status, d.reason = "exempt", m.group(2).strip()
        if not d.reason:
            raise ParseError(f"{d.label}: an exemption needs a reason")
        return
    d.status = "check"
    parts = [p.strip() for p in m.group(2).split(";")]
    d.contexts = [c.strip() for c in parts[0].split(",") if c.strip()]
    for opt in parts[1:]:
        if opt.startswith("where "):
            name, body = opt[6:].split(":=", 1)
            key, params = _def_head(name.strip())
            d.defs[key] = (params, _Parser(tokenize(body)).parse_expr_all())
        elif re.match(r"^(rtol|atol)\s*=", opt):
            k, v = opt.split("=", 1)
            d.options[k.strip()] = float(v)
        elif re.match(r"^[a-z]\s*=.*\.\.", opt):
            var, rng = opt.split("=", 1)
            lo, hi = rng.split("..", 1)
            d.options[var.strip()] = (
                _Parser(tokenize(lo)).parse_expr_all(),
                _Parser(tokenize(hi)).parse_expr_all(),
            )
        elif opt:
            raise ParseError(f"{d.label}: unknown annotation option {opt!r}")


def _def_head(tex: str):
    r"""``D^l`` -> ("D", ("l", None)); ``T_m`` -> ("T", (None, "m")); ``v^l`` ...;
    ``\tilde w^l_{jk}`` -> ("tilde w", ("l", "jk")): several subscript letters, one per index."""
    node = _Parser(tokenize(tex)).parse_expr_all()
    if node.kind == "call" and node.args[0].kind == "sym":  # n(x): a function of x
        (arg,) = node.args[1]
        if arg.kind != "sym":
            raise ParseError(f"definition head {tex!r}: the argument must be a letter")
        return node.args[0].args[0], ("call", arg.args[0])
    sup = sub = None
    while node.kind in ("sup", "sub"):
        p = node.args[1]
        letters = _letters(p) if node.kind == "sub" else [p] if p.kind == "sym" else None
        if not letters or any(len(x.args[0]) != 1 for x in letters):
            raise ParseError(f"definition head {tex!r}: parameters must be single letters")
        if node.kind == "sup":
            sup = p.args[0]
        else:
            sub = "".join(x.args[0] for x in letters)
        node = node.args[0]
    if not isinstance(node, Node) or node.kind != "sym":
        raise ParseError(f"definition head {tex!r}")
    return node.args[0], (sup, sub)


def _letters(node: Node):
    """The letters of a subscript ``j``, ``jk`` or ``j,k`` as sym nodes, or None."""
    if node.kind == "sym":
        return [node]
    if node.kind == "tuple":
        parts = list(node.args)
    elif node.kind == "mul":
        parts = [*(_letters(node.args[0]) or [None]), *(_letters(node.args[1]) or [None])]
    else:
        return None
    return parts if all(x is not None and x.kind == "sym" for x in parts) else None
