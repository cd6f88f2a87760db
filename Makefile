# Backpropagation, derived and executed: set-up, build, tests, publishing.
# `make book` and `make test` work on a fresh machine with Python 3.10+, make and Node.js (npm).

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

.PHONY: help setup book test lint unit book-strict browser serve lab clean chapter typos freeze bench \
	publish gh-pages mutants

help:
	@echo "make book    set up .venv and build the site into _build/html"
	@echo "make test    set up, lint, unit tests, strict book build, browser tests"
	@echo "make serve   serve _build/html on http://$(HOST):$(PORT)"
	@echo "make lab     open the chapters in JupyterLab (.md opens as a notebook)"
	@echo "make chapter CH=chapters/backprop.md   execute one chapter and report errors"
	@echo "make typos   plant typos in every checked equation; report how many fail (CH=... for one)"
	@echo "make bench   benchmarks against PyTorch/scikit-learn (writes benchmarks/results.md)"
	@echo "make browser check the built site in Chromium, offline (screenshots in _build/screenshots)"
	@echo "make publish build, then commit _build/html to the local $(PUBLISH_BRANCH) branch (no push)"
	@echo "make clean   remove _build and caches (keeps .venv)"

# The virtual environment is rebuilt only when the requirements change.
$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

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
	$(BIN)/pytest -q -m "not browser and not chapter" -n 2

# Every notebook executed from scratch, every Sphinx warning an error.
book-strict: setup
	rm -rf _build/.jupyter_cache _build/html _build/jupyter_execute
	$(JB) build . -W -n --keep-going --all

# Chromium (Playwright) against _build/html, offline; prints pages tested, math typeset, size.
browser: setup
	$(BIN)/pytest -q -m browser tests/browser

test: lint unit book-strict browser

serve:
	@test -f _build/html/index.html || { echo "run 'make book' first"; exit 1; }
	$(PY) -m http.server $(PORT) --bind $(HOST) --directory _build/html

# .jupyter/labconfig makes JupyterLab open the chapters' .md files as notebooks (jupytext).
lab: setup
	JUPYTER_CONFIG_PATH=$(CURDIR)/.jupyter $(BIN)/jupyter lab --ServerApp.ip=$(HOST) \
		--notebook-dir=chapters $(if $(filter 0,$(shell id -u)),--allow-root)

# Plant seeded typos in every checked equation and report how many the checker catches.
typos: setup
	$(PY) -m backprop.equations.typos $(if $(CH),$(CH),chapters/*.md)

chapter: setup
	$(BIN)/pytest -q -m chapter tests/test_chapters.py -k "$(notdir $(basename $(CH)))"

bench: setup
	$(PY) benchmarks/run.py

# Planted formula errors: each mutation of tests/mutants/run.py applied to a copy of the core and
# the core's unit tests run against it; prints the kill rate, exits 1 below 95 % (minutes).
mutants: setup
	$(PY) tests/mutants/run.py

# Publishing: the built site goes on the $(PUBLISH_BRANCH) branch of this clone as one fresh
# commit (ghp-import, as the Jupyter Book docs recommend); nothing is pushed. GitHub Pages
# serves that branch at $(SITE_URL) once it is pushed:
#   git push --force origin $(PUBLISH_BRANCH)
publish: book
	@$(MAKE) --no-print-directory gh-pages

gh-pages:
	@test -f _build/html/index.html || { echo "no _build/html/index.html: run 'make book' first"; exit 1; }
	@# The branch is generated: drop the previous local one so it holds exactly one commit
	@# (ghp-import --no-history alone does that only when origin/$(PUBLISH_BRANCH) exists).
	@git update-ref -d refs/heads/$(PUBLISH_BRANCH) 2>/dev/null || true
	$(BIN)/ghp-import --no-jekyll --no-history --branch $(PUBLISH_BRANCH) \
		--message "Publish the book built from $$(git rev-parse --short HEAD 2>/dev/null || echo 'a working tree')" \
		_build/html
	@echo "Branch $(PUBLISH_BRANCH) now holds the site. Publish it with:"
	@echo "  git push --force origin $(PUBLISH_BRANCH)    # served at $(SITE_URL)"

freeze:
	$(PY) -m pip freeze --exclude-editable | grep -v '^-e' > requirements.txt.new
	@echo "-e ." >> requirements.txt.new && mv requirements.txt.new requirements.txt

clean:
	rm -rf _build .pytest_cache .ruff_cache .hypothesis
