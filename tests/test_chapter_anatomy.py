"""The numbered chapters share one anatomy, checked on their MyST sources (no build).

* The same front matter: **What is derived here.** (the notation chapter: *defined*, it derives
  nothing), **Prerequisites.**, **Sources.**, before the first code cell.
* The equation check, *Every labelled equation, executed*, is a section of its own (an H2)
  right before the summary, not a subsection of the last topic.
* A chapter that states how many asserted comparisons it makes states the total with both of
  its parts, from :func:`backprop.explore.glue.glue_check_counts` under the prefix of its
  equation check, so that no total can be smaller than the equation section's own count (the
  sigmoid chapter once said 147 "in all" under an equation check of 174).
"""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
NUMBERED = [
    ROOT / (entry["file"] + ".md")
    for part in TOC["parts"]
    if part.get("numbered")
    for entry in part["chapters"]
]
# chapters whose only count is of one section, said as such ("The symbolic checks above make ...")
NO_TOTAL = {"notation"}


def front_matter(text):
    return text.split("```{code-cell}", 1)[0]


@pytest.mark.parametrize("path", NUMBERED, ids=[p.stem for p in NUMBERED])
def test_front_matter_has_the_three_headings(path):
    top = front_matter(path.read_text(encoding="utf-8"))
    what = "defined" if path.stem == "notation" else "derived"
    for heading in (f"**What is {what} here.**", "**Prerequisites.**", "**Sources.**"):
        assert re.search(rf"^{re.escape(heading)}", top, re.M), f"{path.name}: no {heading}"
    for variant in ("**What is derived.**", "**Source notes used", "**Prerequisites:**"):
        assert variant not in top, f"{path.name}: {variant} (use the book's one form)"


@pytest.mark.parametrize("path", NUMBERED, ids=[p.stem for p in NUMBERED])
def test_the_equation_check_is_a_section_right_before_the_summary(path):
    text = path.read_text(encoding="utf-8")
    if "equations.check_here(" not in text:
        pytest.skip(f"{path.name} runs no equation check")
    headings = re.findall(r"^(#{1,6}) (.+)$", text, re.M)
    titles = [title for level, title in headings if level == "##"]
    assert "Every labelled equation, executed" in titles, (
        f"{path.name}: the equation check is not an H2 section"
    )
    after = titles[titles.index("Every labelled equation, executed") + 1]
    assert after == "Summary", f"{path.name}: the section after the equation check is {after!r}"


@pytest.mark.parametrize("path", NUMBERED, ids=[p.stem for p in NUMBERED])
def test_a_stated_count_gives_the_total_and_both_of_its_parts(path):
    text = path.read_text(encoding="utf-8")
    match = re.search(r'equations\.check_here\([^)]*prefix="([\w-]+)"', text)
    if match is None:
        pytest.skip(f"{path.name} runs no equation check")
    prefix = match.group(1)
    if path.stem in NO_TOTAL:
        assert "glue_check_counts(" not in text and f"{prefix}_all_checks" not in text
        return
    assert re.search(rf'glue_check_counts\("{prefix}", \w+\)', text), (
        f"{path.name}: glue_check_counts is not called with the equation check's prefix {prefix}"
    )
    keys = [f"{{glue:text}}`{prefix}_{k}`" for k in ("all_checks", "eq_comparisons", "cell_checks")]
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if keys[0] in p]
    assert len(paragraphs) == 1, f"{path.name}: the total is stated {len(paragraphs)} times"
    for key in keys[1:]:
        assert key in paragraphs[0], f"{path.name}: the total is stated without {key}"
    # and no other count of the chapter's checks is quoted (the names they had before)
    for old in (f"{prefix}_checks", f"{prefix}_n_checks"):
        assert f"{{glue:text}}`{old}`" not in text, f"{path.name}: {old} quoted"
