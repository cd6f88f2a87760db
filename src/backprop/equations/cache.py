"""Make ``make book`` notice an equation edit (issue 9, item 6).

jupyter-cache keys a notebook by its code cells only, so a chapter whose displayed equations
changed would be served from the cache and its equation checks would not run again. Before
each build, ``python -m backprop.equations.cache CACHE CHAPTERS STAMPS`` hashes the displays
(and the annotation lines above them) of every chapter, compares with the hashes of the last
build, and removes the cached execution of each chapter whose equations changed, so that
exactly those chapters are executed again, and of the *Equation index* appendix, which lists
the equations of every chapter (its own code never changes); it also touches their Markdown,
so that Sphinx reads them again even if a build without this step (a bare ``jupyter-book
build``) already saw the edit and served the old outputs from the cache. Prose edits do not
invalidate anything.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

from .annotations import scan

INDEX = "equation-index"
"""The appendix generated from every chapter's displays (``backprop.equations.index``)."""


def equation_hash(path) -> str:
    h = hashlib.sha256()
    for d in scan(path):
        h.update(f"{d.label}\n{d.annotation}\n{d.body}\n".encode())
    return h.hexdigest()


def forget_changed(cache_dir, chapters_dir, stamp_file) -> list[str]:
    """Remove the cache records of chapters whose equations changed; return their names."""
    stamp_file = Path(stamp_file)
    hashes = {p.stem: equation_hash(p) for p in sorted(Path(chapters_dir).glob("*.md"))}
    old = json.loads(stamp_file.read_text()) if stamp_file.is_file() else {}
    changed = [stem for stem, h in hashes.items() if old.get(stem) != h]
    if changed and INDEX in hashes and INDEX not in changed:
        changed.append(INDEX)  # it shows the equations that changed
    if changed and Path(cache_dir).is_dir():
        from jupyter_cache import get_cache

        cache = get_cache(str(cache_dir))
        for record in cache.list_cache_records():
            if Path(record.uri).stem in changed:
                cache.remove_cache(record.pk)
        for stem in changed:  # and Sphinx reads the page again, even if a build already did
            os.utime(Path(chapters_dir) / f"{stem}.md")
    stamp_file.parent.mkdir(parents=True, exist_ok=True)
    stamp_file.write_text(json.dumps(hashes, indent=1))
    return changed


if __name__ == "__main__":
    names = forget_changed(*sys.argv[1:4])
    if names:
        print("equations changed, re-executing:", " ".join(names))
