# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test setup htmx browser clean

## run: set up and start gtm on embedded defaults (SQLite, embedded Redis, workers)
run: setup
	$(BIN)/gtm run

## test: set up, check the import layers, and run the whole test suite (one process per CPU core)
TEST_PROCESSES ?= auto
test: setup browser
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n $(TEST_PROCESSES) --dist load

## setup: create or update .venv and fetch htmx; quick when nothing changed
setup: $(STAMP) htmx

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@rm -f $(VENV)/.installed-*
	@touch $@

htmx:
	@./scripts/fetch_htmx.sh

## browser: Debian's Chromium for the browser tests
browser:
	@test -x $(CHROMIUM) || ./scripts/install_chromium.sh

clean:
	rm -rf $(VENV) gtm/static/vendor test-artifacts .pytest_cache .import_linter_cache
