"""The equation checker (backprop.equations): it must catch typos and ignore layout."""

import os
import re
from pathlib import Path

import numpy as np
import pytest

from backprop.equations import EquationError, check_chapter, check_display, scan
from backprop.equations.annotations import Display, parse_annotation
from backprop.equations.contexts import column_networks
from backprop.equations.evaluate import Evaluator
from backprop.equations.latex import ParseError, parse_display
from backprop.equations.typos import layout_changes, mutations

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.md"))


def check(body, annotation="% check: column"):
    d = Display("test", "eq-test", body, 0)
    parse_annotation(d, annotation)
    return check_display(d)


RECURSION = (
    r"\delta^l = \big((W^{l+1})^\T \delta^{l+1}\big) \odot \sigma'(z^l), \qquad l = L-1, \dots, 1."
)
CORRECT = [
    (RECURSION, "% check: column"),
    (r"\delta^L = (\nabla_{a^L} C)^\T \odot \sigma_L'(z^L).", "% check: column"),
    (r"\delta^L = (a^L - y) \odot \sigma_L'(z^L).", "% check: column"),
    (r"\frac{\partial C}{\partial b^l} = \delta^l,", "% check: column"),
    (
        r"\frac{\partial C}{\partial W^l} = \delta^l\, (a^{l-1})^\T \in \R^{n_l \times n_{l-1}}",
        "% check: column",
    ),
    (r"C = \tfrac12 \lVert a^L - y \rVert^2 .", "% check: column"),
    (r"z^l_j = \sum_{k=1}^{n_{l-1}} w^l_{jk}\, a^{l-1}_k + b^l_j .", "% check: column"),
    (
        r"\frac{\partial C}{\partial W^l} = \frac{1}{M} (\Delta^l)^{\mathsf T} A^{l-1}",
        "% check: batch",
    ),
    (
        r"C = \frac1M \sum_{m=1}^{M} C_m, \qquad C_m = \tfrac12 \lVert a^L_m - y_m \rVert^2 .",
        "% check: batch",
    ),
    (
        r"(\delta^l)^\T = \nabla_{a^L} C\; D^L\, W^L\, D^{L-1}\, W^{L-1} \cdots W^{l+1} D^l ,",
        r"% check: column; where D^l := \diag(\sigma_l'(z^l))",
    ),
    (
        r"\frac{\partial z^l}{\partial w^l_{jk}} = a^{l-1}_k\, e_j, \qquad "
        r"\frac{\partial z^l_i}{\partial w^l_{jk}} = [i = j]\, a^{l-1}_k, \qquad "
        r"\frac{\partial z^l}{\partial b^l} = I_{n_l}.",
        "% check: column",
    ),
]

# The typos of the issue: each must fail, naming the label.
TYPOS = [
    ("dropped transpose", RECURSION.replace("(W^{l+1})^\\T", "W^{l+1}"), "% check: column"),
    ("a + y for a - y", r"\delta^L = (a^L + y) \odot \sigma_L'(z^L).", "% check: column"),
    ("l+1 for l", r"\frac{\partial C}{\partial b^l} = \delta^{l+1},", "% check: column"),
    (
        "lost 1/M",
        r"\frac{\partial C}{\partial W^l} = (\Delta^l)^{\mathsf T} A^{l-1}",
        "% check: batch",
    ),
    ("odot as matrix product", RECURSION.replace(r"\odot", ""), "% check: column"),
    (
        "swapped product order",
        r"\frac{\partial C}{\partial W^l} = (a^{l-1})^\T \delta^l",
        "% check: column",
    ),
    ("wrong sign", r"\frac{\partial C}{\partial b^l} = -\delta^l,", "% check: column"),
    ("missing 1/2", r"C = \lVert a^L - y \rVert^2 .", "% check: column"),
    (
        "wrong index in a sum",
        r"z^l_j = \sum_{k=1}^{n_l} w^l_{jk}\, a^{l-1}_k + b^l_j .",
        "% check: column",
    ),
    (
        "swapped entry indices",
        r"\frac{\partial C}{\partial w^l_{jk}} = \delta^l_k\, a^{l-1}_j",
        "% check: column",
    ),
    ("sigma for sigma_L", r"\delta^L = (a^L - y) \odot \sigma'(z^L).", "% check: column"),
    ("lost prime", r"\delta^L = (a^L - y) \odot \sigma_L(z^L).", "% check: column"),
    (
        "wrong factor in a chain",
        r"(\delta^l)^\T = \nabla_{a^L} C\; D^L\, W^L\, D^{L-1}\, W^{L-1} \cdots W^{l} D^l ,",
        r"% check: column; where D^l := \diag(\sigma_l'(z^l))",
    ),
    ("mean vs sum cost", r"C = \sum_{m=1}^{M} C_m", "% check: batch"),
    ("delta as a row", r"\delta^l = \nabla_{z^l} C", "% check: column"),
]


@pytest.mark.parametrize("body, annotation", CORRECT)
def test_correct_equations_pass(body, annotation):
    assert check(body, annotation) > 0


@pytest.mark.parametrize("kind, body, annotation", TYPOS, ids=[t[0] for t in TYPOS])
def test_planted_typos_fail_naming_the_label(kind, body, annotation):
    with pytest.raises(EquationError, match="eq-test"):
        check(body, annotation)


def test_error_shows_both_sides_network_and_index():
    with pytest.raises(EquationError) as info:
        check(r"\frac{\partial C}{\partial b^l} = -\delta^l,")
    msg = str(info.value)
    assert "left side" in msg and "right side" in msg and "network" in msg and "l = " in msg


def test_dropped_transpose_fails_on_shape_and_on_value():
    """Non-square layers reject it by shape; a square network by value."""
    bad = RECURSION.replace("(W^{l+1})^\\T", "W^{l+1}")
    d = Display("test", "eq-test", bad, 0)
    parse_annotation(d, "% check: column")
    clauses, ranges = parse_display(bad)
    from backprop.equations.evaluate import check_clauses

    messages = []
    for inst in column_networks():
        try:
            check_clauses(
                clauses,
                ranges,
                inst,
                defs={},
                layer_letters="lm",
                entry_letters="ijk",
                default_range=lambda i: range(1, i.L + 1),
                rtol=1e-9,
                atol=1e-12,
                range_options={},
            )
        except EquationError as exc:
            messages.append(str(exc))
    assert any("cannot multiply" in m or "shapes" in m for m in messages)
    assert any("differ" in m for m in messages)


@pytest.mark.parametrize("body, annotation", CORRECT)
def test_layout_changes_pass(body, annotation):
    for kind, changed in layout_changes(body):
        assert check(changed, annotation) > 0, kind
    assert check(body.replace("\\T", "\\mathsf{T}"), annotation) > 0
    aligned = "\\begin{aligned}\n" + body.replace("=", "&=", 1) + "\n\\end{aligned}"
    assert check(aligned, annotation) > 0


def test_mutations_of_correct_equations_are_caught():
    planted = caught = 0
    for body, annotation in CORRECT:
        for _, changed in mutations(body):
            planted += 1
            try:
                check(changed, annotation)
            except EquationError:
                caught += 1
    assert planted > 50 and caught / planted >= 0.95


def test_layout_is_dropped_by_the_parser():
    a, _ = parse_display(r"\frac{\partial C}{\partial b^l} = \delta^l,")
    b, _ = parse_display(
        r"\dfrac{\partial C}{\partial b^{l}} \,=\, \left(\delta^l\right)"
        r" \qquad\text{(a remark)}"
    )
    strip = lambda cl: [(c.terms, c.rels) for c in cl]
    assert strip(a)[0][1] == strip(b)[0][1]
    assert a[0].terms[0] == b[0].terms[0]


def test_ranges_and_aligned_lines():
    clauses, ranges = parse_display(
        "\\begin{aligned}\n x &= y, & l &= 1, 2, 3,\\\\\n u &= v \\\\\n &= w\n\\end{aligned}"
    )
    assert [len(c.terms) for c in clauses] == [2, 3]
    assert ranges[0].var == "l" and len(ranges[0].values) == 3 and ranges[0].line == 0


def test_broken_lines_read_as_the_unbroken_display():
    """A display broken to fit a phone (issue 11) means what it meant on one line: a product
    broken after or before \\cdots, brackets closed on the next line, a range on a line of
    its own."""
    strip = lambda cl: [(c.terms, c.rels) for c in cl]
    product = r"\nabla_{a^L} C\; D^L\, W^L\, D^{L-1} \cdots W^{m+1} D^m\; e_j"
    one, _ = parse_display(r"\frac{\partial C}{\partial b^m_j} = " + product)
    for broken in (
        product.replace(r"D^{L-1} \cdots", r"D^{L-1} \\ &\qquad \cdots"),
        product.replace(r"\cdots W^{m+1}", r"\cdots \\ &\qquad W^{m+1}"),
    ):
        lhs = "\\frac{\\partial C}{\\partial b^m_j} &= "
        two, _ = parse_display("\\begin{aligned}\n" + lhs + broken + "\n\\end{aligned}")
        assert strip(two) == strip(one)
    one, _ = parse_display(r"s = \Big(x + y + z\Big) \qquad\text{(a remark)}")
    two, _ = parse_display("s = \\Big(x + y \\\\ &+ z\\Big) \\qquad\\text{(a remark)}")
    assert strip(two) == strip(one)
    clauses, ranges = parse_display(
        "\\begin{aligned}\nx^l &= y^l, \\quad l = 1, 2,\\\\\n"
        "u^l &= v^l, \\\\\n&\\qquad l = 3, 4\n\\end{aligned}"
    )
    assert [r.line for r in ranges] == [clauses[0].line, clauses[1].line]
    assert clauses[0].line != clauses[1].line
    with pytest.raises(EquationError, match="does not exist|differ"):  # the range still counts
        check(
            "\\begin{aligned}\n\\delta^l &= \\big((W^{l+1})^\\T \\delta^{l+1}\\big)\\\\\n"
            "&\\qquad \\odot \\sigma'(z^l), \\\\\n&\\qquad l = L, \\dots, 1.\n\\end{aligned}"
        )
    broken = (
        "\\begin{aligned}\n\\delta^l &= \\big((W^{l+1})^\\T \\delta^{l+1}\\big)\\\\\n"
        "&\\qquad \\odot \\sigma'(z^l), \\\\\n&\\qquad l = L-1, \\dots, 1.\n\\end{aligned}"
    )
    assert check(broken) == check(RECURSION)


def test_unknown_symbol_and_bad_latex_fail():
    with pytest.raises(EquationError, match="not bound"):
        check(r"\frac{\partial C}{\partial b^l} = \gamma^l")
    with pytest.raises(EquationError, match="cannot parse"):
        check(r"\frac{\partial C}{\partial b^l} = \delta^l )")
    with pytest.raises(ParseError):
        d = Display("t", "eq-t", "x", 0)
        parse_annotation(d, "% check: column; bogus")


def test_out_of_range_layer_is_an_error_not_a_skip():
    with pytest.raises(EquationError, match="does not exist"):
        check(r"\frac{\partial C}{\partial b^l} = \delta^l", "% check: column; l=1..L+1")


def test_reference_derivative_is_independent_and_exact():
    """delta^l of the context equals the package's backward pass (which it never calls)."""
    import backprop

    inst = column_networks()[0]
    net = backprop.Network(
        list(inst.sizes), hidden=inst.hidden, output=inst.output, loss="mse", dtype=np.float64
    )
    for l in range(1, inst.L + 1):
        net.weights[l - 1][...] = inst.W[l]
        net.biases[l - 1][...] = inst.b[l].ravel()
    deltas = net.deltas(inst.X, inst.Y)
    for l in range(1, inst.L + 1):
        np.testing.assert_allclose(inst.delta(l)[:, 0], deltas[l][0], rtol=1e-12, atol=1e-15)


def test_evaluator_units():
    inst = column_networks()[0]
    ev = Evaluator(inst, {"l": 1}, {}, "lmijk")
    (c,), _ = parse_display(r"x = W^l_{:,2}")
    assert ev(c.terms[1]).shape == (4, 1)


L1_STEP = (
    r"w^l_{jk} \leftarrow \operatorname{sign}(\tilde w^l_{jk})"
    r" \max\big(\lvert \tilde w^l_{jk} \rvert - \eta\lambda,\; 0\big), \\"
    r" \tilde w^l_{jk} = w^l_{jk} - \eta \frac{\partial C}{\partial w^l_{jk}}"
)
L1_WHERE = (
    r"% check: step-l1; where \tilde w^l_{jk} := "
    r"w^l_{jk} - \eta \frac{\partial C}{\partial w^l_{jk}}"
)


def test_sign_max_and_absolute_value_are_read_and_evaluated_entrywise():
    (c,), _ = parse_display(r"y = \operatorname{sign}(x) \max\big(\lvert x \rvert - 1,\; 0\big)")
    call = c.terms[1]
    assert call.kind == "mul" and call.args[0].kind == "call" and call.args[1].kind == "call"
    ev = Evaluator(column_networks()[0], {}, {}, "lmijk")
    X = np.array([[-3.0, -0.5, 0.0], [0.5, 2.0, -1.0]])
    for x, want in [(-3.0, -2.0), (-0.5, 0.0), (0.0, 0.0), (0.5, 0.0), (2.0, 1.0)]:
        ev.env["x"] = x
        assert ev(call) == want
    (c,), _ = parse_display(r"y = \operatorname{sign}(x) \odot \max(x, 0)")
    ev.env["x"] = X
    np.testing.assert_array_equal(ev(c.terms[1]), np.sign(X) * np.maximum(X, 0))
    (c,), _ = parse_display(r"y = \max(x)")
    with pytest.raises(EquationError, match="two arguments"):
        ev(c.terms[1])


def test_where_definitions_take_entry_indices():
    d = Display("t", "eq-t", "x", 0)
    parse_annotation(d, L1_WHERE)
    params, _ = d.defs["tilde w"]
    assert params == ("l", "jk")
    with pytest.raises(ParseError, match="single letters"):
        parse_annotation(Display("t", "eq-t", "x", 0), r"% check: column; where v_{m+1} := x")


def test_the_l1_soft_threshold_is_checked_against_fit():
    """The proximal L1 step (eq-pg-l1) holds for every weight after fit(l1=...); the
    sign-flipping subgradient step, a plus for the minus, or a lost threshold fail."""
    assert check(L1_STEP, L1_WHERE) > 0
    wrong = {
        "subgradient step": r"w^l_{jk} \leftarrow \tilde w^l_{jk} - \eta\lambda"
        r" \operatorname{sign}(w^l_{jk})",
        "threshold added": L1_STEP.replace(r"- \eta\lambda", r"+ \eta\lambda"),
        "no clipping at 0": r"w^l_{jk} \leftarrow \operatorname{sign}(\tilde w^l_{jk})"
        r" \big(\lvert \tilde w^l_{jk} \rvert - \eta\lambda\big)",
        "threshold eta^2 lambda": L1_STEP.replace(r"\eta\lambda", r"\eta\eta\lambda", 1),
    }
    for kind, body in wrong.items():
        with pytest.raises(EquationError, match="eq-test"):
            check(body, L1_WHERE)
            pytest.fail(f"{kind} passed")


def _labels(path):
    return re.findall(r"^\$\$[ \t]*\((eq-[\w:-]+)\)", path.read_text(), re.M)


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_scan_finds_every_label(path):
    assert [d.label for d in scan(path) if d.label] == _labels(path)


CHECKED_CHAPTERS = [p for p in CHAPTERS if "equations.check_here(" in p.read_text()]


@pytest.mark.parametrize("path", CHECKED_CHAPTERS, ids=[p.stem for p in CHECKED_CHAPTERS])
def test_chapter_equations_hold(path):
    """Every labelled equation of a chapter that runs the checker is checked or exempt."""
    report = check_chapter(path)
    assert len(report.checked) + len(report.exempt) == len(_labels(path))


def test_summary_a_reader_sees_has_no_timing_and_no_jargon(capsys):
    """The line under each chapter's check cell: counts only (a time in seconds differs from
    run to run), and 'not evaluated' with the reasons for the exempt displays."""
    from backprop.equations import check_here

    report = check_here(str(ROOT / "chapters" / "why-gradients.md"))
    out = capsys.readouterr().out
    assert report.exempt and report.seconds > 0  # a chapter with exempt displays, timed
    first = out.splitlines()[0]
    assert re.fullmatch(
        r"why-gradients: \d+ of \d+ labelled equations checked \(\d+ comparisons\), "
        r"\d+ not evaluated, each with its reason:",
        first,
    ), first
    assert "exempt" not in out and not re.search(r"\d s\b", out)
    assert out.count("not evaluated") == 1  # said once, not on every reason's line
    for label, reason in report.exempt.items():
        assert f"  {label}: {reason}" in out


def test_equation_index_lists_every_labelled_equation():
    from backprop.equations.index import index_markdown, index_rows

    rows = index_rows(ROOT / "chapters")
    expected = [(p.stem, label) for p in CHAPTERS for label in _labels(p)]
    assert sorted((r["chapter"], r["label"]) for r in rows) == sorted(expected)
    table = index_markdown(ROOT / "chapters")
    for _chapter, label in expected:
        assert f"{{eq}}`{label}`" in table
    assert "equation-index" in (ROOT / "_toc.yml").read_text()


def test_equation_index_groups_by_chapter_and_explains_its_contexts():
    """One heading per chapter with the book's chapter number and its count, a line that says
    what every context named in its table means, and each equation shown, not only named."""
    from backprop.equations.index import index_markdown, index_rows, legend

    rows = index_rows(ROOT / "chapters")
    text = index_markdown(ROOT / "chapters")
    sections = re.split(r"^## ", text, flags=re.M)[1:]
    chapters = list(dict.fromkeys(r["chapter"] for r in rows))
    assert [s.split("`")[1] for s in sections] == chapters, "one heading per chapter, in order"
    assert sections[chapters.index("backprop")].startswith("4. {doc}`backprop`")
    for section, chapter in zip(sections, chapters):
        mine = [r for r in rows if r["chapter"] == chapter]
        checked = sum(r["status"] == "check" for r in mine)
        exempt = sum(r["status"] == "exempt" for r in mine)
        heading = section.splitlines()[0]
        # a count, not a score: "8 checked, 3 not evaluated", never "8 of 11 checked"
        assert heading.endswith(
            f": {checked} checked" + (f", {exempt} not evaluated" * bool(exempt))
        )
        table = [line for line in section.splitlines() if line.startswith("| {eq}")]
        assert len(table) == len(mine)
        for r, line in zip(mine, table):
            assert line.count(" | ") == 2, f"three cells: {line}"
            assert r"$\displaystyle " in line, f"{r['label']}: the equation itself is shown"
            # the label as code and listings cite it, visible (and searchable) beside its number
            assert line.split(" | ")[0].endswith(f"`{r['label']}`</small>"), line[:80]
        for context in {c for r in mine for c in r["contexts"]}:
            assert legend(context), f"context {context} has no description"
            assert f"*{context}*, {legend(context)}" in section


def test_equation_index_links_cited_labels_and_typesets_ascii_math():
    """An exemption's reason is written in ASCII in the chapter's comment; the index shows a
    cited label as a link to its number and the math typeset, never bare labels or v^l."""
    from backprop.equations.index import index_markdown, reason_markdown

    labels = {"eq-ad-vjp-matmul", "eq-ad-vjp-bias", "eq-ad-vjp-act", "eq-rhw-rate"}
    shown = reason_markdown(
        "its instances eq-ad-vjp-matmul, -bias, -act, -gone are checked", labels
    )
    assert shown == (
        "its instances {eq}`eq-ad-vjp-matmul`, {eq}`eq-ad-vjp-bias`, {eq}`eq-ad-vjp-act`, -gone "
        "are checked"
    )
    shown = reason_markdown("(E, epsilon, alpha, the step Delta theta(t)); see eq-rhw-rate", labels)
    assert shown == (
        r"($E$, $\varepsilon$, $\alpha$, the step $\Delta \theta(t)$); see {eq}`eq-rhw-rate`"
    )
    assert reason_markdown("definition of v^l, a column", labels) == "definition of $v^l$, a column"
    assert reason_markdown("fit's rule (O-notation) | I", labels) == "fit's rule (O-notation) \\| I"
    assert reason_markdown("see eq-nowhere", labels) == "see `eq-nowhere`"
    text = index_markdown(ROOT / "chapters")
    for line in text.splitlines():
        if "not evaluated: " in line:
            reason = line.split("not evaluated: ", 1)[1]
            bare = re.sub(r"\{eq\}`[^`]*`|`[^`]*`|\$[^$]*\$", "", reason)
            assert not re.search(r"eq-|\^|\b(epsilon|alpha|theta|Delta)\b", bare), line


def test_marks_extension_puts_a_check_beside_checked_equations():
    """_ext/equation_marks.py: a ✓ linking to the chapter's check cell after each checked
    display, and a 'not evaluated' mark with the reason after an exempt one."""
    import sys
    from types import SimpleNamespace

    from docutils import nodes

    sys.path.insert(0, str(ROOT / "_ext"))
    try:
        import equation_marks
    finally:
        sys.path.pop(0)
    doctree = nodes.section()
    for label in ("eq-grad-W", "eq-bp-unrolled-def"):
        doctree += nodes.math_block("", "x", label=label)
    app = SimpleNamespace(builder=SimpleNamespace(format="html"), srcdir=str(ROOT))
    equation_marks.add_marks(app, doctree, "chapters/backprop")
    raws = [n.astext() for n in doctree.findall(nodes.raw)]
    assert len(raws) == 2
    assert "✓" in raws[0] and 'href="#backprop-equations-executed"' in raws[0]
    assert "tolerance" in raws[0] and "network" in raws[0]
    assert "✓" not in raws[1] and "definition" in raws[1]


def test_make_book_reexecutes_a_chapter_whose_equations_changed(tmp_path):
    """jupyter-cache keys notebooks by their code only; the stamp of displays removes the
    cached run of exactly the chapter whose equations changed (item 6 of issue 9)."""
    import nbformat
    from jupyter_cache import get_cache

    from backprop.equations.cache import forget_changed

    chapters = tmp_path / "chapters"
    chapters.mkdir()
    body = "# T\n\n% check: column\n$$\nC = \\tfrac12 \\lVert a^L - y \\rVert^2 .\n$$ (eq-t)\n"
    for name in ("one", "two"):
        (chapters / f"{name}.md").write_text(body)
    cache = get_cache(str(tmp_path / "cache"))
    for name in ("one", "two"):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"'{name}'")])
        nb.cells[0].outputs = []
        path = tmp_path / f"{name}.ipynb"
        nbformat.write(nb, path)
        cache.cache_notebook_file(path, uri=str(chapters / f"{name}.md"), check_validity=False)
    stamps = tmp_path / "stamps.json"
    forget_changed(tmp_path / "cache", chapters, stamps)  # first run: everything is new
    for name in ("one", "two"):
        cache.cache_notebook_file(
            tmp_path / f"{name}.ipynb",
            uri=str(chapters / f"{name}.md"),
            check_validity=False,
            overwrite=True,
        )
    (chapters / "two.md").write_text(body + "\nprose only\n")
    assert forget_changed(tmp_path / "cache", chapters, stamps) == []  # prose: nothing
    (chapters / "two.md").write_text(body.replace("tfrac12", "tfrac14"))
    os.utime(chapters / "two.md", (1e9, 1e9))  # as if a bare build had already read the edit
    assert forget_changed(tmp_path / "cache", chapters, stamps) == ["two"]
    assert (chapters / "two.md").stat().st_mtime > 1e9  # touched: Sphinx reads it again
    uris = {Path(r.uri).stem for r in get_cache(str(tmp_path / "cache")).list_cache_records()}
    assert uris == {"one"}


def test_the_equation_index_runs_again_when_any_chapter_s_equations_change(tmp_path):
    """The index's code never changes, but it shows every chapter's equations: an equation
    edit in a chapter must re-execute it too, or the index shows the old equations."""
    import nbformat
    from jupyter_cache import get_cache

    from backprop.equations.cache import forget_changed

    chapters = tmp_path / "chapters"
    chapters.mkdir()
    body = "# T\n\n% check: column\n$$\nC = \\tfrac12 \\lVert a^L - y \\rVert^2 .\n$$ (eq-t)\n"
    (chapters / "one.md").write_text(body)
    (chapters / "equation-index.md").write_text("# Equation index\n")
    stamps = tmp_path / "stamps.json"
    forget_changed(tmp_path / "cache", chapters, stamps)
    cache = get_cache(str(tmp_path / "cache"))
    for name in ("one", "equation-index"):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"'{name}'")])
        nbformat.write(nb, tmp_path / f"{name}.ipynb")
        cache.cache_notebook_file(
            tmp_path / f"{name}.ipynb", uri=str(chapters / f"{name}.md"), check_validity=False
        )
    assert forget_changed(tmp_path / "cache", chapters, stamps) == []
    (chapters / "one.md").write_text(body.replace("tfrac12", "tfrac14"))
    assert forget_changed(tmp_path / "cache", chapters, stamps) == ["one", "equation-index"]
    assert not get_cache(str(tmp_path / "cache")).list_cache_records()
