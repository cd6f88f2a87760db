"""Lighter pages, after the build: stylesheet rules no page can match, and code markup that
changes nothing a reader sees.

* **Unused rules.** The stylesheets of the theme and of the extensions (not the book's own,
  ``_static/`` of the repository) lose every selector that no page can match; a rule with none
  left goes. The theme's stylesheet (310 kB) is mostly Bootstrap, whose grid and utility
  classes the book does not use. A selector is kept unless it needs a class or an id (outside
  ``:not()``, ``:is()``, ...) that is nowhere in the site: not a word of any page (its markup,
  inline scripts, saved widget state) nor of any script the site serves (a class a script adds,
  such as ``show`` or ``dropdown-menu-dark``, is a word of that script), nor one that scripts
  build from parts (:data:`DYNAMIC_CLASSES`).
* **Plain code tokens.** Pygments wraps every name and punctuation mark of a code cell in a
  ``<span class="n">`` or ``<span class="p">``; with the theme's colours these classes have
  the colour of the code around them, in light and dark mode alike, so about half of a
  chapter's code markup draws nothing. Those spans are unwrapped, for exactly the classes whose
  only rule in ``pygments.css`` sets that same colour, in every colour mode, and which no other
  rule may style on an element of that one class (``.sig-param.n`` cannot).

The site only: the single page that ``make pdf`` prints is left as it is. CSS is parsed with
tinycss2 (a dependency of nbconvert's bleach, pinned in ``requirements/``).
"""

from __future__ import annotations

import re
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

DYNAMIC_CLASSES = ("bs-", "thebe-status-")
"""Prefixes of class names that scripts build from parts: Bootstrap's tooltips and popovers
(``bs-${name}-auto``), sphinx-thebe's status (``thebe-status-${status}``)."""
WORD = re.compile(r"-*[A-Za-z_][\w-]*")
NESTING_AT_RULES = {"media", "supports", "layer", "container"}
CODE = re.compile(r'(<div class="highlight"><pre>)(.*?)(</pre></div>)', re.S)
HIGHLIGHT = re.compile(r"(?P<mode>.*?)\s*\.highlight(?:\s+\.(?P<cls>[\w-]+))?")
"""A rule of ``pygments.css``: ``html[data-theme="dark"] .highlight .n`` (or no class)."""


def parse(css: str) -> list:
    import tinycss2

    return tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)


def serialize(tokens) -> str:
    import tinycss2

    return tinycss2.serialize(tokens).strip()


def selectors(prelude: list) -> list[list]:
    """The selectors of a rule's prelude (split at its top-level commas)."""
    parts: list[list] = [[]]
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            parts.append([])
        else:
            parts[-1].append(token)
    return parts


def needed_names(selector: list):
    """Classes and ids an element must carry for ``selector`` to match it (not counting those
    inside functional pseudo-classes: ``:not(.a)`` matches without ``a``)."""
    previous = None
    for token in selector:
        if token.type == "ident" and getattr(previous, "value", None) == ".":
            yield token.value
        elif token.type == "hash" and token.is_identifier:
            yield token.value
        previous = token


def all_class_names(tokens: list):
    """Every class ``tokens`` name, also inside ``:not()``, ``:is()``, ..."""
    previous = None
    for token in tokens:
        if token.type == "ident" and getattr(previous, "value", None) == ".":
            yield token.value
        elif token.type == "function":
            yield from all_class_names(token.arguments)
        elif token.type in ("[] block", "() block"):
            yield from all_class_names(token.content)
        previous = token


def lone_classes(selector: list):
    """Classes ``selector`` may style on an element that has that one class and no id: a class
    alone in a compound selector (``.n``, ``.highlight .n``, not ``.sig-param.n``), and any
    class inside ``:not()``, ``:is()``, ..."""
    compound: list = []
    for token in [*selector, None]:
        if (
            token is not None
            and token.type != "whitespace"
            and not (token.type == "literal" and token.value in (">", "+", "~"))
        ):
            compound.append(token)
            continue
        names = list(needed_names(compound))
        if len(names) == 1 and not any(t.type == "hash" for t in compound):
            yield names[0]
        for t in compound:
            if t.type in ("function", "[] block", "() block"):
                yield from all_class_names([t])
        compound = []


def qualified_rules(rules: list):
    """The style rules of a stylesheet, also those inside ``@media`` and the like."""
    import tinycss2

    for rule in rules:
        if rule.type == "qualified-rule":
            yield rule
        elif rule.type == "at-rule" and rule.lower_at_keyword in NESTING_AT_RULES and rule.content:
            inner = tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True)
            yield from qualified_rules(inner)


# ------------------------------------------------------------------------------ unused rules
def words_in_site(out: Path) -> set[str]:
    words: set[str] = set()
    for path in [*out.rglob("*.html"), *out.rglob("*.js")]:
        words.update(WORD.findall(path.read_text(encoding="utf-8", errors="replace")))
    return words


def may_match(selector: list, words: set[str]) -> bool:
    return all(
        name in words or name.startswith(DYNAMIC_CLASSES) or not WORD.fullmatch(name)
        for name in needed_names(selector)
    )


def used_rules(rules: list, words: set[str]):
    """``rules`` as CSS text, without the selectors (and rules) no page can match."""
    import tinycss2

    for rule in rules:
        if rule.type == "qualified-rule":
            kept = [serialize(s) for s in selectors(rule.prelude) if may_match(s, words)]
            if kept:
                yield ",".join(kept) + "{" + tinycss2.serialize(rule.content) + "}"
        elif rule.type == "at-rule" and rule.lower_at_keyword in NESTING_AT_RULES and rule.content:
            inner = tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True)
            body = "".join(used_rules(inner, words))
            if body:
                yield f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{{body}}}"
        else:
            yield rule.serialize()


def trim_stylesheet(css: str, words: set[str]) -> str:
    """``css`` without unmatchable rules; unchanged if it holds anything tinycss2 cannot parse."""
    rules = parse(css)
    if any(r.type == "error" for r in rules):
        return css
    return "".join(used_rules(rules, words)) + "\n"


def theirs(app: Sphinx, static: Path) -> list[Path]:
    """The stylesheets under ``_static`` of the built site that the book did not write."""
    own = {"book-icons.css"}  # generated by light_pages.py: only the icons the pages use
    for folder in app.config.html_static_path:
        source = Path(app.confdir, folder)
        own |= {p.relative_to(source).as_posix() for p in source.rglob("*.css")}
    return [p for p in sorted(static.rglob("*.css")) if p.relative_to(static).as_posix() not in own]


# ------------------------------------------------------------------------ plain code tokens
def plain_code_classes(out: Path) -> set[str]:
    """Pygments classes drawn exactly like the code around them (see the module's docstring)."""
    import tinycss2

    path = out / "_static" / "pygments.css"
    if not path.is_file():
        return set()
    base: dict[str, str | None] = {}  # colour mode -> colour of .highlight
    styles: dict[str, dict[str, dict]] = {}  # class -> colour mode -> declarations
    elsewhere: set[str] = set()  # classes some other rule may style
    for rule in qualified_rules(parse(path.read_text(encoding="utf-8"))):
        declarations = {
            d.lower_name: serialize(d.value).lower()
            for d in tinycss2.parse_declaration_list(
                rule.content, skip_comments=True, skip_whitespace=True
            )
            if d.type == "declaration"
        }
        for selector in selectors(rule.prelude):
            match = HIGHLIGHT.fullmatch(serialize(selector))
            if match is None:
                elsewhere.update(lone_classes(selector))
            elif match["cls"]:
                styles.setdefault(match["cls"], {})[match["mode"]] = declarations
            else:
                base[match["mode"]] = declarations.get("color")
    for css in out.rglob("*.css"):
        if css != path:
            for rule in qualified_rules(parse(css.read_text(encoding="utf-8"))):
                for selector in selectors(rule.prelude):
                    elsewhere.update(lone_classes(selector))
    return {
        cls
        for cls, by_mode in styles.items()
        if cls not in elsewhere
        and all(base.get(mode) and d == {"color": base[mode]} for mode, d in by_mode.items())
    }


def unwrap_plain_code(out: Path, plain: set[str]) -> int:
    """Remove the spans of ``plain`` classes from the code blocks of every page."""
    if not plain:
        return 0
    names = "|".join(map(re.escape, sorted(plain)))
    span = re.compile(rf'<span class="(?:{names})">([^<]*)</span>')
    removed = 0

    def unwrap(block: re.Match) -> str:
        nonlocal removed
        code, n = span.subn(r"\1", block[2])
        removed += n
        return block[1] + code + block[3]

    for page in out.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        lighter = CODE.sub(unwrap, html)
        if lighter != html:
            page.write_text(lighter, encoding="utf-8")
    return removed


def lighten(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.name != "html":
        return
    out = Path(app.outdir)
    plain = plain_code_classes(out)
    removed = unwrap_plain_code(out, plain)
    words = words_in_site(out)
    before = after = 0
    for path in theirs(app, out / "_static"):
        css = path.read_text(encoding="utf-8")
        trimmed = trim_stylesheet(css, words)
        before, after = before + len(css), after + len(trimmed)
        if trimmed != css:
            path.write_text(trimmed, encoding="utf-8")
    logger.info(
        "code spans drawn like their surroundings (%s) unwrapped: %d; "
        "stylesheets without unused rules: %d kB -> %d kB",
        " ".join(sorted(plain)),
        removed,
        before // 1000,
        after // 1000,
    )


def setup(app: Sphinx):
    # After every extension has written its stylesheet (MyST-NB's at build-finished too) and
    # after light_pages.py and static_math.py have written the final pages.
    app.connect("build-finished", lighten, priority=800)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
