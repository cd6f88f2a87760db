r"""Plant writer's typos in checked equations and measure how many the checker catches.

Each mutation changes one thing in the LaTeX of one checked display: a dropped transpose, a
flipped sign (``a + y`` for ``a - y``, ``l+1`` for ``l-1``), a shifted layer index (``l+1`` for
``l``), a lost factor (``1/M``, ``\frac12``, ``2``), ``\odot`` written as a matrix product, two
factors of a product swapped, a minus sign in front of the right side, a lost prime
(``\sigma`` for ``\sigma'``), swapped entry indices (``w_{kj}`` for ``w_{jk}``), a wrong index
or bound in a sum. Layout mutations (spacing, ``\left``/``\right``, ``\big``, a trailing
``\qquad\text{remark}``) must *not* fail. ``python -m backprop.equations.typos CHAPTER.md``
(or ``make typos``) prints the catch rate; a typo that is not caught is listed.
"""

from __future__ import annotations

import random
import re
import sys
from dataclasses import replace
from pathlib import Path

from . import EquationError, check_display
from .annotations import Display, scan

_FACTOR = (
    r"(?:\\[A-Za-z]+|[A-Za-z])(?:'+)?(?:\^\{[^{}]*\}|\^\\T|\^\w)?(?:_\{[^{}]*\}|_\w)?"
    r"(?:\^\{[^{}]*\}|\^\\T|\^\w)?"
)
_SPACE = r"(?:\s|\\[,;!])+"


def _subs(pattern: str, repl, body: str, kind: str) -> list:
    """One mutation per match of ``pattern`` (``repl`` is a string or a function)."""
    out = []
    for m in re.finditer(pattern, body):
        new = m.expand(repl) if isinstance(repl, str) else repl(m)
        if new is None or new == m.group(0):
            continue
        out.append((kind, body[: m.start()] + new + body[m.end() :]))
    return out


_MATRIX_LIKE = re.compile(r"^(?:[A-Za-z]|\\delta|\\Delta)(?:\^\{[^{}]*\}|\^\\T|\^\w)?$")
_SCALARS = {"C", "M", "L", "n", "h", "e", "x", "y"}


def _swap(m):
    """Swap two adjacent factors that do not commute: vectors and matrices, not entries,
    scalars or unit columns (a swap of commuting factors is not a typo)."""
    a, b = m.group(1), m.group(3)
    if a == b or not (_MATRIX_LIKE.match(a) and _MATRIX_LIKE.match(b)):
        return None
    if a[0] in _SCALARS or b[0] in _SCALARS:
        return None
    return b + m.group(2) + a


def mutations(body: str) -> list[tuple[str, str]]:
    """All single meaning-changing typos of a display body: (kind, mutated body)."""
    muts = []
    muts += _subs(r"\^\{?\\!?\\T\}?|\^\{?\\mathsf\{?T\}?\}?", "", body, "dropped transpose")
    muts += _subs(r"(?<=[\w})\s])-(?=\s*[\w\\(])", "+", body, "sign - to +")
    muts += _subs(r"(?<=[\w})\s])\+(?=\s*[\w\\(])", "-", body, "sign + to -")
    muts += _subs(r"\^\{([lmr])([+-]1)\}", r"^{\1}", body, "layer index l±1 to l")
    muts += _subs(r"\^([lmr])(?![\w{])", r"^{\1+1}", body, "layer index l to l+1")
    muts += _subs(r"\^\{?L\}?(?![\w-])", r"^{L-1}", body, "layer index L to L-1")
    muts += _subs(r"\\t?frac\s*\{?1\}?\s*\{?M\}?\s*", "", body, "lost 1/M")
    muts += _subs(r"\\t?frac\s*\{?1\}?\s*\{?2\}?\s*", "", body, "lost 1/2")
    muts += _subs(r"(?<![\w^_{.])2\s*(?=[\\(\w])", "", body, "lost factor 2")
    muts += _subs(r"\\odot", r"\\,", body, "odot as matrix product")
    muts += _subs(rf"({_FACTOR})({_SPACE})({_FACTOR})", _swap, body, "swapped factors")
    muts += _subs(r"(?<![<>\\])=(?!\s*0\b)\s*", "= -", body, "sign of the right side")
    muts += _subs(r"'", "", body, "lost prime")
    muts += _subs(r"_\{([ijk])([ijk])\}", r"_{\2\1}", body, "swapped entry indices")
    muts += _subs(
        r"_([jk])(?![\w}])",
        lambda m: "_" + {"j": "k", "k": "j"}[m.group(1)],
        body,
        "wrong entry index",
    )
    muts += _subs(r"\^\{n_\{l-1\}\}", "^{n_l}", body, "wrong bound in a sum")
    muts += _subs(r"\^\{n_l\}", "^{n_{l-1}}", body, "wrong bound in a sum")
    muts += _subs(r"(\\sum_\{\w=)1\}", r"\g<1>2}", body, "wrong start of a sum")
    muts += _subs(r"\^\{L-1\}", "^{L}", body, "wrong bound L-1 to L")
    muts += _subs(r"(?<![\w{])\^2(?![\d}])", "", body, "lost square")
    muts += _subs(r"\\t?frac\s*\{?1\}?\s*\{?2\}?", r"\\tfrac14", body, "wrong constant")
    muts += _subs(r"\s*\+\s*b\^\{?l\}?(?:_\w)?", "", body, "lost term")
    muts += _subs(
        r"(?<![(\\])(W\^(?:\{[^{}]*\}|\w))(?!\)?\^)", r"(\1)^\\T", body, "added transpose"
    )
    muts += _subs(r"\\sigma(?=[(_])(?!_\w')", r"\\sigma'", body, "added prime")
    muts += _subs(
        r"\b([az])(?=\^)", lambda m: {"a": "z", "z": "a"}[m.group(1)], body, "a and z confused"
    )
    muts += _subs(r"\{([lmr])-1\}", r"{\1-2}", body, "index l-1 to l-2")
    muts += _subs(r"n_\{l-1\}", "n_l", body, "n_{l-1} for n_l")
    muts += _subs(r"n_l(?![\w}])", "n_{l-1}", body, "n_l for n_{l-1}")
    muts += _subs(r"\^\{?L\}?(?![\w-])", "^l", body, "L for l")
    muts += _subs(r"\s*\\odot\s*\\sigma(_\w)?'\([^()]*\)", "", body, "lost Hadamard factor")
    muts += _subs(r"\\diag\\big\(\\sigma(_\w)?'\([^()]*\)\\big\)", "", body, "lost diagonal factor")
    muts += _subs(r"(?<![\w^_{])2(?![\w}])", "3", body, "wrong digit")
    seen, out = set(), []
    for kind, new in muts:
        if new not in seen and new != body:
            seen.add(new)
            out.append((kind, new))
    return out


def layout_changes(body: str) -> list[tuple[str, str]]:
    """Changes a reader would not call a different equation: they must all pass."""
    out = [
        ("spacing", re.sub(r"\s+", "  ", body)),
        ("thin spaces", body.replace("=", r"\,=\,")),
        ("left/right", body.replace(r"\big(", r"\left(").replace(r"\big)", r"\right)")),
        ("no big", re.sub(r"\\[Bb]ig[lr]?", "", body)),
        ("bigger parens", body.replace("(", r"\Big(").replace(")", r"\Big)")),
        ("side remark", body.rstrip().rstrip(".,") + r" \qquad\text{(as derived above)}"),
        ("negative space", body.replace("^\\T", "^{\\!\\T}")),
        ("mathsf T", body.replace("\\T", "\\mathsf{T}")),
    ]
    return [(k, b) for k, b in out if b != body]


_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|\d|[A-Za-z]|[^\s]")
_LAYOUT = {
    r"\,",
    r"\!",
    r"\;",
    r"\quad",
    r"\qquad",
    r"\big",
    r"\Big",
    r"\bigl",
    r"\bigr",
    r"\Bigl",
    r"\Bigr",
    r"\left",
    r"\right",
    "{",
    "}",
    ".",
    ",",
    ";",
    ":",
    "&",
    r"\\",  # a line break, like "&": deleting it leaves the same equation on fewer lines
}


def token_edits(body: str, rng: random.Random, n: int) -> list[tuple[str, str]]:
    """``n`` seeded random single-token edits outside ``\\text{...}``: delete a token, put
    another letter for a letter, another digit for a digit, flip a sign. Closer to what an
    outside reviewer might plant than the kinds in :func:`mutations`."""
    text = [m.span() for m in re.finditer(r"\\text\{[^{}]*\}", body)]
    toks = [
        m
        for m in _TOKEN.finditer(body)
        if m.group() not in _LAYOUT and not any(a <= m.start() < b for a, b in text)
    ]
    out = []
    for _ in range(20 * n):
        if len(out) >= n or not toks:
            break
        m = rng.choice(toks)
        t, kind = m.group(), rng.choice(["delete", "letter", "digit", "sign"])
        if kind == "delete":
            new = ""
        elif kind == "letter" and len(t) == 1 and t.isalpha():
            new = rng.choice([x for x in "abzWlmLjkiyx" if x != t])
        elif kind == "digit" and t.isdigit():
            new = str((int(t) + rng.randint(1, 8)) % 10)
        elif kind == "sign" and t in "+-":
            new = "-" if t == "+" else "+"
        else:
            continue
        out.append((f"token {kind} {t!r}->{new!r}", body[: m.start()] + new + body[m.end() :]))
    return out


def catches(d: Display, body: str) -> tuple[bool, str]:
    try:
        check_display(replace(d, body=body))
    except EquationError as exc:
        return True, str(exc).splitlines()[0]
    except Exception as exc:  # a crash of the checker counts as a catch, but is reported
        return True, f"CRASH {type(exc).__name__}: {exc}"
    return False, ""


def run(
    paths, sample: int | None = None, seed: int = 0, verbose: bool = True, fuzz: int = 10
) -> dict:
    """Plant every (or ``sample`` seeded random) typo(s) in each checked display of the
    chapters ``paths``; return counts and the typos that were not caught."""
    rng = random.Random(seed)
    result = {
        "planted": 0,
        "caught": 0,
        "missed": [],
        "layout": 0,
        "layout_failed": [],
        "chapters": {},
    }
    for path in paths:
        before = (result["planted"], result["caught"])
        for d in scan(path):
            if d.label is None or d.status != "check":
                continue
            muts = mutations(d.body) + token_edits(d.body, rng, fuzz)
            if set(d.contexts) <= {"chain"}:  # single neurons: every factor is a scalar
                muts = [(k, b) for k, b in muts if k != "swapped factors"]
            if sample is not None and len(muts) > sample:
                muts = rng.sample(muts, sample)
            for kind, body in muts:
                result["planted"] += 1
                caught, _ = catches(d, body)
                if caught:
                    result["caught"] += 1
                else:
                    result["missed"].append((d.label, kind, body))
            for kind, body in layout_changes(d.body):
                result["layout"] += 1
                failed, msg = catches(d, body)
                if failed:
                    result["layout_failed"].append((d.label, kind, msg))
        planted, caught = result["planted"] - before[0], result["caught"] - before[1]
        if planted:
            result["chapters"][Path(path).stem] = (caught, planted)
    if verbose:
        for label, kind, body in result["missed"]:
            print(f"MISSED {label} [{kind}]: {' '.join(body.split())}")
        for label, kind, msg in result["layout_failed"]:
            print(f"LAYOUT FAILED {label} [{kind}]: {msg}")
        for stem, (c, p) in result["chapters"].items():
            print(f"  {stem}: {c} of {p} caught ({100 * c / p:.1f} %)")
        p, c = result["planted"], result["caught"]
        print(
            f"{c} of {p} planted typos caught ({100 * c / max(p, 1):.1f} %); "
            f"{result['layout'] - len(result['layout_failed'])} of {result['layout']} "
            "layout changes pass"
        )
    return result


if __name__ == "__main__":
    args = sys.argv[1:] or sorted(str(p) for p in Path("chapters").glob("*.md"))
    res = run(args)
    rate = res["caught"] / max(res["planted"], 1)
    sys.exit(0 if rate >= 0.95 and not res["layout_failed"] else 1)
