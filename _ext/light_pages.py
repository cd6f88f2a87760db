"""Lighter pages: the theme's icons without its 1.5 MB icon script.

pydata-sphinx-theme puts ``_static/scripts/fontawesome.js`` (1.5 MB: every Font Awesome 6 icon
as SVG data, and the code that swaps ``<i class="fa-...">`` tags for them) into the head of
every page, for the dozen icons of the header buttons. This extension, after the build:

* collects the icons the pages use (``<i class="fa-brands fa-github">``, ...), plus those the
  theme's scripts create (``DYNAMIC_ICONS``);
* takes their outlines from that same ``fontawesome.js`` (so they are the theme's icons,
  version for version) and writes them into ``_static/book-icons.css`` as CSS masks on the
  icon element's ``::before`` box, painted in ``currentColor`` (a few KB; icons created
  later by a script get the same rule);
* removes the ``fontawesome.js`` script tag from every page, and the Font Awesome glyph
  rules (``.fa-github:before{content:"\\f09b"}``, 86 kB) from the theme's stylesheet.

An icon used in a page but missing from the theme's script fails the build.

The theme's stylesheet draws a few more icons as glyphs of the Font Awesome fonts (admonition
titles, external links, breadcrumbs: ``content: var(--pst-icon-info-circle)``), which made
every page fetch both fonts (275 kB). The fonts are subset (fontTools, a matplotlib
dependency) to the code points that stylesheet still names, and its ``@font-face`` rules point
at the subsets (a few kB).

The theme also puts Sphinx's search scripts and the whole search index (150 kB, render
blocking) into every page, for its "search as you type" option; with that option off (the
default) only ``search.html`` uses them, so they are removed from the other pages. Likewise
sphinx-design's stylesheet and tab script (62 kB) leave the pages that use none of its
components (no ``sd-`` class).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

ICON_CSS = "book-icons.css"
FA_SCRIPT = re.compile(
    r'\s*<script[^>]*src="[^"]*_static/scripts/fontawesome\.js[^"]*"[^>]*>\s*</script>'
)
SEARCH_SCRIPTS = re.compile(
    r'\s*<script src="[^"]*(?:_static/searchtools\.js|_static/language_data\.js|searchindex\.js)"'
    r"></script>"
)
DESIGN_ASSETS = re.compile(
    r'\s*(?:<link[^>]*href="[^"]*_static/sphinx-design\.min\.css[^"]*"[^>]*>'
    r'|<script[^>]*src="[^"]*_static/design-tabs\.js[^"]*"[^>]*></script>)'
)
USES_DESIGN = re.compile(r'class="(?:[^"]*\s)?sd-')
FA_GLYPH_RULES = re.compile(r'(?:\.fa-[a-z0-9-]+:(?:before|after),?)+\{content:"[^"]*"\}\n?')
CLASS_ATTR = re.compile(r'<(?:i|span)\b[^>]*\bclass="([^"]*\bfa[a-z-]*\b[^"]*)"')
# Classes that style an icon (size, width, animation), not name it.
MODIFIERS = re.compile(r"^fa-(\d*x|2xs|xs|sm|lg|xl|2xl|fw|spin|pulse|beat|fade|flip|border|li|ul)$")
PACKS = {"brands": ("fab", "fa-brands"), "regular": ("far", "fa-regular"),
         "solid": ("fas", "fa-solid", "fa")}  # fmt: skip
PACK_OF_CLASS = {cls: pack for pack, classes in PACKS.items() for cls in classes}
DYNAMIC_ICONS = {("solid", "xmark")}
"""Icons the theme's scripts create at run time (pydata-sphinx-theme's banner close button)."""

# One icon of the theme's fontawesome.js: "name":[width,height,[aliases],"unicode","path"].
ICON_DATA = re.compile(
    r'(?:"([a-z0-9-]+)"|\b([a-z0-9_]+)):\[(\d+),(\d+),\[([^\]]*)\],"[0-9a-f]+",("M[^"]*")\]'
)
PACK_END = re.compile(r'd\("(fab|far|fas)",p\)')


def theme_icons(script: str) -> dict[tuple[str, str], tuple[int, int, str]]:
    """``{(pack, name): (width, height, svg_path)}`` from the theme's ``fontawesome.js``."""
    ends = [(m.start(), {"fab": "brands", "far": "regular", "fas": "solid"}[m.group(1)])
            for m in PACK_END.finditer(script)]  # fmt: skip
    icons = {}
    for m in ICON_DATA.finditer(script):
        pack = next((p for end, p in ends if m.start() < end), None)
        if pack is None:
            continue
        name = m.group(1) or m.group(2)
        value = (int(m.group(3)), int(m.group(4)), m.group(6).strip('"'))
        icons[(pack, name)] = value
        for alias in re.findall(r'"([a-z0-9-]+)"', m.group(5)):
            icons.setdefault((pack, alias), value)
    return icons


def icons_in_page(html: str) -> set[tuple[str, str]]:
    used = set()
    for classes in CLASS_ATTR.findall(html):
        names = classes.split()
        packs = [PACK_OF_CLASS[c] for c in names if c in PACK_OF_CLASS]
        if not packs:
            continue
        for c in names:
            if c.startswith("fa-") and c not in PACK_OF_CLASS and not MODIFIERS.match(c):
                used.add((packs[0], c.removeprefix("fa-")))
    return used


def icon_rule(pack: str, name: str, width: int, height: int, path: str) -> str:
    svg = (
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}'>"
        f"<path d='{path}'/></svg>"
    )
    url = 'url("data:image/svg+xml,' + quote(svg, safe="/:=' ") + '")'
    selector = ",".join(f".{cls}.fa-{name}::before" for cls in PACKS[pack])
    return (
        f"{selector}{{content:''!important;width:{width / height:.4f}em;"
        f"-webkit-mask-image:{url};mask-image:{url}}}"
    )


CSS_HEAD = """/* Generated by _ext/light_pages.py: the theme's Font Awesome icons as CSS masks. */
:is(i,span):is(.fa-brands,.fab,.fa-regular,.far,.fa-solid,.fas)::before{display:inline-block;height:1em;vertical-align:-0.125em;background-color:currentColor;
-webkit-mask-repeat:no-repeat;mask-repeat:no-repeat;-webkit-mask-position:center;
mask-position:center;-webkit-mask-size:contain;mask-size:contain}
"""


CODE_POINT = re.compile(r'"\\(f[0-9a-f]{3})"|"([\ue000-\uf8ff])"')
FONT_SRC = re.compile(r"src:url\(\.\./vendor/fontawesome/webfonts/(fa-[a-z]+-\d+)\.woff2\)[^;}]*")


def subset_fonts(css: str, styles: Path) -> str:
    """Subset the Font Awesome fonts to the code points ``css`` names; return the new css."""
    from fontTools import subset

    points = {int(a or f"{ord(b):x}", 16) for a, b in CODE_POINT.findall(css)}
    webfonts = styles.parent / "vendor" / "fontawesome" / "webfonts"

    def replace(match: re.Match) -> str:
        name = match.group(1)
        source = webfonts / f"{name}.ttf"
        target = webfonts / f"{name}.subset.woff"
        if not source.is_file():
            return match.group(0)
        options = subset.Options()
        options.flavor = "woff"
        options.layout_features = []
        font = subset.load_font(str(source), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=points)
        subsetter.subset(font)
        subset.save_font(font, str(target), options)
        return f'src:url(../vendor/fontawesome/webfonts/{target.name}) format("woff")'

    return FONT_SRC.sub(replace, css)


def lighten(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    script_path = out / "_static" / "scripts" / "fontawesome.js"
    if not script_path.is_file():
        return
    icons = theme_icons(script_path.read_text(encoding="utf-8"))
    search_everywhere = app.builder.theme_options.get("search_as_you_type", False)
    used = set(DYNAMIC_ICONS)
    for page in out.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        used |= icons_in_page(html)
        lighter = FA_SCRIPT.sub("", html)
        if page.name != "search.html" and str(search_everywhere).lower() != "true":
            lighter = SEARCH_SCRIPTS.sub("", lighter)
        if not USES_DESIGN.search(lighter):
            lighter = DESIGN_ASSETS.sub("", lighter)
        if lighter != html:
            page.write_text(lighter, encoding="utf-8")
    missing = sorted(f"{p}/{n}" for p, n in used if (p, n) not in icons)
    if missing:
        raise ExtensionError(f"icons used but not in the theme's fontawesome.js: {missing}")
    theme_css = out / "_static" / "styles" / "pydata-sphinx-theme.css"
    if theme_css.is_file():
        css = FA_GLYPH_RULES.sub("", theme_css.read_text(encoding="utf-8"))
        theme_css.write_text(subset_fonts(css, theme_css.parent), encoding="utf-8")
    rules = [icon_rule(p, n, *icons[(p, n)]) for p, n in sorted(used)]
    (out / "_static" / ICON_CSS).write_text(CSS_HEAD + "\n".join(rules) + "\n", encoding="utf-8")
    logger.info("icons from _static/%s: %d; fontawesome.js left out", ICON_CSS, len(used))


def setup(app: Sphinx):
    app.add_css_file(ICON_CSS)
    app.connect("build-finished", lighten)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
