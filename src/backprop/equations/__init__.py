r"""Every labelled display equation of the book, executed.

The LaTeX a reader sees is the source of truth. :func:`check_chapter` reads a chapter's
Markdown, finds each labelled display ``$$ ... $$ (eq-label)`` and the MyST comment line above
it (``% check: CONTEXT ...`` or ``% exempt: REASON``, see
:mod:`backprop.equations.annotations`), parses the display in the book's notation
(:mod:`backprop.equations.latex`), and evaluates every relation in it (``=``, ``\in \R^{..}``,
``\le``) on the concrete instances of the context (:mod:`backprop.equations.contexts`): every
valid layer index, every entry index, several networks with square and non-square layers.
Derivatives on the page are bound to an independent reference (complex-step differentiation
of a forward pass written in :mod:`backprop.equations.contexts`), never to the package's
backward pass. A failing equation raises :class:`EquationError` naming its label, the network
and the indices, and showing both sides.

Run one chapter's checks from the shell (no notebook needed)::

    .venv/bin/python -m backprop.equations chapters/backprop.md

and the planted-typo catch rate with ``make typos`` (:mod:`backprop.equations.typos`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from . import (
    chapter_contexts,  # noqa: F401  (registers the later chapters' contexts)
    functions,  # noqa: F401 - registers the derivatives chapter's contexts
    opcount,  # noqa: F401 - registers the backprop chapter's operation counts
)
from .annotations import Display, scan
from .contexts import CONTEXTS, register_context
from .evaluate import EquationError, check_clauses
from .latex import ParseError, parse_display

__all__ = [
    "CONTEXTS",
    "Display",
    "EquationError",
    "Report",
    "check_chapter",
    "check_here",
    "check_display",
    "register_context",
    "scan",
]

RTOL, ATOL = 1e-9, 1e-12


@dataclass
class Report:
    """What :func:`check_chapter` did: labels checked (with the number of comparisons),
    exempt labels with reasons, and the time it took."""

    chapter: str
    checked: dict = field(default_factory=dict)
    exempt: dict = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def comparisons(self) -> int:
        """How many comparisons the checked equations made, all together."""
        return sum(self.checked.values())

    def summary(self) -> str:
        """One line for a reader: how many labelled equations were evaluated and how many are
        not (definitions, models and general statements, each with its reason on a line of its
        own after this one). No timing: it says
        nothing about the equations and differs from run to run."""
        n = len(self.checked) + len(self.exempt)
        line = (
            f"{self.chapter}: {len(self.checked)} of {n} labelled equations checked "
            f"({self.comparisons} comparisons)"
        )
        if self.exempt:
            each = "each with its reason" if len(self.exempt) > 1 else "with its reason"
            line += f", {len(self.exempt)} not evaluated, {each}:"
        return line


def check_display(d: Display) -> int:
    """Check one annotated display; return the number of comparisons made."""
    try:
        contexts = [CONTEXTS[c] for c in d.contexts]
    except KeyError as exc:
        raise EquationError(f"{d.label}: unknown context {exc}") from None
    if not contexts:
        raise EquationError(f"{d.label}: '% check:' names no context")
    n = 0
    for make, layer_letters, entry_letters, _ in contexts:
        try:
            clauses, ranges = parse_display(d.body, layer_letters)
        except ParseError as exc:
            raise EquationError(f"{d.label} ({d.chapter}): cannot parse: {exc}") from None
        if not clauses:
            raise EquationError(f"{d.label}: nothing to check")
        per_clause = [0] * len(clauses)
        for inst in make():
            try:
                n += check_clauses(
                    clauses,
                    ranges,
                    inst,
                    defs=d.defs,
                    layer_letters=layer_letters,
                    entry_letters=entry_letters,
                    default_range=lambda i: range(1, i.L + 1),
                    rtol=d.options.get("rtol", RTOL),
                    atol=d.options.get("atol", ATOL),
                    range_options={k: v for k, v in d.options.items() if len(k) == 1},
                    per_clause=per_clause,
                )
            except EquationError as exc:
                raise EquationError(f"{d.label} ({d.chapter}.md, line {d.line}): {exc}") from None
        for clause, count in zip(clauses, per_clause):
            if count == 0:
                raise EquationError(f"{d.label}: {clause.text!r} holds for no index value")
    return n


def check_chapter(path, *, require_all: bool = True) -> Report:
    """Check every labelled display of the chapter ``path``.

    With ``require_all``, a labelled display without a ``% check:`` or ``% exempt:`` line is
    an error: every equation is checked or exempt, visibly."""
    t0 = time.perf_counter()
    path = Path(path)
    report = Report(path.stem)
    for d in scan(path):
        if d.label is None:
            continue
        if d.status == "missing":
            if require_all:
                raise EquationError(
                    f"{d.label} ({path.name}, line {d.line}) has no '% check:' or "
                    "'% exempt:' line above it"
                )
            continue
        if d.status == "exempt":
            report.exempt[d.label] = d.reason
            continue
        report.checked[d.label] = check_display(d)
    report.seconds = time.perf_counter() - t0
    return report


def check_here(chapter: str, glue=None, prefix: str | None = None) -> Report | None:
    """The hidden cell of a chapter: check the equations of ``chapter`` (a file name next to
    the notebook), glue ``{prefix}_eq_checked``, ``_eq_exempt``, ``_eq_total`` and
    ``_eq_comparisons``, and print one line. Where the Markdown source is not present (a
    notebook opened on Colab), say so in one line and do nothing."""
    path = Path(chapter)
    if not path.is_file():
        print(
            f"{chapter} is not beside this notebook; its equations are checked in the book build."
        )
        return None
    report = check_chapter(path)
    if glue is not None:
        prefix = prefix or path.stem
        for key, value in (
            ("checked", len(report.checked)),
            ("exempt", len(report.exempt)),
            ("total", len(report.checked) + len(report.exempt)),
            ("comparisons", report.comparisons),
        ):
            glue(f"{prefix}_eq_{key}", value, display=False)
    print(report.summary())
    for label, reason in report.exempt.items():
        print(f"  {label}: {reason}")
    return report


from . import autodiff_context  # noqa: E402,F401  (contexts of autodiff.md; registers on import)
