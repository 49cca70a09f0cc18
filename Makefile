# The two commands of the set-up contract: `make run` and `make test`.
# Needs only python3 (3.11), pip and make; uv is installed on first use.

SHELL := /bin/bash
PYTHON ?= python3
UV := $(PYTHON) -m uv
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(shell command -v python3.11 || command -v $(PYTHON))

HOST ?= 127.0.0.1
PORT ?= 8000
SIMULATOR_PORT ?= 8001
PROVIDER_PORT ?= 8002
# Where the SQLite file, the development secret and the development environment file live
# (settings.py reads VAR_DIR too).
VAR_DIR ?= var
DEV_ENV := $(VAR_DIR)/dev.env

.PHONY: install run migrate seed test test-postgres fuzz lint audit format clean bench load load-postgres

$(BIN)/python: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv
	$(UV) sync --locked
	@touch $@

install: $(BIN)/python

migrate: install
	$(MANAGE) migrate --noinput

# The demo CPO's and Demo OEM's endpoints and every URL seed_demo prints follow PORT,
# SIMULATOR_PORT and PROVIDER_PORT.
seed: migrate
	$(MANAGE) seed_demo --site-url http://$(HOST):$(PORT) \
		--simulator-url http://127.0.0.1:$(SIMULATOR_PORT)/oioi \
		--provider-url http://127.0.0.1:$(PROVIDER_PORT)/oioi

# Read by manage.py when the environment sets neither DEBUG nor SECRET_KEY, so that the README's
# `manage.py` commands run in this checkout as printed. Written once; edit it at will.
$(DEV_ENV):
	@mkdir -p $(VAR_DIR)
	@printf '%s\n' '# Written by `make run` for this development checkout (git-ignored).' \
		'# manage.py reads it when the environment sets neither DEBUG nor SECRET_KEY.' \
		'DEBUG=1' > $@

# Serves the whole site with gunicorn on http://$(HOST):$(PORT), DEBUG on, SQLite unless
# DATABASE_URL says otherwise, with the delivery worker and the demo CPO's simulator
# (http://127.0.0.1:$(SIMULATOR_PORT)/oioi) running beside it. Static files are served from the
# apps' folders (no collectstatic needed; see STORAGES in settings.py).
run: export DEBUG ?= 1
run: $(DEV_ENV) seed
	$(MANAGE) delivery_worker & worker=$$!; \
	$(MANAGE) simulate_cpo --port $(SIMULATOR_PORT) --partner "Demo CPO" & simulator=$$!; \
	$(MANAGE) simulate_provider --port $(PROVIDER_PORT) --partner "Demo OEM" & provider=$$!; \
	trap 'kill $$worker $$simulator $$provider 2>/dev/null' EXIT; \
	GUNICORN_BIND=$(HOST):$(PORT) $(BIN)/gunicorn --config gunicorn.conf.py oioi_portal.wsgi

# The suite's processes: two, one per core of the machines CI runs on (`make test TEST_WORKERS=0`
# runs it in one process).
TEST_WORKERS ?= 2

test: install
	$(BIN)/pytest -n $(TEST_WORKERS)

# The suite against a throwaway PostgreSQL 15 server, as CI's second leg runs it.
test-postgres: install
	.ci/with-postgres $(BIN)/pytest -n $(TEST_WORKERS)

# The long fuzz run: many more generated OIOI requests per call and REST requests per operation
# than `make test` tries, with Hypothesis' statistics. DATABASE_URL or `.ci/with-postgres make fuzz`
# for PostgreSQL.
FUZZ_EXAMPLES ?= 1000
SCHEMA_EXAMPLES ?= 200
fuzz: install
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) SCHEMA_EXAMPLES=$(SCHEMA_EXAMPLES) $(BIN)/pytest -p no:randomly \
		--hypothesis-show-statistics tests/test_fuzz_oioi.py tests/test_schemathesis_rest.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(MANAGE) makemigrations --check --dry-run
	UV="$(UV)" .ci/audit

# The dependency audit alone, failing also when the advisory database cannot be reached.
audit: install
	UV="$(UV)" AUDIT_REQUIRED=1 .ci/audit

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache

# Benchmarks (not part of `make test`): throwaway database, production gunicorn configuration,
# load from a separate process; figures as ratios to a bare Django view measured in the same run.
bench: install
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# Load test: a realistic partner mix through gunicorn for a bounded time, then consistency
# checks (PostgreSQL when DATABASE_URL points at one; `make load-postgres` starts one).
load: install
	$(BIN)/python -m bench.loadtest $(LOAD_ARGS)

load-postgres: install
	.ci/with-postgres $(BIN)/python -m bench.loadtest $(LOAD_ARGS)
