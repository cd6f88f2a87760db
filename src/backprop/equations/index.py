"""The *Equation index* appendix, generated from the chapters' annotations at build time."""

from __future__ import annotations

import re
from pathlib import Path

from .annotations import scan
from .contexts import CONTEXTS

__all__ = ["LEGEND", "chapter_order", "index_markdown", "index_rows", "legend", "target"]


def target(stem: str) -> str:
    """The label of the section of chapter ``stem`` whose cell runs its equation checks."""
    return f"{stem}-equations-executed"


def chapter_order(folder) -> list[Path]:
    """Chapters in the order of ``_toc.yml`` (the folder's parent), others after them."""
    folder = Path(folder).resolve()
    toc = folder.parent / "_toc.yml"
    names = re.findall(r"file:\s*chapters/([\w-]+)", toc.read_text()) if toc.is_file() else []
    paths = [folder / f"{n}.md" for n in names if (folder / f"{n}.md").is_file()]
    return paths + [p for p in sorted(folder.glob("*.md")) if p not in paths]


LEGEND = {
    "column": "one example on several networks with square and non-square layers, vectors as "
    "columns",
    "batch": "a batch of $M$ examples, one per row of $X$, $Z^l$ and $A^l$",
    "layer": "each layer of the *column* networks on its own",
    "chain": "a chain of single neurons, one per layer",
    "counts": "scalar multiplications counted while both routes to the gradient run (the "
    "recursion for $\\delta$, and each weight on its own)",
    "scalar-function": r"functions $f\colon \R \to \R$ at a point",
    "vector-function": r"functions $f\colon \R^n \to \R^m$ and $g\colon \R^m \to \R^p$ at a "
    "point",
    "field": r"functions $f\colon \R^n \to \R$ at a point",
    "activation": r"an activation applied entry by entry, $a = \sigma(z)$",
    "least-squares": "a linear model with the squared error",
    "step": "one full-batch epoch of `fit`",
    "segment": "the segment between two minima",
    "autodiff": "a recorded computational graph and its adjoints",
    "adcounts": "operations counted on a graph of scalars and on the tape",
    "scalar": "real numbers $z$, saturated ones included",
    "sigmoid": "one example, every layer a sigmoid",
    "sigmoid3": "networks of three sigmoid layers",
    "neuron": "one sigmoid neuron with input 1",
    "softmax": "one example, softmax output with cross-entropy",
    "softmax-batch": "a batch, softmax output with cross-entropy",
    "binary": "one sigmoid output with binary cross-entropy",
    "params": r"a batch, all parameters in one vector $\theta$",
    "fd": "smooth functions at a point, steps of both signs",
    "directional": r"a network's cost as a function of all its parameters $\theta$",
    "smooth": "a smooth cost of two parameters",
    "bowl": "a quadratic bowl and the iterates of gradient descent on it",
    "minibatch-step": "one minibatch step of `fit`",
    "epoch": "one epoch, the samples in minibatches",
    "momentum": "momentum on a constant gradient",
    "step-l2": "one epoch of `fit` with weight decay",
    "step-l1": "one epoch of `fit` with the L1 penalty",
    "rhw": r"the 6-2-1 network, with $\eta$ and $\mu$ measured on the steps of `fit`",
    "mirror": "hidden units with mirror-image weights on random input patterns",
    "flops": "flops, forward passes and bytes counted while the package runs",
}
"""What the checks of each context evaluate an equation on, in words for the index's legend
(a context missing here is described by the ``about`` text it was registered with)."""


def context_about(names) -> str:
    return "; ".join(f"{n}: {CONTEXTS[n][3]}" for n in names if n in CONTEXTS)


def legend(name: str) -> str:
    """The index's description of context ``name`` ("" if there is none)."""
    return LEGEND.get(name) or (CONTEXTS[name][3] if name in CONTEXTS else "")


def chapter_numbers(folder) -> dict[str, str]:
    """Chapter number by file stem, as the book numbers them: consecutively through the parts
    of ``_toc.yml`` marked ``numbered: true`` (the appendices are not numbered)."""
    toc = Path(folder).resolve().parent / "_toc.yml"
    numbers: dict[str, str] = {}
    numbered = False
    for line in toc.read_text(encoding="utf-8").splitlines() if toc.is_file() else []:
        if re.match(r"\s*-\s*caption:", line):
            numbered = False
        elif re.match(r"\s*numbered:\s*true\b", line):
            numbered = True
        elif (m := re.match(r"\s*-\s*file:\s*chapters/([\w-]+)", line)) and numbered:
            numbers[m.group(1)] = str(len(numbers) + 1)
    return numbers


def table_math(body: str) -> str:
    """The LaTeX of a display as inline math for one cell of a Markdown table: one line, no
    ``|`` (the cell separator), top-level line breaks kept by a ``gathered``."""
    tex = " ".join(line.strip() for line in body.strip().splitlines() if line.strip())
    tex = tex.replace(r"\|", r"\Vert ").replace("|", r"\vert ")
    if "\\\\" in tex and not tex.startswith("\\begin"):
        tex = rf"\begin{{gathered}}{tex}\end{{gathered}}"
    return f"$\\displaystyle {tex}$"


def index_rows(folder) -> list[dict]:
    """One row per labelled display of every chapter in ``folder``."""
    rows = []
    for path in chapter_order(folder):
        text = path.read_text(encoding="utf-8")
        has_target = f"({target(path.stem)})=" in text
        for d in scan(path):
            if d.label is None:
                continue
            rows.append(
                {
                    "chapter": path.stem,
                    "label": d.label,
                    "body": d.body,
                    "status": d.status,
                    "reason": d.reason,
                    "contexts": d.contexts,
                    "where": target(path.stem) if has_target else None,
                }
            )
    return rows


# A label as the chapters write it, and the short form of a sibling after it in a list
# ("eq-ad-vjp-matmul, -bias, -act": "-bias" is eq-ad-vjp-bias).
_LABEL = re.compile(r"(?<![\w-])eq-[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")
_SIBLING = re.compile(r", -([A-Za-z0-9]+(?:-[A-Za-z0-9]+)*)")

# The ASCII math of an annotation: a Greek letter's name or a single letter (not the words
# "a", "A", "I"), with an optional ^sup or _sub and an optional (t); neighbours separated by
# one space ("Delta theta(t)") make one formula.
_GREEK = {
    "alpha": r"\alpha",
    "beta": r"\beta",
    "delta": r"\delta",
    "Delta": r"\Delta",
    "epsilon": r"\varepsilon",
    "eta": r"\eta",
    "lambda": r"\lambda",
    "mu": r"\mu",
    "sigma": r"\sigma",
    "theta": r"\theta",
}
_ATOM = r"(?:" + "|".join(_GREEK) + r"|[B-HJ-Zb-z])(?:[\^_]\w+)?(?:\(\w\))?"
_MATH = re.compile(rf"(?<![\w$\\'’-]){_ATOM}(?: {_ATOM})*(?![\w’'-])")


def _tex(text: str) -> str:
    r"""ASCII math of an annotation as TeX: ``Delta theta(t)`` -> ``\Delta \theta(t)``."""
    return re.sub("|".join(rf"\b{g}\b" for g in _GREEK), lambda m: _GREEK[m.group(0)], text)


def _math(text: str) -> str:
    return _MATH.sub(lambda m: f"${_tex(m.group(0))}$", text)


def reason_markdown(reason: str, labels) -> str:
    """An exemption's reason, as a chapter's ``% exempt:`` comment writes it in ASCII, for the
    index: a cited label becomes a link showing its number (``{eq}`` role), sibling labels
    shortened to their last part (``eq-ad-vjp-matmul, -bias``) included; ASCII math (``v^l``,
    ``epsilon``, ``Delta theta(t)``, a one-letter symbol) is typeset; ``|`` is escaped for the
    table. A label that is not among ``labels`` stays code."""
    labels = set(labels)

    def ref(label: str) -> str:
        return f"{{eq}}`{label}`" if label in labels else f"`{label}`"

    out, pos = [], 0
    for m in _LABEL.finditer(reason):
        if m.start() < pos:
            continue
        out.append(_math(reason[pos : m.start()]))
        refs, end = [m.group(0)], m.end()
        stem = m.group(0).rsplit("-", 1)[0]
        while (s := _SIBLING.match(reason, end)) and f"{stem}-{s.group(1)}" in labels:
            refs.append(f"{stem}-{s.group(1)}")
            end = s.end()
        out.append(", ".join(ref(label) for label in refs))
        pos = end
    out.append(_math(reason[pos:]))
    return "".join(out).replace("|", "\\|")


def _status(r: dict, labels=()) -> str:
    if r["status"] == "check":
        mark = f"{{ref}}`✓ checked <{r['where']}>`" if r["where"] else "✓ checked"
        return f"{mark} on {', '.join(f'*{c}*' for c in r['contexts'])}"
    if r["status"] == "exempt":
        return "not evaluated: " + reason_markdown(r["reason"], labels)
    return "not annotated"


def number_cell(label: str) -> str:
    """The first cell of a row: the equation's number, linking to it, and below it its label
    as the chapters' code and listings cite it (``eq-grad-W``), so that a search finds it."""
    return f"{{eq}}`{label}`<br><small>`{label}`</small>"


def counts(rows: list[dict]) -> str:
    """``8 checked, 3 not evaluated`` (and ``, 1 not annotated`` where there is one)."""
    parts = [f"{sum(r['status'] == 'check' for r in rows)} checked"]
    for status, words in (("exempt", "not evaluated"), ("missing", "not annotated")):
        n = sum(r["status"] == status for r in rows)
        if n:
            parts.append(f"{n} {words}")
    return ", ".join(parts)


def index_markdown(folder) -> str:
    """MyST for the appendix: the counts, then per chapter a heading with its count, a line
    that explains the contexts its checks run on, and a table of its labelled equations
    (number linking to the equation, the equation itself, checked where or why not)."""
    rows = index_rows(folder)
    labels = {r["label"] for r in rows}
    n_check = sum(r["status"] == "check" for r in rows)
    n_exempt = sum(r["status"] == "exempt" for r in rows)
    lines = [
        f"{len(rows)} labelled equations: {n_check} checked, {n_exempt} not evaluated, "
        f"{len(rows) - n_check - n_exempt} not yet annotated.",
    ]
    numbers = chapter_numbers(folder)
    chapters = list(dict.fromkeys(r["chapter"] for r in rows))
    for chapter in chapters:
        mine = [r for r in rows if r["chapter"] == chapter]
        number = f"{numbers[chapter]}. " if chapter in numbers else ""
        contexts = list(dict.fromkeys(c for r in mine for c in r["contexts"]))
        lines += [
            "",
            f"## {number}{{doc}}`{chapter}`: {counts(mine)}",
            "",
        ]
        if contexts:
            about = "; ".join(f"*{c}*, {legend(c)}" if legend(c) else f"*{c}*" for c in contexts)
            lines += [f"Checked on: {about}.", ""]
        lines += [
            "```{table}",
            ":class: bp-eq-index",
            "",
            "| number | equation | check |",
            "|---|---|---|",
        ]
        lines += [
            f"| {number_cell(r['label'])} | {table_math(r['body'])} | {_status(r, labels)} |"
            for r in mine
        ]
        lines.append("```")
    return "\n".join(lines)
