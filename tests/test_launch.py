"""Every way a reader launches the book, tried as the reader would, offline, outside the repo.

* **pip**: the wheel and sdist build from the repository (the wheel from the sdist) with complete
  metadata; in a clean venv `pip install "backprop-book[book]"` then the README's example works.
* **Colab**: a venv with only what Colab preinstalls (``tests/launch/colab.txt``, at Colab's
  versions); each chapter is converted to ``.ipynb`` and copied outside the repository, and its
  own first cell installs the package (the git URL swapped for the local wheel) before the
  chapter runs top to bottom in that venv's kernel. Offline, the first cell stops with one line.
* **Binder**: a venv made as repo2docker makes it (``.binder/runtime.txt``'s Python,
  ``pip install -r .binder/requirements.txt`` from the repository's root), and one chapter
  opened by its jupytext and run in its kernel.

Nothing here reaches the network: pip installs from the wheelhouse that ``make setup``
downloads once (``.venv/wheelhouse``), with every proxy pointed at a closed port.
Run with ``make launch`` (part of ``make test``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.launch

ROOT = Path(__file__).resolve().parents[1]
WHEELHOUSE = ROOT / ".venv" / "wheelhouse"
COLAB_SET = ROOT / "tests" / "launch" / "colab.txt"
CHAPTERS = sorted((ROOT / "chapters").glob("*.md"))
REPO_URL = "https://github.com/backprop-book/backprop-book"
PACKAGE_SPEC = f"backprop-book[book] @ git+{REPO_URL}"
# What the first cell may upgrade or add on Colab: its ipywidgets is 7.7.1, the explorers need 8
# (with its front-end packages and `comm`). Nothing else of Colab's may change.
COLAB_UPGRADES = {"ipywidgets", "widgetsnbextension", "jupyterlab-widgets", "comm"}
# Files that the build adds to an sdist or that git does not track in the copy.
IGNORED = (".venv", "node_modules", "_build")  # planted in the copy; the sdist must prune them
BUILD_ADDED = re.compile(r"(^|/)(PKG-INFO|setup\.cfg|[^/]+\.egg-info/.*)$")


def _offline_env(**extra: str) -> dict[str, str]:
    """The environment of a reader's machine with no network and only the wheelhouse."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON", "VIRTUAL"))}
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(str(ROOT))
    )
    closed = "http://127.0.0.1:9"  # the discard port: every connection is refused
    env.update(
        PIP_CONFIG_FILE=os.devnull,
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(WHEELHOUSE),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_COMPILE="1",  # no .pyc for every installed module: a third of pip's time here
        HTTP_PROXY=closed,
        HTTPS_PROXY=closed,
        ALL_PROXY=closed,
        http_proxy=closed,
        https_proxy=closed,
        GIT_TERMINAL_PROMPT="0",
        PYDEVD_DISABLE_FILE_VALIDATION="1",  # debugpy's note on Python 3.11's frozen modules
        MPLBACKEND="module://matplotlib_inline.backend_inline",
    )
    env.update(extra)
    return env


def _run(cmd, **kw) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, capture_output=True, text=True, **kw)
    assert result.returncode == 0, f"{cmd}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def _venv(path: Path, python: str = sys.executable) -> Path:
    """A venv with pip (as on Colab and Binder), made offline."""
    base = _run([python, "-c", "import sys; print(sys._base_executable)"]).stdout.strip()
    _run([base, "-m", "venv", str(path)])
    return path / "bin" / "python"


def _pip_install(python: Path, *args: str, links: list[Path] = ()) -> None:
    extra = [f"--find-links={p}" for p in links]
    _run([str(python), "-m", "pip", "install", "--quiet", *extra, *args], env=_offline_env())


def _uv_install(python: Path, *args: str, cwd: Path | None = None) -> None:
    """uv, for the base sets only (fast; the reader's own install step is always pip)."""
    uv = shutil.which("uv", path=str(Path(sys.executable).parent))
    cmd = [uv, "pip", "install", "--quiet", "--offline", "--no-index"]
    _run([*cmd, f"--find-links={WHEELHOUSE}", "--python", str(python), *args], cwd=cwd)


def _freeze(python: Path) -> dict[str, str]:
    out = _run([str(python), "-m", "pip", "list", "--format=json"], env=_offline_env()).stdout
    return {p["name"].lower().replace("_", "-"): p["version"] for p in json.loads(out)}


def _kernel(python: Path, where: Path, name: str, curve: bool = False):
    """A kernel spec running ``python`` (absolute path, never the test's interpreter).

    ``curve``: the kernel (ipykernel >= 7) accepts CurveZMQ keys, so the connection is
    encrypted, as in the book build (_ext/kernel_transport.py). Colab's ipykernel 6 does not.
    """
    from jupyter_client.kernelspec import KernelSpecManager

    spec = where / "kernels" / name
    spec.mkdir(parents=True)
    argv = [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    metadata = {"supported_encryption": ["curve"]} if curve else {}
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": name, "language": "python", "metadata": metadata})
    )
    return KernelSpecManager(kernel_dirs=[str(where / "kernels")])


def _execute(nb, ksm, name: str, cwd: Path, timeout: int = 600):
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient

    km = AsyncKernelManager(kernel_name=name, kernel_spec_manager=ksm, transport_encryption="auto")
    client = NotebookClient(nb, km=km, timeout=timeout, resources={"metadata": {"path": str(cwd)}})
    client.execute(env=_offline_env())
    return nb


def _as_notebook(chapter: Path, dest: Path) -> Path:
    """The chapter as the .ipynb a reader downloads (jupytext, in the dev environment)."""
    jupytext = pytest.importorskip("jupytext")
    nb = jupytext.read(chapter)
    path = dest / f"{chapter.stem}.ipynb"
    jupytext.write(nb, path, fmt="ipynb")
    return path


def _code_chapters() -> list[Path]:
    jupytext = pytest.importorskip("jupytext")
    return [p for p in CHAPTERS if any(c.cell_type == "code" for c in jupytext.read(p).cells)]


def _error_lines(nb) -> list[str]:
    return [
        line
        for cell in nb.cells
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
        for line in out["traceback"]
    ]


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def wheelhouse() -> Path:
    if not any(WHEELHOUSE.glob("*.whl")):
        pytest.fail(f"{WHEELHOUSE} is empty: run `make setup` (it downloads the wheels once)")
    return WHEELHOUSE


@pytest.fixture(scope="module")
def repo_copy(tmp_path_factory) -> Path:
    """The working tree as git would hand it over (tracked and new files, nothing ignored)."""
    dest = tmp_path_factory.mktemp("repo") / "backprop-book"
    files = _run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT
    ).stdout.split("\0")
    for name in filter(None, files):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    # Ignored folders a developer has: the sdist must leave them out (MANIFEST.in prunes).
    for junk in (".venv/lib/x.py", "node_modules/x/x.js", "_build/html/index.html"):
        (dest / junk).parent.mkdir(parents=True, exist_ok=True)
        (dest / junk).write_text("")
    return dest


@pytest.fixture(scope="module")
def dists(repo_copy, tmp_path_factory) -> dict[str, Path]:
    """sdist, then the wheel built from the sdist (python -m build), offline."""
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(repo_copy)])
    return {"sdist": next(out.glob("*.tar.gz")), "wheel": next(out.glob("*.whl"))}


# ------------------------------------------------------------------ pip
def test_wheel_metadata_is_complete(dists):
    import backprop

    with zipfile.ZipFile(dists["wheel"]) as whl:
        meta_name = next(n for n in whl.namelist() if n.endswith(".dist-info/METADATA"))
        meta = whl.read(meta_name).decode()
        names = whl.namelist()
    fields = {}
    for line in meta.split("\n\n", 1)[0].splitlines():
        key, _, value = line.partition(": ")
        fields.setdefault(key, []).append(value)
    assert fields["Name"] == ["backprop-book"]
    assert fields["Version"] == [backprop.__version__]  # one source: backprop.__version__
    assert fields["Requires-Python"] == [">=3.11"]
    assert fields["License-Expression"] == ["MIT"]
    assert set(fields["License-File"]) == {"LICENSE", "LICENSE-CONTENT"}
    assert {u.split(",")[0] for u in fields["Project-URL"]} >= {"Homepage", "Source", "Issues"}
    assert "Programming Language :: Python :: 3.11" in fields["Classifier"]
    assert {"book", "symbolic", "data", "widgets"} <= set(fields["Provides-Extra"])
    assert fields["Description-Content-Type"] == ["text/markdown"]
    body = meta.split("\n\n", 1)[1]
    assert 'pip install "backprop-book[book]"' in body and "import backprop" in body
    assert any(n.startswith("backprop/explore/") for n in names)
    assert not any(n.startswith(("tests/", "chapters/")) for n in names)


def test_sdist_is_the_repository(dists, repo_copy):
    with tarfile.open(dists["sdist"]) as tar:
        top = tar.getnames()[0].split("/")[0]
        in_sdist = {n.removeprefix(top + "/") for n in tar.getnames() if tar.getmember(n).isfile()}
    in_repo = {
        str(p.relative_to(repo_copy)).replace(os.sep, "/")
        for p in repo_copy.rglob("*")
        if p.is_file()
        and p.relative_to(repo_copy).parts[0] not in IGNORED
        and not BUILD_ADDED.search(p.as_posix())
    }
    in_sdist = {n for n in in_sdist if not BUILD_ADDED.search(n)}
    assert in_sdist == in_repo, (
        f"missing from the sdist (MANIFEST.in): {sorted(in_repo - in_sdist)[:10]}; "
        f"not in the repository: {sorted(in_sdist - in_repo)[:10]}"
    )


def _readme_example() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    example = next(b for b in blocks if "backprop.Network(" in b)
    assert 'pip install "backprop-book[book]"' in readme
    return example


def test_readme_example_after_pip_install_book_extra(dists, wheelhouse, tmp_path):
    python = _venv(tmp_path / "venv")
    _pip_install(python, "backprop-book[book]", links=[dists["wheel"].parent])
    lines = _readme_example().rstrip().splitlines()
    # The example's last line is an expression a notebook shows; here it is asserted.
    last = lines[-1].split("#")[0].strip()
    script = "\n".join(lines[:-1] + [f"value = {last}", "print(value)", "assert value >= 0.95"])
    out = _run([str(python), "-c", script], cwd=tmp_path, env=_offline_env())
    print(f"README example in a clean venv: accuracy {out.stdout.strip()}")


# ------------------------------------------------------------------ Colab
def _first_cell(chapter: Path) -> str:
    jupytext = pytest.importorskip("jupytext")
    return next(c for c in jupytext.read(chapter).cells if c.cell_type == "code").source


def _one_cell_notebook(source: str):
    import nbformat

    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])


@pytest.fixture(scope="module")
def colab(wheelhouse, dists, tmp_path_factory):
    """Colab's set, then the chapters' first cell run twice in its kernel, as a reader would:
    offline (it must stop), then with the wheel in place of the git URL (it must install).
    Done here, not in a test, so that each pytest-xdist worker has its own ready runtime."""
    from nbclient.exceptions import CellExecutionError

    where = tmp_path_factory.mktemp("colab")
    python = _venv(where / "venv")
    _uv_install(python, "-r", str(COLAB_SET))
    before = _freeze(python)
    ksm = _kernel(python, where, "colab")
    cell = _first_cell(ROOT / "chapters" / "notation.md")
    offline = _one_cell_notebook(cell)
    try:
        _execute(offline, ksm, "colab", where, timeout=300)
        offline_error = None
    except CellExecutionError as error:
        offline_error = error
    local = cell.replace(PACKAGE_SPEC, f"backprop-book[book] @ {dists['wheel'].as_uri()}")
    check = 'import importlib.metadata; print(importlib.metadata.version("backprop-book"))'
    installed = _execute(_one_cell_notebook(local + "\n" + check), ksm, "colab", where)
    return {
        "python": python,
        "ksm": ksm,
        "cell": cell,
        "before": before,
        "after": _freeze(python),
        "offline": offline,
        "offline_error": offline_error,
        "printed": "".join(o.get("text", "") for o in installed.cells[0].outputs),
    }


def test_colab_set_has_no_build_tools():
    names = {
        re.split(r"[=<>\[ ]", line)[0].lower().replace("_", "-")
        for line in COLAB_SET.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert "numpy" in names and "ipykernel" in names
    assert not names & {"myst-nb", "jupytext", "jupyter-book", "backprop-book"}, names


def test_colab_without_network_stops_with_one_sentence(colab):
    assert colab["offline_error"] is not None, "offline, the first cell must stop the notebook"
    shown = _error_lines(colab["offline"])
    assert len(shown) == 1, shown  # no CalledProcessError wall, no traceback
    message = shown[0]
    assert message.startswith("InstallError: Could not install backprop-book[book]"), message
    assert "connect this runtime to the internet" in message, message
    assert message.count(". ") == 0 and message.endswith("run this cell again."), message


def test_colab_first_cell_installs_the_package_and_changes_only_ipywidgets(colab):
    import backprop

    assert PACKAGE_SPEC in colab["cell"]
    assert colab["printed"].strip() == backprop.__version__
    before, after = colab["before"], colab["after"]
    assert "backprop-book" not in before
    changed = {k for k, v in before.items() if after.get(k) != v}
    assert "ipywidgets" in changed and changed <= COLAB_UPGRADES, f"pip changed {changed}"
    assert after["ipywidgets"].startswith("8.")
    added = set(after) - set(before)
    assert "backprop-book" in added and added - {"backprop-book"} <= COLAB_UPGRADES, added


@pytest.mark.parametrize("chapter", _code_chapters(), ids=lambda p: p.stem)
def test_chapter_runs_on_colab(colab, chapter, tmp_path):
    path = _as_notebook(chapter, tmp_path)  # outside the repository, like a download
    import nbformat

    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    _execute(nb, colab["ksm"], "colab", tmp_path)
    print(f"{chapter.stem}: ran on Colab's set in {time.perf_counter() - start:.1f} s")


# ------------------------------------------------------------------ Binder
def _binder_python() -> str:
    runtime = (ROOT / ".binder" / "runtime.txt").read_text().strip()
    version = re.fullmatch(r"python-(3\.\d+)", runtime)
    assert version, f".binder/runtime.txt must read python-3.X, not {runtime!r}"
    found = shutil.which(f"python{version[1]}")
    if found is None:
        pytest.fail(f"Binder runs Python {version[1]} (.binder/runtime.txt); it is not here")
    return found


def test_binder_environment_resolves_and_runs_a_chapter(repo_copy, wheelhouse, tmp_path):
    python = _venv(tmp_path / "venv", _binder_python())
    # repo2docker runs `pip install -r .binder/requirements.txt` with the repository as cwd:
    # pip must resolve it (a dry run, offline); uv then installs the same set, much faster.
    report = tmp_path / "resolution.json"
    pip = [str(python), "-m", "pip", "install", "--quiet", "--dry-run", "--ignore-installed"]
    _run([*pip, "--report", str(report), "-r", ".binder/requirements.txt"], cwd=repo_copy,
         env=_offline_env())  # fmt: skip
    resolved = {
        p["metadata"]["name"].lower().replace("_", "-"): p["metadata"]["version"]
        for p in json.loads(report.read_text())["install"]
    }
    _uv_install(python, "-r", ".binder/requirements.txt", cwd=repo_copy)
    installed = _freeze(python)
    differ = {k: (v, installed.get(k)) for k, v in resolved.items() if installed.get(k) != v}
    assert not differ, f"pip and uv disagree on Binder's environment: {differ}"
    for tool in ("pytest", "playwright", "ruff", "codespell", "jupyter-book", "sphinx"):
        assert tool not in installed, f"Binder installs the developer tool {tool}"
    assert {"backprop-book", "jupyterlab", "jupytext"} <= set(installed)
    # Binder opens the chapter's .md with its jupytext; run it in Binder's own kernel.
    chapter = repo_copy / "chapters" / "notation.md"
    nb_path = tmp_path / "notation.ipynb"
    convert = f"import jupytext; jupytext.write(jupytext.read({str(chapter)!r}), {str(nb_path)!r})"
    _run([str(python), "-c", convert], env=_offline_env())
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    _execute(nb, _kernel(python, tmp_path, "binder", curve=True), "binder", chapter.parent)
