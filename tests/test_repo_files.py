"""The files a maintainer expects, and the Makefile's guard rails, checked (each check can fail).

CITATION.cff is validated by cffconvert and the workflows by actionlint (`make repo-files`
runs both on the real files; here each is also shown to reject a planted mistake). The
Makefile's early stops are run for real: an old Python, no Chromium, an unknown chapter, a
dirty tree for `make publish`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"
WORKFLOWS = ROOT / ".github" / "workflows"
CFFCONVERT = VENV / "cff" / "bin" / "cffconvert"
ACTIONLINT = shutil.which("actionlint", path=str(Path(sys.executable).parent))
# Run make without rebuilding anything: the set-up stamps count as up to date.
MAKE = ["make", "--no-print-directory", "-o", ".venv/.installed-stamp"]
MAKE += ["-o", "node_modules/.installed-stamp"]


def _make(*args, cwd=ROOT, **env):
    full_env = {**os.environ, **env}
    return subprocess.run(
        [*MAKE, *args], cwd=cwd, capture_output=True, text=True, env=full_env, timeout=120
    )


# ------------------------------------------------------------------ CITATION.cff
@pytest.fixture
def cffconvert():
    if not CFFCONVERT.exists():
        pytest.fail(f"{CFFCONVERT} is missing: run make setup")
    return str(CFFCONVERT)


def test_citation_is_valid_and_a_planted_error_is_caught(cffconvert, tmp_path):
    ok = subprocess.run([cffconvert, "--validate", "-i", "CITATION.cff"], cwd=ROOT)
    assert ok.returncode == 0
    bad = tmp_path / "CITATION.cff"
    bad.write_text((ROOT / "CITATION.cff").read_text().replace("cff-version", "cff-versoin"))
    assert subprocess.run([cffconvert, "--validate", "-i", str(bad)]).returncode != 0


def test_citation_version_is_the_package_version():
    import backprop

    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["version"] == backprop.__version__
    assert cff["license"] == "MIT"
    assert any(r.get("license") == "CC-BY-4.0" for r in cff["references"])


# ------------------------------------------------------------------ workflows
def _workflow(name):
    return yaml.safe_load((WORKFLOWS / name).read_text())


def test_actionlint_accepts_the_workflows_and_rejects_a_planted_error(tmp_path):
    assert ACTIONLINT, "actionlint is missing from .venv (make setup installs it)"
    files = sorted(str(p) for p in WORKFLOWS.glob("*.yml"))
    assert len(files) == 2
    ok = subprocess.run([ACTIONLINT, *files], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout
    bad = tmp_path / "test.yml"
    text = (WORKFLOWS / "test.yml").read_text()
    bad.write_text(text.replace("runs-on: ubuntu-latest", "runs-on: ubuntu-latest\n    runz-on: x"))
    result = subprocess.run([ACTIONLINT, str(bad)], capture_output=True, text=True)
    assert result.returncode != 0 and "runz-on" in result.stdout


def test_test_workflow_runs_make_test_on_pushes_and_pull_requests():
    wf = _workflow("test.yml")
    on = wf[True]  # YAML 1.1 reads the key `on` as True
    assert "pull_request" in on and "push" in on
    steps = wf["jobs"]["test"]["steps"]
    runs = " ".join(s.get("run", "") for s in steps)
    assert "bash .ci/run" in runs and "apt-get install" in runs and "chromium" in runs
    cached = {s["with"]["path"] for s in steps if s.get("uses", "").startswith("actions/cache")}
    assert cached == {"~/.cache/pip", "~/.npm"}
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_pages_workflow_builds_strictly_and_deploys_with_the_pages_actions():
    wf = _workflow("pages.yml")
    build, deploy = wf["jobs"]["build"], wf["jobs"]["deploy"]
    uses = [s.get("uses", "").split("@")[0] for s in build["steps"] + deploy["steps"]]
    for action in ("configure-pages", "upload-pages-artifact", "deploy-pages"):
        assert f"actions/{action}" in uses, action
    assert any("make book-strict" in s.get("run", "") for s in build["steps"])
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert wf["permissions"] == {"contents": "read"}


def test_workflows_use_no_secrets():
    for path in WORKFLOWS.glob("*.yml"):
        assert not re.search(r"secrets\.", path.read_text()), path.name


# ------------------------------------------------------------------ Makefile guard rails
def test_make_stops_early_on_an_old_python(tmp_path):
    old = tmp_path / "python3.10"
    old.write_text('#!/bin/sh\n[ "$1" = --version ] && echo "Python 3.10.12" && exit 0\nexit 1\n')
    old.chmod(0o755)
    result = _make("check-python", f"PYTHON={old}")
    assert result.returncode != 0
    assert "Python 3.11 or newer is needed" in result.stdout and "3.10.12" in result.stdout
    assert _make("check-python", f"PYTHON={sys.executable}").returncode == 0


def test_make_test_without_chromium_says_how_to_get_it_in_one_line():
    result = _make("check-chromium", CHROMIUM="/nonexistent/chromium")
    assert result.returncode != 0
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 and "apt-get install chromium" in lines[0], result.stdout
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^test: check-chromium ", makefile, re.M), "checked before anything runs"


def test_make_chapter_runs_exactly_that_chapter():
    dry = _make("-n", "chapter", "CH=chapters/backprop.md")
    assert "test_chapter_executes[backprop]" in dry.stdout, dry.stdout
    assert "-k" not in dry.stdout.split("pytest", 1)[1]  # no substring match (cost-of-backprop)
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", "chapter",
         "tests/test_chapters.py::test_chapter_executes[backprop]"],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert "1 test collected" in collected.stdout, collected.stdout
    missing = _make("chapter", "CH=chapters/no-such-chapter.md")
    assert missing.returncode != 0 and "no chapter chapters/no-such-chapter.md" in missing.stdout


def test_make_bench_passes_its_arguments_and_says_how_to_get_pytorch():
    dry = _make("-n", "bench", "BENCH_ARGS=--quick --write")
    assert "benchmarks/run.py --quick --write" in dry.stdout, dry.stdout
    assert "pip install torch" in dry.stdout


def test_make_publish_refuses_a_dirty_tree(tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(ROOT), str(clone)], check=True)
    clean = _make("check-clean", cwd=clone)
    assert clean.returncode == 0, clean.stdout
    (clone / "stray.txt").write_text("not committed")
    dirty = _make("check-clean", cwd=clone)
    assert dirty.returncode != 0 and "refuses a dirty tree" in dirty.stdout
    assert "stray.txt" in dirty.stdout
    assert re.search(r"^publish: check-clean ", (ROOT / "Makefile").read_text(), re.M)


def test_python_range_agrees_everywhere():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11"
    assert "Python 3.11+" in (ROOT / "README.md").read_text()
    assert "Python 3.11+" in (ROOT / "Makefile").read_text()
    assert (ROOT / ".binder" / "runtime.txt").read_text().strip() == "python-3.11"


def test_repository_files_exist():
    for name in ("LICENSE", "LICENSE-CONTENT", "CITATION.cff", "CONTRIBUTING.md", "CHANGELOG.md"):
        assert (ROOT / name).is_file(), name
    assert "## [Unreleased]" in (ROOT / "CHANGELOG.md").read_text()
