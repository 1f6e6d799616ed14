# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Every dependency, pinned with its hashes: `make lock` writes it from pyproject.toml, `make setup` installs exactly it.
LOCK := requirements.lock
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml $(wildcard $(LOCK)) | cksum | cut -d' ' -f1)
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test setup bytecode htmx browser axe clean

## run: set up and start gtm on embedded defaults (SQLite, embedded Redis, workers)
run: setup
	$(BIN)/gtm run

## test: set up, check the import layers, and run the whole test suite (one process per CPU core; one that runs
##       out of tests takes some queued for a busy one)
TEST_PROCESSES ?= auto
test: setup browser
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n $(TEST_PROCESSES) --dist worksteal

## setup: create or update .venv, compile gtm's modules and fetch htmx; quick when nothing changed
setup: $(STAMP) bytecode htmx

# Every process the suite and `gtm run` start (web servers, workers, their jobs) reads gtm's compiled modules
# instead of compiling them again; where PYTHONDONTWRITEBYTECODE is set, no process would write them.
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q -j 0 gtm jobs tests bench >/dev/null

# The lock's exact versions, each checked against its hashes; then gtm itself, editable, without dependencies
# (an editable install has no hash) and built by the lock's setuptools.
$(STAMP): pyproject.toml $(LOCK)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@rm -f $(VENV)/.installed-*
	@touch $@

## lock: after changing pyproject.toml's dependencies, pin them all again with hashes in requirements.lock
##       (versions already pinned stay unless pyproject.toml excludes them; `make lock UPGRADE=1` takes the newest)
.PHONY: lock
LOCK_TOOLS := $(VENV)/pip-tools
lock:
	@test -x $(LOCK_TOOLS)/bin/pip-compile || { $(PYTHON) -m venv $(LOCK_TOOLS) && \
		$(LOCK_TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check 'pip-tools[stable]==7.7.0'; }
	$(LOCK_TOOLS)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --extra test \
		--build-deps-for editable --no-emit-index-url --no-emit-find-links $(if $(UPGRADE),--upgrade) \
		--output-file $(LOCK) pyproject.toml

htmx:
	@./scripts/fetch_htmx.sh

## browser: Debian's Chromium for the browser tests, and axe-core for their accessibility checks
browser: axe
	@test -x $(CHROMIUM) || ./scripts/install_chromium.sh

axe:
	@./scripts/fetch_axe.sh

clean:
	rm -rf $(VENV) gtm/static/vendor tests/vendor test-artifacts .pytest_cache .import_linter_cache
