import os

import matplotlib
import pytest
from hypothesis import settings

# Property tests draw the same examples on every run, so `make test` and CI cannot flake;
# HYPOTHESIS_PROFILE=explore draws new ones (run it now and then to search further).
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture
def rng():
    """A fresh seeded generator: tests never touch NumPy's global random state."""
    import numpy as np

    return np.random.default_rng(12345)


def pytest_terminal_summary(terminalreporter):
    """After a run that included the equation checks, one line per chapter: how many of its
    labelled equations are checked and how many exempt (issue 9)."""
    ran = any(
        "test_equations.py" in getattr(r, "nodeid", "")
        for reports in terminalreporter.stats.values()
        for r in reports
    )
    if not ran:
        return
    from pathlib import Path

    from backprop.equations import EquationError, check_chapter

    terminalreporter.section("labelled equations per chapter")
    for path in sorted((Path(__file__).resolve().parents[1] / "chapters").glob("*.md")):
        if "equations.check_here(" not in path.read_text(encoding="utf-8"):
            continue
        try:
            terminalreporter.write_line(check_chapter(path).summary())
        except EquationError as exc:
            terminalreporter.write_line(f"{path.stem}: FAILED {str(exc).splitlines()[0]}")
