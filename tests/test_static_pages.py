"""The steps that make the built pages light (_ext/static_math.py, _ext/unused_styles.py), on
small pages and stylesheets; the browser tests check the built site (weights, typeset math,
MathML for screen readers, nothing requested from elsewhere)."""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))
static_math = importlib.import_module("static_math")
unused_styles = importlib.import_module("unused_styles")

MACROS = {"R": "\\mathbb{R}", "T": "\\mathsf{T}", "diag": "\\operatorname{diag}"}


def node_typeset(pages: list[list[str]]) -> dict:
    node, mathjax = shutil.which("node"), ROOT / "node_modules" / "mathjax"
    if node is None or not mathjax.is_dir():
        pytest.skip("Node.js or node_modules/mathjax missing (make setup runs npm ci)")
    request = {"mathjax": str(mathjax), "tex": {"macros": MACROS}, "fontURL": "F", "pages": pages}
    done = subprocess.run(
        [node, str(static_math.SCRIPT)],
        input=json.dumps(request),
        capture_output=True,
        encoding="utf-8",
        check=True,
    )
    return json.loads(done.stdout)


def test_node_typesets_each_page_with_mathml_and_its_own_stylesheet():
    answer = node_typeset([["\\(W^{\\T} \\in \\R\\)", "\\[a &lt; b\\]"], ["\\(\\sum_i y\\)"]])
    assert answer["xHeight"] == pytest.approx(0.442)
    first, second = answer["pages"]
    assert len(first["typeset"]) == 2 and len(second["typeset"]) == 1
    inline, display = first["typeset"]
    assert inline.startswith('<mjx-container class="MathJax" jax="CHTML"') and "\\(" not in inline
    assert "<mjx-assistive-mml" in inline and "<mi>W</mi>" in inline  # for screen readers
    assert 'display="true"' in display and "<mo>&lt;</mo>" in display
    assert "tabindex" not in inline + display  # no menu: formulas are not tab stops
    # each stylesheet has the characters of its own page only
    assert 'content: "W"' in first["css"] and 'content: "W"' not in second["css"]
    assert 'content: "\\2211"' in second["css"] and 'content: "\\2211"' not in first["css"]
    assert 'url("F/MathJax_Main-Regular.woff")' in first["css"]
    # what every formula repeats goes: the stylesheet positions the container, and an HTML
    # parser puts <math> in the MathML namespace without xmlns
    compact = static_math.compact(inline)
    assert compact.startswith('<mjx-container class="MathJax" jax="CHTML"><mjx-math')
    assert "xmlns" not in compact and "<math><msup><mi>W</mi>" in compact


def test_a_tex_error_is_reported_not_hidden():
    (page,) = node_typeset([["\\(\\frac{1}\\)"]])["pages"]
    assert "data-mjx-error" in page["typeset"][0]


PAGE = """<html><head>
<script>window.MathJax = {"tex": {}}</script>
<script defer="defer" src="../_vendor/mathjax/startup.js?v=1"></script>
</head><body>
<p>Inline <span class="math notranslate nohighlight">\\(a &lt; b\\)</span> text.</p>
<div class="math notranslate nohighlight" id="equation-x">
<span class="eqno">(1.1)<a class="headerlink" href="#equation-x">#</a></span>\\[x\\]</div>
<div class="output text_latex math notranslate nohighlight">
\\[\\displaystyle y\\]</div>
<pre>\\(not math\\)</pre>
</body></html>"""


class App:
    class config:  # noqa: N801 (what Sphinx's app.config offers)
        mathjax_path = "../_vendor/mathjax/startup.js"


def test_static_page_puts_the_typeset_math_in_place_and_drops_mathjax():
    fragments = [m[4] for m in static_math.MATH.finditer(PAGE)]
    assert fragments == ["\\(a &lt; b\\)", "\\[x\\]", "\n\\[\\displaystyle y\\]"]
    typeset = [f"<mjx-container>{i}</mjx-container>" for i in range(3)]
    script = static_math.mathjax_script(App)
    page = static_math.static_page(PAGE, typeset, "a{b:c}", "../fonts", script)
    assert "window.MathJax" not in page and "startup.js" not in page
    assert '<style id="MJX-CHTML-styles">a{b:c}</style>' in page
    inline = '<span class="math notranslate nohighlight"><mjx-container>0</mjx-container></span>'
    assert inline in page
    assert "#</a></span><mjx-container>1</mjx-container></div>" in page  # the number stays
    assert not static_math.tex_left(page)  # \( inside <pre> is code, not math
    assert static_math.tex_left(PAGE) and static_math.tex_left("<body><p>\\[x\\]</p></body>")


def test_minify_keeps_the_characters_css_strings_name():
    css = 'mjx-c.mjx-c3B::before {\n  padding: 0 .3em;\n  content: ";";\n}\n/* 0 */ a, b {c: "{ }"}'
    minified = 'mjx-c.mjx-c3B::before{padding: 0 .3em;content: ";";}a,b{c: "{ }"}'
    assert static_math.minify(css) == minified
    css = 'a{content: "\\1D6FF"} b{content: "{"} c{content: "\\2212 x"}'
    points = static_math.css_code_points(css)
    assert points == {0x1D6FF, ord("{"), 0x2212, ord("x")}


def test_trim_stylesheet_keeps_what_a_page_or_script_can_match():
    css = (
        ".used{a:1}.unused{b:2}.used,.unused .used{c:3}.x:not(.unused){d:4}#used-id{e:5}"
        "#gone{f:6}@media (min-width:1px){.unused{g:7}.used{h:8}}@media print{.unused{i:9}}"
        ".bs-tooltip-auto .tooltip-arrow{j:10}@font-face{font-family:X}p{k:11}"
    )
    words = {"used", "x", "used-id", "tooltip-arrow"}
    assert unused_styles.trim_stylesheet(css, words) == (
        ".used{a:1}.used{c:3}.x:not(.unused){d:4}#used-id{e:5}@media (min-width:1px){.used{h:8}}"
        ".bs-tooltip-auto .tooltip-arrow{j:10}@font-face{font-family:X}p{k:11}\n"
    )
    assert unused_styles.trim_stylesheet("a{b:c}}", set()) == "a{b:c}}"  # not parsed: unchanged


def site_with_code(tmp_path: Path) -> Path:
    static = tmp_path / "_static"
    static.mkdir()
    modes = {"light": ("#111", "#f00"), "dark": ("#eee", "#0f0")}
    pygments = "".join(
        f'html[data-theme="{m}"] .highlight{{background:#fff;color:{text}}}'
        f'html[data-theme="{m}"] .highlight .n{{color:{text}}}'
        f'html[data-theme="{m}"] .highlight .p{{color:{text}}}'
        f'html[data-theme="{m}"] .highlight .k{{color:{keyword}}}'
        for m, (text, keyword) in modes.items()
    )
    (static / "pygments.css").write_text(pygments)
    # .n with another class on the same element cannot style a code span; .p alone can
    (static / "theme.css").write_text(".sig-param.n{font-style:italic}.output .p{font-weight:700}")
    return tmp_path


def test_only_spans_drawn_like_the_code_around_them_are_unwrapped(tmp_path):
    site = site_with_code(tmp_path)
    assert unused_styles.plain_code_classes(site) == {"n"}
    code = '<span class="k">def</span> <span class="n">f</span><span class="p">(</span>'
    outside = '<em class="n">x</em><span class="n">y</span>'
    html = f'<div class="highlight"><pre>{code}</pre></div>{outside}'
    (site / "page.html").write_text(html)
    assert unused_styles.unwrap_plain_code(site, {"n"}) == 1
    assert (site / "page.html").read_text() == (
        '<div class="highlight"><pre><span class="k">def</span> f<span class="p">(</span>'
        f"</pre></div>{outside}"
    )


def test_lone_classes_are_those_a_one_class_element_may_get_styled_by():
    def lone(selector):
        (rule,) = unused_styles.parse(selector + "{a:b}")
        return list(unused_styles.lone_classes(rule.prelude))

    assert lone(".highlight .n") == ["highlight", "n"]
    assert lone(".sig-param.n") == [] and lone("#id.n") == []
    assert lone("div>.x:not(.y)") == ["x", "y"] and lone("span.n+.p") == ["n", "p"]
