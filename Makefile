# Inventera – the commands of the README. `make run` and `make test` do all set-up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# Development defaults; production sets its own environment (see README).
DEV_ENV := DEBUG=true
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test test-e2e bench bench-load lint format messages lock clean

$(BIN)/activate: requirements.lock pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Inventera needs Python 3.11 or newer (PYTHON=$(PYTHON))"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements.lock
	touch $(BIN)/activate

install: $(BIN)/activate

# The background import worker (run_imports) runs beside the server and stops with it.
run: install
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py seed_demo
	$(DEV_ENV) $(PY) manage.py run_imports --loop & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

# Every test, browser tests included (they skip with a message when no Chromium is found).
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

test-e2e: install
	$(PY) -m pytest tests/e2e $(PYTEST_ARGS)

# Pages, imports, reports and the load run; e.g. BENCH_ARGS="--database postgres --keep".
bench: install
	$(PY) bench/run.py $(BENCH_ARGS)

# The load run alone: gunicorn with 3 workers and 16 users, on PostgreSQL.
bench-load: install
	$(PY) bench/run.py --only load $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=true $(BIN)/mypy
	$(DEV_ENV) $(PY) manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh the Swedish translations after changing user-facing strings.
messages: install
	$(DEV_ENV) $(PY) manage.py makemessages --locale sv --no-location --no-obsolete \
		--ignore '.venv/*' --ignore 'bench/*' --ignore 'tests/*' --ignore 'staticfiles/*'
	$(DEV_ENV) $(PY) manage.py compilemessages --locale sv --ignore '.venv/*'

# Re-pin every dependency after changing pyproject.toml (then run the tests).
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet ".[dev]"
	.lock-venv/bin/pip freeze --exclude inventera | sed '/^-e /d' > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
