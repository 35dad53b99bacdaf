# One command runner: `make demo`, `make test`, `make lint`, `make bench`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# `make demo PORT=8400` or `make demo ARGS="--user sanna --port 8400"`
PORT ?= 8311
ARGS ?=

.PHONY: install demo test lint bench clean translations

$(BIN)/.installed: pyproject.toml
	packaging/system-deps.sh --base-python $(PYTHON)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[gui,packaging,test]'
	touch $@

## The venv, and the system libraries the app window needs (installed as root, named otherwise).
install: $(BIN)/.installed
	packaging/system-deps.sh --python $(BIN)/python

## Start the demo: a local case server on SQLite with the demo city, and a signed-in device.
demo: install
	$(BIN)/python -m fieldapp.demo --port $(PORT) $(ARGS)

## Lint, check the layering contracts, run the whole test suite.
test: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/pytest -q -n 2 --dist loadfile

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check caseserver sync maps fieldapp tests bench

## Translations: collect the app's strings into resources/i18n/*.ts (translate them there, e.g.
## with pyside6-linguist), then compile the .qm files the app loads (both are committed).
TS := resources/i18n/fieldapp_fi.ts resources/i18n/fieldapp_sv.ts
translations: install
	$(BIN)/pyside6-lupdate -locations none -no-obsolete $$(git ls-files 'fieldapp/*.py' 'fieldapp/**/*.py') -ts $(TS)
	$(BIN)/pyside6-lrelease $(TS)

bench: install
	$(BIN)/python bench/bench_sync.py

clean:
	rm -rf $(VENV) demo-data .pytest_cache .ruff_cache .hypothesis
