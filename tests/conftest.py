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
