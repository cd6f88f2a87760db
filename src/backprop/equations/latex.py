r"""Tokenizer and recursive-descent parser for the book's own LaTeX notation.

A display such as ``\delta^l = \big((W^{l+1})^\T \delta^{l+1}\big) \odot \sigma'(z^l),
\qquad l = L-1, \dots, 1`` becomes a list of :class:`Clause` objects: relation chains
(``a = b = c``, ``x \in \R^{n}``, ``u \le v``) plus the index ranges the display states
(``l = L-1, \dots, 1``). Layout never reaches the tree: spacing (``\,``, ``\!``, ``\;``),
``\left``/``\right``, ``\big``-sizes, alignment ``&``, line breaks ``\\``, ``\qquad``/``\quad``
and ``\text{...}`` remarks standing alone or at the end of a clause are dropped, ``\dfrac`` and
``\tfrac`` are ``\frac``, ``\mathsf{T}`` and ``\top`` are ``\T``, ``\operatorname{diag}`` is
``\diag``.

The tree is plain tuples (see :class:`Node`); :mod:`backprop.equations.evaluate` gives it
meaning. The grammar (juxtaposition and ``\odot`` bind equally, left to right)::

    clause   := expr (relop expr)*
    expr     := ['-'|'+'] product (('+'|'-'|'\pm') product)*
    product  := postfix ((implicit | '\odot' | '\cdot' | '\times' | '/') postfix)*
    postfix  := atom ("'"* | '^' arg | '_' arg)* [ '(' args ')' ]
    atom     := number | symbol | '(' expr ')' | '[' relation ']' | '\frac' arg arg
              | '\sum'/'\prod' '_' arg ['^' arg] product | '\lim' '_' arg product
              | '\|' expr '\|' | '|' expr '|' | '\sqrt' arg | '\diag' postfix | '\nabla' ...
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Clause", "Node", "ParseError", "parse_display", "tokenize"]


class ParseError(ValueError):
    """The LaTeX is not in the book's notation (or has a typo that breaks its grammar)."""


@dataclass(frozen=True)
class Node:
    """One node of the expression tree: ``kind`` and its ``args`` (nodes, strings, ints)."""

    kind: str
    args: tuple = ()
    text: str = field(default="", compare=False)

    def __repr__(self) -> str:
        return f"{self.kind}{self.args!r}"


@dataclass
class Clause:
    """A relation chain ``terms[0] rels[0] terms[1] ...`` or, when ``rels`` is empty and
    ``terms`` holds one expression, a bare expression. ``line`` is its line in an aligned
    block; ``text`` the LaTeX it came from (for error messages)."""

    terms: list
    rels: list
    text: str
    line: int = 0


@dataclass
class Range:
    """``var`` runs over the values ``lo .. hi`` (or the listed ``values``) in ``line``."""

    var: str
    lo: Node | None = None
    hi: Node | None = None
    values: list | None = None
    line: int = 0


# --------------------------------------------------------------------------- tokenizer

_DROP = {
    r"\,",
    r"\!",
    r"\;",
    r"\:",
    r"\ ",
    r"\left",
    r"\right",
    r"\middle",
    r"\displaystyle",
    r"\limits",
    r"\nonumber",
    r"\notag",
    r"\big",
    r"\Big",
    r"\bigg",
    r"\Bigg",
    r"\bigl",
    r"\bigr",
    r"\Bigl",
    r"\Bigr",
    r"\biggl",
    r"\biggr",
    r"\Biggl",
    r"\Biggr",
    r"\bigm",
    r"\Bigm",
    "&",
    r"\mathstrut",
    r"\strut",
}
_ALIAS = {
    r"\dfrac": r"\frac",
    r"\tfrac": r"\frac",
    r"\top": r"\T",
    r"\lvert": "|",
    r"\rvert": "|",
    r"\vert": "|",
    r"\lVert": r"\|",
    r"\rVert": r"\|",
    r"\Vert": r"\|",
    r"\ldots": r"\dots",
    r"\cdots": r"\dots",
    r"\qquad": r"\quad",
    r"\mid": "|",
    r"\neq": r"\ne",
    r"\leq": r"\le",
    r"\geq": r"\ge",
    r"\lbrack": "[",
    r"\rbrack": "]",
    r"\colon": ":",
    r"\bigl(": "(",
    r"\varepsilon": r"\epsilon",
}
_WORD = re.compile(
    r"\\(text|textrm|mathrm|operatorname\*?|mathbf|mathcal|mathbb|mathsf|boldsymbol)\s*"
    r"\{([^{}]*)\}|\\mathbf\s+(\w)"
)
_TOKEN = re.compile(r"\\[A-Za-z]+\*?|\\.|\d+(?:\.\d+)?|\S")


@dataclass(frozen=True)
class Tok:
    kind: str  # "cmd", "num", "ch", "word", "text"
    val: str


def tokenize(tex: str) -> list[Tok]:
    """Tokens of ``tex`` with layout removed and the book's aliases applied."""
    tex = re.sub(r"(?<!\\)%.*", "", tex)
    tex = re.sub(r"\\mathsf\s*(?:\{\s*T\s*\}|T)", r"\\T ", tex)
    tex = re.sub(r"\\(begin|end)\{(aligned|align\*?|split|gathered)\}", " ", tex)
    matrices = []

    def stash(m):
        matrices.append(m.group(2))
        return f" \\pmatrixtoken{len(matrices) - 1} "

    tex = re.sub(r"\\begin\{([pb])matrix\}(.*?)\\end\{\1matrix\}", stash, tex, flags=re.S)
    tex = re.sub(
        r"\\pmatrixtoken(\d+)", lambda m: f"\\pmatrixtoken{chr(65 + int(m.group(1)))}", tex
    )
    out: list[Tok] = []
    pos = 0
    for m in _WORD.finditer(tex):
        out += _plain(tex[pos : m.start()])
        kind, body = m.group(1), m.group(2)
        if m.group(3) is not None:
            kind, body = "mathbf", m.group(3)
        body = body.replace(r"\,", "").strip()
        if kind.startswith("text"):
            out.append(Tok("text", body))
        elif kind == "mathsf" and body == "T":
            out.append(Tok("cmd", r"\T"))
        elif kind.startswith("operatorname") and body == "diag":
            out.append(Tok("cmd", r"\diag"))
        elif kind == "mathbb" and body == "R":
            out.append(Tok("cmd", r"\R"))
        else:
            out.append(Tok("word", body))
        pos = m.end()
    out += _plain(tex[pos:])
    for i, t in enumerate(out):
        if t.kind == "cmd" and t.val.startswith("\\pmatrixtoken"):
            out[i] = Tok("matrix", matrices[ord(t.val[-1]) - 65])
    return out


def _plain(tex: str) -> list[Tok]:
    toks = []
    for m in _TOKEN.finditer(tex):
        t = m.group(0)
        t = _ALIAS.get(t, t)
        if t in _DROP:
            continue
        if t.startswith("\\") and len(t) > 1:
            toks.append(Tok("cmd", t))
        elif t[0].isdigit():
            toks.append(Tok("num", t))
        else:
            toks.append(Tok("ch", t))
    return toks


# --------------------------------------------------------------------------- display split

_RELS = {
    "=": "=",
    r"\in": "in",
    r"\le": "<=",
    r"\ge": ">=",
    "<": "<",
    ">": ">",
    r"\ne": "!=",
    r"\approx": "approx",
    r"\leftarrow": "<-",
    r"\propto": "propto",
    r"\sim": "sim",
    r"\to": "->",
    r"\equiv": "=",
    ":": "colon",
}
_OPEN, _CLOSE = {"(", "[", "{"}, {")", "]", "}"}


def _is_sep(t: Tok) -> bool:
    return t.kind == "cmd" and t.val in (r"\quad", r"\\")


def _strip_punct(seg: list[Tok]) -> list[Tok]:
    while seg and seg[-1].kind == "ch" and seg[-1].val in ".,:;":
        seg = seg[:-1]
    while seg and seg[-1].kind == "text":  # a remark at the end: "(MSE)", "bytes"
        seg = seg[:-1]
    while seg and seg[-1].kind == "ch" and seg[-1].val in ".,:;":
        seg = seg[:-1]
    return seg


_CONTINUE = ("+", "-", r"\pm", r"\odot", r"\cdot", r"\times", r"\dots")


def _segments(tokens: list[Tok]) -> list[tuple[int, list[Tok]]]:
    r"""Split at ``\\``, ``\quad`` and top-level commas. A line continues the clause before
    it when it starts with a relation, an operator or ``\cdots``, or when the line before ends
    in one (a product broken as ``D^{L-1} \cdots \\ W^{m+1} D^m``). Returns (line, tokens)
    pairs."""
    lines: list[list[Tok]] = [[]]
    for t in tokens:
        if t.kind == "cmd" and t.val == r"\\":
            lines.append([])
        else:
            lines[-1].append(t)
    segs: list[tuple[int, list[Tok]]] = []
    depth = 0
    for n, line in enumerate(lines):
        while line and _is_sep(line[0]):  # "&\qquad \cdots W^{m+1}": an indent
            line = line[1:]
        if not line:
            continue
        prev = lines[n - 1][-1] if n and lines[n - 1] else None
        cont = any(
            t is not None and t.kind in ("ch", "cmd") and (t.val in _RELS or t.val in _CONTINUE)
            for t in (line[0], prev if prev is None or prev.val != ":" else None)
        )
        # brackets opened on a line and closed on its continuation: "\Big(... \\ &+ 2\Big)"
        depth, cur, parts = (depth if cont else 0), [], []
        for t in line:
            if t.kind == "ch" and t.val in _OPEN:
                depth += 1
            elif t.kind == "ch" and t.val in _CLOSE:
                depth -= 1
            if depth == 0 and (_is_sep(t) or (t.kind == "ch" and t.val in ",;")):
                parts.append(cur)
                cur = []
            else:
                cur.append(t)
        parts.append(cur)
        for i, p in enumerate(parts):
            starts_rel = bool(p) and p[0].kind == "cmd" and p[0].val in _RELS and i > 0
            if starts_rel and p[0].val != r"\\to":  # "A \quad \in \R^{n}": one clause
                segs[-1] = (segs[-1][0], segs[-1][1] + p)
            elif cont and i == 0 and segs:
                segs[-1] = (segs[-1][0], segs[-1][1] + p)
            else:
                segs.append((n, p))
    return [(n, _strip_punct(p)) for n, p in segs if _strip_punct(p)]


def _text_of(seg: list[Tok]) -> str:
    return " ".join(t.val if t.kind != "text" else f"\\text{{{t.val}}}" for t in seg)


def parse_display(tex: str, layer_letters: str = "lm") -> tuple[list[Clause], list[Range]]:
    """Parse the body of a ``$$ ... $$`` display into clauses and stated index ranges."""
    segs = _segments(tokenize(tex))
    clauses: list[Clause] = []
    ranges: list[Range] = []
    i = 0
    while i < len(segs):
        line, seg = segs[i]
        if seg[0].kind == "text" and not any(t.val in _RELS for t in seg if t.kind != "text"):
            i += 1  # prose: "\text{(the mean of the rows of } \Delta^l\text{)}"
            continue
        # "l = L-1, \dots, 1"  /  "l = m, m+1, \dots, L"  /  "l = 1, 2, 3"
        if (
            len(seg) >= 3
            and seg[0].kind == "ch"
            and seg[0].val in layer_letters
            and seg[1].val == "="
            and i + 1 < len(segs)
            and _is_range_tail(segs[i + 1][1])
        ):
            var = seg[0].val
            items = [seg[2:]]
            j = i + 1
            while j < len(segs) and _is_range_tail(segs[j][1]) and segs[j][0] == line:
                items.append(segs[j][1])
                j += 1
            if any(len(it) == 1 and it[0].val == r"\dots" for it in items):
                lo, hi = items[0], items[-1]
                ranges.append(
                    Range(
                        var, _Parser(lo).parse_expr_all(), _Parser(hi).parse_expr_all(), line=line
                    )
                )
            else:
                ranges.append(
                    Range(var, values=[_Parser(it).parse_expr_all() for it in items], line=line)
                )
            i = j
            continue
        p = _Parser(seg)
        clauses.append(p.parse_clause(_text_of(seg), line))
        i += 1
    for r in ranges:  # a range on a line of its own belongs to the clause above it
        above = [c.line for c in clauses if c.line < r.line]
        if above and all(c.line != r.line for c in clauses):
            r.line = max(above)
    return clauses, ranges


def _is_range_tail(seg: list[Tok]) -> bool:
    if len(seg) == 1 and seg[0].val == r"\dots":
        return True
    return all(t.kind == "num" or (t.kind == "ch" and t.val in "+-Llm") for t in seg) and bool(seg)


# --------------------------------------------------------------------------- parser

_GREEK = {
    "alpha",
    "beta",
    "gamma",
    "delta",
    "epsilon",
    "eta",
    "theta",
    "kappa",
    "lambda",
    "mu",
    "nu",
    "xi",
    "pi",
    "rho",
    "sigma",
    "tau",
    "phi",
    "varphi",
    "chi",
    "psi",
    "omega",
    "Delta",
    "Sigma",
    "Theta",
    "Phi",
    "Psi",
    "Omega",
    "Lambda",
    "Gamma",
    "ell",
}
_FUNCS = {
    r"\exp": "exp",
    r"\log": "log",
    r"\ln": "log",
    r"\sin": "sin",
    r"\cos": "cos",
    r"\tanh": "tanh",
    r"\max": "max",
    r"\min": "min",
}
_STOP_PRODUCT = {"+", "-", ")", "]", "}", "|", "=", "<", ">", ":", ","}


class _Parser:
    def __init__(self, toks: list[Tok]):
        self.toks = list(toks)
        self.i = 0

    # helpers
    def peek(self, k: int = 0) -> Tok | None:
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def next(self) -> Tok:
        t = self.peek()
        if t is None:
            raise ParseError("unexpected end of formula")
        self.i += 1
        return t

    def at(self, val: str) -> bool:
        t = self.peek()
        return t is not None and t.val == val and t.kind in ("ch", "cmd")

    def expect(self, val: str) -> None:
        t = self.next()
        if t.val != val:
            raise ParseError(f"expected {val!r}, found {t.val!r}")

    def done(self) -> bool:
        return self.i >= len(self.toks)

    # entry points
    def parse_expr_all(self) -> Node:
        e = self.expr()
        if not self.done():
            raise ParseError(f"unexpected {self.peek().val!r}")
        return e

    def parse_clause(self, text: str, line: int) -> Clause:
        terms, rels = [self.expr()], []
        if self.done() and terms[0].kind == "paren" and terms[0].args[0].kind == "rel":
            op, lhs, rhs = terms[0].args[0].args  # a condition "(m < L)": checked to hold
            return Clause([lhs, rhs], [op], text, line)
        while not self.done():
            t = self.peek()
            if t.kind in ("ch", "cmd") and t.val in _RELS:
                self.next()
                rels.append(_RELS[t.val])
                terms.append(self.expr())
            else:
                raise ParseError(f"unexpected {t.val!r} in {text!r}")
        return Clause(terms, rels, text, line)

    # grammar
    def expr(self) -> Node:
        sign = None
        if self.at("-") or self.at("+") or self.at(r"\pm"):
            sign = self.next().val
        node = self.product()
        if sign == "-":
            node = Node("neg", (node,))
        while self.at("+") or self.at("-") or self.at(r"\pm"):
            op = self.next().val
            rhs = self.product()
            node = Node({"+": "add", "-": "minus", r"\pm": "pm"}[op], (node, rhs))
        return node

    def _starts_factor(self) -> bool:
        t = self.peek()
        if t is None:
            return False
        if t.kind in ("num", "word", "text", "matrix"):
            return True
        if t.kind == "ch":
            return t.val.isalpha() or t.val in "([" or (t.val == "|" and not self._abs_open)
        if t.val in _RELS or t.val in (
            r"\quad",
            r"\\",
            r"\odot",
            r"\cdot",
            r"\times",
            r"\pm",
            r"\in",
            r"\circ",
        ):
            return False
        return t.val != r"\|" or not self._norm_open

    _abs_open = False
    _norm_open = False

    def product(self) -> Node:
        node = self.postfix()
        while True:
            if self.at(r"\odot"):
                self.next()
                node = Node("had", (node, self.postfix()))
            elif self.at(r"\circ"):
                self.next()
                node = Node("compose", (node, self.postfix()))
            elif self.at(r"\cdot") or self.at(r"\times"):
                self.next()
                node = Node("smul", (node, self.postfix()))
            elif self.at("/"):
                self.next()
                node = Node("div", (node, self.postfix()))
            elif self.at(r"\dots"):
                self.next()
                node = Node("dots", (node,))
            elif self._starts_factor():
                node = Node("mul", (node, self.postfix()))
            else:
                return node

    def arg(self) -> Node:
        """A TeX argument: a braced group or a single token."""
        if self.at("{"):
            self.next()
            depth, start = 1, self.i
            while depth:
                t = self.next()
                if t.kind == "ch" and t.val == "{":
                    depth += 1
                elif t.kind == "ch" and t.val == "}":
                    depth -= 1
            inner = _Parser(self.toks[start : self.i - 1])
            return inner.group_body()
        t = self.next()
        if t.kind == "num" and len(t.val) > 1 and "." not in t.val:
            self.toks.insert(self.i, Tok("num", t.val[1:]))
            return Node("num", (int(t.val[0]),))
        sub = _Parser([t])
        return sub.group_body()

    def skip_arg(self) -> None:
        if not self.at("{"):
            self.next()
            return
        depth = 0
        while True:
            t = self.next()
            if t.kind == "ch" and t.val == "{":
                depth += 1
            elif t.kind == "ch" and t.val == "}":
                depth -= 1
                if depth == 0:
                    return

    def group_body(self) -> Node:
        """Body of a sub/superscript or argument group: an expression, a comma list of
        expressions, ``:`` (all entries) or a run of single-letter indices (``jk``)."""
        if self.done():
            return Node("empty")
        items = [self._index_item()]
        while self.at(","):
            self.next()
            items.append(self._index_item())
        if not self.done():
            raise ParseError(f"unexpected {self.peek().val!r} in a group")
        if len(items) == 1:
            return items[0]
        return Node("tuple", tuple(items))

    def _index_item(self) -> Node:
        if self.at(":"):
            self.next()
            return Node("colon")
        if self.at(r"\T"):
            self.next()
            return Node("T")
        if self.peek() is not None and self.peek().kind == "text":
            return Node("word", (self.next().val,))
        e = self.expr_rel()
        return e

    def expr_rel(self) -> Node:
        e = self.expr()
        t = self.peek()
        if t is not None and t.kind in ("ch", "cmd") and t.val in _RELS:
            self.next()
            return Node("rel", (_RELS[t.val], e, self.expr()))
        return e

    def postfix(self) -> Node:
        node = self.atom()
        while True:
            if self.at("'"):
                self.next()
                node = Node("prime", (node,))
            elif self.at("^"):
                self.next()
                node = Node("sup", (node, self.arg()))
            elif self.at("_"):
                self.next()
                sub = self.arg()
                if (
                    node.kind == "paren"
                    and sub.kind == "tuple"
                    and all(x.kind == "sym" and len(x.args[0]) == 1 for x in sub.args)
                ):  # (e_{ij})_{i,j}: the matrix of the entries e_{ij}
                    node = Node("build", (node.args[0], sub.args))
                else:
                    node = Node("sub", (node, sub))
            elif self.at("(") and _callable_head(node):
                save = self.i
                self.next()
                args = [self.expr_rel()]
                while self.at(","):
                    self.next()
                    args.append(self.expr_rel())
                self.expect(")")
                if self.at("^") or self.at("_"):  # (a^{l-1})^\T is a factor, not an argument
                    self.i = save
                    return node
                node = Node("call", (node, tuple(args)))
            else:
                return node

    def _jacobian_follows(self) -> bool:
        """``Df_a``, ``Dg_{f(a)}``, ``D(g\\circ f)_a``, ``Df_L|_{x}``: D then a function."""
        t = self.peek()
        return t is not None and t.kind == "ch" and (t.val in "fgN" or t.val == "(")

    def jacobian(self) -> Node:
        if self.at("("):
            self.next()
            fn = Node("paren", (self.expr(),))
            self.expect(")")
        else:
            fn = Node("sym", (self.next().val,))
        point = None
        if self.at("_"):
            self.next()
            sub = self.arg()
            if self.at("|"):
                fn, point = Node("sub", (fn, sub)), None
            else:
                point = sub
        if self.at("|") and self.peek(1) is not None and self.peek(1).val == "_":
            self.next()
            self.next()
            point = self.arg()
        if point is None:
            raise ParseError("D f needs the point: Df_a or Df|_{a}")
        return Node("jac", (fn, point))

    def atom(self) -> Node:
        t = self.next()
        if t.kind == "num":
            return Node("num", (float(t.val) if "." in t.val else int(t.val),))
        if t.kind == "word":
            return Node("sym", (t.val,))
        if t.kind == "matrix":
            rows = []
            for row in re.split(r"\\\\", t.val):
                if not row.strip():
                    continue
                cells = row.split("&")
                rows.append(tuple(_Parser(tokenize(c)).parse_expr_all() for c in cells))
            return Node("matrix", (tuple(rows),))
        if t.kind == "text":
            return Node("sym", (t.val,))
        v = t.val
        if t.kind == "ch":
            if v == "D" and self._jacobian_follows():
                return self.jacobian()
            if v.isalpha():
                return Node("sym", (v,))
            if v == "(":
                e = self.expr_rel()
                if self.at(","):
                    items = [e]
                    while self.at(","):
                        self.next()
                        items.append(self.expr_rel())
                    self.expect(")")
                    return Node("tuple", tuple(items))
                self.expect(")")
                return Node("paren", (e,))
            if v == "[":
                e = self.expr_rel()
                self.expect("]")
                return Node("iverson", (e,))
            if v == "|":
                saved, self._abs_open = self._abs_open, True
                e = self.expr()
                self._abs_open = saved
                self.expect("|")
                return Node("abs", (e,))
            raise ParseError(f"unexpected {v!r}")
        # commands
        if v == r"\|":
            saved, self._norm_open = self._norm_open, True
            e = self.expr()
            self._norm_open = saved
            self.expect(r"\|")
            return Node("norm", (e,))
        if v == r"\frac":
            num, den = self.arg(), self.arg()
            if _is_partial(num) and _is_partial(den):
                return Node("deriv", (num.args[0], den.args[0]))
            return Node("frac", (num, den))
        if v == r"\partial":
            return Node("partial", (self.postfix(),))
        if v in (r"\sum", r"\prod"):
            lo = hi = None
            if self.at("_"):
                self.next()
                lo = self.arg()
            if self.at("^"):
                self.next()
                hi = self.arg()
            body = self.product()
            return Node("sum" if v == r"\sum" else "prod", (lo, hi, body))
        if v == r"\lim":
            self.expect("_")
            sub = self.arg()
            return Node("lim", (sub, self.product()))
        if v == r"\sqrt":
            return Node("sqrt", (self.arg(),))
        if v == r"\diag":
            return Node("diag", (self.postfix(),))
        if v == r"\nabla":
            sub = None
            if self.at("_"):
                self.next()
                sub = self.arg()
            return Node("nabla", (sub, self.postfix()))
        if v in _FUNCS:
            return Node("sym", (_FUNCS[v],))
        if v == r"\T":
            return Node("T")
        if v == r"\R":
            return Node("R")
        if v == r"\dots":
            return Node("dotsatom")
        if v in (r"\tilde", r"\hat", r"\bar", r"\dot"):
            inner = self.arg()
            if inner.kind != "sym":
                raise ParseError(f"{v} over {inner}")
            return Node("sym", (f"{v[1:]} {inner.args[0]}",))
        if v in (r"\underbrace", r"\overbrace"):
            node = self.arg()
            if self.at("_") or self.at("^"):
                self.next()
                self.skip_arg()  # the label under the brace is a remark
            return node
        if v[1:] in _GREEK:
            name = v[1:]
            return Node("sym", ({"ell": "l", "varphi": "phi"}.get(name, name),))
        if v == r"\infty":
            return Node("num", (float("inf"),))
        raise ParseError(f"unknown command {v}")


def _is_partial(node: Node) -> bool:
    return node.kind == "partial" or (
        node.kind == "mul" and node.args[0].kind == "partial" and False
    )


def _callable_head(node: Node) -> bool:
    r"""``f(x)``, ``\sigma'(z)``, ``\sigma_L(z)``, ``Df_a(...)``: a symbol (with primes,
    subscripts or superscripts) directly followed by ``(`` may be a call; the evaluator
    decides (a matrix times a parenthesis is a product)."""
    while node.kind in ("prime", "sub", "sup"):
        node = node.args[0]
    return node.kind == "sym"
