r"""Math typeset when the site is built, so that a chapter does not load MathJax (0.76 MB).

At the end of an HTML build, the math elements of every page with math (``span.math``,
``div.math``: Sphinx's and MyST-NB's, TeX between ``\(...\)`` or ``\[...\]``) go to Node in one
call, ``_ext/assets/static-math.js``: MathJax 3 from the site's own npm package (``mathjax``
in ``package.json``) finds and typesets them exactly as it does in a reader's browser (the TeX
macros of ``_config.yml``, CommonHTML output, hidden MathML for screen readers, no contextual
menu, so no formula is a tab stop). Each page gets MathJax's markup in place of the TeX, and
the small stylesheet of the rules and characters it uses; its MathJax scripts are removed.

* **Size.** In the browser, MathJax measures the x-height of the text around a formula and
  scales the formula to match (``font-size: 127.3%`` with the theme's fonts). The page's
  stylesheet does the same with ``font-size: calc(1ex / 0.442)`` (0.442 em: the x-height of
  MathJax's TeX fonts), so the match follows the reader's own fonts as before.
* **Fonts.** MathJax's CommonHTML fonts are subset (fontTools) to the characters the static
  pages use, into ``_vendor/mathjax/static-fonts/``; the pages that still run MathJax keep the
  full fonts.
* **Pages that keep MathJax in the browser**: a page with saved widget state (a widget may
  typeset math when it renders), and a page that would still have TeX delimiters in its text
  after this step (the browser's MathJax would typeset those; a log line names the page).
  The single page that ``make pdf`` prints is not changed (Chromium runs MathJax there).
* A character MathJax's fonts lack (``\mathbb{1}``) is drawn in the page's font; in the
  browser MathJax sizes it from the scale above, which a page holding one does with a few
  lines of script (``assets/static-math-text.js``).
* Two attributes MathJax repeats on every formula move into the stylesheet (the same rule)
  or go (``xmlns`` on ``<math>``: an HTML parser puts it in the MathML namespace anyway).
"""

from __future__ import annotations

import json
import posixpath
import re
import shutil
import subprocess
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

SCRIPT = Path(__file__).parent / "assets" / "static-math.js"
TEXT_SCRIPT = Path(__file__).parent / "assets" / "static-math-text.js"
"""Sizes the characters MathJax has no font for (``mjx-utext``), in the pages that have any."""
FONTS_SOURCE = Path("mathjax/es5/output/chtml/fonts/woff-v2")
"""MathJax's CommonHTML fonts, under node_modules."""
FONTS_DIR = "_vendor/mathjax/static-fonts"
"""Where the subset fonts go, in the built site."""
FONT_URL = "@MATHJAX-FONTS@"
"""The fonts' folder in the stylesheets Node writes; each page gets its own relative path."""

# A math element of Sphinx or MyST-NB: its opening tag, equation number (displays), the TeX
# with its delimiters (HTML-escaped: no tag inside) and its closing tag.
MATH = re.compile(
    r'(<(span|div) class="(?:[^"]*\s)?math(?:\s[^"]*)?"[^>]*>)'
    r'(\s*<span class="eqno">.*?</span>)?(.*?)(</\2>)',
    re.S,
)
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
CONFIG_SCRIPT = re.compile(r"\s*<script>window\.MathJax = .*?</script>", re.S)
STYLE = re.compile(r'<style id="MJX-CHTML-styles">(.*?)</style>', re.S)
# What MathJax would still typeset in the browser: delimiters in the text outside the tags
# MathJax skips (and outside the formulas already typeset).
NOT_SEARCHED = re.compile(
    r"<(script|style|pre|code|textarea|noscript|mjx-container)\b.*?</\1>", re.S | re.I
)
TEX_LEFT = re.compile(r"\\\(|\\\[|\$\$|\\begin\{|\\(?:eq)?ref\{")
CONTENT = re.compile(r'content: ?"((?:[^"\\]|\\.)*)"')
CSS_CHAR = re.compile(r"\\([0-9A-Fa-f]{1,6}) ?|\\(.)|(.)", re.S)


def mathjax_script(app: Sphinx) -> re.Pattern:
    """The ``<script src=...>`` tag of MathJax that Sphinx puts into pages with math."""
    path = app.config.mathjax_path
    if "://" not in path:
        path = r"(?:\.\./)*" + re.escape(posixpath.normpath(posixpath.join("_static", path)))
    else:
        path = re.escape(path)
    return re.compile(r'\s*<script\b[^>]*\bsrc="' + path + r'(?:\?[^"]*)?"[^>]*></script>')


def typeset(app: Sphinx, pages: list[list[str]]) -> dict:
    """Node's answer for the math fragments of each page (see ``assets/static-math.js``)."""
    from vendored_assets import node_modules

    node = shutil.which("node")
    if node is None:
        raise ExtensionError("node is missing: the build typesets the math with Node.js (>= 18)")
    request = {
        "mathjax": str(node_modules(app) / "mathjax"),
        "tex": (app.config.mathjax3_config or {}).get("tex", {}),
        "fontURL": FONT_URL,
        "pages": pages,
    }
    done = subprocess.run(
        [node, str(SCRIPT)], input=json.dumps(request), capture_output=True, encoding="utf-8"
    )
    if done.returncode != 0:
        raise ExtensionError(f"{SCRIPT.name} failed: {done.stderr.strip()[-3000:]}")
    return json.loads(done.stdout)


def minify(css: str) -> str:
    """MathJax's stylesheet without comments and spare white space (strings kept as they are:
    ``content: ";"`` names a character)."""
    parts = re.split(r'("(?:[^"\\]|\\.)*")', css)
    for i in range(0, len(parts), 2):
        text = re.sub(r"\s+", " ", re.sub(r"/\*.*?\*/", "", parts[i], flags=re.S))
        parts[i] = re.sub(r" ?([{};,]) ?", r"\1", text)
    return "".join(parts).strip()


def compact(fragment: str) -> str:
    fragment = re.sub(r'(<mjx-container [^>]*?) style="position: relative;"', r"\1", fragment)
    return fragment.replace(' xmlns="http://www.w3.org/1998/Math/MathML"', "")


def tex_left(html: str) -> list[str]:
    """TeX that MathJax in the browser would still find in the page's text."""
    body = html.split("<body", 1)[-1]
    text = re.sub(r"<[^>]*>", " ", NOT_SEARCHED.sub(" ", body))
    return [text[max(0, m.start() - 40) : m.start() + 40] for m in TEX_LEFT.finditer(text)]


def static_page(html: str, fragments: list[str], css: str, fonts: str, script) -> str:
    parts = iter(fragments)
    html = MATH.sub(lambda m: m[1] + (m[3] or "") + compact(next(parts)) + m[5], html)
    html = script.sub("", CONFIG_SCRIPT.sub("", html))
    style = css.replace(FONT_URL, fonts)
    html = html.replace("</head>", f'<style id="MJX-CHTML-styles">{style}</style>\n</head>', 1)
    if "<mjx-utext" in html:
        code = TEXT_SCRIPT.read_text(encoding="utf-8")
        html = html.replace("</body>", f"<script>\n{code}</script>\n</body>", 1)
    return html


def make_pages_static(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.name != "html":
        return
    out = Path(app.outdir)
    script = mathjax_script(app)
    pages = {}
    for path in sorted(out.rglob("*.html")):
        html = path.read_text(encoding="utf-8")
        if script.search(html) and WIDGET_STATE not in html:
            pages[path] = html
    if pages:
        answer = typeset(app, [[m[4] for m in MATH.finditer(h)] for h in pages.values()])
        # MathJax's own rules, with the size of the text around each formula (see above).
        rules = (
            f'mjx-container[jax="CHTML"]{{position:relative;'
            f"font-size:calc(1ex / {answer['xHeight']})}}"
        )
        kept = []
        for (path, html), result in zip(pages.items(), answer["pages"]):
            name = path.relative_to(out).as_posix()
            for fragment in result["typeset"]:
                for error in re.findall(r'data-mjx-error="([^"]*)"', fragment):
                    logger.warning("%s: TeX error in a formula: %s", name, error)
            fonts = posixpath.relpath(FONTS_DIR, posixpath.dirname(name) or ".")
            css = rules + minify(result["css"])
            new = static_page(html, result["typeset"], css, fonts, script)
            left = tex_left(new)
            if left:
                kept.append(name)
                logger.info("%s keeps MathJax in the browser: TeX outside math: %s", name, left)
                continue
            path.write_text(new, encoding="utf-8")
        logger.info(
            "math typeset at build time in %d pages%s",
            len(pages) - len(kept),
            f"; MathJax still runs in {kept}" if kept else "",
        )
    subset_fonts(app, out)


def css_code_points(css: str) -> set[int]:
    points = set()
    for content in CONTENT.findall(css):
        for hex_code, escaped, char in CSS_CHAR.findall(content):
            points.add(int(hex_code, 16) if hex_code else ord(escaped or char))
    return points


def subset_fonts(app: Sphinx, out: Path) -> None:
    """Subset MathJax's fonts to what every static page shows (this build's and earlier ones')."""
    points: set[int] = set()
    names: set[str] = set()
    for path in out.rglob("*.html"):
        style = STYLE.search(path.read_text(encoding="utf-8"))
        if style:
            points |= css_code_points(style[1])
            names |= set(re.findall(r"static-fonts/([\w-]+\.woff)", style[1]))
    if not names:
        return
    from fontTools import subset
    from vendored_assets import node_modules

    target = out / FONTS_DIR
    target.mkdir(parents=True, exist_ok=True)
    for name in sorted(names):
        options = subset.Options()
        options.flavor = "woff"
        options.drop_tables += ["FFTM"]
        font = subset.load_font(str(node_modules(app) / FONTS_SOURCE / name), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=points)
        subsetter.subset(font)
        subset.save_font(font, str(target / name), options)
    logger.info("MathJax fonts subset to %d characters: %s/", len(points), FONTS_DIR)


def setup(app: Sphinx):
    # Before light_pages (priority 500), which reads the final pages.
    app.connect("build-finished", make_pages_static, priority=400)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
