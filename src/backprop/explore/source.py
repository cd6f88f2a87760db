r"""The lines of the package that implement an equation, for a chapter to show.

:func:`code_of` is for a chapter that shows a whole function: its code without the docstring,
whose math (``$...$``, ``:eq:`` roles) is typeset in the API appendix, not printed raw, and
without the argument checks at its top, replaced by a comment that says so. It returns a
:class:`Listing`, which a notebook shows as highlighted code (the last expression of a cell),
not as printed output text: the book wraps printed lines on a narrow screen, which would break
the indentation of Python (``_static/book.css``, class ``bp-listing``).

A chapter that wants to show *the line that implements* $\delta^L$ should show that line, not
a whole method: every such line in the package ends with a comment naming its equation label,
``# ...  (eq-delta-output)``. :func:`equation_lines` finds them, so the text on the page is
read from the code that runs and cannot drift from it.
"""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from types import ModuleType

_TAG = re.compile(r"\((eq-[A-Za-z0-9-]+)")


def equation_lines(labels, modules: list[ModuleType]) -> str:
    r"""The source lines of ``modules`` tagged with any of ``labels``, one per line.

    Parameters
    ----------
    labels : sequence of str
        Equation labels such as ``"eq-grad-W"``; a line matches when its comment names one.
    modules : list of module
        Where to look, e.g. ``[backprop.layers, backprop.losses]``.

    Returns
    -------
    str
        ``"module.py:LINE  code"`` lines in the order found.

    Raises
    ------
    ValueError
        If a label matches no line (a chapter would otherwise show nothing for it).
    """
    if isinstance(labels, str):
        raise TypeError(f"labels must be a sequence of labels, got the string {labels!r}")
    wanted = list(labels)
    found, seen = [], set()
    for module in modules:
        if not isinstance(module, ModuleType):
            raise TypeError(f"modules must hold modules, got {type(module).__name__}")
        lines, _ = inspect.getsourcelines(module)
        name = module.__name__.rsplit(".", 1)[-1] + ".py"
        for number, line in enumerate(lines, start=1):
            tags = set(_TAG.findall(line.split("#", 1)[1])) if "#" in line else set()
            hit = tags.intersection(wanted)
            if hit:
                seen |= hit
                found.append(f"{name}:{number:<4d} {line.strip()}")
    missing = [label for label in wanted if label not in seen]
    if missing:
        raise ValueError(f"no line of {[m.__name__ for m in modules]} is tagged {missing}")
    return "\n".join(found)


class Listing(str):
    """Python source that a notebook shows as a highlighted code block.

    A ``str`` (its text is the code), with ``_repr_html_`` for the notebook: the same markup
    Sphinx gives a code cell (Pygments classes inside ``div.highlight``), in a ``div`` of class
    ``bp-listing`` that keeps every line whole and scrolls sideways where it does not fit.
    """

    def _repr_html_(self) -> str:
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import PythonLexer

        code = highlight(str(self), PythonLexer(), HtmlFormatter(nowrap=True))
        return (
            '<div class="highlight-python notranslate bp-listing"><div class="highlight">'
            f"<pre><span></span>{code}</pre></div></div>"
        )

    def _repr_pretty_(self, printer, cycle) -> None:  # the plain-text form: the code itself
        printer.text(str(self))


CHECKS_OMITTED = "# (argument checks omitted)"
CHECKS_AND_CONVERSIONS_OMITTED = "# (argument checks and conversions omitted)"


def _is_validation(stmt: ast.stmt, arguments: set) -> str | None:
    """``"check"`` for ``if ...: raise ...`` or a bare call of ``_validate``, ``"convert"`` for
    an assignment to arguments that calls ``_validate`` (``x = _validate.real_array("x", x)``),
    else None (also for a new name made with ``_validate``, which the code below uses)."""
    if isinstance(stmt, ast.If) and not stmt.orelse:
        if all(isinstance(s, ast.Raise) for s in stmt.body):
            return "check"
        return None
    calls_validate = any(
        isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "_validate"
        for n in ast.walk(stmt)
    )
    if isinstance(stmt, ast.Expr) and calls_validate:
        return "check"
    if isinstance(stmt, ast.Assign) and calls_validate:
        names = set()
        for target in stmt.targets:
            elements = target.elts if isinstance(target, ast.Tuple) else [target]
            names |= {e.id if isinstance(e, ast.Name) else None for e in elements}
        return "convert" if names <= arguments else None
    return None


def _leading_checks(tree: ast.Module) -> list[tuple[int, int, int, bool]]:
    """For each function of the parsed source (a function, or the methods of a class): the
    first and last line of its leading argument checks, their indentation, and whether any of
    them converts an argument. Docstrings are skipped, as they are dropped anyway."""
    functions = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            functions.append(node)
        elif isinstance(node, ast.ClassDef):
            functions += [
                n for n in node.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
            ]
    found = []
    for fn in functions:
        body = list(fn.body)
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]
        args = fn.args
        arguments = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
        kinds = []
        for stmt in body[:-1]:  # never the whole body: a function of checks alone stays whole
            kind = _is_validation(stmt, arguments)
            if kind is None:
                break
            kinds.append((stmt, kind))
        if kinds:
            first, last = kinds[0][0], kinds[-1][0]
            converts = any(kind == "convert" for _, kind in kinds)
            found.append((first.lineno, last.end_lineno, first.col_offset, converts))
    return found


def code_of(*objs, checks: bool = False) -> Listing:
    r"""The source of functions, methods or classes without their docstrings, dedented.

    The docstrings are written for the API appendix, where their ``$...$`` and ``:eq:`` roles
    are typeset; printed in a chapter they would show as raw markup, so they are left out. The
    argument checks at the top of a function (``if ...: raise``, calls of ``_validate``) are
    replaced by the comment ``# (argument checks omitted)`` (``... and conversions omitted``
    where they also convert an argument, e.g. to a float array), so that the listing shows the
    computation and says what it leaves out.

    Parameters
    ----------
    *objs : function, method or class
        One or more; their listings are joined (by a blank line if any has several lines).
    checks : bool
        Keep the argument checks.

    Returns
    -------
    Listing
        The code (a ``str``), which a notebook shows as a highlighted code block.

    Raises
    ------
    TypeError
        If an object is not a function, method or class, or none is given.
    """
    if not objs:
        raise TypeError("code_of needs at least one function, method or class")
    pieces = [_code_of_one(obj, checks) for obj in objs]
    sep = "\n\n" if any("\n" in piece for piece in pieces) else "\n"
    return Listing(sep.join(pieces))


def _code_of_one(obj, checks: bool) -> str:
    try:
        source = textwrap.dedent(inspect.getsource(obj))
    except TypeError as err:
        raise TypeError(
            f"obj must be a function, method or class, got {type(obj).__name__}"
        ) from err
    tree = ast.parse(source)
    drop = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            drop.update(range(body[0].lineno, body[0].end_lineno + 1))
    replace = {}
    if not checks:
        for first, last, indent, converts in _leading_checks(tree):
            drop.update(range(first, last + 1))
            note = CHECKS_AND_CONVERSIONS_OMITTED if converts else CHECKS_OMITTED
            replace[first] = " " * indent + note
    lines = source.splitlines()
    out = []
    for n, line in enumerate(lines, start=1):
        if n in replace:
            out.append(replace[n])
        elif n not in drop:
            out.append(line)
    return "\n".join(out).strip("\n")
