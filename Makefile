# Backpropagation, derived and executed: set-up, build, tests.
# `make book` and `make test` work on a fresh machine with Python 3.10+ and make.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed-stamp
JB     := $(BIN)/jupyter-book
HOST   ?= 127.0.0.1
PORT   ?= 8000
LINT_PATHS := src tests chapters benchmarks

.PHONY: help setup book test lint unit book-strict browser serve lab clean chapter freeze bench

help:
	@echo "make book    set up .venv and build the site into _build/html"
	@echo "make test    set up, lint, unit tests, strict book build, browser tests"
	@echo "make serve   serve _build/html on http://$(HOST):$(PORT)"
	@echo "make lab     open the chapters in JupyterLab (.md opens as a notebook)"
	@echo "make chapter CH=chapters/backprop.md   execute one chapter and report errors"
	@echo "make bench   benchmarks against PyTorch/scikit-learn (writes benchmarks/results.md)"
	@echo "make clean   remove _build and caches (keeps .venv)"

# The virtual environment is rebuilt only when the requirements change.
$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

setup: $(STAMP)

# jupyter-cache re-executes a notebook only when its code cells change; it cannot see edits to
# src/backprop (MyST-NB#299), so a newer package file empties the cache first.
_build/.jupyter_cache: src/backprop/*.py
	@rm -rf _build/.jupyter_cache

book: setup _build/.jupyter_cache
	$(JB) build .
	@echo "Book built: $(CURDIR)/_build/html/index.html"

lint: setup
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/codespell $(LINT_PATHS) README.md intro.md

unit: setup
	$(BIN)/pytest -q -m "not browser and not chapter" -n 2

# Every notebook executed from scratch, every Sphinx warning an error.
book-strict: setup
	rm -rf _build/.jupyter_cache _build/html _build/jupyter_execute
	$(JB) build . -W -n --keep-going --all

browser: setup
	$(BIN)/pytest -q -m browser

test: lint unit book-strict browser

serve:
	@test -f _build/html/index.html || { echo "run 'make book' first"; exit 1; }
	$(PY) -m http.server $(PORT) --bind $(HOST) --directory _build/html

lab: setup
	$(BIN)/jupyter lab --ServerApp.ip=$(HOST) --notebook-dir=chapters

chapter: setup
	$(BIN)/pytest -q -m chapter tests/test_chapters.py -k "$(notdir $(basename $(CH)))"

bench: setup
	$(PY) benchmarks/run.py

freeze:
	$(PY) -m pip freeze --exclude-editable | grep -v '^-e' > requirements.txt.new
	@echo "-e ." >> requirements.txt.new && mv requirements.txt.new requirements.txt

clean:
	rm -rf _build .pytest_cache .ruff_cache .hypothesis
