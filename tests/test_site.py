"""The website's configuration and sources agree with each other (no build, no browser).

The browser tests (tests/browser) check the built site; these catch the same mistakes earlier:
a chapter missing from the table of contents, an install cell pointing at another repository,
a script path that the site does not vendor, a citation key that does not exist.
"""

from __future__ import annotations

import importlib
import json
import re
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
CHAPTERS = sorted((ROOT / "chapters").glob("*.md"))
NOTEBOOKS = CHAPTERS + [ROOT / "intro.md"]  # the introduction runs the package's example
REPO_URL = CONFIG["repository"]["url"]
SITE_URL = "https://backprop-book.github.io/backprop-book/"
SPHINX = CONFIG["sphinx"]["config"]

sys.path.insert(0, str(ROOT / "_ext"))
api_docs = importlib.import_module("api_docs")
book_site = importlib.import_module("book_site")
vendored_assets = importlib.import_module("vendored_assets")

INSTALL_CELL = f"""\
# Colab or any kernel without the book's package: install it, with the extras the chapters
# use. In the book build, `make lab` and Binder it is installed, so this cell does nothing.
import importlib
import importlib.metadata
import subprocess
import sys

try:
    importlib.metadata.version("backprop-book")
except importlib.metadata.PackageNotFoundError:
    package = "backprop-book[book] @ git+{REPO_URL}"
    pip = [sys.executable, "-m", "pip", "install", "--quiet", package]
    if subprocess.run(pip, capture_output=True).returncode != 0:

        class InstallError(Exception):
            def _render_traceback_(self):  # IPython prints this line instead of a traceback
                return [f"InstallError: {{self}}"]

        raise InstallError(
            f"Could not install {{package}} (pip needs the internet): connect this runtime to "
            f'the internet, or run pip install "{{package}}", then run this cell again.'
        )
    importlib.invalidate_caches()"""


def code_cells(path):
    jupytext = pytest.importorskip("jupytext")
    return [c for c in jupytext.read(path).cells if c.cell_type == "code"]


def toc_files(node) -> list[str]:
    found = [node["file"]] if "file" in node else []
    for key in ("parts", "chapters", "sections"):
        for child in node.get(key, []):
            found += toc_files(child)
    return found


# ------------------------------------------------------------------ chapters and contents
def test_repository_url_is_the_books():
    assert REPO_URL == "https://github.com/backprop-book/backprop-book"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_first_code_cell_installs_the_package_from_the_repository(path):
    cells = code_cells(path)
    if not cells:
        pytest.skip(f"{path.name} has no code")
    first = cells[0]
    assert first.metadata.get("tags") == ["remove-cell"], "hidden on the site"
    assert first.source.strip() == INSTALL_CELL, (
        f"{path.name}: the first code cell must be the install-if-missing cell of notation.md, "
        f"installing backprop-book[book] from {REPO_URL} (the repository URL of _config.yml)"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_chapters_do_not_need_build_tools_at_run_time(path):
    """Colab has no MyST-NB, jupytext or Jupyter Book: glue comes from backprop.explore.glue."""
    for cell in code_cells(path):
        for tool in ("myst_nb", "jupytext", "jupyter_book", "sphinx"):
            assert not re.search(rf"^\s*(from|import) {tool}\b", cell.source, re.M), (
                f"{path.name} imports {tool}, which a reader's kernel (Colab) does not have; "
                "use backprop.explore.glue.glue for glue"
            )


def test_table_of_contents_lists_every_chapter_and_only_existing_files():
    listed = toc_files(TOC)
    assert len(listed) == len(set(listed)), "a file is listed twice"
    missing_files = [
        f for f in listed if not any((ROOT / f).with_suffix(s).exists() for s in (".md", ".ipynb"))
    ]
    assert not missing_files, f"_toc.yml lists files that do not exist: {missing_files}"
    chapters = {f"chapters/{p.stem}" for p in CHAPTERS}
    assert not chapters - set(listed), f"not in _toc.yml: {sorted(chapters - set(listed))}"
    assert TOC["root"] == "intro"


def test_appendices_end_the_book():
    last = TOC["parts"][-1]
    assert last["caption"] == "Appendices"
    assert [c["file"] for c in last["chapters"]][-2:] == ["chapters/api", "chapters/bibliography"]


def test_api_appendix_documents_every_module():
    text = (ROOT / "chapters" / "api.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\.\. automodule:: (\S+)", text, flags=re.M))
    modules = {"backprop"} | {
        f"backprop.{p.stem}"
        for p in (ROOT / "src" / "backprop").glob("*.py")
        if not p.stem.startswith("_")
    }
    assert modules <= documented, sorted(modules - documented)


def _python_references():
    pattern = re.compile(r"\{py:(?:func|class|meth|mod|attr|data)\}`(?:[^`<]*<)?([\w.]+)>?`")
    for path in CHAPTERS + [ROOT / "intro.md"]:
        for target in pattern.findall(path.read_text(encoding="utf-8")):
            yield path.name, target


def _resolve(target):
    parts = target.split(".")
    obj = importlib.import_module(parts[0])
    for i, name in enumerate(parts[1:], start=1):
        try:
            obj = getattr(obj, name)
        except AttributeError:
            obj = importlib.import_module(".".join(parts[: i + 1]))
    return obj


def test_python_references_in_chapters_name_real_objects():
    missing = []
    for name, target in _python_references():
        try:
            _resolve(target)
        except (ImportError, AttributeError):
            missing.append(f"{name}: {target}")
    assert not missing, f"references to objects the package does not have: {missing}"


def test_every_citation_key_is_in_references_bib():
    bib = (ROOT / "references.bib").read_text(encoding="utf-8")
    keys = set(re.findall(r"^@\w+\{([^,]+),", bib, flags=re.M))
    assert {"rumelhart1986", "nielsen2015", "goodfellow2016", "baydin2018", "glorot2010"} <= keys
    cited = set()
    for path in CHAPTERS + [ROOT / "intro.md"]:
        for group in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", path.read_text(encoding="utf-8")):
            cited |= {k.strip() for k in group.split(",")}
    assert cited <= keys, f"cited but not in references.bib: {sorted(cited - keys)}"
    assert "```{bibliography}" in (ROOT / "chapters" / "bibliography.md").read_text()


# ------------------------------------------------------------------ configuration
def test_book_metadata_and_buttons():
    assert str(CONFIG["copyright"]) == "2026 The backprop book contributors"
    html = CONFIG["html"]
    assert html["use_repository_button"] and html["use_issues_button"]
    assert (ROOT / html["favicon"]).is_file()
    assert html["baseurl"] == SITE_URL
    # The footer states both licences (LICENSE: code, MIT; LICENSE-CONTENT: text, CC BY 4.0).
    assert "CC BY 4.0" in html["extra_footer"] and "MIT" in html["extra_footer"]
    assert "Attribution 4.0 International" in (ROOT / "LICENSE-CONTENT").read_text()
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    launch = CONFIG["launch_buttons"]
    for key in ("binderhub_url", "colab_url"):
        assert launch[key].startswith("https://"), key
    # No button to a hub the project does not run; the key stays documented for forks.
    assert "jupyterhub_url" not in launch
    assert "jupyterhub_url:" in (ROOT / "_config.yml").read_text()
    assert CONFIG["execute"]["raise_on_error"] is True


def test_tex_macros_are_defined_once_for_mathjax_3():
    macros = SPHINX["mathjax3_config"]["tex"]["macros"]
    assert {"R", "T", "diag"} <= set(macros)


def test_pages_load_mathjax_and_widgets_from_the_site_itself():
    scripts = [SPHINX["mathjax_path"], *SPHINX["nb_ipywidgets_js"]]
    assert all("://" not in s for s in scripts), scripts
    vendored = {
        f"_static/../{vendored_assets.VENDOR_DIR}/{dest}" for _, dest, _ in vendored_assets.ASSETS
    }
    for script in scripts:
        assert f"_static/{script}" in vendored, f"{script} is not a file _ext vendors"
    assert list(SPHINX["nb_ipywidgets_js"])[-1].endswith("embed-amd.js")
    assert "require.js" in list(SPHINX["nb_ipywidgets_js"])[-2]


def test_no_javascript_under_static():
    """Jupyter Book links every .js under _static into every page."""
    assert not list((ROOT / "_static").rglob("*.js"))


def test_npm_packages_are_pinned_and_locked():
    deps = json.loads((ROOT / "package.json").read_text())["dependencies"]
    lock = json.loads((ROOT / "package-lock.json").read_text())["packages"]
    assert set(deps) == {"mathjax", "requirejs", "@jupyter-widgets/html-manager"}
    for name, version in deps.items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} not pinned: {version}"
        assert lock[f"node_modules/{name}"]["version"] == version
    assert deps["mathjax"].startswith("3.")


def test_vendored_assets_exist_in_node_modules():
    node_modules = ROOT / "node_modules"
    if not node_modules.is_dir():
        pytest.skip("node_modules not installed (make setup runs npm ci)")
    for src, _, pattern in vendored_assets.ASSETS:
        if src.startswith(vendored_assets.LOCAL):
            path = ROOT / "_ext" / "assets" / src.removeprefix(vendored_assets.LOCAL + "/")
        else:
            path = node_modules / src
        assert path.exists(), path
        if pattern:
            assert list(path.glob(pattern)), f"{path}/{pattern}"


def test_readme_says_how_to_publish():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make publish" in readme and SITE_URL in readme


# ------------------------------------------------------------------ the _ext helpers
@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("shape $M \\times n_0$.", "shape :math:`M \\times n_0`."),
        ("$a$ and $b$", ":math:`a` and :math:`b`"),
        ("costs $5 and $6", "costs $5 and $6"),
        ("``'$x$'`` stays", "``'$x$'`` stays"),
        ("no math", "no math"),
    ],
)
def test_inline_dollar_math_becomes_the_math_role(line, expected):
    assert api_docs.dollars_to_rst([line]) == [expected]


def test_display_dollar_math_becomes_a_math_directive():
    lines = ["Text:", "", "$$z^l = W^l a^{l-1} + b^l,$$", "", "after"]
    assert api_docs.dollars_to_rst(lines) == [
        "Text:",
        "",
        ".. math::",
        "",
        "   z^l = W^l a^{l-1} + b^l,",
        "",
        "",
        "after",
    ]
    multi = ["  $$", "  a = b", "  $$"]
    assert api_docs.dollars_to_rst(multi) == ["  .. math::", "", "     a = b", ""]


def test_short_names_resolve_to_where_objects_are_defined():
    assert api_docs._canonical("backprop.Network.fit") == "backprop.network.Network.fit"
    assert api_docs._canonical("backprop.fit") == "backprop.train.fit"
    assert api_docs._canonical("backprop.gradcheck.check_gradients") is None  # a module
    assert api_docs._canonical("numpy.ndarray") is None
    assert api_docs._canonical("Indexed", "backprop.network") == "backprop._indexed.Indexed"
    assert api_docs._canonical("np", "backprop.network") is None  # not the package's


def test_colab_opens_the_published_notebook():
    class App:
        class config:
            html_theme_options = {
                "repository_url": REPO_URL,
                "launch_buttons": {"colab_url": "https://colab.research.google.com"},
            }

    assert book_site.colab_notebook_url(App, "chapters/notation") == (
        "https://colab.research.google.com/github/backprop-book/backprop-book/blob/gh-pages/"
        "_sources/chapters/notation.ipynb"
    )


def _pdf_site(tmp_path, pdf_age):
    """A source folder with one chapter, and a build folder with a printed PDF ``pdf_age``
    seconds older than the chapter (None: no PDF)."""
    import os

    src, out = tmp_path / "src", tmp_path / "_build" / "html"
    (src / "chapters").mkdir(parents=True)
    out.mkdir(parents=True)
    chapter = src / "chapters" / "notation.md"
    chapter.write_text("# Notation")
    pdf = book_site.printed_pdf(out)
    if pdf_age is not None:
        pdf.parent.mkdir(parents=True)
        pdf.write_bytes(b"%PDF-1.7")
        stamp = chapter.stat().st_mtime
        os.utime(pdf, (stamp - pdf_age, stamp - pdf_age))
    return src, out


def _pdf_app(src, out):
    from types import SimpleNamespace

    return SimpleNamespace(
        srcdir=str(src),
        outdir=str(out),
        config=SimpleNamespace(),
        builder=SimpleNamespace(name="html"),
    )


def _menu(app):
    """The download menu of a page after link_book_pdf: the labels of its buttons."""
    group = {"label": "download-buttons", "buttons": [{"label": "download-source-button"}]}
    context = {"header_buttons": [group], "pathto": lambda name, resource: "../" + name}
    book_site.link_book_pdf(app, "chapters/notation", "page.html", context, None)
    return [(b["label"], b.get("url")) for b in group["buttons"]]


@pytest.mark.parametrize(
    ("pdf_age", "shipped"),
    [(None, False), (60.0, False), (-60.0, True)],
    ids=["no PDF", "PDF older than a chapter", "current PDF"],
)
def test_pages_link_the_pdf_only_when_the_site_has_it(tmp_path, pdf_age, shipped):
    """The download menu links backprop-book.pdf exactly when the build copies a PDF newer
    than the sources into the site; otherwise no page links it and an old copy is removed."""
    src, out = _pdf_site(tmp_path, pdf_age)
    site_copy = out / book_site.BOOK_PDF
    site_copy.write_bytes(b"an old copy")
    app = _pdf_app(src, out)
    book_site.decide_book_pdf(app, app.config)
    assert app.config.book_pdf is shipped
    menu = _menu(app)
    book_site.ship_book_pdf(app, None)
    if shipped:
        assert ("download-book-pdf-button", "../backprop-book.pdf") in menu
        assert site_copy.read_bytes() == b"%PDF-1.7", "the printed PDF, copied into the site"
    else:
        assert menu == [("download-source-button", None)], "no link to a missing or old PDF"
        assert not site_copy.exists()


def test_the_site_links_the_pdf_only_after_make_pdf():
    """make pdf builds the site again after printing (so the pages link the new PDF); make
    publish and the publishing workflow print it; make gh-pages refuses a dangling link."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\npdf:", 1)[1].split("\n\n", 1)[0]
    assert "_build/pdf/backprop-book.pdf" in recipe
    assert recipe.rstrip().endswith("then $(JB) build .; fi"), "the site rebuilt last"
    assert re.search(r"^publish: .*\bbook pdf\b", makefile, re.M)
    workflow = (ROOT / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8")
    steps = re.findall(r"^\s*(?:run: )?(make [\w-]+)", workflow, re.M)
    assert steps.index("make pdf") < steps.index("make gh-pages")
    assert "chromium" in workflow


def test_jupyterlab_and_binder_open_chapters_as_notebooks():
    overrides = ROOT / ".jupyter" / "labconfig" / "default_setting_overrides.json"
    viewers = json.loads(overrides.read_text())["@jupyterlab/docmanager-extension:plugin"]
    assert viewers["defaultViewers"] == {
        "markdown": "Jupytext Notebook",
        "myst": "Jupytext Notebook",
    }
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "JUPYTER_CONFIG_PATH=$(CURDIR)/.jupyter" in makefile
    post_build = ROOT / ".binder" / "postBuild"
    assert post_build.stat().st_mode & 0o111, "postBuild must be executable"
    assert ".jupyter/labconfig/default_setting_overrides.json" in post_build.read_text()
    binder = (ROOT / ".binder" / "requirements.txt").read_text().splitlines()
    assert [line for line in binder if not line.startswith("#")] == [
        "-r ../requirements/reader.txt",
        ".",
    ], "Binder installs the reader's pins and the package, not the developer tools"
