"""``python -m backprop.equations CHAPTER.md ...``: check the chapters' equations."""

import sys

from . import EquationError, check_chapter

failed = False
for path in sys.argv[1:] or ["chapters/backprop.md"]:
    try:
        print(check_chapter(path).summary())
    except EquationError as exc:
        print(f"FAILED {exc}")
        failed = True
sys.exit(1 if failed else 0)
