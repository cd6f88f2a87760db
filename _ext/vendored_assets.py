r"""Serve MathJax 3, require.js and the Jupyter widget renderer from the site itself.

The npm packages pinned in ``package.json`` (installed by ``make setup`` with ``npm ci``) are
the only source: this extension copies the few files a page can request from ``node_modules``
into ``_build/html/_vendor/``. That folder is deliberately *not* under ``_static``: Jupyter
Book links every ``.js`` file under ``_static`` into every page.

The pages are pointed at these files by ``_config.yml`` (``mathjax_path`` and
``nb_ipywidgets_js``, both relative to ``_static`` as Sphinx reads them, hence the leading
``../``). At ``builder-inited`` this extension checks that every such local path names a file
it vendors, so the configuration and the copied files cannot drift apart.

Only the pages with widgets still run MathJax (the other pages' formulas are typeset when the
site is built, ``_ext/static_math.py``, which reads the same npm package). It is loaded in
pieces, so that such a page fetches about 0.75 MB of it instead of 1.3 MB:
``startup.js`` (the loader) reads ``loader.load`` in ``_config.yml``'s ``mathjax3_config`` and
fetches the TeX input (``input/tex.js``: base, ams, newcommand, configmacros, autoload),
the CommonHTML output with its font data, and ``a11y/assistive-mml.js``, which puts hidden
MathML beside every formula for screen readers. Other TeX extensions (``\boldsymbol``,
``\cancel``, ...) are loaded by ``autoload`` when a page uses them, from
``input/tex/extensions``. The contextual menu (0.4 MB) is not loaded: it made every formula a
tab stop (2,617 of them before the first slider of the playground). The CommonHTML fonts come
as ``woff-v2``, each fetched only when a page uses it.
"""

from __future__ import annotations

import filecmp
import posixpath
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

VENDOR_DIR = "_vendor"
"""Folder of the built site (sibling of ``_static``) that receives the vendored files."""

WIDGETS_DIST = "@jupyter-widgets/html-manager/dist"
LOCAL = "<local>"
"""Source paths starting with this name the folder of this file's ``assets/``, not npm's."""

# (path under node_modules, path under _build/html/_vendor, glob or None). A glob copies the
# matching files of a directory; None copies one file.
ASSETS: tuple[tuple[str, str, str | None], ...] = (
    ("mathjax/es5/startup.js", "mathjax/startup.js", None),
    ("mathjax/es5/core.js", "mathjax/core.js", None),
    ("mathjax/es5/input/tex.js", "mathjax/input/tex.js", None),
    ("mathjax/es5/input/tex/extensions", "mathjax/input/tex/extensions", "*.js"),
    ("mathjax/es5/output/chtml.js", "mathjax/output/chtml.js", None),
    ("mathjax/es5/output/chtml/fonts/tex.js", "mathjax/output/chtml/fonts/tex.js", None),
    ("mathjax/es5/output/chtml/fonts/woff-v2", "mathjax/output/chtml/fonts/woff-v2", "*.woff"),
    ("mathjax/es5/a11y/assistive-mml.js", "mathjax/a11y/assistive-mml.js", None),
    ("mathjax/LICENSE", "mathjax/LICENSE", None),
    ("requirejs/require.js", "requirejs/require.js", None),
    (f"{WIDGETS_DIST}/embed-amd.js", "jupyter-widgets/embed-amd.js", None),
    # The widget CSS inside embed-amd.js names its Font Awesome files relative to the
    # script; browsers take the first format they support (woff2), the rest is fallback.
    (WIDGETS_DIST, "jupyter-widgets", "*.woff*"),
    (f"{WIDGETS_DIST}/embed.js.LICENSE.txt", "jupyter-widgets/LICENSE.txt", None),
    # The book's own glue, loaded before require.js (see the file).
    (f"{LOCAL}/widgets-setup.js", "jupyter-widgets/widgets-setup.js", None),
)

STATIC_PREFIX = posixpath.join("_static", "..", VENDOR_DIR) + "/"


def node_modules(app: Sphinx) -> Path:
    """The ``node_modules`` folder next to ``package.json`` (the book's root).

    A single-page build (``jupyter-book build chapters/x.md``) has ``chapters/`` as its
    configuration folder, so look upwards for the ``package.json`` of the book.
    """
    here = Path(app.confdir).resolve()
    for folder in (here, *here.parents):
        if (folder / "package.json").is_file():
            return folder / "node_modules"
    return here / "node_modules"


def copy_assets(app: Sphinx) -> list[str]:
    """Copy every vendored file into ``<outdir>/_vendor``; return their site-relative paths."""
    src_root = node_modules(app)
    if not src_root.is_dir():
        raise ExtensionError(
            f"{src_root} is missing: run `make setup` (it runs `npm ci`) before building; the "
            "site serves MathJax, require.js and the widget renderer from these npm packages"
        )
    dest_root = Path(app.outdir) / VENDOR_DIR
    copied = []
    for src_rel, dest_rel, pattern in ASSETS:
        if src_rel.startswith(LOCAL):
            src = Path(__file__).parent / "assets" / src_rel.removeprefix(LOCAL + "/")
        else:
            src = src_root / src_rel
        files = (
            [(src, dest_root / dest_rel)]
            if pattern is None
            else [(f, dest_root / dest_rel / f.name) for f in sorted(src.glob(pattern))]
        )
        if not files or not files[0][0].is_file():
            raise ExtensionError(
                f"vendored asset {src_rel}/{pattern or ''} not found in {src_root}"
            )
        for s, d in files:
            d.parent.mkdir(parents=True, exist_ok=True)
            if not d.exists() or not filecmp.cmp(s, d, shallow=False):
                shutil.copyfile(s, d)
            copied.append(d.relative_to(app.outdir).as_posix())
    return copied


def local_script_paths(app: Sphinx) -> list[str]:
    """Script paths of the configuration that point into the site (not a URL)."""
    paths = [app.config.mathjax_path, *getattr(app.config, "nb_ipywidgets_js", {})]
    return [p for p in paths if "://" not in p]


def on_builder_inited(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    copied = set(copy_assets(app))
    for path in local_script_paths(app):
        site_path = posixpath.normpath(posixpath.join("_static", path))
        if site_path not in copied:
            raise ExtensionError(
                f"{path!r} (in _config.yml) is not a vendored file; vendored are: "
                + ", ".join(sorted(p for p in copied if p.endswith(".js")))
            )
    logger.info("vendored %d files into %s/", len(copied), VENDOR_DIR)


def normalise_paths(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Write ``_static/../_vendor/x.js`` as ``_vendor/x.js`` in the page's script tags."""
    scripts = context.get("script_files")
    if not scripts:
        return
    cls = type(scripts[0])
    for i, js in enumerate(scripts):
        name = getattr(js, "filename", None)
        if isinstance(name, str) and name.startswith(STATIC_PREFIX):
            scripts[i] = cls(name[len("_static/../") :], priority=js.priority, **js.attributes)


def setup(app: Sphinx):
    app.connect("builder-inited", on_builder_inited)
    app.connect("html-page-context", normalise_paths, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
