# Backpropagation, derived and executed: set-up, build, tests, publishing.
# `make book` and `make test` work on a fresh machine with Python 3.11+, make and Node.js (npm);
# `make test` also needs Chromium or Chrome (CHROMIUM=/path/to/chrome overrides the search).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed-stamp
JB     := $(BIN)/jupyter-book
HOST   ?= 127.0.0.1
PORT   ?= 8000
LINT_PATHS := src tests chapters benchmarks _ext
NODE_STAMP := node_modules/.installed-stamp
PUBLISH_BRANCH ?= gh-pages
SITE_URL := https://backprop-book.github.io/backprop-book/
WHEELHOUSE := $(VENV)/wheelhouse
# Chromium or Chrome for the browser tests: the first found, unless CHROMIUM=... is given.
CHROMIUM ?= $(firstword $(foreach b,chromium chromium-browser google-chrome google-chrome-stable,\
	$(shell command -v $(b) 2>/dev/null)) $(wildcard $(HOME)/.cache/ms-playwright/chromium-*/chrome-linux*/chrome))
export CHROMIUM

.PHONY: help setup book test lint unit book-strict browser pdf serve lab clean chapter typos \
	requirements \
	bench mutants publish gh-pages check-clean check-python check-chromium launch repo-files

help:
	@echo "make book    set up .venv and build the site into _build/html"
	@echo "make test    set up, lint, unit tests, strict book build, browser tests"
	@echo "make serve   serve _build/html on http://$(HOST):$(PORT)"
	@echo "make lab     open the chapters in JupyterLab (.md opens as a notebook)"
	@echo "make chapter CH=chapters/backprop.md   execute one chapter and report errors"
	@echo "make typos   plant typos in every checked equation; report how many fail (CH=... for one)"
	@echo "make bench   benchmarks against PyTorch/scikit-learn (BENCH_ARGS=--help for options)"
	@echo "make browser check the built site in Chromium, offline (screenshots in _build/screenshots)"
	@echo "make publish build the site and the PDF, then commit _build/html to the local $(PUBLISH_BRANCH) branch (no push)"
	@echo "make requirements  re-pin requirements/reader.txt and dev.txt from pyproject.toml (uv)"
	@echo "make launch  Colab-like, Binder and pip-install runs of the chapters, offline"
	@echo "make clean   remove _build and caches (keeps .venv)"

# The book needs Python 3.11+ (numpy 2.4 and the pinned tool chain do); say so before anything.
check-python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "Python 3.11 or newer is needed; '$(PYTHON)' is $$($(PYTHON) --version 2>&1 || echo missing): run make PYTHON=python3.11 (or newer)"; \
	  exit 1; }

# The virtual environment is rebuilt only when the requirements change. The wheelhouse holds the
# wheels of the Colab-like and Binder environments (tests/test_launch.py), downloaded once here
# so that those tests build their venvs offline.
$(STAMP): requirements.txt requirements/dev.txt requirements/reader.txt tests/launch/colab.txt \
		pyproject.toml | check-python
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip download --quiet --only-binary=:all: --dest $(WHEELHOUSE) -r tests/launch/colab.txt
	$(PY) -m pip download --quiet --only-binary=:all: --dest $(WHEELHOUSE) -r requirements/reader.txt
	$(BIN)/uv venv --quiet --allow-existing --python $(PY) $(VENV)/cff
	$(BIN)/uv pip install --quiet --python $(VENV)/cff/bin/python -r requirements/cffconvert.txt
	@touch $(STAMP)

# Re-pin after changing a dependency in pyproject.toml: readers/Binder and developers/CI.
requirements: setup
	$(BIN)/uv pip compile --quiet --universal --python-version 3.11 pyproject.toml \
		--extra book --extra lab -o requirements/reader.txt
	$(BIN)/uv pip compile --quiet --universal --python-version 3.11 pyproject.toml \
		--extra dev -o requirements/dev.txt
	$(BIN)/uv pip compile --quiet --universal --python-version 3.11 requirements/cffconvert.in \
		-o requirements/cffconvert.txt

# The site serves MathJax, require.js and the widget renderer itself: the exact versions of
# package-lock.json, copied into _build/html/_vendor by _ext/vendored_assets.py.
$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm is missing: install Node.js (>= 18)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $(NODE_STAMP)

# JupyterLab and Notebook 7 started from .venv open the chapters' .md files as notebooks
# (jupytext) and ask no questions: the settings go where both read them, .venv/etc/jupyter.
LAB_SETTINGS := $(VENV)/etc/jupyter/labconfig/default_setting_overrides.json
$(LAB_SETTINGS): .jupyter/labconfig/default_setting_overrides.json | $(STAMP)
	@mkdir -p $(dir $@) && cp $< $@

setup: $(STAMP) $(NODE_STAMP) $(LAB_SETTINGS)

# jupyter-cache re-executes a notebook only when its code cells change; it cannot see edits to
# src/backprop (MyST-NB#299), so a newer package file empties the cache first.
_build/.jupyter_cache: $(shell find src/backprop -name "*.py")
	@rm -rf _build/.jupyter_cache

book: setup _build/.jupyter_cache
	@# jupyter-cache ignores Markdown: a chapter whose displayed equations changed is run again.
	@$(PY) -m backprop.equations.cache _build/.jupyter_cache chapters _build/.equation-hashes.json
	$(JB) build .
	@echo "Book built: $(CURDIR)/_build/html/index.html"

lint: setup
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check src tests benchmarks _ext
	$(BIN)/codespell $(LINT_PATHS) README.md intro.md

unit: setup
	$(BIN)/pytest -q -m "not browser and not chapter and not launch" -n 2

# Every notebook executed from scratch, every Sphinx warning an error.
book-strict: setup
	rm -rf _build/.jupyter_cache _build/html _build/jupyter_execute
	$(JB) build . -W -n --keep-going --all

# Chromium (Playwright) against _build/html, offline; prints pages tested, math typeset, size.
browser: check-chromium setup
	$(BIN)/pytest -q -m browser tests/browser

# The whole book as one PDF (typeset math, figures, numbered equations, working links): the
# single-page build printed by Chromium (no TeX) into _build/pdf. A site already built is then
# built again: an HTML build that finds a PDF newer than the sources copies it into the site
# and links it from every page's download menu (_ext/book_site.py); `make book` alone links
# none. tests/browser/test_pdf.py checks it in `make browser`.
pdf: check-chromium setup
	$(JB) build . --builder singlehtml
	CHROMIUM=$(CHROMIUM) $(PY) _ext/print_book.py _build/singlehtml _build/pdf/backprop-book.pdf
	@if test -f _build/html/index.html; then $(JB) build .; fi

check-chromium:
	@test -n "$(CHROMIUM)" && test -x "$(CHROMIUM)" || { echo "The browser tests need Chromium or Chrome: apt-get install chromium (or $(BIN)/playwright install chromium where the network allows, or make CHROMIUM=/path/to/chrome)"; exit 1; }

# Launch paths, each in a fresh environment outside the repository, offline (wheelhouse):
# every chapter in a Colab-like kernel, one chapter in the Binder environment, the README's
# example after `pip install "backprop-book[book]"`, and the built wheel and sdist.
launch: setup
	$(BIN)/pytest -q -m launch tests/test_launch.py -n 2 --durations=5

# The maintainer's files: CITATION.cff (cffconvert), the GitHub workflows (actionlint).
repo-files: setup
	$(VENV)/cff/bin/cffconvert --validate -i CITATION.cff
	$(BIN)/actionlint .github/workflows/*.yml

test: check-chromium lint repo-files unit launch book-strict pdf browser

serve:
	@test -f _build/html/index.html || { echo "run 'make book' first"; exit 1; }
	$(PY) -m http.server $(PORT) --bind $(HOST) --directory _build/html

# .jupyter/labconfig makes JupyterLab open the chapters' .md files as notebooks (jupytext).
lab: setup
	JUPYTER_CONFIG_PATH=$(CURDIR)/.jupyter $(BIN)/jupyter lab --ServerApp.ip=$(HOST) \
		--notebook-dir=chapters $(if $(filter 0,$(shell id -u)),--allow-root)

# Exactly the chapter CH names (a pytest node id, not a -k substring match).
# Plant seeded typos in every checked equation and report how many the checker catches.
typos: setup
	$(PY) -m backprop.equations.typos $(if $(CH),$(CH),chapters/*.md)

chapter: setup
	@test -n "$(CH)" || { echo "say which chapter: make chapter CH=chapters/backprop.md"; exit 1; }
	@test -f "chapters/$(notdir $(basename $(CH))).md" || { echo "no chapter $(CH): the chapters are $(notdir $(wildcard chapters/*.md))"; exit 1; }
	$(BIN)/pytest -q -m chapter "tests/test_chapters.py::test_chapter_executes[$(notdir $(basename $(CH)))]"

# BENCH_ARGS go to benchmarks/run.py (--help lists them); it exits non-zero when a target is missed.
bench: setup
	@$(PY) -c "import torch" 2>/dev/null || echo "PyTorch is not installed: the PyTorch comparisons are skipped (install it with $(BIN)/pip install torch, or for the CPU-only build add --index-url https://download.pytorch.org/whl/cpu)"
	$(PY) benchmarks/run.py $(BENCH_ARGS)

# Planted formula errors: each mutation of tests/mutants/run.py applied to a copy of the core and
# the core's unit tests run against it; prints the kill rate, exits 1 below 95 % (minutes).
mutants: setup
	$(PY) tests/mutants/run.py

# Publishing: the built site, with the book's PDF, goes on the $(PUBLISH_BRANCH) branch of
# this clone as one fresh commit (ghp-import, as the Jupyter Book docs recommend); nothing is
# pushed. GitHub Pages serves that branch at $(SITE_URL) once it is pushed:
#   git push --force origin $(PUBLISH_BRANCH)
publish: check-clean book pdf
	@$(MAKE) --no-print-directory gh-pages

# The published site must be the build of a commit: refuse uncommitted or untracked files.
check-clean:
	@test -z "$$(git status --porcelain --untracked-files=normal)" || { \
	  echo "make publish refuses a dirty tree: commit or remove these first"; git status --short; exit 1; }

gh-pages:
	@test -f _build/html/index.html || { echo "no _build/html/index.html: run 'make book' first"; exit 1; }
	@# A page that links the book's PDF needs the file beside it (make pdf puts it there).
	@if grep -rqs --include='*.html' 'href="[./]*backprop-book\.pdf"' _build/html \
		&& test ! -f _build/html/backprop-book.pdf; then \
	  echo "_build/html links backprop-book.pdf but does not have it: run 'make pdf'"; exit 1; fi
	@# The branch is generated: drop the previous local one so it holds exactly one commit
	@# (ghp-import --no-history alone does that only when origin/$(PUBLISH_BRANCH) exists).
	@git update-ref -d refs/heads/$(PUBLISH_BRANCH) 2>/dev/null || true
	$(BIN)/ghp-import --no-jekyll --no-history --branch $(PUBLISH_BRANCH) \
		--message "Publish the book built from $$(git rev-parse --short HEAD 2>/dev/null || echo 'a working tree')" \
		_build/html
	@echo "Branch $(PUBLISH_BRANCH) now holds the site. Publish it with:"
	@echo "  git push --force origin $(PUBLISH_BRANCH)    # served at $(SITE_URL)"

clean:
	rm -rf _build .pytest_cache .ruff_cache .hypothesis
