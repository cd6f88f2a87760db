"""The binding tables of the chapters after backprop (backprop.equations.chapter_contexts and
descent_contexts): every labelled equation of those chapters holds, typos in them fail naming
the label, layout changes do not, and the notation they add reads what the book means."""

from pathlib import Path

import pytest

from backprop.equations import EquationError, check_chapter, check_display
from backprop.equations.annotations import Display, parse_annotation
from backprop.equations.typos import run

ROOT = Path(__file__).resolve().parents[1]
# chapter: least number of checked equations (all others exempt, with a reason)
CHAPTERS = {
    "minibatch": 11,
    "sigmoid-quadratic": 9,
    "softmax-cross-entropy": 9,
    "gradient-checking": 6,
    "gradient-descent": 11,
    "why-gradients": 8,
    "cost-of-backprop": 6,
    "playground": 6,
    "rumelhart-1986": 3,
}


def check(body, annotation):
    d = Display("test", "eq-test", body, 0)
    parse_annotation(d, annotation)
    return check_display(d)


@pytest.mark.parametrize("stem", sorted(CHAPTERS))
def test_every_labelled_equation_holds_or_is_exempt(stem):
    report = check_chapter(ROOT / "chapters" / f"{stem}.md")
    assert len(report.checked) >= CHAPTERS[stem], report.summary()
    assert all(reason.strip() for reason in report.exempt.values())


def test_derivation_chapters_are_checked_to_ninety_percent():
    stems = ["minibatch", "sigmoid-quadratic", "softmax-cross-entropy", "gradient-checking",
             "gradient-descent"]  # fmt: skip
    reports = [check_chapter(ROOT / "chapters" / f"{s}.md") for s in stems]
    checked = sum(len(r.checked) for r in reports)
    total = checked + sum(len(r.exempt) for r in reports)
    assert checked >= 0.9 * total, (checked, total)


@pytest.mark.parametrize("stem", ["minibatch", "sigmoid-quadratic", "softmax-cross-entropy"])
def test_planted_typos_fail_and_layout_passes(stem):
    result = run([ROOT / "chapters" / f"{stem}.md"], sample=12, verbose=False, fuzz=4)
    assert result["caught"] >= 0.95 * result["planted"], result["missed"]
    assert not result["layout_failed"], result["layout_failed"]


# the notation these chapters add -----------------------------------------------------------
@pytest.mark.parametrize(
    "good, bad, annotation",
    [
        # a literal 1 minus a vector is entrywise; a wrong factor still fails
        (
            r"\delta^L = (a^L - y) \odot a^L \odot (1 - a^L)",
            r"\delta^L = (a^L - y) \odot a^L \odot (1 + a^L)",
            "% check: sigmoid",
        ),
        # an assignment: the left side after one epoch of fit, the right side before it
        (
            r"\theta \leftarrow \theta - \eta\, \nabla C(\theta)^{\mathsf T}",
            r"\theta \leftarrow \theta + \eta\, \nabla C(\theta)^{\mathsf T}",
            "% check: step",
        ),
        # \approx is checked at the tolerance the annotation states
        (
            r"\nabla C(\theta)\, v \approx \frac{C(\theta + hv) - C(\theta - hv)}{2h}",
            r"\nabla C(\theta)\, v \approx \frac{C(\theta + hv) - C(\theta - hv)}{h}",
            "% check: directional; rtol=1e-6",
        ),
        # \pm is evaluated with both signs: a sign error in an odd term fails
        (
            r"f(x \pm h) = f(x) \pm h f'(x) + \frac{h^2}{2} f''(x) + O(h^3)",
            r"f(x \pm h) = f(x) + h f'(x) + \frac{h^2}{2} f''(x) + O(h^3)",
            "% check: fd; rtol=1e-4",
        ),
        # theta^*, a spectral norm, the best rate found numerically
        (
            r"\eta^* = \frac{2}{\lambda_{\min} + \lambda_{\max}}",
            r"\eta^* = \frac{1}{\lambda_{\min} + \lambda_{\max}}",
            "% check: bowl",
        ),
        (
            r"\|\delta^l\| \le \frac{\|W^{l+1}\|_2}{4} \|\delta^{l+1}\|",
            r"\|\delta^l\| \le \frac{\|W^{l+1}\|_2}{40} \|\delta^{l+1}\|",
            "% check: sigmoid; l=1..L-1",
        ),
    ],
)
def test_added_notation(good, bad, annotation):
    assert check(good, annotation) > 0
    with pytest.raises(EquationError, match="eq-test"):
        check(bad, annotation)


def test_a_symbol_of_the_wrong_shape_still_fails():
    with pytest.raises(EquationError):
        check(r"a^L - W^L = a^L", "% check: sigmoid")
