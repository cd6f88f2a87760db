"""Small fixes to the pages of the stock Jupyter Book 1.x site.

* **Duplicated inline scripts.** Sphinx 7.4 stores an inline script registered after the
  builder exists (``app.add_js_file(None, body=...)`` from sphinx-thebe's
  ``env-before-read-docs`` and sphinx-togglebutton's ``builder-inited`` handlers) twice: in the
  builder with the file name ``None`` and in the registry, from which
  ``StandaloneHTMLBuilder.prepare_writing`` adds it again as ``''``; ``None != ''``, so every
  page carries both copies. ``const THEBE_JS_URL = ...`` declared twice is a SyntaxError in
  every page's console ("Identifier 'THEBE_JS_URL' has already been declared"). The
  ``html-page-context`` handler below drops the second copy of any script.
* **Executed notebooks.** The theme offers each chapter's ``.ipynb`` (copied from
  ``_build/jupyter_execute``), but with ``execute_notebooks: cache`` MyST-NB 1.4 writes the
  notebook *before* merging the cached outputs (``NotebookClientCache`` merges into a copy),
  so the download had no outputs and no widget state. After each chapter is read, the
  cached outputs are merged into that file.
* **Colab launch links.** Colab opens ``.ipynb`` files from GitHub only, and the chapters are
  MyST Markdown. The theme copies each chapter's executed notebook to ``_sources/`` (it is the
  ``.ipynb`` download of the page), and ``make publish`` puts the site on the ``gh-pages``
  branch, so the Colab button opens ``<repository>/blob/gh-pages/_sources/<page>.ipynb``.
  Binder and JupyterHub open the chapter's ``.md`` from the repository (jupytext is in
  ``requirements.txt``).
* **Alt texts.** A figure drawn by a cell without ``mystnb: image: alt:`` is a warning.
* **The book as a PDF.** ``make pdf`` prints the whole book to ``_build/pdf/backprop-book.pdf``
  (``_ext/print_book.py``) and then builds the site again. An HTML build that finds that PDF,
  newer than every source of the book, copies it to the site's root and links it from every
  page's download menu; without one (``make book`` alone, or after a chapter changed) no page
  links a PDF and an old copy is removed from the site, so the site never links a missing or
  outdated file. ``make publish`` and the publishing workflow run ``make pdf``.
* **Collapsible errata.** On the errata page each erratum's body (where, what, check,
  correction) goes into a ``<details>`` element under its heading, so the page is a list of
  headings after its summary table. ``_ext/assets/book.js`` (inlined into every page) opens
  the entry a link points to, and the folded entries and solutions before printing.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

PAGES_BRANCH = "gh-pages"


def _script_key(js) -> tuple:
    name = getattr(js, "filename", js) or ""
    attrs = getattr(js, "attributes", {})
    return (str(name), tuple(sorted((k, str(v)) for k, v in attrs.items())))


def drop_duplicate_scripts(app: Sphinx, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen = set()
    unique = []
    for js in scripts:
        key = _script_key(js)
        if key not in seen:
            seen.add(key)
            unique.append(js)
    scripts[:] = unique


def merge_cached_outputs(app: Sphinx, doctree) -> None:
    if getattr(app.config, "nb_execution_mode", None) != "cache":
        return
    build = Path(app.outdir).parent
    path = build / "jupyter_execute" / f"{app.env.docname}.ipynb"
    if not path.is_file():
        return
    import nbformat
    from jupyter_cache import get_cache

    nb = nbformat.read(path, as_version=4)
    if any(c.get("outputs") for c in nb.cells if c.cell_type == "code"):
        return
    cache = get_cache(app.config.nb_execution_cache_path or build / ".jupyter_cache")
    try:
        _, merged = cache.merge_match_into_notebook(nb)
    except KeyError:  # not executed (e.g. excluded from execution)
        return
    merged.metadata.pop("source_map", None)
    nbformat.write(merged, path)


def colab_notebook_url(app: Sphinx, pagename: str) -> str | None:
    """Colab URL of the executed notebook of ``pagename`` on the published branch."""
    options = app.config.html_theme_options
    repo = options.get("repository_url", "").rstrip("/")
    colab = options.get("launch_buttons", {}).get("colab_url", "").rstrip("/")
    if not (repo.startswith("https://github.com/") and colab):
        return None
    org_repo = repo.removeprefix("https://github.com/")
    return f"{colab}/github/{org_repo}/blob/{PAGES_BRANCH}/_sources/{pagename}.ipynb"


HASH_NAME = re.compile(r"^[0-9a-f]{32,}\.(png|jpe?g|svg|gif)$")


def warn_missing_alt(app: Sphinx, doctree, docname) -> None:
    """A figure a cell draws gets its alt text from the cell (``mystnb: image: alt:``); without
    one the page would show its hash file name to a screen reader. Warn (an error in ``make
    test``'s strict build) with the chapter and line of the cell."""
    for image in doctree.findall(nodes.image):
        name = Path(str(image.get("uri", ""))).name
        if HASH_NAME.match(name) and not str(image.get("alt", "")).strip():
            logger.warning(
                "a cell's figure has no alt text: give the cell `mystnb: image: alt: ...` "
                "(see _ext/book_site.py)",
                location=image,
            )


BOOK_PDF = "backprop-book.pdf"
"""The whole book printed by ``make pdf`` (``_ext/print_book.py``), at the site's root."""
BOOK_SOURCES = ("intro.md", "chapters/*.md", "references.bib", "_toc.yml", "src/backprop/**/*.py")
"""What the printed book is made of (relative to the source folder): a PDF older than any of
these files is out of date."""


def printed_pdf(outdir) -> Path:
    """Where ``make pdf`` prints the book: ``_build/pdf/`` beside the HTML output folder."""
    return Path(outdir).parent / "pdf" / BOOK_PDF


def pdf_is_current(pdf: Path, srcdir) -> bool:
    """``pdf`` exists and is newer than every file of ``BOOK_SOURCES`` in ``srcdir``."""
    if not pdf.is_file():
        return False
    newest = max(
        (f.stat().st_mtime for pattern in BOOK_SOURCES for f in Path(srcdir).glob(pattern)),
        default=0.0,
    )
    return pdf.stat().st_mtime >= newest


def decide_book_pdf(app: Sphinx, config) -> None:
    """``book_pdf``: does this build ship the PDF? A config value read by the HTML builder, so
    the pages are written again when the answer changes."""
    config.book_pdf = pdf_is_current(printed_pdf(app.outdir), app.srcdir)
    if not config.book_pdf:
        logger.info("no current %s (make pdf): the download menus link no PDF", BOOK_PDF)


def link_book_pdf(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Offer the whole book's PDF in every page's download menu, after the page's own files,
    when the build ships it (``book_pdf``)."""
    if not app.config.book_pdf or app.builder.name != "html":
        return
    pathto = context.get("pathto")
    for group in context.get("header_buttons", []):
        if isinstance(group, dict) and group.get("label") == "download-buttons" and pathto:
            group["buttons"].append(
                {
                    "type": "link",
                    "url": pathto(BOOK_PDF, 1),
                    "text": "Book (PDF)",
                    "tooltip": "The whole book as one PDF",
                    "icon": "fas fa-book",
                    "label": "download-book-pdf-button",
                }
            )


def ship_book_pdf(app: Sphinx, exception) -> None:
    """Copy the PDF the pages link to the site's root; remove a copy the pages do not link."""
    if exception is not None or app.builder.name != "html":
        return
    site_copy = Path(app.outdir) / BOOK_PDF
    if app.config.book_pdf:
        shutil.copyfile(printed_pdf(app.outdir), site_copy)
    else:
        site_copy.unlink(missing_ok=True)


def retarget_colab(app: Sphinx, pagename, templatename, context, doctree) -> None:
    url = colab_notebook_url(app, pagename)
    if url is None or not context.get("ipynb_source"):
        return
    for group in context.get("header_buttons", []):
        for button in group.get("buttons", []) if isinstance(group, dict) else []:
            if button.get("text") == "Colab":
                button["url"] = url


COLLAPSIBLE = {"chapters/errata": "erratum-"}
"""Pages whose sections with an id starting with the given prefix fold their body."""
DETAILS_OPEN = (
    '<details class="bp-entry"><summary>Where, what the note says, the check and the '
    "correction</summary>"
)


def fold_sections(app: Sphinx, doctree) -> None:
    prefix = COLLAPSIBLE.get(app.env.docname)
    if prefix is None:
        return
    for section in list(doctree.findall(nodes.section)):
        if not any(i.startswith(prefix) for i in section["ids"]):
            continue
        title = next(iter(section.findall(nodes.title)), None)
        if title is None or title.parent is not section:
            continue
        at = section.index(title) + 1
        section.insert(at, nodes.raw("", DETAILS_OPEN, format="html"))
        section.append(nodes.raw("", "</details>", format="html"))


PAGE_SCRIPT = Path(__file__).parent / "assets" / "book.js"


def html_handlers_for_singlehtml(app: Sphinx) -> None:
    """The single-page build (``make pdf``) writes nodes as the HTML build does.

    Sphinx looks up a writer's node handlers by builder name and falls back to the format
    (``html``) only when no extension registered any for the name; one that registers a
    ``singlehtml`` handler hides all the ``html`` ones (MyST-NB's folded cells,
    sphinx-jupyterbook-latex's removed cells, ...). Copy the missing ones over."""
    handlers = app.registry.translation_handlers
    single = handlers.setdefault("singlehtml", {})
    for node, pair in handlers.get("html", {}).items():
        single.setdefault(node, pair)


def setup(app: Sphinx):
    app.add_js_file(None, body=PAGE_SCRIPT.read_text(encoding="utf-8"))
    app.add_config_value("book_pdf", False, "html")
    app.connect("config-inited", decide_book_pdf)
    app.connect("build-finished", ship_book_pdf)
    app.connect("builder-inited", html_handlers_for_singlehtml)
    app.connect("doctree-read", merge_cached_outputs)
    app.connect("doctree-read", fold_sections)
    app.connect("doctree-resolved", warn_missing_alt)
    # After the theme's own handlers (priority 501) and every extension adding scripts.
    app.connect("html-page-context", retarget_colab, priority=800)
    app.connect("html-page-context", link_book_pdf, priority=800)
    app.connect("html-page-context", drop_duplicate_scripts, priority=950)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
