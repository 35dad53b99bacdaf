# One command runner: `make demo`, `make test`, `make lint`, `make bench`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install demo test lint bench clean translations

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[gui,packaging,test]'
	touch $@

install: $(BIN)/.installed

## Start the demo: a local case server on SQLite with the demo city, and a signed-in device.
demo: install
	$(BIN)/python -m fieldapp.demo

## Lint, check the layering contracts, run the whole test suite.
test: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/pytest -q

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
