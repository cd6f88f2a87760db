r"""The lines of the package that implement an equation, for a chapter to show.

:func:`code_of` is for a chapter that shows a whole function: its code without the docstring,
whose math (``$...$``, ``:eq:`` roles) is typeset in the API appendix, not printed raw.

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


def code_of(obj) -> str:
    r"""The source of a function, method or class without its docstrings, dedented.

    The docstrings are written for the API appendix, where their ``$...$`` and ``:eq:`` roles
    are typeset; printed in a chapter they would show as raw markup, so they are left out.

    Parameters
    ----------
    obj : function, method or class

    Returns
    -------
    str
        The code, with every docstring of ``obj`` and of the functions inside it removed.
    """
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
    lines = source.splitlines()
    return "\n".join(line for n, line in enumerate(lines, start=1) if n not in drop)
