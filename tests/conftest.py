import os

import matplotlib
import pytest

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture
def rng():
    """A fresh seeded generator: tests never touch NumPy's global random state."""
    import numpy as np

    return np.random.default_rng(12345)
