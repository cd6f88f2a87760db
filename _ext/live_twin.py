"""The live pages: the browser twin of the package (``twin/``) and widgets that need a kernel.

* ``{live-twin} playground`` / ``{live-twin} descent`` (HTML builds): the container the twin
  mounts in, its stylesheet and script, and a link to its source. Other builders get a line
  that points to the website.
* A code cell tagged ``live-in-jupyter`` shows an ipywidget that only works with a kernel. In
  the HTML build its output is replaced by the plain line :data:`LINE` (the cell before it
  shows the saved figure, the live twin trains in the page), and a page left with no widget
  view loses the saved widget state and the widget renderer, so nothing inert is shown. In
  Jupyter the tag changes nothing.
* At the end of an HTML build the twin's files are copied to ``_build/html/_twin/`` (not under
  ``_static``: Jupyter Book links every ``.js`` file there into every page), with
  ``reference-playground.json`` and ``reference-descent.json``: the data, initial weights and
  minibatch orders of the chapters' default Python runs, and their results, so that the live
  pages start from exactly those runs.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

ROOT = Path(__file__).resolve().parents[1]
TWIN = ROOT / "twin"
OUT_DIR = "_twin"
TAG = "live-in-jupyter"
LINE = "This widget runs live in Jupyter (launch buttons above)."
ORDER_EPOCHS = 300
"""Epochs of the default playground run whose minibatch order reference-playground.json holds."""

TITLES = {
    "playground": "the live playground",
    "descent": "the live learning-rate explorer",
}


class LiveTwin(SphinxDirective):
    """``{live-twin} NAME``: mount point of a live figure of ``twin/NAME.js``."""

    required_arguments = 1
    option_spec = {"label": directives.unchanged}

    def run(self):
        name = self.arguments[0]
        if name not in TITLES:
            raise self.error(f"live-twin: unknown figure {name!r}, expected one of {list(TITLES)}")
        up = "../" * self.env.docname.count("/")
        repo = self.config.html_theme_options.get("repository_url", "").rstrip("/")
        source = f"{repo}/blob/main/twin" if repo else f"{up}{OUT_DIR}"
        html = (
            f'<link rel="stylesheet" href="{up}{OUT_DIR}/twin.css">\n'
            f'<div class="bp-twin" id="bp-twin-{name}" data-twin="{name}" '
            f'aria-label="{TITLES[name]}" role="region">'
            f'<p class="bp-twin-loading">Loading {TITLES[name]} (it needs JavaScript)…</p></div>\n'
            f'<script type="module" src="{up}{OUT_DIR}/boot.js"></script>\n'
            f'<p class="bp-twin-source">Runs in this page, no Python: the network is '
            f'<a href="{up}{OUT_DIR}/net.js">twin/net.js</a> (float64; each line of '
            f"backpropagation tagged with its equation label), checked against the package's "
            f"weights to a relative error of 10<sup>-12</sup> by "
            f'<a href="{repo}/blob/main/tests/test_twin.py">tests/test_twin.py</a>; '
            f'the page: <a href="{source}/{name}.js">twin/{name}.js</a>.</p>'
        )
        other = f"On the book's website, {TITLES[name]} trains in the page."
        return [
            nodes.raw("", html, format="html"),
            nodes.raw("", f"\\par {other}\\par", format="latex"),
        ]


def _has_class(node, cls):
    return isinstance(node, nodes.Element) and cls in node.get("classes", [])


def replace_kernel_widgets(app: Sphinx, doctree) -> None:
    """HTML only: outputs of ``live-in-jupyter`` cells become :data:`LINE`."""
    if app.builder.format != "html":
        return
    tag = f"tag_{TAG}"
    replaced = 0
    for cell in list(doctree.findall(lambda n: _has_class(n, tag))):
        for out in list(cell.findall(lambda n: _has_class(n, "cell_output"))):
            out.children = []
            out += nodes.paragraph(text=LINE, classes=["bp-live-in-jupyter"])
            replaced += 1
    if not replaced:
        return
    views = [
        n for n in doctree.findall(nodes.raw) if "application/vnd.jupyter.widget-view" in n.astext()
    ]
    if not views:  # no widget left on the page: no widget state, no widget renderer
        meta = getattr(app.env, "nb_metadata", {}).get(app.env.docname, {})
        js = meta.get("js_files", {})
        for key in [k for k in js if k.startswith("ipywidgets")]:
            del js[key]


# --------------------------------------------------------------------------- reference runs
def reference() -> dict:
    """Data, initial weights, minibatch orders and results of the chapters' default runs."""
    import numpy as np

    import backprop
    from backprop.explore import playground

    s = playground.Settings()
    data = playground.make_data(s)
    net = backprop.Network(
        list(s.sizes), hidden=s.activation, output="softmax", loss=s.loss, seed=s.seed
    )
    rng = np.random.default_rng(s.seed)  # the order backprop.train.fit draws from its seed
    M = len(data.y_train)
    orders = [rng.permutation(M).tolist() for _ in range(ORDER_EPOCHS)]
    run = playground.train(s)
    pg = {
        "settings": {
            "dataset": s.dataset,
            "nSamples": s.n_samples,
            "noise": s.noise,
            "testFraction": s.test_fraction,
            "dataSeed": s.data_seed,
            "seed": s.seed,
            "sizes": list(s.sizes),
            "activation": s.activation,
        },
        "X_train": data.X_train.tolist(),
        "y_train": data.y_train.tolist(),
        "X_test": data.X_test.tolist(),
        "y_test": data.y_test.tolist(),
        "weights": [W.tolist() for W in net.weights],
        "biases": [b.tolist() for b in net.biases],
        "orders": orders,
        "python": {
            "epochs": s.epochs,
            "train_loss": run.train_loss.tolist(),
            "test_loss": run.test_loss.tolist(),
            "test_accuracy": run.test_accuracy,
        },
    }
    c = playground.CurveSettings()
    X, Y = playground.regression_data(c.n_samples, c.noise, c.seed)
    net = backprop.Network(
        [1, c.hidden, 1], hidden="tanh", output="identity", loss="mse", seed=c.seed
    )
    rng = np.random.default_rng(c.seed)
    descent = {
        "X": X.tolist(),
        "Y": Y.tolist(),
        "weights": [W.tolist() for W in net.weights],
        "biases": [b.tolist() for b in net.biases],
        "orders": [rng.permutation(c.n_samples).tolist() for _ in range(c.epochs)],
        "python": {"loss": playground.train_curve(c).loss.tolist()},
    }
    return {"playground": pg, "descent": descent}


def copy_twin(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir) / OUT_DIR
    out.mkdir(parents=True, exist_ok=True)
    for path in sorted(TWIN.glob("*.js")) + [TWIN / "twin.css"]:
        shutil.copyfile(path, out / path.name)
    for name, data in reference().items():  # one file per page: each loads only its own
        (out / f"reference-{name}.json").write_text(json.dumps(data, separators=(",", ":")))


def setup(app: Sphinx):
    app.add_directive("live-twin", LiveTwin)
    app.connect("doctree-read", replace_kernel_widgets)
    app.connect("build-finished", copy_twin)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
