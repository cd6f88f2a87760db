"""`make publish` puts the built site on a local gh-pages branch, ready to push, pushing nothing.

Runs the Makefile's own `gh-pages` recipe (what `make publish` runs after building) in a
temporary clone with a tiny stand-in for `_build/html`.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VENV = Path(sys.executable).parent.parent

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None or shutil.which("make") is None, reason="needs git and make"
)


def git(cwd, *args) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture
def clone(tmp_path, monkeypatch):
    for key, value in {
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.org",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.org",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }.items():
        monkeypatch.setenv(key, value)
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(origin))
    work = tmp_path / "work"
    git(tmp_path, "clone", "--quiet", str(origin), str(work))
    shutil.copy(ROOT / "Makefile", work / "Makefile")
    (work / "README.md").write_text("a book\n")
    git(work, "add", "Makefile", "README.md")
    git(work, "commit", "--quiet", "-m", "source")
    git(work, "push", "--quiet", "origin", "HEAD:main")
    site = work / "_build" / "html"
    (site / "chapters").mkdir(parents=True)
    (site / "index.html").write_text('<meta http-equiv="refresh" content="0; url=intro.html">')
    (site / "intro.html").write_text("<h1>Backpropagation, derived and executed</h1>")
    (site / "chapters" / "notation.html").write_text("<h1>Notation</h1>")
    (site / "_static").mkdir()
    (site / "_static" / "theme.css").write_text("body {}")
    return work


def publish(work):
    return subprocess.run(
        ["make", "--no-print-directory", "gh-pages", f"VENV={VENV}"],
        cwd=work,
        check=True,
        capture_output=True,
        text=True,
    )


def test_publish_commits_the_site_to_gh_pages_without_pushing(clone):
    head_before = git(clone, "rev-parse", "HEAD")
    out = publish(clone)
    files = git(clone, "ls-tree", "-r", "--name-only", "gh-pages").splitlines()
    assert {"index.html", ".nojekyll", "intro.html", "chapters/notation.html"} <= set(files)
    assert "_static/theme.css" in files  # GitHub Pages serves _folders thanks to .nojekyll
    assert "Makefile" not in files, "the branch holds the site only, not the sources"
    # The working tree and its branch are untouched; nothing went to the remote.
    assert git(clone, "rev-parse", "HEAD") == head_before
    assert git(clone, "rev-parse", "--abbrev-ref", "HEAD") == "main"
    assert "gh-pages" not in git(clone, "ls-remote", "--heads", "origin")
    assert "git push --force origin gh-pages" in out.stdout
    assert "https://backprop-book.github.io/backprop-book/" in out.stdout
    assert head_before[:7] in git(clone, "log", "-1", "--format=%s", "gh-pages")


def test_publishing_again_replaces_the_site(clone):
    publish(clone)
    (clone / "_build" / "html" / "chapters" / "notation.html").unlink()
    (clone / "_build" / "html" / "chapters" / "backprop.html").write_text("<h1>Backprop</h1>")
    publish(clone)
    files = git(clone, "ls-tree", "-r", "--name-only", "gh-pages").splitlines()
    assert "chapters/backprop.html" in files and "chapters/notation.html" not in files
    assert git(clone, "rev-list", "--count", "gh-pages") == "1", "one commit, no history"


def test_publish_refuses_without_a_built_site(clone):
    shutil.rmtree(clone / "_build")
    result = subprocess.run(
        ["make", "--no-print-directory", "gh-pages", f"VENV={VENV}"],
        cwd=clone,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "make book" in result.stdout
    assert "gh-pages" not in git(clone, "branch", "--list", "gh-pages")


def test_publish_refuses_a_site_that_links_a_missing_pdf(clone):
    """A page linking the book's PDF (make pdf's build) is published only with the PDF."""
    page = clone / "_build" / "html" / "chapters" / "notation.html"
    page.write_text('<h1>Notation</h1><a href="../backprop-book.pdf">Book (PDF)</a>')
    result = subprocess.run(
        ["make", "--no-print-directory", "gh-pages", f"VENV={VENV}"],
        cwd=clone,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "make pdf" in result.stdout
    assert "gh-pages" not in git(clone, "branch", "--list", "gh-pages")
    (clone / "_build" / "html" / "backprop-book.pdf").write_bytes(b"%PDF-1.7")
    publish(clone)
    files = git(clone, "ls-tree", "-r", "--name-only", "gh-pages").splitlines()
    assert "backprop-book.pdf" in files
