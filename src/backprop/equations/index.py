"""The *Equation index* appendix, generated from the chapters' annotations at build time."""

from __future__ import annotations

import re
from pathlib import Path

from .annotations import scan
from .contexts import CONTEXTS

__all__ = ["chapter_order", "index_markdown", "index_rows", "target"]


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


def context_about(names) -> str:
    return "; ".join(f"{n}: {CONTEXTS[n][3]}" for n in names if n in CONTEXTS)


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
                    "status": d.status,
                    "reason": d.reason,
                    "contexts": d.contexts,
                    "where": target(path.stem) if has_target else None,
                }
            )
    return rows


def index_markdown(folder) -> str:
    """A MyST table: chapter, equation (a link), checked or exempt (with the reason), where."""
    rows = index_rows(folder)
    n_check = sum(r["status"] == "check" for r in rows)
    n_exempt = sum(r["status"] == "exempt" for r in rows)
    lines = [
        f"{len(rows)} labelled equations: {n_check} checked, {n_exempt} exempt, "
        f"{len(rows) - n_check - n_exempt} not yet annotated.",
        "",
        "| chapter | equation | label | status | where it is checked |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        if r["status"] == "check":
            status = "✓ checked on " + ", ".join(r["contexts"])
        elif r["status"] == "exempt":
            status = "exempt: " + r["reason"].replace("|", "\\|")
        else:
            status = "not annotated"
        where = f"{{ref}}`check cell <{r['where']}>`" if r["where"] else "—"
        if r["status"] != "check":
            where = "—"
        lines.append(
            f"| {{doc}}`{r['chapter']}` | {{eq}}`{r['label']}` | `{r['label']}` | {status} "
            f"| {where} |"
        )
    return "\n".join(lines)
